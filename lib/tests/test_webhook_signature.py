import base64
import hashlib
import hmac

import pytest

from lib import webhook_signature as ws

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
BODY = b'{"type":"meeting_info","data":{"meeting_info_id":"a1"}}'
NOW = 1_790_000_000


def _headers(secret=SECRET, msg_id="msg_1", ts=NOW, body=BODY):
    return ws.signed_headers(secret, msg_id, body, timestamp=ts)


def test_signature_matches_reference_computation():
    key = b"0123456789abcdef0123456789abcdef"
    expected = base64.b64encode(
        hmac.new(key, b"msg_1.%d." % NOW + BODY, hashlib.sha256).digest()
    ).decode()
    assert ws.sign(SECRET, "msg_1", NOW, BODY) == "v1," + expected


def test_standard_webhooks_reference_vector():
    # Test vector published with the Standard Webhooks reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    sig = ws.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verify_ok_returns_id():
    assert ws.verify([SECRET], _headers(), BODY, now=NOW) == "msg_1"


def test_headers_case_insensitive_plain_dict():
    headers = {k.upper(): v for k, v in _headers().items()}
    assert ws.verify([SECRET], headers, BODY, now=NOW) == "msg_1"


def test_wrong_secret():
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify(
            ["whsec_" + base64.b64encode(b"other").decode()], _headers(), BODY, now=NOW
        )


def test_rotation_any_secret_and_any_signature():
    old, new = SECRET, ws.generate_secret()
    headers = _headers(secret=new)
    assert ws.verify([old, new], headers, BODY, now=NOW) == "msg_1"
    # sender signs with both during rotation: header carries two signatures
    both = dict(headers)
    both["webhook-signature"] = (
        ws.sign(old, "msg_1", NOW, BODY) + " " + ws.sign(new, "msg_1", NOW, BODY)
    )
    assert ws.verify([new], both, BODY, now=NOW) == "msg_1"
    assert ws.verify([old], both, BODY, now=NOW) == "msg_1"


def test_raw_secret_accepted():
    headers = _headers(secret="plain secret text")
    assert ws.verify(["plain secret text"], headers, BODY, now=NOW) == "msg_1"
    assert ws.decode_secret("plain") == b"plain"


@pytest.mark.parametrize("delta", [-301, 301, -3600])
def test_stale_or_future_timestamp(delta):
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify([SECRET], _headers(ts=NOW + delta), BODY, now=NOW)


@pytest.mark.parametrize("delta", [-300, 0, 299])
def test_within_tolerance(delta):
    assert ws.verify([SECRET], _headers(ts=NOW + delta), BODY, now=NOW)


def test_tampered_body_or_id():
    headers = _headers()
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify([SECRET], headers, BODY + b" ", now=NOW)
    headers["webhook-id"] = "msg_2"
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify([SECRET], headers, BODY, now=NOW)


@pytest.mark.parametrize(
    "missing", ["webhook-id", "webhook-timestamp", "webhook-signature"]
)
def test_missing_header(missing):
    headers = _headers()
    del headers[missing]
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify([SECRET], headers, BODY, now=NOW)


@pytest.mark.parametrize("value", ["v2,abc", "v1,", "garbage", "v1,!!!!", "v1a,xyz"])
def test_bad_signature_values(value):
    headers = _headers()
    headers["webhook-signature"] = value
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify([SECRET], headers, BODY, now=NOW)


def test_bad_timestamp_and_no_secret():
    headers = _headers()
    headers["webhook-timestamp"] = "yesterday"
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify([SECRET], headers, BODY, now=NOW)
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify([], _headers(), BODY, now=NOW)
    with pytest.raises(ws.WebhookVerificationError):
        ws.verify(["whsec_###"], _headers(), BODY, now=NOW)


def test_parse_secrets():
    assert ws.parse_secrets("a\nb, c ;d") == ["a", "b", "c", "d"]
    assert ws.parse_secrets("") == []
    assert ws.parse_secrets(None) == []


def test_generate_secret_roundtrip():
    secret = ws.generate_secret()
    assert secret.startswith("whsec_")
    assert len(ws.decode_secret(secret)) == 32
    assert ws.generate_secret() != secret


def test_bearer():
    assert ws.check_bearer("s3cret", "Bearer s3cret")
    assert ws.check_bearer("s3cret", "bearer  s3cret ")
    assert not ws.check_bearer("s3cret", "Bearer s3cret2")
    assert not ws.check_bearer("s3cret", "Basic s3cret")
    assert not ws.check_bearer("", "Bearer ")
    assert not ws.check_bearer("s3cret", None)
