import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { createRequire } from "node:module";
import { hasPackage, NODE_MODULES, REPO_ROOT } from "./helpers.mjs";

const VENDORED = path.join(REPO_ROOT, "static", "lib", "strophe", "strophe.umd.min.js");

test("vendored strophe.umd.min.js defines window.Strophe as a plain script", () => {
    const code = readFileSync(VENDORED, "utf8");
    assert.ok(!code.includes("sourceMappingURL"), "no dangling source map reference");
    const sandbox = { console };
    sandbox.window = sandbox;
    sandbox.self = sandbox;
    vm.createContext(sandbox);
    vm.runInContext(code, sandbox);
    // the UMD build ends by assigning globals: Strophe (the namespace object), $pres, $iq...
    assert.equal(typeof sandbox.Strophe.Connection, "function");
    assert.equal(typeof sandbox.Strophe.Status.CONNECTED, "number");
    assert.equal(typeof sandbox.$pres, "function");
    assert.equal(typeof sandbox.$iq, "function");
    assert.equal(typeof sandbox.$msg, "function");
});

test(
    "vendored file is strophe.js 5.0.0's dist/strophe.umd.min.js",
    { skip: !hasPackage("strophe.js") && "strophe.js not installed" },
    () => {
        const req = createRequire(path.join(NODE_MODULES, "noop.js"));
        const pkgDir = path.dirname(req.resolve("strophe.js/package.json"));
        const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
        assert.equal(pkg.version, "5.0.0");
        const upstream = readFileSync(path.join(pkgDir, "dist", "strophe.umd.min.js"), "utf8")
            .split("\n")
            .filter((l) => !l.startsWith("//# sourceMappingURL="))
            .join("\n");
        assert.equal(readFileSync(VENDORED, "utf8"), upstream);
        const readme = readFileSync(path.join(path.dirname(VENDORED), "README.md"), "utf8");
        assert.match(readme, /5\.0\.0/);
        const license = readFileSync(path.join(path.dirname(VENDORED), "LICENSE.txt"), "utf8");
        assert.match(license, /MIT|Permission is hereby granted/);
    }
);
