import json
import time

from odoo.exceptions import ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from odoo.addons.dcx_crm.lib import webhook_signature

from .webhook_case import DcxWebhookCase

UNAUTHORIZED = {"code": 401, "message": "Unauthorized"}


@tagged("post_install", "-at_install")
class TestWebhookIntake(DcxWebhookCase):
    def assertUnauthorized(self, response):
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), UNAUTHORIZED)
        self.assertIn("application/json", response.headers["Content-Type"])

    def test_signed_delivery_is_stored_then_processed(self):
        payload = self.info("in-1")
        payload["data"]["x_unknown_extra"] = {"kept": True}
        response = self.post(payload, msg_id="msg_in_1")
        self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual(response.json(), {"status": "accepted", "id": "msg_in_1"})
        event = self.Event.search([("delivery_id", "=", "msg_in_1")])
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.event_type, "meeting_info")
        self.assertEqual(event.meeting_info_id, "in-1")
        self.assertEqual(event.auth_method, "signature")
        self.assertEqual(json.loads(event.payload), payload)  # extra keys kept
        self.assertEqual(json.loads(event.headers)["webhook-id"], "msg_in_1")
        self.assertFalse(self.call_of("in-1"), "processing is asynchronous")
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertTrue(trigger, "the processing cron is triggered immediately")
        self.process()
        call = self.call_of("in-1")
        self.assertEqual(len(call), 1)
        self.assertEqual(event.state, "done")
        self.assertEqual(event.attempts, 1)
        self.assertEqual(event.call_id, call)
        self.assertEqual(call.state, "completed")

    def test_wrong_secret(self):
        other = webhook_signature.generate_secret()
        self.assertUnauthorized(
            self.post(self.info("in-2"), secret=other, msg_id="msg_in_2")
        )
        self.assertFalse(self.Event.search([("delivery_id", "=", "msg_in_2")]))

    def test_tampered_body(self):
        body = json.dumps(self.info("in-3")).encode()
        headers = webhook_signature.signed_headers(self.secret, "msg_in_3", body)
        response = self.url_open(
            "/dcx/v1/webhooks/meeting",
            data=body.replace(b"in-3", b"in-X"),
            headers=dict(headers, **{"Content-Type": "application/json"}),
        )
        self.assertUnauthorized(response)
        self.assertFalse(self.Event.search([("delivery_id", "=", "msg_in_3")]))

    def test_rotated_secret(self):
        new = webhook_signature.generate_secret()
        self.company._dcx_set_webhook_secrets([self.secret, new])
        self.assertEqual(
            self.post(self.info("rot-1"), secret=self.secret).status_code, 202
        )
        self.assertEqual(self.post(self.info("rot-2"), secret=new).status_code, 202)
        # rotation ended: only the new secret remains
        self.company._dcx_set_webhook_secrets([new])
        self.assertUnauthorized(self.post(self.info("rot-3"), secret=self.secret))
        self.assertEqual(self.post(self.info("rot-4"), secret=new).status_code, 202)
        self.assertEqual(
            self.Event.search_count(
                [("meeting_info_id", "in", ["rot-1", "rot-2", "rot-3", "rot-4"])]
            ),
            3,
        )

    def test_neutralized_database_refuses_deliveries(self):
        self.assertEqual(self.post(self.info("neutral-1")).status_code, 202)
        self.env.flush_all()  # the neutralization runs plain SQL
        for query in get_neutralization_queries(["dcx_crm"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertEqual(self.company._dcx_webhook_secrets(), [])
        self.assertUnauthorized(self.post(self.info("neutral-2")))
        self.assertFalse(self.Event.search([("meeting_info_id", "=", "neutral-2")]))

    def test_stale_and_future_timestamps(self):
        now = int(time.time())
        self.assertUnauthorized(self.post(self.info("ts-1"), timestamp=now - 301))
        self.assertUnauthorized(self.post(self.info("ts-2"), timestamp=now + 400))
        self.assertEqual(
            self.post(self.info("ts-3"), timestamp=now - 240).status_code, 202
        )
        self.assertEqual(
            self.Event.search_count([("meeting_info_id", "like", "ts-")]), 1
        )

    def test_missing_headers_and_no_secret(self):
        self.assertUnauthorized(self.post(self.info("h-1"), sign=False))
        response = self.post(self.info("h-2"), headers={"webhook-signature": "v1,AAAA"})
        self.assertUnauthorized(response)
        self.company._dcx_set_webhook_secrets([])
        self.assertUnauthorized(self.post(self.info("h-3")))
        self.assertFalse(self.Event.search([("meeting_info_id", "like", "h-")]))

    def test_secrets_are_encrypted_at_rest(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT dcx_webhook_secrets_enc FROM res_company WHERE id = %s",
            [self.company.id],
        )
        stored = self.env.cr.fetchone()[0]
        self.assertTrue(stored)
        self.assertNotIn(self.secret, stored)
        self.assertNotIn(self.secret[6:20], stored)
        self.assertEqual(self.company._dcx_webhook_secrets(), [self.secret])
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.dcx_webhook_secret_new)
        self.assertNotIn(self.secret, settings.dcx_webhook_secret_info)

    def test_replayed_delivery_id(self):
        body = json.dumps(self.info("rp-1")).encode()
        headers = webhook_signature.signed_headers(self.secret, "msg_rp_1", body)
        headers["Content-Type"] = "application/json"
        first = self.url_open("/dcx/v1/webhooks/meeting", data=body, headers=headers)
        again = self.url_open("/dcx/v1/webhooks/meeting", data=body, headers=headers)
        self.assertEqual(first.status_code, 202)
        self.assertEqual(again.status_code, 202)
        self.assertEqual(again.json(), {"status": "duplicate", "id": "msg_rp_1"})
        self.assertEqual(self.Event.search_count([("delivery_id", "=", "msg_rp_1")]), 1)
        self.process()
        self.assertEqual(len(self.call_of("rp-1")), 1)

    def test_bearer_secret(self):
        self.company._dcx_set_webhook_bearer("a-long-shared-bearer-secret")
        good = self.post(
            self.info("br-1"),
            sign=False,
            headers={
                "Authorization": "Bearer a-long-shared-bearer-secret",
                "webhook-id": "br_1",
            },
        )
        self.assertEqual(good.status_code, 202, good.text)
        self.assertEqual(good.json()["id"], "br_1")
        bad = self.post(
            self.info("br-2"),
            sign=False,
            headers={"Authorization": "Bearer wrong-secret-value"},
        )
        self.assertUnauthorized(bad)
        event = self.Event.search([("meeting_info_id", "=", "br-1")])
        self.assertEqual(event.auth_method, "bearer")
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT dcx_webhook_bearer_hash FROM res_company WHERE id = %s",
            [self.company.id],
        )
        self.assertNotIn("a-long-shared-bearer-secret", self.env.cr.fetchone()[0])

    def test_malformed_inputs(self):
        cases = [
            (b"not json at all", "body"),
            (b"[1, 2, 3]", "body"),
            (b'"text"', "body"),
            (b"", "body"),
            (json.dumps({"type": "meeting_info"}), "data"),
            (json.dumps({"type": "meeting_info", "data": {}}), "data.meeting_info_id"),
            (
                json.dumps({"type": "meeting_info", "data": {"meeting_info_id": None}}),
                "data.meeting_info_id",
            ),
            (
                json.dumps({"type": "recording", "data": {"meeting_info_id": [1]}}),
                "data.meeting_info_id",
            ),
            (
                json.dumps(self.info("bad-2", start_time="last tuesday")),
                "data.start_time",
            ),
            (json.dumps(self.info("bad-3", direction=5)), "data.direction"),
            (json.dumps(self.info("bad-4", duration="long")), "data.duration"),
            (
                json.dumps(
                    self.transcript("bad-5", segments=[{"start": "x", "text": "hi"}])
                ),
                "data.segments[0].start",
            ),
            (json.dumps(self.recording("bad-6", url="not a url")), "data.url"),
            ("\udcff".encode("utf-8", "surrogatepass"), "body"),
        ]
        for body, key in cases:
            with self.subTest(body=body[:60]):
                response = self.post(body=body)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn("application/json", response.headers["Content-Type"])
                data = response.json()
                self.assertEqual(data["code"], 400)
                self.assertTrue(data["message"])
                if key:
                    self.assertIn(key, data.get("errors", {}), data)
        self.assertFalse(self.Event.search([("meeting_info_id", "like", "bad")]))
        self.assertFalse(self.Event.search([("payload", "like", "not json")]))

    def test_too_large(self):
        big = self.transcript(
            "big-1",
            segments=[
                {"speaker": "a", "start": i, "end": i + 1, "text": "x" * 1000}
                for i in range(5300)
            ],
        )
        response = self.post(big)
        self.assertEqual(response.status_code, 413, response.text[:200])
        self.assertEqual(response.json()["code"], 413)
        self.assertFalse(self.Event.search([("meeting_info_id", "=", "big-1")]))
        # a long but reasonable transcript (about 1 MB) is fine
        long_ok = self.transcript(
            "big-2",
            segments=[
                {"speaker": "a", "start": i, "end": i + 1, "text": "y" * 500}
                for i in range(2000)
            ],
        )
        self.assertEqual(self.post(long_ok).status_code, 202)
        self.process()
        self.assertEqual(len(self.call_of("big-2").segment_ids), 2000)

    def test_unknown_type_stored_as_ignored(self):
        response = self.post(
            {"type": "participant_joined", "data": {"who": "x"}}, msg_id="unk_1"
        )
        self.assertEqual(response.status_code, 202)
        self.assertEqual(response.json()["status"], "ignored")
        event = self.Event.search([("delivery_id", "=", "unk_1")])
        self.assertEqual(event.state, "ignored")
        self.assertEqual(event.event_type, "participant_joined")
        self.process()
        self.assertEqual(event.state, "ignored")

    def test_get_not_allowed(self):
        response = self.url_open("/dcx/v1/webhooks/meeting")
        self.assertNotEqual(response.status_code, 202)
        self.assertFalse(self.Event.search([]).filtered(lambda e: not e.payload))

    def test_openapi_documents_the_webhook(self):
        response = self.url_open("/dcx/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        operation = document["paths"]["/webhooks/meeting"]["post"]
        self.assertEqual(set(operation["responses"]), {"202", "400", "401", "413"})
        schemas = document["components"]["schemas"]
        for name in (
            "DcxWebhookEnvelope",
            "DcxMeetingInfoData",
            "DcxTranscriptionData",
            "DcxRecordingData",
        ):
            self.assertIn(name, schemas)
        self.assertTrue(schemas["DcxWebhookEnvelope"]["examples"])

    def test_settings_add_rotate_and_revoke_secrets(self):
        new = webhook_signature.generate_secret()
        settings = self.env["res.config.settings"].create(
            {
                "dcx_webhook_secret_new": new,
                "dcx_webhook_bearer_new": "a-bearer-secret-of-24-chars",
            }
        )
        settings.execute()
        self.assertEqual(self.company._dcx_webhook_secrets(), [self.secret, new])
        self.assertTrue(
            self.company._dcx_check_webhook_bearer("Bearer a-bearer-secret-of-24-chars")
        )
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            settings.dcx_webhook_secret_info, f"…{self.secret[-4:]}, …{new[-4:]}"
        )
        self.assertTrue(settings.dcx_webhook_bearer_set)
        settings.action_dcx_webhook_keep_newest()
        self.assertEqual(self.company._dcx_webhook_secrets(), [new])
        self.assertEqual(self.post(self.info("set-1"), secret=new).status_code, 202)
        self.assertUnauthorized(self.post(self.info("set-2")))
        action = settings.action_dcx_generate_webhook_secret()
        generated = action["params"]["message"]
        self.assertTrue(generated.startswith("whsec_"))
        self.assertEqual(self.company._dcx_webhook_secrets(), [new, generated])
        settings.action_dcx_webhook_clear_secrets()
        self.assertEqual(self.company._dcx_webhook_secrets(), [])
        self.assertFalse(self.company.sudo().dcx_webhook_bearer_hash)
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"dcx_webhook_secret_new": "whsec_###"}
            )

    def test_one_cron_trigger_per_burst(self):
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", self.cron.id)]).unlink()
        for index in range(3):
            self.assertEqual(self.post(self.info(f"burst-{index}")).status_code, 202)
        self.assertEqual(Trigger.search_count([("cron_id", "=", self.cron.id)]), 1)
        # duplicates and ignored types do not wake the job
        Trigger.search([("cron_id", "=", self.cron.id)]).unlink()
        self.post({"type": "something_else", "data": {}})
        self.assertFalse(Trigger.search_count([("cron_id", "=", self.cron.id)]))
