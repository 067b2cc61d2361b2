import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import new_test_user, tagged

from odoo.addons.dcx_crm.lib import tokens as dcx_tokens

from .common import DcxApiCase


@tagged("post_install", "-at_install")
class TestApiToken(DcxApiCase):
    def test_api_key_gives_short_lived_opaque_token(self):
        response = self.api(
            "GET", "/access-token", headers={"Authorization": f"Bearer {self.api_key}"}
        )
        payload = self.assertValid(response, "/access-token", "GET")
        self.assertEqual(payload["auth_provider_type"], "odoo")
        self.assertEqual(payload["token_type"], "Bearer")
        self.assertEqual(payload["expires_in"], 3600)
        self.assertGreaterEqual(len(payload["token"]), 43)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        record = self.env["dcx.access.token"].search(
            [("user_id", "=", self.integration_user.id)]
        )
        self.assertEqual(len(record), 1)
        # only a keyed hash is stored, never the token itself
        self.assertNotEqual(record.token_hash, payload["token"])
        self.assertEqual(
            record.token_hash,
            dcx_tokens.hash_token(payload["token"], record._dcx_secret()),
        )
        self.assertFalse(
            self.env["dcx.access.token"].search([("token_hash", "=", payload["token"])])
        )
        response = self.api("GET", "/customers", token=payload["token"])
        self.assertEqual(response.status_code, 200, response.text)

    def test_lifetime_follows_settings(self):
        self.env["ir.config_parameter"].sudo().set_param("dcx_crm.token_lifetime", "5")
        response = self.api(
            "GET", "/access-token", headers={"Authorization": f"Bearer {self.api_key}"}
        )
        self.assertEqual(response.json()["expires_in"], 300)

    def test_bad_or_missing_api_key_is_401(self):
        for headers in (
            {},
            {"Authorization": "Bearer nope"},
            {"Authorization": f"Bearer {self.api_key}x"},
            {"Authorization": f"Basic {self.api_key}"},
            {"Authorization": "Bearer"},
        ):
            with self.subTest(headers=headers):
                response = self.api("GET", "/access-token", headers=headers)
                self.assertUnauthorized(response)
                self.assertValid(response, "/access-token", "GET")

    def test_key_of_another_user_is_401(self):
        other = new_test_user(
            self.env, login="dcx_other", groups="base.group_user,dcx_crm.group_dcx_user"
        )
        key = (
            self.env["res.users.apikeys"]
            .with_user(other)
            .sudo()
            ._generate(None, "x", False)
        )
        response = self.api(
            "GET", "/access-token", headers={"Authorization": f"Bearer {key}"}
        )
        self.assertUnauthorized(response)
        # with no integration user configured, any DCX user's key works
        self.env["ir.config_parameter"].sudo().set_param("dcx_crm.api_user_id", "")
        self.get_token(key=key)

    def test_missing_unknown_revoked_token_is_401(self):
        token = self.get_token()
        for headers in (
            {},
            {"Authorization": "Bearer " + dcx_tokens.generate_token()},
            {"Authorization": token},
        ):
            with self.subTest(headers=headers):
                self.assertUnauthorized(self.api("GET", "/customers", headers=headers))
        self.assertEqual(self.api("GET", "/customers", token=token).status_code, 200)
        record = self.env["dcx.access.token"].search([], limit=1)
        record.action_revoke()
        self.assertEqual(record.state, "revoked")
        for method, path in (
            ("GET", "/customers"),
            ("GET", f"/customers/{self.zoe.id}"),
            ("GET", "/customer/form-template"),
            ("DELETE", f"/customers/{self.zoe.id}"),
        ):
            with self.subTest(path=path):
                response = self.api(method, path, token=token)
                self.assertUnauthorized(response)
                self.assertValid(
                    response, path.replace(str(self.zoe.id), "{id}"), method
                )
        self.assertTrue(self.zoe.active)

    def test_token_expires_after_its_lifetime(self):
        start = datetime.datetime(2026, 3, 2, 9, 0, 0)
        with freeze_time(start):
            token = self.get_token()
            self.assertEqual(
                self.api("GET", "/customers", token=token).status_code, 200
            )
        with freeze_time(start + datetime.timedelta(minutes=59)):
            self.assertEqual(
                self.api("GET", "/customers", token=token).status_code, 200
            )
        with freeze_time(start + datetime.timedelta(minutes=61)):
            self.assertUnauthorized(self.api("GET", "/customers", token=token))
            self.assertEqual(self.env["dcx.access.token"].search([]).state, "expired")

    def test_refresh_and_retry_flow(self):
        """First diagram: 401 on /customers -> /access-token again -> retry."""
        start = datetime.datetime(2026, 3, 2, 9, 0, 0)
        with freeze_time(start):
            token = self.get_token(agent_email="agent.smith@example.com")
        with freeze_time(start + datetime.timedelta(hours=2)):
            response = self.api(
                "GET", "/customers", token=token, params={"name": "Dcxtest"}
            )
            self.assertUnauthorized(response)
            self.assertValid(response, "/customers", "GET")
            new_token = self.get_token(agent_email="agent.smith@example.com")
            self.assertNotEqual(new_token, token)
            response = self.api(
                "GET", "/customers", token=new_token, params={"name": "Dcxtest"}
            )
            payload = self.assertValid(response, "/customers", "GET")
            self.assertEqual(payload["total_count"], "4")

    def test_agent_email_maps_to_agent(self):
        token = self.get_token(agent_email="AGENT.SMITH@example.com")
        record = self.env["dcx.access.token"].search([], limit=1)
        self.assertEqual(record.user_id, self.agent)
        self.assertEqual(record.issuer_id, self.integration_user)
        response = self.api(
            "POST", "/customers/create", token=token, body={"name": "Made by agent"}
        )
        payload = self.assertValid(response, "/customers/create", "POST")
        created = self.env["res.partner"].browse(payload["data"]["id"])
        self.assertEqual(created.create_uid, self.agent)

    def test_agent_email_falls_back_to_key_user(self):
        outsider = new_test_user(
            self.env,
            login="no_dcx",
            groups="base.group_user",
            email="outsider@example.com",
        )
        inactive = new_test_user(
            self.env,
            login="gone",
            groups="base.group_user,dcx_crm.group_dcx_user",
            email="gone@example.com",
        )
        inactive.active = False
        for email in (
            "nobody@example.com",
            outsider.email,
            "gone@example.com",
            "not an email",
            "%@example.com",
        ):
            with self.subTest(email=email):
                self.env["dcx.access.token"].search([]).unlink()
                self.get_token(agent_email=email)
                self.assertEqual(
                    self.env["dcx.access.token"].search([]).user_id,
                    self.integration_user,
                )

    def test_record_rules_apply_through_the_token(self):
        """An agent restricted by a record rule cannot read a hidden partner."""
        restricted_group = self.env["res.groups"].create(
            {"name": "DCX test restricted agents"}
        )
        self.env["ir.rule"].create(
            {
                "name": "DCX test: no VIP",
                "model_id": self.env.ref("base.model_res_partner").id,
                "groups": [(4, restricted_group.id)],
                "domain_force": f"[('category_id', 'not in', [{self.vip_tag.id}])]",
            }
        )
        restricted = new_test_user(
            self.env,
            login="dcx_restricted",
            email="restricted@example.com",
            groups="base.group_user,base.group_partner_manager,dcx_crm.group_dcx_user",
        )
        restricted.groups_id = [(4, restricted_group.id)]
        token = self.get_token(agent_email="restricted@example.com")
        self.assertEqual(
            self.env["dcx.access.token"].search([], limit=1).user_id, restricted
        )
        path = f"/customers/{self.zoe.id}"
        self.assertError(
            self.api("GET", path, token=token), 404, "/customers/{id}", "GET"
        )
        self.assertError(
            self.api("PATCH", path, token=token, body={"city": "Brugge"}),
            404,
            "/customers/{id}",
            "PATCH",
        )
        self.assertError(
            self.api("DELETE", path, token=token), 404, "/customers/{id}", "DELETE"
        )
        payload = self.api(
            "GET", "/customers", token=token, params={"mobile_no": "0470123456"}
        ).json()
        self.assertEqual(
            payload, {"total_count": "0", "page": 1, "limit": 20, "data": []}
        )
        names = [
            c["name"]
            for c in self.api(
                "GET", "/customers", token=token, params={"name": "Dcxtest"}
            ).json()["data"]
        ]
        self.assertNotIn(self.zoe.name, names)
        self.assertEqual(len(names), 3)
        # the same request with an unrestricted agent sees her: the rule is the cause
        other = self.get_token(agent_email="agent.smith@example.com")
        self.assertEqual(
            self.api("GET", path, token=other).json()["data"]["id"], self.zoe.id
        )
        self.assertEqual(self.zoe.city, "Gent")
        self.assertTrue(self.zoe.active)

    def test_write_denied_by_rule_is_403(self):
        group = self.env["res.groups"].create({"name": "DCX test read-only on Anna"})
        self.env["ir.rule"].create(
            {
                "name": "DCX test: Anna read-only",
                "model_id": self.env.ref("base.model_res_partner").id,
                "groups": [(4, group.id)],
                "domain_force": f"[('id', '!=', {self.anna.id})]",
                "perm_read": False,
                "perm_create": False,
            }
        )
        self.agent.groups_id = [(4, group.id)]
        token = self.get_token(agent_email=self.agent.email)
        path = f"/customers/{self.anna.id}"
        self.assertEqual(self.api("GET", path, token=token).status_code, 200)
        self.assertError(
            self.api("PATCH", path, token=token, body={"city": "Namur"}),
            403,
            "/customers/{id}",
            "PATCH",
        )
        self.assertError(
            self.api("DELETE", path, token=token), 403, "/customers/{id}", "DELETE"
        )
        self.assertFalse(self.anna.city)
        self.assertTrue(self.anna.active)

    def test_agent_without_contact_rights_cannot_create(self):
        new_test_user(
            self.env,
            login="dcx_reader",
            email="reader@example.com",
            groups="base.group_user,dcx_crm.group_dcx_user",
        )
        token = self.get_token(agent_email="reader@example.com")
        self.assertEqual(self.api("GET", "/customers", token=token).status_code, 200)
        response = self.api(
            "POST", "/customers/create", token=token, body={"name": "Nope"}
        )
        self.assertError(response, 403, "/customers/create", "POST")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Nope")]))

    def test_wrong_method_on_access_token(self):
        response = self.api(
            "POST",
            "/access-token",
            raw="{}",
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        payload = self.assertError(response, 405, "/access-token", "GET")
        self.assertEqual(payload["message"], "Method Not Allowed")
        self.assertIn("GET", response.headers["Allow"])

    def test_expired_tokens_are_vacuumed(self):
        tokens = self.env["dcx.access.token"]
        self.get_token()
        self.get_token()
        old, fresh = tokens.search([], order="id")
        old.expires_at = fields.Datetime.now() - datetime.timedelta(minutes=1)
        tokens._gc_expired_tokens()
        self.assertFalse(old.exists())
        self.assertTrue(fresh.exists())

    def test_neutralized_database_stops_the_api(self):
        token = self.get_token()
        for query in get_neutralization_queries(["dcx_crm"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.env.registry.clear_cache()  # get_param is cached; a real copy starts cold
        self.assertFalse(self.env["dcx.access.token"].search([]))
        self.assertFalse(
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.integration_user.id)])
        )
        response = self.api("GET", "/customers", token=token)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["code"], 503)
        response = self.api(
            "GET", "/access-token", headers={"Authorization": f"Bearer {self.api_key}"}
        )
        self.assertEqual(response.status_code, 503)

    def test_cors_preflight_and_headers(self):
        response = self.opener.request(
            "OPTIONS", self.base_url() + "/dcx/v1/customers", timeout=12
        )
        self.assertEqual(response.status_code, 204)
        self.assertIn("PATCH", response.headers["Access-Control-Allow-Methods"])
        self.assertIn("Authorization", response.headers["Access-Control-Allow-Headers"])
        response = self.api("GET", "/customers")
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")

    def test_settings_page(self):
        settings = self.env["res.config.settings"].create(
            {
                "dcx_token_lifetime": 15,
                "dcx_customer_domain": "[('is_company', '=', True)]",
                "dcx_api_user_id": self.integration_user.id,
            }
        )
        self.assertTrue(settings.dcx_api_base_url.endswith("/dcx/v1"))
        settings.execute()
        icp = self.env["ir.config_parameter"].sudo()
        self.assertEqual(icp.get_param("dcx_crm.token_lifetime"), "15")
        self.assertEqual(
            icp.get_param("dcx_crm.customer_domain"), "[('is_company', '=', True)]"
        )
        # the key shown once by the settings button works on /access-token
        action = settings.action_dcx_generate_api_key()
        key = action["context"]["default_key"]
        response = self.api(
            "GET", "/access-token", headers={"Authorization": f"Bearer {key}"}
        )
        self.assertEqual(
            self.assertValid(response, "/access-token", "GET")["expires_in"], 900
        )
        for bad in ("[('is_company', '=')", "not a domain", "[('nope', '=', 1)]"):
            with self.subTest(domain=bad):
                bad_settings = self.env["res.config.settings"].create(
                    {"dcx_customer_domain": bad}
                )
                with self.assertRaises(ValidationError):
                    bad_settings.execute()
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"dcx_token_lifetime": 0})
