import base64
import hashlib
import hmac
import logging

from cryptography.fernet import Fernet, InvalidToken

from odoo import api, fields, models
from odoo.tools import config

from odoo.addons.dcx_crm.lib import tokens as lib_tokens
from odoo.addons.dcx_crm.lib import webhook_signature

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    # Call history (DCX-Meeting webhooks)
    dcx_webhook_secrets_enc = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Technical: the Standard Webhooks signing secrets, encrypted.",
    )
    dcx_webhook_bearer_hash = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Technical: HMAC-SHA256 of the shared webhook bearer secret.",
    )
    dcx_recording_import = fields.Boolean(
        "Import recordings",
        help="Download recordings into Odoo attachments instead of keeping a link.",
    )
    dcx_recording_max_mb = fields.Integer("Recording size cap (MB)", default=50)
    dcx_retention_days = fields.Integer(
        "Transcript/recording retention (days)",
        default=0,
        help="Transcripts and recordings of calls older than this are purged "
        "(call metadata is kept). 0 keeps them forever.",
    )
    dcx_event_purge_days = fields.Integer(
        "Webhook log retention (days)",
        default=30,
        help="0 keeps the webhook log forever.",
    )
    dcx_callback_window_minutes = fields.Integer(
        "Call-back window (minutes)",
        default=60,
        help="Missed calls from the same caller within this window share one "
        '"Call back" activity.',
    )

    @api.model
    def _dcx_secret_fernet(self):
        """Fernet key for secrets at rest: from the server configuration option
        ``dcx_secret_key`` when set (recommended: keeps the key out of the
        database), else derived from the database secret."""
        material = config.get("dcx_secret_key") or (
            self.env["ir.config_parameter"].sudo().get_param("database.secret")
        )
        digest = hashlib.sha256(f"dcx_crm.webhook:{material}".encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    @api.model
    def _dcx_encrypt_secret(self, text):
        """The encrypted blob stored for ``text`` (False for an empty one)."""
        if not text:
            return False
        return self._dcx_secret_fernet().encrypt(text.encode()).decode()

    @api.model
    def _dcx_decrypt_secret(self, blob, what):
        """The clear text of ``blob``; None when empty or undecryptable (logged
        as ``what``, e.g. after the key changed)."""
        if not blob:
            return None
        try:
            return self._dcx_secret_fernet().decrypt(blob.encode()).decode()
        except (InvalidToken, ValueError):
            _logger.error("%s cannot be decrypted", what)
            return None

    def _dcx_webhook_secrets(self):
        """The clear signing secrets of this company (list)."""
        self.ensure_one()
        text = self._dcx_decrypt_secret(
            self.sudo().dcx_webhook_secrets_enc,
            f"DCX webhook secrets of company {self.id}",
        )
        return webhook_signature.parse_secrets(text) if text else []

    def _dcx_set_webhook_secrets(self, secrets):
        self.ensure_one()
        secrets = [s for s in secrets if s]
        for secret in secrets:
            webhook_signature.decode_secret(secret)  # ValueError when malformed
        self.sudo().dcx_webhook_secrets_enc = self._dcx_encrypt_secret(
            "\n".join(secrets)
        )

    def _dcx_bearer_hash(self, token):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        return lib_tokens.hash_token(token, f"dcx_crm.webhook_bearer:{secret}")

    def _dcx_set_webhook_bearer(self, token):
        self.ensure_one()
        self.sudo().dcx_webhook_bearer_hash = (
            self._dcx_bearer_hash(token) if token else False
        )

    def _dcx_check_webhook_bearer(self, authorization):
        self.ensure_one()
        stored = self.sudo().dcx_webhook_bearer_hash
        token = lib_tokens.bearer_token(authorization)
        if not stored or not token:
            return False
        return hmac.compare_digest(self._dcx_bearer_hash(token), stored)

    # Softphone
    dcx_meeting_url = fields.Char(
        "DCX-Meeting URL",
        help="Base URL of the DCX-Meeting API (POST /meeting, POST /call, "
        "GET /join/{id}), called by the Odoo server on the user's behalf.",
    )
    dcx_meeting_api_key_enc = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Technical: the company's DCX-Meeting API key, encrypted.",
    )
    dcx_xmpp_websocket_url = fields.Char(
        "XMPP websocket URL", help="e.g. wss://xmpp.example.com/xmpp-websocket"
    )
    dcx_xmpp_bosh_url = fields.Char(
        "XMPP BOSH URL",
        help="Fallback when websockets fail, e.g. https://xmpp.example.com/http-bind",
    )
    dcx_xmpp_domain = fields.Char(
        "XMPP domain", help="Appended to users' XMPP names that have no @domain."
    )
    dcx_meeting_client_url = fields.Char(
        "Meeting client URL",
        help="DCX meeting client page for a call; {meeting_id} and {meeting_info_id} "
        "are replaced, e.g. https://meet.example.com/{meeting_id}",
    )
    dcx_meeting_client_mode = fields.Selection(
        [
            ("side_panel", "Side panel"),
            ("dialog", "Dialog"),
            ("new_tab", "New browser tab"),
            ("none", "Do not show"),
        ],
        "Show the meeting client in",
        default="side_panel",
    )
    dcx_xmpp_stanza_namespace = fields.Char(
        "Call stanza namespace",
        default="urn:dcx:call:0",
        help='XML namespace of DCX call elements in XMPP messages ("*" matches any).',
    )
    dcx_xmpp_incoming_element = fields.Char(
        "Incoming-call element", default="incoming-call"
    )
    dcx_xmpp_ended_element = fields.Char("Call-ended element", default="call-ended")

    def _dcx_meeting_api_key(self):
        """The clear DCX-Meeting API key of this company (server side only)."""
        self.ensure_one()
        return self._dcx_decrypt_secret(
            self.sudo().dcx_meeting_api_key_enc,
            f"DCX-Meeting API key of company {self.id}",
        )

    def _dcx_set_meeting_api_key(self, key):
        self.ensure_one()
        key = (key or "").strip()
        self.sudo().dcx_meeting_api_key_enc = self._dcx_encrypt_secret(key)
