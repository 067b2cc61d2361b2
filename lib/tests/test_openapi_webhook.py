import jsonschema
import pytest

from lib import meeting_payload as mp
from lib import openapi_webhook as ow


def _resolver_schema(name):
    return {
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": ow.schemas()},
    }


def test_paths_reference_existing_schemas():
    names = set(ow.schemas())
    text = repr(ow.paths())
    for name in names:
        text = text.replace(f"#/components/schemas/{name}", "")
    assert "#/components/schemas/" not in text
    post = ow.paths()[ow.OPENAPI_PATH]["post"]
    assert ow.WEBHOOK_PATH.endswith(ow.OPENAPI_PATH)
    assert set(post["responses"]) == {"202", "400", "401", "413"}
    for scheme in post["security"]:
        assert set(scheme) <= set(ow.security_schemes())


@pytest.mark.parametrize(
    "example", [ow.EXAMPLE_MEETING_INFO, ow.EXAMPLE_TRANSCRIPTION, ow.EXAMPLE_RECORDING]
)
def test_examples_valid_for_schema_and_normalizer(example):
    jsonschema.validate(example, _resolver_schema("DcxWebhookEnvelope"))
    assert mp.normalize_event(example)["type"] == example["type"]


def test_schema_rejects_invalid_envelope():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"type": "recording", "data": {"meeting_info_id": "a"}},
            _resolver_schema("DcxWebhookEnvelope"),
        )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"data": {}}, _resolver_schema("DcxWebhookEnvelope"))


def test_unknown_type_valid_in_schema():
    jsonschema.validate(
        {"type": "participant_joined", "data": {"x": 1}},
        _resolver_schema("DcxWebhookEnvelope"),
    )


def test_schemas_are_copies():
    ow.schemas()["DcxWebhookEnvelope"]["type"] = "broken"
    assert ow.schemas()["DcxWebhookEnvelope"]["type"] == "object"
