import jsonschema
import pytest

from lib import openapi


@pytest.fixture
def document():
    return openapi.build_document("https://odoo.example.com/dcx/v1")


def test_document_shape(document):
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "https://odoo.example.com/dcx/v1"}]
    for path in (
        "/access-token",
        "/customers",
        "/customer/form-template",
        "/customers/{id}",
        "/customers/create",
        "/openapi.json",
    ):
        assert path in document["paths"]
    assert set(document["paths"]["/customers/{id}"]) >= {"get", "patch", "delete"}


def test_every_ref_resolves(document):
    schemas = document["components"]["schemas"]

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                assert ref.startswith("#/components/schemas/")
                assert ref.rsplit("/", 1)[1] in schemas, ref
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def test_schemas_are_valid_json_schema(document):
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_response_schema_validates(document):
    schema = openapi.response_schema(document, "/customers/{id}", "GET", 401)
    jsonschema.validate({"code": 401, "message": "Unauthorized"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"code": 401, "message": "Nope"}, schema)
    schema = openapi.response_schema(document, "/customers", "get", 200)
    jsonschema.validate({"total_count": "0", "data": []}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"total_count": 0, "data": []}, schema)


def test_documents_are_independent(document):
    document["paths"].clear()
    assert openapi.build_document()["paths"]


def test_extension_module_is_merged(monkeypatch):
    import sys
    import types

    module = types.ModuleType("lib.openapi_test_extension")
    module.paths = lambda: {"/webhooks/meeting": {"post": {"responses": {}}}}
    module.schemas = lambda: {"MeetingEvent": {"type": "object"}}
    monkeypatch.setitem(sys.modules, "lib.openapi_test_extension", module)
    monkeypatch.setattr(openapi, "EXTENSION_MODULES", ("openapi_test_extension",))
    document = openapi.build_document()
    assert "/webhooks/meeting" in document["paths"]
    assert "MeetingEvent" in document["components"]["schemas"]
    assert "/customers" in document["paths"]
