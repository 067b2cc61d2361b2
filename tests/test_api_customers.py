import json

from odoo.tests import tagged

from .common import DcxApiCase

LIST = "/customers"
ONE = "/customers/{id}"
CREATE = "/customers/create"
TEMPLATE = "/customer/form-template"


@tagged("post_install", "-at_install")
class TestApiCustomers(DcxApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = None

    def setUp(self):
        super().setUp()
        self.token = self.get_token(agent_email=self.agent.email)

    def search(self, **params):
        response = self.api("GET", LIST, token=self.token, params=params)
        self.assertEqual(response.status_code, 200, response.text)
        return self.assertValid(response, LIST, "GET")

    def ids(self, **params):
        return [customer["id"] for customer in self.search(**params)["data"]]

    # ---------------------------------------------------------------- list
    def test_list_defaults_and_shape(self):
        payload = self.search(name="dcxtest")
        self.assertEqual(payload["total_count"], "4")
        self.assertEqual(payload["page"], 1)
        self.assertEqual(payload["limit"], 20)
        self.assertEqual([c["id"] for c in payload["data"]], sorted(self.partners.ids))
        zoe = payload["data"][0]
        self.assertEqual(zoe["name"], "Zoé Dcxtest Peeters")
        self.assertEqual(zoe["mobile_no"], "+32 470 12 34 56")
        self.assertEqual(zoe["mobile_e164"], "+32470123456")
        self.assertEqual(
            zoe["country"], {"id": self.belgium.id, "code": "BE", "name": "Belgium"}
        )
        self.assertEqual(zoe["tags"], [{"id": self.vip_tag.id, "name": "DCX test VIP"}])
        self.assertEqual(zoe["city"], "Gent")
        self.assertIsNone(zoe["state"])
        self.assertFalse(zoe["is_company"])
        self.assertTrue(zoe["url"].endswith(f"/odoo/contacts/{self.zoe.id}"))
        self.assertRegex(zoe["create_date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(zoe["fields"]["country_id"], self.belgium.id)
        self.assertEqual(zoe["fields"]["category_id"], self.vip_tag.ids)
        total = self.env["res.partner"].with_user(self.agent).search_count([])
        payload = self.search()
        self.assertEqual(payload["total_count"], str(total))
        self.assertEqual(len(payload["data"]), min(total, 20))

    def test_filters(self):
        self.assertEqual(self.ids(id=str(self.anna.id)), self.anna.ids)
        self.assertEqual(self.ids(name="DCXTEST JANSSENS"), self.anna.ids)
        self.assertEqual(self.ids(email="anna.janssens@example.com"), self.anna.ids)
        self.assertEqual(self.ids(email="marc_dubois@example.fr"), self.marc.ids)
        # exact email, not a substring; "_" is not a wildcard
        self.assertEqual(self.ids(email="janssens@example.com"), [])
        self.assertEqual(self.ids(email="marcxdubois@example.fr"), [])
        self.assertEqual(
            self.ids(name="Dcxtest", email="info@dcxtest-corp.example.com"),
            self.corp.ids,
        )
        self.assertEqual(self.ids(id=str(self.anna.id), name="Zoé"), [])

    def test_mobile_no_in_every_writing(self):
        writings = {
            self.zoe: [
                "+32470123456",
                "+32 470 12 34 56",
                "0032470123456",
                "0470/12.34.56",
                "0470-12-34-56",
                "0470 12 34 56",
                "32470123456",
                "+32 (0)470 12 34 56",
            ],
            # number on `phone` (stored as 0032 2 555 12 34) and mobile (0475/98.76.54)
            self.anna: [
                "+3225551234",
                "02 555 12 34",
                "3225551234",
                "0032-2-555-12-34",
                "+32 475 98 76 54",
                "0475987654",
                "32475987654",
            ],
            # French mobile stored nationally for a French contact
            self.marc: [
                "+33612345678",
                "0033 6 12 34 56 78",
                "33612345678",
                "+33 6-12-34-56-78",
            ],
            self.corp: ["+3225550000", "02/555.00.00", "3225550000"],
        }
        for partner, numbers in writings.items():
            for number in numbers:
                with self.subTest(number=number):
                    self.assertEqual(self.ids(mobile_no=number), partner.ids)
        # a Belgian reading of a national French number is another number
        self.assertEqual(self.ids(mobile_no="0612345678"), [])
        self.assertEqual(self.ids(mobile_no="+32 470 12 34 57"), [])
        self.assertEqual(self.ids(mobile_no="12"), [])

    def test_search_by_number_helper(self):
        partners = self.env["res.partner"]
        self.assertEqual(partners._dcx_search_by_number("0470/12.34.56"), self.zoe)
        self.assertEqual(
            partners._dcx_search_by_number("32470123456", limit=1), self.zoe
        )
        self.assertFalse(partners._dcx_search_by_number("hello"))
        self.zoe.mobile = "0470 11 11 11"
        self.assertEqual(self.zoe.dcx_mobile_e164, "+32470111111")
        self.assertFalse(partners._dcx_search_by_number("0470/12.34.56"))
        self.zoe.active = False
        self.assertFalse(partners._dcx_search_by_number("0470111111"))

    def test_batched_fill_matches_compute(self):
        partners = self.env["res.partner"]
        self.env.cr.execute(
            "UPDATE res_partner SET dcx_mobile_e164 = NULL, dcx_phone_e164 = 'junk' "
            "WHERE id IN %s",
            [tuple(self.partners.ids)],
        )
        partners.invalidate_model()
        seen, _seconds = partners._dcx_fill_number_columns(batch_size=7)
        self.assertGreaterEqual(seen, len(self.partners))
        self.assertEqual(self.zoe.dcx_mobile_e164, "+32470123456")
        self.assertFalse(self.zoe.dcx_phone_e164)
        self.assertEqual(self.anna.dcx_phone_e164, "+3225551234")
        self.assertEqual(self.marc.dcx_mobile_e164, "+33612345678")

    def test_paging(self):
        first = self.search(name="dcxtest", limit="3", page="1")
        second = self.search(name="dcxtest", limit="3", page="2")
        past = self.search(name="dcxtest", limit="3", page="3")
        self.assertEqual(first["total_count"], "4")
        self.assertEqual(
            [c["id"] for c in first["data"] + second["data"]], sorted(self.partners.ids)
        )
        self.assertEqual(len(second["data"]), 1)
        self.assertEqual(past["data"], [])
        self.assertEqual(past["total_count"], "4")
        self.assertEqual(
            len(self.search(limit="200")["data"]),
            min(200, int(self.search()["total_count"])),
        )

    def test_order(self):
        by_name = sorted(self.partners, key=lambda p: p.name)
        self.assertEqual(
            self.ids(name="dcxtest", order_by="name"), [p.id for p in by_name]
        )
        self.assertEqual(
            self.ids(name="dcxtest", order_by="name", order="desc"),
            [p.id for p in reversed(by_name)],
        )
        self.assertEqual(
            self.ids(name="dcxtest", order="desc"),
            sorted(self.partners.ids, reverse=True),
        )
        by_email = sorted(self.partners, key=lambda p: p.email.lower())
        emails = self.ids(name="dcxtest", order_by="email")
        self.assertEqual(set(emails), set(self.partners.ids))
        self.assertEqual(len(emails), len(by_email))
        for order_by in ("create_date", "write_date", "id"):
            with self.subTest(order_by=order_by):
                self.assertEqual(len(self.ids(name="dcxtest", order_by=order_by)), 4)

    def test_bad_query_parameters(self):
        cases = [
            ({"limit": "abc"}, "limit"),
            ({"limit": "0"}, "limit"),
            ({"limit": "201"}, "limit"),
            ({"page": "0"}, "page"),
            ({"page": "-1"}, "page"),
            ({"id": "x"}, "id"),
            ({"order": "up"}, "order"),
            ({"order_by": "password"}, "order_by"),
            ({"order_by": "name; DROP TABLE res_partner"}, "order_by"),
            ({"email": "nope"}, "email"),
            ({"mobile_no": "call me"}, "mobile_no"),
            ({"limit": "x", "order_by": "zz"}, "limit,order_by"),
        ]
        for params, fields in cases:
            with self.subTest(params=params):
                response = self.api("GET", LIST, token=self.token, params=params)
                payload = self.assertError(
                    response, 400, LIST, "GET", fields.split(",")
                )
                self.assertEqual(payload["message"], "Invalid query parameters")

    def test_injection_attempts_are_harmless(self):
        for params in (
            {"name": "' OR 1=1 --"},
            {"name": "%"},
            {"name": "_"},
            {"name": "Zo%Peeters"},
            {"email": "x@y.z' OR '1'='1"},
            {"mobile_no": "0470123456'); DELETE FROM res_partner; --"},
        ):
            with self.subTest(params=params):
                response = self.api("GET", LIST, token=self.token, params=params)
                self.assertIn(response.status_code, (200, 400))
                self.assertValid(response, LIST, "GET")
                if response.status_code == 200:
                    self.assertEqual(response.json()["data"], [])
        self.assertEqual(len(self.partners.exists()), 4)

    def test_customer_domain_setting(self):
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("dcx_crm.customer_domain", "[('is_company', '=', True)]")
        self.assertEqual(self.ids(name="dcxtest"), self.corp.ids)
        self.assertError(
            self.api("GET", f"/customers/{self.zoe.id}", token=self.token),
            404,
            ONE,
            "GET",
        )
        self.assertEqual(
            self.api("GET", f"/customers/{self.corp.id}", token=self.token).status_code,
            200,
        )
        icp.set_param(
            "dcx_crm.customer_domain", f"[('category_id', 'in', [{self.vip_tag.id}])]"
        )
        self.assertEqual(self.ids(name="dcxtest"), self.zoe.ids)
        self.assertEqual(self.ids(mobile_no="3225550000"), [])

    # ---------------------------------------------------------------- CRUD
    def test_get_one(self):
        response = self.api("GET", f"/customers/{self.anna.id}", token=self.token)
        data = self.assertValid(response, ONE, "GET")["data"]
        self.assertEqual(data["id"], self.anna.id)
        self.assertEqual(data["phone"], "0032 2 555 12 34")
        self.assertEqual(data["phone_e164"], "+3225551234")
        for missing in (999999999, 0, 2**31, 10**30):
            with self.subTest(id=missing):
                payload = self.assertError(
                    self.api("GET", f"/customers/{missing}", token=self.token),
                    404,
                    ONE,
                    "GET",
                )
                self.assertEqual(payload, {"code": 404, "message": "Not Found"})

    def test_crud_round_trip(self):
        body = {
            "name": "Jan Dcxround",
            "email": "jan.round@example.com",
            "mobile_no": "0032 486 11 22 33",
            "city": "Leuven",
            "country_id": self.belgium.id,
            "category_id": self.vip_tag.ids,
            "is_company": False,
        }
        response = self.api("POST", CREATE, token=self.token, body=body)
        data = self.assertValid(response, CREATE, "POST")["data"]
        partner = self.env["res.partner"].browse(data["id"])
        self.assertEqual(partner.mobile, "0032 486 11 22 33")
        self.assertEqual(partner.dcx_mobile_e164, "+32486112233")
        self.assertEqual(partner.category_id, self.vip_tag)
        self.assertEqual(data["country"]["code"], "BE")
        # read it back, find it by number, update it
        self.assertEqual(self.ids(mobile_no="0486/11.22.33"), partner.ids)
        response = self.api(
            "PATCH",
            f"/customers/{partner.id}",
            token=self.token,
            body={"city": "Brussel", "mobile": "+32 486 99 88 77", "category_id": []},
        )
        data = self.assertValid(response, ONE, "PATCH")["data"]
        self.assertEqual(data["city"], "Brussel")
        self.assertEqual(data["tags"], [])
        self.assertEqual(data["email"], "jan.round@example.com")
        self.assertEqual(partner.dcx_mobile_e164, "+32486998877")
        self.assertEqual(self.ids(mobile_no="0486998877"), partner.ids)
        # delete archives
        response = self.api("DELETE", f"/customers/{partner.id}", token=self.token)
        data = self.assertValid(response, ONE, "DELETE")["data"]
        self.assertFalse(data["active"])
        self.assertTrue(partner.exists())
        self.assertFalse(partner.active)
        self.assertEqual(partner.name, "Jan Dcxround")
        self.assertError(
            self.api("GET", f"/customers/{partner.id}", token=self.token),
            404,
            ONE,
            "GET",
        )
        self.assertEqual(self.ids(mobile_no="0486998877"), [])

    def test_create_duplicate_is_409(self):
        cases = [
            {"name": "Other Zoe", "email": "ZOE.PEETERS@example.com"},
            {"name": "Other Zoe", "mobile_no": "0470/12.34.56"},
            {"name": "Other Zoe", "phone": "32470123456"},
            {"name": "Other Anna", "mobile": "+32 2 555 12 34"},
        ]
        for body in cases:
            with self.subTest(body=body):
                response = self.api("POST", CREATE, token=self.token, body=body)
                payload = self.assertError(response, 409, CREATE, "POST")
                expected = self.anna if body["name"] == "Other Anna" else self.zoe
                self.assertEqual(payload["existing_id"], expected.id)
        self.assertFalse(self.env["res.partner"].search([("name", "like", "Other ")]))
        response = self.api(
            "POST",
            CREATE,
            token=self.token,
            body={
                "name": "Other Zoe",
                "email": "zoe.peeters@example.com",
                "allow_duplicate": True,
            },
        )
        data = self.assertValid(response, CREATE, "POST")["data"]
        self.assertNotEqual(data["id"], self.zoe.id)
        # an archived customer is not a duplicate
        self.marc.active = False
        response = self.api(
            "POST",
            CREATE,
            token=self.token,
            body={"name": "New Marc", "mobile": "+33612345678"},
        )
        self.assertEqual(response.status_code, 200, response.text)

    def test_bad_bodies(self):
        path = f"/customers/{self.zoe.id}"
        cases = [
            ({"unknown_field": 1}, ["unknown_field"]),
            ({"vat": "BE0477472701"}, ["vat"]),  # a partner field outside the form
            ({"email": "not-an-email"}, ["email"]),
            ({"email": 42}, ["email"]),
            ({"is_company": "yes"}, ["is_company"]),
            ({"country_id": "BE"}, ["country_id"]),
            ({"country_id": 99999999}, ["country_id"]),
            ({"category_id": [True]}, ["category_id"]),
            ({"lang": "xx_XX"}, ["lang"]),
            ({"mobile": "call me maybe"}, ["mobile"]),
            ({"name": ""}, ["name"]),
            ({"name": None, "city": 3}, ["name", "city"]),
            ({}, ["body"]),
        ]
        for body, fields in cases:
            with self.subTest(body=body):
                response = self.api("PATCH", path, token=self.token, body=body)
                self.assertError(response, 400, ONE, "PATCH", fields)
        for raw, field in (
            ("[1, 2]", "body"),
            ("not json", "body"),
            ("", "body"),
            ('"x"', "body"),
        ):
            with self.subTest(raw=raw):
                response = self.api(
                    "PATCH",
                    path,
                    token=self.token,
                    raw=raw,
                    headers={"Content-Type": "application/json"},
                )
                self.assertError(response, 400, ONE, "PATCH", [field])
        response = self.api(
            "POST", CREATE, token=self.token, body={"email": "no.name@example.com"}
        )
        self.assertError(response, 400, CREATE, "POST", ["name"])
        response = self.api(
            "POST",
            CREATE,
            token=self.token,
            body={"name": "X", "allow_duplicate": "yes"},
        )
        self.assertError(response, 400, CREATE, "POST", ["allow_duplicate"])
        big = json.dumps({"name": "x" * (70 * 1024)})
        response = self.api(
            "POST",
            CREATE,
            token=self.token,
            raw=big,
            headers={"Content-Type": "application/json"},
        )
        self.assertError(response, 413, CREATE, "POST")
        self.zoe.invalidate_recordset()
        self.assertEqual(self.zoe.email, "zoe.peeters@example.com")
        self.assertEqual(self.zoe.name, "Zoé Dcxtest Peeters")

    # ------------------------------------------------------- form template
    def template(self):
        response = self.api("GET", TEMPLATE, token=self.token)
        return self.assertValid(response, TEMPLATE, "GET")["data"]

    def test_form_template_default(self):
        data = self.template()
        self.assertEqual(data["model"], "res.partner")
        fields = {f["name"]: f for f in data["fields"]}
        names = [f["name"] for f in data["fields"]]
        self.assertEqual(names[:5], ["name", "is_company", "email", "mobile", "phone"])
        self.assertTrue(fields["name"]["required"])
        self.assertEqual(fields["email"]["type"], "email")
        self.assertEqual(fields["mobile"]["type"], "phone")
        self.assertEqual(fields["is_company"]["type"], "boolean")
        self.assertEqual(fields["country_id"]["type"], "many2one")
        self.assertEqual(fields["category_id"]["type"], "many2many")
        self.assertEqual(fields["lang"]["type"], "selection")
        countries = {c["code"]: c for c in fields["country_id"]["choices"]}
        self.assertEqual(countries["BE"]["value"], self.belgium.id)
        states = fields["state_id"]["choices"]
        self.assertTrue(states and all(s["country_id"] for s in states))
        self.assertIn(
            {"value": self.vip_tag.id, "label": "DCX test VIP", "code": None},
            [{k: v for k, v in c.items()} for c in fields["category_id"]["choices"]]
            + [{"value": self.vip_tag.id, "label": "DCX test VIP", "code": None}],
        )
        self.assertIn(
            self.vip_tag.id, [c["value"] for c in fields["category_id"]["choices"]]
        )
        self.assertIn("en_US", [c["value"] for c in fields["lang"]["choices"]])

    def test_form_template_follows_settings(self):
        lines = self.env["dcx.form.field"]
        email_line = lines.search([("name", "=", "email")])
        email_line.write({"sequence": 1, "required": True, "label": "E-mail address"})
        lines.search([("name", "=", "website")]).unlink()
        lines.create(
            {
                "field_id": self.env.ref("base.field_res_partner__ref").id,
                "sequence": 500,
            }
        )
        lines.search([("name", "=", "city")]).readonly = True
        data = self.template()
        fields = {f["name"]: f for f in data["fields"]}
        self.assertEqual(data["fields"][0]["name"], "email")
        self.assertEqual(fields["email"]["label"], "E-mail address")
        self.assertTrue(fields["email"]["required"])
        self.assertNotIn("website", fields)
        self.assertEqual(data["fields"][-1]["name"], "ref")
        self.assertTrue(fields["city"]["readonly"])
        # the API follows the template: required email, writable ref,
        # no website, read-only city
        response = self.api("POST", CREATE, token=self.token, body={"name": "No Mail"})
        self.assertError(response, 400, CREATE, "POST", ["email"])
        path = f"/customers/{self.zoe.id}"
        response = self.api("PATCH", path, token=self.token, body={"ref": "C-42"})
        self.assertEqual(
            self.assertValid(response, ONE, "PATCH")["data"]["fields"]["ref"], "C-42"
        )
        response = self.api(
            "PATCH", path, token=self.token, body={"website": "https://example.com"}
        )
        self.assertError(response, 400, ONE, "PATCH", ["website"])
        response = self.api("PATCH", path, token=self.token, body={"city": "Antwerpen"})
        self.assertError(response, 400, ONE, "PATCH", ["city"])
        self.assertEqual(self.zoe.ref, "C-42")
        self.assertEqual(self.zoe.city, "Gent")

    # ------------------------------------------------------ routing errors
    def test_unknown_paths_and_wrong_methods(self):
        for path in ("/nope", "/customers/abc", "/customer", "/customers/1/2", ""):
            with self.subTest(path=path):
                response = self.api("GET", path, token=self.token)
                self.assertEqual(response.status_code, 404, response.text)
                self.assertEqual(response.json(), {"code": 404, "message": "Not Found"})
        cases = [
            ("PUT", LIST, LIST),
            ("POST", LIST, LIST),
            ("DELETE", LIST, LIST),
            ("POST", f"/customers/{self.zoe.id}", ONE),
            ("PUT", f"/customers/{self.zoe.id}", ONE),
            ("GET", CREATE, CREATE),
            ("DELETE", CREATE, CREATE),
            ("POST", TEMPLATE, TEMPLATE),
        ]
        for method, path, spec_path in cases:
            with self.subTest(method=method, path=path):
                response = self.api(
                    method,
                    path,
                    token=self.token,
                    raw="{}" if method != "GET" else None,
                )
                spec_method = next(
                    iter(
                        m
                        for m in self.document["paths"][spec_path]
                        if m != "parameters"
                    )
                )
                payload = self.assertError(response, 405, spec_path, spec_method)
                self.assertEqual(payload["message"], "Method Not Allowed")
                self.assertTrue(response.headers["Allow"])
        self.assertTrue(self.zoe.active)

    def test_openapi_document(self):
        response = self.url_open("/dcx/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        self.assertTrue(document["openapi"].startswith("3.1"))
        self.assertTrue(document["servers"][0]["url"].endswith("/dcx/v1"))
        self.assertEqual(
            document["paths"]["/customers"], self.document["paths"]["/customers"]
        )
        self.assertEqual(document["components"], self.document["components"])
