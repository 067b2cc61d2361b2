"""Odoo-free helpers of dcx_crm (stdlib + phonenumbers + requests only)."""
