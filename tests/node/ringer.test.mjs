import { test } from "node:test";
import assert from "node:assert/strict";
import { createRinger, makeRingWav } from "../../static/src/lib/ringer.js";

function timers() {
    const live = new Map();
    let id = 0;
    return {
        live,
        setInterval(fn, ms) {
            live.set(++id, { fn, ms });
            return id;
        },
        clearInterval(i) {
            live.delete(i);
        },
        tick() {
            for (const t of [...live.values()]) {
                t.fn();
            }
        },
    };
}

function fakeAudio(behaviour) {
    return {
        loop: false,
        currentTime: 5,
        played: 0,
        paused: 0,
        play() {
            this.played++;
            const b = behaviour();
            if (b === "ok") {
                return Promise.resolve();
            }
            const err = new Error(b);
            err.name = b;
            return Promise.reject(err);
        },
        pause() {
            this.paused++;
        },
    };
}

test("makeRingWav produces a valid PCM WAV header", () => {
    const wav = makeRingWav({ sampleRate: 8000, seconds: 1 });
    const text = (a, b) => String.fromCharCode(...wav.slice(a, b));
    assert.equal(text(0, 4), "RIFF");
    assert.equal(text(8, 12), "WAVE");
    assert.equal(text(36, 40), "data");
    assert.equal(wav.length, 44 + 8000 * 2);
    const v = new DataView(wav.buffer);
    assert.equal(v.getUint32(24, true), 8000);
    assert.ok(
        [...wav.slice(44, 200)].some((b) => b !== 0),
        "has sound"
    );
});

test("rings, flashes the title and stops cleanly", async () => {
    const t = timers();
    const doc = { title: "Odoo" };
    const audio = fakeAudio(() => "ok");
    const r = createRinger({ createAudio: () => audio, doc, timers: t });
    assert.deepEqual(await r.start("+4930123"), { sound: "playing" });
    assert.equal(audio.loop, true);
    assert.equal(doc.title, "📞 +4930123");
    t.tick();
    assert.equal(doc.title, "Odoo");
    t.tick();
    assert.equal(doc.title, "📞 +4930123");
    assert.equal(r.ringing, true);
    r.stop();
    assert.equal(doc.title, "Odoo");
    assert.equal(t.live.size, 0);
    assert.equal(audio.paused, 1);
    assert.equal(audio.currentTime, 0);
    assert.equal(r.ringing, false);
    assert.equal(r.sound, "off");
});

test("autoplay blocked: visible fallback, no throw, retry after a click", async () => {
    let allowed = false;
    const audio = fakeAudio(() => (allowed ? "ok" : "NotAllowedError"));
    const r = createRinger({ createAudio: () => audio, doc: { title: "x" }, timers: timers() });
    assert.deepEqual(await r.start("caller"), { sound: "blocked" });
    assert.equal(r.ringing, true, "still ringing visually");
    allowed = true;
    assert.deepEqual(await r.retrySound(), { sound: "playing" });
    r.stop();
    assert.deepEqual(await r.retrySound(), { sound: "off" }, "no sound after stop");
});

test("no audio support or other errors: unavailable", async () => {
    const r1 = createRinger({ createAudio: () => null, doc: null, timers: timers() });
    assert.deepEqual(await r1.start("a"), { sound: "unavailable" });
    r1.stop();
    const r2 = createRinger({
        createAudio: () => {
            throw new Error("no Audio");
        },
        timers: timers(),
    });
    assert.deepEqual(await r2.start("a"), { sound: "unavailable" });
    const r3 = createRinger({
        createAudio: () => fakeAudio(() => "NotSupportedError"),
        timers: timers(),
    });
    assert.deepEqual(await r3.start("a"), { sound: "unavailable" });
    r3.stop();
});

test("stop during a pending play() leaves the sound off", async () => {
    let resolve;
    const audio = {
        loop: false,
        currentTime: 0,
        paused: 0,
        play: () => new Promise((r) => (resolve = r)),
        pause() {
            this.paused++;
        },
    };
    const r = createRinger({ createAudio: () => audio, doc: { title: "t" }, timers: timers() });
    const p = r.start("x");
    r.stop();
    resolve();
    assert.deepEqual(await p, { sound: "off" });
    assert.equal(audio.paused, 2, "paused by stop() and again after play resolved");
});
