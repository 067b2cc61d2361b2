"""Softphone routes ``/dcx/v1/client/*`` over real HTTP (issue 4).

DCX-Meeting is faked at the ``requests`` boundary of OUR wrapper
(``lib.dcx_meeting_client``): either the stdlib stand-in server of
``tools/dcx_meeting_standin.py`` on 127.0.0.1 (real HTTP), or a fake
``requests.Session`` for timeouts and odd answers.
"""

import importlib.util
import json
import os
import re
import socket
import threading
from unittest.mock import patch

import requests

from odoo.exceptions import AccessError
from odoo.modules.module import get_module_path
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.dcx_crm.lib import dcx_meeting_client

ROOT = "/dcx/v1/client"
API_KEY = "company-key-s3cret"
USER_TOKEN = "user-token-s3cret"
XMPP_PASSWORD = "xmpp-pa55"


def _load_standin():
    path = os.path.join(get_module_path("dcx_crm"), "tools", "dcx_meeting_standin.py")
    spec = importlib.util.spec_from_file_location("dcx_meeting_standin_for_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeResponse:
    def __init__(self, status, body=None, text=None, reason="OK"):
        self.status_code = status
        self._body = body
        self.text = text if text is not None else json.dumps(body)
        self.reason = reason

    def json(self):
        if self._body is None:
            raise ValueError("not json")
        return self._body


class FakeSession:
    """Stands for ``requests.Session`` inside DcxMeetingClient; scripted answers."""

    script = []
    calls = []

    def request(self, method, url, **kwargs):
        FakeSession.calls.append((method, url, kwargs))
        step = FakeSession.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


@tagged("post_install", "-at_install")
class TestClientRoutes(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        standin = _load_standin()
        cls.server = standin.make_server(0, api_key=API_KEY, fail_suffix="0000")
        cls.server_thread = threading.Thread(
            target=cls.server.serve_forever, daemon=True
        )
        cls.server_thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        env = cls.env
        cls.company = env.company
        cls.company.write(
            {
                "country_id": env.ref("base.be").id,
                "dcx_meeting_url": "http://127.0.0.1:%d" % cls.server.server_address[1],
                "dcx_meeting_client_url": "https://meet.example.com/m/{meeting_id}?i={meeting_info_id}",
                "dcx_meeting_client_mode": "dialog",
                "dcx_xmpp_websocket_url": "wss://xmpp.example.com/xmpp-websocket",
                "dcx_xmpp_bosh_url": "https://xmpp.example.com/http-bind",
                "dcx_xmpp_domain": "xmpp.example.com",
            }
        )
        cls.company._dcx_set_meeting_api_key(API_KEY)
        groups = (
            "base.group_user,base.group_partner_manager,sales_team.group_sale_salesman"
        )
        cls.agent = new_test_user(
            env,
            login="dcx_i4_agent",
            groups=groups + ",dcx_crm.group_dcx_user",
            name="Agent Four",
        )
        cls.agent.write({"dcx_xmpp_jid": "agent4", "dcx_xmpp_password": XMPP_PASSWORD})
        cls.outsider = new_test_user(env, login="dcx_i4_outsider", groups=groups)
        cls.partner = env["res.partner"].create(
            {
                "name": "Inès Dcxfour",
                "mobile": "+32 470 44 55 66",
                "country_id": env.ref("base.be").id,
            }
        )
        cls.lead = env["crm.lead"].create(
            {
                "name": "Dcxfour opportunity",
                "partner_id": cls.partner.id,
                "type": "opportunity",
                "user_id": cls.agent.id,
            }
        )

    def setUp(self):
        super().setUp()
        self.server.state.requests.clear()
        self.server.state.delay = 0
        FakeSession.script = []
        FakeSession.calls = []

    # ------------------------------------------------------------------ helpers
    def login(self, user="dcx_i4_agent"):
        self.authenticate(user, user)
        page = self.url_open("/odoo")
        match = re.search(r'csrf_token: "([0-9a-f]+o\d+)"', page.text)
        self.assertTrue(match, "the web client exposes the CSRF token")
        self.csrf = match.group(1)

    def post(self, route, payload=None, csrf=True, raw=None):
        headers = {"Content-Type": "application/json"}
        if csrf:
            headers["X-CSRF-Token"] = csrf if isinstance(csrf, str) else self.csrf
        data = raw if raw is not None else json.dumps(payload or {})
        response = self.url_open(ROOT + route, data=data, headers=headers)
        self.assertEqual(
            response.headers["Content-Type"], "application/json; charset=utf-8"
        )
        return response

    def calls_for(self, meeting_info_id):
        return (
            self.env["dcx.call"]
            .sudo()
            .with_context(active_test=False)
            .search([("meeting_info_id", "=", meeting_info_id)])
        )

    # ------------------------------------------------------------------ access
    def test_csrf_token_required(self):
        self.login()
        response = self.post("/config", {}, csrf=False)
        self.assertEqual(response.status_code, 403)
        self.assertIn("CSRF", response.json()["message"])
        response = self.post(
            "/dial", {"number": "+32470445566"}, csrf="bad0o9999999999"
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.server.state.requests, [])

    def test_only_dcx_users(self):
        self.login("dcx_i4_outsider")
        response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            response.json(),
            {
                "code": 403,
                "message": "The DCX softphone is only available to DCX users.",
            },
        )

    def test_not_logged_in_gets_json_401(self):
        response = self.url_open(
            ROOT + "/config",
            data="{}",
            headers={"Content-Type": "application/json", "X-CSRF-Token": "x"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"code": 401, "message": "Unauthorized"})
        self.assertNotIn(XMPP_PASSWORD, response.text)

    # ------------------------------------------------------------------ config
    def test_config_gives_xmpp_credentials_but_never_dcx_secrets(self):
        self.agent.dcx_meeting_token = USER_TOKEN
        self.login()
        response = self.post("/config")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(
            body["xmpp"],
            {
                "jid": "agent4@xmpp.example.com/odoo-%d" % self.agent.id,
                "password": XMPP_PASSWORD,
                "websocket_url": "wss://xmpp.example.com/xmpp-websocket",
                "bosh_url": "https://xmpp.example.com/http-bind",
                "domain": "xmpp.example.com",
            },
        )
        self.assertEqual(
            body["stanza"],
            {
                "namespace": "urn:dcx:call:0",
                "incomingElement": "incoming-call",
                "endedElement": "call-ended",
            },
        )
        self.assertEqual(body["meeting_client"], {"mode": "dialog", "configured": True})
        self.assertTrue(body["dial_enabled"])
        self.assertNotIn(API_KEY, response.text)
        self.assertNotIn(USER_TOKEN, response.text)
        self.assertEqual(response.headers["Cache-Control"], "no-store")

    def test_config_without_xmpp_credentials_explains(self):
        self.agent.sudo().dcx_xmpp_password_enc = False
        self.login()
        body = self.post("/config").json()
        self.assertIsNone(body["xmpp"])
        self.assertEqual(
            body["xmpp_reason"],
            "Set your XMPP address and password in your preferences.",
        )

    def test_secrets_are_encrypted_and_hidden(self):
        company = self.company.sudo()
        self.assertTrue(company.dcx_meeting_api_key_enc)
        self.assertNotIn(API_KEY, company.dcx_meeting_api_key_enc)
        self.assertEqual(self.company._dcx_meeting_api_key(), API_KEY)
        agent = self.agent.sudo()
        self.assertNotIn(XMPP_PASSWORD, agent.dcx_xmpp_password_enc)
        self.assertEqual(self.agent._dcx_xmpp_password(), XMPP_PASSWORD)
        # the write-only fields never read back, and a non-admin can't read the blobs
        self.assertFalse(self.agent.with_user(self.agent).dcx_xmpp_password)
        self.assertTrue(self.agent.with_user(self.agent).dcx_xmpp_password_set)
        with self.assertRaises(AccessError):
            self.company.with_user(self.agent).read(["dcx_meeting_api_key_enc"])
        with self.assertRaises(AccessError):
            self.agent.with_user(self.agent).read(["dcx_xmpp_password_enc"])
        # the user sets his own token through the preferences (SELF_WRITEABLE)
        self.agent.with_user(self.agent).write({"dcx_meeting_token": USER_TOKEN})
        self.assertEqual(self.agent._dcx_meeting_token(), USER_TOKEN)
        self.assertNotIn(USER_TOKEN, self.agent.sudo().dcx_meeting_token_enc)

    def test_settings_store_the_api_key_encrypted(self):
        settings = self.env["res.config.settings"].create(
            {
                "dcx_meeting_api_key": "  rotated-key  ",
                "dcx_meeting_url": "https://meeting.example.com/api",
                "dcx_meeting_client_mode": "new_tab",
            }
        )
        settings.execute()
        self.assertEqual(self.company._dcx_meeting_api_key(), "rotated-key")
        self.assertEqual(
            self.company.dcx_meeting_url, "https://meeting.example.com/api"
        )
        self.assertEqual(self.company.dcx_meeting_client_mode, "new_tab")
        fresh = self.env["res.config.settings"].create({})
        self.assertFalse(fresh.dcx_meeting_api_key, "write-only: never read back")
        self.assertTrue(fresh.dcx_meeting_api_key_set)
        # saving the page without typing a key keeps the stored one
        fresh.execute()
        self.assertEqual(self.company._dcx_meeting_api_key(), "rotated-key")

    # ------------------------------------------------------------------ dial
    def test_dial_from_partner_logs_dialing_call(self):
        self.login()
        response = self.post(
            "/dial",
            {
                "number": "0470 44 55 66",
                "res_model": "res.partner",
                "res_id": self.partner.id,
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        meeting = body["meeting"]
        self.assertEqual(body["number"], "+32470445566")
        self.assertEqual(
            body["record"],
            {
                "model": "res.partner",
                "id": self.partner.id,
                "display_name": "Inès Dcxfour",
            },
        )
        self.assertEqual(meeting["telephony"], ["+32470445566"])
        self.assertEqual(body["call"], {"failures": {}})
        self.assertEqual(
            body["meeting_client_url"],
            "https://meet.example.com/m/%s?i=%s"
            % (meeting["meeting_id"], meeting["meeting_info_id"]),
        )
        call = self.calls_for(meeting["meeting_info_id"])
        self.assertEqual(len(call), 1)
        self.assertEqual(body["call_id"], call.id)
        self.assertRecordValues(
            call,
            [
                {
                    "state": "dialing",
                    "direction": "outbound",
                    "meeting_id": meeting["meeting_id"],
                    "callee_number": "+32470445566",
                    "user_id": self.agent.id,
                    "partner_id": self.partner.id,
                    "res_model": "res.partner",
                    "res_id": self.partner.id,
                    "company_id": self.company.id,
                }
            ],
        )
        # what DCX-Meeting received: the E.164 number, the company key, no retry
        reqs = self.server.state.requests
        self.assertEqual(
            [(m, p) for m, p, _b in reqs], [("POST", "/meeting"), ("POST", "/call")]
        )
        self.assertEqual(reqs[0][2], {"dvc": [], "telephony": ["+32470445566"]})
        self.assertEqual(
            reqs[1][2], {"meeting_info_id": meeting["meeting_info_id"], "users": {}}
        )

    def test_dial_from_lead_links_lead_and_customer(self):
        self.login()
        body = self.post(
            "/dial",
            {
                "number": "+32 470 44 55 66",
                "res_model": "crm.lead",
                "res_id": self.lead.id,
            },
        ).json()
        call = self.calls_for(body["meeting"]["meeting_info_id"])
        self.assertRecordValues(
            call,
            [
                {
                    "lead_id": self.lead.id,
                    "partner_id": self.partner.id,
                    "res_model": "crm.lead",
                    "res_id": self.lead.id,
                }
            ],
        )

    def test_dial_without_record_matches_customer_by_number(self):
        self.login()
        body = self.post("/dial", {"number": "+32470445566"}).json()
        self.assertIsNone(body["record"])
        call = self.calls_for(body["meeting"]["meeting_info_id"])
        self.assertEqual(call.partner_id, self.partner)
        self.assertFalse(call.res_model)

    def test_dial_invalid_number_is_refused_readably(self):
        self.login()
        for number, status, fragment in [
            ("not a number", 400, '"not a number" is not a valid phone number'),
            ("12", 400, "is not a valid phone number"),
            ("", 400, "Enter a phone number to dial."),
            (None, 400, "Enter a phone number to dial."),
            (["+32470445566"], 400, "Enter a phone number to dial."),
        ]:
            response = self.post("/dial", {"number": number})
            self.assertEqual(response.status_code, status, number)
            self.assertIn(fragment, response.json()["message"])
        self.assertEqual(self.server.state.requests, [], "nothing sent to DCX")

    def test_dial_bad_body_and_record(self):
        self.login()
        response = self.post("/dial", raw="{not json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["message"], "Request body is not valid JSON")
        response = self.post(
            "/dial", {"number": "+32470445566", "res_model": "no.such"}
        )
        self.assertEqual(response.status_code, 400)
        response = self.post(
            "/dial",
            {"number": "+32470445566", "res_model": "res.partner", "res_id": 10**8},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.server.state.requests, [])

    def test_dial_record_the_user_cannot_read(self):
        other_company = self.env["res.company"].create(
            {"name": "Dcxfour other company"}
        )
        hidden = self.env["res.partner"].create(
            {
                "name": "Hidden Dcxfour",
                "phone": "+32 2 555 12 12",
                "company_id": other_company.id,
            }
        )
        self.login()
        response = self.post(
            "/dial",
            {"number": "+3225551212", "res_model": "res.partner", "res_id": hidden.id},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.server.state.requests, [])

    def test_dial_failures_map_keeps_failed_call(self):
        self.login()
        response = self.post("/dial", {"number": "+32 2 555 00 00"})
        self.assertEqual(response.status_code, 422)
        body = response.json()
        self.assertEqual(body["reason"], "call_failed")
        self.assertEqual(body["details"], {"failures": {"+3225550000": "unreachable"}})
        self.assertEqual(
            body["message"], "The call could not be placed (+3225550000: unreachable)."
        )
        meeting_info_id = self.server.state.requests[1][2]["meeting_info_id"]
        call = self.calls_for(meeting_info_id)
        self.assertEqual(call.state, "failed", "the attempt is logged, not lost")
        self.assertEqual(call.status_raw, "call_failed")

    def test_dial_4xx_from_dcx(self):
        self.login()
        self.company.sudo()._dcx_set_meeting_api_key("wrong-key")
        response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 502)
        body = response.json()
        self.assertEqual(body["reason"], "dcx_auth")
        self.assertEqual(body["upstream_status"], 401)
        self.assertIn(
            "DCX-Meeting refused the credentials (HTTP 401): Unauthorized",
            body["message"],
        )
        self.assertNotIn("wrong-key", response.text)
        self.assertFalse(
            self.env["dcx.call"].sudo().search([("user_id", "=", self.agent.id)])
        )

    def test_dial_4xx_message_passed_to_user(self):
        self.login()
        with patch.object(
            dcx_meeting_client.DcxMeetingClient, "_new_session", FakeSession
        ):
            FakeSession.script = [
                FakeResponse(
                    422, {"message": "Number blocked by policy"}, reason="Unprocessable"
                )
            ]
            response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            response.json()["message"],
            "DCX-Meeting refused the request (HTTP 422): Number blocked by policy",
        )

    def test_dial_timeout_is_not_retried(self):
        self.login()
        with patch.object(
            dcx_meeting_client.DcxMeetingClient, "_new_session", FakeSession
        ):
            FakeSession.script = [requests.Timeout("read timeout")]
            response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 504)
        body = response.json()
        self.assertEqual(body["reason"], "timeout")
        self.assertIn("did not answer in time", body["message"])
        self.assertEqual(len(FakeSession.calls), 1, "a POST is never retried")
        method, url, kwargs = FakeSession.calls[0]
        self.assertEqual((method, url.rsplit("/", 1)[1]), ("POST", "meeting"))
        self.assertEqual(kwargs["timeout"], dcx_meeting_client.DEFAULT_TIMEOUT)
        self.assertEqual(kwargs["headers"]["Authorization"], "Bearer " + API_KEY)

    def test_dial_call_timeout_marks_call_failed(self):
        self.login()
        with patch.object(
            dcx_meeting_client.DcxMeetingClient, "_new_session", FakeSession
        ):
            FakeSession.script = [
                FakeResponse(200, {"meeting_id": 77, "meeting_info_id": "mi-t1"}),
                requests.Timeout("read timeout"),
            ]
            response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 504)
        self.assertEqual(len(FakeSession.calls), 2)
        self.assertEqual(self.calls_for("mi-t1").state, "failed")

    def test_dial_dcx_down_and_bad_answers(self):
        self.login()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
        sock.close()
        self.company.dcx_meeting_url = "http://127.0.0.1:%d" % closed_port
        response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["reason"], "unavailable")
        self.assertIn("DCX-Meeting cannot be reached", response.json()["message"])
        with patch.object(
            dcx_meeting_client.DcxMeetingClient, "_new_session", FakeSession
        ):
            FakeSession.script = [
                FakeResponse(500, None, text="<html>oops</html>", reason="Boom")
            ]
            response = self.post("/dial", {"number": "+32470445566"})
            self.assertEqual(response.status_code, 503)
            self.assertEqual(
                response.json()["message"], "DCX-Meeting failed (HTTP 500): Boom"
            )
            FakeSession.script = [FakeResponse(200, {"meeting_id": "1"})]
            response = self.post("/dial", {"number": "+32470445566"})
            self.assertEqual(response.status_code, 502)
            self.assertEqual(response.json()["reason"], "bad_response")

    def test_dial_not_configured(self):
        self.company.dcx_meeting_url = False
        self.login()
        response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["reason"], "not_configured")
        self.assertFalse(self.post("/config").json()["dial_enabled"])

    def test_neutralized_database_stops_dialing(self):
        self.agent.dcx_meeting_token = USER_TOKEN
        self.env.flush_all()  # the neutralization runs plain SQL
        for query in get_neutralization_queries(["dcx_crm"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.company._dcx_meeting_api_key())
        self.assertFalse(self.agent._dcx_meeting_token())
        self.assertFalse(self.agent._dcx_xmpp_password())
        self.login()
        response = self.post("/dial", {"number": "+32470445566"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["reason"], "not_configured")
        self.assertIsNone(self.post("/config").json()["xmpp"])
        self.assertEqual(self.server.state.requests, [])

    # ------------------------------------------------------------------ join / lookup
    def test_join_logs_inbound_call_and_matches_customer(self):
        self.login()
        incoming = {
            "meeting_id": "m-555",
            "chat_group_id": "cg-1",
            "jid": "caller@xmpp.example.com",
            "caller": "+32470445566",
            "meeting_mode": "audio",
            "junk": {"x": 1},
        }
        response = self.post("/join", {"meeting_id": "m-555", "incoming": incoming})
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["join"]["meeting_id"], "m-555")
        self.assertEqual(
            body["partners"], [{"id": self.partner.id, "display_name": "Inès Dcxfour"}]
        )
        self.assertEqual(body["number"], "+32470445566")
        self.assertNotIn("junk", body["incoming"])
        call = self.calls_for(body["join"]["meeting_info_id"])
        self.assertEqual(body["call_id"], call.id)
        self.assertRecordValues(
            call,
            [
                {
                    "direction": "inbound",
                    "state": "ongoing",
                    "user_id": self.agent.id,
                    "partner_id": self.partner.id,
                    "caller_number": "+32470445566",
                    "caller_jid": "caller@xmpp.example.com",
                    "meeting_id": "m-555",
                }
            ],
        )
        self.assertEqual(self.server.state.requests[-1][:2], ("GET", "/join/m-555"))
        # accepting twice (two tabs) keeps one call
        self.post("/join", {"meeting_id": "m-555", "incoming": incoming})
        self.assertEqual(len(self.calls_for(body["join"]["meeting_info_id"])), 1)

    def test_join_refuses_bad_meeting_id(self):
        self.login()
        for meeting_id in ("", "../etc", None, {"a": 1}, "x" * 300):
            response = self.post("/join", {"meeting_id": meeting_id})
            self.assertEqual(response.status_code, 400, meeting_id)
            self.assertEqual(
                response.json()["message"], "A valid meeting_id is required."
            )
        self.assertEqual(self.server.state.requests, [])

    def test_join_get_is_retried_once_on_connection_error(self):
        self.login()
        with patch.object(
            dcx_meeting_client.DcxMeetingClient, "_new_session", FakeSession
        ):
            FakeSession.script = [
                requests.ConnectionError("reset"),
                FakeResponse(200, {"meeting_id": "m-9", "meeting_info_id": "mi-9"}),
            ]
            response = self.post("/join", {"meeting_id": "m-9"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual([c[0] for c in FakeSession.calls], ["GET", "GET"])
        self.assertEqual(self.calls_for("mi-9").state, "ongoing")

    def test_lookup_partners_and_open_leads_with_record_rules(self):
        other_company = self.env["res.company"].create(
            {"name": "Dcxfour lookup company"}
        )
        self.env["res.partner"].create(
            {
                "name": "Invisible Dcxfour",
                "mobile": "+32 470 44 55 66",
                "company_id": other_company.id,
            }
        )
        self.login()
        body = self.post("/lookup", {"number": "0470445566"}).json()
        self.assertEqual(body["number"], "+32470445566")
        self.assertEqual([p["id"] for p in body["partners"]], [self.partner.id])
        self.assertEqual([lead["id"] for lead in body["leads"]], [self.lead.id])
        self.assertEqual(
            self.post("/lookup", {"number": "garbage"}).json(),
            {"number": None, "partners": [], "leads": []},
        )
