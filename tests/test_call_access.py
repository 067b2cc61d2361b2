from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .webhook_case import DcxWebhookCase


@tagged("post_install", "-at_install")
class TestCallAccess(DcxWebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "DCX Company B"})
        cls.hidden_partner = cls.env["res.partner"].create(
            {
                "name": "Customer of B",
                "phone": "+32 3 444 55 66",
                "company_id": cls.company_b.id,
            }
        )
        cls.plain_user = new_test_user(
            cls.env, login="no_dcx", groups="base.group_user"
        )
        cls.manager_b = new_test_user(
            cls.env,
            login="dcx_manager_b",
            groups="base.group_user,dcx_crm.group_dcx_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def setUp(self):
        super().setUp()
        # own call without customer, another agent's call on a readable customer,
        # another agent's call without customer, a call on a customer of company B
        self.post(self.info("acc-own", caller="+32 9 111 11 11"))
        self.post(self.info("acc-customer", user={"id": "x"}, callee="y"))
        self.post(
            self.info(
                "acc-other", caller="+32 9 222 22 22", user={"id": "x"}, callee="y"
            )
        )
        self.post(
            self.info(
                "acc-hidden", caller="+32 3 444 55 66", user={"id": "x"}, callee="y"
            )
        )
        self.process()
        self.own = self.call_of("acc-own")
        self.on_customer = self.call_of("acc-customer")
        self.other = self.call_of("acc-other")
        self.hidden = self.call_of("acc-hidden")
        # the webhook runs as superuser: it may link a partner the agent cannot read
        self.hidden.partner_id = self.hidden_partner

    def test_setup_is_what_we_think(self):
        self.assertEqual(self.own.user_id, self.agent)
        self.assertEqual(self.on_customer.partner_id, self.customer)
        self.assertFalse(self.on_customer.user_id)
        self.assertFalse(self.other.partner_id or self.other.user_id)

    def test_dcx_user_sees_own_and_readable_customers(self):
        visible = self.Call.with_user(self.agent).search(
            [("meeting_info_id", "like", "acc-")]
        )
        self.assertEqual(visible, self.own | self.on_customer)
        with self.assertRaises(AccessError):
            self.other.with_user(self.agent).read(["name"])
        with self.assertRaises(AccessError):
            self.hidden.with_user(self.agent).read(["name"])
        segments = self.env["dcx.call.transcript.segment"]
        self.post(self.transcript("acc-other"))
        self.post(self.transcript("acc-own"))
        self.process()
        seen = segments.with_user(self.agent).search(
            [("call_id.meeting_info_id", "like", "acc-")]
        )
        self.assertEqual(seen.call_id, self.own)

    def test_dcx_user_through_json_rpc(self):
        self.authenticate("dcx_agent", "dcx_agent")
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/dcx.call/search_read",
            {
                "model": "dcx.call",
                "method": "search_read",
                "args": [[("meeting_info_id", "like", "acc-")], ["meeting_info_id"]],
                "kwargs": {},
            },
        )
        self.assertEqual(
            sorted(r["meeting_info_id"] for r in result), ["acc-customer", "acc-own"]
        )

    def test_dcx_user_limits(self):
        agent_call = self.own.with_user(self.agent)
        with self.assertRaises(AccessError):
            agent_call.legal_hold = True
        with self.assertRaises(AccessError):
            agent_call.unlink()
        with self.assertRaises(AccessError):
            self.Call.with_user(self.agent).create({"meeting_info_id": "nope"})
        with self.assertRaises(AccessError):
            self.Event.with_user(self.agent).search([])

    def test_manager_sees_everything_in_company(self):
        visible = self.Call.with_user(self.manager).search(
            [("meeting_info_id", "like", "acc-")]
        )
        self.assertEqual(
            visible, self.own | self.on_customer | self.other | self.hidden
        )
        self.own.with_user(self.manager).legal_hold = True
        self.assertTrue(self.own.legal_hold)
        events = self.Event.with_user(self.manager).search(
            [("meeting_info_id", "=", "acc-own")]
        )
        self.assertEqual(len(events), 1)

    def test_multi_company(self):
        self.assertFalse(
            self.Call.with_user(self.manager_b).search(
                [("meeting_info_id", "like", "acc-")]
            )
        )
        secret_b = "whsec_" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
        self.company_b._dcx_set_webhook_secrets([secret_b])
        self.assertEqual(
            self.post(
                self.info("acc-b", caller="+32 3 444 55 66"), secret=secret_b
            ).status_code,
            202,
        )
        self.process()
        call_b = self.Call.with_user(self.manager_b).search(
            [("meeting_info_id", "=", "acc-b")]
        )
        self.assertEqual(call_b.company_id, self.company_b)
        self.assertFalse(
            self.Call.with_user(self.manager).search(
                [("meeting_info_id", "=", "acc-b")]
            )
        )
        # the same meeting info id may exist once per company
        self.post(self.info("acc-b"))
        self.process()
        self.assertEqual(len(self.call_of("acc-b")), 2)

    def test_user_without_dcx_group(self):
        with self.assertRaises(AccessError):
            self.Call.with_user(self.plain_user).search([])
        # the partner form still works for them (smart button hidden, count 0)
        self.assertEqual(self.customer.with_user(self.plain_user).dcx_call_count, 0)
        self.assertEqual(self.customer.with_user(self.agent).dcx_call_count, 1)
