from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # --- issue 3: call history ---
    dcx_call_count = fields.Integer("Calls", compute="_compute_dcx_call_count")

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_dcx_call_count(self):
        counts = {}
        if self.ids and self.env["dcx.call"].has_access("read"):
            groups = self.env["dcx.call"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
            counts = {record.id: count for record, count in groups}
        for record in self:
            record.dcx_call_count = counts.get(record.id, 0)

    def action_view_dcx_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dcx_crm.dcx_call_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    # --- end issue 3 ---
