from odoo import api, fields, models


class DcxCallTranscriptSegment(models.Model):
    _name = "dcx.call.transcript.segment"
    _description = "DCX Call Transcript Segment"
    _order = "call_id, sequence, id"
    _rec_name = "text"

    call_id = fields.Many2one(
        "dcx.call", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="call_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=0, readonly=True)
    speaker = fields.Char("Speaker label", readonly=True)
    partner_id = fields.Many2one("res.partner", "Speaker (contact)", readonly=True)
    user_id = fields.Many2one("res.users", "Speaker (user)", readonly=True)
    start_offset = fields.Float("Start (s)", readonly=True)
    end_offset = fields.Float("End (s)", readonly=True)
    text = fields.Text(readonly=True)
    language = fields.Char(readonly=True)

    @api.model
    def _dcx_values(self, segment):
        """Create values from a normalized segment (lib.meeting_payload)."""
        return {
            "sequence": segment.get("sequence") or 0,
            "speaker": segment.get("speaker") or False,
            "start_offset": segment.get("start") or 0.0,
            "end_offset": segment.get("end") or 0.0,
            "text": segment.get("text") or "",
            "language": segment.get("language") or False,
        }

    def _dcx_match_speakers(self):
        """Link speaker labels to the call's customer or user when they match."""
        for call in self.call_id:
            customer_labels = {
                label.strip().lower()
                for label in (
                    call.customer_number,
                    call.caller_number
                    if call.direction != "outbound"
                    else call.callee_number,
                    call.caller_jid
                    if call.direction != "outbound"
                    else call.callee_jid,
                    call.caller_name
                    if call.direction != "outbound"
                    else call.callee_name,
                    call.partner_id.name,
                    "customer",
                    "caller" if call.direction != "outbound" else "callee",
                )
                if label
            }
            user_labels = {
                label.strip().lower()
                for label in (
                    call.dcx_user_ref,
                    call.dcx_user_jid,
                    call.dcx_user_email,
                    call.user_id.name,
                    call.user_id.login,
                    "agent",
                    call.callee_jid
                    if call.direction != "outbound"
                    else call.caller_jid,
                    call.callee_name
                    if call.direction != "outbound"
                    else call.caller_name,
                )
                if label
            }
            digits = "".join(ch for ch in call.customer_number or "" if ch.isdigit())
            for seg in self.filtered(lambda s, c=call: s.call_id == c):
                label = (seg.speaker or "").strip().lower()
                if not label:
                    continue
                seg_digits = "".join(ch for ch in label if ch.isdigit())
                is_customer = label in customer_labels or (
                    len(seg_digits) >= 6 and digits.endswith(seg_digits[-9:])
                )
                if is_customer and call.partner_id:
                    if seg.partner_id != call.partner_id:
                        seg.partner_id = call.partner_id
                elif label in user_labels and call.user_id:
                    if seg.user_id != call.user_id:
                        seg.user_id = call.user_id
