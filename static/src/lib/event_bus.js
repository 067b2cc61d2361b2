/**
 * The three public DCX softphone hooks and their payload shapes.
 *
 * Plain ES module (no Odoo import). The Owl `dcx_phone` service exposes
 * `on(name, handler) -> unsubscribe` from a bus made here, and mirrors each emit as a
 * DOM CustomEvent `dcx:on-<name>` on `window` for non-Owl code.
 *
 * Payloads are frozen (deep) copies: a handler can't change what the next handler
 * sees, and the documented shapes (readme/USAGE.md) are pinned by
 * tests/node/event_bus.test.mjs. PAYLOAD_VERSION changes only with a breaking change.
 */

export const HOOK_NAMES = Object.freeze(["meeting-data", "accepted", "call-ended"]);
export const PAYLOAD_VERSION = 1;
export const DOM_EVENT_PREFIX = "dcx:on-";

export function deepFreeze(value, seen = new WeakSet()) {
    if (value && typeof value === "object" && !seen.has(value)) {
        seen.add(value);
        for (const key of Object.keys(value)) {
            deepFreeze(value[key], seen);
        }
        Object.freeze(value);
    }
    return value;
}

function jsonCopy(value) {
    if (value === undefined) {
        return null;
    }
    return JSON.parse(JSON.stringify(value));
}

/**
 * @param {{names?: string[], onError?: (err, name) => void, target?: EventTarget|null,
 *          CustomEvent?: Function}} [options]
 */
export function createEventBus(options = {}) {
    const names = options.names || HOOK_NAMES;
    const onError = options.onError || ((err) => console.error("dcx hook handler failed", err));
    const handlers = new Map(names.map((n) => [n, new Set()]));

    function check(name) {
        if (!handlers.has(name)) {
            throw new Error(`Unknown DCX hook "${name}"; expected one of: ${names.join(", ")}`);
        }
    }

    function on(name, handler) {
        check(name);
        if (typeof handler !== "function") {
            throw new TypeError("DCX hook handler must be a function");
        }
        // wrap so the same function subscribed twice gets two independent subscriptions
        const entry = { handler };
        handlers.get(name).add(entry);
        let active = true;
        return function unsubscribe() {
            if (active) {
                active = false;
                handlers.get(name).delete(entry);
            }
        };
    }

    function once(name, handler) {
        const off = on(name, (payload) => {
            off();
            handler(payload);
        });
        return off;
    }

    /** Returns the frozen payload that handlers received. */
    function emit(name, payload) {
        check(name);
        const frozen = deepFreeze(jsonCopy(payload));
        for (const entry of [...handlers.get(name)]) {
            try {
                const res = entry.handler(frozen);
                if (res && typeof res.catch === "function") {
                    res.catch((err) => onError(err, name));
                }
            } catch (err) {
                onError(err, name);
            }
        }
        const target = options.target;
        const CE = options.CustomEvent || globalThis.CustomEvent;
        if (target && CE && typeof target.dispatchEvent === "function") {
            try {
                target.dispatchEvent(new CE(DOM_EVENT_PREFIX + name, { detail: frozen }));
            } catch (err) {
                onError(err, name);
            }
        }
        return frozen;
    }

    function count(name) {
        check(name);
        return handlers.get(name).size;
    }

    return { on, once, emit, count, names: [...names] };
}

function str(v) {
    return v === undefined || v === null || v === "" ? null : String(v);
}

function recordRef(record) {
    if (!record || !record.model || !record.id) {
        return null;
    }
    return {
        model: String(record.model),
        id: Number(record.id),
        display_name: str(record.display_name),
    };
}

/**
 * `meeting-data`: the DCX `/meeting` response plus the record the call was dialed from.
 */
export function meetingDataPayload({ meeting, number, callId, record }) {
    const m = meeting || {};
    return {
        version: PAYLOAD_VERSION,
        direction: "outbound",
        meeting_id: str(m.meeting_id),
        meeting_info_id: str(m.meeting_info_id),
        number: str(number),
        call_id: callId ? Number(callId) : null,
        record: recordRef(record),
        meeting: m,
    };
}

/**
 * `accepted`: an incoming call was accepted; the DCX `/join/{meeting_id}` response.
 */
export function acceptedPayload({ join, incoming, callId, partners }) {
    const j = join || {};
    const inc = incoming || {};
    return {
        version: PAYLOAD_VERSION,
        direction: "inbound",
        meeting_id: str(j.meeting_id) || str(inc.meeting_id),
        meeting_info_id: str(j.meeting_info_id) || str(inc.meeting_info_id),
        number: str(inc.caller),
        call_id: callId ? Number(callId) : null,
        partners: (partners || []).map((p) => ({
            id: Number(p.id),
            display_name: str(p.display_name),
        })),
        incoming: {
            chat_group_id: str(inc.chat_group_id),
            jid: str(inc.jid),
            meeting_id: str(inc.meeting_id),
            meeting_mode: str(inc.meeting_mode),
            meeting_type: str(inc.meeting_type),
            caller: str(inc.caller),
        },
        join: j,
    };
}

/**
 * `call-ended`: the end event from Prosody (or a local hang-up), with ids and duration.
 */
export function callEndedPayload({
    meetingId,
    meetingInfoId,
    callId,
    startedAt,
    endedAt,
    duration,
    reason,
    source,
    raw,
}) {
    let seconds = Number.isFinite(duration) ? duration : null;
    if (seconds === null && Number.isFinite(startedAt) && Number.isFinite(endedAt)) {
        seconds = Math.max(0, Math.round((endedAt - startedAt) / 1000));
    }
    return {
        version: PAYLOAD_VERSION,
        meeting_id: str(meetingId),
        meeting_info_id: str(meetingInfoId),
        call_id: callId ? Number(callId) : null,
        duration_seconds: seconds,
        ended_at: Number.isFinite(endedAt) ? new Date(endedAt).toISOString() : null,
        reason: str(reason) || "ended",
        source: source === "xmpp" ? "xmpp" : "local",
        raw: raw || null,
    };
}
