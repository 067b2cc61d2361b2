import logging
import time

from odoo import api, fields, models
from odoo.tools import SQL, sql

from odoo.addons.dcx_crm.lib import phone as dcx_phone

_logger = logging.getLogger(__name__)

DCX_NUMBER_COLUMNS = ("dcx_mobile_e164", "dcx_phone_e164")
DCX_FILL_BATCH = 5000


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "dcx.call.count.mixin"]
    _dcx_call_link_field = "partner_id"

    # Normalized numbers (one canonical E.164 key per number)
    dcx_mobile_e164 = fields.Char(
        "Mobile (E.164)",
        compute="_compute_dcx_e164",
        store=True,
        index=True,
        copy=False,
        help="Mobile normalized to E.164, used by DCX to find customers by number.",
    )
    dcx_phone_e164 = fields.Char(
        "Phone (E.164)",
        compute="_compute_dcx_e164",
        store=True,
        index=True,
        copy=False,
        help="Phone normalized to E.164, used by DCX to find customers by number.",
    )

    @api.model
    def _dcx_fallback_region(self):
        """Country code of the main (first) company, the region of last resort."""
        company = self.env["res.company"].sudo().search([], order="id", limit=1)
        return company.country_id.code or None

    @api.model
    def _dcx_default_region(self):
        """Default region of a number searched by the current user."""
        return self.env.company.country_id.code or self._dcx_fallback_region()

    @api.depends("mobile", "phone", "country_id", "company_id")
    def _compute_dcx_e164(self):
        fallback = None
        for partner in self:
            region = partner.country_id.code or partner.company_id.country_id.code
            if not region:
                if fallback is None:
                    fallback = self._dcx_fallback_region() or ""
                region = fallback or None
            partner.dcx_mobile_e164 = dcx_phone.normalize_number(partner.mobile, region)
            partner.dcx_phone_e164 = dcx_phone.normalize_number(partner.phone, region)

    def _auto_init(self):
        # Create the normalized columns ourselves so that the ORM does not mark
        # every existing partner for a record-by-record recomputation; fill
        # them in batches after the table is up to date.
        cr = self.env.cr
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'res_partner' AND column_name IN %s",
            [DCX_NUMBER_COLUMNS],
        )
        missing = set(DCX_NUMBER_COLUMNS) - {row[0] for row in cr.fetchall()}
        for column in sorted(missing):
            cr.execute(
                SQL(
                    "ALTER TABLE res_partner ADD COLUMN %s varchar",
                    SQL.identifier(column),
                )
            )
            # index the (empty) column BEFORE filling it: an index built after
            # the fill would index HOT chains and be flagged indcheckxmin, i.e.
            # ignored by every transaction older than the build (seq scans
            # after an upgrade while long transactions run)
            sql.create_index(
                cr,
                sql.make_index_name("res_partner", column),
                "res_partner",
                [f'"{column}"'],  # a constant of this module, not user input
            )
        result = super()._auto_init()
        if missing:
            self._dcx_fill_number_columns()
        return result

    def init(self):
        res = super().init()
        # DCX agents filter customers with name ILIKE '%x%' and email =ilike:
        # trigram indexes keep both off a sequential scan on large bases
        if self.env.registry.has_trigram:
            for column in ("name", "email"):
                self.env.cr.execute(
                    SQL(
                        "CREATE INDEX IF NOT EXISTS %s ON res_partner "
                        "USING gin (%s gin_trgm_ops)",
                        SQL.identifier(f"res_partner_dcx_{column}_trgm_index"),
                        SQL.identifier(column),
                    )
                )
        return res

    @api.model
    def _dcx_fill_number_columns(self, batch_size=DCX_FILL_BATCH):
        """(Re)compute the normalized number columns of every partner in SQL batches.

        Reads id, numbers and regions with keyset pagination, normalizes in
        Python (phonenumbers) and writes each batch with one
        ``UPDATE ... FROM (VALUES ...)``.  Returns (rows seen, seconds).
        """
        cr = self.env.cr
        self.env.flush_all()
        fallback = self._dcx_fallback_region()
        started = time.monotonic()
        last_id, seen = 0, 0
        while True:
            cr.execute(
                SQL(
                    """
                    SELECT p.id, p.mobile, p.phone, p.dcx_mobile_e164,
                           p.dcx_phone_e164, COALESCE(c.code, cc.code)
                      FROM res_partner p
                      LEFT JOIN res_country c ON c.id = p.country_id
                      LEFT JOIN res_company co ON co.id = p.company_id
                      LEFT JOIN res_partner cp ON cp.id = co.partner_id
                      LEFT JOIN res_country cc ON cc.id = cp.country_id
                     WHERE p.id > %s
                     ORDER BY p.id
                     LIMIT %s
                    """,
                    last_id,
                    batch_size,
                )
            )
            rows = cr.fetchall()
            if not rows:
                break
            seen += len(rows)
            last_id = rows[-1][0]
            changes = []
            for pid, mobile, phone_, old_mobile, old_phone, region in rows:
                region = region or fallback
                new_mobile = (
                    dcx_phone.normalize_number(mobile, region) if mobile else None
                )
                new_phone = (
                    dcx_phone.normalize_number(phone_, region) if phone_ else None
                )
                if (new_mobile, new_phone) != (old_mobile, old_phone):
                    changes.append(SQL("(%s, %s, %s)", pid, new_mobile, new_phone))
            if changes:
                cr.execute(
                    SQL(
                        """
                        UPDATE res_partner p
                           SET dcx_mobile_e164 = v.mobile, dcx_phone_e164 = v.phone
                          FROM (VALUES %s) AS v(id, mobile, phone)
                         WHERE p.id = v.id
                        """,
                        SQL(", ").join(changes),
                    )
                )
        # fresh statistics, or the planner may prefer scanning the primary key
        # over the new indexes for "ORDER BY id LIMIT n" lookups
        cr.execute("ANALYZE res_partner")
        self.invalidate_model(list(DCX_NUMBER_COLUMNS))
        elapsed = time.monotonic() - started
        _logger.info("Normalized numbers of %s partners in %.1f s", seen, elapsed)
        return seen, elapsed

    @api.model
    def _dcx_number_domain(self, raw_number):
        """Domain matching ``raw_number`` on mobile or phone, whatever its writing."""
        keys = dcx_phone.lookup_keys(raw_number, self._dcx_default_region())
        if not keys:
            return [("id", "=", 0)]
        return ["|", ("dcx_mobile_e164", "in", keys), ("dcx_phone_e164", "in", keys)]

    @api.model
    def _dcx_search_by_number(self, raw_number, limit=None):
        """Active partners, readable by the current user, whose mobile or phone
        is ``raw_number`` (any writing: E.164, 00-international, national in the
        company's country, international digits without "+", separators)."""
        domain = self._dcx_number_domain(raw_number)
        if domain == [("id", "=", 0)]:
            return self.browse()
        return self.search(domain, limit=limit, order="id")
