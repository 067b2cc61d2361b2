"""Customers as the DCX CRM-provider API sees them (JSON in, JSON out).

Everything runs as the current (token) user: access rights and record rules
apply; only the form configuration and settings are read with sudo.
"""

import ast
import datetime

from odoo import api, fields, models
from odoo.fields import Command
from odoo.osv import expression

from odoo.addons.dcx_crm.lib import customer_query, phone

CHOICES_LIMIT = 2000  # many2one/many2many comodels up to this size list their choices
EMAIL_FIELDS = ("email",)
PHONE_FIELDS = ("mobile", "phone")
URL_FIELDS = ("website",)
TEXT_TYPES = ("char", "text", "html")
BODY_ALIASES = {"mobile_no": "mobile"}
OUTPUT_FIELDS = {
    "name",
    "email",
    "mobile",
    "phone",
    "dcx_mobile_e164",
    "dcx_phone_e164",
    "is_company",
    "company_name",
    "parent_id",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "lang",
    "category_id",
    "active",
    "create_date",
    "write_date",
}


def _iso(value):
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


class DcxCustomerService(models.AbstractModel):
    _name = "dcx.customer.service"
    _description = "DCX customer API service"

    # ------------------------------------------------------------------ scope
    @api.model
    def _customer_domain(self):
        """The Settings domain narrowing which partners are customers."""
        raw = (
            self.env["ir.config_parameter"].sudo().get_param("dcx_crm.customer_domain")
        )
        return self._parse_domain(raw)

    @api.model
    def _parse_domain(self, raw):
        if not raw or not raw.strip():
            return []
        domain = ast.literal_eval(raw.strip())
        if not isinstance(domain, (list, tuple)):
            raise ValueError("a domain must be a list")
        domain = list(domain)
        expression.expression(domain, self.env["res.partner"].sudo())  # validates it
        return domain

    @api.model
    def _customers(self):
        return self.env["res.partner"].with_context(active_test=True)

    @api.model
    def _find(self, domain, **kwargs):
        domain = expression.AND([self._customer_domain(), domain])
        return self._customers().search(domain, **kwargs)

    @api.model
    def _get(self, partner_id):
        """The customer ``partner_id`` if the current user may see it, else empty."""
        return self._find([("id", "=", partner_id)], limit=1)

    @api.model
    def _search_page(self, query):
        """(total_count, partners) of a parsed :mod:`customer_query`."""
        domain = expression.AND([self._customer_domain(), query.domain])
        customers = self._customers()
        partners = customers.search(
            domain, order=query.order, limit=query.limit, offset=query.offset
        )
        if query.offset == 0 and len(partners) < query.limit:
            return len(partners), partners  # the whole result: no count query
        return customers.search_count(domain), partners

    # --------------------------------------------------------------- template
    @api.model
    def _form_type(self, name, field):
        if name in EMAIL_FIELDS:
            return "email"
        if name in PHONE_FIELDS:
            return "phone"
        if name in URL_FIELDS:
            return "url"
        if field.type == "monetary":
            return "float"
        return field.type

    @api.model
    def _choices(self, name, field):
        env = self.env
        if field.type == "selection":
            return [
                {"value": value, "label": label}
                for value, label in field._description_selection(env)
            ]
        if field.type not in ("many2one", "many2many"):
            return None
        comodel = env[field.comodel_name]
        if not comodel.has_access("read"):
            return None
        domain = field.get_domain_list(env["res.partner"]) if field.domain else []
        try:
            if comodel.search_count(domain, limit=CHOICES_LIMIT + 1) > CHOICES_LIMIT:
                return None
            records = comodel.search(domain)
        except (ValueError, TypeError):
            return None
        choices = []
        for record in records:
            choice = {"value": record.id, "label": record.display_name}
            if "code" in comodel._fields:
                choice["code"] = record.code or None
            if field.comodel_name == "res.country.state":
                choice["country_id"] = record.country_id.id
            choices.append(choice)
        return choices

    @api.model
    def _template(self):
        """Ordered field descriptions of the customer form."""
        partner_fields = self.env["res.partner"]._fields
        result = []
        for line in self.env["dcx.form.field"]._dcx_lines():
            field = partner_fields[line.name]
            writable = not (field.readonly or (field.compute and not field.inverse))
            result.append(
                {
                    "name": line.name,
                    "label": line.label
                    or line.field_id.with_context(lang=self.env.lang).field_description,
                    "type": self._form_type(line.name, field),
                    "required": bool(line.required or field.required),
                    "readonly": bool(line.readonly or not writable),
                    "max_length": field.size or None if field.type == "char" else None,
                    "sequence": line.sequence,
                    "help": field.help or None,
                    "relation": field.comodel_name if field.relational else None,
                    "choices": self._choices(line.name, field),
                }
            )
        return result

    # ------------------------------------------------------------ JSON output
    @api.model
    def _raw_value(self, partner, name):
        field = partner._fields[name]
        value = partner[name]
        if field.type == "many2one":
            return value.id or None
        if field.type in ("many2many", "one2many"):
            return value.ids
        if field.type == "boolean":
            return bool(value)
        if field.type in ("date", "datetime"):
            return _iso(value)
        if value is False:
            return None
        return str(value) if field.type == "html" else value

    @api.model
    def _to_json(self, partners):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        names = self.env["dcx.form.field"]._dcx_field_names()
        stored = {name for name in names if partners._fields[name].store}
        partners.fetch(list(OUTPUT_FIELDS | stored))
        result = []
        for partner in partners:
            company_name = (
                partner.parent_id.name if partner.parent_id else partner.company_name
            )
            result.append(
                {
                    "id": partner.id,
                    "name": partner.name or "",
                    "display_name": partner.display_name or "",
                    "email": partner.email or None,
                    "mobile_no": partner.mobile or partner.phone or None,
                    "mobile_e164": partner.dcx_mobile_e164 or None,
                    "phone": partner.phone or None,
                    "phone_e164": partner.dcx_phone_e164 or None,
                    "is_company": partner.is_company,
                    "company_name": company_name or None,
                    "parent_id": partner.parent_id.id or None,
                    "street": partner.street or None,
                    "street2": partner.street2 or None,
                    "city": partner.city or None,
                    "zip": partner.zip or None,
                    "state": {
                        "id": partner.state_id.id,
                        "code": partner.state_id.code or None,
                        "name": partner.state_id.name,
                    }
                    if partner.state_id
                    else None,
                    "country": {
                        "id": partner.country_id.id,
                        "code": partner.country_id.code or None,
                        "name": partner.country_id.name,
                    }
                    if partner.country_id
                    else None,
                    "lang": partner.lang or None,
                    "tags": [
                        {"id": tag.id, "name": tag.name} for tag in partner.category_id
                    ],
                    "active": partner.active,
                    "create_date": _iso(partner.create_date),
                    "write_date": _iso(partner.write_date),
                    "url": f"{base_url}/odoo/contacts/{partner.id}",
                    "fields": {name: self._raw_value(partner, name) for name in names},
                }
            )
        return result

    # ------------------------------------------------------------- JSON input
    @api.model
    def _convert(self, spec, field, value):
        """(odoo value, error) of one body value."""
        kind = "float" if field.type == "monetary" else field.type
        empty = value is None or (isinstance(value, str) and not value.strip())
        if empty and kind != "boolean":
            if spec["required"]:
                return None, "required"
            return ([Command.clear()] if kind == "many2many" else False), None
        if kind in TEXT_TYPES:
            return self._convert_text(spec, value)
        converter = getattr(self, f"_convert_{kind}", None)
        if converter is None:
            return None, "unsupported field type"
        return converter(spec, field, value)

    @api.model
    def _convert_text(self, spec, value):
        if not isinstance(value, str):
            return None, "must be a string"
        if spec["max_length"] and len(value) > spec["max_length"]:
            return None, f"at most {spec['max_length']} characters"
        if spec["type"] == "email":
            value = value.strip()
            if not customer_query.is_email(value):
                return None, "not a valid email address"
        if spec["type"] == "phone":
            value = value.strip()
            if not phone.is_phone_like(value):
                return None, "not a phone number"
        return value, None

    @api.model
    def _convert_boolean(self, spec, field, value):
        if not isinstance(value, bool):
            return None, "must be true or false"
        return value, None

    @api.model
    def _convert_integer(self, spec, field, value):
        if isinstance(value, bool) or not isinstance(value, int):
            return None, "must be an integer"
        return value, None

    @api.model
    def _convert_float(self, spec, field, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, "must be a number"
        return value, None

    @api.model
    def _convert_selection(self, spec, field, value):
        allowed = [choice["value"] for choice in spec["choices"] or []]
        if value not in allowed:
            return None, "must be one of " + ", ".join(map(str, allowed))
        return value, None

    @api.model
    def _convert_date(self, spec, field, value):
        if not isinstance(value, str):
            return None, "must be an ISO 8601 date string"
        try:
            return fields.Date.to_date(value), None
        except ValueError:
            return None, "not a valid ISO 8601 date"

    @api.model
    def _convert_datetime(self, spec, field, value):
        if not isinstance(value, str):
            return None, "must be an ISO 8601 date-time string"
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None, "not a valid ISO 8601 date-time"
        if parsed.tzinfo:
            parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return parsed, None

    @api.model
    def _convert_many2one(self, spec, field, value):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return None, "must be a record id"
        comodel = self.env[field.comodel_name]
        if not comodel.search_count([("id", "=", value)], limit=1):
            return None, f"no {field.comodel_name} with id {value}"
        return value, None

    @api.model
    def _convert_many2many(self, spec, field, value):
        if not isinstance(value, list) or any(
            isinstance(item, bool) or not isinstance(item, int) or item <= 0
            for item in value
        ):
            return None, "must be a list of record ids"
        ids = list(dict.fromkeys(value))
        found = self.env[field.comodel_name].search_count([("id", "in", ids)])
        if found != len(ids):
            return None, f"unknown {field.comodel_name} id"
        return [Command.set(ids)], None

    @api.model
    def _values_from_body(self, body, creating):
        """(vals, errors, allow_duplicate) from a JSON object posted by the agent."""
        template = {spec["name"]: spec for spec in self._template()}
        partner_fields = self.env["res.partner"]._fields
        vals, errors = {}, {}
        allow_duplicate = False
        for key, value in body.items():
            if key == "allow_duplicate" and creating:
                if not isinstance(value, bool):
                    errors[key] = "must be true or false"
                allow_duplicate = value is True
                continue
            name = BODY_ALIASES.get(key, key)
            spec = template.get(name)
            if spec is None:
                errors[key] = (
                    "unknown field" if name not in partner_fields else "not in the form"
                )
                continue
            if spec["readonly"]:
                errors[key] = "read-only field"
                continue
            converted, error = self._convert(spec, partner_fields[name], value)
            if error:
                errors[key] = error
            else:
                vals[name] = converted
        if creating:
            for name, spec in template.items():
                if spec["required"] and not spec["readonly"] and name not in vals:
                    if not any(BODY_ALIASES.get(key, key) == name for key in errors):
                        errors[name] = "required"
        return vals, errors, allow_duplicate

    @api.model
    def _find_duplicate(self, vals):
        """An active customer already using the email or a number of ``vals``."""
        region = None
        if vals.get("country_id"):
            region = self.env["res.country"].browse(vals["country_id"]).code
        region = region or self.env["res.partner"]._dcx_default_region()
        checks = []
        email = vals.get("email")
        if email:
            checks.append(
                ("email", [("email", "=ilike", customer_query.escape_like(email))])
            )
        for name in PHONE_FIELDS:
            if vals.get(name):
                keys = phone.lookup_keys(vals[name], region)
                if keys:
                    domain = [
                        "|",
                        ("dcx_mobile_e164", "in", keys),
                        ("dcx_phone_e164", "in", keys),
                    ]
                    checks.append((name, domain))
        for name, domain in checks:
            existing = self._find(domain, limit=1, order="id")
            if existing:
                return name, existing
        return None, self.env["res.partner"]
