import { registry } from "@web/core/registry";

/**
 * Incoming call end to end in Chromium with a real Prosody (started by
 * tests/test_tour_incoming.py): the leader tab connects over websocket, "DCX" (a
 * second XMPP user, connected from this page with the same strophe.js) sends the
 * incoming-call stanza, the popup rings with the matched customer, Accept calls
 * /join (DCX-Meeting stand-in), opens the customer and shows the call in the
 * systray; DCX's call-ended stanza ends it and fires `call-ended`.
 */
function phoneService() {
    return odoo.__WOWL_DEBUG__.root.env.services.dcx_phone;
}

function sendAsDcx(build) {
    return new Promise((resolve, reject) => {
        const S = window.Strophe;
        const { websocket_url, bosh_url, domain } = phoneService().config.xmpp;
        let conn = window.__dcxSender;
        const send = () => {
            conn.send(build(domain));
            resolve();
        };
        if (conn && conn.connected) {
            return send();
        }
        // same transport as the softphone (websocket, or BOSH when only BOSH is set)
        conn = window.__dcxSender = new S.Connection(websocket_url || bosh_url);
        const timer = setTimeout(() => reject(new Error("DCX sender could not connect")), 10000);
        conn.connect(`dcx@${domain}/tour`, "dcx-pass", (status) => {
            if (status === S.Status.CONNECTED) {
                clearTimeout(timer);
                send();
            }
        });
    });
}

registry.category("web_tour.tours").add("dcx_crm_incoming_tour", {
    steps: () => [
        {
            content: "the leader tab is connected to Prosody",
            trigger: ".o_dcx_systray .o_dcx_status[data-status='connected']",
            run() {
                window.__dcxHooks = [];
                for (const name of ["meeting-data", "accepted", "call-ended"]) {
                    window.addEventListener(`dcx:on-${name}`, (ev) =>
                        window.__dcxHooks.push([name, ev.detail])
                    );
                }
            },
        },
        {
            content: "DCX rings this agent through Prosody",
            trigger: "body",
            async run() {
                await sendAsDcx((domain) =>
                    window
                        .$msg({ to: `agent@${domain}`, type: "chat" })
                        .c("incoming-call", {
                            xmlns: "urn:dcx:call:0",
                            meeting_id: "m-tour-1",
                            chat_group_id: "cg-tour",
                            jid: `caller@${domain}`,
                            meeting_mode: "audio",
                            meeting_type: "telephony",
                            caller: "+32 470 99 88 77",
                        })
                        .tree()
                );
            },
        },
        {
            content: "the popup rings with the caller, the customer and the open lead",
            trigger:
                ".o_dcx_incoming:has(.o_dcx_incoming_partners:contains('Tour Dcxfour Customer')):has(.o_dcx_incoming_leads:contains('Tour Dcxfour deal'))",
        },
        {
            content: "accept",
            trigger: ".o_dcx_incoming .o_dcx_accept",
            run: "click",
        },
        {
            content: "the customer opens and the inbound call shows in the systray",
            trigger:
                ".o_form_view .o_field_widget[name=name]:contains('Tour Dcxfour Customer'), .o_form_view .o_field_widget[name=name] input",
        },
        {
            content: "systray call with timer",
            trigger:
                ".o_dcx_systray .o_dcx_call:contains('Tour Dcxfour Customer') .o_dcx_call_timer",
            run() {
                const accepted = window.__dcxHooks.filter(([n]) => n === "accepted");
                if (accepted.length !== 1) {
                    throw new Error(
                        `expected one accepted hook, got ${JSON.stringify(window.__dcxHooks)}`
                    );
                }
                const p = accepted[0][1];
                if (
                    p.meeting_id !== "m-tour-1" ||
                    !p.meeting_info_id ||
                    p.incoming.chat_group_id !== "cg-tour" ||
                    p.partners.length !== 1 ||
                    p.join.meeting_id !== "m-tour-1"
                ) {
                    throw new Error(`unexpected accepted payload ${JSON.stringify(p)}`);
                }
                if (document.querySelector(".o_dcx_incoming")) {
                    throw new Error("the popup should be gone");
                }
            },
        },
        {
            content: "DCX ends the call through Prosody",
            trigger: ".o_dcx_systray .o_dcx_call",
            async run() {
                await sendAsDcx((domain) =>
                    window
                        .$msg({ to: `agent@${domain}`, type: "chat" })
                        .c("call-ended", {
                            xmlns: "urn:dcx:call:0",
                            meeting_id: "m-tour-1",
                            duration: "12",
                        })
                        .tree()
                );
            },
        },
        {
            content: "the call is over: call-ended hook from xmpp with the duration",
            trigger: ".o_dcx_systray:not(:has(.o_dcx_call))",
            run() {
                const ended = window.__dcxHooks.filter(([n]) => n === "call-ended");
                if (
                    ended.length !== 1 ||
                    ended[0][1].source !== "xmpp" ||
                    ended[0][1].duration_seconds !== 12
                ) {
                    throw new Error(`unexpected call-ended ${JSON.stringify(ended)}`);
                }
                window.__dcxSender.disconnect();
            },
        },
    ],
});
