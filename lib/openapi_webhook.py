"""OpenAPI 3.1 fragments for the DCX-Meeting webhook endpoint.

``paths()`` and ``schemas()`` are merged into the API document by
``lib/openapi.py``; references point at ``#/components/schemas/<name>``.
No ``odoo`` import here.
"""

import copy

from .meeting_payload import STATES

WEBHOOK_PATH = "/dcx/v1/webhooks/meeting"
# Paths of the API document are relative to its server URL (``.../dcx/v1``).
OPENAPI_PATH = "/webhooks/meeting"
MAX_BODY_BYTES = 5 * 1024 * 1024

_REF = "#/components/schemas/"

EXAMPLE_MEETING_INFO = {
    "type": "meeting_info",
    "timestamp": "2026-11-27T09:15:42Z",
    "data": {
        "meeting_id": "123",
        "meeting_info_id": "a12",
        "start_time": "2026-11-27T09:12:03Z",
        "end_time": "2026-11-27T09:15:40Z",
        "caller": "+32 470 12 34 56",
        "callee": {"jid": "alice@meet.dcx.example", "user_id": "u-42"},
        "direction": "inbound",
        "status": "completed",
        "user": {
            "id": "u-42",
            "email": "alice@example.com",
            "jid": "alice@meet.dcx.example",
        },
    },
}
EXAMPLE_TRANSCRIPTION = {
    "type": "transcription",
    "data": {
        "meeting_id": "123",
        "meeting_info_id": "a12",
        "language": "en",
        "summary": "Customer asks for the invoice of October; agent resends it.",
        "segments": [
            {
                "speaker": "+32470123456",
                "start": 0.0,
                "end": 3.2,
                "text": "Hello, I need my invoice.",
            },
            {
                "speaker": "alice",
                "start": 3.4,
                "end": 6.0,
                "text": "Sure, I am sending it now.",
            },
        ],
    },
}
EXAMPLE_RECORDING = {
    "type": "recording",
    "data": {
        "meeting_id": "123",
        "meeting_info_id": "a12",
        "url": "https://media.dcx.example/rec/a12.ogg",
        "duration": 217.4,
        "mime_type": "audio/ogg",
        "size": 1048576,
        "checksum": "sha256:9f86d081884c7d659a2feaa0c55ad015"
        "a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
}

_ID = {"type": ["string", "integer"], "minLength": 1, "maxLength": 255}
_TIME = {
    "description": "ISO 8601 date-time (offset or Z; no offset = UTC) or epoch "
    "seconds (numbers above 10^11 are read as milliseconds).",
    "type": ["string", "number"],
}
_NUMBER = {
    "type": ["number", "string"],
    "description": "number >= 0 (numeric strings accepted)",
}


def _party_schema():
    return {
        "description": "A phone number in any format the customer lookup understands, "
        "a DCX JID (contains '@'), or an object.",
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {
                    "number": {"type": "string"},
                    "jid": {"type": "string"},
                    "user_id": {"type": ["string", "integer"]},
                    "email": {"type": "string"},
                    "name": {"type": "string"},
                },
            },
        ],
    }


def schemas():
    """JSON Schemas (OpenAPI components) of the webhook envelope."""
    result = {
        "DcxMeetingInfoData": {
            "type": "object",
            "required": ["meeting_info_id"],
            "additionalProperties": True,
            "properties": {
                "meeting_id": _ID,
                "meeting_info_id": _ID,
                "start_time": _TIME,
                "end_time": _TIME,
                "updated_at": _TIME,
                "duration": _NUMBER,
                "caller": _party_schema(),
                "callee": _party_schema(),
                "direction": {
                    "type": "string",
                    "enum": ["inbound", "outbound", "incoming", "outgoing"],
                },
                "status": {
                    "type": "string",
                    "description": "Mapped onto the state set "
                    + ", ".join(STATES)
                    + " (synonyms such as answered, ended, no_answer, declined are "
                    "understood); an unknown word is kept as text and leaves the "
                    "state unchanged.",
                },
                "user": {
                    "type": "object",
                    "description": "The DCX user the call belongs to: mapped to an "
                    "Odoo user by the DCX user id set on the user, else by e-mail.",
                    "properties": {
                        "id": {"type": ["string", "integer"]},
                        "email": {"type": "string"},
                        "jid": {"type": "string"},
                    },
                },
                "record": {
                    "type": "object",
                    "description": "Optional Odoo record the call was started from.",
                    "required": ["model", "id"],
                    "properties": {
                        "model": {"type": "string", "examples": ["crm.lead"]},
                        "id": {"type": "integer", "minimum": 1},
                    },
                },
                "summary": {"type": "string"},
            },
        },
        "DcxTranscriptSegment": {
            "type": "object",
            "required": ["text"],
            "properties": {
                "speaker": {"type": ["string", "integer"]},
                "start": _NUMBER,
                "end": _NUMBER,
                "text": {"type": "string"},
                "language": {"type": "string"},
            },
        },
        "DcxTranscriptionData": {
            "type": "object",
            "required": ["meeting_info_id", "segments"],
            "properties": {
                "meeting_id": _ID,
                "meeting_info_id": _ID,
                "language": {"type": "string"},
                "summary": {"type": "string"},
                "segments": {
                    "type": "array",
                    "maxItems": 20000,
                    "items": {"$ref": _REF + "DcxTranscriptSegment"},
                },
            },
        },
        "DcxRecordingData": {
            "type": "object",
            "required": ["meeting_info_id", "url"],
            "properties": {
                "meeting_id": _ID,
                "meeting_info_id": _ID,
                "recording_id": _ID,
                "url": {
                    "type": "string",
                    "format": "uri",
                    "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://",
                },
                "duration": _NUMBER,
                "mime_type": {"type": "string"},
                "size": {"type": ["integer", "string"]},
                "checksum": {"type": "string"},
            },
        },
        "DcxWebhookEnvelope": {
            "type": "object",
            "description": "One DCX-Meeting webhook delivery. Unknown types are stored "
            "and marked ignored (202); unknown extra keys are kept in the stored "
            "payload and ignored.",
            "required": ["type", "data"],
            "properties": {
                "type": {
                    "type": "string",
                    "examples": ["meeting_info", "transcription", "recording"],
                },
                "timestamp": _TIME,
                "data": {"type": "object"},
            },
            "oneOf": [
                {
                    "properties": {
                        "type": {"const": "meeting_info"},
                        "data": {"$ref": _REF + "DcxMeetingInfoData"},
                    }
                },
                {
                    "properties": {
                        "type": {"const": "transcription"},
                        "data": {"$ref": _REF + "DcxTranscriptionData"},
                    }
                },
                {
                    "properties": {
                        "type": {"const": "recording"},
                        "data": {"$ref": _REF + "DcxRecordingData"},
                    }
                },
                {
                    "properties": {
                        "type": {
                            "not": {
                                "enum": ["meeting_info", "transcription", "recording"]
                            }
                        }
                    }
                },
            ],
            "examples": [
                EXAMPLE_MEETING_INFO,
                EXAMPLE_TRANSCRIPTION,
                EXAMPLE_RECORDING,
            ],
        },
        "DcxWebhookAccepted": {
            "type": "object",
            "required": ["status", "id"],
            "properties": {
                "status": {
                    "type": "string",
                    "enum": ["accepted", "duplicate", "ignored"],
                },
                "id": {
                    "type": "string",
                    "description": "The webhook-id of the delivery.",
                },
            },
            "example": {"status": "accepted", "id": "msg_2b7Xq"},
        },
    }
    return copy.deepcopy(result)


def _error(description, example):
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
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
                "example": example,
            }
        },
    }


def paths():
    """OpenAPI path item of the webhook endpoint."""
    header = {"in": "header", "required": False, "schema": {"type": "string"}}
    return {
        OPENAPI_PATH: {
            "post": {
                "operationId": "dcxMeetingWebhook",
                "tags": ["Webhooks"],
                "summary": "Receive a DCX-Meeting event (meeting info, transcription, "
                "recording)",
                "description": "Standard Webhooks signature (HMAC-SHA256 over "
                "`{webhook-id}.{webhook-timestamp}.{body}`, 5 minutes tolerance, "
                "several secrets accepted during rotation) or, when configured, a "
                "shared bearer secret. The event is stored and answered 202 "
                "before processing; the same webhook-id twice has one effect. "
                f"Bodies over {MAX_BODY_BYTES} bytes are refused with 413.",
                "security": [{"dcxWebhookSignature": []}, {"dcxWebhookBearer": []}],
                "parameters": [
                    dict(header, name="webhook-id", description="Unique delivery id."),
                    dict(
                        header,
                        name="webhook-timestamp",
                        description="Epoch seconds of the signature.",
                    ),
                    dict(
                        header,
                        name="webhook-signature",
                        description="Space-separated `v1,<base64>` signatures.",
                    ),
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": _REF + "DcxWebhookEnvelope"},
                            "examples": {
                                "meeting_info": {"value": EXAMPLE_MEETING_INFO},
                                "transcription": {"value": EXAMPLE_TRANSCRIPTION},
                                "recording": {"value": EXAMPLE_RECORDING},
                            },
                        }
                    },
                },
                "responses": {
                    "202": {
                        "description": "Accepted (stored; processed asynchronously), "
                        "or a duplicate delivery, or an unknown type stored as "
                        "ignored.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": _REF + "DcxWebhookAccepted"}
                            }
                        },
                    },
                    "400": _error(
                        "Malformed body or payload.",
                        {
                            "code": 400,
                            "message": "Invalid webhook payload.",
                            "errors": {"data.meeting_info_id": "is required"},
                        },
                    ),
                    "401": _error(
                        "Missing or invalid signature / bearer secret.",
                        {"code": 401, "message": "Unauthorized"},
                    ),
                    "413": _error(
                        "Body too large.",
                        {"code": 413, "message": "Payload too large."},
                    ),
                },
            }
        }
    }


def security_schemes():
    """Security schemes referenced by :func:`paths`."""
    return {
        "dcxWebhookSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "webhook-signature",
            "description": "Standard Webhooks HMAC-SHA256 signature (with webhook-id "
            "and webhook-timestamp).",
        },
        "dcxWebhookBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "Shared webhook bearer secret from Settings (for senders "
            "that cannot sign).",
        },
    }


def tags():
    """OpenAPI tags used by :func:`paths`."""
    return [
        {
            "name": "Webhooks",
            "description": "Deliveries from DCX-Meeting to Odoo (meeting info, "
            "transcriptions, recordings).",
        }
    ]
