import { registry } from "@web/core/registry";

/**
 * Click-to-dial in Chromium: on a customer's form, "Call with DCX" next to the
 * mobile number dials through Odoo (DCX-Meeting stand-in), the `meeting-data` hook
 * fires (as DOM CustomEvent), the call shows in the systray with its timer, and
 * hang-up fires `call-ended`. Started by tests/test_tour_softphone.py.
 */
registry.category("web_tour.tours").add("dcx_crm_softphone_tour", {
    steps: () => [
        {
            content: "listen to the public hooks like a third-party script would",
            trigger: ".o_form_view .o_field_phone",
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
            content: "the systray shows the DCX status",
            trigger: ".o_dcx_systray .o_dcx_status[data-status='off']",
        },
        {
            content: "click the customer's number: Call with DCX",
            trigger: ".o_field_widget[name=mobile] .o_dcx_call_button",
            run: "click",
        },
        {
            content: "the call appears in the systray with a running timer",
            trigger:
                ".o_dcx_systray .o_dcx_call:contains('Tour Dcxfour Customer') .o_dcx_call_timer",
        },
        {
            content: "the meeting client is shown (side panel)",
            trigger: ".o_dcx_meeting.o_dcx_meeting_side_panel iframe[src*='/client/']",
        },
        {
            content: "the meeting-data hook fired with the /meeting response and the record",
            trigger: ".o_dcx_systray .o_dcx_hangup",
            run() {
                const hooks = window.__dcxHooks;
                if (hooks.length !== 1 || hooks[0][0] !== "meeting-data") {
                    throw new Error(`expected one meeting-data hook, got ${JSON.stringify(hooks)}`);
                }
                const p = hooks[0][1];
                const record = p.record || {};
                if (
                    p.version !== 1 ||
                    p.direction !== "outbound" ||
                    p.number !== "+32470998877" ||
                    !p.meeting_id ||
                    !p.meeting_info_id ||
                    p.meeting.meeting_id !== p.meeting_id ||
                    !p.call_id ||
                    record.model !== "res.partner" ||
                    record.display_name !== "Tour Dcxfour Customer"
                ) {
                    throw new Error(`unexpected meeting-data payload ${JSON.stringify(p)}`);
                }
                document.body.dataset.dcxMeetingInfoId = p.meeting_info_id;
            },
        },
        {
            content: "hang up",
            trigger: ".o_dcx_systray .o_dcx_hangup",
            run: "click",
        },
        {
            content: "the call is gone from the systray and the meeting client closed",
            trigger: ".o_dcx_systray:not(:has(.o_dcx_call))",
            run() {
                if (document.querySelector(".o_dcx_meeting")) {
                    throw new Error("meeting client still open");
                }
                const ended = window.__dcxHooks.filter(([n]) => n === "call-ended");
                if (ended.length !== 1 || ended[0][1].source !== "local") {
                    throw new Error(`expected one local call-ended, got ${JSON.stringify(ended)}`);
                }
            },
        },
    ],
});
