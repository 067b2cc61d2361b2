"""Validation and normalization of DCX-Meeting webhook envelopes.

Envelope: ``{"type": <event type>, "data": {...}}`` where the type is one of
``meeting_info``, ``transcription``, ``recording`` (a few aliases are accepted,
see :data:`TYPE_ALIASES`). Unknown types are *not* an error: the caller stores
them as ignored. Unknown extra keys are ignored (the raw payload is kept by the
caller).

:func:`normalize_event` returns a plain dict (see its docstring) or raises
:class:`PayloadError` carrying an ``errors`` dict ``{"data.field": "reason"}``
suitable for a JSON 400 body. Times become naive UTC ``datetime`` objects.
No ``odoo`` import here.
"""

import math
import re
from datetime import datetime, timezone

EVENT_MEETING_INFO = "meeting_info"
EVENT_TRANSCRIPTION = "transcription"
EVENT_RECORDING = "recording"
EVENT_TYPES = (EVENT_MEETING_INFO, EVENT_TRANSCRIPTION, EVENT_RECORDING)

TYPE_ALIASES = {
    "meeting_info": EVENT_MEETING_INFO,
    "meeting.info": EVENT_MEETING_INFO,
    "meeting": EVENT_MEETING_INFO,
    "call": EVENT_MEETING_INFO,
    "transcription": EVENT_TRANSCRIPTION,
    "transcript": EVENT_TRANSCRIPTION,
    "meeting.transcription": EVENT_TRANSCRIPTION,
    "recording": EVENT_RECORDING,
    "meeting.recording": EVENT_RECORDING,
}

# The documented state set, in lifecycle order.
STATES = (
    "dialing",
    "ringing",
    "ongoing",
    "completed",
    "missed",
    "rejected",
    "busy",
    "failed",
)
TERMINAL_STATES = ("completed", "missed", "rejected", "busy", "failed")

STATUS_WORDS = {
    "dialing": (
        "dialing",
        "dialling",
        "dial",
        "initiated",
        "initiating",
        "calling",
        "created",
        "new",
        "queued",
        "trying",
    ),
    "ringing": ("ringing", "ring", "alerting", "early_media", "waiting"),
    "ongoing": (
        "ongoing",
        "in_progress",
        "inprogress",
        "active",
        "answered",
        "connected",
        "started",
        "live",
        "joined",
        "on_hold",
        "hold",
        "talking",
    ),
    "completed": (
        "completed",
        "complete",
        "ended",
        "end",
        "finished",
        "done",
        "hangup",
        "hung_up",
        "success",
        "successful",
        "closed",
    ),
    "missed": (
        "missed",
        "no_answer",
        "noanswer",
        "not_answered",
        "unanswered",
        "timeout",
        "timed_out",
        "cancelled",
        "canceled",
        "abandoned",
    ),
    "rejected": ("rejected", "declined", "refused", "denied"),
    "busy": ("busy", "user_busy"),
    "failed": (
        "failed",
        "failure",
        "error",
        "congestion",
        "unreachable",
        "unavailable",
        "invalid_number",
    ),
}
_WORD_TO_STATE = {
    word: state for state, words in STATUS_WORDS.items() for word in words
}

DIRECTION_WORDS = {
    "inbound": "inbound",
    "incoming": "inbound",
    "in": "inbound",
    "received": "inbound",
    "outbound": "outbound",
    "outgoing": "outbound",
    "out": "outbound",
    "placed": "outbound",
}

MAX_ID_LENGTH = 255
MAX_TEXT_LENGTH = 1_000_000
MAX_SEGMENTS = 20_000
_EPOCH_MS_THRESHOLD = 100_000_000_000  # numbers above this are milliseconds


class PayloadError(ValueError):
    """Invalid payload; ``errors`` maps a field path to a reason."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def normalize_type(value):
    """Canonical event type, or None when unknown (caller stores it as ignored)."""
    if not isinstance(value, str):
        return None
    return TYPE_ALIASES.get(value.strip().lower().replace("-", "_"))


def normalize_word(word):
    return re.sub(r"[\s\-]+", "_", word.strip().lower())


def map_status(value):
    """Map a DCX status word; return ``(state or None, raw text or None)``.

    ``state`` is one of :data:`STATES` or None when the word is unknown; the raw
    text is always returned so an unknown word is kept, never a crash.
    """
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, str(value)[:64]
    raw = str(value).strip()[:64]
    if not raw:
        return None, None
    return _WORD_TO_STATE.get(normalize_word(raw)), raw


def parse_time(value):
    """ISO 8601 (with offset, ``Z`` or naive = UTC) or epoch seconds → naive UTC.

    Numbers above 10^11 are taken as epoch milliseconds. Returns None for None
    or "" and raises ValueError when unparseable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            value = float(text)
        else:
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"unparseable time {value!r}") from exc
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
            return parsed.replace(microsecond=0)
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise ValueError("invalid epoch time")
        if value > _EPOCH_MS_THRESHOLD:
            value = value / 1000.0
        try:
            parsed = datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError("epoch time out of range") from exc
        return parsed.replace(tzinfo=None, microsecond=0)
    raise ValueError("not a time")


class _Checker:
    def __init__(self, data, prefix="data"):
        self.data = data
        self.prefix = prefix
        self.errors = {}

    def path(self, key):
        return f"{self.prefix}.{key}"

    def ident(self, key, required=False):
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.errors[self.path(key)] = "is required"
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.errors[self.path(key)] = "must be a string or an integer"
            return None
        value = str(value).strip()
        if not value:
            if required:
                self.errors[self.path(key)] = "is required"
            return None
        if len(value) > MAX_ID_LENGTH:
            self.errors[self.path(key)] = f"longer than {MAX_ID_LENGTH} characters"
            return None
        return value

    def text(self, key, max_length=MAX_TEXT_LENGTH, data=None, path=None):
        data = self.data if data is None else data
        value = data.get(key)
        path = path or self.path(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[path] = "must be a string"
            return None
        if len(value) > max_length:
            self.errors[path] = f"longer than {max_length} characters"
            return None
        return value.strip() or None

    def number(self, key, data=None, path=None, integer=False):
        data = self.data if data is None else data
        value = data.get(key)
        path = path or self.path(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                self.errors[path] = "must be a number"
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.errors[path] = "must be a number"
            return None
        if not math.isfinite(value) or value < 0:
            self.errors[path] = "must be a finite number >= 0"
            return None
        if integer:
            if value != int(value):
                self.errors[path] = "must be an integer"
                return None
            return int(value)
        return float(value)

    def time(self, key):
        try:
            return parse_time(self.data.get(key))
        except ValueError:
            self.errors[self.path(key)] = (
                "must be an ISO 8601 date-time or epoch seconds"
            )
            return None


def _party(checker, key):
    """Caller/callee: a string (number, or JID/e-mail when it contains '@')
    or an object with number/jid/user_id/email/name."""
    value = checker.data.get(key)
    party = {"number": None, "jid": None, "user_id": None, "email": None, "name": None}
    if value is None or value == "":
        return party
    path = checker.path(key)
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        value = str(value).strip()[:MAX_ID_LENGTH]
        if "@" in value:
            party["jid"] = value
        else:
            party["number"] = value
        return party
    if not isinstance(value, dict):
        checker.errors[path] = "must be a string or an object"
        return party
    for field, names in (
        ("number", ("number", "phone", "telephony", "mobile")),
        ("jid", ("jid",)),
        ("user_id", ("user_id", "id")),
        ("email", ("email",)),
        ("name", ("name", "display_name")),
    ):
        for name in names:
            raw = value.get(name)
            if raw is None or raw == "":
                continue
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                checker.errors[f"{path}.{name}"] = "must be a string"
                break
            party[field] = str(raw).strip()[:MAX_ID_LENGTH] or None
            break
    return party


def _user(checker):
    value = checker.data.get("user")
    user = {"id": None, "email": None, "jid": None}
    if value is None or value == "":
        return user
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = str(value).strip()
        key = "email" if "@" in value and "/" not in value else "id"
        user[key] = value[:MAX_ID_LENGTH]
        return user
    if not isinstance(value, dict):
        checker.errors[checker.path("user")] = "must be an object"
        return user
    for key in ("id", "email", "jid"):
        raw = value.get(key)
        if raw is None or raw == "":
            continue
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            checker.errors[f"data.user.{key}"] = "must be a string"
            continue
        user[key] = str(raw).strip()[:MAX_ID_LENGTH] or None
    return user


def _record(checker):
    """Optional linked record: ``record: {"model", "id"}`` or res_model/res_id."""
    value = checker.data.get("record")
    model = res_id = None
    if isinstance(value, dict):
        model, res_id = value.get("model"), value.get("id")
    elif value is not None:
        checker.errors[checker.path("record")] = "must be an object"
        return None
    else:
        model, res_id = checker.data.get("res_model"), checker.data.get("res_id")
    if model is None and res_id is None:
        return None
    if not isinstance(model, str) or not re.fullmatch(
        r"[a-z0-9_]+(\.[a-z0-9_]+)+", model
    ):
        checker.errors[checker.path("record.model")] = "must be a model name"
        return None
    if isinstance(res_id, str) and res_id.isdigit():
        res_id = int(res_id)
    if isinstance(res_id, bool) or not isinstance(res_id, int) or res_id <= 0:
        checker.errors[checker.path("record.id")] = "must be a positive integer"
        return None
    return {"model": model, "id": res_id}


def _meeting_info(checker, out):
    data = checker.data
    state, raw = map_status(data.get("status"))
    direction = data.get("direction")
    if direction is not None and direction != "":
        word = normalize_word(direction) if isinstance(direction, str) else None
        direction = DIRECTION_WORDS.get(word) if word else None
        if direction is None:
            checker.errors[checker.path("direction")] = "must be inbound or outbound"
    else:
        direction = None
    start = checker.time("start_time")
    end = checker.time("end_time")
    duration = checker.number("duration")
    if duration is None and start and end and end >= start:
        duration = (end - start).total_seconds()
    if start and end and end < start:
        checker.errors[checker.path("end_time")] = "is before start_time"
    out.update(
        state=state,
        status_raw=raw,
        direction=direction,
        start_time=start,
        end_time=end,
        duration=duration,
        caller=_party(checker, "caller"),
        callee=_party(checker, "callee"),
        user=_user(checker),
        record=_record(checker),
        summary=checker.text("summary"),
        updated_at=checker.time("updated_at"),
    )


def _transcription(checker, out):
    data = checker.data
    segments_in = data.get("segments")
    segments = []
    if segments_in is None:
        segments_in = []
    if not isinstance(segments_in, list):
        checker.errors[checker.path("segments")] = "must be an array"
        segments_in = []
    if len(segments_in) > MAX_SEGMENTS:
        checker.errors[checker.path("segments")] = f"more than {MAX_SEGMENTS} segments"
        segments_in = []
    for index, seg in enumerate(segments_in):
        path = f"data.segments[{index}]"
        if not isinstance(seg, dict):
            checker.errors[path] = "must be an object"
            continue
        text = checker.text("text", data=seg, path=f"{path}.text")
        if text is None and f"{path}.text" not in checker.errors:
            if seg.get("text") is None:
                checker.errors[f"{path}.text"] = "is required"
        start = checker.number("start", data=seg, path=f"{path}.start")
        end = checker.number("end", data=seg, path=f"{path}.end")
        if start is not None and end is not None and end < start:
            checker.errors[f"{path}.end"] = "is before start"
        speaker = seg.get("speaker")
        if isinstance(speaker, dict):
            speaker = speaker.get("name") or speaker.get("id") or speaker.get("jid")
        if speaker is not None and (
            isinstance(speaker, bool) or not isinstance(speaker, (str, int))
        ):
            checker.errors[f"{path}.speaker"] = "must be a string"
            speaker = None
        language = checker.text("language", 32, data=seg, path=f"{path}.language")
        segments.append(
            {
                "sequence": index,
                "speaker": str(speaker).strip()[:MAX_ID_LENGTH] if speaker else None,
                "start": start,
                "end": end,
                "text": text or "",
                "language": language,
            }
        )
    out.update(
        language=checker.text("language", 32),
        summary=checker.text("summary"),
        segments=segments,
    )


def _recording(checker, out):
    url = checker.text("url", 4096)
    if url is None and checker.path("url") not in checker.errors:
        checker.errors[checker.path("url")] = "is required"
    elif url and not re.match(r"^https?://[^\s]+$", url, re.IGNORECASE):
        checker.errors[checker.path("url")] = "must be an http(s) URL"
    out.update(
        recording_id=checker.ident("recording_id"),
        url=url,
        duration=checker.number("duration"),
        mime_type=checker.text("mime_type", 128),
        size=checker.number("size", integer=True),
        checksum=checker.text("checksum", 255),
    )


def parse_envelope(payload):
    """Check the envelope shape; return ``(type or None, raw type, data)``.

    Raises PayloadError when the payload is not an object, has no string
    ``type`` or no object ``data``.
    """
    if not isinstance(payload, dict):
        raise PayloadError("The body must be a JSON object.", {"body": "not an object"})
    raw_type = payload.get("type")
    errors = {}
    if not isinstance(raw_type, str) or not raw_type.strip():
        errors["type"] = "is required and must be a string"
    data = payload.get("data")
    if not isinstance(data, dict):
        errors["data"] = "is required and must be an object"
    if errors:
        raise PayloadError("Invalid webhook envelope.", errors)
    return normalize_type(raw_type), raw_type.strip()[:64], data


def normalize_event(payload):
    """Validate and normalize one envelope.

    Returns ``None`` for an unknown event type, else a dict with ``type``,
    ``meeting_id``, ``meeting_info_id``, ``occurred_at`` and the per-type keys:

    * meeting_info: state, status_raw, direction, start_time, end_time,
      duration, caller, callee (dicts: number/jid/user_id/email/name), user
      (id/email/jid), record ({model, id} or None), summary, updated_at;
    * transcription: language, summary, segments (list of dicts: sequence,
      speaker, start, end, text, language);
    * recording: recording_id, url, duration, mime_type, size, checksum.
    """
    event_type, _raw, data = parse_envelope(payload)
    if event_type is None:
        return None
    checker = _Checker(data)
    out = {
        "type": event_type,
        "meeting_info_id": checker.ident("meeting_info_id", required=True),
        "meeting_id": checker.ident("meeting_id"),
    }
    if event_type == EVENT_MEETING_INFO:
        _meeting_info(checker, out)
    elif event_type == EVENT_TRANSCRIPTION:
        _transcription(checker, out)
    else:
        _recording(checker, out)
    try:
        out["occurred_at"] = parse_time(payload.get("timestamp"))
    except ValueError:
        checker.errors["timestamp"] = "must be an ISO 8601 date-time or epoch seconds"
    if checker.errors:
        raise PayloadError("Invalid webhook payload.", checker.errors)
    return out
