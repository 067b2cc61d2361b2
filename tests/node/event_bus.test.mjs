import { test } from "node:test";
import assert from "node:assert/strict";
import {
    createEventBus,
    HOOK_NAMES,
    meetingDataPayload,
    acceptedPayload,
    callEndedPayload,
} from "../../static/src/lib/event_bus.js";

test("the three hook names are frozen", () => {
    assert.deepEqual([...HOOK_NAMES], ["meeting-data", "accepted", "call-ended"]);
    assert.ok(Object.isFrozen(HOOK_NAMES));
});

test("on() returns an unsubscribe function; unsubscribe is idempotent", () => {
    const bus = createEventBus();
    const seen = [];
    const off = bus.on("accepted", (p) => seen.push(p.n));
    const off2 = bus.on("accepted", (p) => seen.push(p.n * 10));
    bus.emit("accepted", { n: 1 });
    off();
    off();
    bus.emit("accepted", { n: 2 });
    off2();
    bus.emit("accepted", { n: 3 });
    assert.deepEqual(seen, [1, 10, 20]);
    assert.equal(bus.count("accepted"), 0);
});

test("same handler subscribed twice is two subscriptions", () => {
    const bus = createEventBus();
    let n = 0;
    const h = () => n++;
    const offA = bus.on("call-ended", h);
    bus.on("call-ended", h);
    bus.emit("call-ended", {});
    offA();
    bus.emit("call-ended", {});
    assert.equal(n, 3);
});

test("unknown hook names and non-function handlers are rejected", () => {
    const bus = createEventBus();
    assert.throws(() => bus.on("meeting_data", () => {}), /Unknown DCX hook "meeting_data"/);
    assert.throws(() => bus.emit("nope", {}), /Unknown DCX hook/);
    assert.throws(() => bus.on("accepted", "x"), TypeError);
});

test("payloads are deep-frozen copies; a throwing handler doesn't stop the others", () => {
    const errors = [];
    const bus = createEventBus({ onError: (e, name) => errors.push([e.message, name]) });
    const original = { meeting: { a: [1] } };
    let got;
    bus.on("meeting-data", () => {
        throw new Error("boom");
    });
    bus.on("meeting-data", (p) => {
        got = p;
    });
    bus.emit("meeting-data", original);
    assert.deepEqual(errors, [["boom", "meeting-data"]]);
    assert.ok(
        Object.isFrozen(got) && Object.isFrozen(got.meeting) && Object.isFrozen(got.meeting.a)
    );
    assert.throws(() => {
        "use strict";
        got.meeting.a.push(2);
    }, TypeError);
    assert.ok(!Object.isFrozen(original), "the caller's object is not frozen");
    assert.notEqual(got, original);
});

test("once() fires one time; rejected promises are reported", async () => {
    const errors = [];
    const bus = createEventBus({ onError: (e) => errors.push(e.message) });
    let n = 0;
    bus.once("accepted", () => n++);
    bus.on("accepted", async () => {
        throw new Error("async boom");
    });
    bus.emit("accepted", {});
    bus.emit("accepted", {});
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(n, 1);
    assert.deepEqual(errors, ["async boom", "async boom"]);
});

test("emit mirrors to a DOM-like target as dcx:on-<name> CustomEvent", () => {
    const target = new EventTarget();
    const bus = createEventBus({ target });
    const got = [];
    target.addEventListener("dcx:on-call-ended", (ev) => got.push(ev.detail));
    bus.emit("call-ended", { meeting_id: "1" });
    assert.equal(got.length, 1);
    assert.equal(got[0].meeting_id, "1");
    assert.ok(Object.isFrozen(got[0]));
});

// ---- frozen payload shapes (documented in readme/USAGE.md) -------------------------

test("meeting-data payload shape", () => {
    const p = meetingDataPayload({
        meeting: { meeting_id: 123, meeting_info_id: "a12", other: true },
        number: "+4930123456",
        callId: "7",
        record: { model: "res.partner", id: "5", display_name: "Azure" },
    });
    assert.deepEqual(p, {
        version: 1,
        direction: "outbound",
        meeting_id: "123",
        meeting_info_id: "a12",
        number: "+4930123456",
        call_id: 7,
        record: { model: "res.partner", id: 5, display_name: "Azure" },
        meeting: { meeting_id: 123, meeting_info_id: "a12", other: true },
    });
    assert.equal(meetingDataPayload({ meeting: {}, number: null }).record, null);
    assert.deepEqual(Object.keys(meetingDataPayload({})), Object.keys(p));
});

test("accepted payload shape", () => {
    const p = acceptedPayload({
        join: { meeting_id: "123", meeting_info_id: "a12", token: "t" },
        incoming: {
            meeting_id: "123",
            chat_group_id: "cg",
            jid: "j@x",
            meeting_mode: "audio",
            meeting_type: "telephony",
            caller: "+1555",
            extra: {},
        },
        callId: 9,
        partners: [{ id: 3, display_name: "Bob" }],
    });
    assert.deepEqual(p, {
        version: 1,
        direction: "inbound",
        meeting_id: "123",
        meeting_info_id: "a12",
        number: "+1555",
        call_id: 9,
        partners: [{ id: 3, display_name: "Bob" }],
        incoming: {
            chat_group_id: "cg",
            jid: "j@x",
            meeting_id: "123",
            meeting_mode: "audio",
            meeting_type: "telephony",
            caller: "+1555",
        },
        join: { meeting_id: "123", meeting_info_id: "a12", token: "t" },
    });
    assert.equal(acceptedPayload({ incoming: { meeting_id: "5" } }).meeting_id, "5");
});

test("call-ended payload shape", () => {
    const p = callEndedPayload({
        meetingId: "123",
        meetingInfoId: "a12",
        callId: 4,
        startedAt: Date.UTC(2026, 0, 1, 10, 0, 0),
        endedAt: Date.UTC(2026, 0, 1, 10, 1, 5),
        source: "xmpp",
        raw: { meeting_id: "123" },
    });
    assert.deepEqual(p, {
        version: 1,
        meeting_id: "123",
        meeting_info_id: "a12",
        call_id: 4,
        duration_seconds: 65,
        ended_at: "2026-01-01T10:01:05.000Z",
        reason: "ended",
        source: "xmpp",
        raw: { meeting_id: "123" },
    });
    const explicit = callEndedPayload({
        meetingId: "1",
        duration: 12,
        reason: "hangup",
        source: "whatever",
    });
    assert.equal(explicit.duration_seconds, 12);
    assert.equal(explicit.reason, "hangup");
    assert.equal(explicit.source, "local");
    assert.equal(explicit.ended_at, null);
});
