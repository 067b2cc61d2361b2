import { test } from "node:test";
import assert from "node:assert/strict";
import { createLeaderElection } from "../../static/src/lib/leader_election.js";

/** In-memory BroadcastChannel hub: delivers to every other channel of the same name. */
function channelHub() {
    const channels = new Set();
    return (name) => {
        const ch = {
            name,
            onmessage: null,
            closed: false,
            postMessage(data) {
                if (ch.closed) {
                    throw new Error("closed");
                }
                const copy = structuredClone(data);
                for (const other of channels) {
                    if (other !== ch && other.name === name && !other.closed && other.onmessage) {
                        queueMicrotask(() => !other.closed && other.onmessage({ data: copy }));
                    }
                }
            },
            close() {
                ch.closed = true;
                channels.delete(ch);
            },
        };
        channels.add(ch);
        return ch;
    };
}

/** Minimal Web Locks LockManager: exclusive locks, FIFO queue, AbortSignal, release on callback settle. */
function fakeLocks() {
    const held = new Map();
    const queues = new Map();
    function grant(name) {
        if (held.get(name)) {
            return;
        }
        const q = queues.get(name) || [];
        const next = q.shift();
        if (!next) {
            return;
        }
        held.set(name, true);
        let result;
        try {
            result = Promise.resolve(next.cb({ name, mode: "exclusive" }));
        } catch (e) {
            result = Promise.reject(e);
        }
        result.then(next.resolve, next.reject).finally(() => {
            held.set(name, false);
            grant(name);
        });
    }
    return {
        request(name, opts, cb) {
            return new Promise((resolve, reject) => {
                const entry = { cb, resolve, reject };
                const q = queues.get(name) || [];
                queues.set(name, q);
                q.push(entry);
                if (opts.signal) {
                    opts.signal.addEventListener("abort", () => {
                        const i = q.indexOf(entry);
                        if (i >= 0) {
                            q.splice(i, 1);
                            reject(new Error("AbortError"));
                        }
                    });
                }
                queueMicrotask(() => grant(name));
            });
        },
    };
}

/** Manually advanced clock. */
function fakeClock() {
    let now = 0;
    let seq = 0;
    const timers = new Map();
    return {
        setTimeout(fn, ms) {
            const id = ++seq;
            timers.set(id, { at: now + ms, fn });
            return id;
        },
        clearTimeout(id) {
            timers.delete(id);
        },
        async advance(ms) {
            const end = now + ms;
            for (;;) {
                await flush();
                let nextId = null;
                let next = null;
                for (const [id, t] of timers) {
                    if (t.at <= end && (!next || t.at < next.at)) {
                        next = t;
                        nextId = id;
                    }
                }
                if (!next) {
                    break;
                }
                now = next.at;
                timers.delete(nextId);
                next.fn();
            }
            now = end;
            await flush();
        },
    };
}

const flush = async () => {
    for (let i = 0; i < 20; i++) {
        await Promise.resolve();
    }
};

const leaders = (tabs) => tabs.filter((t) => t.isLeader).map((t) => t.id);

test("web locks: one leader, hand-over to the next tab when the leader closes", async () => {
    const locks = fakeLocks();
    const channelFactory = channelHub();
    const tabs = ["a", "b", "c"].map((id) => createLeaderElection({ id, locks, channelFactory }));
    const changes = [];
    tabs.forEach((t) => t.onChange((v) => changes.push([t.id, v])));
    tabs.forEach((t) => t.start());
    await flush();
    assert.equal(tabs[0].mode, "locks");
    assert.deepEqual(leaders(tabs), ["a"]);
    tabs[0].stop();
    await flush();
    assert.deepEqual(leaders(tabs), ["b"]);
    tabs[1].stop();
    await flush();
    assert.deepEqual(leaders(tabs), ["c"]);
    assert.deepEqual(changes, [
        ["a", true],
        ["a", false],
        ["b", true],
        ["b", false],
        ["c", true],
    ]);
    tabs[2].stop();
});

test("web locks: a queued tab that stops never becomes leader", async () => {
    const locks = fakeLocks();
    const channelFactory = channelHub();
    const [a, b, c] = ["a", "b", "c"].map((id) =>
        createLeaderElection({ id, locks, channelFactory })
    );
    [a, b, c].forEach((t) => t.start());
    await flush();
    b.stop(); // queued, aborted
    a.stop();
    await flush();
    assert.deepEqual(leaders([a, b, c]), ["c"]);
    c.stop();
});

test("broadcast() reaches the other tabs, not the sender; election traffic is hidden", async () => {
    const channelFactory = channelHub();
    const locks = fakeLocks();
    const [a, b, c] = ["a", "b", "c"].map((id) =>
        createLeaderElection({ id, locks, channelFactory })
    );
    const got = { a: [], b: [], c: [] };
    for (const t of [a, b, c]) {
        t.onMessage((m) => got[t.id].push(m));
        t.start();
    }
    await flush();
    a.broadcast({ type: "incoming", meeting_id: "1" });
    await flush();
    assert.deepEqual(got, {
        a: [],
        b: [{ type: "incoming", meeting_id: "1" }],
        c: [{ type: "incoming", meeting_id: "1" }],
    });
    [a, b, c].forEach((t) => t.stop());
});

test("heartbeat fallback: single leader, smallest id wins concurrent claims", async () => {
    const clock = fakeClock();
    const channelFactory = channelHub();
    const opts = { channelFactory, timers: clock, heartbeatMs: 100, timeoutMs: 350 };
    const tabs = ["c", "a", "b"].map((id) => createLeaderElection({ ...opts, id }));
    tabs.forEach((t) => t.start());
    assert.equal(tabs[0].mode, "heartbeat");
    await clock.advance(1000);
    assert.deepEqual(leaders(tabs), ["a"]);
    // stays stable while heartbeats flow
    await clock.advance(5000);
    assert.deepEqual(leaders(tabs), ["a"]);
    assert.equal(tabs[0].leaderId, "a");
    tabs.forEach((t) => t.stop());
});

test("heartbeat fallback: resign hands over quickly; a crashed leader is replaced after the timeout", async () => {
    const clock = fakeClock();
    const created = [];
    const hub = channelHub();
    const channelFactory = (name) => {
        const ch = hub(name);
        created.push(ch);
        return ch;
    };
    const opts = { channelFactory, timers: clock, heartbeatMs: 100, timeoutMs: 350 };
    const [a, b, c] = ["a", "b", "c"].map((id) => createLeaderElection({ ...opts, id }));
    a.start();
    await clock.advance(1000);
    b.start();
    c.start();
    await clock.advance(1000);
    assert.deepEqual(leaders([a, b, c]), ["a"]);

    a.stop(); // graceful close: sends resign
    await clock.advance(100); // well under timeoutMs
    assert.deepEqual(leaders([a, b, c]), ["b"]);

    // b's tab is killed: its channel goes away without a resign message
    created[1].close();
    await clock.advance(200);
    assert.deepEqual(leaders([c]), [], "not before the timeout");
    await clock.advance(1000);
    assert.deepEqual(leaders([c]), ["c"]);
    c.stop();
    b.stop();
});

test("heartbeat fallback: a late tab joins as follower of the existing leader", async () => {
    const clock = fakeClock();
    const channelFactory = channelHub();
    const opts = { channelFactory, timers: clock, heartbeatMs: 100, timeoutMs: 350 };
    const z = createLeaderElection({ ...opts, id: "z" });
    z.start();
    await clock.advance(1000);
    const a = createLeaderElection({ ...opts, id: "a" }); // smaller id, but z already leads
    a.start();
    await clock.advance(3000);
    assert.deepEqual(leaders([z, a]), ["z"]);
    assert.equal(a.leaderId, "z");
    z.stop();
    a.stop();
});
