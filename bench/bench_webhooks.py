#!/usr/bin/env python3
"""Benchmark of the DCX-Meeting webhook intake and processing of dcx_crm (issue 3).

Against a real Odoo started with ``--workers`` (plus one cron process) on a
loopback port, it sends, with several concurrent sender threads over keep-alive
HTTP connections:

1. the *floor*: the same number of requests with the same bodies to a bare
   route (test-only addon ``bench/addons/dcx_bench_floor``) that parses the JSON,
   inserts one row and answers 202 — what this machine can do at best;
2. the *webhook*: 10,000 signed deliveries (Standard Webhooks HMAC-SHA256) for
   2,000 meetings — per meeting a "ringing" and a "completed" meeting_info, a
   transcription (3 segments) and a recording; 20 % of the deliveries are
   re-sends of an already sent delivery id; everything shuffled.

It reports accepted events/s, p50/p95 accept latency of both, the ratio to the
floor, the time until the processing cron has drained the backlog after the
last delivery, and checks the result exactly: 2,000 calls, every segment and
recording present, states completed, no error or pending rows, one event row
per distinct delivery id.

Usage (the venv python; ODOO_SRC defaults to /work/odoo-18.0):
    python bench/bench_webhooks.py [--db dcx_i3_bench] [--port 8325]
        [--meetings 2000] [--deliveries 10000] [--senders 4] [--workers 2]
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

import psycopg2
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ODOO_SRC = os.environ.get("ODOO_SRC", "/work/odoo-18.0")
FLOOR_ADDONS = os.path.join(ROOT, "bench", "addons")
sys.path.insert(0, ROOT)

from lib import webhook_signature  # noqa: E402


def _addons_parent():
    """A folder holding this addon as ``dcx_crm`` (the repository may be named
    otherwise)."""
    if os.environ.get("DCX_ADDONS_PARENT"):
        return os.environ["DCX_ADDONS_PARENT"]
    if os.path.basename(ROOT) == "dcx_crm":
        return os.path.dirname(ROOT)
    parent = os.path.join(os.environ.get("TMPDIR", "/tmp"), "dcx_crm_bench_addons")
    os.makedirs(parent, exist_ok=True)
    link = os.path.join(parent, "dcx_crm")
    if not os.path.islink(link):
        os.symlink(ROOT, link)
    return parent


def odoo_cmd(db, *extra, subcommand=None):
    addons = ",".join(
        [os.path.join(ODOO_SRC, "addons"), _addons_parent(), FLOOR_ADDONS]
    )
    return [
        sys.executable,
        os.path.join(ODOO_SRC, "odoo-bin"),
        *([subcommand] if subcommand else []),
        f"--addons-path={addons}",
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--without-demo=all",
        *extra,
    ]


def percentile(values, pct):
    values = sorted(values)
    if not values:
        return 0.0
    index = min(
        len(values) - 1, max(0, int(round(pct / 100.0 * len(values) + 0.5)) - 1)
    )
    return values[index]


def psql(db):
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    return conn


def ensure_database(db, log):
    exists = False
    with psql("postgres") as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        exists = bool(cr.fetchone())
    mode = "-u" if exists else "-i"
    print(f"{'Updating' if exists else 'Creating'} database {db} ...", flush=True)
    subprocess.run(
        odoo_cmd(
            db,
            mode,
            "dcx_crm,dcx_bench_floor",
            "--stop-after-init",
            "--http-port=8329",
            "--gevent-port=8328",
            "--log-level=warn",
        ),
        check=True,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


SETUP_SCRIPT = """
secret = {secret!r}
company = env.ref("base.main_company")
company.country_id = env.ref("base.be")
company._dcx_set_webhook_secrets([secret])
company.dcx_recording_import = False
env.cr.execute("DELETE FROM dcx_webhook_event")
env.cr.execute("DELETE FROM dcx_call")
env.cr.execute("DELETE FROM dcx_bench_floor")
env.cr.execute("DELETE FROM ir_cron_trigger")
Partner = env["res.partner"]
if not Partner.search_count([("name", "=like", "Bench customer %")]):
    Partner.create([
        {{"name": f"Bench customer {{i}}", "mobile": f"+32 470 {{i:06d}}",
          "country_id": env.ref("base.be").id}}
        for i in range({customers})
    ])
user = env["res.users"].search([("login", "=", "bench_agent")])
if not user:
    user = env["res.users"].create({{"name": "Bench Agent", "login": "bench_agent",
                                   "email": "bench.agent@example.com"}})
user.dcx_user_ref = "u-bench"
env.cr.commit()
print("setup done")
"""


def setup(db, secret, customers, log):
    script = SETUP_SCRIPT.format(secret=secret, customers=customers)
    subprocess.run(
        odoo_cmd(db, "--no-http", "--log-level=warn", subcommand="shell"),
        input=script.encode(),
        check=True,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def meeting_events(index):
    mid = f"bench-{index:05d}"
    number = f"+32470{index % 500:06d}" if index % 4 else f"+3222{index:06d}"
    base = {"meeting_id": f"m-{mid}", "meeting_info_id": mid}
    start = 1_795_000_000 + index * 60
    ringing = dict(
        base,
        direction="inbound",
        caller=number,
        status="ringing",
        callee={"jid": "bench@meet.example", "user_id": "u-bench"},
        start_time=start,
        user={"id": "u-bench"},
    )
    completed = dict(ringing, status="completed", end_time=start + 95)
    transcript = dict(
        base,
        language="en",
        summary=f"Summary of {mid}",
        segments=[
            {
                "speaker": number,
                "start": 0,
                "end": 2.5,
                "text": f"Hello, this is about {mid}.",
            },
            {
                "speaker": "bench@meet.example",
                "start": 2.6,
                "end": 5,
                "text": "How can I help?",
            },
            {
                "speaker": number,
                "start": 5.2,
                "end": 9,
                "text": "My order has not arrived.",
            },
        ],
    )
    recording = dict(
        base,
        url=f"https://media.example/rec/{mid}.ogg",
        duration=95,
        mime_type="audio/ogg",
        size=250_000,
    )
    return [
        {"type": "meeting_info", "data": ringing},
        {"type": "meeting_info", "data": completed},
        {"type": "transcription", "data": transcript},
        {"type": "recording", "data": recording},
    ]


def build_deliveries(meetings, deliveries, seed=7):
    rng = random.Random(seed)
    unique = []
    for index in range(meetings):
        for payload in meeting_events(index):
            unique.append(
                (
                    f"msg_{uuid.UUID(int=rng.getrandbits(128)).hex}",
                    json.dumps(payload).encode(),
                )
            )
    extra = max(0, deliveries - len(unique))
    duplicates = [rng.choice(unique) for _ in range(extra)]
    items = unique + duplicates
    rng.shuffle(items)
    return items, len(unique)


def send_all(url, items, senders, secret=None):
    """Post ``items`` with ``senders`` threads.

    Returns (latencies, statuses, seconds)."""
    latencies, statuses = [], {}
    lock = threading.Lock()
    position = [0]

    def worker():
        session = requests.Session()
        mine, counts = [], {}
        while True:
            with lock:
                if position[0] >= len(items):
                    break
                msg_id, body = items[position[0]]
                position[0] += 1
            headers = {"Content-Type": "application/json"}
            if secret:
                headers.update(webhook_signature.signed_headers(secret, msg_id, body))
            started = time.perf_counter()
            response = session.post(url, data=body, headers=headers, timeout=60)
            mine.append(time.perf_counter() - started)
            key = response.status_code
            if secret and key == 202:
                key = f"202 {response.json().get('status')}"
            counts[key] = counts.get(key, 0) + 1
        with lock:
            latencies.extend(mine)
            for key, value in counts.items():
                statuses[key] = statuses.get(key, 0) + value

    threads = [threading.Thread(target=worker) for _ in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def wait_http(base_url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(base_url + "/web/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("Odoo did not start")


def report(name, latencies, statuses, seconds):
    rate = len(latencies) / seconds if seconds else 0
    print(
        f"{name:<8} {len(latencies):>6} requests in {seconds:6.1f} s "
        f"= {rate:7.1f} req/s"
        f"   p50 {percentile(latencies, 50) * 1000:6.1f} ms"
        f"   p95 {percentile(latencies, 95) * 1000:6.1f} ms   statuses {statuses}"
    )
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="dcx_i3_bench")
    parser.add_argument("--port", type=int, default=8325)
    parser.add_argument("--meetings", type=int, default=2000)
    parser.add_argument("--deliveries", type=int, default=10000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--drain-timeout", type=int, default=600)
    args = parser.parse_args()
    # SIGTERM (timeout, kill): run the finally clause that stops the server
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))

    log_path = f"/tmp/{args.db}_server.log"
    secret = webhook_signature.generate_secret()
    with open(log_path, "w") as log:
        ensure_database(args.db, log)
        setup(args.db, secret, args.customers, log)
    items, unique = build_deliveries(args.meetings, args.deliveries)
    expected_segments = args.meetings * 3
    print(
        f"{len(items)} deliveries ({unique} distinct, "
        f"{len(items) - unique} re-sent) for "
        f"{args.meetings} meetings, {args.senders} sender threads, "
        f"--workers={args.workers}",
        flush=True,
    )

    base_url = f"http://127.0.0.1:{args.port}"
    log = open(log_path, "a")  # noqa: SIM115
    server_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if os.environ.get("DCX_BENCH_PYTHONPATH"):
        # e.g. a --target folder with setuptools<81 whose pkg_resources resolves
        # the gevent process' requirements (see README)
        server_env["PYTHONPATH"] = os.environ["DCX_BENCH_PYTHONPATH"]
    server = subprocess.Popen(
        odoo_cmd(
            args.db,
            f"--http-port={args.port}",
            f"--gevent-port={args.port + 1}",
            "--http-interface=127.0.0.1",
            f"--workers={args.workers}",
            "--max-cron-threads=1",
            "--log-level=warn",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--db_maxconn=32",
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=server_env,
    )
    ok = False
    try:
        wait_http(base_url)
        print("server up; warming up", flush=True)
        # warm-up: both workers load the registry and routing map
        send_all(base_url + "/dcx_bench_floor/ingest", items[:40], args.senders)
        print("floor phase", flush=True)
        floor = send_all(base_url + "/dcx_bench_floor/ingest", items, args.senders)
        print("webhook phase", flush=True)
        conn = psql(args.db)
        cr = conn.cursor()
        cr.execute("DELETE FROM dcx_bench_floor")
        hook = send_all(
            base_url + "/dcx/v1/webhooks/meeting", items, args.senders, secret
        )
        last_delivery = time.perf_counter()
        print()
        floor_rate = report("floor", *floor)
        hook_rate = report("webhook", *hook)
        print(
            f"webhook intake = {hook_rate / floor_rate * 100:.0f} % of the floor "
            "measured before it",
            flush=True,
        )

        def wait_for(query):
            while time.perf_counter() - last_delivery < args.drain_timeout:
                cr.execute(query)
                if cr.fetchone()[0] == 0:
                    return time.perf_counter() - last_delivery
                time.sleep(0.25)
            return None

        cr.execute("SELECT count(*) FROM dcx_webhook_event WHERE state = 'pending'")
        print(f"pending events at the last delivery: {cr.fetchone()[0]}")
        drained = wait_for(
            "SELECT count(*) FROM dcx_webhook_event WHERE state = 'pending'"
        )
        followups = wait_for("SELECT count(*) FROM dcx_call WHERE followup_pending")
        for label, value in (
            ("event backlog", drained),
            ("chatter follow-ups", followups),
        ):
            print(
                f"{label} drained {value:.1f} s after the last delivery"
                if value is not None
                else f"{label} NOT drained after {args.drain_timeout} s"
            )

        # the floor again, now that processing is idle: load from other processes
        # on the machine drifts, so compare with the mean of both floor runs
        cr.execute("DELETE FROM dcx_bench_floor")
        floor_again = send_all(
            base_url + "/dcx_bench_floor/ingest", items, args.senders
        )
        floor_again_rate = report("floor 2", *floor_again)
        mean_floor = (floor_rate + floor_again_rate) / 2
        print(
            f"webhook intake = {hook_rate / mean_floor * 100:.0f} % of the mean floor "
            f"({mean_floor:.1f} req/s)",
            flush=True,
        )

        checks = []

        def check(label, query, expected):
            cr.execute(query)
            value = cr.fetchone()[0]
            checks.append(value == expected)
            print(
                f"  [{'ok' if value == expected else 'FAIL'}] {label}: {value} "
                f"(expected {expected})"
            )

        print("result checks:")
        check(
            "calls",
            "SELECT count(*) FROM dcx_call WHERE meeting_info_id LIKE 'bench-%'",
            args.meetings,
        )
        check(
            "distinct meeting_info_id",
            "SELECT count(DISTINCT meeting_info_id) FROM dcx_call",
            args.meetings,
        )
        check(
            "completed calls",
            "SELECT count(*) FROM dcx_call WHERE state = 'completed'",
            args.meetings,
        )
        check(
            "transcript segments",
            "SELECT count(*) FROM dcx_call_transcript_segment",
            expected_segments,
        )
        check("recordings", "SELECT count(*) FROM dcx_call_recording", args.meetings)
        check(
            "event rows (one per distinct delivery id)",
            "SELECT count(*) FROM dcx_webhook_event",
            unique,
        )
        check(
            "events done",
            "SELECT count(*) FROM dcx_webhook_event WHERE state = 'done'",
            unique,
        )
        check(
            "error rows",
            "SELECT count(*) FROM dcx_webhook_event WHERE state = 'error'",
            0,
        )
        check(
            "calls linked to a customer",
            "SELECT count(*) FROM dcx_call WHERE partner_id IS NOT NULL",
            sum(1 for i in range(args.meetings) if i % 4),
        )
        check(
            "calls without user",
            "SELECT count(*) FROM dcx_call WHERE user_id IS NULL",
            0,
        )
        check(
            "customers' calls with exactly one chatter note",
            "SELECT count(*) FROM dcx_call c WHERE c.partner_id IS NOT NULL AND "
            "(SELECT count(*) FROM dcx_call_mail_message_rel r "
            "WHERE r.call_id = c.id) = 1",
            sum(1 for i in range(args.meetings) if i % 4),
        )
        accepted = hook[1].get("202 accepted", 0)
        dup = hook[1].get("202 duplicate", 0)
        checks.append(accepted == unique and accepted + dup == len(items))
        print(
            f"  [{'ok' if checks[-1] else 'FAIL'}] answers: {accepted} accepted "
            f"+ {dup} "
            f"duplicate = {accepted + dup} of {len(items)} (0 lost)"
        )
        ok = all(checks)
        conn.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    print("RESULT:", "PASS" if ok else "FAIL", f"(server log: {log_path})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
