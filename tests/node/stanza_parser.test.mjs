import { test } from "node:test";
import assert from "node:assert/strict";
import { requirePkg } from "./helpers.mjs";
import {
    parseDcxStanza,
    parseXmlString,
    DEFAULT_STANZA_OPTIONS,
} from "../../static/src/lib/stanza_parser.js";

const { DOMParser } = requirePkg("@xmldom/xmldom");
const env = { DOMParser };
const parse = (xml, opts = {}) => parseDcxStanza(xml, opts, env);
const NS = DEFAULT_STANZA_OPTIONS.namespace;

test("incoming call with attributes", () => {
    const ev = parse(
        `<message from="dcx@x.test/bot" id="m1" to="a@x.test"><incoming-call xmlns="${NS}"
            meeting_id="123" meeting_info_id="a12" chat_group_id="cg1" jid="caller@x.test"
            meeting_mode="audio" meeting_type="telephony" caller="+4930123456" foo="bar"/></message>`
    );
    assert.equal(ev.type, "incoming-call");
    assert.deepEqual(ev.data, {
        meeting_id: "123",
        meeting_info_id: "a12",
        chat_group_id: "cg1",
        jid: "caller@x.test",
        meeting_mode: "audio",
        meeting_type: "telephony",
        caller: "+4930123456",
        callee: null,
        from: "dcx@x.test/bot",
        stanza_id: "m1",
        extra: { foo: "bar" },
    });
    assert.deepEqual(ev.warnings, []);
});

test("incoming call with child elements and with XEP-0335 JSON", () => {
    const children = parse(
        `<message><incoming-call xmlns="${NS}"><meeting_id>77</meeting_id>
         <meeting_mode>video</meeting_mode><caller>  +15551234567 </caller></incoming-call></message>`
    );
    assert.equal(children.type, "incoming-call");
    assert.equal(children.data.meeting_id, "77");
    assert.equal(children.data.meeting_mode, "video");
    assert.equal(children.data.caller, "+15551234567");

    const json = parse(
        `<message><incoming-call xmlns="${NS}"><json xmlns="urn:xmpp:json:0">` +
            `{"meeting_id": 42, "jid": "x@y", "meeting_type": "a &amp; b", "nested": {"no": 1}}` +
            `</json></incoming-call></message>`
    );
    assert.equal(json.type, "incoming-call");
    assert.equal(json.data.meeting_id, "42");
    assert.equal(json.data.meeting_type, "a & b", "textContent is unescaped before JSON.parse");
    assert.equal("nested" in json.data.extra, false, "nested objects are dropped");
});

test("call ended event with duration", () => {
    const ev = parse(
        `<message><call-ended xmlns="${NS}" meeting_id="123" duration="61" reason="hangup"/></message>`
    );
    assert.equal(ev.type, "call-ended");
    assert.equal(ev.data.meeting_id, "123");
    assert.equal(ev.data.duration, 61);
    assert.equal(ev.data.reason, "hangup");
    const bad = parse(
        `<message><call-ended xmlns="${NS}" meeting_id="1" duration="-3"/></message>`
    );
    assert.equal(bad.data.duration, null);
});

test("configurable element and namespace names", () => {
    const xml = `<message><ring xmlns="urn:other"><meeting_id>9</meeting_id></ring></message>`;
    assert.equal(parse(xml), null, "default names do not match");
    const ev = parse(xml, { incomingElement: "ring", namespace: "urn:other" });
    assert.equal(ev.type, "incoming-call");
    assert.equal(ev.data.meeting_id, "9");
    assert.equal(parse(xml, { incomingElement: "ring", namespace: "urn:wrong" }), null);
    assert.equal(parse(xml, { incomingElement: "ring", namespace: "*" }).data.meeting_id, "9");
    // empty option values fall back to defaults
    assert.equal(
        parse(`<message><incoming-call xmlns="${NS}" meeting_id="5"/></message>`, { namespace: "" })
            .data.meeting_id,
        "5"
    );
});

test("accepts a DOM element as well as a string", () => {
    const el = new DOMParser().parseFromString(
        `<message><incoming-call xmlns="${NS}" meeting_id="abc"/></message>`,
        "text/xml"
    ).documentElement;
    assert.equal(parseDcxStanza(el).data.meeting_id, "abc");
});

test("partial stanzas", () => {
    assert.deepEqual(parse(`<message><incoming-call xmlns="${NS}"/></message>`), {
        type: "invalid",
        reason: "missing meeting_id",
    });
    const r = parse(
        `<message><incoming-call xmlns="${NS}"><meeting_id></meeting_id><jid>x</jid></incoming-call></message>`
    );
    assert.equal(r.type, "invalid");
    const onlyId = parse(`<message><incoming-call xmlns="${NS}" meeting_id="1"/></message>`);
    assert.equal(onlyId.type, "incoming-call");
    assert.equal(onlyId.data.caller, null);
    assert.equal(onlyId.data.jid, null);
});

test("stanzas that are not ours are ignored", () => {
    assert.equal(parse(`<message><body>hello</body></message>`), null);
    assert.equal(parse(`<presence/>`), null);
    assert.equal(parse(`<iq type="get"><ping xmlns="urn:xmpp:ping"/></iq>`), null);
    assert.equal(
        parse(`<message type="error"><incoming-call xmlns="${NS}" meeting_id="1"/></message>`),
        null
    );
    assert.equal(parseDcxStanza(null), null);
    assert.equal(parseDcxStanza(undefined), null);
    assert.equal(parseDcxStanza(42), null);
    assert.equal(parseDcxStanza({}), null);
});

test("malformed XML", () => {
    assert.deepEqual(parse(`<message><incoming-call meeting_id="1"></message>`), {
        type: "invalid",
        reason: "unparseable XML",
    });
    assert.equal(parse(`not xml at all`), null);
    assert.equal(parse(``), null);
    const badJson = parse(
        `<message><incoming-call xmlns="${NS}" meeting_id="3"><json xmlns="urn:xmpp:json:0">{oops</json></incoming-call></message>`
    );
    assert.equal(badJson.type, "incoming-call", "attributes still usable");
    assert.deepEqual(badJson.warnings, ["JSON payload is not valid JSON"]);
    const arr = parse(
        `<message><incoming-call xmlns="${NS}"><json xmlns="urn:xmpp:json:0">[1,2]</json></incoming-call></message>`
    );
    assert.equal(arr.type, "invalid");
});

test("hostile XML is refused or neutralised", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
        <message><incoming-call xmlns="${NS}" meeting_id="&lol2;"/></message>`;
    assert.deepEqual(parse(laughs), { type: "invalid", reason: "unparseable XML" });
    const xxe = `<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><message><incoming-call xmlns="${NS}" meeting_id="&x;"/></message>`;
    assert.equal(parse(xxe).type, "invalid");
    assert.equal(parseXmlString(xxe, env), null);

    const huge = `<message><incoming-call xmlns="${NS}" meeting_id="1" jid="${"a".repeat(70000)}"/></message>`;
    assert.equal(parse(huge).type, "invalid", "over maxStanzaChars");

    const longField = parse(
        `<message><incoming-call xmlns="${NS}" meeting_id="1" jid="${"a".repeat(3000)}"/></message>`
    );
    assert.equal(longField.data.jid, null);
    assert.deepEqual(longField.warnings, ['field "jid" too long']);

    let deep = "<x>".repeat(40) + "</x>".repeat(40);
    deep = `<message><incoming-call xmlns="${NS}" meeting_id="1">${deep}</incoming-call></message>`;
    assert.deepEqual(parse(deep), { type: "invalid", reason: "stanza nested too deeply" });

    const proto = parse(
        `<message><incoming-call xmlns="${NS}"><json xmlns="urn:xmpp:json:0">{"meeting_id":"1","__proto__":{"polluted":1},"constructor":"x"}</json></incoming-call></message>`
    );
    assert.equal(proto.type, "incoming-call");
    assert.equal({}.polluted, undefined);
    assert.equal(Object.keys(proto.data.extra).length, 0);

    const script = parse(
        `<message><incoming-call xmlns="${NS}" meeting_id="&lt;script&gt;alert(1)&lt;/script&gt;"/></message>`
    );
    assert.deepEqual(script, { type: "invalid", reason: "meeting_id has unexpected characters" });

    const ctrl = parse(
        `<message><incoming-call xmlns="${NS}" meeting_id="1" caller="+49&#x1;30"/></message>`
    );
    assert.equal(ctrl.data.caller, "+4930", "control characters are stripped");

    let many = "";
    for (let i = 0; i < 200; i++) {
        many += ` f${i}="v"`;
    }
    const manyFields = parse(
        `<message><incoming-call xmlns="${NS}" meeting_id="1"${many}/></message>`
    );
    assert.ok(Object.keys(manyFields.data.extra).length < DEFAULT_STANZA_OPTIONS.maxFields);
});
