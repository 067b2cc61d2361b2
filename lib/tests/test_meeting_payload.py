from datetime import datetime

import pytest

from lib import meeting_payload as mp


def info(**data):
    base = {"meeting_info_id": "a12", "meeting_id": "123"}
    base.update(data)
    return {"type": "meeting_info", "data": base}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-27T09:12:03Z", datetime(2026, 11, 27, 9, 12, 3)),
        ("2026-11-27T10:12:03+01:00", datetime(2026, 11, 27, 9, 12, 3)),
        ("2026-11-27T04:12:03.750-05:00", datetime(2026, 11, 27, 9, 12, 3)),
        ("2026-11-27T09:12:03", datetime(2026, 11, 27, 9, 12, 3)),
        ("2026-11-27 09:12:03", datetime(2026, 11, 27, 9, 12, 3)),
        (1795770723, datetime(2026, 11, 27, 9, 12, 3)),
        (1795770723.9, datetime(2026, 11, 27, 9, 12, 3)),
        ("1795770723", datetime(2026, 11, 27, 9, 12, 3)),
        (1795770723000, datetime(2026, 11, 27, 9, 12, 3)),
        (None, None),
        ("", None),
    ],
)
def test_parse_time(value, expected):
    assert mp.parse_time(value) == expected


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-01T00:00:00Z", True, [], -5, {}]
)
def test_parse_time_errors(value):
    with pytest.raises(ValueError):
        mp.parse_time(value)


@pytest.mark.parametrize(
    "word, state",
    [
        ("completed", "completed"),
        ("Ended", "completed"),
        ("no-answer", "missed"),
        ("NO ANSWER", "missed"),
        ("declined", "rejected"),
        ("answered", "ongoing"),
        ("in-progress", "ongoing"),
        ("ringing", "ringing"),
        ("initiated", "dialing"),
        ("busy", "busy"),
        ("congestion", "failed"),
    ],
)
def test_map_status(word, state):
    assert mp.map_status(word) == (state, word)


def test_map_status_unknown_kept_as_text():
    assert mp.map_status("transferred-to-voicemail") == (
        None,
        "transferred-to-voicemail",
    )
    assert mp.map_status(None) == (None, None)
    assert mp.map_status({"x": 1})[0] is None


def test_every_state_maps_to_itself():
    for state in mp.STATES:
        assert mp.map_status(state)[0] == state


def test_meeting_info_full():
    event = mp.normalize_event(
        info(
            start_time="2026-11-27T09:12:03Z",
            end_time="2026-11-27T09:15:40Z",
            caller="+32 470 12 34 56",
            callee={"jid": "alice@meet.example", "user_id": 42},
            direction="Incoming",
            status="Completed",
            user={"id": "u-42", "email": "alice@example.com"},
            extra_key={"kept": "by the caller"},
            record={"model": "crm.lead", "id": "7"},
        )
    )
    assert event["type"] == "meeting_info"
    assert event["meeting_info_id"] == "a12"
    assert event["direction"] == "inbound"
    assert event["state"] == "completed"
    assert event["status_raw"] == "Completed"
    assert event["duration"] == 217
    assert event["caller"]["number"] == "+32 470 12 34 56"
    assert event["callee"]["jid"] == "alice@meet.example"
    assert event["callee"]["user_id"] == "42"
    assert event["user"] == {"id": "u-42", "email": "alice@example.com", "jid": None}
    assert event["record"] == {"model": "crm.lead", "id": 7}


def test_integer_ids_become_strings():
    event = mp.normalize_event(
        {"type": "meeting_info", "data": {"meeting_info_id": 77}}
    )
    assert event["meeting_info_id"] == "77"
    assert event["state"] is None


def test_unknown_type_returns_none():
    assert (
        mp.normalize_event({"type": "meeting.participant_joined", "data": {}}) is None
    )


def test_type_alias():
    event = mp.normalize_event({"type": "Transcript", "data": {"meeting_info_id": "x"}})
    assert event["type"] == "transcription"
    assert event["segments"] == []


@pytest.mark.parametrize(
    "payload, key",
    [
        ([], None),
        ("text", None),
        ({"data": {}}, "type"),
        ({"type": 3, "data": {}}, "type"),
        ({"type": "meeting_info"}, "data"),
        ({"type": "meeting_info", "data": []}, "data"),
        ({"type": "meeting_info", "data": {}}, "data.meeting_info_id"),
        (
            {"type": "meeting_info", "data": {"meeting_info_id": ""}},
            "data.meeting_info_id",
        ),
        (
            {"type": "meeting_info", "data": {"meeting_info_id": {"a": 1}}},
            "data.meeting_info_id",
        ),
        (
            {"type": "meeting_info", "data": {"meeting_info_id": True}},
            "data.meeting_info_id",
        ),
        (info(start_time="soon"), "data.start_time"),
        (info(end_time=[1]), "data.end_time"),
        (info(direction="sideways"), "data.direction"),
        (info(duration="long"), "data.duration"),
        (info(caller=[1, 2]), "data.caller"),
        (info(user=[1]), "data.user"),
        (info(record={"model": "no model", "id": 1}), "data.record.model"),
        (
            info(start_time="2026-01-01T10:00:00Z", end_time="2026-01-01T09:00:00Z"),
            "data.end_time",
        ),
        (
            {"type": "transcription", "data": {"meeting_info_id": "a", "segments": {}}},
            "data.segments",
        ),
        (
            {
                "type": "transcription",
                "data": {"meeting_info_id": "a", "segments": [{"start": 1}]},
            },
            "data.segments[0].text",
        ),
        (
            {
                "type": "transcription",
                "data": {"meeting_info_id": "a", "segments": ["hi"]},
            },
            "data.segments[0]",
        ),
        (
            {
                "type": "transcription",
                "data": {
                    "meeting_info_id": "a",
                    "segments": [{"text": "x", "start": "a"}],
                },
            },
            "data.segments[0].start",
        ),
        ({"type": "recording", "data": {"meeting_info_id": "a"}}, "data.url"),
        (
            {"type": "recording", "data": {"meeting_info_id": "a", "url": "ftp://x"}},
            "data.url",
        ),
        (
            {
                "type": "recording",
                "data": {"meeting_info_id": "a", "url": "https://x/y", "size": 1.5},
            },
            "data.size",
        ),
        (
            {
                "type": "meeting_info",
                "timestamp": "never",
                "data": {"meeting_info_id": "a"},
            },
            "timestamp",
        ),
    ],
)
def test_invalid_payloads(payload, key):
    with pytest.raises(mp.PayloadError) as exc:
        mp.normalize_event(payload)
    assert exc.value.message
    if key:
        assert key in exc.value.errors, exc.value.errors


def test_transcription_normalized():
    event = mp.normalize_event(
        {
            "type": "transcription",
            "data": {
                "meeting_info_id": "a12",
                "language": "en",
                "summary": "Invoice",
                "segments": [
                    {"speaker": "+3247", "start": "0", "end": 3.2, "text": " Hello "},
                    {
                        "speaker": {"name": "Alice"},
                        "start": 3.4,
                        "end": 6,
                        "text": "Hi",
                    },
                ],
            },
        }
    )
    assert event["language"] == "en"
    assert event["summary"] == "Invoice"
    assert event["segments"][0] == {
        "sequence": 0,
        "speaker": "+3247",
        "start": 0.0,
        "end": 3.2,
        "text": "Hello",
        "language": None,
    }
    assert event["segments"][1]["speaker"] == "Alice"


def test_recording_normalized():
    event = mp.normalize_event(
        {
            "type": "recording",
            "data": {
                "meeting_info_id": "a12",
                "url": "https://media.example/r.ogg?sig=1",
                "duration": "12.5",
                "size": 2048,
                "mime_type": "audio/ogg",
            },
        }
    )
    assert event["url"] == "https://media.example/r.ogg?sig=1"
    assert event["duration"] == 12.5
    assert event["size"] == 2048
    assert event["checksum"] is None
