"""Query parameters of ``GET /dcx/v1/customers`` -> validated values, domain, order.

No Odoo import: the domain is a plain list understood by the ORM.  Nothing
from the request is ever put in SQL text; ``order_by`` is whitelisted and
LIKE wildcards of ``name``/``email`` are escaped so they match literally.
"""

import re

from . import phone

DEFAULT_LIMIT = 20
MAX_LIMIT = 200
MAX_PAGE = 1_000_000
MAX_TEXT = 256
ORDER_BY_FIELDS = ("id", "name", "email", "create_date", "write_date")
DEFAULT_ORDER_BY = "id"
DEFAULT_ORDER = "asc"
PARAMS = ("limit", "page", "id", "name", "email", "mobile_no", "order", "order_by")

# pragmatic address check (what a form would accept), no whitespace, one @
EMAIL_RE = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$"
)

FALSE_DOMAIN = [("id", "=", 0)]


def escape_like(value):
    """Escape ``\\``, ``%`` and ``_`` so (=)ilike matches ``value`` literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def is_email(value):
    return (
        isinstance(value, str)
        and len(value) <= MAX_TEXT
        and bool(EMAIL_RE.match(value))
    )


class CustomerQuery:
    """Result of :func:`parse`; ``errors`` is empty when the query is valid."""

    def __init__(self):
        self.values = {}
        self.errors = {}
        self.domain = []
        self.order = ""
        self.limit = DEFAULT_LIMIT
        self.page = 1
        self.offset = 0
        self.number_keys = None

    @property
    def ok(self):
        return not self.errors


def _first(params, key):
    value = params.get(key)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value)


def _int(query, params, key, minimum, maximum, default):
    raw = _first(params, key)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not re.fullmatch(r"\d{1,12}", raw):
        query.errors[key] = "must be an integer"
        return default
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            query.errors[key] = f"must be at least {minimum}"
        else:
            query.errors[key] = f"must be between {minimum} and {maximum}"
        return default
    return value


def _text(query, params, key):
    raw = _first(params, key)
    if raw is None:
        return None
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) > MAX_TEXT or "\x00" in raw:
        query.errors[key] = f"must be at most {MAX_TEXT} characters"
        return None
    return raw


def parse(
    params,
    default_region=None,
    mobile_fields=("dcx_mobile_e164", "dcx_phone_e164"),
):
    """Validate ``params`` (a mapping, values str or list of str).

    Returns a :class:`CustomerQuery` with ``values`` (clean values),
    ``errors`` ({param: reason}), ``domain`` (ORM domain list), ``order``
    (ORM order string, always with an ``id`` tie-breaker), ``limit``,
    ``page`` and ``offset``.
    """
    query = CustomerQuery()
    query.limit = _int(query, params, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    query.page = _int(query, params, "page", 1, MAX_PAGE, 1)
    record_id = _int(query, params, "id", 1, 2**31 - 1, None)
    name = _text(query, params, "name")
    email = _text(query, params, "email")
    mobile_no = _text(query, params, "mobile_no")

    order = (_first(params, "order") or DEFAULT_ORDER).strip().lower()
    if order not in ("asc", "desc"):
        query.errors["order"] = "must be 'asc' or 'desc'"
        order = DEFAULT_ORDER
    order_by = (_first(params, "order_by") or DEFAULT_ORDER_BY).strip()
    if order_by not in ORDER_BY_FIELDS:
        query.errors["order_by"] = "must be one of " + ", ".join(ORDER_BY_FIELDS)
        order_by = DEFAULT_ORDER_BY

    domain = []
    if record_id is not None:
        domain.append(("id", "=", record_id))
    if name is not None:
        domain.append(("name", "ilike", escape_like(name)))
    if email is not None:
        if is_email(email):
            domain.append(("email", "=ilike", escape_like(email)))
        else:
            query.errors["email"] = "not a valid email address"
    if mobile_no is not None:
        if not phone.is_phone_like(mobile_no):
            query.errors["mobile_no"] = "not a phone number"
        else:
            keys = phone.lookup_keys(mobile_no, default_region)
            query.number_keys = keys
            if keys:
                number_domain = [(field, "in", keys) for field in mobile_fields]
                domain.extend(["|"] * (len(number_domain) - 1) + number_domain)
            else:
                domain.extend(FALSE_DOMAIN)

    query.values = {
        "limit": query.limit,
        "page": query.page,
        "id": record_id,
        "name": name,
        "email": email,
        "mobile_no": mobile_no,
        "order": order,
        "order_by": order_by,
    }
    query.domain = domain
    query.order = f"{order_by} {order}" + ("" if order_by == "id" else f", id {order}")
    query.offset = (query.page - 1) * query.limit
    return query
