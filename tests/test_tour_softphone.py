"""Click-to-dial tour in Chromium (issue 4): a customer's number → DCX dial →
``meeting-data`` hook → call in the systray. DCX-Meeting is the stdlib stand-in of
``tools/dcx_meeting_standin.py`` on 127.0.0.1 (real HTTP from the Odoo server)."""

import importlib.util
import os
import threading

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, new_test_user, tagged


def _load_standin():
    path = os.path.join(get_module_path("dcx_crm"), "tools", "dcx_meeting_standin.py")
    spec = importlib.util.spec_from_file_location("dcx_meeting_standin_for_tour", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestTourSoftphone(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = _load_standin().make_server(0, api_key="tour-key")
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        base = "http://127.0.0.1:%d" % cls.server.server_address[1]
        company = cls.env.company
        company.write(
            {
                "country_id": cls.env.ref("base.be").id,
                "dcx_meeting_url": base,
                "dcx_meeting_client_url": base + "/client/{meeting_id}",
                "dcx_meeting_client_mode": "side_panel",
                "dcx_xmpp_websocket_url": False,
                "dcx_xmpp_bosh_url": False,
            }
        )
        company._dcx_set_meeting_api_key("tour-key")
        cls.user = new_test_user(
            cls.env,
            login="dcx_i4_tour",
            groups="base.group_user,base.group_partner_manager,dcx_crm.group_dcx_user",
            name="Tour Agent",
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "Tour Dcxfour Customer", "mobile": "+32 470 99 88 77"}
        )

    def test_click_to_dial_tour(self):
        self.start_tour(
            "/odoo/contacts/%d" % self.partner.id,
            "dcx_crm_softphone_tour",
            login="dcx_i4_tour",
            timeout=120,
        )
        calls = self.env["dcx.call"].sudo().search([("user_id", "=", self.user.id)])
        self.assertEqual(len(calls), 1)
        self.assertRecordValues(
            calls,
            [
                {
                    "state": "dialing",
                    "direction": "outbound",
                    "callee_number": "+32470998877",
                    "partner_id": self.partner.id,
                    "res_model": "res.partner",
                    "res_id": self.partner.id,
                }
            ],
        )
        paths = [
            (m, p)
            for m, p, _b in self.server.state.requests
            if p != "/client/" + calls.meeting_id
        ]
        self.assertEqual(paths, [("POST", "/meeting"), ("POST", "/call")])
        self.assertIn(
            ("GET", "/client/" + calls.meeting_id),
            [r[:2] for r in self.server.state.requests],
        )
