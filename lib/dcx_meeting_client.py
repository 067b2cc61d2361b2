"""DCX-Meeting HTTP client used by the Odoo server on a user's behalf (no Odoo import).

Endpoints (second diagram of the design):

* ``POST /meeting`` ``{"dvc": [], "telephony": ["+4930..."]}``
  → ``{"meeting_id": "123", "meeting_info_id": "a12", ...}``
* ``POST /call`` ``{"meeting_info_id": "a12", "users": {}}`` → ``{"failures": {}}``
* ``GET /join/{meeting_id}`` → ``{"meeting_id": "123", "meeting_info_id": "a12", ...}``

Rules: every request has an explicit ``timeout``; POSTs are never retried (they are
not idempotent: a retried ``/call`` could ring the customer twice); the idempotent
``GET /join`` is retried once on a connection error. Every failure is raised as a
:class:`DcxMeetingError` subclass whose ``user_message`` can be shown as is.

Authentication (assumption, DCX's scheme is not published): the per-user token, or
else the company API key, goes in ``Authorization: Bearer <secret>``; when both are
set the company key also goes in ``X-DCX-Api-Key``.
"""

import json
import re
from urllib.parse import quote

import requests

DEFAULT_TIMEOUT = 15  # seconds, for connecting and for each read
MAX_MESSAGE_CHARS = 300
_ID_RE = re.compile(r"^[A-Za-z0-9._:@\-+=]{1,128}$")


class DcxMeetingError(Exception):
    """Base class. ``code`` is a stable machine name, ``http_status`` the status our
    own route answers with, ``user_message`` a sentence for the Odoo user."""

    code = "dcx_error"
    http_status = 502

    def __init__(self, user_message, *, upstream_status=None, details=None):
        super().__init__(user_message)
        self.user_message = user_message
        self.upstream_status = upstream_status
        self.details = details or {}

    def as_dict(self):
        data = {"code": self.code, "message": self.user_message}
        if self.upstream_status:
            data["upstream_status"] = self.upstream_status
        if self.details:
            data["details"] = self.details
        return data


class DcxMeetingNotConfigured(DcxMeetingError):
    code = "not_configured"
    http_status = 503


class DcxMeetingUnavailable(DcxMeetingError):
    """DCX-Meeting could not be reached or answered 5xx."""

    code = "unavailable"
    http_status = 503


class DcxMeetingTimeout(DcxMeetingUnavailable):
    code = "timeout"
    http_status = 504


class DcxMeetingAuthError(DcxMeetingError):
    """DCX-Meeting refused our credentials (401/403)."""

    code = "dcx_auth"
    http_status = 502


class DcxMeetingRejected(DcxMeetingError):
    """DCX-Meeting answered 4xx with a message (bad number, unknown meeting...)."""

    code = "rejected"
    http_status = 422


class DcxMeetingBadResponse(DcxMeetingError):
    """DCX-Meeting answered 2xx with a body we cannot use."""

    code = "bad_response"
    http_status = 502


class DcxCallFailures(DcxMeetingError):
    """``/call`` answered 200 with a non-empty ``failures`` map."""

    code = "call_failed"
    http_status = 422

    def __init__(self, failures, response=None):
        parts = []
        for number, reason in list(failures.items())[:10]:
            parts.append(f"{number}: {_short(reason) or 'failed'}")
        message = "The call could not be placed (" + "; ".join(parts) + ")."
        super().__init__(message, details={"failures": failures})
        self.failures = failures
        self.response = response or {}


def _short(value, limit=MAX_MESSAGE_CHARS):
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _upstream_message(response):
    """Best human-readable message from an error response."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "detail", "msg"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value
            if value:
                return _short(value)
    text = (response.text or "").strip()
    if text and not text.lstrip().startswith("<"):
        return _short(text)
    return response.reason or f"HTTP {response.status_code}"


def valid_meeting_id(value):
    return isinstance(value, str) and bool(_ID_RE.match(value))


class DcxMeetingClient:
    """Thin ``requests`` wrapper; one instance per call of a route."""

    def __init__(
        self, base_url, api_key=None, user_token=None, timeout=None, session=None
    ):
        if not base_url or not str(base_url).startswith(("http://", "https://")):
            raise DcxMeetingNotConfigured(
                "DCX-Meeting is not configured: an administrator must set its URL in "
                "Settings > DCX > Softphone."
            )
        if not api_key and not user_token:
            raise DcxMeetingNotConfigured(
                "No DCX credentials: set the company API key in Settings > DCX > "
                "Softphone, or your personal DCX token in your preferences."
            )
        self.base_url = str(base_url).rstrip("/")
        self.api_key = api_key
        self.user_token = user_token
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.session = session or self._new_session()

    @staticmethod
    def _new_session():
        # no urllib3 retries: a POST must never be sent twice
        return requests.Session()

    # ------------------------------------------------------------------ plumbing
    def _headers(self):
        headers = {"Accept": "application/json", "User-Agent": "odoo-dcx_crm"}
        secret = self.user_token or self.api_key
        headers["Authorization"] = f"Bearer {secret}"
        if self.user_token and self.api_key:
            headers["X-DCX-Api-Key"] = self.api_key
        return headers

    def _request(self, method, path, payload=None, retries=0):
        url = self.base_url + path
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method,
                    url,
                    json=payload,
                    headers=self._headers(),
                    timeout=self.timeout,
                    allow_redirects=False,
                )
                break
            except requests.Timeout:
                raise DcxMeetingTimeout(
                    "DCX-Meeting did not answer in time. The call may not have been "
                    "placed; check before dialing again."
                    if method == "POST"
                    else "DCX-Meeting did not answer in time; try again."
                ) from None
            except requests.RequestException as exc:
                if attempt < retries:
                    attempt += 1
                    continue
                raise DcxMeetingUnavailable(
                    "DCX-Meeting cannot be reached (%s). Try again later or ask an "
                    "administrator to check the DCX-Meeting URL." % type(exc).__name__
                ) from None
        return self._decode(response)

    def _decode(self, response):
        status = response.status_code
        if status in (401, 403):
            raise DcxMeetingAuthError(
                "DCX-Meeting refused the credentials (HTTP %s): %s. Check the API key "
                "in Settings or your personal DCX token."
                % (status, _upstream_message(response)),
                upstream_status=status,
            )
        if 400 <= status < 500:
            raise DcxMeetingRejected(
                "DCX-Meeting refused the request (HTTP %s): %s"
                % (status, _upstream_message(response)),
                upstream_status=status,
            )
        if status >= 500:
            raise DcxMeetingUnavailable(
                "DCX-Meeting failed (HTTP %s): %s"
                % (status, _upstream_message(response)),
                upstream_status=status,
            )
        if not 200 <= status < 300:
            raise DcxMeetingBadResponse(
                "DCX-Meeting answered with an unexpected HTTP %s." % status,
                upstream_status=status,
            )
        try:
            body = response.json()
        except ValueError:
            raise DcxMeetingBadResponse(
                "DCX-Meeting answered with something that is not JSON.",
                upstream_status=status,
            ) from None
        if not isinstance(body, dict):
            raise DcxMeetingBadResponse(
                "DCX-Meeting answered with JSON that is not an object.",
                upstream_status=status,
            )
        return body

    @staticmethod
    def _require_ids(body, what):
        meeting_id = body.get("meeting_id")
        meeting_info_id = body.get("meeting_info_id")
        if isinstance(meeting_id, int) and not isinstance(meeting_id, bool):
            meeting_id = str(meeting_id)
        if isinstance(meeting_info_id, int) and not isinstance(meeting_info_id, bool):
            meeting_info_id = str(meeting_info_id)
        if not valid_meeting_id(meeting_id) or not valid_meeting_id(meeting_info_id):
            raise DcxMeetingBadResponse(
                "DCX-Meeting's %s answer has no usable meeting_id/meeting_info_id."
                % what
            )
        body = dict(body)
        body["meeting_id"] = meeting_id
        body["meeting_info_id"] = meeting_info_id
        return body

    # ------------------------------------------------------------------ endpoints
    def create_meeting(self, telephony, dvc=None):
        """``POST /meeting``; returns the response with string ids."""
        payload = {"dvc": list(dvc or []), "telephony": list(telephony)}
        return self._require_ids(self._request("POST", "/meeting", payload), "/meeting")

    def place_call(self, meeting_info_id, users=None):
        """``POST /call``; raises :class:`DcxCallFailures` when ``failures`` is not
        empty, returns the response otherwise."""
        payload = {"meeting_info_id": meeting_info_id, "users": dict(users or {})}
        body = self._request("POST", "/call", payload)
        failures = body.get("failures")
        if failures is None:
            failures = {}
        if isinstance(failures, list):
            failures = {str(i): item for i, item in enumerate(failures)}
        if not isinstance(failures, dict):
            raise DcxMeetingBadResponse(
                "DCX-Meeting's /call answer has an unusable failures."
            )
        if failures:
            raise DcxCallFailures(failures, body)
        return body

    def join(self, meeting_id):
        """``GET /join/{meeting_id}``; retried once on a connection error."""
        if not valid_meeting_id(meeting_id):
            raise DcxMeetingRejected("This meeting id is not valid.")
        body = self._request("GET", "/join/" + quote(meeting_id, safe=""), retries=1)
        if "meeting_id" not in body:
            body = dict(body, meeting_id=meeting_id)
        return self._require_ids(body, "/join")
