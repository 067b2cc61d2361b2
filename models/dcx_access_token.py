import datetime
import logging

from odoo import api, fields, models
from odoo.osv import expression

from odoo.addons.dcx_crm.lib import customer_query
from odoo.addons.dcx_crm.lib import tokens as dcx_tokens

_logger = logging.getLogger(__name__)

DEFAULT_LIFETIME_MINUTES = 60
MAX_LIFETIME_MINUTES = 24 * 60


class DcxAccessToken(models.Model):
    _name = "dcx.access.token"
    _description = "DCX access token"
    _order = "id desc"
    _rec_name = "token_prefix"

    token_hash = fields.Char(required=True, readonly=True, copy=False, index=True)
    token_prefix = fields.Char(
        "Token", readonly=True, copy=False, help="First characters of the token."
    )
    user_id = fields.Many2one(
        "res.users",
        "Acts as",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        help="The user whose access rights and record rules apply to requests "
        "made with the token.",
    )
    issuer_id = fields.Many2one(
        "res.users",
        "API key of",
        readonly=True,
        ondelete="set null",
        help="The user whose API key obtained the token (the integration user).",
    )
    expires_at = fields.Datetime("Expires", required=True, readonly=True, index=True)
    revoked = fields.Boolean(readonly=True, copy=False)
    state = fields.Selection(
        [("valid", "Valid"), ("expired", "Expired"), ("revoked", "Revoked")],
        compute="_compute_state",
        search="_search_state",
    )

    _sql_constraints = [
        ("token_hash_unique", "unique(token_hash)", "Token hashes must be unique."),
    ]

    @api.depends("expires_at", "revoked")
    def _compute_state(self):
        now = fields.Datetime.now()
        for token in self:
            if token.revoked:
                token.state = "revoked"
            elif token.expires_at and token.expires_at <= now:
                token.state = "expired"
            else:
                token.state = "valid"

    def _search_state(self, operator, value):
        if operator not in ("=", "!="):
            raise NotImplementedError(operator)
        now = fields.Datetime.now()
        domains = {
            "revoked": [("revoked", "=", True)],
            "expired": [("revoked", "=", False), ("expires_at", "<=", now)],
            "valid": [("revoked", "=", False), ("expires_at", ">", now)],
        }
        if operator == "=":
            return domains.get(value, [("id", "=", 0)])
        return expression.OR(
            [domain for key, domain in domains.items() if key != value]
        )

    @api.model
    def _dcx_secret(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.secret") or ""

    @api.model
    def _dcx_lifetime_minutes(self):
        value = (
            self.env["ir.config_parameter"].sudo().get_param("dcx_crm.token_lifetime")
        )
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            minutes = DEFAULT_LIFETIME_MINUTES
        return (
            min(max(minutes, 1), MAX_LIFETIME_MINUTES)
            if minutes > 0
            else DEFAULT_LIFETIME_MINUTES
        )

    @api.model
    def _dcx_issue(self, user, issuer=None):
        """Create a token acting as ``user``; return (clear token, lifetime seconds).

        Only the keyed hash of the token is stored.
        """
        token = dcx_tokens.generate_token()
        lifetime = self._dcx_lifetime_minutes() * 60
        self.sudo().create(
            {
                "token_hash": dcx_tokens.hash_token(token, self._dcx_secret()),
                "token_prefix": dcx_tokens.token_prefix(token),
                "user_id": user.id,
                "issuer_id": issuer.id if issuer else False,
                "expires_at": fields.Datetime.now()
                + datetime.timedelta(seconds=lifetime),
            }
        )
        return token, lifetime

    @api.model
    def _dcx_authenticate(self, token):
        """The active user a valid (known, unexpired, unrevoked) token acts as."""
        if not token:
            return None
        secret = self._dcx_secret()
        token_hash = dcx_tokens.hash_token(token, secret)
        record = self.sudo().search([("token_hash", "=", token_hash)], limit=1)
        if not record or not dcx_tokens.token_matches(token, record.token_hash, secret):
            return None
        if record.revoked or record.expires_at <= fields.Datetime.now():
            return None
        user = record.user_id
        if not user.active or user.share:
            return None
        return user

    @api.model
    def _dcx_integration_user(self):
        value = self.env["ir.config_parameter"].sudo().get_param("dcx_crm.api_user_id")
        try:
            return self.env["res.users"].sudo().browse(int(value)).exists()
        except (TypeError, ValueError):
            return self.env["res.users"]

    @api.model
    def _dcx_may_use_api(self, user):
        """Whether an API key of ``user`` may obtain tokens: the configured
        integration user, or (none configured) any internal DCX user."""
        if not user or not user.active or user.share:
            return False
        integration_user = self._dcx_integration_user()
        if integration_user:
            return user == integration_user
        return user.has_group("dcx_crm.group_dcx_user")

    @api.model
    def _dcx_agent_by_email(self, email):
        """The one active internal DCX agent whose email or login is ``email``."""
        if not email or not customer_query.is_email(email.strip()):
            return None
        pattern = customer_query.escape_like(email.strip())
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    "|",
                    ("login", "=ilike", pattern),
                    ("email", "=ilike", pattern),
                ],
                limit=3,
            )
            .filtered(lambda user: user.has_group("dcx_crm.group_dcx_user"))
        )
        return users if len(users) == 1 else None

    def action_revoke(self):
        self.write({"revoked": True})
        return True

    @api.autovacuum
    def _gc_expired_tokens(self):
        """Delete expired tokens (revoked ones too, once they would have expired)."""
        expired = self.sudo().search([("expires_at", "<=", fields.Datetime.now())])
        expired.unlink()
        _logger.info("Vacuumed %s expired DCX access tokens", len(expired))

    @api.model
    def _dcx_demo_api_key(self, user_xmlid="dcx_crm.dcx_demo_integration_user"):
        """Demo data only: give the demo integration user an API key and print it."""
        user = self.env.ref(user_xmlid)
        key = (
            self.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, "DCX-Account (demo)", False)
        )
        _logger.info(
            "DCX demo API key of %s (login %r), give it to DCX-Account: %s",
            user.name,
            user.login,
            key,
        )
        return key
