#!/usr/bin/env python3
"""Run dcx_crm's test parts and print one closing summary line.

Called by the Makefile (`make test`, `make lint`, `make test-pure`, `make test-node`,
`make test-odoo`), which first prepares the tools (venvs, npm packages, prosody) and
passes their locations in environment variables. Standard library only.

Parts:
  lint  ruff check, ruff format --check, pylint-odoo, prettier --check, eslint and
        README.rst freshness: one test each.
  pure  pytest lib/tests (counted from its junit xml; no tests collected = 0 tests).
  node  node --test tests/node/ (counted from the TAP reporter's closing comments).
  odoo  only with ODOO_SRC: a fresh database, -i dcx_crm --test-enable
        --test-tags /dcx_crm, counted from Odoo's log. Two more tests: the install log
        has no WARNING/ERROR/CRITICAL, and no unexpected ERROR is logged while tests
        run (silence expected ones with odoo.tools.mute_logger).

The last two lines printed are
  odoo part: ran (db ...) | odoo part: skipped (<reason>)
  total: N passed, N failed, N skipped
and the exit status is 1 when anything failed.
"""

import argparse
import datetime
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = os.environ
CACHE = Path(ENV.get("DCX_CACHE") or Path.home() / ".cache" / "dcx_crm")
REPORTS = CACHE / "reports"
TOOLS_BIN = Path(ENV.get("TOOLS_BIN") or CACHE / "tools-venv" / "bin")
NODE_MODULES = Path(ENV.get("DCX_NODE_MODULES") or CACHE / "node" / "node_modules")
PRETTIER_GLOB = "**/*.{js,mjs,cjs,css,scss,xml,json,yml,yaml}"


def say(*args):
    print(*args, flush=True)


def banner(title):
    say("")
    say(f"==== {title} " + "=" * max(0, 66 - len(title)))


class Result:
    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0
        self.notes = []

    def add(self, ok, label):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.notes.append(f"FAILED: {label}")


def base_env(**extra):
    env = dict(ENV)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["DCX_NODE_MODULES"] = str(NODE_MODULES)
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def run(cmd, timeout=600, cwd=REPO, env=None):
    """Run cmd with its output on our stdout; return the exit code (124 on timeout)."""
    say("$ " + " ".join(str(c) for c in cmd))
    try:
        return subprocess.run(
            [str(c) for c in cmd],
            cwd=cwd,
            env=env or base_env(),
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        ).returncode
    except subprocess.TimeoutExpired:
        say(f"TIMEOUT after {timeout}s")
        return 124
    except FileNotFoundError as exc:
        say(f"missing tool: {exc}")
        return 127


# --------------------------------------------------------------------------- lint
def part_lint():
    res = Result("lint")
    banner("lint")
    ruff, pylint = TOOLS_BIN / "ruff", TOOLS_BIN / "pylint"
    nbin = NODE_MODULES / ".bin"
    xml_plugin = NODE_MODULES / "@prettier" / "plugin-xml" / "src" / "plugin.js"
    checks = [
        ("ruff check", [ruff, "check", "--no-cache", "--output-format=concise", "."]),
        (
            "ruff format --check",
            [ruff, "format", "--check", "--no-cache", "--output-format=concise", "."],
        ),
        ("pylint-odoo", [pylint, "--rcfile=.pylintrc", REPO]),
        (
            "prettier --check",
            [
                nbin / "prettier",
                "--check",
                "--no-color",
                f"--plugin={xml_plugin}",
                "--no-error-on-unmatched-pattern",
                PRETTIER_GLOB,
            ],
        ),
        ("eslint", [nbin / "eslint", "--max-warnings=0", "."]),
        (
            "README.rst up to date",
            [TOOLS_BIN / "python", "tools/gen_readme.py", "--check"],
        ),
    ]
    for label, cmd in checks:
        say(f"--- {label}")
        rc = run(cmd, timeout=600)
        say(f"--- {label}: {'ok' if rc == 0 else f'FAILED (exit {rc})'}")
        res.add(rc == 0, label)
    return res


# --------------------------------------------------------------------------- pure
def part_pure():
    res = Result("pure")
    banner("pure Python tests (pytest lib/tests)")
    tests_dir = REPO / "lib" / "tests"
    if not tests_dir.is_dir():
        res.notes.append("no lib/tests folder: 0 tests")
        say(res.notes[-1])
        return res
    junit = REPORTS / "pytest-lib.xml"
    junit.unlink(missing_ok=True)
    rc = run(
        [
            TOOLS_BIN / "python",
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            # rootdir lib/tests: pytest then never imports the addon's __init__.py
            # files above it (they import odoo), whatever the clone's folder is named
            "--rootdir=lib/tests",
            "-o",
            "junit_family=xunit2",
            f"--junitxml={junit}",
            "-q",
            "lib/tests",
        ],
        timeout=1800,
    )
    if rc == 5:
        res.notes.append("pytest collected no tests: 0 tests")
        say(res.notes[-1])
        return res
    if junit.exists():
        tests = failures = errors = skipped = 0
        root = ET.parse(junit).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            tests += int(suite.get("tests", 0))
            failures += int(suite.get("failures", 0))
            errors += int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
        res.failed = failures + errors
        res.skipped = skipped
        res.passed = max(0, tests - failures - errors - skipped)
    if rc != 0 and res.failed == 0:
        res.add(False, f"pytest exited {rc}")
    return res


# --------------------------------------------------------------------------- node
TAP_COUNT = re.compile(r"^# (tests|pass|fail|cancelled|skipped|todo) (\d+)\s*$")


def part_node():
    res = Result("node")
    banner("node tests (node --test tests/node/)")
    if not (REPO / "tests" / "node").is_dir():
        res.notes.append("no tests/node folder: 0 tests")
        say(res.notes[-1])
        return res
    prosody = shutil.which("prosody")
    if prosody:
        say(f"prosody: {prosody}")
    else:
        res.notes.append("prosody not installed: the Prosody integration test skips")
        say(res.notes[-1])
    tap = REPORTS / "node-tests.tap"
    tap.unlink(missing_ok=True)
    rc = run(
        [
            "node",
            "--test",
            "--test-timeout=180000",
            "--test-reporter=spec",
            "--test-reporter-destination=stdout",
            "--test-reporter=tap",
            f"--test-reporter-destination={tap}",
            "tests/node/",
        ],
        timeout=1800,
        env=base_env(DCX_PROSODY_BIN=prosody or ""),
    )
    counts = {}
    if tap.exists():
        for line in tap.read_text(errors="replace").splitlines():
            m = TAP_COUNT.match(line)
            if m:
                counts[m.group(1)] = int(m.group(2))  # the last block is the total
    res.passed = counts.get("pass", 0)
    res.failed = counts.get("fail", 0) + counts.get("cancelled", 0)
    res.skipped = counts.get("skipped", 0) + counts.get("todo", 0)
    if rc != 0 and res.failed == 0:
        res.add(False, f"node --test exited {rc}")
    return res


# --------------------------------------------------------------------------- odoo
LOG_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z?]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<msg>.*)$"
)
RESULT_RE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
TEST_START_RE = re.compile(r"^Starting \S+ \.\.\.$")
SKIP_RE = re.compile(r"^skipped \S+")
# FAIL: TestX.test_y / FAIL: Subtest TestX.test_y (n=1) / ERROR: setUpClass (mod.TestX)
FAILED_TEST_RE = re.compile(r"^(?:FAIL|ERROR): (?:Subtest )?(\S+(?: \([\w.]+\))?)")
ASSET_LOGGERS = (
    "odoo.addons.base.models.ir_asset",
    "odoo.addons.base.models.assetsbundle",
    "odoo.addons.base.models.ir_qweb",
)


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_port():
    wanted = ENV.get("TEST_HTTP_PORT")
    if wanted:
        return int(wanted) if port_free(int(wanted)) else None
    for port in [8069, *range(8070, 8200)]:
        if port_free(port):
            return port
    return None


def pg_env():
    env = base_env()
    for var, pg in (
        ("DB_HOST", "PGHOST"),
        ("DB_PORT", "PGPORT"),
        ("DB_USER", "PGUSER"),
        ("DB_PASSWORD", "PGPASSWORD"),
    ):
        if ENV.get(var):
            env[pg] = ENV[var]
    return env


def odoo_db_args():
    args = []
    for var, opt in (
        ("DB_HOST", "--db_host"),
        ("DB_PORT", "--db_port"),
        ("DB_USER", "--db_user"),
        ("DB_PASSWORD", "--db_password"),
    ):
        if ENV.get(var):
            args.append(f"{opt}={ENV[var]}")
    return args


def db_exists(name):
    out = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-XtAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        env=pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() == "1"


def drop_db(name, data_dir):
    subprocess.run(["dropdb", "--if-exists", name], env=pg_env(), check=False)
    shutil.rmtree(Path(data_dir) / "filestore" / name, ignore_errors=True)


class OdooLog:
    """Follows Odoo's log, record by record, and classifies what matters."""

    def __init__(self, module):
        self.module = module
        self.records = []  # [level, logger, msg, phase]
        self.phase = "load"  # load | tests | post
        self.result = None
        self.skipped = 0
        self.failed_tests = set()  # a test with failing subtests counts once
        self.show = False

    def feed(self, line):
        m = LOG_RE.match(line)
        if not m:  # continuation (traceback...) of the previous record
            if self.records:
                self.records[-1][2] += "\n" + line
            return self.show
        level, logger = m.group("level"), m.group("logger")
        msg = m.group("msg").rstrip()
        test_logger = logger.startswith(f"odoo.addons.{self.module}.tests")
        # a test window opens at its first "Starting <test> ..." and closes when the
        # module is loaded (at_install tests) or when post-tests are done
        if test_logger and TEST_START_RE.match(msg):
            self.phase = "tests"
        elif logger == "odoo.modules.loading" and re.match(
            r"Module \S+ loaded in", msg
        ):
            self.phase = "load"
        elif logger == "odoo.service.server" and re.match(r"\d+ post-tests in", msg):
            self.phase = "load"
        if test_logger and SKIP_RE.match(msg):
            self.skipped += 1
        failed = FAILED_TEST_RE.match(msg)
        if failed and ".tests" in logger and level in ("ERROR", "CRITICAL"):
            self.failed_tests.add(failed.group(1))
        r = RESULT_RE.search(msg)
        if logger == "odoo.tests.result" and r:
            self.result = tuple(int(x) for x in r.groups())
        # asset problems (bad globs, SCSS that does not compile) break the web client
        # whenever they show up: they count as install problems
        phase = "load" if logger in ASSET_LOGGERS else self.phase
        self.records.append([level, logger, msg, phase])
        self.show = level in ("WARNING", "ERROR", "CRITICAL") or (
            logger in ("odoo.tests.result", "odoo.tests.stats")
            or (test_logger and TEST_START_RE.match(msg))
            or (test_logger and SKIP_RE.match(msg))
            or (
                logger == "odoo.modules.loading"
                and "loaded in" in msg
                and self.module in msg
            )
        )
        return self.show

    @staticmethod
    def is_test_report(level, logger, msg):
        return (
            logger == "odoo.tests.result"
            or (".tests" in logger and re.match(r"^(FAIL|ERROR): ", msg))
            or (
                logger == "odoo.modules.loading"
                and re.match(r"Module \S+: \d+ failures", msg)
            )
            or msg.startswith("At least one test failed when loading the modules")
            or msg.endswith("at least one error occurred in a test")
        )

    def problems(self):
        install, during_tests, warnings = [], [], []
        for level, logger, msg, phase in self.records:
            if level not in ("WARNING", "ERROR", "CRITICAL"):
                continue
            if self.is_test_report(level, logger, msg):
                continue
            text = f"{level} {logger}: {msg}"
            if phase == "load":
                install.append(text)
            elif level in ("ERROR", "CRITICAL"):
                during_tests.append(text)
            else:
                warnings.append(text)
        return install, during_tests, warnings


def report_odoo_log(parser, res, rc):
    """Count the tests of a parsed Odoo log into res and list the log problems."""
    if parser.result:
        failures, errors, total = parser.result
        # Odoo counts each failing subtest; count failing tests instead
        res.failed = len(parser.failed_tests) or failures + errors
        res.skipped = parser.skipped
        res.passed = max(0, total - res.failed - parser.skipped)
    else:
        res.add(False, "Odoo printed no test result line (install failed?)")
    if rc != 0 and res.failed == 0:
        res.add(False, f"odoo-bin exited {rc}")

    install, during_tests, warnings = parser.problems()
    for title, items in (
        ("warnings/errors while installing (must be none)", install),
        ("unexpected ERROR lines while tests ran (mute expected ones)", during_tests),
        ("warnings while tests ran (not counted)", warnings),
    ):
        if items:
            say(f"--- {title}:")
            counts = {}
            for item in items:
                lines = item.splitlines()
                first = lines[0][:300]
                if len(lines) > 1 and lines[-1].strip():  # a traceback: its last line
                    first += " | " + lines[-1].strip()[:200]
                counts[first] = counts.get(first, 0) + 1
            for first, count in counts.items():
                say(f"  {first}" + (f"  (x{count})" if count > 1 else ""))
    res.add(not install, "install log clean (no WARNING/ERROR/CRITICAL)")
    res.add(not during_tests, "no unexpected ERROR logged during tests")


def find_chrome():
    for name in (
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ):
        if shutil.which(name):
            return shutil.which(name)
    return None


def part_odoo(odoo_src):
    res = Result("odoo")
    banner("Odoo tests (fresh database)")
    src = Path(odoo_src).resolve()
    python = Path(ENV.get("ODOO_PYTHON") or CACHE / "venv" / "bin" / "python")
    addons_dir = Path(ENV.get("ADDONS_DIR") or CACHE / "addons")
    data_dir = Path(ENV.get("ODOO_DATA_DIR") or CACHE / "data")
    module = "dcx_crm"
    if not (src / "odoo-bin").exists():
        res.add(False, f"ODOO_SRC={src} has no odoo-bin")
        return res, f"failed (no odoo-bin in {src})"
    link = addons_dir / module
    if not link.exists() or link.resolve() != REPO:
        res.add(False, f"{link} does not point to {REPO} (run through make)")
        return res, "failed (addons link)"
    port = pick_port()
    if port is None:
        res.add(False, f"http port {ENV.get('TEST_HTTP_PORT') or '8069-8199'} busy")
        return res, "failed (no free http port)"
    chrome = find_chrome()
    if not chrome:
        res.notes.append("no chromium found: Odoo skips its browser tests")
    db = ENV.get("TEST_DB") or "dcx_crm_test_" + datetime.datetime.now().strftime(
        "%Y%m%d_%H%M%S"
    )
    if db_exists(db):
        drop_db(db, data_dir)
    addons_path = ",".join(
        str(p)
        for p in (src / "addons", src / "odoo" / "addons", addons_dir)
        if p.is_dir()
    )
    cmd = [
        python,
        src / "odoo-bin",
        f"--addons-path={addons_path}",
        f"--data-dir={data_dir}",
        *odoo_db_args(),
        "-d",
        db,
        f"--db-filter=^{db}$",
        "-i",
        module,
        "--without-demo=",
        "--test-enable",
        f"--test-tags=/{module}",
        "--stop-after-init",
        f"--http-port={port}",
        f"--gevent-port={port + 1}",
        "--max-cron-threads=0",
        "--log-level=info",
    ]
    logfile = REPORTS / f"odoo-{db}.log"
    say(f"database {db}, http port {port}, chrome {chrome or 'none'}")
    say(f"full log: {logfile}")
    say("$ " + " ".join(str(c) for c in cmd))
    parser = OdooLog(module)
    t0 = time.time()
    timeout = int(ENV.get("ODOO_TEST_TIMEOUT", "3600"))
    with open(logfile, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=CACHE,
            env=base_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        for line in proc.stdout:
            log.write(line)
            line = line.rstrip("\n")
            if parser.feed(line):
                say(line)
            if time.time() - t0 > timeout:
                proc.kill()
                say(f"TIMEOUT after {timeout}s")
        rc = proc.wait()
    elapsed = time.time() - t0
    say(f"odoo exited {rc} after {elapsed:.0f}s")

    report_odoo_log(parser, res, rc)

    if ENV.get("KEEP_DB") == "1":
        state = f"db {db} kept, {elapsed:.0f}s"
    else:
        drop_db(db, data_dir)
        state = f"db {db} dropped, {elapsed:.0f}s"
    return res, f"ran ({state}, port {port})"


# --------------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", help="lint pure node odoo")
    parser.add_argument(
        "--parse-odoo-log",
        metavar="LOG",
        help="only report on an existing Odoo test log",
    )
    args = parser.parse_args()
    unknown = set(args.parts) - {"lint", "pure", "node", "odoo"}
    if unknown or not (args.parts or args.parse_odoo_log):
        parser.error(f"parts are lint, pure, node, odoo (got {args.parts})")
    if args.parse_odoo_log:
        log = OdooLog("dcx_crm")
        with open(args.parse_odoo_log, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                log.feed(line.rstrip("\n"))
        res = Result("odoo")
        report_odoo_log(log, res, rc=0)
        say(f"total: {res.passed} passed, {res.failed} failed, {res.skipped} skipped")
        return 1 if res.failed else 0
    REPORTS.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    results = []
    odoo_state = "skipped (not requested)"
    for part in args.parts:
        if part == "lint":
            results.append(part_lint())
        elif part == "pure":
            results.append(part_pure())
        elif part == "node":
            results.append(part_node())
        elif part == "odoo":
            if ENV.get("ODOO_SRC"):
                res, odoo_state = part_odoo(ENV["ODOO_SRC"])
                results.append(res)
            else:
                odoo_state = "skipped (ODOO_SRC not set)"

    banner(f"summary ({time.time() - t0:.0f}s)")
    for res in results:
        counts = f"{res.passed} passed, {res.failed} failed, {res.skipped} skipped"
        say(f"{res.name:5}: {counts}")
        for note in res.notes:
            say(f"       {note}")
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    say(f"odoo part: {odoo_state}")
    say(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
