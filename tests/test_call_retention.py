from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .webhook_case import DcxWebhookCase


@tagged("post_install", "-at_install")
class TestCallRetention(DcxWebhookCase):
    def _full_call(self, mid, start):
        self.post(
            self.info(
                mid,
                start_time=start.isoformat() + "Z",
                end_time=(start + timedelta(seconds=200)).isoformat() + "Z",
            )
        )
        self.post(self.transcript(mid))
        self.post(self.recording(mid))

    def test_retention_purge_and_legal_hold(self):
        now = fields.Datetime.now().replace(microsecond=0)
        self.company.dcx_retention_days = 30
        self._full_call("ret-recent", now - timedelta(days=1))
        self._full_call("ret-old", now - timedelta(days=20))
        self._full_call("ret-hold", now - timedelta(days=20))
        self.process()
        old, hold, recent = (
            self.call_of(m) for m in ("ret-old", "ret-hold", "ret-recent")
        )
        hold.legal_hold = True
        purge_cron = self.env.ref("dcx_crm.ir_cron_dcx_call_retention")
        purge_cron.method_direct_trigger()
        self.assertTrue(old.segment_ids and old.recording_ids, "20 days < 30 days")
        with freeze_time(now + timedelta(days=15)):
            purge_cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertFalse(old.segment_ids)
        self.assertFalse(old.recording_ids)
        self.assertFalse(old.has_transcript or old.has_recording)
        self.assertTrue(old.media_purged_at)
        # metadata kept
        self.assertEqual(old.state, "completed")
        self.assertEqual(old.duration, 200)
        self.assertEqual(old.partner_id, self.customer)
        self.assertTrue(
            old.message_ids.filtered(lambda m: "Retention" in (m.body or ""))
        )
        # legal hold and recent calls untouched
        self.assertEqual(len(hold.segment_ids), 3)
        self.assertEqual(len(hold.recording_ids), 1)
        self.assertEqual(len(recent.segment_ids), 3)
        # a late resend of the media does not bring them back
        self.post(self.transcript("ret-old"))
        self.process()
        self.assertFalse(old.segment_ids)

    def test_event_log_purge(self):
        self.company.dcx_event_purge_days = 10
        self.post(self.info("purge-1"), msg_id="purge_done")
        self.process()
        self.post(self.info("purge-2"), msg_id="purge_pending")
        purge_cron = self.env.ref("dcx_crm.ir_cron_dcx_webhook_purge")
        with freeze_time(datetime.now() + timedelta(days=11)):
            purge_cron.method_direct_trigger()
        self.assertFalse(self.Event.search([("delivery_id", "=", "purge_done")]))
        self.assertTrue(self.Event.search([("delivery_id", "=", "purge_pending")]))
        self.assertTrue(self.call_of("purge-1"), "calls are kept")
