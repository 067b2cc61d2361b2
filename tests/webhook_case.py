"""Shared set-up of the call-history tests (issue 3): signed real HTTP posts."""

import json
import time
import uuid

from odoo.tests import HttpCase, new_test_user

from odoo.addons.dcx_crm.lib import webhook_signature

WEBHOOK_URL = "/dcx/v1/webhooks/meeting"


class DcxWebhookCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.company.write(
            {
                "country_id": cls.env.ref("base.be").id,
                "dcx_callback_window_minutes": 60,
                "dcx_retention_days": 0,
                "dcx_recording_import": False,
            }
        )
        cls.secret = webhook_signature.generate_secret()
        cls.company._dcx_set_webhook_secrets([cls.secret])
        cls.cron = cls.env.ref("dcx_crm.ir_cron_dcx_webhook_process")
        cls.Call = cls.env["dcx.call"]
        cls.Event = cls.env["dcx.webhook.event"]
        cls.agent = new_test_user(
            cls.env,
            login="dcx_agent",
            name="Alice Agent",
            email="alice.agent@example.com",
            groups="base.group_user,dcx_crm.group_dcx_user",
        )
        cls.agent.dcx_user_ref = "u-alice"
        cls.agent2 = new_test_user(
            cls.env,
            login="dcx_agent2",
            name="Bob Agent",
            email="bob.agent@example.com",
            groups="base.group_user,dcx_crm.group_dcx_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="dcx_manager",
            name="Maria Manager",
            groups="base.group_user,dcx_crm.group_dcx_manager",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Customer One",
                "mobile": "+32 470 12 34 56",
                "country_id": cls.env.ref("base.be").id,
                "user_id": cls.agent2.id,
            }
        )

    # ------------------------------------------------------------------ helpers
    def post(
        self,
        payload=None,
        *,
        body=None,
        secret=None,
        msg_id=None,
        timestamp=None,
        headers=None,
        sign=True,
    ):
        if body is None:
            body = json.dumps(payload).encode()
        elif isinstance(body, str):
            body = body.encode()
        all_headers = {"Content-Type": "application/json"}
        if sign:
            all_headers.update(
                webhook_signature.signed_headers(
                    secret or self.secret,
                    msg_id or f"msg_{uuid.uuid4().hex}",
                    body,
                    timestamp=int(time.time()) if timestamp is None else timestamp,
                )
            )
        all_headers.update(headers or {})
        if not body:  # url_open() would send a GET without data
            return self.opener.post(
                self.base_url() + WEBHOOK_URL,
                data=body,
                headers=all_headers,
                timeout=12,
            )
        return self.url_open(WEBHOOK_URL, data=body, headers=all_headers)

    def process(self):
        """Run the processing cron as the scheduler would."""
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def call_of(self, meeting_info_id):
        return self.Call.with_context(active_test=False).search(
            [("meeting_info_id", "=", meeting_info_id)]
        )

    @staticmethod
    def info(meeting_info_id, **data):
        base = {
            "meeting_id": f"m-{meeting_info_id}",
            "meeting_info_id": meeting_info_id,
            "direction": "inbound",
            "caller": "+32470123456",
            "callee": {"jid": "alice@meet.dcx.example", "user_id": "u-alice"},
            "status": "completed",
            "start_time": "2026-11-20T09:00:00Z",
            "end_time": "2026-11-20T09:03:20Z",
            "user": {"id": "u-alice", "email": "alice.agent@example.com"},
        }
        base.update(data)
        return {"type": "meeting_info", "data": base}

    @staticmethod
    def transcript(meeting_info_id, segments=None, **data):
        base = {
            "meeting_id": f"m-{meeting_info_id}",
            "meeting_info_id": meeting_info_id,
            "language": "en",
            "summary": "Customer wants the October invoice again.",
            "segments": segments
            or [
                {
                    "speaker": "+32470123456",
                    "start": 0,
                    "end": 3.5,
                    "text": "Hello, I need my October invoice.",
                },
                {
                    "speaker": "alice@meet.dcx.example",
                    "start": 3.6,
                    "end": 6,
                    "text": "Sure, I am sending it right now.",
                },
                {"speaker": "+32470123456", "start": 6.2, "end": 7, "text": "Thanks!"},
            ],
        }
        base.update(data)
        return {"type": "transcription", "data": base}

    @staticmethod
    def recording(meeting_info_id, **data):
        base = {
            "meeting_id": f"m-{meeting_info_id}",
            "meeting_info_id": meeting_info_id,
            "url": f"https://media.dcx.example/rec/{meeting_info_id}.ogg",
            "duration": 200,
            "mime_type": "audio/ogg",
            "size": 4096,
        }
        base.update(data)
        return {"type": "recording", "data": base}
