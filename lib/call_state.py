"""Order-tolerant, idempotent merge of DCX-Meeting events into one call.

Events of one call (meeting info in several states, transcription, recording)
arrive in any order, possibly more than once. The rules below make the final
call independent of arrival order, and applying an event twice a no-op:

* **State never moves backwards**: ``dialing < ringing < ongoing < terminal``.
  Between terminal states a fixed priority decides (``failed < busy < missed <
  rejected < completed``): a call that reached "completed" was connected, which
  is the most informative fact.
* **Most complete meeting info wins**: each meeting-info event gets a key
  ``(state rank, number of filled fields, updated_at)``. The event with the
  highest key sets the fields it carries; other events only fill fields still
  empty. ``start_time`` is the earliest seen, ``end_time`` and ``duration`` the
  latest/longest.
* **Transcripts**: the transcript with the most segments (then the most text)
  replaces the stored one; an equal or smaller one changes nothing.
* **Recordings**: keyed by ``recording_id`` or by URL without query string;
  a known recording only gets empty fields filled (size/duration: the max).

A call snapshot is a flat dict of the fields below (the Odoo model reads and
writes the same names). No ``odoo`` import here.
"""

from datetime import datetime

from .meeting_payload import TERMINAL_STATES

STATE_RANK = {
    "dialing": 10,
    "ringing": 20,
    "ongoing": 30,
    "failed": 40,
    "busy": 41,
    "missed": 42,
    "rejected": 43,
    "completed": 44,
}

# Flat meeting-info fields (snapshot names), apart from state/times/duration.
INFO_FIELDS = (
    "meeting_id",
    "direction",
    "status_raw",
    "caller_number",
    "caller_jid",
    "caller_user_id",
    "caller_email",
    "caller_name",
    "callee_number",
    "callee_jid",
    "callee_user_id",
    "callee_email",
    "callee_name",
    "dcx_user_id",
    "dcx_user_email",
    "dcx_user_jid",
    "res_model",
    "res_id",
    "info_summary",
)
EMPTY = (None, "", False)


def state_rank(state):
    return STATE_RANK.get(state or "", 0)


def is_terminal(state):
    return state in TERMINAL_STATES


def merge_state(current, incoming):
    """The state after seeing ``incoming``: never backwards, commutative."""
    return incoming if state_rank(incoming) > state_rank(current) else current


def flatten_info(info):
    """Normalized meeting_info event (lib.meeting_payload) → flat snapshot dict."""
    flat = {
        "meeting_id": info.get("meeting_id"),
        "direction": info.get("direction"),
        "state": info.get("state"),
        "status_raw": info.get("status_raw"),
        "start_time": info.get("start_time"),
        "end_time": info.get("end_time"),
        "duration": info.get("duration"),
        "info_summary": info.get("summary"),
    }
    for side in ("caller", "callee"):
        party = info.get(side) or {}
        for key in ("number", "jid", "user_id", "email", "name"):
            flat[f"{side}_{key}"] = party.get(key)
    user = info.get("user") or {}
    flat["dcx_user_id"] = user.get("id")
    flat["dcx_user_email"] = user.get("email")
    flat["dcx_user_jid"] = user.get("jid")
    record = info.get("record") or {}
    flat["res_model"] = record.get("model")
    flat["res_id"] = record.get("id")
    return flat


def info_key(info):
    """Sortable text key of a normalized meeting_info event (higher = better)."""
    flat = flatten_info(info)
    filled = sum(1 for value in flat.values() if value not in EMPTY)
    updated = info.get("updated_at") or info.get("occurred_at")
    stamp = int((updated - datetime(1970, 1, 1)).total_seconds()) if updated else 0
    return f"{state_rank(info.get('state')):03d}.{filled:03d}.{max(stamp, 0):012d}"


def merge_info(current, info):
    """Changes (dict) to apply to the snapshot ``current`` for meeting ``info``."""
    flat = flatten_info(info)
    key = info_key(info)
    wins = key >= (current.get("info_key") or "")
    changes = {}
    for field in INFO_FIELDS:
        new, old = flat.get(field), current.get(field)
        if new in EMPTY:
            continue
        if old in EMPTY or (wins and new != old):
            changes[field] = new
    state = merge_state(current.get("state"), flat["state"])
    if state != current.get("state") and state:
        changes["state"] = state
    start = [t for t in (current.get("start_time"), flat["start_time"]) if t]
    if start and min(start) != current.get("start_time"):
        changes["start_time"] = min(start)
    end = [t for t in (current.get("end_time"), flat["end_time"]) if t]
    if end and max(end) != current.get("end_time"):
        changes["end_time"] = max(end)
    durations = [d for d in (current.get("duration"), flat["duration"]) if d]
    if durations and max(durations) != (current.get("duration") or 0):
        changes["duration"] = max(durations)
    if key > (current.get("info_key") or ""):
        changes["info_key"] = key
    return changes


def transcript_key(segments):
    """(number of segments, total text length) of a list of segment dicts."""
    return (len(segments), sum(len(seg.get("text") or "") for seg in segments))


def merge_transcript(current, transcription):
    """Changes for a normalized transcription event.

    ``current`` holds ``transcript_key`` (a tuple, or None when no transcript),
    ``transcript_summary`` and ``language``. When the incoming transcript is better, the
    returned dict contains ``segments`` (the full replacement list).
    """
    segments = transcription.get("segments") or []
    new_key = transcript_key(segments)
    old_key = tuple(current.get("transcript_key") or (0, 0))
    changes = {}
    replace = new_key > old_key
    if replace:
        changes["segments"] = segments
        changes["transcript_key"] = new_key
    for field, target in (("summary", "transcript_summary"), ("language", "language")):
        value = transcription.get(field)
        if value in EMPTY:
            continue
        old = current.get(target)
        if old in EMPTY or (replace and value != old):
            changes[target] = value
    return changes


def recording_key(recording):
    """Identity of a recording: its DCX id, else its URL without query/fragment."""
    if recording.get("recording_id"):
        return f"id:{recording['recording_id']}"
    url = recording.get("url") or ""
    return "url:" + url.split("#", 1)[0].split("?", 1)[0]


RECORDING_FIELDS = ("url", "duration", "mime_type", "size", "checksum", "recording_id")


def merge_recording(current, recording):
    """Changes for one recording; ``current`` is the stored dict or None (new)."""
    if not current:
        return {
            field: recording.get(field)
            for field in RECORDING_FIELDS
            if recording.get(field) not in EMPTY
        }
    changes = {}
    for field in RECORDING_FIELDS:
        new, old = recording.get(field), current.get(field)
        if new in EMPTY:
            continue
        if field in ("size", "duration"):
            if old in EMPTY or new > old:
                changes[field] = new
        elif old in EMPTY:
            changes[field] = new
    return changes


def apply_event(snapshot, event):
    """Pure fold used by tests and tools: return a new snapshot after ``event``.

    The snapshot keeps ``segments`` (list) and ``recordings`` (dict by key).
    """
    snap = dict(snapshot)
    snap.setdefault("recordings", {})
    snap["recordings"] = dict(snap["recordings"])
    etype = event["type"]
    if snap.get("meeting_info_id") is None:
        snap["meeting_info_id"] = event["meeting_info_id"]
    if event.get("meeting_id") and not snap.get("meeting_id"):
        snap["meeting_id"] = event["meeting_id"]
    if etype == "meeting_info":
        snap.update(merge_info(snap, event))
    elif etype == "transcription":
        snap.update(merge_transcript(snap, event))
    elif etype == "recording":
        key = recording_key(event)
        current = snap["recordings"].get(key)
        changes = merge_recording(current, event)
        snap["recordings"][key] = {**(current or {}), **changes}
    return snap
