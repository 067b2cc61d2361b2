# Copyright 2026 DCX
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "DCX Contact Center",
    "summary": "Use Odoo as the CRM of the DCX contact-center platform: "
    "customer API, call history and softphone",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/dcx/dcx_crm",
    "author": "DCX",
    "maintainers": ["dcx"],
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["crm", "contacts", "mail", "phone_validation"],
    "external_dependencies": {"python": ["phonenumbers", "requests"]},
    "data": [
        "security/dcx_crm_security.xml",
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
        "views/res_config_settings_softphone_views.xml",
        "views/res_users_softphone_views.xml",
        "views/res_partner_softphone_views.xml",
        "views/dcx_menus.xml",
        "data/ir_cron.xml",
        "views/dcx_call_views.xml",
        "views/dcx_webhook_event_views.xml",
        "views/dcx_call_partner_views.xml",
        "data/dcx_api_data.xml",
        "views/dcx_access_token_views.xml",
        "views/dcx_form_field_views.xml",
    ],
    "demo": [
        "demo/dcx_demo.xml",
        "demo/dcx_softphone_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "dcx_crm/static/lib/strophe/strophe.umd.min.js",
            "dcx_crm/static/src/lib/*.js",
            "dcx_crm/static/src/services/*.esm.js",
            "dcx_crm/static/src/components/**/*",
            "dcx_crm/static/src/scss/*.scss",
        ],
        "web.assets_unit_tests": [
            "dcx_crm/static/tests/**/*.test.js",
        ],
        "web.assets_tests": [
            "dcx_crm/static/tests/tours/**/*.js",
        ],
    },
}
