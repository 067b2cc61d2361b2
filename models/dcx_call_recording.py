import base64
import hashlib
import logging
import re

import requests
from markupsafe import Markup

from odoo import api, fields, models

from ..lib import call_state

_logger = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = (5, 60)  # connect, read (seconds)


class RecordingTooLarge(Exception):
    pass


class DcxCallRecording(models.Model):
    _name = "dcx.call.recording"
    _description = "DCX Call Recording"
    _order = "call_id, id"
    _rec_name = "url"

    call_id = fields.Many2one(
        "dcx.call", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="call_id.company_id", store=True, index=True)
    recording_key = fields.Char(required=True, readonly=True)
    recording_ref = fields.Char("DCX recording ID", readonly=True)
    url = fields.Char("URL", readonly=True)
    duration = fields.Float("Duration (s)", readonly=True)
    mime_type = fields.Char("MIME type", readonly=True)
    size = fields.Integer("Size (bytes)", readonly=True)
    checksum = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", readonly=True, ondelete="set null")
    import_state = fields.Selection(
        [
            ("reference", "By reference"),
            ("imported", "Imported"),
            ("too_large", "Too large to import"),
            ("failed", "Import failed"),
        ],
        default="reference",
        readonly=True,
    )
    import_error = fields.Char(readonly=True)
    player_html = fields.Html("Player", compute="_compute_player_html", sanitize=False)

    _sql_constraints = [
        (
            "call_key_uniq",
            "unique(call_id, recording_key)",
            "This recording is already attached to the call.",
        )
    ]

    def _dcx_play_url(self):
        self.ensure_one()
        if self.attachment_id:
            return f"/web/content/{self.attachment_id.id}"
        return self.url or ""

    @api.depends("url", "attachment_id", "mime_type")
    def _compute_player_html(self):
        for rec in self:
            src = rec._dcx_play_url()
            if not src:
                rec.player_html = False
                continue
            rec.player_html = Markup(
                '<audio controls="controls" preload="none" class="w-100" src="%s">'
                '<a href="%s" target="_blank">%s</a></audio>'
            ) % (src, src, src)

    @api.model
    def _dcx_merge(self, call, event):
        """Create or complete the recording of ``event`` on ``call``.

        Returns True when something changed."""
        key = call_state.recording_key(event)
        current = self.search(
            [("call_id", "=", call.id), ("recording_key", "=", key)], limit=1
        )
        snapshot = None
        if current:
            snapshot = {
                "url": current.url or None,
                "duration": current.duration or None,
                "mime_type": current.mime_type or None,
                "size": current.size or None,
                "checksum": current.checksum or None,
                "recording_id": current.recording_ref or None,
            }
        changes = call_state.merge_recording(snapshot, event)
        vals = {
            "url": changes.get("url"),
            "duration": changes.get("duration"),
            "mime_type": changes.get("mime_type"),
            "size": changes.get("size"),
            "checksum": changes.get("checksum"),
            "recording_ref": changes.get("recording_id"),
        }
        vals = {k: v for k, v in vals.items() if v is not None}
        if current and not vals:
            return False
        if current:
            current.write(vals)
            record = current
        else:
            record = self.create(dict(vals, call_id=call.id, recording_key=key))
        if call.company_id.dcx_recording_import and record.import_state in (
            "reference",
            "failed",
        ):
            record._dcx_import()
        return True

    def _dcx_download(self, url, max_bytes):
        """Fetch ``url`` (at most ``max_bytes``); the single network boundary."""
        with requests.get(url, timeout=DOWNLOAD_TIMEOUT, stream=True) as response:
            response.raise_for_status()
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise RecordingTooLarge(length)
            chunks, total = [], 0
            for chunk in response.iter_content(64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise RecordingTooLarge(total)
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("Content-Type")

    def _dcx_import(self):
        for rec in self:
            max_bytes = (
                max(rec.call_id.company_id.dcx_recording_max_mb, 0) * 1024 * 1024
            )
            if rec.size and rec.size > max_bytes:
                rec.write({"import_state": "too_large", "import_error": False})
                continue
            try:
                content, content_type = rec._dcx_download(rec.url, max_bytes)
            except RecordingTooLarge:
                rec.write({"import_state": "too_large", "import_error": False})
                continue
            except (requests.RequestException, OSError, ValueError) as exc:
                _logger.warning("DCX recording import failed for %s: %s", rec.id, exc)
                rec.write({"import_state": "failed", "import_error": str(exc)[:255]})
                continue
            checksum = hashlib.sha256(content).hexdigest()
            expected = (rec.checksum or "").lower().removeprefix("sha256:")
            if re.fullmatch(r"[0-9a-f]{64}", expected) and expected != checksum:
                rec.write(
                    {"import_state": "failed", "import_error": "checksum mismatch"}
                )
                continue
            mimetype = (
                rec.mime_type or (content_type or "").split(";")[0] or "audio/mpeg"
            )
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{rec.call_id.meeting_info_id}-{rec.id}",
                        "datas": base64.b64encode(content),
                        "mimetype": mimetype,
                        "res_model": "dcx.call",
                        "res_id": rec.call_id.id,
                    }
                )
            )
            rec.write(
                {
                    "attachment_id": attachment.id,
                    "import_state": "imported",
                    "import_error": False,
                    "size": rec.size or len(content),
                    "mime_type": mimetype,
                }
            )

    def unlink(self):
        attachments = self.attachment_id
        res = super().unlink()
        attachments.sudo().unlink()
        return res
