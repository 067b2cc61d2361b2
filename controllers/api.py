"""The CRM-provider API of DCX: every route lives under ``/dcx/v1``.

Routes are registered without ``methods=`` so that a wrong method gets a JSON
405 (not werkzeug's HTML page); unknown ``/dcx/v1/...`` paths get a JSON 404.
"""

import functools

from odoo import http
from odoo.http import request

from odoo.addons.dcx_crm.controllers.common import (
    ApiError,
    handle_api_errors,
    json_error,
    json_response,
    read_json_object,
    unauthorized,
)
from odoo.addons.dcx_crm.lib import customer_query, openapi
from odoo.addons.dcx_crm.lib import tokens as dcx_tokens
from odoo.addons.dcx_crm.models.ir_http import DCX_CORS_HEADERS, dcx_api_enabled

API = openapi.API_PREFIX
MAX_BODY_BYTES = 64 * 1024
ROUTE = {"type": "http", "csrf": False, "save_session": False}


def _cors(func):
    """Add the CORS headers (bearer auth, no cookies: any origin) to every answer."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        response = func(*args, **kwargs)
        for key, value in DCX_CORS_HEADERS:
            response.headers.setdefault(key, value)
        return response

    return wrapper


def _method(*allowed):
    """The request method, after answering CORS preflights and wrong methods."""
    method = request.httprequest.method
    if method == "OPTIONS":
        raise _Early(request.make_response("", status=204))
    if method not in allowed:
        raise _Early(
            json_error(
                405,
                "Method Not Allowed",
                headers=[("Allow", ", ".join((*allowed, "OPTIONS")))],
            )
        )
    return method


class _Early(Exception):
    def __init__(self, response):
        super().__init__("early response")
        self.response = response


def _api_route(path, auth, readonly=False):
    def decorator(func):
        @functools.wraps(func)
        def guarded(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except _Early as early:
                return early.response

        return http.route(path, auth=auth, readonly=readonly, **ROUTE)(
            _cors(handle_api_errors(guarded))
        )

    return decorator


def _service():
    return request.env["dcx.customer.service"]


def _customer_or_404(partner_id):
    if not 0 < partner_id < 2**31:
        raise ApiError(404, "Not Found")
    partner = _service()._get(partner_id)
    if not partner:
        raise ApiError(404, "Not Found")
    return partner


def _customer_response(partner):
    return json_response({"data": _service()._to_json(partner)[0]})


class DcxApiController(http.Controller):
    @_api_route(f"{API}/access-token", auth="none")
    def dcx_access_token(self, **_kwargs):
        _method("GET")
        env = request.env
        if not dcx_api_enabled(env):
            raise ApiError(503, "The DCX integration is disabled in Odoo")
        key = dcx_tokens.bearer_token(request.httprequest.headers.get("Authorization"))
        if not key:
            return unauthorized()
        uid = env["res.users.apikeys"].sudo()._check_credentials(scope="rpc", key=key)
        if not uid:
            return unauthorized()
        tokens = env["dcx.access.token"].sudo()
        issuer = env["res.users"].sudo().browse(uid)
        if not tokens._dcx_may_use_api(issuer):
            return unauthorized()
        agent = tokens._dcx_agent_by_email(request.httprequest.args.get("agent_email"))
        request.update_env(user=issuer.id)
        token, lifetime = tokens._dcx_issue(agent or issuer, issuer)
        return json_response(
            {
                "token": token,
                "auth_provider_type": "odoo",
                "token_type": "Bearer",
                "expires_in": lifetime,
            }
        )

    @_api_route(f"{API}/customers", auth="dcx_token")
    def dcx_customers(self, **_kwargs):
        _method("GET")
        partners = request.env["res.partner"]
        query = customer_query.parse(
            request.httprequest.args.to_dict(flat=False),
            default_region=partners._dcx_default_region(),
        )
        if not query.ok:
            raise ApiError(400, "Invalid query parameters", query.errors)
        total, found = _service()._search_page(query)
        return json_response(
            {
                "total_count": str(total),
                "page": query.page,
                "limit": query.limit,
                "data": _service()._to_json(found),
            }
        )

    @_api_route(f"{API}/customer/form-template", auth="dcx_token")
    def dcx_form_template(self, **_kwargs):
        _method("GET")
        return json_response(
            {"data": {"model": "res.partner", "fields": _service()._template()}}
        )

    @_api_route(f"{API}/customers/<int:partner_id>", auth="dcx_token")
    def dcx_customer(self, partner_id, **_kwargs):
        method = _method("GET", "PATCH", "DELETE")
        if method == "GET":
            return _customer_response(_customer_or_404(partner_id))
        if method == "DELETE":
            partner = _customer_or_404(partner_id)
            partner.write({"active": False})
            return _customer_response(partner)
        body = read_json_object(MAX_BODY_BYTES)
        partner = _customer_or_404(partner_id)
        vals, errors, _allow = _service()._values_from_body(body, creating=False)
        if errors:
            raise ApiError(400, "Invalid customer data", errors)
        if not vals:
            raise ApiError(400, "Nothing to update", {"body": "no field to update"})
        partner.write(vals)
        return _customer_response(partner)

    @_api_route(f"{API}/customers/create", auth="dcx_token")
    def dcx_customer_create(self, **_kwargs):
        _method("POST")
        body = read_json_object(MAX_BODY_BYTES)
        service = _service()
        vals, errors, allow_duplicate = service._values_from_body(body, creating=True)
        if errors:
            raise ApiError(400, "Invalid customer data", errors)
        if not allow_duplicate:
            field, existing = service._find_duplicate(vals)
            if existing:
                raise ApiError(
                    409,
                    "A customer with this email or number already exists",
                    {field: f"already used by customer {existing.id}"},
                    extra={"existing_id": existing.id},
                )
        partner = request.env["res.partner"].create(vals)
        return _customer_response(partner)

    @_api_route(f"{API}/openapi.json", auth="none", readonly=True)
    def dcx_openapi(self, **_kwargs):
        _method("GET")
        base_url = (
            request.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        )
        return json_response(
            openapi.build_document(server_url=base_url.rstrip("/") + API)
        )

    @_api_route(API, auth="none", readonly=True)
    def dcx_root(self, **_kwargs):
        if request.httprequest.method == "OPTIONS":
            return request.make_response("", status=204)
        raise ApiError(404, "Not Found")

    @_api_route(f"{API}/<path:subpath>", auth="none", readonly=True)
    def dcx_not_found(self, subpath=None, **_kwargs):
        if request.httprequest.method == "OPTIONS":
            return request.make_response("", status=204)
        raise ApiError(404, "Not Found")
