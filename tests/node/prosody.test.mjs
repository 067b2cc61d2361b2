// Real-Prosody test: DcxXmppClient (static/src/lib/xmpp_client.js) with strophe.js over
// websocket against a throwaway loopback Prosody started by tools/prosody/run.sh.
// Skips with a reason when prosody or the npm packages are missing; stops by itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { hasPackage, requirePkg, REPO_ROOT } from "./helpers.mjs";
import { DcxXmppClient } from "../../static/src/lib/xmpp_client.js";
import {
    createEventBus,
    acceptedPayload,
    callEndedPayload,
} from "../../static/src/lib/event_bus.js";

const RUN = path.join(REPO_ROOT, "tools", "prosody", "run.sh");
const DOMAIN = "dcx.test";
const NS = "urn:dcx:call:0";

function skipReason() {
    if (spawnSync("sh", ["-c", "command -v prosody && command -v prosodyctl"]).status !== 0) {
        return "prosody is not installed (Debian package 'prosody')";
    }
    for (const pkg of ["strophe.js", "ws", "@xmldom/xmldom"]) {
        if (!hasPackage(pkg)) {
            return `npm package ${pkg} missing in $DCX_NODE_MODULES`;
        }
    }
    return false;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function startProsody(dir, c2sPort, httpPort) {
    const child = spawn("bash", [RUN, dir, String(c2sPort), String(httpPort)], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, DCX_PROSODY_DOMAIN: DOMAIN },
    });
    let out = "";
    const ready = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`prosody not ready: ${out}`)), 20000);
        child.stdout.on("data", (d) => {
            out += d;
            const m = /READY pid=(\d+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        child.stderr.on("data", (d) => (out += d));
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`run.sh exited ${code}: ${out}`));
        });
    });
    return { child, ready };
}

function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

function waitFor(predicate, what, ms = 15000) {
    return new Promise((resolve, reject) => {
        const start = Date.now();
        const tick = () => {
            let v;
            try {
                v = predicate();
            } catch (err) {
                return reject(err);
            }
            if (v) {
                return resolve(v);
            }
            if (Date.now() - start > ms) {
                return reject(new Error(`timed out waiting for ${what}`));
            }
            setTimeout(tick, 25);
        };
        tick();
    });
}

function connectSender(lib, wsUrl) {
    const { Strophe } = lib;
    const conn = new Strophe.Connection(wsUrl);
    return new Promise((resolve, reject) => {
        conn.connect(`dcx@${DOMAIN}/sender`, "dcx-pass", (status) => {
            if (status === Strophe.Status.CONNECTED) {
                resolve(conn);
            } else if (status === Strophe.Status.AUTHFAIL || status === Strophe.Status.CONNFAIL) {
                reject(new Error(`sender status ${status}`));
            }
        });
    });
}

const reason = skipReason();

test(
    "DCX client over websocket: incoming call event, drop and reconnect",
    { skip: reason, timeout: 90000 },
    async (t) => {
        const lib = requirePkg("strophe.js"); // also installs ws / xmldom globals for Node
        lib.Strophe.log = () => {}; // keep the TAP output readable
        const dir = mkdtempSync(path.join(os.tmpdir(), "dcx-prosody-"));
        const c2s = await freePort();
        const http = await freePort();
        const wsUrl = `ws://127.0.0.1:${http}/xmpp-websocket`;
        const runs = [];
        let client = null;
        let sender = null;
        let pid = null;
        t.after(async () => {
            client?.stop("test done");
            try {
                sender?.reset();
            } catch {
                // ignore
            }
            for (const r of runs) {
                r.child.kill("SIGTERM");
            }
            // Prosody still writes its data dir while it shuts down: wait for it
            // to be gone before removing the dir (else rmdir races: ENOTEMPTY).
            if (pid) {
                await waitFor(() => !isAlive(pid), "prosody to exit", 10000).catch(() =>
                    process.kill(pid, "SIGKILL")
                );
            }
            if (!process.env.DCX_KEEP_PROSODY_DIR) {
                rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
            }
        });

        let run = startProsody(dir, c2s, http);
        runs.push(run);
        pid = await run.ready;

        const bus = createEventBus();
        const hooks = [];
        bus.on("accepted", (p) => hooks.push(["accepted", p]));
        bus.on("call-ended", (p) => hooks.push(["call-ended", p]));
        const statuses = [];
        const events = [];
        client = new DcxXmppClient({
            lib,
            credentials: {
                jid: `agent@${DOMAIN}/odoo`,
                password: "agent-pass",
                websocket_url: wsUrl,
            },
            backoff: { baseMs: 200, maxMs: 1000, jitter: 0.5 },
            pingIntervalMs: 1000,
            pingTimeoutMs: 1000,
            streamManagement: true,
            onStatus: (s, r) => statuses.push([s, r]),
            onEvent: (ev) => {
                events.push(ev);
                if (ev.type === "incoming-call") {
                    bus.emit(
                        "accepted",
                        acceptedPayload({
                            join: { meeting_id: ev.data.meeting_id },
                            incoming: ev.data,
                        })
                    );
                } else {
                    bus.emit(
                        "call-ended",
                        callEndedPayload({
                            meetingId: ev.data.meeting_id,
                            duration: ev.data.duration,
                            source: "xmpp",
                            raw: ev.data,
                        })
                    );
                }
            },
        });
        client.start();
        await waitFor(() => client.status === "connected", "first connection");
        assert.equal(statuses[0][0], "connecting");
        assert.deepEqual(statuses.at(-1), ["connected", "websocket"]);

        sender = await connectSender(lib, wsUrl);
        const { $msg } = lib;
        const to = `agent@${DOMAIN}`;
        sender.send(
            $msg({ to, type: "chat", id: "c1" })
                .c("incoming-call", {
                    xmlns: NS,
                    meeting_id: "123",
                    meeting_info_id: "a12",
                    chat_group_id: "cg-1",
                    jid: `caller@${DOMAIN}`,
                    meeting_mode: "audio",
                    meeting_type: "telephony",
                    caller: "+4930123456",
                })
                .tree()
        );
        // noise that must be ignored
        sender.send($msg({ to, type: "chat" }).c("body").t("hello").tree());
        sender.send(
            $msg({ to, type: "chat" })
                .c("call-ended", { xmlns: NS, meeting_id: "123", duration: "42" })
                .tree()
        );
        await waitFor(() => events.length >= 2, "two DCX events");
        assert.equal(events[0].type, "incoming-call");
        assert.equal(events[0].data.meeting_id, "123");
        assert.equal(events[0].data.caller, "+4930123456");
        assert.equal(events[0].data.from, `dcx@${DOMAIN}/sender`);
        assert.equal(events[1].type, "call-ended");
        assert.equal(events[1].data.duration, 42);
        assert.equal(hooks[0][0], "accepted");
        assert.equal(hooks[0][1].incoming.chat_group_id, "cg-1");
        assert.deepEqual(hooks[1], ["call-ended", hooks[1][1]]);
        assert.equal(hooks[1][1].duration_seconds, 42);
        assert.equal(hooks[1][1].source, "xmpp");

        // --- the server dies: the client notices and keeps retrying with backoff
        process.kill(pid, "SIGKILL");
        await waitFor(() => client.status === "reconnecting", "reconnecting status");
        await new Promise((r) => setTimeout(r, 1500)); // a few failed retries while down
        assert.equal(client.status, "reconnecting");
        assert.ok(client.nextRetryMs <= 1000, "backoff is capped");
        assert.equal(client.connectCount, 1);

        // --- the server comes back: the client reconnects by itself
        run = startProsody(dir, c2s, http);
        runs.push(run);
        pid = await run.ready;
        await waitFor(() => client.status === "connected", "reconnection", 20000);
        assert.equal(client.connectCount, 2);

        sender = await connectSender(lib, wsUrl);
        sender.send(
            lib
                .$msg({ to: `agent@${DOMAIN}`, type: "chat" })
                .c("incoming-call", { xmlns: NS })
                .c("meeting_id")
                .t("456")
                .tree()
        );
        await waitFor(() => events.length >= 3, "event after reconnect");
        assert.equal(events[2].data.meeting_id, "456");
        const log = readFileSync(path.join(dir, "prosody.log"), "utf8");
        assert.match(log, /Activated service 'http' on \[127\.0\.0\.1\]/);
        assert.ok(existsSync(path.join(dir, "data")));
    }
);
