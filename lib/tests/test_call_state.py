import itertools
import random
from datetime import datetime

from lib import call_state as cs
from lib import meeting_payload as mp


def ev(payload):
    return mp.normalize_event(payload)


INFO_RINGING = ev(
    {
        "type": "meeting_info",
        "data": {
            "meeting_info_id": "a1",
            "meeting_id": "m1",
            "status": "ringing",
            "direction": "inbound",
            "caller": "+32470123456",
            "start_time": "2026-11-27T09:00:00Z",
        },
    }
)
INFO_ONGOING = ev(
    {
        "type": "meeting_info",
        "data": {
            "meeting_info_id": "a1",
            "status": "answered",
            "direction": "inbound",
            "start_time": "2026-11-27T09:00:05Z",
            "user": {"id": "u1"},
        },
    }
)
INFO_DONE = ev(
    {
        "type": "meeting_info",
        "data": {
            "meeting_info_id": "a1",
            "meeting_id": "m1",
            "status": "completed",
            "direction": "inbound",
            "caller": "+32470123456",
            "callee": "alice@meet.example",
            "start_time": "2026-11-27T09:00:00Z",
            "end_time": "2026-11-27T09:03:00Z",
            "user": {"id": "u1", "email": "a@example.com"},
            "summary": "info summary",
        },
    }
)
TRANSCRIPT = ev(
    {
        "type": "transcription",
        "data": {
            "meeting_info_id": "a1",
            "summary": "talked",
            "language": "en",
            "segments": [
                {"speaker": "c", "start": 0, "end": 1, "text": "hello"},
                {"speaker": "a", "start": 1, "end": 2, "text": "hi"},
            ],
        },
    }
)
PARTIAL_TRANSCRIPT = ev(
    {
        "type": "transcription",
        "data": {
            "meeting_info_id": "a1",
            "segments": [{"speaker": "c", "start": 0, "end": 1, "text": "hello"}],
        },
    }
)
RECORDING = ev(
    {
        "type": "recording",
        "data": {"meeting_info_id": "a1", "url": "https://x/r.ogg?sig=1", "size": 10},
    }
)
RECORDING_RETRY = ev(
    {
        "type": "recording",
        "data": {
            "meeting_info_id": "a1",
            "url": "https://x/r.ogg?sig=2",
            "size": 10,
            "mime_type": "audio/ogg",
            "duration": 180,
        },
    }
)
ALL = [
    INFO_RINGING,
    INFO_ONGOING,
    INFO_DONE,
    TRANSCRIPT,
    PARTIAL_TRANSCRIPT,
    RECORDING,
    RECORDING_RETRY,
]


def fold(events):
    snap = {}
    for event in events:
        snap = cs.apply_event(snap, event)
    return snap


def test_states_never_move_backwards():
    assert cs.merge_state("completed", "ringing") == "completed"
    assert cs.merge_state("ringing", "ongoing") == "ongoing"
    assert cs.merge_state(None, "dialing") == "dialing"
    assert cs.merge_state("ongoing", None) == "ongoing"
    assert cs.merge_state("missed", "completed") == "completed"
    assert cs.merge_state("completed", "missed") == "completed"


def test_every_permutation_gives_the_same_call():
    expected = fold(ALL)
    assert expected["state"] == "completed"
    assert expected["start_time"] == datetime(2026, 11, 27, 9, 0, 0)
    assert expected["end_time"] == datetime(2026, 11, 27, 9, 3, 0)
    assert expected["duration"] == 180
    assert expected["caller_number"] == "+32470123456"
    assert expected["callee_jid"] == "alice@meet.example"
    assert expected["dcx_user_email"] == "a@example.com"
    assert len(expected["segments"]) == 2
    assert expected["transcript_summary"] == "talked"
    assert expected["info_summary"] == "info summary"
    assert len(expected["recordings"]) == 1
    rec = next(iter(expected["recordings"].values()))
    assert rec["mime_type"] == "audio/ogg" and rec["duration"] == 180
    main = [INFO_RINGING, INFO_DONE, TRANSCRIPT, RECORDING]
    reference = fold(main)
    for perm in itertools.permutations(main):
        assert fold(perm) == reference, perm
    rng = random.Random(4)
    for _ in range(300):
        events = list(ALL)
        rng.shuffle(events)
        result = fold(events)
        for key in (
            "state",
            "start_time",
            "end_time",
            "duration",
            "segments",
            "direction",
            "caller_number",
            "dcx_user_id",
            "transcript_summary",
        ):
            assert result[key] == expected[key], key
        assert len(result["recordings"]) == 1


def test_idempotent():
    once = fold(ALL)
    for event in ALL:
        assert cs.apply_event(once, event) == once
    assert cs.merge_info(once, INFO_DONE) == {}
    assert cs.merge_transcript(once, TRANSCRIPT) == {}


def test_old_retry_does_not_overwrite_complete_info():
    done = fold([INFO_DONE])
    changes = cs.merge_info(done, INFO_ONGOING)
    assert "state" not in changes
    assert "start_time" not in changes  # later start does not move it
    assert "dcx_user_id" not in changes  # same value


def test_smaller_transcript_does_not_replace():
    full = fold([TRANSCRIPT])
    assert "segments" not in cs.merge_transcript(full, PARTIAL_TRANSCRIPT)
    partial = fold([PARTIAL_TRANSCRIPT])
    assert len(cs.merge_transcript(partial, TRANSCRIPT)["segments"]) == 2


def test_recording_key():
    assert cs.recording_key({"url": "https://a/b.ogg?x=1#t"}) == "url:https://a/b.ogg"
    assert cs.recording_key({"recording_id": "r1", "url": "https://a"}) == "id:r1"


def test_unknown_status_keeps_text_and_state():
    weird = ev(
        {"type": "meeting_info", "data": {"meeting_info_id": "a1", "status": "parked"}}
    )
    snap = fold([INFO_ONGOING, weird])
    assert snap["state"] == "ongoing"
    snap2 = fold([weird])
    assert snap2.get("state") is None and snap2["status_raw"] == "parked"
