"""DcxMeetingClient against the stdlib stand-in server (real HTTP on 127.0.0.1)."""

import importlib.util
import socket
import threading
from pathlib import Path

import pytest
import requests

from lib import dcx_meeting_client as dmc

_STANDIN = Path(__file__).resolve().parents[2] / "tools" / "dcx_meeting_standin.py"
_spec = importlib.util.spec_from_file_location("dcx_meeting_standin", _STANDIN)
standin = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(standin)


@pytest.fixture
def server():
    srv = standin.make_server(0, api_key="k-123", fail_suffix="0000")
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def url(srv):
    return "http://127.0.0.1:%d" % srv.server_address[1]


def test_dial_flow_success(server):
    client = dmc.DcxMeetingClient(url(server), api_key="k-123")
    meeting = client.create_meeting(["+4930123456"])
    assert meeting["meeting_id"].isdigit()
    assert meeting["meeting_info_id"].startswith("mi-")
    assert meeting["telephony"] == ["+4930123456"]
    assert client.place_call(meeting["meeting_info_id"]) == {"failures": {}}
    joined = client.join(meeting["meeting_id"])
    assert joined["meeting_info_id"] == meeting["meeting_info_id"]
    methods = [(m, p) for m, p, _b in server.state.requests]
    assert methods == [
        ("POST", "/meeting"),
        ("POST", "/call"),
        ("GET", "/join/" + meeting["meeting_id"]),
    ]
    assert server.state.requests[0][2] == {"dvc": [], "telephony": ["+4930123456"]}
    assert server.state.requests[1][2] == {
        "meeting_info_id": meeting["meeting_info_id"],
        "users": {},
    }


def test_user_token_and_api_key_headers(server):
    client = dmc.DcxMeetingClient(url(server), api_key="k-123", user_token="u-tok")
    headers = client._headers()
    assert headers["Authorization"] == "Bearer u-tok"
    assert headers["X-DCX-Api-Key"] == "k-123"
    assert client.create_meeting(["+4930123456"])["meeting_id"]


def test_failures_map(server):
    client = dmc.DcxMeetingClient(url(server), api_key="k-123")
    meeting = client.create_meeting(["+4930120000"])
    with pytest.raises(dmc.DcxCallFailures) as info:
        client.place_call(meeting["meeting_info_id"])
    assert info.value.failures == {"+4930120000": "unreachable"}
    assert info.value.user_message == (
        "The call could not be placed (+4930120000: unreachable)."
    )
    assert info.value.as_dict()["details"] == {
        "failures": {"+4930120000": "unreachable"}
    }


def test_4xx_with_message(server):
    client = dmc.DcxMeetingClient(url(server), api_key="k-123")
    with pytest.raises(dmc.DcxMeetingRejected) as info:
        client.place_call("mi-unknown")
    assert info.value.upstream_status == 404
    assert "unknown meeting_info_id" in info.value.user_message
    assert info.value.http_status == 422


def test_bad_credentials(server):
    client = dmc.DcxMeetingClient(url(server), api_key="wrong")
    with pytest.raises(dmc.DcxMeetingAuthError) as info:
        client.create_meeting(["+4930123456"])
    assert info.value.upstream_status == 401
    assert "Unauthorized" in info.value.user_message


def test_timeout_is_explicit_and_post_not_retried(server):
    server.state.delay = 0.5
    client = dmc.DcxMeetingClient(url(server), api_key="k-123", timeout=0.1)
    with pytest.raises(dmc.DcxMeetingTimeout) as info:
        client.create_meeting(["+4930123456"])
    assert "may not have been placed" in info.value.user_message
    assert info.value.http_status == 504
    assert len(server.state.requests) == 1  # no retry of the POST


def _closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class CountingSession(requests.Session):
    def __init__(self):
        super().__init__()
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs.get("timeout")))
        return super().request(method, url, **kwargs)


def test_unreachable_post_once_get_retried_once():
    session = CountingSession()
    client = dmc.DcxMeetingClient(
        "http://127.0.0.1:%d" % _closed_port(), api_key="k", session=session
    )
    with pytest.raises(dmc.DcxMeetingUnavailable) as info:
        client.create_meeting(["+4930123456"])
    assert "cannot be reached" in info.value.user_message
    assert len(session.calls) == 1
    assert session.calls[0][2] == dmc.DEFAULT_TIMEOUT
    with pytest.raises(dmc.DcxMeetingUnavailable):
        client.join("123")
    assert [c[0] for c in session.calls] == ["POST", "GET", "GET"]


def test_not_configured():
    with pytest.raises(dmc.DcxMeetingNotConfigured):
        dmc.DcxMeetingClient("", api_key="k")
    with pytest.raises(dmc.DcxMeetingNotConfigured):
        dmc.DcxMeetingClient("ftp://x", api_key="k")
    with pytest.raises(dmc.DcxMeetingNotConfigured) as info:
        dmc.DcxMeetingClient("http://127.0.0.1:1")
    assert "API key" in info.value.user_message


class FakeResponse:
    def __init__(self, status, body=None, text=None, reason="X"):
        self.status_code = status
        self._body = body
        self.text = text if text is not None else ""
        self.reason = reason

    def json(self):
        if self._body is None:
            raise ValueError("no json")
        return self._body


@pytest.mark.parametrize(
    "response, exc, fragment",
    [
        (FakeResponse(500, {"error": "db down"}), dmc.DcxMeetingUnavailable, "db down"),
        (
            FakeResponse(503, None, "<html>busy</html>", "Service Unavailable"),
            dmc.DcxMeetingUnavailable,
            "Service Unavailable",
        ),
        (FakeResponse(200, None, "nope"), dmc.DcxMeetingBadResponse, "not JSON"),
        (FakeResponse(200, [1, 2]), dmc.DcxMeetingBadResponse, "not an object"),
        (
            FakeResponse(422, {"detail": {"message": "bad number"}}),
            dmc.DcxMeetingRejected,
            "bad number",
        ),
        (FakeResponse(400, None, "x" * 1000), dmc.DcxMeetingRejected, "…"),
        (FakeResponse(302, None), dmc.DcxMeetingBadResponse, "HTTP 302"),
    ],
)
def test_decode_error_mapping(response, exc, fragment):
    client = dmc.DcxMeetingClient("http://127.0.0.1:1", api_key="k")
    with pytest.raises(exc) as info:
        client._decode(response)
    assert fragment in info.value.user_message
    assert len(info.value.user_message) < 500


def test_meeting_without_ids_is_refused():
    with pytest.raises(dmc.DcxMeetingBadResponse):
        dmc.DcxMeetingClient._require_ids({"meeting_id": "1"}, "/meeting")
    with pytest.raises(dmc.DcxMeetingBadResponse):
        dmc.DcxMeetingClient._require_ids(
            {"meeting_id": "../x", "meeting_info_id": "a"}, "/meeting"
        )
    body = dmc.DcxMeetingClient._require_ids(
        {"meeting_id": 123, "meeting_info_id": "a12", "x": 1}, "/meeting"
    )
    assert body == {"meeting_id": "123", "meeting_info_id": "a12", "x": 1}


def test_join_refuses_path_tricks(server):
    client = dmc.DcxMeetingClient(url(server), api_key="k-123")
    with pytest.raises(dmc.DcxMeetingRejected):
        client.join("../admin")
    assert server.state.requests == []


def test_failures_as_list_and_unusable(server):
    client = dmc.DcxMeetingClient(url(server), api_key="k-123")
    client._request = lambda *a, **k: {"failures": ["busy"]}
    with pytest.raises(dmc.DcxCallFailures) as info:
        client.place_call("mi-1")
    assert info.value.failures == {"0": "busy"}
    client._request = lambda *a, **k: {"failures": "weird"}
    with pytest.raises(dmc.DcxMeetingBadResponse):
        client.place_call("mi-1")
    client._request = lambda *a, **k: {}
    assert client.place_call("mi-1") == {}
