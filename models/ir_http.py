import json

import werkzeug.exceptions

from odoo import models
from odoo.http import Response, request

from odoo.addons.dcx_crm.lib import tokens as dcx_tokens

DCX_CORS_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS"),
    ("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept"),
    ("Access-Control-Max-Age", "3600"),
]


class DcxHttpError(werkzeug.exceptions.HTTPException):
    """An HTTP error answered with a JSON body, even before the controller runs."""

    def __init__(self, status, message, headers=None):
        super().__init__(description=message)
        self.code = status
        self.dcx_message = message
        self.dcx_headers = list(headers or [])

    def get_response(self, environ=None, scope=None):
        body = json.dumps({"code": self.code, "message": self.dcx_message})
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Cache-Control", "no-store"),
            *DCX_CORS_HEADERS,
            *self.dcx_headers,
        ]
        return Response(body, status=self.code, headers=headers)


def dcx_unauthorized():
    return DcxHttpError(
        401, "Unauthorized", [("WWW-Authenticate", 'Bearer realm="dcx"')]
    )


def dcx_api_enabled(env):
    value = env["ir.config_parameter"].sudo().get_param("dcx_crm.api_enabled", "False")
    return value not in ("False", "false", "0", "")


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_dcx_token(cls):
        """``Authorization: Bearer <token from /dcx/v1/access-token>``.

        The request then runs as the token's user (access rights and record
        rules apply).  Any failure answers exactly
        ``{"code": 401, "message": "Unauthorized"}`` (JSON, never HTML).
        """
        if request.httprequest.method == "OPTIONS":
            return  # CORS preflight: answered by the controller, no data
        if not dcx_api_enabled(request.env):
            raise DcxHttpError(503, "The DCX integration is disabled in Odoo")
        token = dcx_tokens.bearer_token(
            request.httprequest.headers.get("Authorization")
        )
        user = request.env["dcx.access.token"].sudo()._dcx_authenticate(token)
        if not user:
            raise dcx_unauthorized()
        request.update_env(user=user.id)

    @classmethod
    def _handle_error(cls, exception):
        if isinstance(exception, DcxHttpError):
            return exception.get_response()
        return super()._handle_error(exception)
