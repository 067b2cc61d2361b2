"""OpenAPI 3.1 document of the dcx_crm HTTP API (no Odoo import).

``build_document()`` returns the whole document as a dict.  Paths and
schemas of other parts of the addon are merged when their module exists:
``lib/openapi_webhook.py`` may define ``paths()`` and ``schemas()`` (and
optionally ``security_schemes()`` and ``tags()``).
"""

import copy
import importlib

API_PREFIX = "/dcx/v1"
OPENAPI_VERSION = "3.1.0"
EXTENSION_MODULES = ("openapi_webhook",)


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def _json(schema):
    return {"application/json": {"schema": schema}}


STR_OR_NULL = {"type": ["string", "null"]}


def _error_response(description):
    return {"description": description, "content": _json(_ref("Error"))}


ERROR_RESPONSES = {
    "400": _error_response(
        "Bad query parameters or body; `errors` maps each field to a reason."
    ),
    "401": {
        "description": "Missing, unknown, expired or revoked token (exact body).",
        "content": _json(_ref("Unauthorized")),
    },
    "403": _error_response("Access rights forbid the operation."),
    "404": _error_response("Unknown id, or a customer the token's user may not see."),
    "405": _error_response("Method not allowed on this path."),
    "409": {
        "description": "The email or the normalized number already belongs to "
        "an active customer.",
        "content": _json(_ref("Conflict")),
    },
    "413": _error_response("Body too large."),
    "500": _error_response("Unexpected server error (details are in the server log)."),
    "503": _error_response(
        "The DCX integration is switched off in Odoo (e.g. a neutralized copy)."
    ),
}


def _errors(*codes):
    return {code: copy.deepcopy(ERROR_RESPONSES[code]) for code in codes}


def _schemas():
    choice = {
        "type": "object",
        "required": ["value", "label"],
        "properties": {
            "value": {"type": ["string", "integer"]},
            "label": {"type": "string"},
            "code": {"type": ["string", "null"]},
            "country_id": {"type": ["integer", "null"]},
        },
    }
    code_name = {
        "type": "object",
        "required": ["id", "code", "name"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": ["string", "null"]},
            "name": {"type": "string"},
        },
    }
    return {
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
        "Unauthorized": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"const": 401},
                "message": {"const": "Unauthorized"},
            },
        },
        "Conflict": {
            "type": "object",
            "required": ["code", "message", "existing_id"],
            "properties": {
                "code": {"const": 409},
                "message": {"type": "string"},
                "existing_id": {"type": "integer"},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
        "AccessToken": {
            "type": "object",
            "required": ["token", "auth_provider_type", "token_type", "expires_in"],
            "properties": {
                "token": {"type": "string", "minLength": 43},
                "auth_provider_type": {"const": "odoo"},
                "token_type": {"const": "Bearer"},
                "expires_in": {"type": "integer", "minimum": 1},
            },
        },
        "CodeName": code_name,
        "Tag": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "Customer": {
            "type": "object",
            "required": [
                "id",
                "name",
                "email",
                "mobile_no",
                "phone",
                "is_company",
                "company_name",
                "street",
                "street2",
                "city",
                "zip",
                "state",
                "country",
                "lang",
                "tags",
                "active",
                "create_date",
                "write_date",
                "url",
                "fields",
            ],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "display_name": {"type": "string"},
                "email": STR_OR_NULL,
                "mobile_no": {
                    **STR_OR_NULL,
                    "description": "The mobile as stored (the phone when there is "
                    "no mobile).",
                },
                "mobile_e164": STR_OR_NULL,
                "phone": STR_OR_NULL,
                "phone_e164": STR_OR_NULL,
                "is_company": {"type": "boolean"},
                "company_name": STR_OR_NULL,
                "parent_id": {"type": ["integer", "null"]},
                "street": STR_OR_NULL,
                "street2": STR_OR_NULL,
                "city": STR_OR_NULL,
                "zip": STR_OR_NULL,
                "state": _nullable(_ref("CodeName")),
                "country": _nullable(_ref("CodeName")),
                "lang": STR_OR_NULL,
                "tags": {"type": "array", "items": _ref("Tag")},
                "active": {"type": "boolean"},
                "create_date": {"type": "string", "format": "date-time"},
                "write_date": {"type": "string", "format": "date-time"},
                "url": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Raw values of the form-template fields, keyed by "
                    "technical name (many2one: id or null; many2many: list of ids).",
                },
            },
        },
        "CustomerList": {
            "type": "object",
            "required": ["total_count", "data"],
            "properties": {
                "total_count": {"type": "string", "pattern": "^[0-9]+$"},
                "page": {"type": "integer"},
                "limit": {"type": "integer"},
                "data": {"type": "array", "items": _ref("Customer")},
            },
        },
        "CustomerResponse": {
            "type": "object",
            "required": ["data"],
            "properties": {"data": _ref("Customer")},
        },
        "CustomerInput": {
            "type": "object",
            "description": "Values keyed by the technical names of the form template "
            "(`mobile_no` is accepted for `mobile`). many2one: id or null; many2many: "
            "list of ids; selection: one of the choice values.",
            "properties": {"allow_duplicate": {"type": "boolean"}},
            "additionalProperties": True,
        },
        "FormChoice": choice,
        "FormField": {
            "type": "object",
            "required": [
                "name",
                "label",
                "type",
                "required",
                "readonly",
                "max_length",
                "sequence",
            ],
            "properties": {
                "name": {"type": "string"},
                "label": {"type": "string"},
                "type": {
                    "enum": [
                        "char",
                        "email",
                        "phone",
                        "url",
                        "text",
                        "html",
                        "boolean",
                        "integer",
                        "float",
                        "date",
                        "datetime",
                        "selection",
                        "many2one",
                        "many2many",
                    ]
                },
                "required": {"type": "boolean"},
                "readonly": {"type": "boolean"},
                "max_length": {"type": ["integer", "null"]},
                "sequence": {"type": "integer"},
                "help": STR_OR_NULL,
                "relation": STR_OR_NULL,
                "choices": {
                    "anyOf": [
                        {"type": "array", "items": _ref("FormChoice")},
                        {"type": "null"},
                    ]
                },
            },
        },
        "FormTemplate": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "object",
                    "required": ["model", "fields"],
                    "properties": {
                        "model": {"const": "res.partner"},
                        "fields": {"type": "array", "items": _ref("FormField")},
                    },
                }
            },
        },
    }


def _param(name, location, schema, description, required=False):
    return {
        "name": name,
        "in": location,
        "required": required,
        "description": description,
        "schema": schema,
    }


def _paths():
    customer_id = _param(
        "id", "path", {"type": "integer", "minimum": 1}, "Partner id.", True
    )
    token = [{"dcxToken": []}]
    customer_ok = {
        "description": "The customer.",
        "content": _json(_ref("CustomerResponse")),
    }
    return {
        "/access-token": {
            "get": {
                "operationId": "getAccessToken",
                "summary": "Exchange an Odoo API key for a short-lived access token.",
                "description": "Server-to-server call of DCX-Account. With "
                "`agent_email` matching an active internal user of the DCX "
                "agent group, the token acts as that user; otherwise as the "
                "API key's user.",
                "security": [{"odooApiKey": []}],
                "parameters": [
                    _param(
                        "agent_email",
                        "query",
                        {"type": "string"},
                        "Email or login of the agent the token acts as.",
                    )
                ],
                "responses": {
                    "200": {
                        "description": "A new token.",
                        "content": _json(_ref("AccessToken")),
                    },
                    **_errors("401", "405", "500", "503"),
                },
            }
        },
        "/customers": {
            "get": {
                "operationId": "listCustomers",
                "summary": "Search customers.",
                "security": token,
                "parameters": [
                    _param(
                        "limit",
                        "query",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 200,
                            "default": 20,
                        },
                        "Page size.",
                    ),
                    _param(
                        "page",
                        "query",
                        {"type": "integer", "minimum": 1, "default": 1},
                        "1-based page number.",
                    ),
                    _param(
                        "id", "query", {"type": "integer", "minimum": 1}, "Exact id."
                    ),
                    _param(
                        "name",
                        "query",
                        {"type": "string"},
                        "Case-insensitive substring.",
                    ),
                    _param(
                        "email",
                        "query",
                        {"type": "string", "format": "email"},
                        "Exact email (case-insensitive).",
                    ),
                    _param(
                        "mobile_no",
                        "query",
                        {"type": "string"},
                        "Any writing of a number (E.164, 00-international, national, "
                        "international digits without +); matches mobile or phone.",
                    ),
                    _param(
                        "order",
                        "query",
                        {"enum": ["asc", "desc"], "default": "asc"},
                        "Sort direction.",
                    ),
                    _param(
                        "order_by",
                        "query",
                        {
                            "enum": [
                                "id",
                                "name",
                                "email",
                                "create_date",
                                "write_date",
                            ],
                            "default": "id",
                        },
                        "Sort field.",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "One page of customers.",
                        "content": _json(_ref("CustomerList")),
                    },
                    **_errors("400", "401", "405", "500", "503"),
                },
            }
        },
        "/customer/form-template": {
            "get": {
                "operationId": "getCustomerFormTemplate",
                "summary": "Fields of the customer form, in order.",
                "security": token,
                "responses": {
                    "200": {
                        "description": "The form template.",
                        "content": _json(_ref("FormTemplate")),
                    },
                    **_errors("401", "405", "500", "503"),
                },
            }
        },
        "/customers/{id}": {
            "parameters": [customer_id],
            "get": {
                "operationId": "getCustomer",
                "summary": "Read one customer.",
                "security": token,
                "responses": {
                    "200": customer_ok,
                    **_errors("400", "401", "404", "405", "500", "503"),
                },
            },
            "patch": {
                "operationId": "updateCustomer",
                "summary": "Update the form-template fields given in the body.",
                "security": token,
                "requestBody": {
                    "required": True,
                    "content": _json(_ref("CustomerInput")),
                },
                "responses": {
                    "200": customer_ok,
                    **_errors("400", "401", "403", "404", "405", "413", "500", "503"),
                },
            },
            "delete": {
                "operationId": "archiveCustomer",
                "summary": "Archive the customer (active = false; restorable in Odoo).",
                "security": token,
                "responses": {
                    "200": customer_ok,
                    **_errors("400", "401", "403", "404", "405", "500", "503"),
                },
            },
        },
        "/customers/create": {
            "post": {
                "operationId": "createCustomer",
                "summary": "Create a customer (409 when the email or number exists, "
                "unless `allow_duplicate` is true).",
                "security": token,
                "requestBody": {
                    "required": True,
                    "content": _json(_ref("CustomerInput")),
                },
                "responses": {
                    "200": customer_ok,
                    **_errors("400", "401", "403", "405", "409", "413", "500", "503"),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1 document.",
                        "content": _json({"type": "object"}),
                    },
                    **_errors("405"),
                },
            }
        },
    }


def _extensions():
    for name in EXTENSION_MODULES:
        full_name = f"{__package__}.{name}" if __package__ else name
        try:
            yield importlib.import_module(full_name)
        except ModuleNotFoundError as error:
            if error.name != full_name:
                raise  # the module exists but is broken: do not hide it


def build_document(server_url=API_PREFIX, version="1.0.0"):
    """The OpenAPI 3.1 document as a dict (a fresh copy on every call)."""
    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "DCX CRM-provider API (Odoo)",
            "version": version,
            "description": "Odoo as the customer source of the DCX contact-center "
            "platform. Every error is JSON `{code, message[, errors]}`; an "
            'invalid token always gets exactly `{"code": 401, "message": '
            '"Unauthorized"}`.',
        },
        "servers": [{"url": server_url}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "odooApiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An Odoo API key of the integration user.",
                },
                "dcxToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from /access-token.",
                },
            },
        },
    }
    for module in _extensions():
        for attribute, target in (
            ("paths", document["paths"]),
            ("schemas", document["components"]["schemas"]),
            ("security_schemes", document["components"]["securitySchemes"]),
        ):
            getter = getattr(module, attribute, None)
            if getter is not None:
                target.update(copy.deepcopy(getter()))
        tags = getattr(module, "tags", None)
        if tags is not None:
            document.setdefault("tags", []).extend(copy.deepcopy(tags()))
        webhooks = getattr(module, "webhooks", None)
        if webhooks is not None:
            document.setdefault("webhooks", {}).update(copy.deepcopy(webhooks()))
    return document


def response_schema(document, path, method, status):
    """The JSON schema of one response, standalone (components inlined for $ref)."""
    operation = document["paths"][path][method.lower()]
    response = operation["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}
