/**
 * Ringtone + page-title flash for incoming calls (plain ES module, no Odoo import).
 *
 * The ringtone is a WAV generated here (no binary asset). Browsers may refuse to
 * play sound before the user interacted with the page (autoplay policy): `start()`
 * then resolves with `{sound: "blocked"}` instead of throwing, the title still
 * flashes, and `retrySound()` (call it from a click handler) tries again.
 * Every platform object is injected so Node tests can drive it.
 */

/** 16-bit mono PCM WAV: `seconds` long, 440+480 Hz ring for `onSeconds`, then silence. */
export function makeRingWav({ sampleRate = 8000, seconds = 3, onSeconds = 1.2 } = {}) {
    const n = Math.floor(sampleRate * seconds);
    const buf = new ArrayBuffer(44 + n * 2);
    const v = new DataView(buf);
    const str = (off, s) => [...s].forEach((c, i) => v.setUint8(off + i, c.charCodeAt(0)));
    str(0, "RIFF");
    v.setUint32(4, 36 + n * 2, true);
    str(8, "WAVE");
    str(12, "fmt ");
    v.setUint32(16, 16, true);
    v.setUint16(20, 1, true); // PCM
    v.setUint16(22, 1, true); // mono
    v.setUint32(24, sampleRate, true);
    v.setUint32(28, sampleRate * 2, true);
    v.setUint16(32, 2, true);
    v.setUint16(34, 16, true);
    str(36, "data");
    v.setUint32(40, n * 2, true);
    const on = Math.floor(sampleRate * onSeconds);
    for (let i = 0; i < n; i++) {
        let s = 0;
        if (i < on && Math.floor(i / (sampleRate * 0.4)) % 2 === 0) {
            const t = i / sampleRate;
            s = 0.25 * (Math.sin(2 * Math.PI * 440 * t) + Math.sin(2 * Math.PI * 480 * t));
        }
        v.setInt16(44 + i * 2, Math.round(s * 32767), true);
    }
    return new Uint8Array(buf);
}

/**
 * @param {object} deps
 * @param {() => {play(): Promise|void, pause(): void, loop: boolean, currentTime: number}|null} deps.createAudio
 * @param {{title: string}} deps.doc   document-like object whose title flashes
 * @param {{setInterval: Function, clearInterval: Function}} deps.timers
 * @param {number} [deps.flashMs]
 */
export function createRinger(deps) {
    const timers = deps.timers || globalThis;
    const doc = deps.doc || null;
    const flashMs = deps.flashMs || 1000;
    let audio = null;
    let flashTimer = null;
    let savedTitle = null;
    let ringing = false;
    let sound = "off";

    async function play() {
        if (!audio) {
            try {
                audio = deps.createAudio ? deps.createAudio() : null;
            } catch {
                audio = null;
            }
            if (!audio) {
                sound = "unavailable";
                return sound;
            }
            audio.loop = true;
        }
        try {
            await audio.play();
            sound = ringing ? "playing" : "off";
            if (!ringing) {
                audio.pause();
            }
        } catch (err) {
            // NotAllowedError: autoplay blocked until the user interacts with the page
            sound = err && err.name === "NotAllowedError" ? "blocked" : "unavailable";
        }
        return sound;
    }

    function flash(label) {
        if (!doc) {
            return;
        }
        savedTitle = doc.title;
        let on = false;
        const tick = () => {
            on = !on;
            doc.title = on ? `📞 ${label}` : savedTitle;
        };
        tick();
        flashTimer = timers.setInterval(tick, flashMs);
    }

    return {
        get ringing() {
            return ringing;
        },
        get sound() {
            return sound;
        },
        /** Start ringing; resolves with {sound: "playing"|"blocked"|"unavailable"}. */
        async start(label) {
            if (ringing) {
                return { sound };
            }
            ringing = true;
            flash(label || "");
            return { sound: await play() };
        },
        /** Retry the sound after a user gesture (click); same result shape. */
        async retrySound() {
            if (!ringing) {
                return { sound };
            }
            return { sound: await play() };
        },
        stop() {
            ringing = false;
            if (flashTimer !== null) {
                timers.clearInterval(flashTimer);
                flashTimer = null;
            }
            if (doc && savedTitle !== null) {
                doc.title = savedTitle;
                savedTitle = null;
            }
            if (audio) {
                try {
                    audio.pause();
                    audio.currentTime = 0;
                } catch {
                    // ignore
                }
            }
            sound = "off";
        },
    };
}
