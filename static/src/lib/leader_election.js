/**
 * Leader-tab election: exactly one tab of a browser holds the XMPP connection; the
 * others listen on a BroadcastChannel. Plain ES module (no Odoo import); every
 * platform object is injected so Node tests can drive it:
 *
 *   - locks: a Web Locks `LockManager` (navigator.locks). When present, the tab
 *     holding the exclusive lock `name` is the leader; the browser releases the lock
 *     when the tab closes or crashes, and the next queued tab gets it (hand-over).
 *   - without locks: a heartbeat protocol over the channel. The leader sends
 *     `heartbeat` every `heartbeatMs`; followers that hear nothing for `timeoutMs`
 *     (or get `resign`, sent on stop/pagehide) claim; concurrent claims resolve to
 *     the smallest tab id.
 *
 * Messages between tabs go through `broadcast(msg)` / `onMessage(handler)`; election
 * traffic is kept out of them.
 */

const ELECTION = "__dcx_election__";

let counter = 0;
function defaultId(random) {
    counter++;
    return `${Date.now().toString(36)}-${Math.floor(random() * 1e9).toString(36)}-${counter}`;
}

export function createLeaderElection(options = {}) {
    const name = options.name || "dcx_phone_leader";
    const random = options.random || Math.random;
    const id = options.id || defaultId(random);
    const locks = options.locks || null;
    const timers = options.timers || globalThis;
    const heartbeatMs = options.heartbeatMs || 1000;
    const timeoutMs = options.timeoutMs || heartbeatMs * 3 + 500;
    const channel = options.channelFactory
        ? options.channelFactory(name)
        : new globalThis.BroadcastChannel(name);

    const changeHandlers = new Set();
    const messageHandlers = new Set();
    let isLeader = false;
    let started = false;
    let stopped = false;
    let leaderId = null;
    // lock mode
    let releaseLock = null;
    let abort = null;
    // heartbeat mode
    let hbTimer = null;
    let watchTimer = null;
    let claimTimer = null;

    function setLeader(value) {
        if (value === isLeader) {
            return;
        }
        isLeader = value;
        if (value) {
            leaderId = id;
        }
        for (const h of [...changeHandlers]) {
            try {
                h(value);
            } catch (err) {
                console.error(err);
            }
        }
    }

    function post(msg) {
        try {
            channel.postMessage(msg);
        } catch {
            // channel closed
        }
    }

    function sendElection(kind) {
        post({ [ELECTION]: kind, id });
    }

    // ---------------------------------------------------------------- heartbeat mode
    function clear(t) {
        if (t) {
            timers.clearTimeout(t);
        }
        return null;
    }

    function armWatch() {
        watchTimer = clear(watchTimer);
        if (stopped || isLeader) {
            return;
        }
        watchTimer = timers.setTimeout(() => {
            watchTimer = null;
            claim();
        }, timeoutMs);
    }

    function claim() {
        if (stopped || isLeader || claimTimer) {
            return;
        }
        sendElection("claim");
        // wait for objections from smaller ids / a live leader
        claimTimer = timers.setTimeout(
            () => {
                claimTimer = null;
                if (stopped) {
                    return;
                }
                becomeHeartbeatLeader();
            },
            Math.max(50, Math.floor(heartbeatMs / 2))
        );
    }

    function becomeHeartbeatLeader() {
        watchTimer = clear(watchTimer);
        setLeader(true);
        sendElection("heartbeat");
        const beat = () => {
            if (!isLeader || stopped) {
                return;
            }
            sendElection("heartbeat");
            hbTimer = timers.setTimeout(beat, heartbeatMs);
        };
        hbTimer = timers.setTimeout(beat, heartbeatMs);
    }

    function stepDown(newLeader) {
        hbTimer = clear(hbTimer);
        claimTimer = clear(claimTimer);
        leaderId = newLeader;
        setLeader(false);
        armWatch();
    }

    function onElection(kind, from) {
        if (locks) {
            if (kind === "heartbeat") {
                leaderId = from;
            }
            return;
        }
        if (kind === "heartbeat") {
            if (isLeader) {
                if (from < id) {
                    stepDown(from);
                }
                return;
            }
            if (claimTimer && from > id) {
                // we are claiming with a smaller id: the other one will yield to us
                return;
            }
            claimTimer = clear(claimTimer);
            leaderId = from;
            armWatch();
        } else if (kind === "claim") {
            if (isLeader) {
                sendElection("heartbeat"); // tell the claimer someone already leads
            } else if (claimTimer && from < id) {
                claimTimer = clear(claimTimer);
                armWatch();
            }
        } else if (kind === "resign") {
            if (from === leaderId || leaderId === null) {
                leaderId = null;
                watchTimer = clear(watchTimer);
                claim();
            }
        } else if (kind === "hello") {
            if (isLeader) {
                sendElection("heartbeat");
            }
        }
    }

    // --------------------------------------------------------------------- lock mode
    function requestLock() {
        abort = typeof AbortController !== "undefined" ? new AbortController() : null;
        const opts = abort ? { signal: abort.signal } : {};
        const p = locks.request(name, opts, () => {
            if (stopped) {
                return undefined;
            }
            setLeader(true);
            sendElection("heartbeat");
            return new Promise((resolve) => {
                releaseLock = resolve;
            });
        });
        if (p && typeof p.catch === "function") {
            p.catch(() => {}); // AbortError on stop while queued
        }
    }

    channel.onmessage = (ev) => {
        const msg = ev && ev.data;
        if (!msg || typeof msg !== "object") {
            return;
        }
        if (msg[ELECTION]) {
            if (msg.id !== id) {
                onElection(msg[ELECTION], String(msg.id));
            }
            return;
        }
        for (const h of [...messageHandlers]) {
            try {
                h(msg);
            } catch (err) {
                console.error(err);
            }
        }
    };

    return {
        id,
        get isLeader() {
            return isLeader;
        },
        get leaderId() {
            return leaderId;
        },
        mode: locks ? "locks" : "heartbeat",
        start() {
            if (started) {
                return;
            }
            started = true;
            if (locks) {
                requestLock();
            } else {
                sendElection("hello");
                armWatch();
            }
        },
        /** Resign and hand over to the next tab; the instance can't be restarted. */
        stop() {
            if (stopped) {
                return;
            }
            const wasLeader = isLeader;
            stopped = true;
            hbTimer = clear(hbTimer);
            watchTimer = clear(watchTimer);
            claimTimer = clear(claimTimer);
            if (wasLeader) {
                sendElection("resign");
            }
            setLeader(false);
            if (releaseLock) {
                releaseLock();
                releaseLock = null;
            } else if (abort) {
                abort.abort();
            }
            try {
                channel.close();
            } catch {
                // already closed
            }
        },
        onChange(handler) {
            changeHandlers.add(handler);
            return () => changeHandlers.delete(handler);
        },
        onMessage(handler) {
            messageHandlers.add(handler);
            return () => messageHandlers.delete(handler);
        },
        broadcast(msg) {
            if (!stopped) {
                post(msg);
            }
        },
    };
}
