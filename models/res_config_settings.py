from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.dcx_crm.lib import webhook_signature


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # CRM-provider API (block dcx_api_settings)
    dcx_api_enabled = fields.Boolean(
        "DCX CRM-provider API",
        config_parameter="dcx_crm.api_enabled",
        help="Let DCX obtain tokens and read/write customers. Switched off on "
        "neutralized copies of the database.",
    )
    dcx_api_user_id = fields.Many2one(
        "res.users",
        "Integration user",
        config_parameter="dcx_crm.api_user_id",
        domain=[("share", "=", False)],
        help="Only API keys of this user can obtain access tokens. Tokens act as "
        "this user, or as the agent named by agent_email.",
    )
    dcx_token_lifetime = fields.Integer(
        "Token lifetime (minutes)",
        config_parameter="dcx_crm.token_lifetime",
        default=60,
    )
    dcx_customer_domain = fields.Char(
        "Customers",
        config_parameter="dcx_crm.customer_domain",
        default="[]",
        help="Which contacts DCX sees as customers (on top of access rights).",
    )
    dcx_api_base_url = fields.Char(
        "Base URL for DCX", compute="_compute_dcx_api_base_url"
    )

    def _compute_dcx_api_base_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for settings in self:
            settings.dcx_api_base_url = base_url.rstrip("/") + "/dcx/v1"

    @api.constrains("dcx_token_lifetime")
    def _check_dcx_token_lifetime(self):
        for settings in self:
            if not 1 <= settings.dcx_token_lifetime <= 24 * 60:
                raise ValidationError(
                    self.env._("The token lifetime must be between 1 and 1440 minutes.")
                )

    def set_values(self):
        for settings in self:
            try:
                self.env["dcx.customer.service"]._parse_domain(
                    settings.dcx_customer_domain
                )
            except (
                ValueError,
                SyntaxError,
                TypeError,
                AssertionError,
                KeyError,
                IndexError,
            ) as error:
                raise ValidationError(
                    self.env._("Invalid customer domain: %(error)s", error=error)
                ) from error
        return super().set_values()

    def action_dcx_form_fields(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "dcx_crm.dcx_form_field_action"
        )

    def action_dcx_access_tokens(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "dcx_crm.dcx_access_token_action"
        )

    def action_dcx_generate_api_key(self):
        """Create an API key for the integration user and show it once."""
        self.ensure_one()
        self.env["res.users"].check_access("write")
        if not self.env.user.has_group("base.group_system"):
            raise UserError(
                self.env._("Only administrators can create the DCX API key.")
            )
        self.set_values()
        user = self.env["dcx.access.token"]._dcx_integration_user()
        if not user:
            raise UserError(self.env._("Choose the integration user and save first."))
        key = (
            self.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, "DCX-Account", False)
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.users.apikeys.show",
            "name": self.env._("API key for DCX-Account"),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": key},
        }

    # Softphone (block dcx_softphone_settings)
    dcx_meeting_url = fields.Char(related="company_id.dcx_meeting_url", readonly=False)
    dcx_meeting_api_key = fields.Char(
        "DCX-Meeting API key",
        compute="_compute_dcx_meeting_api_key",
        inverse="_inverse_dcx_meeting_api_key",
        help="Stored encrypted, never sent to browsers; type a new key to replace it.",
    )
    dcx_meeting_api_key_set = fields.Boolean(compute="_compute_dcx_meeting_api_key")
    dcx_xmpp_websocket_url = fields.Char(
        related="company_id.dcx_xmpp_websocket_url", readonly=False
    )
    dcx_xmpp_bosh_url = fields.Char(
        related="company_id.dcx_xmpp_bosh_url", readonly=False
    )
    dcx_xmpp_domain = fields.Char(related="company_id.dcx_xmpp_domain", readonly=False)
    dcx_meeting_client_url = fields.Char(
        related="company_id.dcx_meeting_client_url", readonly=False
    )
    dcx_meeting_client_mode = fields.Selection(
        related="company_id.dcx_meeting_client_mode", readonly=False
    )
    dcx_xmpp_stanza_namespace = fields.Char(
        related="company_id.dcx_xmpp_stanza_namespace", readonly=False
    )
    dcx_xmpp_incoming_element = fields.Char(
        related="company_id.dcx_xmpp_incoming_element", readonly=False
    )
    dcx_xmpp_ended_element = fields.Char(
        related="company_id.dcx_xmpp_ended_element", readonly=False
    )

    @api.depends("company_id")
    def _compute_dcx_meeting_api_key(self):
        for settings in self:
            settings.dcx_meeting_api_key = False  # write-only
            settings.dcx_meeting_api_key_set = bool(
                settings.company_id.sudo().dcx_meeting_api_key_enc
            )

    def _inverse_dcx_meeting_api_key(self):
        for settings in self:
            if settings.dcx_meeting_api_key:
                if not self.env.user.has_group("base.group_system"):
                    raise UserError(
                        self.env._(
                            "Only administrators can set the DCX-Meeting API key."
                        )
                    )
                settings.company_id._dcx_set_meeting_api_key(
                    settings.dcx_meeting_api_key
                )

    # Call history (block dcx_call_settings)
    dcx_webhook_url = fields.Char("Webhook URL", compute="_compute_dcx_webhook_url")
    dcx_webhook_secret_new = fields.Char(
        "Add a webhook secret",
        compute="_compute_dcx_webhook_secret",
        inverse="_inverse_dcx_webhook_secret",
        help="Stored encrypted and never shown again. Adding a secret keeps the "
        "previous ones valid (rotation) until you remove them.",
    )
    dcx_webhook_secret_info = fields.Char(
        "Active secrets", compute="_compute_dcx_webhook_secret"
    )
    dcx_webhook_bearer_new = fields.Char(
        "Set the bearer secret",
        compute="_compute_dcx_webhook_secret",
        inverse="_inverse_dcx_webhook_bearer",
        help="For senders that cannot sign: requests with 'Authorization: Bearer "
        "<secret>' are accepted. Only a hash is stored.",
    )
    dcx_webhook_bearer_set = fields.Boolean(compute="_compute_dcx_webhook_secret")
    dcx_recording_import = fields.Boolean(
        related="company_id.dcx_recording_import", readonly=False
    )
    dcx_recording_max_mb = fields.Integer(
        related="company_id.dcx_recording_max_mb", readonly=False
    )
    dcx_retention_days = fields.Integer(
        related="company_id.dcx_retention_days", readonly=False
    )
    dcx_event_purge_days = fields.Integer(
        related="company_id.dcx_event_purge_days", readonly=False
    )
    dcx_callback_window_minutes = fields.Integer(
        related="company_id.dcx_callback_window_minutes", readonly=False
    )

    def _compute_dcx_webhook_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for settings in self:
            settings.dcx_webhook_url = base_url.rstrip("/") + "/dcx/v1/webhooks/meeting"

    @api.depends("company_id")
    def _compute_dcx_webhook_secret(self):
        for settings in self:
            company = settings.company_id.sudo()
            secrets = company._dcx_webhook_secrets() if self.env.is_admin() else []
            settings.dcx_webhook_secret_new = False  # write-only
            settings.dcx_webhook_bearer_new = False  # write-only
            settings.dcx_webhook_secret_info = (
                ", ".join(f"…{secret[-4:]}" for secret in secrets)
                if secrets
                else self.env._("none")
            )
            settings.dcx_webhook_bearer_set = bool(company.dcx_webhook_bearer_hash)

    def _dcx_check_admin(self):
        if not self.env.user.has_group("base.group_system"):
            raise UserError(
                self.env._("Only administrators can change DCX webhook secrets.")
            )

    def _inverse_dcx_webhook_secret(self):
        for settings in self:
            if settings.dcx_webhook_secret_new:
                self._dcx_check_admin()
                company = settings.company_id.sudo()
                new = settings.dcx_webhook_secret_new.strip()
                try:
                    company._dcx_set_webhook_secrets(
                        [s for s in company._dcx_webhook_secrets() if s != new] + [new]
                    )
                except ValueError as error:
                    raise ValidationError(
                        self.env._("Invalid webhook secret: %(error)s", error=error)
                    ) from error

    def _inverse_dcx_webhook_bearer(self):
        for settings in self:
            if settings.dcx_webhook_bearer_new:
                self._dcx_check_admin()
                if len(settings.dcx_webhook_bearer_new.strip()) < 16:
                    raise ValidationError(
                        self.env._(
                            "The bearer secret must have at least 16 characters."
                        )
                    )
                settings.company_id._dcx_set_webhook_bearer(
                    settings.dcx_webhook_bearer_new.strip()
                )

    def action_dcx_generate_webhook_secret(self):
        """Add a fresh whsec_ secret and show it once (to paste into DCX)."""
        self.ensure_one()
        self._dcx_check_admin()
        company = self.company_id.sudo()
        secret = webhook_signature.generate_secret()
        company._dcx_set_webhook_secrets(company._dcx_webhook_secrets() + [secret])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("New webhook secret (shown once)"),
                "message": secret,
                "sticky": True,
                "type": "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_dcx_webhook_keep_newest(self):
        """End a rotation: keep only the most recently added secret."""
        self.ensure_one()
        self._dcx_check_admin()
        company = self.company_id.sudo()
        company._dcx_set_webhook_secrets(company._dcx_webhook_secrets()[-1:])
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_dcx_webhook_clear_secrets(self):
        self.ensure_one()
        self._dcx_check_admin()
        self.company_id.sudo()._dcx_set_webhook_secrets([])
        self.company_id.sudo()._dcx_set_webhook_bearer(False)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_dcx_webhook_log(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "dcx_crm.dcx_webhook_event_action"
        )
