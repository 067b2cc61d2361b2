/**
 * DCX incoming-call / call-ended stanza parsing.
 *
 * Plain ES module: no Odoo import, runs unchanged in the browser and in Node.
 *
 * DCX's real XMPP payload format is not published. ASSUMPTION (documented in
 * readme/CONFIGURE.md and configurable in Settings): Prosody delivers a `<message>`
 * stanza that carries ONE DCX element, by default
 *
 *   <message from="dcx@example.com" to="agent@example.com/odoo">
 *     <incoming-call xmlns="urn:dcx:call:0" meeting_id="123" ...>   (attributes)
 *       <meeting_mode>audio</meeting_mode>                            (or children)
 *     </incoming-call>
 *   </message>
 *
 * and `<call-ended xmlns="urn:dcx:call:0" .../>` when the call is over. Fields may be
 * attributes, child elements, or a JSON object in a `<json xmlns="urn:xmpp:json:0">`
 * child (XEP-0335) or as the element's own text. Element names, the namespace (or
 * "*" for any) and the JSON wrapper are options, so a different real format only
 * needs a setting change, not code.
 *
 * The parser never throws on input it is given: it returns `null` for stanzas that
 * are not DCX call stanzas and `{type: "invalid", reason}` for DCX stanzas it can't
 * use. Hostile input is bounded: string size, nesting depth, number of fields,
 * field length, DOCTYPE/ENTITY declarations are refused before parsing.
 */

export const DEFAULT_STANZA_OPTIONS = Object.freeze({
    namespace: "urn:dcx:call:0",
    incomingElement: "incoming-call",
    endedElement: "call-ended",
    jsonElement: "json",
    jsonNamespace: "urn:xmpp:json:0",
    maxStanzaChars: 65536,
    maxDepth: 16,
    maxFields: 64,
    maxFieldChars: 2048,
});

/** Fields lifted to the top level of the event; everything else goes to `extra`. */
export const INCOMING_FIELDS = Object.freeze([
    "meeting_id",
    "meeting_info_id",
    "chat_group_id",
    "jid",
    "meeting_mode",
    "meeting_type",
    "caller",
    "callee",
]);

export const ENDED_FIELDS = Object.freeze([
    "meeting_id",
    "meeting_info_id",
    "chat_group_id",
    "duration",
    "reason",
    "start_time",
    "end_time",
]);

const ID_RE = /^[A-Za-z0-9._:@\-+/=]{1,256}$/;
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function localNameOf(node) {
    if (!node) {
        return "";
    }
    const name = node.localName || node.nodeName || node.tagName || "";
    const idx = name.indexOf(":");
    return idx >= 0 ? name.slice(idx + 1) : name;
}

function namespaceOf(node) {
    if (!node) {
        return null;
    }
    if (node.namespaceURI) {
        return node.namespaceURI;
    }
    return typeof node.getAttribute === "function" ? node.getAttribute("xmlns") : null;
}

function elementChildren(node) {
    const out = [];
    const kids = node && node.childNodes;
    if (!kids) {
        return out;
    }
    for (let i = 0; i < kids.length; i++) {
        if (kids[i] && kids[i].nodeType === 1) {
            out.push(kids[i]);
        }
    }
    return out;
}

function textOf(node) {
    // textContent is unescaped (Strophe.getText() returns XML-escaped text).
    const t = node && node.textContent;
    return typeof t === "string" ? t : "";
}

function depthOf(node, limit) {
    let max = 0;
    const stack = [[node, 1]];
    let visited = 0;
    while (stack.length) {
        const [n, d] = stack.pop();
        visited++;
        if (d > max) {
            max = d;
        }
        if (max > limit || visited > 10000) {
            return Infinity;
        }
        for (const c of elementChildren(n)) {
            stack.push([c, d + 1]);
        }
    }
    return max;
}

function matches(node, name, ns) {
    if (localNameOf(node) !== name) {
        return false;
    }
    if (!ns || ns === "*") {
        return true;
    }
    return namespaceOf(node) === ns;
}

function findChild(node, name, ns) {
    if (matches(node, name, ns)) {
        return node;
    }
    for (const c of elementChildren(node)) {
        if (matches(c, name, ns)) {
            return c;
        }
    }
    return null;
}

function sanitizeValue(value, opts) {
    if (value === null || value === undefined) {
        return null;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return Number.isFinite(value) || typeof value === "boolean" ? value : null;
    }
    if (typeof value !== "string") {
        return null; // nested objects/arrays are not accepted as field values
    }
    // strip control characters except tab/newline
    // eslint-disable-next-line no-control-regex
    const v = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "").trim();
    if (v.length > opts.maxFieldChars) {
        return undefined; // signals "too long"
    }
    return v;
}

function collectFields(el, opts, errors) {
    const fields = Object.create(null);
    let count = 0;
    const put = (key, raw) => {
        if (!KEY_RE.test(key) || FORBIDDEN_KEYS.has(key)) {
            errors.push(`ignored field name "${String(key).slice(0, 40)}"`);
            return;
        }
        if (key === "xmlns" || key.startsWith("xmlns")) {
            return;
        }
        const v = sanitizeValue(raw, opts);
        if (v === undefined) {
            errors.push(`field "${key}" too long`);
            return;
        }
        if (v === null || v === "") {
            return;
        }
        if (++count > opts.maxFields) {
            return;
        }
        if (!(key in fields)) {
            fields[key] = v;
        }
    };
    // 1. attributes
    const attrs = el.attributes;
    if (attrs) {
        for (let i = 0; i < attrs.length; i++) {
            const a = attrs[i];
            put(a.localName || a.name, a.value);
        }
    }
    // 2. JSON payload: <json xmlns="urn:xmpp:json:0">{...}</json> child or own text
    const children = elementChildren(el);
    let jsonText = null;
    const jsonEl = children.find((c) => matches(c, opts.jsonElement, opts.jsonNamespace));
    if (jsonEl) {
        jsonText = textOf(jsonEl);
    } else if (!children.length) {
        const own = textOf(el).trim();
        if (own.startsWith("{")) {
            jsonText = own;
        }
    }
    if (jsonText !== null) {
        let obj = null;
        try {
            obj = JSON.parse(jsonText);
        } catch {
            errors.push("JSON payload is not valid JSON");
        }
        if (obj && typeof obj === "object" && !Array.isArray(obj)) {
            for (const key of Object.keys(obj)) {
                put(key, obj[key]);
            }
        } else if (obj !== null) {
            errors.push("JSON payload is not an object");
        }
    }
    // 3. simple child elements <meeting_id>123</meeting_id>
    for (const c of children) {
        if (c === jsonEl || elementChildren(c).length) {
            continue;
        }
        put(localNameOf(c), textOf(c));
    }
    return fields;
}

function pick(fields, names) {
    const top = {};
    const extra = {};
    for (const name of names) {
        top[name] = name in fields ? fields[name] : null;
    }
    for (const key of Object.keys(fields)) {
        if (!names.includes(key)) {
            extra[key] = fields[key];
        }
    }
    return { top, extra };
}

/**
 * Parse an XML string into a DOM element without letting the parser see a DTD.
 *
 * @param {string} text
 * @param {{DOMParser: Function, maxStanzaChars?: number}} env
 * @returns {Element|null}
 */
export function parseXmlString(text, env = {}) {
    const max = env.maxStanzaChars || DEFAULT_STANZA_OPTIONS.maxStanzaChars;
    if (typeof text !== "string" || !text.length || text.length > max) {
        return null;
    }
    if (/<!DOCTYPE|<!ENTITY|<\?xml-stylesheet/i.test(text)) {
        return null;
    }
    const Parser = env.DOMParser || globalThis.DOMParser;
    if (!Parser) {
        return null;
    }
    let doc;
    try {
        // @xmldom/xmldom reports through onError (and throws on fatal errors);
        // browsers ignore the argument and return a <parsererror> document.
        const parser = new Parser({ onError: () => {} });
        doc = parser.parseFromString(text, "text/xml");
    } catch {
        return null;
    }
    const root = doc && doc.documentElement;
    if (!root || localNameOf(root) === "parsererror") {
        return null;
    }
    if (doc.getElementsByTagName && doc.getElementsByTagName("parsererror").length) {
        return null;
    }
    return root;
}

/**
 * Turn a stanza (DOM element, or XML string with env.DOMParser) into a DCX event.
 *
 * @returns {null | {type: "incoming-call"|"call-ended", data: object, warnings: string[]}
 *                 | {type: "invalid", reason: string}}
 */
export function parseDcxStanza(stanza, options = {}, env = {}) {
    const opts = { ...DEFAULT_STANZA_OPTIONS, ...stripUndefined(options) };
    let root = stanza;
    if (typeof stanza === "string") {
        root = parseXmlString(stanza, { ...env, maxStanzaChars: opts.maxStanzaChars });
        if (!root) {
            return stanza.includes(opts.incomingElement) || stanza.includes(opts.endedElement)
                ? { type: "invalid", reason: "unparseable XML" }
                : null;
        }
    }
    if (!root || root.nodeType !== 1) {
        return null;
    }
    try {
        return parseElement(root, opts);
    } catch (err) {
        return {
            type: "invalid",
            reason: `parser error: ${String(err && err.message).slice(0, 200)}`,
        };
    }
}

function stripUndefined(obj) {
    const out = {};
    for (const [k, v] of Object.entries(obj || {})) {
        if (v !== undefined && v !== null && v !== "") {
            out[k] = v;
        }
    }
    return out;
}

function parseElement(root, opts) {
    const rootName = localNameOf(root);
    if (rootName === "message" && root.getAttribute && root.getAttribute("type") === "error") {
        return null;
    }
    let type = null;
    let el = findChild(root, opts.incomingElement, opts.namespace);
    if (el) {
        type = "incoming-call";
    } else {
        el = findChild(root, opts.endedElement, opts.namespace);
        if (el) {
            type = "call-ended";
        }
    }
    if (!el) {
        return null;
    }
    if (depthOf(el, opts.maxDepth) > opts.maxDepth) {
        return { type: "invalid", reason: "stanza nested too deeply" };
    }
    const warnings = [];
    const fields = collectFields(el, opts, warnings);
    const names = type === "incoming-call" ? INCOMING_FIELDS : ENDED_FIELDS;
    const { top, extra } = pick(fields, names);
    const meetingId = top.meeting_id === null ? null : String(top.meeting_id);
    if (!meetingId) {
        return { type: "invalid", reason: "missing meeting_id" };
    }
    if (!ID_RE.test(meetingId)) {
        return { type: "invalid", reason: "meeting_id has unexpected characters" };
    }
    top.meeting_id = meetingId;
    const from = root.getAttribute ? root.getAttribute("from") : null;
    const stanzaId = root.getAttribute ? root.getAttribute("id") : null;
    const data = { ...top, from: from || null, stanza_id: stanzaId || null, extra };
    if (type === "call-ended") {
        const d = data.duration === null ? null : Number(data.duration);
        data.duration = Number.isFinite(d) && d >= 0 ? d : null;
    }
    return { type, data, warnings };
}
