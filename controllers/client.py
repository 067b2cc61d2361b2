"""Routes of the web-client softphone: ``/dcx/v1/client/...`` (issue 4).

The browser never talks to DCX-Meeting itself: these session-authenticated routes
call it on the user's behalf, so the company API key and the user's DCX token stay
on the server. Every route is ``POST`` with a JSON body and must carry the session's
CSRF token in the ``X-CSRF-Token`` header (``odoo.csrf_token`` in the web client);
answers are always JSON (``{"code", "message"[, "errors", "reason", "details"]}`` on
errors), with a status that says what happened.
"""

import logging
from urllib.parse import quote

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from odoo.addons.dcx_crm.controllers.common import (
    ApiError,
    handle_api_errors,
    json_error,
    json_response,
    read_json_object,
)
from odoo.addons.dcx_crm.lib import dcx_meeting_client
from odoo.addons.dcx_crm.lib import phone as dcx_phone

_logger = logging.getLogger(__name__)

MAX_BODY = 16 * 1024
MAX_TEXT = 256
INCOMING_KEYS = (
    "meeting_id",
    "meeting_info_id",
    "chat_group_id",
    "jid",
    "meeting_mode",
    "meeting_type",
    "caller",
    "callee",
)
# auth="public" + the explicit session check below, so that an expired session gets
# a JSON 401 instead of Odoo's redirect to the HTML login page.
ROUTE = {"type": "http", "auth": "public", "methods": ["POST"], "csrf": False}


def _client_route(func):
    """Session + CSRF (header) + group checks around :func:`handle_api_errors`."""

    @handle_api_errors
    def wrapper(self, *args, **kwargs):
        if not request.session.uid or request.env.user._is_public():
            raise ApiError(401, "Unauthorized")
        token = request.httprequest.headers.get("X-CSRF-Token")
        if not token or not request.validate_csrf(token):
            raise ApiError(403, "Missing or invalid CSRF token; reload the page.")
        if not request.env.user.has_group("dcx_crm.group_dcx_user"):
            raise ApiError(403, "The DCX softphone is only available to DCX users.")
        return func(self, *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def dcx_error_response(exc):
    """A DcxMeetingError as our JSON error (its own status and user message)."""
    extra = {"reason": exc.code}
    if exc.details:
        extra["details"] = exc.details
    if exc.upstream_status:
        extra["upstream_status"] = exc.upstream_status
    return json_error(exc.http_status, exc.user_message, extra=extra)


def _text(value, limit=MAX_TEXT):
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    value = str(value).strip()
    return value[:limit] or None


class DcxClientController(http.Controller):
    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _company():
        return request.env.company

    def _meeting_client(self):
        """The DCX-Meeting client with the server-side credentials (hook for tests)."""
        company = self._company()
        return dcx_meeting_client.DcxMeetingClient(
            company.dcx_meeting_url,
            api_key=company._dcx_meeting_api_key(),
            user_token=request.env.user._dcx_meeting_token(),
        )

    def _meeting_client_url(self, meeting_id, meeting_info_id):
        company = self._company()
        template = company.dcx_meeting_client_url or ""
        if not template.startswith(("https://", "http://")):
            return None
        return template.replace(
            "{meeting_id}", quote(meeting_id or "", safe="")
        ).replace("{meeting_info_id}", quote(meeting_info_id or "", safe=""))

    @staticmethod
    def _linked_record(res_model, res_id):
        """The record the user dials from, read as the user (None when absent)."""
        if not res_model and not res_id:
            return None
        if not isinstance(res_model, str) or res_model not in request.env:
            raise ApiError(400, "Unknown record type.", {"res_model": "unknown"})
        try:
            res_id = int(res_id)
        except (TypeError, ValueError):
            raise ApiError(
                400, "Invalid record id.", {"res_id": "not an integer"}
            ) from None
        Model = request.env[res_model]
        if Model._transient or Model._abstract:
            raise ApiError(400, "Unknown record type.", {"res_model": "unknown"})
        record = Model.browse(res_id).exists()
        if not record:
            raise ApiError(404, "The record you dialed from no longer exists.")
        record.check_access("read")
        return record

    @staticmethod
    def _region_for(record):
        partner = None
        if record is not None:
            if record._name == "res.partner":
                partner = record
            elif "partner_id" in record._fields:
                partner = record.partner_id
            country = (
                record.country_id if "country_id" in record._fields else None
            ) or (partner.country_id if partner else None)
            if country:
                return country.code
        return request.env["res.partner"]._dcx_default_region()

    @staticmethod
    def _normalize(raw, region):
        if raw is None or isinstance(raw, (bool, dict, list)) or not str(raw).strip():
            raise ApiError(400, "Enter a phone number to dial.", {"number": "required"})
        number = dcx_phone.normalize_number(str(raw), region)
        if not number:
            shown = str(raw)[:40]
            raise ApiError(
                400,
                f'"{shown}" is not a valid phone number. Use the international format, '
                "e.g. +32 470 12 34 56.",
                {"number": "invalid"},
            )
        return number

    @staticmethod
    def _record_ref(record):
        if record is None:
            return None
        return {
            "model": record._name,
            "id": record.id,
            "display_name": record.display_name,
        }

    def _dcx_create_dialing_call(self, meeting, number, record):
        """Log the outbound call right away (status dialing, linked to the record).

        The call log is written with sudo(): it is the system's record of what this
        user did; the linked record and partner were read with the user's rights.
        """
        user = request.env.user
        vals = {
            "company_id": self._company().id,
            "meeting_info_id": meeting["meeting_info_id"],
            "meeting_id": meeting["meeting_id"],
            "direction": "outbound",
            "state": "dialing",
            "status_raw": "dialing",
            "callee_number": number,
            "user_id": user.id,
        }
        if record is not None:
            vals.update(res_model=record._name, res_id=record.id)
            if record._name == "res.partner":
                vals["partner_id"] = record.id
            elif record._name == "crm.lead":
                vals["lead_id"] = record.id
                if record.partner_id:
                    vals["partner_id"] = record.partner_id.id
            elif "partner_id" in record._fields and record.partner_id:
                vals["partner_id"] = record.partner_id.id
        if "partner_id" not in vals:
            partners = request.env["res.partner"]._dcx_search_by_number(number, limit=1)
            if partners:
                vals["partner_id"] = partners.id
        Call = request.env["dcx.call"].sudo()
        existing = Call.with_context(active_test=False).search(
            [
                ("company_id", "=", vals["company_id"]),
                ("meeting_info_id", "=", vals["meeting_info_id"]),
            ],
            limit=1,
        )
        if existing:  # a webhook was faster: fill what it lacks
            existing.write({k: v for k, v in vals.items() if not existing[k]})
            return existing
        return Call.create(vals)

    # ------------------------------------------------------------------ routes
    @http.route("/dcx/v1/client/config", **ROUTE)
    @_client_route
    def client_config(self):
        """Softphone configuration for the current user's browser.

        Contains the user's XMPP credentials (the browser logs in to Prosody itself)
        but never the DCX-Meeting API key or the user's DCX token."""
        read_json_object(MAX_BODY)
        company = self._company()
        user = request.env.user
        jid = (user.dcx_xmpp_jid or "").strip()
        if jid and "@" not in jid and company.dcx_xmpp_domain:
            jid = f"{jid}@{company.dcx_xmpp_domain.strip()}"
        password = user._dcx_xmpp_password() if jid else None
        xmpp = None
        xmpp_reason = None
        if not (company.dcx_xmpp_websocket_url or company.dcx_xmpp_bosh_url):
            xmpp_reason = "XMPP is not configured (Settings > DCX > Softphone)."
        elif not jid or not password:
            xmpp_reason = "Set your XMPP address and password in your preferences."
        else:
            if "/" not in jid:
                jid = f"{jid}/odoo-{user.id}"
            xmpp = {
                "jid": jid,
                "password": password,
                "websocket_url": company.dcx_xmpp_websocket_url or None,
                "bosh_url": company.dcx_xmpp_bosh_url or None,
                "domain": company.dcx_xmpp_domain or jid.split("@", 1)[1].split("/")[0],
            }
        dial_ready = bool(company.dcx_meeting_url) and bool(
            company.sudo().dcx_meeting_api_key_enc or user.sudo().dcx_meeting_token_enc
        )
        return json_response(
            {
                "dial_enabled": dial_ready,
                "dial_reason": None
                if dial_ready
                else "DCX-Meeting is not configured (Settings > DCX > Softphone).",
                "xmpp": xmpp,
                "xmpp_reason": xmpp_reason,
                "stanza": {
                    "namespace": company.dcx_xmpp_stanza_namespace or None,
                    "incomingElement": company.dcx_xmpp_incoming_element or None,
                    "endedElement": company.dcx_xmpp_ended_element or None,
                },
                "meeting_client": {
                    "mode": company.dcx_meeting_client_mode or "side_panel",
                    "configured": bool(company.dcx_meeting_client_url),
                },
            }
        )

    @http.route("/dcx/v1/client/dial", **ROUTE)
    @_client_route
    def client_dial(self):
        """``{"number", "res_model"?, "res_id"?}`` → DCX ``/meeting`` + ``/call``.

        The dcx.call is created as soon as the meeting exists. When ``/call`` then
        fails, the call is kept with state failed and the error is returned."""
        data = read_json_object(MAX_BODY)
        record = self._linked_record(data.get("res_model"), data.get("res_id"))
        number = self._normalize(data.get("number"), self._region_for(record))
        try:
            client = self._meeting_client()
            meeting = client.create_meeting([number])
        except dcx_meeting_client.DcxMeetingError as exc:
            _logger.info(
                "DCX /meeting failed for user %s: %s", request.env.uid, exc.code
            )
            return dcx_error_response(exc)
        call = self._dcx_create_dialing_call(meeting, number, record)
        try:
            placed = client.place_call(meeting["meeting_info_id"])
        except dcx_meeting_client.DcxMeetingError as exc:
            _logger.info("DCX /call failed for user %s: %s", request.env.uid, exc.code)
            if call.state == "dialing":
                call.write({"state": "failed", "status_raw": exc.code})
            return dcx_error_response(exc)
        return json_response(
            {
                "call_id": call.id,
                "number": number,
                "record": self._record_ref(record),
                "meeting": meeting,
                "call": placed,
                "meeting_client_url": self._meeting_client_url(
                    meeting["meeting_id"], meeting["meeting_info_id"]
                ),
            }
        )

    @http.route("/dcx/v1/client/join", **ROUTE)
    @_client_route
    def client_join(self):
        """``{"meeting_id", "incoming"?}`` → DCX ``GET /join/{meeting_id}``.

        Logs the inbound call (ongoing) for the current user and returns the
        matched customers."""
        data = read_json_object(MAX_BODY)
        meeting_id = _text(data.get("meeting_id"))
        if not meeting_id or not dcx_meeting_client.valid_meeting_id(meeting_id):
            raise ApiError(
                400, "A valid meeting_id is required.", {"meeting_id": "invalid"}
            )
        raw_incoming = (
            data.get("incoming") if isinstance(data.get("incoming"), dict) else {}
        )
        incoming = {key: _text(raw_incoming.get(key)) for key in INCOMING_KEYS}
        try:
            join = self._meeting_client().join(meeting_id)
        except dcx_meeting_client.DcxMeetingError as exc:
            return dcx_error_response(exc)
        caller = None
        if incoming.get("caller"):
            caller = dcx_phone.normalize_number(
                incoming["caller"], request.env["res.partner"]._dcx_default_region()
            )
        partners = (
            request.env["res.partner"]._dcx_search_by_number(caller, limit=5)
            if caller
            else request.env["res.partner"]
        )
        vals = {
            "meeting_id": join["meeting_id"],
            "direction": "inbound",
            "state": "ongoing",
            "status_raw": "accepted",
            "user_id": request.env.user.id,
            "caller_number": caller or incoming.get("caller"),
            "caller_jid": incoming.get("jid"),
        }
        if partners:
            vals["partner_id"] = partners[0].id
        Call = request.env["dcx.call"].sudo()
        call = Call._dcx_get_or_create(
            join["meeting_info_id"], self._company(), join["meeting_id"]
        )
        updates = {k: v for k, v in vals.items() if v and k != "state" and not call[k]}
        if call.state in (False, "dialing", "ringing"):  # never backwards
            updates["state"] = "ongoing"
        if updates:
            call.write(updates)
        return json_response(
            {
                "call_id": call.id,
                "join": join,
                "incoming": incoming,
                "number": caller,
                "partners": [
                    {"id": p.id, "display_name": p.display_name} for p in partners
                ],
                "meeting_client_url": self._meeting_client_url(
                    join["meeting_id"], join["meeting_info_id"]
                ),
            }
        )

    @http.route("/dcx/v1/client/lookup", **ROUTE)
    @_client_route
    def client_lookup(self):
        """``{"number"}`` → the customers (readable by the user) with this number and
        their open leads, for the incoming-call popup."""
        data = read_json_object(MAX_BODY)
        raw = _text(data.get("number"), 64)
        region = request.env["res.partner"]._dcx_default_region()
        number = dcx_phone.normalize_number(raw, region) if raw else None
        if not number:
            return json_response({"number": None, "partners": [], "leads": []})
        partners = request.env["res.partner"]._dcx_search_by_number(number, limit=5)
        leads = []
        Lead = request.env["crm.lead"]
        try:
            Lead.check_access("read")
        except AccessError:
            Lead = None
        if Lead is not None:
            domain = [("active", "=", True), ("probability", "<", 100)]
            if partners:
                domain = [("partner_id", "in", partners.ids)] + domain
            else:
                domain = [("phone_mobile_search", "=", number)] + domain
            for lead in Lead.search(domain, limit=5, order="id desc"):
                leads.append(
                    {
                        "id": lead.id,
                        "name": lead.name,
                        "stage": lead.stage_id.display_name or None,
                        "partner_id": lead.partner_id.id or None,
                    }
                )
        return json_response(
            {
                "number": number,
                "partners": [
                    {
                        "id": p.id,
                        "display_name": p.display_name,
                        "email": p.email or None,
                        "company": p.commercial_company_name or None,
                    }
                    for p in partners
                ],
                "leads": leads,
            }
        )
