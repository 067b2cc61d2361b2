from odoo import fields, models


class DcxBenchFloor(models.Model):
    _name = "dcx.bench.floor"
    _description = "DCX bench floor row (raw body)"

    body = fields.Text()
