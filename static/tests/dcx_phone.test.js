import { beforeEach, describe, expect, test } from "@odoo/hoot";
import { click, queryAllTexts, queryFirst, waitFor, waitUntil } from "@odoo/hoot-dom";
import { advanceTime, animationFrame } from "@odoo/hoot-mock";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { browser } from "@web/core/browser/browser";
import { user } from "@web/core/user";
import {
    defineModels,
    fields,
    getService,
    makeMockEnv,
    mockService,
    models,
    mountView,
    mountWithCleanup,
    onRpc,
    patchWithCleanup,
} from "@web/../tests/web_test_helpers";
import { DcxSystray } from "@dcx_crm/components/systray/dcx_systray.esm";
import { DcxIncomingPopup } from "@dcx_crm/components/incoming_popup/dcx_incoming_popup.esm";
import { DcxMeetingPanel } from "@dcx_crm/components/meeting_panel/dcx_meeting_panel.esm";

describe.current.tags("desktop");

class DcxCustomer extends models.Model {
    _name = "dcx.customer";
    name = fields.Char();
    phone = fields.Char();
    mobile = fields.Char();
    _records = [{ id: 7, name: "Ada Dcx", phone: "+32 470 12 34 56" }];
}
defineMailModels();
defineModels([DcxCustomer]);

const CONFIG = {
    dial_enabled: true,
    dial_reason: null,
    xmpp: null,
    xmpp_reason: "Set your XMPP address and password in your preferences.",
    stanza: { namespace: null, incomingElement: null, endedElement: null },
    meeting_client: { mode: "side_panel", configured: true },
};

const MEETING = { meeting_id: "123", meeting_info_id: "a12", extra: "kept" };

function json(body, status = 200) {
    return new Response(JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json" },
    });
}

let requests;
beforeEach(() => {
    requests = [];
    const route = (path, handler) =>
        onRpc(
            path,
            async (request) => {
                const body = await request.json();
                requests.push([path, body, request.headers.get("X-CSRF-Token") !== null]);
                return handler(body);
            },
            { pure: true }
        );
    route("/dcx/v1/client/config", () => json(CONFIG));
    route("/dcx/v1/client/dial", (body) =>
        json({
            call_id: 41,
            number: "+32470123456",
            record: body.res_model
                ? { model: body.res_model, id: body.res_id, display_name: "Ada Dcx" }
                : null,
            meeting: MEETING,
            call: { failures: {} },
            meeting_client_url: "https://meet.example.com/123",
        })
    );
    route("/dcx/v1/client/lookup", () =>
        json({
            number: "+32470123456",
            partners: [{ id: 7, display_name: "Ada Dcx", email: null, company: null }],
            leads: [{ id: 3, name: "Big deal", stage: "New", partner_id: 7 }],
        })
    );
    route("/dcx/v1/client/join", (body) =>
        json({
            call_id: 42,
            join: { meeting_id: body.meeting_id, meeting_info_id: "b34" },
            incoming: body.incoming,
            number: "+32470123456",
            partners: [{ id: 7, display_name: "Ada Dcx" }],
            meeting_client_url: null,
        })
    );
});

test("service reads its config and exposes the three hooks with unsubscribe", async () => {
    await makeMockEnv();
    const phone = getService("dcx_phone");
    await phone.ready;
    expect(phone.state.dialEnabled).toBe(true);
    expect(phone.state.status).toBe("off");
    expect(phone.state.reason).toBe(CONFIG.xmpp_reason);
    expect(requests[0]).toEqual(["/dcx/v1/client/config", {}, true]);
    expect(() => phone.on("meeting_data", () => {})).toThrow(/Unknown DCX hook/);
    const off = phone.on("call-ended", () => expect.step("never"));
    expect(typeof off).toBe("function");
    off();
});

test("dial: meeting-data hook (service and window event) with the frozen payload", async () => {
    await makeMockEnv();
    const phone = getService("dcx_phone");
    await phone.ready;
    const seen = [];
    const off = phone.on("meeting-data", (p) => seen.push(p));
    const offLater = phone.on("meeting-data", () => expect.step("unsubscribed handler"));
    offLater();
    const onWindow = (ev) => expect.step(`window ${ev.detail.meeting_id}`);
    window.addEventListener("dcx:on-meeting-data", onWindow);
    const payload = await phone.dial("0470 12 34 56", {
        model: "dcx.customer",
        id: 7,
        display_name: "Ada Dcx",
    });
    window.removeEventListener("dcx:on-meeting-data", onWindow);
    off();
    expect.verifySteps(["window 123"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(payload);
    expect(payload).toEqual({
        version: 1,
        direction: "outbound",
        meeting_id: "123",
        meeting_info_id: "a12",
        number: "+32470123456",
        call_id: 41,
        record: { model: "dcx.customer", id: 7, display_name: "Ada Dcx" },
        meeting: MEETING,
    });
    expect(Object.isFrozen(payload.meeting)).toBe(true);
    expect(requests[1]).toEqual([
        "/dcx/v1/client/dial",
        { number: "0470 12 34 56", res_model: "dcx.customer", res_id: 7 },
        true,
    ]);
    expect(phone.state.call.meeting_id).toBe("123");
    expect(phone.state.meetingClient).toEqual({
        url: "https://meet.example.com/123",
        mode: "side_panel",
    });
});

test("dial failure: readable notification, no call, no hook", async () => {
    onRpc(
        "/dcx/v1/client/dial",
        () =>
            json(
                {
                    code: 422,
                    message: "The call could not be placed (+3225550000: unreachable).",
                    reason: "call_failed",
                },
                422
            ),
        { pure: true }
    );
    mockService("notification", {
        add(message, options) {
            expect.step(`${options.type}: ${message}`);
        },
    });
    await makeMockEnv();
    const phone = getService("dcx_phone");
    await phone.ready;
    phone.on("meeting-data", () => expect.step("hook"));
    expect(await phone.dial("+3225550000")).toBe(null);
    expect.verifySteps(["danger: The call could not be placed (+3225550000: unreachable)."]);
    expect(phone.state.call).toBe(null);
    expect(phone.state.busy).toBe(false);
});

test("systray: status with reason, call timer, hang-up emits call-ended", async () => {
    await mountWithCleanup(DcxSystray, { noMainContainer: true });
    const phone = getService("dcx_phone");
    await phone.ready;
    await animationFrame();
    expect(".o_dcx_status[data-status='off']").toHaveCount(1);
    expect(queryFirst(".o_dcx_status").title).toBe(`DCX: off — ${CONFIG.xmpp_reason}`);
    expect(".o_dcx_call").toHaveCount(0);
    await phone.dial("+32470123456", { model: "dcx.customer", id: 7, display_name: "Ada Dcx" });
    await animationFrame();
    expect(".o_dcx_call_party").toHaveText("Ada Dcx");
    expect(".o_dcx_call_timer").toHaveText("0:00");
    await advanceTime(61000);
    expect(".o_dcx_call_timer").toHaveText(/^1:0[01]$/);
    const ended = [];
    phone.on("call-ended", (p) => ended.push(p));
    await click(".o_dcx_hangup");
    await animationFrame();
    expect(".o_dcx_call").toHaveCount(0);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toEqual({
        version: 1,
        meeting_id: "123",
        meeting_info_id: "a12",
        call_id: 41,
        duration_seconds: 61,
        ended_at: ended[0].ended_at,
        reason: "hangup",
        source: "local",
        raw: null,
    });
    expect(phone.state.meetingClient).toBe(null);
});

test("incoming call: popup rings with customers and leads; autoplay block fallback; accept", async () => {
    class BlockedAudio {
        constructor() {
            this.loop = false;
            this.currentTime = 0;
        }
        play() {
            expect.step("play");
            const err = new Error("autoplay blocked");
            err.name = "NotAllowedError";
            return Promise.reject(err);
        }
        pause() {}
    }
    patchWithCleanup(window, { Audio: BlockedAudio });
    mockService("action", {
        doAction(action) {
            expect.step(`open ${action.res_model} ${action.res_id}`);
        },
    });
    await mountWithCleanup(DcxIncomingPopup, { noMainContainer: true });
    const phone = getService("dcx_phone");
    await phone.ready;
    const accepted = [];
    phone.on("accepted", (p) => accepted.push(p));
    const title = document.title;
    phone._onXmppEvent({
        type: "incoming-call",
        data: { meeting_id: "m-1", caller: "+32470123456", jid: "c@x", chat_group_id: "cg" },
    });
    await animationFrame();
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(1);
    expect(".o_dcx_incoming_number").toHaveText("+32470123456");
    expect(queryAllTexts(".o_dcx_incoming_partners li")).toEqual(["Ada Dcx"]);
    expect(queryAllTexts(".o_dcx_incoming_leads a")).toEqual(["Big deal"]);
    expect(document.title).toBe("📞 +32470123456");
    expect(".o_dcx_sound_blocked").toHaveCount(1);
    expect.verifySteps(["play"]);
    // a duplicate of the same event (other tab, retransmission) doesn't ring twice
    phone._onXmppEvent({ type: "incoming-call", data: { meeting_id: "m-1" } });
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(1);
    await click(".o_dcx_accept");
    await animationFrame();
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(0);
    expect(document.title).toBe(title);
    expect.verifySteps(["open res.partner 7"]);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toEqual({
        version: 1,
        direction: "inbound",
        meeting_id: "m-1",
        meeting_info_id: "b34",
        number: "+32470123456",
        call_id: 42,
        partners: [{ id: 7, display_name: "Ada Dcx" }],
        incoming: {
            chat_group_id: "cg",
            jid: "c@x",
            meeting_id: "m-1",
            meeting_mode: null,
            meeting_type: null,
            caller: "+32470123456",
        },
        join: { meeting_id: "m-1", meeting_info_id: "b34" },
    });
    const join = requests.find(([path]) => path === "/dcx/v1/client/join");
    expect(join[1].meeting_id).toBe("m-1");
    expect(phone.state.call.direction).toBe("inbound");
    // Prosody's call-ended event ends the call and fires the hook with the duration
    const ended = [];
    phone.on("call-ended", (p) => ended.push(p));
    phone._onXmppEvent({ type: "call-ended", data: { meeting_id: "m-1", duration: 33 } });
    expect(phone.state.call).toBe(null);
    expect(ended[0].duration_seconds).toBe(33);
    expect(ended[0].source).toBe("xmpp");
    expect(ended[0].raw).toEqual({ meeting_id: "m-1", duration: 33 });
});

test("incoming call: decline and caller hang-up stop ringing", async () => {
    await mountWithCleanup(DcxIncomingPopup, { noMainContainer: true });
    const phone = getService("dcx_phone");
    await phone.ready;
    phone._onXmppEvent({
        type: "incoming-call",
        data: { meeting_id: "m-2", caller: "+3225551212" },
    });
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(1);
    await click(".o_dcx_decline");
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(0);
    expect(requests.some(([path]) => path === "/dcx/v1/client/join")).toBe(false);
    // declined meeting doesn't ring again
    phone._onXmppEvent({ type: "incoming-call", data: { meeting_id: "m-2" } });
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(0);
    // caller hangs up while ringing → missed, popup closes
    phone._onXmppEvent({ type: "incoming-call", data: { meeting_id: "m-3" } });
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(1);
    phone._onXmppEvent({ type: "call-ended", data: { meeting_id: "m-3" } });
    await animationFrame();
    expect(".o_dcx_incoming").toHaveCount(0);
});

test("meeting client panel shows the configured URL and closes on hang-up", async () => {
    await mountWithCleanup(DcxMeetingPanel, { noMainContainer: true });
    const phone = getService("dcx_phone");
    await phone.ready;
    await phone.dial("+32470123456");
    await animationFrame();
    // (Hoot blanks iframe sources in tests: check the bound URL on the state)
    expect(".o_dcx_meeting.o_dcx_meeting_side_panel iframe.o_dcx_meeting_frame").toHaveCount(1);
    expect(phone.state.meetingClient.url).toBe("https://meet.example.com/123");
    await click(".o_dcx_meeting_header .btn-danger");
    await animationFrame();
    expect(".o_dcx_meeting").toHaveCount(0);
});

test("phone field offers Call with DCX and dials with the record", async () => {
    await mountView({
        type: "form",
        resModel: "dcx.customer",
        resId: 7,
        arch: `<form><field name="name"/><field name="phone" widget="phone"/></form>`,
    });
    await waitFor(".o_field_phone .o_dcx_call_button");
    await click(".o_field_phone .o_dcx_call_button");
    await animationFrame();
    const dial = requests.find(([path]) => path === "/dcx/v1/client/dial");
    expect(dial[1]).toEqual({
        number: "+32 470 12 34 56",
        res_model: "dcx.customer",
        res_id: 7,
    });
    expect(getService("dcx_phone").state.call.call_id).toBe(41);
});

test("Call button widget dials the mobile, else the phone", async () => {
    await mountView({
        type: "form",
        resModel: "dcx.customer",
        resId: 7,
        arch: `<form><widget name="dcx_call_button"/><field name="name"/></form>`,
    });
    await waitFor(".o_dcx_call_button:contains('Call')");
    await click(".o_dcx_call_button");
    await animationFrame();
    const dial = requests.find(([path]) => path === "/dcx/v1/client/dial");
    expect(dial[1].number).toBe("+32 470 12 34 56");
});

test("tabs: a call relayed by the leader tab rings here; answering elsewhere stops it", async () => {
    onRpc(
        "/dcx/v1/client/config",
        () =>
            json({
                ...CONFIG,
                xmpp: {
                    jid: "agent@dcx.test/odoo-7",
                    password: "x",
                    websocket_url: "ws://127.0.0.1:9/xmpp-websocket",
                    bosh_url: null,
                    domain: "dcx.test",
                },
                xmpp_reason: null,
            }),
        { pure: true }
    );
    // no XMPP library in this test: the tab still takes part in the tab election
    patchWithCleanup(window, { Strophe: undefined });
    await mountWithCleanup(DcxIncomingPopup, { noMainContainer: true });
    const phone = getService("dcx_phone");
    await phone.ready;
    const channelName = `dcx_phone_${odoo.info?.db || ""}_${user.userId || ""}`;
    const otherTab = new BroadcastChannel(channelName);
    const received = [];
    otherTab.onmessage = (ev) => received.push(ev.data);
    try {
        otherTab.postMessage({
            type: "incoming-call",
            data: { meeting_id: "m-tab", caller: "+32470123456" },
        });
        await waitFor(".o_dcx_incoming");
        expect(".o_dcx_incoming_number").toHaveText("+32470123456");
        // another tab accepted: ringing stops here too
        otherTab.postMessage({ type: "answered", meeting_id: "m-tab", how: "accepted" });
        await waitUntil(() => !queryFirst(".o_dcx_incoming"));
        expect(document.title.startsWith("📞")).toBe(false);
        // and when this tab declines, the others are told
        otherTab.postMessage({ type: "incoming-call", data: { meeting_id: "m-tab-2" } });
        await waitFor(".o_dcx_incoming");
        await click(".o_dcx_decline");
        await animationFrame();
        await waitUntil(() => !queryFirst(".o_dcx_incoming"));
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(received.filter((m) => m.type === "answered")).toEqual([
            { type: "answered", meeting_id: "m-tab-2", how: "declined" },
        ]);
    } finally {
        otherTab.close();
    }
});

function meetingClientMode(mode) {
    onRpc(
        "/dcx/v1/client/config",
        () => json({ ...CONFIG, meeting_client: { mode, configured: true } }),
        { pure: true }
    );
    patchWithCleanup(browser, {
        open(url, target) {
            expect.step(`open ${url} ${target}`);
        },
    });
}

test("meeting client in a dialog", async () => {
    meetingClientMode("dialog");
    await mountWithCleanup(DcxMeetingPanel, { noMainContainer: true });
    const phone = getService("dcx_phone");
    await phone.ready;
    await phone.dial("+32470123456");
    await animationFrame();
    expect(".o_dcx_meeting.o_dcx_meeting_dialog").toHaveCount(1);
    phone.hangup();
    await animationFrame();
    expect(".o_dcx_meeting").toHaveCount(0);
    expect.verifySteps([]);
});

test("meeting client in a new browser tab, or not shown", async () => {
    meetingClientMode("new_tab");
    await mountWithCleanup(DcxMeetingPanel, { noMainContainer: true });
    const phone = getService("dcx_phone");
    await phone.ready;
    await phone.dial("+32470123456");
    await animationFrame();
    expect.verifySteps(["open https://meet.example.com/123 _blank"]);
    expect(phone.state.meetingClient).toBe(null);
    expect(".o_dcx_meeting").toHaveCount(0);
    phone.hangup();
    phone.config.meeting_client.mode = "none";
    await phone.dial("+32470123456");
    await animationFrame();
    expect.verifySteps([]);
    expect(phone.state.meetingClient).toBe(null);
});
