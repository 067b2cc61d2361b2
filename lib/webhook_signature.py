"""Standard Webhooks (https://www.standardwebhooks.com) HMAC-SHA256 verification.

A delivery carries three headers:

* ``webhook-id``: unique delivery id (the same on every retry of one delivery),
* ``webhook-timestamp``: integer seconds since the epoch,
* ``webhook-signature``: space separated list of ``v1,<base64 HMAC-SHA256>``.

The signed content is ``f"{id}.{timestamp}.{body}"`` (the raw body bytes).
Secrets are given either as ``whsec_<base64 key>`` (the Standard Webhooks form)
or as raw text (its UTF-8 bytes are the key). Several secrets may be active at
once so that a secret can be rotated without losing deliveries.

For senders that cannot sign, :func:`check_bearer` compares an
``Authorization: Bearer <secret>`` header with a shared secret.

Every comparison uses :func:`hmac.compare_digest`. No ``odoo`` import here.
"""

import base64
import binascii
import hashlib
import hmac
import re
import secrets as _secrets
import time

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = 5 * 60  # seconds
MAX_ID_LENGTH = 255

HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"


class WebhookVerificationError(Exception):
    """The delivery is not authentic; ``reason`` says why (for logs only)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def decode_secret(secret):
    """Return the HMAC key bytes of ``secret`` (``whsec_<base64>`` or raw text)."""
    if isinstance(secret, bytes):
        return secret
    if not isinstance(secret, str) or not secret.strip():
        raise ValueError("empty webhook secret")
    secret = secret.strip()
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("webhook secret is not valid base64 after whsec_") from exc
        if not key:
            raise ValueError("empty webhook secret")
        return key
    return secret.encode("utf-8")


def parse_secrets(text):
    """Split a settings value (one secret per line, or comma/space separated)."""
    if not text:
        return []
    return [part for part in re.split(r"[\s,;]+", text) if part]


def generate_secret(nbytes=32):
    """A fresh ``whsec_`` secret."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(nbytes)).decode()


def _as_bytes(body):
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def compute_signature(secret, msg_id, timestamp, body):
    """Return the base64 HMAC-SHA256 of ``id.timestamp.body`` (no ``v1,`` prefix)."""
    key = decode_secret(secret)
    content = f"{msg_id}.{timestamp}.".encode() + _as_bytes(body)
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign(secret, msg_id, timestamp, body):
    """Return a ``webhook-signature`` header value for one secret."""
    return f"{SIGNATURE_VERSION},{compute_signature(secret, msg_id, timestamp, body)}"


def signed_headers(secret, msg_id, body, timestamp=None):
    """Headers a sender would add (used by tests, the bench and docs)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: sign(secret, msg_id, timestamp, body),
    }


def _header(headers, name):
    getter = getattr(headers, "get", None)
    if getter is None:
        return None
    value = getter(name)
    if value is None:
        # plain dicts are case-sensitive; werkzeug headers are not
        for key in headers:
            if isinstance(key, str) and key.lower() == name:
                value = headers[key]
                break
    return value


def verify(secrets, headers, body, now=None, tolerance=DEFAULT_TOLERANCE):
    """Verify a delivery; return its ``webhook-id`` or raise WebhookVerificationError.

    ``secrets`` is an iterable of secrets (any of them may have signed),
    ``headers`` any mapping (case-insensitive lookup), ``body`` the raw bytes.
    """
    keys = []
    for secret in secrets or ():
        try:
            keys.append(decode_secret(secret))
        except ValueError:
            continue
    if not keys:
        raise WebhookVerificationError("no webhook secret configured")
    msg_id = _header(headers, HEADER_ID)
    timestamp = _header(headers, HEADER_TIMESTAMP)
    signature = _header(headers, HEADER_SIGNATURE)
    if not msg_id or not timestamp or not signature:
        raise WebhookVerificationError("missing webhook headers")
    msg_id = msg_id.strip()
    if len(msg_id) > MAX_ID_LENGTH:
        raise WebhookVerificationError("webhook-id too long")
    try:
        ts = int(timestamp.strip())
    except ValueError as exc:
        raise WebhookVerificationError("invalid webhook-timestamp") from exc
    now = time.time() if now is None else now
    if ts < now - tolerance:
        raise WebhookVerificationError("timestamp too old")
    if ts > now + tolerance:
        raise WebhookVerificationError("timestamp too far in the future")
    content = f"{msg_id}.{ts}.".encode() + _as_bytes(body)
    expected = [
        base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
        for key in keys
    ]
    # Use the header's timestamp text exactly as sent when it differs (e.g. "0123").
    if timestamp.strip() != str(ts):
        content = f"{msg_id}.{timestamp.strip()}.".encode() + _as_bytes(body)
        expected += [
            base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
            for key in keys
        ]
    matched = False
    for candidate in signature.split():
        version, _sep, value = candidate.partition(",")
        if version != SIGNATURE_VERSION or not value:
            continue
        value_bytes = value.encode("ascii", "replace")
        for exp in expected:
            # no early exit: every candidate is compared in constant time
            matched |= hmac.compare_digest(exp, value_bytes)
    if not matched:
        raise WebhookVerificationError("no matching signature")
    return msg_id


def check_bearer(expected_secret, authorization_header):
    """True when ``Authorization: Bearer <secret>`` matches the shared secret."""
    if not expected_secret or not authorization_header:
        return False
    scheme, _sep, token = authorization_header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(
        token.strip().encode("utf-8"), expected_secret.strip().encode("utf-8")
    )
