import { test } from "node:test";
import assert from "node:assert/strict";
import { Backoff, backoffDelay, DEFAULT_BACKOFF } from "../../static/src/lib/backoff.js";

test("without jitter the schedule doubles and is capped", () => {
    const b = new Backoff({ baseMs: 1000, maxMs: 30000, jitter: 0 });
    const seq = Array.from({ length: 8 }, () => b.next());
    assert.deepEqual(seq, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    b.reset();
    assert.equal(b.next(), 1000);
});

test("jitter stays within [value*(1-j), value] and uses the injected random", () => {
    const o = { baseMs: 1000, maxMs: 60000, jitter: 0.5 };
    assert.equal(
        backoffDelay(3, o, () => 0),
        4000
    );
    assert.equal(
        backoffDelay(3, o, () => 0.999999),
        8000
    );
    assert.equal(
        backoffDelay(3, o, () => 0.5),
        6000
    );
    const full = { ...o, jitter: 1 };
    assert.equal(
        backoffDelay(2, full, () => 0),
        0
    );
    assert.equal(
        backoffDelay(2, full, () => 0.25),
        1000
    );
    for (let i = 0; i < 200; i++) {
        const d = backoffDelay(i % 12, o);
        const v = Math.min(60000, 1000 * 2 ** (i % 12));
        assert.ok(d >= v / 2 && d <= v, `${d} within [${v / 2}, ${v}]`);
    }
});

test("deterministic schedule with a seeded random", () => {
    const rs = [0.1, 0.9, 0.5, 0, 1];
    let i = 0;
    const b = new Backoff({ random: () => rs[i++ % rs.length] });
    assert.deepEqual(
        Array.from({ length: 5 }, () => b.next()),
        [550, 1900, 3000, 4000, 16000]
    );
    assert.equal(b.attempt, 5);
});

test("hostile inputs don't produce NaN or Infinity", () => {
    assert.equal(backoffDelay(1e9, { jitter: 0 }), DEFAULT_BACKOFF.maxMs);
    assert.equal(backoffDelay(-5, { jitter: 0 }), DEFAULT_BACKOFF.baseMs);
    assert.equal(backoffDelay("x", { jitter: 0 }), DEFAULT_BACKOFF.baseMs);
    assert.equal(
        backoffDelay(2, { jitter: 0.5 }, () => NaN),
        2000
    );
    assert.equal(
        backoffDelay(2, { jitter: 0.5 }, () => 7),
        4000
    );
    assert.equal(
        backoffDelay(2, { jitter: 5 }, () => 0),
        0,
        "jitter clamps to 1"
    );
});
