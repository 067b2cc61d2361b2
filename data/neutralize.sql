-- Run by `odoo-bin neutralize` and on database duplicates made for testing: a copy
-- of production must never talk to DCX nor accept its tokens and secrets.
-- issue 2 (CRM-provider API): switch the API off, void its tokens and the
-- integration user's API keys (the key DCX-Account uses).
UPDATE ir_config_parameter SET value = 'False' WHERE key = 'dcx_crm.api_enabled';
DELETE FROM dcx_access_token;
DELETE FROM res_users_apikeys
 WHERE user_id::text = (SELECT value FROM ir_config_parameter WHERE key = 'dcx_crm.api_user_id');
-- issue 3 (call history): void the webhook secrets (signing + bearer) so a copy
-- never accepts DCX-Meeting deliveries, and stop importing recordings.
UPDATE res_company SET dcx_webhook_secrets_enc = NULL, dcx_webhook_bearer_hash = NULL,
       dcx_recording_import = FALSE;
