/**
 * Capped exponential backoff with jitter (plain ES module, no Odoo import).
 *
 * delay(n) = cap(min(maxMs, baseMs * factor^n)) with a random part:
 *   jitter = 0   -> exactly the exponential value
 *   jitter = 1   -> "full jitter": uniform in [0, value]
 *   0 < j < 1    -> uniform in [value * (1 - j), value]
 * `random` is injectable (defaults to Math.random) so schedules are testable.
 */

export const DEFAULT_BACKOFF = Object.freeze({
    baseMs: 1000,
    maxMs: 60000,
    factor: 2,
    jitter: 0.5,
});

export function backoffDelay(attempt, options = {}, random = Math.random) {
    const o = { ...DEFAULT_BACKOFF, ...options };
    const n = Math.max(0, Math.floor(Number(attempt) || 0));
    const jitter = Math.min(1, Math.max(0, Number(o.jitter) || 0));
    // cap the exponent so huge attempt counts don't overflow to Infinity/NaN
    const exp = Math.min(n, 1023);
    const raw = o.baseMs * Math.pow(o.factor, exp);
    const capped = Math.min(o.maxMs, Number.isFinite(raw) ? raw : o.maxMs);
    let r = Number(random());
    if (!Number.isFinite(r) || r < 0) {
        r = 0;
    } else if (r >= 1) {
        r = 1;
    }
    const low = capped * (1 - jitter);
    return Math.round(low + (capped - low) * r);
}

export class Backoff {
    constructor(options = {}) {
        this.options = { ...DEFAULT_BACKOFF, ...options };
        this.random = options.random || Math.random;
        this.attempt = 0;
    }

    /** Delay before the next attempt; advances the attempt counter. */
    next() {
        const d = backoffDelay(this.attempt, this.options, this.random);
        this.attempt++;
        return d;
    }

    reset() {
        this.attempt = 0;
    }
}
