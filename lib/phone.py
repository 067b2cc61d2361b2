"""Phone number normalization to E.164 (no Odoo import).

Two entry points:

* :func:`normalize_number` gives the ONE canonical key stored for a number
  (``res.partner.dcx_mobile_e164`` / ``dcx_phone_e164``).
* :func:`lookup_keys` gives every E.164 key a raw number may stand for; the
  lookup searches the stored column with ``in`` these keys.

Telephony systems often send international numbers as bare digits without
``+`` (``32470123456``), which is ambiguous with a national number of the
default region.  Both readings are tried and every *valid* reading is kept.
"""

import re

import phonenumbers

MAX_INPUT_LENGTH = 64

# characters a human or a telephony system may put in a number
_ALLOWED_RE = re.compile(
    r"^[\d\s+()./\-\u00a0\u2010-\u2015]*(?:(?:ext\.?|x|#)\s*\d+)?$", re.I
)
_TRUNK_ZERO_RE = re.compile(r"\(\s*0\s*\)")
_EXTENSION_RE = re.compile(r"(?:ext\.?|x|#)\s*\d+$", re.I)
_NON_DIGIT_RE = re.compile(r"\D")

E164 = phonenumbers.PhoneNumberFormat.E164


def _clean_region(region):
    if not region:
        return None
    region = str(region).strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None
    return region


def _split(raw):
    """Return (has_plus, digits) of a raw number, or None when not a number."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > MAX_INPUT_LENGTH or not _ALLOWED_RE.match(text):
        return None
    text = _EXTENSION_RE.sub("", text)
    text = _TRUNK_ZERO_RE.sub("", text)
    has_plus = text.lstrip().startswith("+")
    if text.count("+") > 1 or ("+" in text and not has_plus):
        return None
    digits = _NON_DIGIT_RE.sub("", text)
    if not digits or len(digits) > 17:
        return None
    return has_plus, digits


def _e164(text, region):
    """E.164 of ``text`` parsed with ``region``: (key, valid) or None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return (
        phonenumbers.format_number(number, E164),
        phonenumbers.is_valid_number(number),
    )


def _reading_texts(raw, default_region=None):
    """Yield (kind, text, region) parse attempts of ``raw``, best reading first.

    kind is "plus" (written with +), "national" (read in the default region,
    which also understands that region's international call prefix),
    "idd00" (00-prefixed digits) or "bare" (international digits without +).
    """
    split = _split(raw)
    if split is None:
        return
    has_plus, digits = split
    if has_plus:
        yield "plus", "+" + digits, None
        return
    region = _clean_region(default_region)
    if region:
        yield "national", digits, region
    if digits.startswith("00"):
        yield "idd00", "+" + digits[2:], None
    yield "bare", "+" + digits, None


def _readings(raw, default_region=None):
    """Yield (kind, e164, valid) readings of ``raw``, lazily, in preference order."""
    for kind, text, region in _reading_texts(raw, default_region):
        reading = _e164(text, region)
        if reading:
            yield (kind, *reading)


def _canonical(readings):
    """The stored key among ``readings`` (an iterable, consumed lazily): the
    first valid one (the national reading comes first), else the first
    possible one (fictional or unallocated ranges still get a stable key)."""
    first_possible = None
    for _kind, key, valid in readings:
        if valid:
            return key
        if first_possible is None:
            first_possible = key
    return first_possible


def lookup_keys(raw, default_region=None):
    """Every E.164 key ``raw`` may stand for, the canonical one first.

    That is the canonical key (so the writing of a stored number always
    finds it) plus every other *valid* reading: bare digits may be a
    national number of the default region or international digits
    without "+"; both are kept when both are valid.

    >>> lookup_keys("0470/12.34.56", "BE")
    ['+32470123456']
    """
    readings = list(_readings(raw, default_region))
    canonical = _canonical(readings)
    if canonical is None:
        return []
    keys = [canonical] + [key for _kind, key, valid in readings if valid]
    return list(dict.fromkeys(keys))


def normalize_number(raw, default_region=None):
    """The canonical E.164 key stored for ``raw`` (None when not a number).

    A number written with ``+`` or ``00`` is international; bare digits are
    read in ``default_region`` first, then as international digits without
    ``+`` (see :func:`_canonical`).  Always the first item of
    :func:`lookup_keys`.
    """
    return _canonical(_readings(raw, default_region))


def is_phone_like(raw):
    """True when ``raw`` only contains characters found in phone numbers."""
    return _split(raw) is not None
