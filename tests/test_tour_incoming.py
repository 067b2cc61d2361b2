"""Incoming call in Chromium through a real, throwaway Prosody (issue 4).

Prosody is started by ``tools/prosody/run.sh`` on free loopback ports (fresh data
directory, two users); DCX-Meeting is the stdlib stand-in. Skipped with a reason
when the ``prosody`` binary is missing.
"""

import importlib.util
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, new_test_user, tagged

MODULE = get_module_path("dcx_crm")


def _free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _load_standin():
    path = os.path.join(MODULE, "tools", "dcx_meeting_standin.py")
    spec = importlib.util.spec_from_file_location(
        "dcx_meeting_standin_for_incoming", path
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_prosody(directory, domain="dcx.test", timeout=20):
    """Start tools/prosody/run.sh; returns (process, websocket_url, bosh_url)."""
    c2s, http_port = _free_port(), _free_port()
    env = dict(
        os.environ,
        DCX_PROSODY_DOMAIN=domain,
        DCX_PROSODY_USERS="agent:agent-pass dcx:dcx-pass",
    )
    proc = subprocess.Popen(
        [
            "bash",
            os.path.join(MODULE, "tools", "prosody", "run.sh"),
            directory,
            str(c2s),
            str(http_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + timeout
    output = []
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            output.append(line)
            if line.startswith("READY"):
                return (
                    proc,
                    "ws://127.0.0.1:%d/xmpp-websocket" % http_port,
                    "http://127.0.0.1:%d/http-bind" % http_port,
                )
        if proc.poll() is not None:
            break
    proc.terminate()
    raise RuntimeError("Prosody did not start: %s" % "".join(output))


@tagged("post_install", "-at_install")
class TestTourIncoming(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not shutil.which("prosody"):
            cls.skipTest(cls, "prosody is not installed (Debian package 'prosody')")
        cls.tmp = tempfile.mkdtemp(prefix="dcx-prosody-odoo-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.prosody, ws_url, cls.bosh_url = start_prosody(cls.tmp)

        def stop_prosody():
            cls.prosody.terminate()
            try:
                cls.prosody.wait(10)
            except subprocess.TimeoutExpired:
                cls.prosody.kill()
            cls.prosody.stdout.close()

        cls.addClassCleanup(stop_prosody)
        cls.server = _load_standin().make_server(0, api_key="tour-key")
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        company = cls.env.company
        company.write(
            {
                "country_id": cls.env.ref("base.be").id,
                "dcx_meeting_url": "http://127.0.0.1:%d" % cls.server.server_address[1],
                "dcx_meeting_client_url": False,
                "dcx_xmpp_websocket_url": ws_url,
                "dcx_xmpp_bosh_url": False,
                "dcx_xmpp_domain": "dcx.test",
            }
        )
        company._dcx_set_meeting_api_key("tour-key")
        cls.user = new_test_user(
            cls.env,
            login="dcx_i4_incoming",
            groups="base.group_user,base.group_partner_manager,"
            "sales_team.group_sale_salesman,dcx_crm.group_dcx_user",
            name="Incoming Agent",
        )
        cls.user.write({"dcx_xmpp_jid": "agent", "dcx_xmpp_password": "agent-pass"})
        cls.partner = cls.env["res.partner"].create(
            {"name": "Tour Dcxfour Customer", "mobile": "+32 470 99 88 77"}
        )
        cls.env["crm.lead"].create(
            {
                "name": "Tour Dcxfour deal",
                "partner_id": cls.partner.id,
                "type": "opportunity",
                "user_id": cls.user.id,
            }
        )

    def test_incoming_call_tour(self):
        self.start_tour(
            "/odoo", "dcx_crm_incoming_tour", login="dcx_i4_incoming", timeout=120
        )
        self._check_inbound_call()

    def test_incoming_call_tour_over_bosh(self):
        """Same call when only BOSH is configured (websocket blocked by a proxy...)."""
        self.env.company.write(
            {"dcx_xmpp_websocket_url": False, "dcx_xmpp_bosh_url": self.bosh_url}
        )
        self.start_tour(
            "/odoo", "dcx_crm_incoming_tour", login="dcx_i4_incoming", timeout=120
        )
        self._check_inbound_call()
        with open(os.path.join(self.tmp, "prosody.log"), encoding="utf-8") as log:
            self.assertIn("bosh", log.read().lower())

    def _check_inbound_call(self):
        call = self.env["dcx.call"].sudo().search([("meeting_id", "=", "m-tour-1")])
        self.assertRecordValues(
            call,
            [
                {
                    "direction": "inbound",
                    "state": "ongoing",
                    "user_id": self.user.id,
                    "partner_id": self.partner.id,
                    "caller_number": "+32470998877",
                    "caller_jid": "caller@dcx.test",
                }
            ],
        )
        self.assertIn(
            ("GET", "/join/m-tour-1"), [r[:2] for r in self.server.state.requests]
        )
