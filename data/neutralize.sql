-- Run by `odoo-bin neutralize` and on database duplicates made for testing: a copy
-- of production must never talk to DCX nor accept its tokens and secrets.
-- CRM-provider API: switch the API off, void its tokens and the
-- integration user's API keys (the key DCX-Account uses).
UPDATE ir_config_parameter SET value = 'False' WHERE key = 'dcx_crm.api_enabled';
DELETE FROM dcx_access_token;
DELETE FROM res_users_apikeys
 WHERE user_id::text = (SELECT value FROM ir_config_parameter WHERE key = 'dcx_crm.api_user_id');
-- Call history: void the webhook secrets (signing + bearer) so a copy
-- never accepts DCX-Meeting deliveries, and stop importing recordings.
UPDATE res_company SET dcx_webhook_secrets_enc = NULL, dcx_webhook_bearer_hash = NULL,
       dcx_recording_import = FALSE;
-- Softphone: forget where DCX-Meeting is and every credential to reach it or
-- Prosody, so a copy never places calls nor logs users into the real XMPP server.
UPDATE res_company SET dcx_meeting_url = NULL, dcx_meeting_api_key_enc = NULL;
UPDATE res_users SET dcx_meeting_token_enc = NULL, dcx_xmpp_password_enc = NULL;
