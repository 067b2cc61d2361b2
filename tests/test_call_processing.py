import hashlib
import itertools
from unittest.mock import patch

from odoo.tests import tagged

from .webhook_case import DcxWebhookCase


@tagged("post_install", "-at_install")
class TestCallProcessing(DcxWebhookCase):
    def assertCompleteCall(self, call, meeting_info_id):
        self.assertEqual(len(call), 1, meeting_info_id)
        self.assertEqual(call.state, "completed")
        self.assertEqual(call.direction, "inbound")
        self.assertEqual(call.duration, 200)
        self.assertEqual(call.meeting_id, f"m-{meeting_info_id}")
        self.assertEqual(call.partner_id, self.customer)
        self.assertEqual(call.user_id, self.agent)
        self.assertEqual(len(call.segment_ids), 3)
        self.assertEqual(
            call.segment_ids.mapped("text")[0], "Hello, I need my October invoice."
        )
        self.assertEqual(len(call.recording_ids), 1)
        self.assertEqual(call.recording_ids.mime_type, "audio/ogg")
        self.assertEqual(call.summary, "Customer wants the October invoice again.")
        self.assertTrue(call.has_transcript and call.has_recording)
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("id", "in", call.dcx_message_ids.ids),
            ]
        )
        self.assertEqual(len(messages), 1)
        self.assertIn("Play recording", messages.body)
        self.assertIn("October invoice", messages.body)
        self.assertFalse(
            self.Event.search(
                [("meeting_info_id", "=", meeting_info_id), ("state", "!=", "done")]
            )
        )

    def test_every_permutation_processed_one_by_one(self):
        kinds = {
            "info": self.info,
            "transcript": self.transcript,
            "recording": self.recording,
        }
        for index, order in enumerate(itertools.permutations(kinds)):
            mid = f"perm-a-{index}"
            for kind in order:
                self.assertEqual(self.post(kinds[kind](mid)).status_code, 202)
                self.process()
            self.assertCompleteCall(self.call_of(mid), mid)

    def test_every_permutation_processed_in_one_batch(self):
        kinds = {
            "ringing": lambda m: self.info(m, status="ringing", end_time=None),
            "info": self.info,
            "transcript": self.transcript,
            "recording": self.recording,
        }
        for index, order in enumerate(itertools.permutations(kinds)):
            mid = f"perm-b-{index}"
            for kind in order:
                self.assertEqual(self.post(kinds[kind](mid)).status_code, 202)
        self.process()
        for index in range(24):
            self.assertCompleteCall(self.call_of(f"perm-b-{index}"), f"perm-b-{index}")

    def test_states_never_move_backwards(self):
        self.post(self.info("bk-1", status="ended"))
        self.process()
        self.post(self.info("bk-1", status="ringing", end_time=None, start_time=None))
        self.post(self.info("bk-1", status="answered"))
        self.process()
        call = self.call_of("bk-1")
        self.assertEqual(call.state, "completed")
        self.assertEqual(call.status_raw, "ended")
        self.post(self.info("bk-1", status="parked-somewhere"))
        self.process()
        self.assertEqual(call.state, "completed")

    def test_unknown_status_kept_as_text(self):
        self.post(self.info("uk-1", status="transferred_to_voicemail", end_time=None))
        self.process()
        call = self.call_of("uk-1")
        self.assertFalse(call.state)
        self.assertEqual(call.status_raw, "transferred_to_voicemail")

    def test_duplicates_have_one_effect(self):
        for _i in range(3):  # same content, new delivery ids (DCX resend)
            self.post(self.transcript("dup-1"))
            self.post(self.recording("dup-1"))
            self.post(self.info("dup-1"))
        self.process()
        self.post(self.transcript("dup-1"))
        self.process()
        call = self.call_of("dup-1")
        self.assertEqual(len(call), 1)
        self.assertEqual(len(call.segment_ids), 3)
        self.assertEqual(len(call.recording_ids), 1)
        self.assertEqual(len(call.dcx_message_ids), 1)

    def test_longer_transcript_wins(self):
        self.post(self.transcript("tr-1"))
        self.post(
            self.transcript("tr-1", segments=[{"speaker": "x", "text": "partial"}])
        )
        self.process()
        self.assertEqual(len(self.call_of("tr-1").segment_ids), 3)

    def test_matching_across_number_formats(self):
        formats = [
            "+32470123456",
            "0470 12 34 56",
            "0032 470 12 34 56",
            "32470123456",
            "+32 (470) 12-34-56",
        ]
        for index, number in enumerate(formats):
            self.post(self.info(f"fmt-{index}", caller=number))
        # outbound: the callee is the customer
        self.post(
            self.info(
                "fmt-out",
                direction="outbound",
                caller={"jid": "alice@x"},
                callee="0470/12.34.56",
            )
        )
        self.process()
        for index, number in enumerate(formats):
            with self.subTest(number=number):
                self.assertEqual(self.call_of(f"fmt-{index}").partner_id, self.customer)
        self.assertEqual(self.call_of("fmt-out").partner_id, self.customer)

    def test_no_partner_created_for_unknown_number(self):
        count = self.env["res.partner"].search_count([])
        self.post(self.info("unk-num", caller="+32 2 555 00 00"))
        self.process()
        call = self.call_of("unk-num")
        self.assertFalse(call.partner_id)
        self.assertEqual(call.customer_number, "+32 2 555 00 00")
        self.assertEqual(self.env["res.partner"].search_count([]), count)

    def test_prefers_customer_with_open_lead(self):
        Partner = self.env["res.partner"]
        first = Partner.create({"name": "Same Number A", "phone": "+32 2 777 11 22"})
        second = Partner.create(
            {
                "name": "Same Number B",
                "mobile": "02 777 11 22",
                "country_id": self.env.ref("base.be").id,
            }
        )
        lead = self.env["crm.lead"].create(
            {"name": "Open deal", "partner_id": second.id}
        )
        self.post(self.info("lead-1", caller="+3227771122"))
        self.process()
        call = self.call_of("lead-1")
        self.assertEqual(call.partner_id, second)
        self.assertEqual(call.lead_id, lead)
        self.assertEqual(call.other_partner_ids, first)
        self.assertEqual(second.dcx_call_count, 1)
        self.assertEqual(lead.dcx_call_count, 1)
        action = lead.action_view_dcx_calls()
        self.assertEqual(self.Call.search(action["domain"]), call)
        messages = self.env["mail.message"].search(
            [("id", "in", call.dcx_message_ids.ids)]
        )
        self.assertEqual(set(messages.mapped("model")), {"res.partner", "crm.lead"})

    def test_chatter_message_updated_not_duplicated(self):
        self.post(self.info("ch-1", status="ringing", end_time=None))
        self.process()
        call = self.call_of("ch-1")
        message = call.dcx_message_ids
        self.assertEqual(len(message), 1)
        self.assertEqual(
            (message.model, message.res_id), ("res.partner", self.customer.id)
        )
        self.assertIn("Ringing", message.body)
        self.post(self.info("ch-1"))
        self.process()
        self.post(self.transcript("ch-1"))
        self.process()
        self.post(self.recording("ch-1"))
        self.process()
        self.assertEqual(call.dcx_message_ids, message)
        on_partner = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("body", "ilike", "Open call"),
            ]
        )
        self.assertEqual(on_partner, message)
        self.assertIn("Completed", message.body)
        self.assertIn("3:20", message.body)
        self.assertIn("Alice Agent", message.body)
        self.assertIn("October invoice", message.body)
        self.assertIn("https://media.dcx.example/rec/ch-1.ogg", message.body)

    def test_user_mapping_by_id_then_email(self):
        self.post(self.info("usr-1"))
        self.post(
            self.info(
                "usr-2",
                user={"email": "BOB.AGENT@example.com"},
                callee={"jid": "bob@x"},
            )
        )
        self.post(self.info("usr-3", user={"id": "nobody"}, callee="bob"))
        self.process()
        self.assertEqual(self.call_of("usr-1").user_id, self.agent)
        self.assertEqual(self.call_of("usr-2").user_id, self.agent2)
        self.assertFalse(self.call_of("usr-3").user_id)

    def test_linked_record_gets_the_message(self):
        lead = self.env["crm.lead"].create({"name": "Called from here"})
        self.post(
            self.info(
                "rec-1",
                caller="+32 2 999 88 77",
                record={"model": "crm.lead", "id": lead.id},
            )
        )
        self.process()
        call = self.call_of("rec-1")
        self.assertEqual((call.res_model, call.res_id), ("crm.lead", lead.id))
        self.assertEqual(call.linked_record_name, "Called from here")
        self.assertEqual(call.dcx_message_ids.mapped("res_id"), [lead.id])

    def test_transcript_conversation_and_speakers(self):
        self.post(self.transcript("tx-1"))
        self.process()
        call = self.call_of("tx-1")
        self.assertFalse(call.segment_ids.partner_id)  # not linked yet
        self.post(self.info("tx-1"))
        self.process()
        segments = call.segment_ids.sorted("sequence")
        self.assertEqual(segments[0].partner_id, self.customer)
        self.assertEqual(segments[1].user_id, self.agent)
        html = str(call.transcript_html)
        self.assertIn("Customer One", html)
        self.assertIn("Alice Agent", html)
        self.assertLess(html.index("Hello, I need"), html.index("Sure, I am"))
        found = self.Call.search([("segment_ids.text", "ilike", "october invoice")])
        self.assertIn(call, found)

    def test_callback_activity_dedup_window(self):
        def missed(mid, start, **kw):
            return self.info(
                mid, status="no-answer", start_time=start, end_time=None, **kw
            )

        self.post(missed("cb-1", "2026-11-20T10:00:00Z"))
        self.post(missed("cb-2", "2026-11-20T10:40:00Z", caller="0470 12 34 56"))
        self.post(
            self.info(
                "cb-3",
                status="declined",
                start_time="2026-11-20T12:30:00Z",
                end_time=None,
            )
        )
        self.post(
            missed(
                "cb-4",
                "2026-11-20T12:50:00Z",
                direction="outbound",
                callee="+32470123456",
                caller={"jid": "alice@x"},
            )
        )
        self.post(
            self.info(
                "cb-5",
                start_time="2026-11-20T13:00:00Z",
                end_time="2026-11-20T13:01:00Z",
            )
        )
        self.process()
        first, second, third = (
            self.call_of("cb-1"),
            self.call_of("cb-2"),
            self.call_of("cb-3"),
        )
        self.assertEqual(first.state, "missed")
        self.assertTrue(first.callback_activity_id)
        self.assertEqual(second.callback_activity_id, first.callback_activity_id)
        self.assertTrue(third.callback_activity_id)
        self.assertNotEqual(third.callback_activity_id, first.callback_activity_id)
        self.assertFalse(self.call_of("cb-4").callback_activity_id)  # outbound
        self.assertFalse(self.call_of("cb-5").callback_activity_id)  # answered
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(len(activities), 2)
        self.assertEqual(activities.user_id, self.agent)  # the user DCX routed it to
        self.assertEqual(
            activities.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        # no routed user: the customer's salesperson is responsible
        self.post(missed("cb-6", "2026-11-21T10:00:00Z", user=None, callee="+3222"))
        self.process()
        self.assertEqual(self.call_of("cb-6").callback_activity_id.user_id, self.agent2)

    def test_recording_import_with_size_cap(self):
        self.company.write({"dcx_recording_import": True, "dcx_recording_max_mb": 1})
        Recording = self.env.registry["dcx.call.recording"]
        with patch.object(
            Recording,
            "_dcx_download",
            autospec=True,
            return_value=(b"OggS-audio", "audio/ogg"),
        ) as download:
            self.post(self.recording("imp-1"))
            self.post(self.recording("imp-2", size=5 * 1024 * 1024))
            self.process()
        self.assertEqual(download.call_count, 1)
        imported = self.call_of("imp-1").recording_ids
        self.assertEqual(imported.import_state, "imported")
        self.assertEqual(imported.attachment_id.raw, b"OggS-audio")
        self.assertIn(f"/web/content/{imported.attachment_id.id}", imported.player_html)
        self.assertEqual(self.call_of("imp-2").recording_ids.import_state, "too_large")

    def test_recording_import_checksum_mismatch(self):
        self.company.write({"dcx_recording_import": True, "dcx_recording_max_mb": 1})
        Recording = self.env.registry["dcx.call.recording"]
        good = "sha256:" + hashlib.sha256(b"audio-bytes").hexdigest()
        with patch.object(
            Recording,
            "_dcx_download",
            autospec=True,
            return_value=(b"audio-bytes", "audio/ogg"),
        ):
            self.post(self.recording("sum-1", checksum=good))
            self.post(self.recording("sum-2", checksum="sha256:" + "0" * 64))
            self.process()
        self.assertEqual(self.call_of("sum-1").recording_ids.import_state, "imported")
        bad = self.call_of("sum-2").recording_ids
        self.assertEqual(bad.import_state, "failed")
        self.assertEqual(bad.import_error, "checksum mismatch")
        self.assertFalse(bad.attachment_id)
        self.assertIn("https://media.dcx.example/rec/sum-2.ogg", bad.player_html)

    def test_processing_error_then_reprocess(self):
        Call = self.env.registry["dcx.call"]
        with patch.object(
            Call,
            "_dcx_link_customer",
            autospec=True,
            side_effect=RuntimeError("matching exploded"),
        ):
            self.post(self.info("err-1"), msg_id="msg_err_1")
            with self.assertLogs(
                "odoo.addons.dcx_crm.models.dcx_webhook_event", "ERROR"
            ):
                self.process()
        event = self.Event.search([("delivery_id", "=", "msg_err_1")])
        self.assertEqual(event.state, "error")
        self.assertIn("matching exploded", event.error)
        self.assertEqual(event.attempts, 1)
        self.assertFalse(self.call_of("err-1"))
        event.with_user(self.manager).action_reprocess()
        self.assertEqual(event.state, "done")
        self.assertEqual(event.attempts, 2)
        self.assertEqual(self.call_of("err-1").partner_id, self.customer)

    def test_processing_error_isolated_within_a_batch(self):
        Call = self.env.registry["dcx.call"]
        link_customer = Call._dcx_link_customer

        def explode_on_iso_2(call):
            if "iso-2" in call.mapped("meeting_info_id"):
                raise RuntimeError("matching exploded")
            return link_customer(call)

        with patch.object(
            Call, "_dcx_link_customer", autospec=True, side_effect=explode_on_iso_2
        ):
            for name in ("iso-1", "iso-2", "iso-3"):
                self.post(self.info(name), msg_id=f"msg_{name}")
            with self.assertLogs(
                "odoo.addons.dcx_crm.models.dcx_webhook_event", "ERROR"
            ):
                self.process()
        events = self.Event.search([("delivery_id", "like", "msg_iso-")])
        states = {event.delivery_id: event.state for event in events}
        self.assertEqual(
            states, {"msg_iso-1": "done", "msg_iso-2": "error", "msg_iso-3": "done"}
        )
        self.assertEqual(events.mapped("attempts"), [1, 1, 1])
        self.assertFalse(self.call_of("iso-2"))
        for name in ("iso-1", "iso-3"):
            call = self.call_of(name)
            self.assertEqual(call.state, "completed")
            self.assertEqual(call.partner_id, self.customer)
            self.assertEqual(call.event_ids.delivery_id, f"msg_{name}")
            self.assertEqual(len(call.dcx_message_ids), 1)
        failed = events.filtered(lambda e: e.state == "error")
        self.assertIn("matching exploded", failed.error)
        failed.with_user(self.manager).action_reprocess()
        self.assertEqual(failed.state, "done")
        self.assertEqual(self.call_of("iso-2").partner_id, self.customer)
