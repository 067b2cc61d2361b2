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
        "views/dcx_menus.xml",
    ],
    "demo": [],
    "assets": {},
}
