"""JSON plumbing shared by every ``/dcx/v1`` route.

DCX clients key on status codes and exact bodies (the agent refreshes its token on
``{"code": 401, "message": "Unauthorized"}``), so every answer, errors included, is
JSON: never Odoo's HTML error pages, never a traceback.
"""

import functools
import json
import logging

from werkzeug.exceptions import HTTPException

from odoo.exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.http import request

_logger = logging.getLogger(__name__)

JSON_HEADERS = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("Cache-Control", "no-store"),
]

UNAUTHORIZED_BODY = {"code": 401, "message": "Unauthorized"}


class ApiError(Exception):
    """An error that reaches the client as ``{"code", "message"[, "errors"]}``."""

    def __init__(self, status, message, errors=None, extra=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or None
        self.extra = extra or {}


def json_response(payload, status=200, headers=None):
    body = json.dumps(payload, ensure_ascii=False, default=str)
    return request.make_response(
        body, headers=JSON_HEADERS + list(headers or []), status=status
    )


def json_error(status, message, errors=None, extra=None, headers=None):
    payload = {"code": status, "message": message}
    if errors:
        payload["errors"] = errors
    if extra:
        payload.update(extra)
    return json_response(payload, status=status, headers=headers)


def unauthorized():
    return json_response(
        dict(UNAUTHORIZED_BODY),
        status=401,
        headers=[("WWW-Authenticate", 'Bearer realm="dcx"')],
    )


def read_json_object(max_bytes):
    """Return the request body parsed as a JSON object, or raise ``ApiError``."""
    httprequest = request.httprequest
    length = httprequest.content_length
    if length is not None and length > max_bytes:
        raise ApiError(413, f"Request body too large (limit {max_bytes} bytes)")
    raw = httprequest.get_data(cache=True)
    if len(raw) > max_bytes:
        raise ApiError(413, f"Request body too large (limit {max_bytes} bytes)")
    if not raw.strip():
        raise ApiError(400, "Request body must be a JSON object", {"body": "empty"})
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(
            400, "Request body is not valid JSON", {"body": "invalid JSON"}
        ) from None
    if not isinstance(data, dict):
        raise ApiError(
            400, "Request body must be a JSON object", {"body": "not an object"}
        )
    return data


def handle_api_errors(func):
    """Turn every outcome of a route handler into a JSON response.

    On an unexpected error the transaction is rolled back before answering, since
    Odoo commits the cursor of a request that returns normally.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ApiError as exc:
            request.env.cr.rollback()
            if exc.status == 401:
                return unauthorized()
            return json_error(exc.status, exc.message, exc.errors, exc.extra)
        except AccessDenied:
            request.env.cr.rollback()
            return unauthorized()
        except MissingError:
            request.env.cr.rollback()
            return json_error(404, "Not Found")
        except AccessError:
            request.env.cr.rollback()
            return json_error(403, "Forbidden")
        except (ValidationError, UserError) as exc:
            request.env.cr.rollback()
            return json_error(400, str(exc.args[0] if exc.args else exc))
        except HTTPException as exc:
            request.env.cr.rollback()
            return json_error(exc.code or 500, exc.name)
        except Exception:
            request.env.cr.rollback()
            _logger.exception(
                "Unexpected error in DCX route %s", request.httprequest.path
            )
            return json_error(500, "Internal Server Error")

    return wrapper
