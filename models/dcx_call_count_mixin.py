from odoo import api, fields, models


class DcxCallCountMixin(models.AbstractModel):
    """The "Calls" smart button of records that calls link to (customers, leads).

    ``_dcx_call_link_field`` names the ``dcx.call`` many2one pointing at the record.
    """

    _name = "dcx.call.count.mixin"
    _description = "DCX calls smart button"
    _dcx_call_link_field = None

    dcx_call_count = fields.Integer("Calls", compute="_compute_dcx_call_count")

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_dcx_call_count(self):
        counts = {}
        link = self._dcx_call_link_field
        if self.ids and self.env["dcx.call"].has_access("read"):
            groups = self.env["dcx.call"]._read_group(
                [(link, "in", self.ids)], [link], ["__count"]
            )
            counts = {record.id: count for record, count in groups}
        for record in self:
            record.dcx_call_count = counts.get(record.id, 0)

    def action_view_dcx_calls(self):
        self.ensure_one()
        link = self._dcx_call_link_field
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dcx_crm.dcx_call_action"
        )
        action["domain"] = [(link, "=", self.id)]
        action["context"] = {f"default_{link}": self.id}
        return action
