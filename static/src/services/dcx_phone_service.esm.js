import { reactive } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import {
    acceptedPayload,
    callEndedPayload,
    createEventBus,
    meetingDataPayload,
} from "@dcx_crm/lib/event_bus";
import { createLeaderElection } from "@dcx_crm/lib/leader_election";
import { createRinger, makeRingWav } from "@dcx_crm/lib/ringer";
import { DcxXmppClient } from "@dcx_crm/lib/xmpp_client";

/**
 * `dcx_phone` service: click-to-dial, incoming calls, the three public hooks.
 *
 *   const phone = useService("dcx_phone");
 *   const off = phone.on("meeting-data" | "accepted" | "call-ended", (payload) => {...});
 *
 * Every hook is mirrored as a DOM CustomEvent on window (`dcx:on-meeting-data`,
 * `dcx:on-accepted`, `dcx:on-call-ended`, payload in `event.detail`).
 *
 * One tab per browser (leader, elected with Web Locks / BroadcastChannel) holds the
 * XMPP connection to Prosody and relays status and call events to the other tabs.
 */

export const ROUTES = {
    config: "/dcx/v1/client/config",
    dial: "/dcx/v1/client/dial",
    join: "/dcx/v1/client/join",
    lookup: "/dcx/v1/client/lookup",
};

export class DcxClientError extends Error {
    constructor(message, { status, reason, details } = {}) {
        super(message);
        this.name = "DcxClientError";
        this.status = status;
        this.reason = reason;
        this.details = details;
    }
}

/** POST JSON to one of our /dcx/v1/client routes with the session's CSRF token. */
export async function dcxPost(route, payload) {
    let response;
    try {
        response = await browser.fetch(route, {
            method: "POST",
            credentials: "same-origin",
            headers: {
                "Content-Type": "application/json",
                "X-CSRF-Token": (globalThis.odoo && globalThis.odoo.csrf_token) || "",
            },
            body: JSON.stringify(payload || {}),
        });
    } catch {
        throw new DcxClientError(_t("Odoo cannot be reached. Check your connection."), {
            status: 0,
            reason: "network",
        });
    }
    let body = null;
    try {
        body = await response.json();
    } catch {
        body = null;
    }
    if (!response.ok) {
        throw new DcxClientError((body && body.message) || `HTTP ${response.status}`, {
            status: response.status,
            reason: body && body.reason,
            details: body && body.details,
        });
    }
    return body;
}

function stropheLib() {
    const w = globalThis;
    if (!w.Strophe || !w.Strophe.Connection) {
        return null;
    }
    return { Strophe: w.Strophe, $pres: w.$pres, $iq: w.$iq, $msg: w.$msg };
}

function createAudioElement() {
    if (typeof Audio === "undefined" || typeof Blob === "undefined" || !globalThis.URL) {
        return null;
    }
    const url = URL.createObjectURL(new Blob([makeRingWav()], { type: "audio/wav" }));
    return new Audio(url);
}

export const dcxPhoneService = {
    dependencies: ["notification", "action"],

    start(env, { notification, action }) {
        const bus = createEventBus({
            target: globalThis.window || null,
            onError: (err, name) => console.error(`dcx_phone "${name}" handler failed`, err),
        });
        const state = reactive({
            available: true, // false when the user is not a DCX user
            ready: false,
            dialEnabled: false,
            dialReason: "",
            status: "off", // off | connecting | connected | reconnecting | error
            reason: "",
            leader: false,
            busy: false,
            call: null,
            incoming: null,
            meetingClient: null,
        });
        const answered = new Set(); // meeting ids answered/declined (late duplicates)
        let config = null;
        let xmpp = null;
        let election = null;
        const ringer = createRinger({
            createAudio: createAudioElement,
            doc: globalThis.document || null,
            timers: browser,
        });

        // ------------------------------------------------------------ status
        function setStatus(status, reason) {
            state.status = status;
            state.reason = reason || "";
            if (state.leader && election) {
                election.broadcast({ type: "status", status, reason: reason || "" });
            }
        }

        // ------------------------------------------------------------ meeting client
        function openMeetingClient(url) {
            const mode =
                (config && config.meeting_client && config.meeting_client.mode) || "side_panel";
            if (!url || mode === "none") {
                return;
            }
            if (mode === "new_tab") {
                browser.open(url, "_blank", "noopener");
                return;
            }
            state.meetingClient = { url, mode };
        }

        function closeMeetingClient() {
            state.meetingClient = null;
        }

        // ------------------------------------------------------------ calls
        function startCall(call) {
            state.call = { ...call, startedAt: Date.now() };
        }

        function endCall({ source, reason, duration, raw } = {}) {
            const call = state.call;
            if (!call) {
                return null;
            }
            state.call = null;
            closeMeetingClient();
            return bus.emit(
                "call-ended",
                callEndedPayload({
                    meetingId: call.meeting_id,
                    meetingInfoId: call.meeting_info_id,
                    callId: call.call_id,
                    startedAt: call.startedAt,
                    endedAt: Date.now(),
                    duration,
                    reason,
                    source,
                    raw,
                })
            );
        }

        async function dial(number, record = null) {
            if (state.call) {
                notification.add(_t("Hang up the current call first."), { type: "warning" });
                return null;
            }
            if (state.busy) {
                return null;
            }
            state.busy = true;
            try {
                const res = await dcxPost(ROUTES.dial, {
                    number,
                    res_model: record ? record.model : undefined,
                    res_id: record ? record.id : undefined,
                });
                startCall({
                    call_id: res.call_id,
                    direction: "outbound",
                    number: res.number,
                    meeting_id: res.meeting.meeting_id,
                    meeting_info_id: res.meeting.meeting_info_id,
                    record: res.record,
                    display: (res.record && res.record.display_name) || res.number,
                });
                const payload = bus.emit(
                    "meeting-data",
                    meetingDataPayload({
                        meeting: res.meeting,
                        number: res.number,
                        callId: res.call_id,
                        record: res.record,
                    })
                );
                openMeetingClient(res.meeting_client_url);
                return payload;
            } catch (err) {
                if (!(err instanceof DcxClientError)) {
                    throw err;
                }
                notification.add(err.message, { type: "danger", title: _t("DCX call failed") });
                return null;
            } finally {
                state.busy = false;
            }
        }

        function hangup() {
            return endCall({ source: "local", reason: "hangup" });
        }

        // ------------------------------------------------------------ incoming
        async function showIncoming(data) {
            const id = data.meeting_id;
            if (answered.has(id) || (state.incoming && state.incoming.data.meeting_id === id)) {
                return;
            }
            if (state.call && state.call.meeting_id === id) {
                return;
            }
            state.incoming = { data, partners: [], leads: [], number: data.caller, sound: "off" };
            const res = await ringer.start(data.caller || _t("Incoming call"));
            if (state.incoming && state.incoming.data.meeting_id === id) {
                state.incoming.sound = res.sound;
            }
            if (data.caller) {
                try {
                    const found = await dcxPost(ROUTES.lookup, { number: data.caller });
                    if (state.incoming && state.incoming.data.meeting_id === id) {
                        Object.assign(state.incoming, {
                            partners: found.partners,
                            leads: found.leads,
                            number: found.number || data.caller,
                        });
                    }
                } catch (err) {
                    if (!(err instanceof DcxClientError)) {
                        throw err;
                    }
                }
            }
        }

        function stopRinging(meetingId) {
            answered.add(meetingId);
            if (state.incoming && state.incoming.data.meeting_id === meetingId) {
                ringer.stop();
                state.incoming = null;
            }
        }

        async function retrySound() {
            const res = await ringer.retrySound();
            if (state.incoming) {
                state.incoming.sound = res.sound;
            }
            return res.sound;
        }

        function decline() {
            const incoming = state.incoming;
            if (!incoming) {
                return;
            }
            const id = incoming.data.meeting_id;
            stopRinging(id);
            election?.broadcast({ type: "answered", meeting_id: id, how: "declined" });
        }

        async function accept() {
            const incoming = state.incoming;
            if (!incoming) {
                return null;
            }
            const data = incoming.data;
            stopRinging(data.meeting_id);
            election?.broadcast({ type: "answered", meeting_id: data.meeting_id, how: "accepted" });
            if (state.call) {
                hangup();
            }
            state.busy = true;
            try {
                const res = await dcxPost(ROUTES.join, {
                    meeting_id: data.meeting_id,
                    incoming: data,
                });
                const partners = res.partners || [];
                startCall({
                    call_id: res.call_id,
                    direction: "inbound",
                    number: res.number || data.caller,
                    meeting_id: res.join.meeting_id,
                    meeting_info_id: res.join.meeting_info_id,
                    record: partners.length
                        ? {
                              model: "res.partner",
                              id: partners[0].id,
                              display_name: partners[0].display_name,
                          }
                        : null,
                    display: (partners[0] && partners[0].display_name) || res.number || data.caller,
                });
                const payload = bus.emit(
                    "accepted",
                    acceptedPayload({
                        join: res.join,
                        incoming: data,
                        callId: res.call_id,
                        partners,
                    })
                );
                openMeetingClient(res.meeting_client_url);
                if (partners.length) {
                    action.doAction({
                        type: "ir.actions.act_window",
                        res_model: "res.partner",
                        res_id: partners[0].id,
                        views: [[false, "form"]],
                        target: "current",
                    });
                }
                return payload;
            } catch (err) {
                if (!(err instanceof DcxClientError)) {
                    throw err;
                }
                notification.add(err.message, {
                    type: "danger",
                    title: _t("Could not answer the call"),
                });
                return null;
            } finally {
                state.busy = false;
            }
        }

        function onCallEnded(data) {
            // the caller hung up while ringing: stop ringing (missed call)
            if (state.incoming && state.incoming.data.meeting_id === data.meeting_id) {
                stopRinging(data.meeting_id);
            }
            if (state.call && state.call.meeting_id === data.meeting_id) {
                endCall({
                    source: "xmpp",
                    reason: data.reason || "ended",
                    duration: data.duration ?? undefined,
                    raw: data,
                });
            }
        }

        // ------------------------------------------------------------ cross-tab
        function handleTabMessage(msg) {
            switch (msg.type) {
                case "status":
                    if (!state.leader) {
                        state.status = msg.status;
                        state.reason = msg.reason;
                    }
                    break;
                case "status?":
                    if (state.leader) {
                        election.broadcast({
                            type: "status",
                            status: state.status,
                            reason: state.reason,
                        });
                    }
                    break;
                case "incoming-call":
                    showIncoming(msg.data);
                    break;
                case "call-ended":
                    onCallEnded(msg.data);
                    break;
                case "answered":
                    stopRinging(msg.meeting_id);
                    break;
            }
        }

        function onXmppEvent(ev) {
            if (ev.type === "incoming-call") {
                election?.broadcast({ type: "incoming-call", data: ev.data });
                showIncoming(ev.data);
            } else if (ev.type === "call-ended") {
                election?.broadcast({ type: "call-ended", data: ev.data });
                onCallEnded(ev.data);
            }
        }

        function startXmpp() {
            const lib = stropheLib();
            if (!lib) {
                setStatus("error", _t("The XMPP library is not loaded."));
                return;
            }
            // strophe.js reports every dropped connection (e.g. a BOSH request cut by a
            // page unload) with console.error; the systray shows the status instead
            if (lib.Strophe.setLogLevel && lib.Strophe.LogLevel) {
                lib.Strophe.setLogLevel(lib.Strophe.LogLevel.FATAL);
            }
            xmpp = new DcxXmppClient({
                lib,
                credentials: config.xmpp,
                stanzaOptions: config.stanza || {},
                onStatus: (status, reason) => setStatus(status, reason),
                onEvent: onXmppEvent,
                onInvalid: (reason) => console.warn("DCX: ignored call stanza:", reason),
            });
            xmpp.start();
        }

        function stopXmpp() {
            if (xmpp) {
                xmpp.stop("handed over to another tab");
                xmpp = null;
            }
        }

        function startElection() {
            const channelName = `dcx_phone_${(globalThis.odoo && globalThis.odoo.info && globalThis.odoo.info.db) || ""}_${user.userId || ""}`;
            if (typeof BroadcastChannel === "undefined") {
                state.leader = true;
                startXmpp();
                return;
            }
            election = createLeaderElection({
                name: channelName,
                locks: (globalThis.navigator && globalThis.navigator.locks) || null,
                timers: browser,
            });
            election.onMessage(handleTabMessage);
            election.onChange((isLeader) => {
                state.leader = isLeader;
                if (isLeader) {
                    startXmpp();
                } else {
                    stopXmpp();
                }
            });
            election.start();
            election.broadcast({ type: "status?" });
            browser.addEventListener("pagehide", () => {
                stopXmpp();
                election.stop();
            });
        }

        async function init() {
            try {
                config = await dcxPost(ROUTES.config, {});
            } catch (err) {
                if (!(err instanceof DcxClientError)) {
                    throw err;
                }
                state.available = err.status !== 403;
                setStatus("off", err.message);
                state.ready = true;
                return;
            }
            state.dialEnabled = config.dial_enabled;
            state.dialReason = config.dial_reason || "";
            state.ready = true;
            if (!config.xmpp) {
                setStatus("off", config.xmpp_reason || _t("XMPP is not configured."));
                return;
            }
            setStatus("connecting", "");
            startElection();
        }

        const ready = init();

        return {
            state,
            ready,
            /** The /dcx/v1/client/config answer (null until loaded). */
            get config() {
                return config;
            },
            on: bus.on,
            once: bus.once,
            dial,
            accept,
            decline,
            hangup,
            retrySound,
            closeMeetingClient,
            /** For tests and scripts: feed a parsed XMPP event as if Prosody sent it. */
            _onXmppEvent: onXmppEvent,
        };
    },
};

registry.category("services").add("dcx_phone", dcxPhoneService);
