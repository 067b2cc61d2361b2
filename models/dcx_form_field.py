from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

# partner field types the agent form can render
DCX_FORM_TTYPES = (
    "char",
    "text",
    "html",
    "boolean",
    "integer",
    "float",
    "date",
    "datetime",
    "selection",
    "many2one",
    "many2many",
)
# never exposed: technical, computed-by-the-API or handled by other endpoints
DCX_FORM_EXCLUDED = (
    "id",
    "active",
    "create_date",
    "create_uid",
    "write_date",
    "write_uid",
    "display_name",
    "dcx_mobile_e164",
    "dcx_phone_e164",
    "message_ids",
    "activity_ids",
    "company_id",
    "user_ids",
    "parent_path",
)


class DcxFormField(models.Model):
    _name = "dcx.form.field"
    _description = "DCX customer form field"
    _order = "sequence, id"
    _rec_name = "field_id"

    sequence = fields.Integer(default=10)
    field_id = fields.Many2one(
        "ir.model.fields",
        required=True,
        ondelete="cascade",
        domain=[
            ("model", "=", "res.partner"),
            ("ttype", "in", DCX_FORM_TTYPES),
            ("name", "not in", DCX_FORM_EXCLUDED),
        ],
    )
    name = fields.Char("Technical name", related="field_id.name")
    ttype = fields.Selection(related="field_id.ttype")
    label = fields.Char(
        help="Label shown to the agent; the field's own label when empty."
    )
    required = fields.Boolean(
        help="The agent must fill it in when creating a customer."
    )
    readonly = fields.Boolean(
        help="Shown to the agent but not editable through the API."
    )

    _sql_constraints = [
        (
            "field_unique",
            "unique(field_id)",
            "A field can appear only once in the customer form.",
        ),
    ]

    @api.constrains("field_id")
    def _check_field_id(self):
        for line in self:
            field = line.field_id
            if (
                field.model != "res.partner"
                or field.ttype not in DCX_FORM_TTYPES
                or field.name in DCX_FORM_EXCLUDED
            ):
                raise ValidationError(
                    self.env._(
                        "Field %(field)s cannot appear in the DCX customer form.",
                        field=field.name,
                    )
                )

    @api.model
    def _dcx_lines(self):
        """Form lines in order, keeping only fields the partner model still has."""
        partner_fields = self.env["res.partner"]._fields
        return (
            self.sudo()
            .search([])
            .filtered(lambda line: line.field_id.name in partner_fields)
        )

    @api.model
    @tools.ormcache()
    def _dcx_field_names(self):
        """Technical names of the form fields, in order (cached: read on every
        customer serialized by the API)."""
        return tuple(self._dcx_lines().mapped("field_id.name"))

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
