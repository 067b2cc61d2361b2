import json
import logging
import time
from collections import OrderedDict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..lib import meeting_payload

_logger = logging.getLogger(__name__)

# Errors meaning "another transaction got there first": roll back and retry.
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.UniqueViolation,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
BATCH_SIZE = 100  # events per transaction of the processing job
CRON_TIME_BUDGET = 240  # seconds per cron run before handing over to a new run
MAX_CONCURRENCY_RETRIES = 5


class DcxWebhookEvent(models.Model):
    _name = "dcx.webhook.event"
    _description = "DCX Webhook Event"
    _order = "id desc"
    _rec_name = "delivery_id"

    delivery_id = fields.Char("Delivery ID", required=True, readonly=True)
    event_type = fields.Char("Type", readonly=True)
    meeting_info_id = fields.Char("Meeting info ID", readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    received_at = fields.Datetime(readonly=True, index=True)
    payload = fields.Text(readonly=True)
    headers = fields.Text(readonly=True, help="The headers that matter, as JSON.")
    auth_method = fields.Selection(
        [("signature", "Signature"), ("bearer", "Bearer secret")], readonly=True
    )
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("done", "Done"),
            ("error", "Error"),
            ("ignored", "Ignored"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    error = fields.Text(readonly=True)
    processed_at = fields.Datetime(readonly=True)
    call_id = fields.Many2one(
        "dcx.call", readonly=True, ondelete="set null", index=True
    )

    _sql_constraints = [
        ("delivery_uniq", "unique(delivery_id)", "This delivery was already received.")
    ]

    # ------------------------------------------------------------------ intake
    @api.model
    def _dcx_store(
        self,
        *,
        delivery_id,
        company,
        event_type,
        meeting_info_id,
        payload,
        headers,
        auth_method,
        state,
    ):
        """Insert one raw delivery; return its id, or None for a known delivery id.

        ``INSERT .. ON CONFLICT DO NOTHING`` keeps this idempotent under
        concurrency: a delivery committed meanwhile by another worker raises a
        serialization failure here, which Odoo answers by retrying the request.
        """
        # A re-sent delivery is answered from a plain MVCC read: an INSERT .. ON
        # CONFLICT on a row that the processing job is updating would wait for
        # the end of the job's transaction.
        self.env.cr.execute(
            SQL("SELECT 1 FROM dcx_webhook_event WHERE delivery_id = %s", delivery_id)
        )
        if self.env.cr.fetchone():
            return None
        now = fields.Datetime.now()
        uid = self.env.uid
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO dcx_webhook_event
                    (delivery_id, event_type, meeting_info_id, company_id, received_at,
                     payload, headers, auth_method, state, attempts,
                     create_uid, write_uid, create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s, %s)
                ON CONFLICT (delivery_id) DO NOTHING
                RETURNING id
                """,
                delivery_id,
                event_type,
                meeting_info_id,
                company.id,
                now,
                payload,
                json.dumps(headers, sort_keys=True),
                auth_method,
                state,
                uid,
                uid,
                now,
                now,
            )
        )
        row = self.env.cr.fetchone()
        return row[0] if row else None

    @api.model
    def _dcx_trigger_processing(self):
        """Wake the processing cron now, unless a due trigger is already queued."""
        cron = self.env.ref(
            "dcx_crm.ir_cron_dcx_webhook_process", raise_if_not_found=False
        )
        if not cron:
            return
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s "
                "AND call_at <= %s LIMIT 1",
                cron.id,
                fields.Datetime.now(),
            )
        )
        if not self.env.cr.fetchone():
            cron.sudo()._trigger()

    # ------------------------------------------------------------------ processing
    @api.model
    def _cron_process_pending(
        self, batch_size=BATCH_SIZE, time_budget=CRON_TIME_BUDGET
    ):
        """Process pending deliveries in batches.

        A cron job: it commits after every batch so that each transaction stays
        short (the intake never waits for it, progress survives a crash) and
        hands over to a new run after ``time_budget`` seconds."""
        started = time.monotonic()
        in_test = self.env.registry.in_test_mode()
        Call = self.env["dcx.call"].with_context(tracking_disable=True)
        total = batches = 0
        retries = 0
        while True:
            events = self.search(
                [("state", "=", "pending")], order="id", limit=batch_size
            )
            if not events:
                # queue drained: chatter notes and call-back activities
                if Call._dcx_run_followups() and not in_test:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                    continue
                if in_test and Call.search_count([("followup_pending", "=", True)]):
                    continue
                break
            try:
                events._dcx_process()
            except CONCURRENCY_ERRORS as exc:
                if in_test or retries >= MAX_CONCURRENCY_RETRIES:
                    raise
                retries += 1
                _logger.info("DCX webhook batch conflicted (%s), retrying", exc.pgcode)
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(0.05 * retries)
                continue
            retries = 0
            total += len(events)
            batches += 1
            if in_test:
                continue
            self.env.cr.commit()  # pylint: disable=invalid-commit
            if batches % 10 == 0:  # never starve the follow-ups under a steady flow
                Call._dcx_run_followups()
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if time.monotonic() - started > time_budget:
                if self.search_count([("state", "=", "pending")], limit=1):
                    self._dcx_trigger_processing()
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                break
        if total:
            _logger.info("DCX webhook events processed: %s", total)
        return total

    def _dcx_process(self):
        """Apply these events to their calls, grouped per call; never raises for
        a bad event (it is marked as error) but lets concurrency errors through."""
        groups = OrderedDict()
        for event in self.sorted("id"):
            if event.state not in ("pending", "error"):
                continue
            try:
                parsed = meeting_payload.normalize_event(
                    json.loads(event.payload or "")
                )
            except (ValueError, meeting_payload.PayloadError) as exc:
                message = getattr(exc, "errors", None) or str(exc)
                event.write(
                    {
                        "state": "error",
                        "attempts": event.attempts + 1,
                        "error": str(message),
                        "processed_at": fields.Datetime.now(),
                    }
                )
                continue
            if parsed is None:
                event.write({"state": "ignored", "processed_at": fields.Datetime.now()})
                continue
            key = (event.company_id.id, parsed["meeting_info_id"])
            groups.setdefault(key, []).append((event, parsed))
        if not groups:
            return
        Call = self.env["dcx.call"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        calls = Call.with_context(active_test=False).search(
            [("meeting_info_id", "in", list({key[1] for key in groups}))]
        )
        existing = {(call.company_id.id, call.meeting_info_id): call for call in calls}
        done = None
        if len(groups) > 1 and not self._dcx_has_import_side_effects(groups):
            done = self._dcx_apply_groups_at_once(Call, groups, existing)
        if done is None:
            done = self._dcx_apply_groups_one_by_one(Call, groups, existing)
        self._dcx_mark_done_many(done)

    def _dcx_has_import_side_effects(self, groups):
        """Recordings downloaded while applying (not undone by a rollback)."""
        companies = self.env["res.company"].browse({key[0] for key in groups})
        importing = set(companies.filtered("dcx_recording_import").ids)
        return any(
            parsed["type"] == "recording"
            for (company_id, _mid), items in groups.items()
            if company_id in importing
            for _event, parsed in items
        )

    def _dcx_apply_group(self, Call, key, items, existing):
        company_id, meeting_info_id = key
        call = existing.get(key)
        if not call:
            # ``existing`` holds every call of the batch's meetings: create.
            # A concurrent creation ends in a unique violation (retried).
            meeting_id = next(
                (p["meeting_id"] for _e, p in items if p["meeting_id"]), None
            )
            company = self.env["res.company"].browse(company_id)
            call = Call.with_company(company).create(
                {
                    "company_id": company_id,
                    "meeting_info_id": meeting_info_id,
                    "meeting_id": meeting_id,
                }
            )
        call._dcx_apply_events([parsed for _e, parsed in items])
        return call

    def _dcx_apply_groups_at_once(self, Call, groups, existing):
        """Fast path: every group in one savepoint and one flush.

        Returns [(event ids, call id)], or None when a group failed: everything
        is then rolled back and the caller applies the groups one by one (so a
        bad event is isolated exactly as in the slow path)."""
        done = []
        try:
            with self.env.cr.savepoint():
                for key, items in groups.items():
                    call = self._dcx_apply_group(Call, key, items, existing)
                    done.append(([event.id for event, _p in items], call.id))
        except CONCURRENCY_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - retried group by group
            _logger.info("DCX webhook batch: a group failed (%s), isolating", exc)
            self.env.invalidate_all()
            return None
        return done

    def _dcx_apply_groups_one_by_one(self, Call, groups, existing):
        """One savepoint per call group: a bad event must not stop the batch."""
        done = []
        for key, items in groups.items():
            events = self.browse([event.id for event, _parsed in items])
            try:
                with self.env.cr.savepoint():
                    call = self._dcx_apply_group(Call, key, items, existing)
            except CONCURRENCY_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - a bad event must not stop the batch
                _logger.exception("DCX webhook events %s failed", events.ids)
                self.env.invalidate_all()
                for event in events:
                    event.write(
                        {
                            "state": "error",
                            "attempts": event.attempts + 1,
                            "error": f"{type(exc).__name__}: {exc}",
                            "processed_at": fields.Datetime.now(),
                        }
                    )
                continue
            done.append((events.ids, call.id))
        return done

    def _dcx_mark_done_many(self, done):
        """One UPDATE for all events applied: ``done`` is [(event ids, call id)]."""
        rows = [(event_id, call_id) for ids, call_id in done for event_id in ids]
        if not rows:
            return
        events = self.browse([event_id for event_id, _call_id in rows])
        events.flush_recordset()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                UPDATE dcx_webhook_event AS e
                   SET state = 'done', attempts = e.attempts + 1, error = NULL,
                       processed_at = %s, call_id = v.call_id, write_date = %s,
                       write_uid = %s
                  FROM (VALUES %s) AS v(id, call_id)
                 WHERE e.id = v.id
                """,
                now,
                now,
                self.env.uid,
                SQL(", ").join(
                    SQL("(%s::int, %s::int)", event_id, call_id)
                    for event_id, call_id in rows
                ),
            )
        )
        events.invalidate_recordset(
            [
                "state",
                "attempts",
                "error",
                "processed_at",
                "call_id",
                "write_date",
                "write_uid",
            ]
        )

    def action_reprocess(self):
        """Manager button: process again now (errors and done events alike)."""
        self.check_access("write")
        self.sudo().write({"state": "pending", "error": False})
        self.sudo()._dcx_process()
        self.sudo().call_id.filtered("followup_pending")._dcx_run_followups()
        if len(self) == 1:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": _("Reprocessed"),
                    "message": _(
                        "Delivery %(id)s: %(state)s",
                        id=self.delivery_id,
                        state=dict(self._fields["state"].selection)[self.state],
                    ),
                    "type": "success"
                    if self.state in ("done", "ignored")
                    else "warning",
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return True

    # ------------------------------------------------------------------ purge
    @api.model
    def _cron_purge_events(self):
        """Delete webhook log rows older than each company's setting (not pending)."""
        for company in self.env["res.company"].search(
            [("dcx_event_purge_days", ">", 0)]
        ):
            limit_date = fields.Datetime.now() - timedelta(
                days=company.dcx_event_purge_days
            )
            old = self.search(
                [
                    ("company_id", "=", company.id),
                    ("received_at", "<", limit_date),
                    ("state", "!=", "pending"),
                ]
            )
            if old:
                _logger.info(
                    "DCX webhook log: purging %s events of %s", len(old), company.name
                )
                old.unlink()
