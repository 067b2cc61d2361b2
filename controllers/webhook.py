"""DCX-Meeting webhook intake: verify, store raw, answer 202, process later."""

import json
import logging
import uuid

from odoo import SUPERUSER_ID, http
from odoo.http import request

from odoo.addons.dcx_crm.controllers.common import (
    ApiError,
    handle_api_errors,
    json_response,
    unauthorized,
)
from odoo.addons.dcx_crm.lib import meeting_payload, webhook_signature
from odoo.addons.dcx_crm.lib.openapi_webhook import MAX_BODY_BYTES, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

KEPT_HEADERS = (
    "webhook-id",
    "webhook-timestamp",
    "user-agent",
    "content-type",
    "content-length",
    "x-request-id",
    "x-forwarded-for",
)


def _read_body():
    httprequest = request.httprequest
    length = httprequest.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise ApiError(
            413, "Payload too large.", {"body": f"limit {MAX_BODY_BYTES} bytes"}
        )
    raw = httprequest.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(
            413, "Payload too large.", {"body": f"limit {MAX_BODY_BYTES} bytes"}
        )
    return raw


def _authenticate(env, raw):
    """Return (company, delivery id, method) or None; logs the reason."""
    headers = request.httprequest.headers
    companies = (
        env["res.company"]
        .sudo()
        .search(
            [
                "|",
                ("dcx_webhook_secrets_enc", "!=", False),
                ("dcx_webhook_bearer_hash", "!=", False),
            ],
            order="id",
        )
    )
    reason = "no webhook secret configured"
    if headers.get(webhook_signature.HEADER_SIGNATURE):
        for company in companies:
            secrets = company._dcx_webhook_secrets()
            if not secrets:
                continue
            try:
                delivery_id = webhook_signature.verify(secrets, headers, raw)
            except webhook_signature.WebhookVerificationError as exc:
                reason = exc.reason
                continue
            return company, delivery_id, "signature"
    elif headers.get("Authorization"):
        for company in companies:
            if company._dcx_check_webhook_bearer(headers.get("Authorization")):
                delivery_id = (headers.get(webhook_signature.HEADER_ID) or "").strip()
                if (
                    not delivery_id
                    or len(delivery_id) > webhook_signature.MAX_ID_LENGTH
                ):
                    delivery_id = f"bearer-{uuid.uuid4()}"
                return company, delivery_id, "bearer"
        reason = "bearer secret mismatch"
    else:
        reason = "no signature and no bearer secret"
    _logger.warning(
        "DCX webhook refused from %s: %s", request.httprequest.remote_addr, reason
    )
    return None


class DcxWebhookController(http.Controller):
    @http.route(
        WEBHOOK_PATH,
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    @handle_api_errors
    def dcx_meeting_webhook(self, **_kwargs):
        env = request.env(user=SUPERUSER_ID, su=True)
        raw = _read_body()
        auth = _authenticate(env, raw)
        if not auth:
            return unauthorized()
        company, delivery_id, method = auth
        try:
            text = raw.decode("utf-8")
            payload = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            raise ApiError(
                400, "The body is not valid JSON.", {"body": "invalid JSON"}
            ) from None
        try:
            event_type, raw_type, _data = meeting_payload.parse_envelope(payload)
            normalized = meeting_payload.normalize_event(payload)
        except meeting_payload.PayloadError as exc:
            raise ApiError(400, exc.message, exc.errors) from None
        headers = {
            name: request.httprequest.headers.get(name)
            for name in KEPT_HEADERS
            if request.httprequest.headers.get(name)
        }
        headers["remote-addr"] = request.httprequest.remote_addr
        Event = env["dcx.webhook.event"]
        event_id = Event._dcx_store(
            delivery_id=delivery_id,
            company=company,
            event_type=event_type or raw_type,
            meeting_info_id=normalized["meeting_info_id"] if normalized else None,
            payload=text,
            headers=headers,
            auth_method=method,
            state="pending" if normalized else "ignored",
        )
        if event_id is None:
            return json_response({"status": "duplicate", "id": delivery_id}, status=202)
        if normalized:
            Event._dcx_trigger_processing()
            return json_response({"status": "accepted", "id": delivery_id}, status=202)
        return json_response({"status": "ignored", "id": delivery_id}, status=202)
