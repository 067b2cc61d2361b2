from odoo import models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "dcx.call.count.mixin"]
    _dcx_call_link_field = "lead_id"
