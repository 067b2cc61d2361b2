/**
 * DCX XMPP client: one connection to Prosody that turns DCX stanzas into events.
 *
 * Plain ES module (no Odoo import). strophe.js is injected (`lib` = the object that
 * holds `Strophe` and `$pres`, i.e. `window.Strophe` from the vendored UMD build, or
 * `import * as lib from "strophe.js"` in Node), so the same code runs in the browser
 * and against a real Prosody from `node --test`.
 *
 * - websocket first, BOSH fallback after `wsFailuresBeforeBosh` consecutive websocket
 *   failures (then back to websocket after a BOSH failure);
 * - automatic reconnect with capped exponential backoff + jitter (./backoff.js);
 * - XEP-0198 stream management on websocket when `streamManagement` is true and the
 *   server offers it (strophe negotiates it only when advertised);
 * - XEP-0199 ping every `pingIntervalMs`; no answer within `pingTimeoutMs` counts as a
 *   dead connection (a frozen server is noticed only this way).
 *
 * Status values reported through onStatus(status, reason):
 *   "connecting" | "connected" | "reconnecting" | "off" | "error"
 */

import { Backoff } from "./backoff.js";
import { parseDcxStanza } from "./stanza_parser.js";

const PING_NS = "urn:xmpp:ping";

export class DcxXmppClient {
    constructor(options) {
        const o = options || {};
        if (!o.lib || !o.lib.Strophe) {
            throw new Error("DcxXmppClient needs strophe.js (options.lib.Strophe)");
        }
        this.lib = o.lib;
        this.S = o.lib.Strophe;
        this.credentials = o.credentials || {};
        this.stanzaOptions = o.stanzaOptions || {};
        this.stanzaEnv = o.stanzaEnv || {};
        this.timers = o.timers || globalThis;
        this.backoff = new Backoff({ ...(o.backoff || {}), random: o.random || Math.random });
        this.onStatus = o.onStatus || (() => {});
        this.onEvent = o.onEvent || (() => {});
        this.onInvalid = o.onInvalid || (() => {});
        this.streamManagement = o.streamManagement !== false;
        this.connectionOptions = o.connectionOptions || {};
        this.pingIntervalMs = o.pingIntervalMs ?? 30000;
        this.pingTimeoutMs = o.pingTimeoutMs ?? 10000;
        this.wsFailuresBeforeBosh = o.wsFailuresBeforeBosh ?? 2;
        this.connectWait = o.connectWait ?? 10; // BOSH wait, seconds
        this.status = "off";
        this.reason = "";
        this.transport = null;
        this.conn = null;
        this._stopped = true;
        this._retryTimer = null;
        this._pingTimer = null;
        this._wsFailures = 0;
        this._generation = 0;
        this._connectedOnce = false;
        this.connectCount = 0;
    }

    _setStatus(status, reason = "") {
        if (status === this.status && reason === this.reason) {
            return;
        }
        this.status = status;
        this.reason = reason;
        try {
            this.onStatus(status, reason);
        } catch (err) {
            console.error(err);
        }
    }

    _pickTransport() {
        const { websocket_url: ws, bosh_url: bosh } = this.credentials;
        if (ws && bosh) {
            if (this.transport === "bosh") {
                return "websocket";
            }
            return this._wsFailures >= this.wsFailuresBeforeBosh ? "bosh" : "websocket";
        }
        return ws ? "websocket" : bosh ? "bosh" : null;
    }

    start() {
        if (!this._stopped) {
            return;
        }
        const { jid, password } = this.credentials;
        if (!jid || !password || !(this.credentials.websocket_url || this.credentials.bosh_url)) {
            this._setStatus("off", "XMPP is not configured");
            return;
        }
        this._stopped = false;
        this.backoff.reset();
        this._connect();
    }

    stop(reason = "stopped") {
        this._stopped = true;
        this._generation++;
        this._clearTimers();
        const conn = this.conn;
        this.conn = null;
        if (conn) {
            try {
                conn.disconnect(reason);
            } catch {
                // ignore
            }
            try {
                conn.reset();
            } catch {
                // ignore
            }
        }
        this._setStatus("off", reason);
    }

    _clearTimers() {
        if (this._retryTimer) {
            this.timers.clearTimeout(this._retryTimer);
            this._retryTimer = null;
        }
        if (this._pingTimer) {
            this.timers.clearTimeout(this._pingTimer);
            this._pingTimer = null;
        }
    }

    _connect() {
        const gen = ++this._generation;
        const transport = this._pickTransport();
        this.transport = transport;
        const url =
            transport === "websocket" ? this.credentials.websocket_url : this.credentials.bosh_url;
        const S = this.S;
        const opts = { ...this.connectionOptions };
        if (transport === "websocket" && this.streamManagement) {
            opts.enableStreamManagement = true;
            if (this.lib.MemoryStorageBackend && typeof sessionStorage === "undefined") {
                opts.streamManagement = { storage: new this.lib.MemoryStorageBackend() };
            }
        }
        let conn;
        try {
            conn = new S.Connection(url, opts);
        } catch (err) {
            this._failed(gen, `cannot create ${transport} connection: ${err.message}`);
            return;
        }
        this.conn = conn;
        this._setStatus(this._connectedOnce ? "reconnecting" : "connecting", this.reason);
        conn.addHandler((stanza) => this._onStanza(stanza), null, "message");
        const St = S.Status;
        try {
            conn.connect(
                this.credentials.jid,
                this.credentials.password,
                (status, condition) => {
                    if (gen !== this._generation) {
                        return; // a stale connection object
                    }
                    if (status === St.CONNECTED) {
                        this._onConnected(conn, gen);
                    } else if (status === St.AUTHFAIL) {
                        this._stopped = true;
                        this._clearTimers();
                        this._setStatus("error", "XMPP login refused (check JID/password)");
                    } else if (
                        status === St.CONNFAIL ||
                        status === St.ERROR ||
                        status === St.CONNTIMEOUT
                    ) {
                        this._lastCondition = condition || this._statusName(status);
                    } else if (status === St.DISCONNECTED) {
                        this._failed(gen, this._lastCondition || "connection lost");
                    }
                },
                this.connectWait
            );
        } catch (err) {
            this._failed(gen, err.message);
        }
    }

    _statusName(code) {
        for (const [k, v] of Object.entries(this.S.Status)) {
            if (v === code) {
                return k.toLowerCase();
            }
        }
        return String(code);
    }

    _onConnected(conn, gen) {
        this._connectedOnce = true;
        this._lastCondition = null;
        this.connectCount++;
        if (this.transport === "websocket") {
            this._wsFailures = 0;
        }
        this.backoff.reset();
        // initial presence so messages addressed to the bare JID are delivered here
        conn.send(this.lib.$pres().tree());
        this._setStatus("connected", this.transport);
        this._schedulePing(conn, gen);
    }

    _schedulePing(conn, gen) {
        if (!this.pingIntervalMs) {
            return;
        }
        this._pingTimer = this.timers.setTimeout(() => {
            if (gen !== this._generation || this._stopped) {
                return;
            }
            const domain = this.S.getDomainFromJid(this.credentials.jid);
            const iq = this.lib.$iq({ type: "get", to: domain }).c("ping", { xmlns: PING_NS });
            conn.sendIQ(
                iq.tree(),
                () => gen === this._generation && this._schedulePing(conn, gen),
                (err) => {
                    if (gen !== this._generation) {
                        return;
                    }
                    if (err === null) {
                        // timeout
                        this._lastCondition = "ping timeout";
                        this._failed(gen, "ping timeout");
                    } else {
                        // an error reply still proves the connection is alive
                        this._schedulePing(conn, gen);
                    }
                },
                this.pingTimeoutMs
            );
        }, this.pingIntervalMs);
    }

    _failed(gen, reason) {
        if (gen !== this._generation || this._stopped) {
            return;
        }
        this._generation++;
        this._clearTimers();
        const conn = this.conn;
        this.conn = null;
        if (conn) {
            try {
                conn.reset();
            } catch {
                // ignore
            }
        }
        if (this.transport === "websocket") {
            this._wsFailures++;
        }
        const delay = this.backoff.next();
        this._setStatus("reconnecting", `${reason}; retry in ${Math.round(delay / 1000)} s`);
        this.nextRetryMs = delay;
        this._retryTimer = this.timers.setTimeout(() => {
            this._retryTimer = null;
            if (!this._stopped) {
                this._connect();
            }
        }, delay);
    }

    _onStanza(stanza) {
        const ev = parseDcxStanza(stanza, this.stanzaOptions, this.stanzaEnv);
        if (ev && ev.type === "invalid") {
            this.onInvalid(ev.reason, stanza);
        } else if (ev) {
            try {
                this.onEvent(ev);
            } catch (err) {
                console.error(err);
            }
        }
        return true; // keep the handler
    }
}
