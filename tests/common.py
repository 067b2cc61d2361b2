"""Shared fixtures of the CRM-provider API tests (real HTTP via url_open)."""

import json

import jsonschema

from odoo.tests import HttpCase, new_test_user

from odoo.addons.dcx_crm.lib import openapi

API = "/dcx/v1"
UNAUTHORIZED = {"code": 401, "message": "Unauthorized"}


class DcxApiCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        icp = env["ir.config_parameter"].sudo()
        icp.set_param("dcx_crm.api_enabled", "True")
        icp.set_param("dcx_crm.token_lifetime", "60")
        icp.set_param("dcx_crm.customer_domain", "[]")
        cls.belgium = env.ref("base.be")
        cls.france = env.ref("base.fr")
        env.company.country_id = cls.belgium
        user_groups = (
            "base.group_user,base.group_partner_manager,dcx_crm.group_dcx_user"
        )
        cls.integration_user = new_test_user(
            env, login="dcx_integration", groups=user_groups, name="DCX Integration"
        )
        icp.set_param("dcx_crm.api_user_id", str(cls.integration_user.id))
        cls.api_key = (
            env["res.users.apikeys"]
            .with_user(cls.integration_user)
            .sudo()
            ._generate(None, "DCX-Account test", False)
        )
        cls.agent = new_test_user(
            env,
            login="dcx_agent",
            groups=user_groups,
            name="Agent Smith",
            email="agent.smith@example.com",
        )
        cls.vip_tag = env["res.partner.category"].create({"name": "DCX test VIP"})
        cls.partners = env["res.partner"].create(
            [
                {
                    "name": "Zoé Dcxtest Peeters",
                    "email": "zoe.peeters@example.com",
                    "mobile": "+32 470 12 34 56",
                    "country_id": cls.belgium.id,
                    "city": "Gent",
                    "street": "Veldstraat 1",
                    "zip": "9000",
                    "category_id": [(6, 0, cls.vip_tag.ids)],
                },
                {
                    "name": "Anna Dcxtest Janssens",
                    "email": "Anna.Janssens@Example.com",
                    "phone": "0032 2 555 12 34",
                    "mobile": "0475/98.76.54",
                    "country_id": cls.belgium.id,
                },
                {
                    "name": "Marc Dcxtest Dubois",
                    "email": "marc_dubois@example.fr",
                    "mobile": "06 12 34 56 78",
                    "country_id": cls.france.id,
                },
                {
                    "name": "Dcxtest Corp",
                    "is_company": True,
                    "email": "info@dcxtest-corp.example.com",
                    "phone": "32-2-555-00-00",
                },
            ]
        )
        cls.zoe, cls.anna, cls.marc, cls.corp = cls.partners
        cls.document = openapi.build_document()

    # ----------------------------------------------------------------- http
    def api(
        self, method, path, token=None, params=None, body=None, raw=None, headers=None
    ):
        """Real HTTP request to the API; returns the requests response."""
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = self.base_url() + API + path
        data = raw
        if body is not None:
            data = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        if method == "GET" and params is None:
            return self.url_open(url, headers=headers)
        if method == "POST" and data:
            return self.url_open(url, data=data, headers=headers)
        return self.opener.request(
            method, url, params=params, data=data, headers=headers, timeout=12
        )

    def get_token(self, agent_email=None, key=None):
        params = {"agent_email": agent_email} if agent_email else None
        response = self.api(
            "GET",
            "/access-token",
            params=params,
            headers={"Authorization": f"Bearer {key or self.api_key}"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertValid(response, "/access-token", "GET")
        return response.json()["token"]

    # -------------------------------------------------------------- asserts
    def assertValid(self, response, path, method):
        """The response matches openapi.json for its path, method and status."""
        self.assertTrue(
            response.headers.get("Content-Type", "").startswith("application/json"),
            f"not JSON: {response.headers.get('Content-Type')} {response.text[:200]}",
        )
        schema = openapi.response_schema(
            self.document, path, method, response.status_code
        )
        jsonschema.validate(response.json(), schema)
        return response.json()

    def assertError(self, response, status, path, method, fields=None):
        self.assertEqual(response.status_code, status, response.text)
        payload = self.assertValid(response, path, method)
        self.assertEqual(payload["code"], status)
        self.assertTrue(payload["message"])
        if fields:
            self.assertEqual(set(payload.get("errors", {})), set(fields), payload)
        return payload

    def assertUnauthorized(self, response):
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json(), UNAUTHORIZED)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
