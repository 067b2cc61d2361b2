import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import call_state
from ..lib.meeting_payload import STATES

_logger = logging.getLogger(__name__)

STATE_SELECTION = [
    ("dialing", "Dialing"),
    ("ringing", "Ringing"),
    ("ongoing", "Ongoing"),
    ("completed", "Completed"),
    ("missed", "Missed"),
    ("rejected", "Rejected"),
    ("busy", "Busy"),
    ("failed", "Failed"),
]
assert [key for key, _label in STATE_SELECTION] == list(STATES)

# Snapshot fields (lib.call_state names) stored 1:1 on the call.
_INFO_TO_FIELD = {
    "meeting_id": "meeting_id",
    "direction": "direction",
    "status_raw": "status_raw",
    "caller_number": "caller_number",
    "caller_jid": "caller_jid",
    "caller_user_id": "caller_dcx_user",
    "caller_email": "caller_email",
    "caller_name": "caller_name",
    "callee_number": "callee_number",
    "callee_jid": "callee_jid",
    "callee_user_id": "callee_dcx_user",
    "callee_email": "callee_email",
    "callee_name": "callee_name",
    "dcx_user_id": "dcx_user_ref",
    "dcx_user_email": "dcx_user_email",
    "dcx_user_jid": "dcx_user_jid",
    "res_model": "res_model",
    "res_id": "res_id",
    "info_summary": "info_summary",
    "state": "state",
    "start_time": "start_time",
    "end_time": "end_time",
    "duration": "duration",
    "info_key": "info_key",
}


def _fmt_duration(seconds):
    seconds = int(round(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class DcxCall(models.Model):
    _name = "dcx.call"
    _description = "DCX Call"
    _inherit = ["mail.thread"]
    _order = "call_date desc, id desc"
    _rec_names_search = ["name", "meeting_info_id", "customer_number"]

    name = fields.Char(compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    meeting_info_id = fields.Char(
        "Meeting info ID", required=True, index=True, readonly=True, copy=False
    )
    meeting_id = fields.Char("Meeting ID", index=True, readonly=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")], readonly=True
    )
    state = fields.Selection(
        STATE_SELECTION,
        string="Status",
        readonly=True,
        index=True,
        help="Lifecycle state: dialing < ringing < ongoing < a final state "
        "(completed, missed, rejected, busy, failed). Never moves backwards.",
    )
    status_raw = fields.Char(
        "DCX status",
        readonly=True,
        help="Status word as sent by DCX (kept when unknown).",
    )
    caller_number = fields.Char(readonly=True)
    caller_jid = fields.Char("Caller JID", readonly=True)
    caller_dcx_user = fields.Char("Caller DCX user", readonly=True)
    caller_email = fields.Char(readonly=True)
    caller_name = fields.Char(readonly=True)
    callee_number = fields.Char(readonly=True)
    callee_jid = fields.Char("Callee JID", readonly=True)
    callee_dcx_user = fields.Char("Callee DCX user", readonly=True)
    callee_email = fields.Char(readonly=True)
    callee_name = fields.Char(readonly=True)
    customer_number = fields.Char(
        compute="_compute_customer_number",
        store=True,
        index=True,
        help="The customer's side: the caller of an inbound call, the callee of an "
        "outbound one.",
    )
    dcx_user_ref = fields.Char("DCX user ID", readonly=True, index=True)
    dcx_user_email = fields.Char("DCX user e-mail", readonly=True)
    dcx_user_jid = fields.Char("DCX user JID", readonly=True)
    user_id = fields.Many2one("res.users", index=True, tracking=True)
    partner_id = fields.Many2one("res.partner", "Customer", index=True, tracking=True)
    other_partner_ids = fields.Many2many(
        "res.partner",
        "dcx_call_other_partner_rel",
        "call_id",
        "partner_id",
        string="Other matches",
        help="Other contacts with the same number.",
    )
    lead_id = fields.Many2one("crm.lead", index=True, tracking=True)
    res_model = fields.Char("Linked model", readonly=True)
    res_id = fields.Many2oneReference(
        "Linked record ID", model_field="res_model", readonly=True
    )
    linked_record_name = fields.Char(compute="_compute_linked_record_name")
    start_time = fields.Datetime(readonly=True)
    end_time = fields.Datetime(readonly=True)
    call_date = fields.Datetime(
        "Date", compute="_compute_call_date", store=True, index=True
    )
    duration = fields.Float("Duration (s)", readonly=True, aggregator="sum")
    duration_minutes = fields.Float(
        "Duration (min)",
        compute="_compute_duration_minutes",
        store=True,
        aggregator="sum",
    )
    duration_display = fields.Char("Duration", compute="_compute_duration_display")
    info_summary = fields.Text("Meeting summary", readonly=True)
    transcript_summary = fields.Text(readonly=True)
    summary = fields.Text(compute="_compute_summary", store=True)
    language = fields.Char(readonly=True)
    segment_ids = fields.One2many(
        "dcx.call.transcript.segment", "call_id", "Transcript"
    )
    segment_count = fields.Integer(readonly=True)
    transcript_chars = fields.Integer(readonly=True)
    has_transcript = fields.Boolean(compute="_compute_has_media", store=True)
    transcript_html = fields.Html(
        "Conversation", compute="_compute_transcript_html", sanitize=False
    )
    recording_ids = fields.One2many("dcx.call.recording", "call_id", "Recordings")
    recording_count = fields.Integer(compute="_compute_has_media", store=True)
    has_recording = fields.Boolean(compute="_compute_has_media", store=True)
    info_key = fields.Char(readonly=True, copy=False)
    last_event_at = fields.Datetime("Last event applied", readonly=True)
    event_ids = fields.One2many("dcx.webhook.event", "call_id", "Webhook events")
    dcx_message_ids = fields.Many2many(
        "mail.message",
        "dcx_call_mail_message_rel",
        "call_id",
        "message_id",
        string="Chatter messages",
        copy=False,
        help="The message posted about this call on the customer, lead and linked "
        "record (updated in place).",
    )
    callback_activity_id = fields.Many2one("mail.activity", readonly=True, copy=False)
    followup_pending = fields.Boolean(
        index=True,
        copy=False,
        readonly=True,
        help="Technical: the chatter note and call-back activity must be refreshed "
        "(done by the processing job right after the events of the batch).",
    )
    legal_hold = fields.Boolean(
        tracking=True,
        help="Exempts this call's transcript and recordings from the retention purge.",
    )
    media_purged_at = fields.Datetime("Media purged on", readonly=True, copy=False)
    user_has_dcx_manager = fields.Boolean(compute="_compute_user_has_dcx_manager")
    dcx_partner_readable = fields.Boolean(
        compute="_compute_dcx_partner_readable",
        search="_search_dcx_partner_readable",
        help="Technical: the customer of the call is readable by the current user.",
    )

    _sql_constraints = [
        (
            "meeting_info_company_uniq",
            "unique(company_id, meeting_info_id)",
            "A call with this meeting info ID already exists in this company.",
        )
    ]

    # ------------------------------------------------------------------ computes
    @api.depends("direction", "customer_number", "partner_id", "state", "call_date")
    def _compute_name(self):
        labels = dict(self._fields["direction"].selection)
        for call in self:
            who = call.partner_id.name or call.customer_number or call.meeting_info_id
            direction = labels.get(call.direction) or _("Call")
            call.name = f"{direction} · {who}"

    @api.depends("direction", "caller_number", "callee_number")
    def _compute_customer_number(self):
        for call in self:
            if call.direction == "outbound":
                call.customer_number = call.callee_number or False
            else:
                call.customer_number = call.caller_number or call.callee_number or False

    @api.depends("start_time")
    def _compute_call_date(self):
        for call in self:
            call.call_date = (
                call.start_time or call.create_date or fields.Datetime.now()
            )

    @api.depends("duration")
    def _compute_duration_minutes(self):
        for call in self:
            call.duration_minutes = round((call.duration or 0.0) / 60.0, 2)

    @api.depends("duration")
    def _compute_duration_display(self):
        for call in self:
            call.duration_display = (
                _fmt_duration(call.duration) if call.duration else ""
            )

    @api.depends("info_summary", "transcript_summary")
    def _compute_summary(self):
        for call in self:
            call.summary = call.transcript_summary or call.info_summary or False

    @api.depends("segment_count", "recording_ids")
    def _compute_has_media(self):
        for call in self:
            call.has_transcript = bool(call.segment_count)
            call.recording_count = len(call.recording_ids)
            call.has_recording = bool(call.recording_ids)

    @api.depends("res_model", "res_id")
    def _compute_linked_record_name(self):
        for call in self:
            record = call._dcx_linked_record()
            call.linked_record_name = record.display_name if record else False

    @api.depends_context("uid")
    def _compute_user_has_dcx_manager(self):
        is_manager = self.env.user.has_group("dcx_crm.group_dcx_manager")
        for call in self:
            call.user_has_dcx_manager = is_manager

    def write(self, vals):
        if (
            "legal_hold" in vals
            and not self.env.su
            and not self.env.user.has_group("dcx_crm.group_dcx_manager")
        ):
            raise AccessError(_("Only DCX administrators can change the legal hold."))
        return super().write(vals)

    @api.depends_context("uid")
    def _compute_dcx_partner_readable(self):
        partners = self.partner_id._filtered_access("read")
        for call in self:
            call.dcx_partner_readable = (
                bool(call.partner_id) and call.partner_id in partners
            )

    def _search_dcx_partner_readable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on %s", "dcx_partner_readable"))
        # Partners readable by the *real* user (record rules of res.partner), even
        # when evaluated from a record rule (rules are evaluated as superuser).
        partners = (
            self.env["res.partner"]
            .with_user(self.env.uid)
            .with_context(active_test=False)
            ._search([])
        )
        positive = (operator == "=") == value
        return [("partner_id", "in" if positive else "not in", partners)]

    @api.depends("segment_ids", "partner_id", "user_id")
    def _compute_transcript_html(self):
        for call in self:
            call.transcript_html = call._dcx_render_transcript()

    def _dcx_render_transcript(self):
        self.ensure_one()
        if not self.segment_ids:
            return False
        rows = []
        for seg in self.segment_ids.sorted(lambda s: (s.sequence, s.id)):
            side = (
                "customer" if seg.partner_id else ("agent" if seg.user_id else "other")
            )
            who = seg.partner_id.name or seg.user_id.name or seg.speaker or _("Unknown")
            stamp = (
                _fmt_duration(seg.start_offset) if seg.start_offset is not None else ""
            )
            rows.append(
                Markup(
                    '<div class="o_dcx_segment o_dcx_segment_%s mb-2">'
                    '<span class="text-muted small me-2">%s</span>'
                    "<strong>%s</strong>: <span>%s</span></div>"
                )
                % (side, stamp, who, seg.text or "")
            )
        return Markup('<div class="o_dcx_transcript">%s</div>') % Markup("").join(rows)

    def _dcx_linked_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        record = self.env[self.res_model].browse(self.res_id).exists()
        return record or None

    # ------------------------------------------------------------------ actions
    def action_open_linked_record(self):
        self.ensure_one()
        record = self._dcx_linked_record()
        if not record:
            raise UserError(_("The linked record no longer exists."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------ merging
    def _dcx_snapshot(self):
        """The call as a lib.call_state snapshot (flat dict)."""
        self.ensure_one()
        snap = {key: self[fname] or None for key, fname in _INFO_TO_FIELD.items()}
        snap["transcript_key"] = (self.segment_count, self.transcript_chars)
        snap["transcript_summary"] = self.transcript_summary or None
        snap["language"] = self.language or None
        return snap

    @api.model
    def _dcx_get_or_create(self, meeting_info_id, company, meeting_id=None):
        """The call of ``meeting_info_id`` in ``company``, created when missing.

        Creation races with another transaction end in a unique violation which
        the caller turns into a retry (see dcx.webhook.event._dcx_process).
        """
        call = self.with_context(active_test=False).search(
            [
                ("company_id", "=", company.id),
                ("meeting_info_id", "=", meeting_info_id),
            ],
            limit=1,
        )
        if call:
            return call
        return self.with_company(company).create(
            {
                "company_id": company.id,
                "meeting_info_id": meeting_info_id,
                "meeting_id": meeting_id,
            }
        )

    def _dcx_merge_events(self, events):
        """Fold events into the call snapshot (pure, lib.call_state).

        Returns (snapshot, info changed?, new segments or None, recordings)."""
        snap = self._dcx_snapshot()
        info_changed = False
        new_segments = None
        recordings = []
        for event in events:
            if self.media_purged_at and event["type"] != "meeting_info":
                continue  # media past retention are not re-imported
            if event["type"] == "meeting_info":
                changes = call_state.merge_info(snap, event)
                info_changed |= bool(changes)
                snap.update(changes)
            elif event["type"] == "transcription":
                changes = call_state.merge_transcript(snap, event)
                if "segments" in changes:
                    new_segments = changes.pop("segments")
                snap.update(changes)
            elif event["type"] == "recording":
                recordings.append(event)
            if event.get("meeting_id") and not snap.get("meeting_id"):
                snap["meeting_id"] = event["meeting_id"]
        return snap, info_changed, new_segments, recordings

    def _dcx_snapshot_vals(self, snap, new_segments):
        """Write values turning the stored call into ``snap``."""
        vals = {}
        for key, fname in _INFO_TO_FIELD.items():
            value, current = snap.get(key), self[fname] or None
            if key == "res_id":
                value, current = value or 0, current or 0
            if value != current:
                vals[fname] = value if value is not None else False
        for fname in ("transcript_summary", "language"):
            if (snap.get(fname) or None) != (self[fname] or None):
                vals[fname] = snap.get(fname) or False
        if new_segments is not None:
            key = call_state.transcript_key(new_segments)
            vals["segment_count"], vals["transcript_chars"] = key
            Segment = self.env["dcx.call.transcript.segment"]
            vals["segment_ids"] = [(5, 0, 0)] + [
                (0, 0, Segment._dcx_values(seg)) for seg in new_segments
            ]
        return vals

    def _dcx_apply_events(self, events):
        """Apply normalized events (lib.meeting_payload) in order; return True if
        anything changed. Idempotent and order-tolerant (lib.call_state)."""
        self.ensure_one()
        snap, info_changed, new_segments, recordings = self._dcx_merge_events(events)
        vals = self._dcx_snapshot_vals(snap, new_segments)
        changed = bool(vals)
        for recording in recordings:
            changed |= self.env["dcx.call.recording"]._dcx_merge(self, recording)
        if changed:
            vals["last_event_at"] = fields.Datetime.now()
            vals["followup_pending"] = True
            self.write(vals)
        if info_changed or not self.user_id:
            self._dcx_map_user()
        if info_changed and not self.partner_id:
            self._dcx_link_customer()
        if self.segment_ids and (new_segments is not None or info_changed):
            self.segment_ids._dcx_match_speakers()
        return changed

    # ------------------------------------------------------------------ linking
    def _dcx_map_user(self):
        """Odoo user from the DCX user (id field on res.users, else e-mail)."""
        Users = self.env["res.users"].with_context(active_test=True)
        for call in self.filtered(lambda c: not c.user_id):
            user = Users.browse()
            refs = [r for r in (call.dcx_user_ref, call.callee_dcx_user) if r]
            if call.direction == "outbound" and call.caller_dcx_user:
                refs.insert(0, call.caller_dcx_user)
            if refs:
                user = Users.search(
                    [("dcx_user_ref", "in", refs), ("share", "=", False)], limit=1
                )
            emails = [e for e in (call.dcx_user_email, call.callee_email) if e]
            if call.direction == "outbound" and call.caller_email:
                emails.insert(0, call.caller_email)
            for email in emails if not user else []:
                user = Users.search(
                    [
                        ("share", "=", False),
                        "|",
                        ("login", "=ilike", email),
                        ("email", "=ilike", email),
                    ],
                    limit=1,
                )
                if user:
                    break
            if user:
                call.user_id = user

    def _dcx_link_customer(self):
        """Match the customer by number; prefer the one with an open lead."""
        Partner = self.env["res.partner"]
        Lead = self.env["crm.lead"]
        for call in self:
            number = call.customer_number
            if not number:
                continue
            partners = Partner._dcx_search_by_number(number, limit=20)
            vals = {}
            lead = Lead.browse()
            if partners:
                leads = Lead.search(
                    [
                        ("partner_id", "in", partners.ids),
                        ("active", "=", True),
                        ("probability", "<", 100),
                        ("stage_id.is_won", "=", False),
                    ],
                    order="date_last_stage_update desc, id desc",
                )
                if leads:
                    lead = leads[0]
                    partner = lead.partner_id
                else:
                    partner = partners[0]
                vals["partner_id"] = partner.id
                vals["other_partner_ids"] = [(6, 0, (partners - partner).ids)]
            else:
                lead = Lead.search(
                    [
                        ("phone_mobile_search", "=", number),
                        ("active", "=", True),
                        ("probability", "<", 100),
                    ],
                    limit=1,
                    order="id desc",
                )
            if lead and not call.lead_id:
                vals["lead_id"] = lead.id
            if vals:
                call.write(vals)

    # ------------------------------------------------------------------ follow-up
    def _dcx_chatter_body(self):
        self.ensure_one()
        directions = dict(self._fields["direction"].selection)
        states = dict(self._fields["state"].selection)
        base = self.get_base_url()
        link = Markup('<a href="%s/odoo/action-dcx_crm.dcx_call_action/%s">%s</a>') % (
            base,
            self.id,
            _("Open call"),
        )
        parts = [
            Markup("<p><strong>%s</strong> · %s</p>")
            % (
                _(
                    "%(direction)s call",
                    direction=directions.get(self.direction, _("DCX")),
                ),
                states.get(self.state) or self.status_raw or _("Unknown"),
            ),
            Markup("<ul>"),
        ]
        items = [
            (_("Number"), self.customer_number),
            (_("Duration"), self.duration_display),
            (_("User"), self.user_id.name),
            (
                _("Start"),
                self.start_time and fields.Datetime.to_string(self.start_time),
            ),
        ]
        for label, value in items:
            if value:
                parts.append(Markup("<li>%s: %s</li>") % (label, value))
        parts.append(Markup("</ul>"))
        if self.recording_ids:
            rec = self.recording_ids[0]
            parts.append(
                Markup('<p>🔊 <a href="%s" target="_blank">%s</a></p>')
                % (rec._dcx_play_url(), _("Play recording"))
            )
        if self.summary:
            parts.append(Markup("<p><em>%s</em></p>") % self.summary)
        parts.append(Markup("<p>%s</p>") % link)
        return Markup("").join(parts)

    @api.model
    def _dcx_run_followups(self, limit=200):
        """Refresh chatter notes and call-back activities of changed calls.

        Kept out of the event transaction so that several events of one call
        coalesce into one chatter update. Returns the number of calls done."""
        calls = self or self.search([("followup_pending", "=", True)], limit=limit)
        for call in calls:
            try:
                with self.env.cr.savepoint():
                    call._dcx_update_chatter()
                    call._dcx_schedule_callback()
                    self.env.flush_all()
            except Exception:  # noqa: BLE001 - one call must not block the others
                _logger.exception(
                    "DCX call %s: chatter/call-back update failed", call.id
                )
                self.env.invalidate_all()
        calls.write({"followup_pending": False})
        return len(calls)

    def _dcx_update_chatter(self):
        """One message per call and target record, updated in place."""
        for call in self:
            if not call.state and not call.start_time:
                continue  # nothing meaningful yet (only media received)
            targets = [call.partner_id, call.lead_id]
            record = call._dcx_linked_record()
            if record is not None and hasattr(record, "message_post"):
                targets.append(record)
            body = call._dcx_chatter_body()
            posted = call.sudo().dcx_message_ids
            for target in targets:
                if not target:
                    continue
                message = posted.filtered(
                    lambda m, t=target: m.model == t._name and m.res_id == t.id
                )[:1]
                if message:
                    if message.body != body:
                        message.sudo().write({"body": body})
                    continue
                message = (
                    target.sudo()
                    .with_context(mail_create_nosubscribe=True)
                    .message_post(
                        body=body,
                        message_type="comment",
                        subtype_xmlid="mail.mt_note",
                        author_id=(
                            call.user_id.partner_id or self.env.user.partner_id
                        ).id,
                    )
                )
                call.sudo().dcx_message_ids = [(4, message.id)]

    def _dcx_schedule_callback(self):
        """One "Call back" activity per caller within the configured window."""
        activity_type = self.env.ref(
            "mail.mail_activity_data_call", raise_if_not_found=False
        )
        for call in self:
            if (
                call.direction != "inbound"
                or call.state not in ("missed", "rejected")
                or call.callback_activity_id
            ):
                continue
            target = call.lead_id or call.partner_id
            if not target:
                continue
            window = call.company_id.dcx_callback_window_minutes or 0
            moment = call.start_time or call.create_date
            if window > 0:
                since = moment - timedelta(minutes=window)
                domain = [
                    ("id", "!=", call.id),
                    ("company_id", "=", call.company_id.id),
                    ("callback_activity_id", "!=", False),
                    ("call_date", ">=", since),
                    ("call_date", "<=", moment + timedelta(minutes=window)),
                    "|",
                    ("partner_id", "=", call.partner_id.id or -1),
                    ("customer_number", "=", call.customer_number or "-"),
                ]
                previous = self.search(domain, limit=1, order="call_date desc")
                if previous and previous.callback_activity_id.exists():
                    call.callback_activity_id = previous.callback_activity_id
                    continue
            responsible = (
                call.user_id or call.partner_id.user_id or call.lead_id.user_id
            )
            activity = target.sudo().activity_schedule(
                act_type_xmlid="mail.mail_activity_data_call" if activity_type else "",
                date_deadline=fields.Date.context_today(call),
                summary=_("Call back %s", call.customer_number or target.display_name),
                note=_("Missed DCX call (%(state)s).", state=call.state),
                user_id=(responsible or self.env.user).id,
            )
            call.callback_activity_id = activity

    # ------------------------------------------------------------------ retention
    @api.model
    def _cron_purge_media(self):
        """Drop transcripts and recordings older than each company's retention.

        A cron job: commits every 500 calls (purged calls leave the domain)."""
        for company in self.env["res.company"].search([("dcx_retention_days", ">", 0)]):
            limit_date = fields.Datetime.now() - timedelta(
                days=company.dcx_retention_days
            )
            domain = [
                ("company_id", "=", company.id),
                ("legal_hold", "=", False),
                ("call_date", "<", limit_date),
                "|",
                ("has_transcript", "=", True),
                ("has_recording", "=", True),
            ]
            Calls = self.with_context(active_test=False)
            while calls := Calls.search(domain, limit=500):
                calls._dcx_purge_media()
                if not self.env.registry.in_test_mode():
                    self.env.cr.commit()  # pylint: disable=invalid-commit

    def _dcx_purge_media(self):
        for call in self:
            if call.legal_hold:
                continue
            segments, recordings = len(call.segment_ids), len(call.recording_ids)
            call.recording_ids.unlink()
            call.write(
                {
                    "segment_ids": [(5, 0, 0)],
                    "segment_count": 0,
                    "transcript_chars": 0,
                    "transcript_summary": False,
                    "media_purged_at": fields.Datetime.now(),
                }
            )
            call.message_post(
                body=_(
                    "Retention: %(segments)s transcript segments and %(recordings)s "
                    "recordings purged.",
                    segments=segments,
                    recordings=recordings,
                ),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
