// Shared helpers for the Node tests: load npm packages from $DCX_NODE_MODULES.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const NODE_MODULES =
    process.env.DCX_NODE_MODULES || "/root/.cache/dcx_crm/node/node_modules";

const req = createRequire(path.join(NODE_MODULES, "noop.js"));

export function hasPackage(name) {
    return existsSync(path.join(NODE_MODULES, name, "package.json"));
}

export function requirePkg(name) {
    return req(name);
}

/** ESM import of a package's entry resolved from NODE_MODULES (strophe.js is ESM-first). */
export async function importPkg(name) {
    return import(pathToFileURL(req.resolve(name)).href);
}

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
