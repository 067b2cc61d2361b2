#!/usr/bin/env python3
"""Stand-in DCX-Meeting server for local development and tests (stdlib only).

    python3 tools/dcx_meeting_standin.py [--port 8370] [--api-key KEY]
        [--fail-suffix 0000] [--delay 0]

Listens on 127.0.0.1 only and implements the three endpoints Odoo's softphone uses:

* ``POST /meeting`` ``{"dvc": [], "telephony": ["+4930..."]}`` → 200
  ``{"meeting_id", "meeting_info_id", "dvc", "telephony", "created_at"}``
* ``POST /call`` ``{"meeting_info_id", "users": {}}`` → 200 ``{"failures": {}}``;
  numbers ending in ``--fail-suffix`` are reported in ``failures`` ("unreachable").
* ``GET /join/{meeting_id}`` → 200 ``{"meeting_id", "meeting_info_id", "jid", ...}``;
  unknown ids get a new meeting (incoming calls are made elsewhere).
* ``GET /client/{meeting_id}``: a tiny HTML page standing for DCX's meeting client
  (Settings > Meeting client URL ``http://127.0.0.1:8370/client/{meeting_id}``).

With ``--api-key`` the ``Authorization: Bearer`` header must carry that key (or the
``X-DCX-Api-Key`` header must), else 401 ``{"message": "Unauthorized"}``.
Bad JSON → 400, unknown meeting_info_id → 404, each with ``{"message": ...}``.
Point Settings > DCX > Softphone > DCX-Meeting URL at ``http://127.0.0.1:8370``.
"""

import argparse
import html
import itertools
import json
import secrets
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024


class StandinState:
    def __init__(self, api_key=None, fail_suffix=None, delay=0.0):
        self.api_key = api_key
        self.fail_suffix = fail_suffix
        self.delay = delay
        self.lock = threading.Lock()
        self.counter = itertools.count(1000)
        self.meetings = {}  # meeting_info_id -> meeting
        self.by_meeting_id = {}
        self.requests = []  # (method, path, body) for inspection

    def new_meeting(self, telephony, dvc):
        with self.lock:
            meeting_id = str(next(self.counter))
            info_id = "mi-" + secrets.token_hex(6)
            meeting = {
                "meeting_id": meeting_id,
                "meeting_info_id": info_id,
                "dvc": dvc,
                "telephony": telephony,
                "created_at": datetime.now(timezone.utc).isoformat(),
            }
            self.meetings[info_id] = meeting
            self.by_meeting_id[meeting_id] = meeting
            return meeting


class Handler(BaseHTTPRequestHandler):
    server_version = "DcxMeetingStandin/1.0"
    state: StandinState = None  # set by make_server

    def log_message(self, fmt, *args):  # quiet unless --verbose
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorized(self):
        key = self.state.api_key
        if not key:
            return True
        auth = self.headers.get("Authorization", "")
        return auth == f"Bearer {key}" or self.headers.get("X-DCX-Api-Key") == key

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None, "body too large"
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"null")
        except ValueError:
            return None, "body is not valid JSON"
        if not isinstance(data, dict):
            return None, "body must be a JSON object"
        return data, None

    def _common(self, method):
        if self.state.delay:
            time.sleep(self.state.delay)
        if not self._authorized():
            self._send(401, {"message": "Unauthorized"})
            return False
        return True

    def do_POST(self):
        body, error = self._body()
        self.state.requests.append(("POST", self.path, body))
        if not self._common("POST"):
            return
        if error:
            return self._send(400, {"message": error})
        if self.path == "/meeting":
            telephony = body.get("telephony")
            dvc = body.get("dvc", [])
            if (
                not isinstance(telephony, list)
                or not all(isinstance(n, str) and n.startswith("+") for n in telephony)
                or not isinstance(dvc, list)
            ):
                return self._send(
                    400, {"message": "telephony must be a list of E.164 numbers"}
                )
            return self._send(200, self.state.new_meeting(telephony, dvc))
        if self.path == "/call":
            meeting = self.state.meetings.get(body.get("meeting_info_id"))
            if not meeting:
                return self._send(404, {"message": "unknown meeting_info_id"})
            suffix = self.state.fail_suffix
            failures = {
                n: "unreachable"
                for n in meeting["telephony"]
                if suffix and n.endswith(suffix)
            }
            return self._send(200, {"failures": failures})
        return self._send(404, {"message": "not found"})

    def do_GET(self):
        self.state.requests.append(("GET", self.path, None))
        if self.path.startswith("/client/"):
            # stand-in for DCX's meeting client page (Settings > meeting client URL:
            # http://127.0.0.1:8370/client/{meeting_id}); no auth, like a browser page
            meeting_id = html.escape(self.path[len("/client/") :].split("?")[0])
            body = (
                "<!DOCTYPE html><html><head><meta charset='utf-8'><title>DCX meeting "
                f"{meeting_id}</title></head><body style='font-family:sans-serif'>"
                "<h3>DCX meeting client stand-in</h3>"
                f"<p>Meeting <b>{meeting_id}</b></p>"
                "</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not self._common("GET"):
            return
        if self.path.startswith("/join/"):
            meeting_id = self.path[len("/join/") :]
            meeting = self.state.by_meeting_id.get(meeting_id)
            if meeting is None:
                meeting = self.state.new_meeting([], [])
                with self.state.lock:
                    self.state.by_meeting_id[meeting_id] = meeting
                meeting = dict(meeting, meeting_id=meeting_id)
            return self._send(
                200,
                {
                    "meeting_id": meeting_id,
                    "meeting_info_id": meeting["meeting_info_id"],
                    "jid": f"{meeting_id}@conference.dcx.test",
                    "joined_at": datetime.now(timezone.utc).isoformat(),
                },
            )
        return self._send(404, {"message": "not found"})


def make_server(port=0, api_key=None, fail_suffix=None, delay=0.0, verbose=False):
    """A ready ``ThreadingHTTPServer`` on 127.0.0.1 (``port=0``: any free port)."""
    state = StandinState(api_key=api_key, fail_suffix=fail_suffix, delay=delay)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.verbose = verbose
    server.state = state
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8370)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--fail-suffix", default=None)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = make_server(
        args.port, args.api_key, args.fail_suffix, args.delay, args.verbose
    )
    print(
        f"DCX-Meeting stand-in on http://127.0.0.1:{server.server_address[1]}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
