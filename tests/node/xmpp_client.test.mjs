// DcxXmppClient with a scripted fake strophe.js: transports, backoff, auth failure,
// ping timeout, stanza dispatch. (The real-Prosody test is prosody.test.mjs.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { DcxXmppClient } from "../../static/src/lib/xmpp_client.js";
import { requirePkg } from "./helpers.mjs";

const Status = {
    ERROR: 0,
    CONNECTING: 1,
    CONNFAIL: 2,
    AUTHENTICATING: 3,
    AUTHFAIL: 4,
    CONNECTED: 5,
    DISCONNECTED: 6,
    DISCONNECTING: 7,
    CONNTIMEOUT: 10,
};

function fakeLib() {
    const connections = [];
    class Connection {
        constructor(url, options) {
            this.url = url;
            this.options = options;
            this.sent = [];
            this.iqs = [];
            this.handlers = [];
            connections.push(this);
        }
        addHandler(fn, ns, name) {
            this.handlers.push({ fn, name });
        }
        connect(jid, pass, cb) {
            this.jid = jid;
            this.cb = cb;
        }
        send(el) {
            this.sent.push(el);
        }
        sendIQ(el, ok, err, timeout) {
            this.iqs.push({ el, ok, err, timeout });
        }
        disconnect() {
            this.disconnected = true;
        }
        reset() {
            this.wasReset = true;
        }
    }
    const builder = (name) => (attrs) => ({
        name,
        attrs,
        c: function (n, a) {
            this.child = { n, a };
            return this;
        },
        tree() {
            return this;
        },
    });
    return {
        connections,
        Strophe: { Connection, Status, getDomainFromJid: (j) => j.split("@")[1].split("/")[0] },
        $pres: builder("presence"),
        $iq: builder("iq"),
    };
}

function fakeTimers() {
    const pending = new Map();
    let id = 0;
    return {
        pending,
        setTimeout(fn, ms) {
            pending.set(++id, { fn, ms });
            return id;
        },
        clearTimeout(i) {
            pending.delete(i);
        },
        /** run the earliest-registered pending timer */
        runNext() {
            const [first] = pending.keys();
            const t = pending.get(first);
            pending.delete(first);
            t.fn();
            return t.ms;
        },
    };
}

const CREDS = {
    jid: "agent@dcx.test/odoo",
    password: "pw",
    websocket_url: "ws://x/xmpp-websocket",
    bosh_url: "http://x/http-bind",
};

function makeClient(extra = {}) {
    const lib = fakeLib();
    const timers = fakeTimers();
    const statuses = [];
    const events = [];
    const invalid = [];
    const client = new DcxXmppClient({
        lib,
        timers,
        credentials: CREDS,
        random: () => 0.5,
        backoff: { baseMs: 1000, maxMs: 8000, jitter: 0.5 },
        pingIntervalMs: 30000,
        pingTimeoutMs: 5000,
        onStatus: (s, r) => statuses.push([s, r]),
        onEvent: (e) => events.push(e),
        onInvalid: (r) => invalid.push(r),
        ...extra,
    });
    return { client, lib, timers, statuses, events, invalid };
}

test("connects over websocket with stream management, sends presence, schedules a ping", () => {
    const { client, lib, timers, statuses } = makeClient();
    client.start();
    const conn = lib.connections[0];
    assert.equal(conn.url, CREDS.websocket_url);
    assert.equal(conn.options.enableStreamManagement, true);
    assert.equal(conn.jid, CREDS.jid);
    conn.cb(Status.CONNECTED);
    assert.equal(client.status, "connected");
    assert.deepEqual(statuses, [
        ["connecting", ""],
        ["connected", "websocket"],
    ]);
    assert.equal(conn.sent[0].name, "presence");
    assert.equal([...timers.pending.values()][0].ms, 30000);
    client.stop();
    assert.equal(client.status, "off");
    assert.equal(timers.pending.size, 0);
    assert.ok(conn.disconnected);
});

test("drops: capped backoff with jitter, BOSH after two websocket failures, then back", () => {
    const { client, lib, timers, statuses } = makeClient();
    client.start();
    lib.connections[0].cb(Status.CONNECTED);
    lib.connections[0].cb(Status.DISCONNECTED);
    assert.equal(client.status, "reconnecting");
    assert.match(statuses.at(-1)[1], /connection lost; retry in 1 s/);
    const delays = [];
    // each retry fails: CONNFAIL then DISCONNECTED
    for (let i = 0; i < 5; i++) {
        delays.push(timers.runNext());
        const conn = lib.connections.at(-1);
        conn.cb(Status.CONNFAIL, "host-unknown");
        conn.cb(Status.DISCONNECTED);
    }
    delays.push(timers.runNext());
    // 1000*2^n capped at 8000, jitter 0.5 with random 0.5 → 75 %
    assert.deepEqual(delays, [750, 1500, 3000, 6000, 6000, 6000]);
    assert.deepEqual(
        lib.connections.map((c) => (c.url.startsWith("ws") ? "ws" : "bosh")),
        ["ws", "ws", "bosh", "ws", "bosh", "ws", "bosh"]
    );
    assert.equal(lib.connections[2].options.enableStreamManagement, undefined, "no SM over BOSH");
    assert.match(statuses.at(-1)[1], /host-unknown/);
    // success resets the backoff
    lib.connections.at(-1).cb(Status.CONNECTED);
    assert.deepEqual(statuses.at(-1), ["connected", "bosh"]);
    assert.equal(client.backoff.attempt, 0);
    client.stop();
});

test("a stale connection's callbacks are ignored", () => {
    const { client, lib, timers } = makeClient();
    client.start();
    const first = lib.connections[0];
    first.cb(Status.CONNECTED);
    first.cb(Status.DISCONNECTED);
    timers.runNext();
    first.cb(Status.CONNECTED); // late callback of the old connection
    assert.equal(client.status, "reconnecting");
    lib.connections[1].cb(Status.CONNECTED);
    assert.equal(client.status, "connected");
    client.stop();
});

test("wrong password stops retrying with a clear reason", () => {
    const { client, lib, timers } = makeClient();
    client.start();
    lib.connections[0].cb(Status.AUTHFAIL);
    assert.equal(client.status, "error");
    assert.equal(client.reason, "XMPP login refused (check JID/password)");
    lib.connections[0].cb(Status.DISCONNECTED);
    assert.equal(timers.pending.size, 0);
    assert.equal(lib.connections.length, 1);
});

test("ping timeout counts as a dead connection; an error reply does not", () => {
    const { client, lib, timers } = makeClient();
    client.start();
    const conn = lib.connections[0];
    conn.cb(Status.CONNECTED);
    timers.runNext(); // ping
    assert.equal(conn.iqs.length, 1);
    assert.equal(conn.iqs[0].timeout, 5000);
    assert.deepEqual(conn.iqs[0].el.attrs, { type: "get", to: "dcx.test" });
    conn.iqs[0].err({ nodeName: "iq" }); // service-unavailable reply: alive
    assert.equal(client.status, "connected");
    timers.runNext();
    conn.iqs[1].err(null); // timeout
    assert.equal(client.status, "reconnecting");
    assert.match(client.reason, /ping timeout/);
    assert.ok(conn.wasReset);
    client.stop();
});

test("not configured: stays off with a reason", () => {
    const { client, lib } = makeClient({ credentials: { jid: "a@b" } });
    client.start();
    assert.equal(client.status, "off");
    assert.equal(client.reason, "XMPP is not configured");
    assert.equal(lib.connections.length, 0);
    assert.throws(() => new DcxXmppClient({}), /needs strophe.js/);
});

test("message stanzas become events; invalid DCX stanzas are reported, others ignored", () => {
    const { DOMParser } = requirePkg("@xmldom/xmldom");
    const { client, lib, events, invalid } = makeClient();
    client.start();
    const conn = lib.connections[0];
    const handler = conn.handlers.find((h) => h.name === "message").fn;
    const el = (xml) => new DOMParser().parseFromString(xml, "text/xml").documentElement;
    assert.equal(
        handler(el(`<message><incoming-call xmlns="urn:dcx:call:0" meeting_id="9"/></message>`)),
        true
    );
    assert.equal(handler(el(`<message><incoming-call xmlns="urn:dcx:call:0"/></message>`)), true);
    assert.equal(handler(el(`<message><body>hi</body></message>`)), true);
    assert.equal(events.length, 1);
    assert.equal(events[0].data.meeting_id, "9");
    assert.deepEqual(invalid, ["missing meeting_id"]);
    client.stop();
});
