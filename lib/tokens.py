"""Opaque access tokens: generation, hashing, constant-time comparison."""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits of randomness
PREFIX_LENGTH = 8  # non-secret part shown in the list view


def generate_token(nbytes=TOKEN_BYTES):
    """A URL-safe random token of at least 32 random bytes."""
    return secrets.token_urlsafe(max(int(nbytes), TOKEN_BYTES))


def hash_token(token, secret):
    """Hex HMAC-SHA256 of ``token`` keyed by ``secret`` (the only thing stored)."""
    if isinstance(secret, str):
        secret = secret.encode()
    if isinstance(token, str):
        token = token.encode()
    return hmac.new(secret or b"", token, hashlib.sha256).hexdigest()


def token_matches(token, token_hash, secret):
    """Constant-time check that ``token`` hashes to ``token_hash``."""
    if not token or not token_hash:
        return False
    return hmac.compare_digest(hash_token(token, secret), token_hash)


def token_prefix(token):
    return token[:PREFIX_LENGTH]


def bearer_token(authorization):
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization or not isinstance(authorization, str):
        return None
    scheme, _sep, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    if not value or " " in value or len(value) > 512:
        return None
    return value
