from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    # Call history
    dcx_user_ref = fields.Char(
        "DCX user ID",
        index=True,
        copy=False,
        help="Identifier of this user on the DCX platform; calls sent by DCX-Meeting "
        "for this DCX user are assigned to this Odoo user (else matched by e-mail).",
    )

    # Softphone
    dcx_meeting_token_enc = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Technical: the user's personal DCX-Meeting token, encrypted.",
    )
    dcx_meeting_token = fields.Char(
        "DCX token",
        compute="_compute_dcx_softphone_secrets",
        inverse="_inverse_dcx_meeting_token",
        help="Personal DCX-Meeting token (optional; else the company API key is used). "
        "Stored encrypted and never shown again; type a new one to replace it.",
    )
    dcx_meeting_token_set = fields.Boolean(
        "DCX token set", compute="_compute_dcx_softphone_secrets"
    )
    dcx_xmpp_jid = fields.Char(
        "XMPP address",
        copy=False,
        help="The user's XMPP (Prosody) address on DCX, e.g. agent@xmpp.example.com; "
        "a name without @domain gets the company's XMPP domain.",
    )
    dcx_xmpp_password_enc = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Technical: the user's XMPP password, encrypted.",
    )
    dcx_xmpp_password = fields.Char(
        "XMPP password",
        compute="_compute_dcx_softphone_secrets",
        inverse="_inverse_dcx_xmpp_password",
        help="Stored encrypted; type a new one to replace it.",
    )
    dcx_xmpp_password_set = fields.Boolean(
        "XMPP password set", compute="_compute_dcx_softphone_secrets"
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "dcx_meeting_token",
            "dcx_meeting_token_set",
            "dcx_xmpp_jid",
            "dcx_xmpp_password",
            "dcx_xmpp_password_set",
        ]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + [
            "dcx_meeting_token",
            "dcx_xmpp_jid",
            "dcx_xmpp_password",
        ]

    def _compute_dcx_softphone_secrets(self):
        for user in self:
            stored = user.sudo()
            user.dcx_meeting_token = False  # write-only
            user.dcx_xmpp_password = False  # write-only
            user.dcx_meeting_token_set = bool(stored.dcx_meeting_token_enc)
            user.dcx_xmpp_password_set = bool(stored.dcx_xmpp_password_enc)

    def _dcx_encrypt(self, value):
        return self.env["res.company"]._dcx_encrypt_secret(value)

    def _dcx_decrypt(self, blob):
        return self.env["res.company"]._dcx_decrypt_secret(
            blob, f"A DCX secret of user {self.id}"
        )

    def _inverse_dcx_meeting_token(self):
        for user in self:
            if user.dcx_meeting_token:
                blob = user._dcx_encrypt(user.dcx_meeting_token.strip())
                user.sudo().dcx_meeting_token_enc = blob

    def _inverse_dcx_xmpp_password(self):
        for user in self:
            if user.dcx_xmpp_password:
                user.sudo().dcx_xmpp_password_enc = user._dcx_encrypt(
                    user.dcx_xmpp_password
                )

    def _dcx_meeting_token(self):
        self.ensure_one()
        return self._dcx_decrypt(self.sudo().dcx_meeting_token_enc)

    def _dcx_xmpp_password(self):
        self.ensure_one()
        return self._dcx_decrypt(self.sudo().dcx_xmpp_password_enc)

    def action_dcx_clear_softphone_secrets(self):
        """Forget the personal DCX token and XMPP password."""
        for user in self:
            if user != self.env.user:
                user.check_access("write")
            user.sudo().write(
                {"dcx_meeting_token_enc": False, "dcx_xmpp_password_enc": False}
            )
        return True
