import base64

from lib import tokens


def test_token_has_at_least_32_random_bytes():
    token = tokens.generate_token()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) >= 32
    assert tokens.generate_token() != token
    assert len(tokens.generate_token(8)) >= 43  # never below 32 bytes


def test_hash_is_keyed_and_stable():
    token = tokens.generate_token()
    digest = tokens.hash_token(token, "secret")
    assert digest == tokens.hash_token(token, b"secret")
    assert len(digest) == 64 and token not in digest
    assert digest != tokens.hash_token(token, "other")


def test_token_matches():
    token = tokens.generate_token()
    digest = tokens.hash_token(token, "s")
    assert tokens.token_matches(token, digest, "s")
    assert not tokens.token_matches(token + "x", digest, "s")
    assert not tokens.token_matches("", digest, "s")
    assert not tokens.token_matches(token, None, "s")


def test_bearer_token():
    assert tokens.bearer_token("Bearer abc") == "abc"
    assert tokens.bearer_token("bearer   abc ") == "abc"
    assert tokens.bearer_token("Basic abc") is None
    assert tokens.bearer_token("Bearer") is None
    assert tokens.bearer_token("Bearer a b") is None
    assert tokens.bearer_token(None) is None
    assert tokens.bearer_token("Bearer " + "x" * 600) is None
    assert tokens.token_prefix("abcdefghijk") == "abcdefgh"
