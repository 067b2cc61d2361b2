#!/usr/bin/env python3
"""Benchmark of the customer lookup of dcx_crm (issue 2).

Seeds N partners (default 200 000) whose numbers are stored in mixed formats
(+international, 00-international, national with slashes/dots, dashes) in a
dedicated database, then reports:

1. the time to fill the normalized number columns of all existing partners
   (the batched computation run on install/upgrade);
2. in-process, for a sample of customers queried in four forms (E.164,
   00-international, national, international digits without "+"): recall,
   false matches and p50/p95 of ``res.partner._dcx_search_by_number`` and of
   Odoo's own ``phone_mobile_search`` (module ``sms``) in ``=`` and ``ilike``
   (last 9 digits) modes;
3. p50/p95 of ``GET /dcx/v1/customers?mobile_no=...`` and of a name search
   through real HTTP (Odoo started with --workers).

Usage (ODOO_SRC defaults to /work/odoo-18.0, the venv python runs it):
    python bench/bench_customers.py --db dcx_bench [--count 200000] [--sample 500]
"""

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ODOO_SRC = os.environ.get("ODOO_SRC", "/work/odoo-18.0")


def _addons_parent():
    """A folder holding this addon as ``dcx_crm`` (whatever the repository name)."""
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


ADDONS_PARENT = _addons_parent()
sys.path.insert(0, ODOO_SRC)

# country -> (calling code, national mobile generator, national trunk prefix)
COUNTRIES = [
    # code, weight, calling code, national significant number builder
    ("BE", 70, "32", lambda n: "47" + f"{n % 10_000_000:07d}"),
    ("FR", 15, "33", lambda n: "6" + f"{n % 100_000_000:08d}"),
    ("NL", 10, "31", lambda n: "6" + f"{n % 100_000_000:08d}"),
    ("DE", 5, "49", lambda n: "151" + f"{n % 100_000_000:08d}"),
]
FORMATS = ("intl", "intl00", "national_slash", "dashes")
FIRST_NAMES = (
    "Emma Olivia Louise Mila Alice Juliette Elena Marie Sofia Lina Nora Julia Anna "
    "Lucie Léa Camille Chloé Sarah Laura Eva Hanna Lisa Lena Mia Nina Zoé Inès "
    "Manon Clara "
    "Noah Liam Louis Lucas Adam Arthur Jules Victor Mathis Gabriel Hugo Nathan Finn "
    "Lars Jonas Thomas Pieter Jan Tom Bram Daan Luca Elias Felix Maximilian Paul Leon "
    "Ben Noé Théo Raphaël Sacha Mohamed Youssef Ali Omar Ahmed Karim Samir Marc Pierre "
    "Michel Philippe Dirk Koen Wim Bart Geert Stefan Jürgen Klaus Sabine Ingrid Petra"
).split()
LAST_NAMES = (
    "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters De_Smet "
    "Dubois Lambert Dupont Martin Simon Laurent Leroy Moreau Petit Durand Bernard "
    "Thomas Robert Richard Michel Garcia David Bertrand Roux Vincent Fournier Morel "
    "Girard André Lefèvre Mercier Blanc Guerin Boyer Garnier Chevalier François "
    "De_Jong Jansen De_Vries Van_den_Berg Van_Dijk Bakker Visser Smit Meijer De_Boer "
    "Mulder De_Groot Bos Vos Peters Hendriks Van_Leeuwen Dekker Brouwer De_Wit "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
    "Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann "
    "Van_Damme Vermeulen Van_de_Velde Desmet Hermans Lemmens Claessens Segers "
    "Verstraete Michiels Coppens Aerts Smets Stevens Pauwels Dumont Renard Leclercq "
    "El_Amrani Benali Haddad Mansour Nasser Rahimi Yilmaz Kaya Demir Şahin Öztürk "
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco"
).split()
LAST_NAMES = tuple(name.replace("_", " ") for name in LAST_NAMES)


def person_name(serial):
    """A realistic name; each first/last pair is shared by ~20 of 200k people."""
    first = FIRST_NAMES[serial % len(FIRST_NAMES)]
    last = LAST_NAMES[(serial * 7 + serial // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def group(digits, sizes):
    out, pos = [], 0
    for size in sizes:
        out.append(digits[pos : pos + size])
        pos += size
    if pos < len(digits):
        out.append(digits[pos:])
    return [part for part in out if part]


def write_number(country, cc, nsn, fmt):
    """A human writing of +<cc><nsn> in format ``fmt``."""
    parts = group(
        nsn,
        (3, 2, 2, 2)
        if country == "BE"
        else (1, 2, 2, 2, 2)
        if country == "FR"
        else (3, 4, 4),
    )
    if fmt == "intl":
        return f"+{cc} " + " ".join(parts)
    if fmt == "intl00":
        return f"00{cc} " + " ".join(parts)
    if fmt == "national_slash":
        return "0" + parts[0] + "/" + ".".join(parts[1:])
    return "0" + "-".join(parts)  # national with dashes


def percentile(values, pct):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def fmt_ms(values):
    p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
    return f"p50 {p50:.2f} ms, p95 {p95:.2f} ms"


def odoo_cmd(db, *extra):
    return [
        sys.executable,
        os.path.join(ODOO_SRC, "odoo-bin"),
        f"--addons-path={ODOO_SRC}/addons,{ADDONS_PARENT}",
        "-d",
        db,
        *extra,
    ]


def db_exists(db):
    out = subprocess.run(
        ["psql", "-Atc", f"SELECT 1 FROM pg_database WHERE datname='{db}'", "postgres"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() == "1"


def ensure_database(db):
    if db_exists(db):
        return
    print(f"# creating database {db} with dcx_crm and sms (no demo data)…", flush=True)
    subprocess.run(
        odoo_cmd(
            db,
            "-i",
            "dcx_crm,sms",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ),
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def seed(env, count, seed_value=42):
    cr = env.cr
    cr.execute("SELECT count(*) FROM res_partner WHERE ref = 'dcx-bench'")
    existing = cr.fetchone()[0]
    if existing >= count:
        print(f"# {existing} bench partners already seeded")
        return
    rng = random.Random(seed_value)
    countries = {code: env.ref(f"base.{code.lower()}").id for code, *_ in COUNTRIES}
    weights = [w for _c, w, *_ in COUNTRIES]
    started = time.monotonic()
    rows = []
    serial = existing
    belgian = []
    while serial < count:
        serial += 1
        code, _w, cc, builder = rng.choices(COUNTRIES, weights)[0]
        nsn = builder(serial * 7919)  # distinct per country (bijective on the range)
        fmt = rng.choices(FORMATS, (35, 30, 20, 15))[0]
        mobile = write_number(code, cc, nsn, fmt)
        phone = None
        if rng.random() < 0.3:
            landline = "2" + f"{(serial * 104729) % 10_000_000:07d}"
            phone = (
                write_number("BE", "32", landline, rng.choice(FORMATS))
                if code == "BE"
                else None
            )
        rows.append(
            (
                person_name(serial),
                f"bench{serial}@example.com",
                mobile,
                phone,
                countries[code],
            )
        )
        if code == "BE" and rng.random() < 0.01 and serial < count:
            belgian.append(nsn)
        # a French landline sharing its last 9 digits with a Belgian mobile
        if belgian and rng.random() < 0.005 and serial < count:
            serial += 1
            fr = "4" + belgian.pop()[1:]
            rows.append(
                (
                    person_name(serial),
                    f"bench{serial}@example.fr",
                    None,
                    write_number("FR", "33", fr, "intl"),
                    countries["FR"],
                )
            )
    for start in range(0, len(rows), 20000):
        chunk = rows[start : start + 20000]
        cr.execute(
            """
            INSERT INTO res_partner (name, complete_name, email, mobile, phone,
                                     country_id,
                                     active, type, is_company, lang, ref, partner_share,
                                     create_uid, write_uid, create_date, write_date)
            SELECT n, n, e, m, p, c, true, 'contact', false, 'en_US', 'dcx-bench', true,
                   1, 1, now() at time zone 'utc', now() at time zone 'utc'
              FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[],
                          %s::varchar[], %s::int[])
                   AS t(n, e, m, p, c)
            """,
            [list(col) for col in zip(*chunk, strict=True)],
        )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id "
        "WHERE ref = 'dcx-bench' AND commercial_partner_id IS NULL"
    )
    cr.commit()
    print(f"# seeded {len(rows)} partners in {time.monotonic() - started:.1f} s")


def measure_fill(env, db):
    """Drop the normalized columns and upgrade the addon: the real install path
    (``_auto_init`` re-creates the columns and fills them in batches)."""
    cr = env.cr
    cr.execute(
        "ALTER TABLE res_partner DROP COLUMN IF EXISTS dcx_mobile_e164, "
        "DROP COLUMN IF EXISTS dcx_phone_e164"
    )
    cr.execute("SELECT count(*), count(mobile), count(phone) FROM res_partner")
    total, mobiles, phones = cr.fetchone()
    cr.commit()
    started = time.monotonic()
    upgrade = subprocess.run(
        odoo_cmd(db, "-u", "dcx_crm", "--stop-after-init", "--log-level=info"),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    elapsed = time.monotonic() - started
    match = re.search(
        r"Normalized numbers of (\d+) partners in ([\d.]+) s", upgrade.stderr
    )
    if not match:
        raise RuntimeError(
            "fill not found in the upgrade log:\n" + upgrade.stderr[-3000:]
        )
    print(
        f"normalized-column fill on upgrade ({total} partners, {mobiles} mobiles, "
        f"{phones} phones): {float(match.group(2)):.1f} s batched fill "
        f"(whole `-u dcx_crm` incl. index build: {elapsed:.1f} s)"
    )
    return float(match.group(2)), elapsed


def sample_customers(env, size, rng):
    cr = env.cr
    cr.execute(
        """SELECT p.id, p.mobile, p.dcx_mobile_e164, c.code, p.name
             FROM res_partner p
             JOIN res_country c ON c.id = p.country_id
            WHERE p.ref = 'dcx-bench' AND p.mobile IS NOT NULL"""
    )
    rows = cr.fetchall()
    return rng.sample(rows, min(size, len(rows)))


def query_forms(e164, country):
    import phonenumbers

    number = phonenumbers.parse(e164)
    national = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL
    )
    forms = {
        "E.164": e164,
        "00-international": "00" + e164[1:],
        "digits without +": e164[1:],
    }
    if country == "BE":  # national writing only exists for the company's own country
        forms["national"] = national
    return forms


def bench_lookup(env, sample):
    Partner = env["res.partner"]
    methods = {
        "dcx _dcx_search_by_number": lambda q: Partner._dcx_search_by_number(q),
        "dcx _dcx_search_by_number, superuser (no record rules)": lambda q: (
            Partner.sudo()._dcx_search_by_number(q)
        ),
        "sms phone_mobile_search '='": lambda q: Partner.search(
            [("phone_mobile_search", "=", q)]
        ),
        "sms phone_mobile_search ilike last 9": lambda q: Partner.search(
            [
                (
                    "phone_mobile_search",
                    "ilike",
                    "".join(ch for ch in q if ch.isdigit())[-9:],
                )
            ]
        ),
    }
    results = {}
    for name, method in methods.items():
        per_form = {}
        for pid, _mobile, e164, country, _name in sample:
            for form, query in query_forms(e164, country).items():
                started = time.perf_counter()
                found = method(query).ids
                elapsed = time.perf_counter() - started
                stats = per_form.setdefault(
                    form, {"n": 0, "found": 0, "false": 0, "times": []}
                )
                stats["n"] += 1
                stats["found"] += pid in found
                stats["false"] += len([other for other in found if other != pid])
                stats["times"].append(elapsed)
        results[name] = per_form
    print(
        f"\nin-process lookup, {len(sample)} sampled customers "
        "(admin user, record rules on):"
    )
    for name, per_form in results.items():
        all_times = [t for stats in per_form.values() for t in stats["times"]]
        n = sum(s["n"] for s in per_form.values())
        found = sum(s["found"] for s in per_form.values())
        false = sum(s["false"] for s in per_form.values())
        print(
            f"  {name}: recall {found}/{n} ({100 * found / n:.1f} %), "
            f"false matches {false}, {fmt_ms(all_times)}"
        )
        for form, stats in per_form.items():
            print(
                f"      {form:18} recall {stats['found']}/{stats['n']}, "
                f"false {stats['false']}, {fmt_ms(stats['times'])}"
            )
    return results


def wait_port(port, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.5)
    return False


def bench_http(db, env, sample, port, workers, rounds):
    import requests

    key = (
        env["res.users.apikeys"]
        .with_user(env.ref("base.user_admin"))
        .sudo()
        ._generate(None, "bench", False)
    )
    icp = env["ir.config_parameter"].sudo()
    icp.set_param("dcx_crm.api_user_id", str(env.ref("base.user_admin").id))
    icp.set_param("dcx_crm.api_enabled", "True")
    env.cr.commit()
    log = open(f"/tmp/{db}_http.log", "w")
    server = subprocess.Popen(
        odoo_cmd(
            db,
            f"--http-port={port}",
            f"--gevent-port={port + 1}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--log-level=warn",
            "--limit-time-real=600",
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        if not wait_port(port):
            raise RuntimeError("Odoo did not start, see the log")
        base = f"http://127.0.0.1:{port}/dcx/v1"
        session = requests.Session()
        deadline, response = time.monotonic() + 120, None
        while time.monotonic() < deadline:  # the first requests load the registry
            response = session.get(
                f"{base}/access-token",
                headers={"Authorization": f"Bearer {key}"},
                timeout=60,
            )
            if response.status_code == 200:
                break
            time.sleep(1)
        if response is None or response.status_code != 200:
            raise RuntimeError(f"no token: {response and response.text[:500]}")
        token = response.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(20):  # warm-up (workers load the registry)
            session.get(
                f"{base}/customers",
                params={"mobile_no": sample[0][2]},
                headers=headers,
                timeout=30,
            )
        timings = {"mobile_no": [], "name": []}
        misses = 0
        for index, (pid, _mobile, e164, country, name) in enumerate(sample[:rounds]):
            forms = list(query_forms(e164, country).values())
            number = forms[index % len(forms)]  # the four query forms in turn
            for kind, params in (
                ("mobile_no", {"mobile_no": number}),
                ("name", {"name": name}),
            ):
                started = time.perf_counter()
                response = session.get(
                    f"{base}/customers", params=params, headers=headers, timeout=30
                )
                timings[kind].append(time.perf_counter() - started)
                response.raise_for_status()
                if kind == "mobile_no" and pid not in [
                    c["id"] for c in response.json()["data"]
                ]:
                    misses += 1
        print(
            f"\nHTTP (--workers={workers}, keep-alive, sequential, "
            f"{rounds} requests each):"
        )
        print(
            f"  GET /customers?mobile_no=<4 forms in turn>: "
            f"{fmt_ms(timings['mobile_no'])} (misses {misses})"
        )
        print(f"  GET /customers?name=<full name, ~20 hits>: {fmt_ms(timings['name'])}")
        return timings
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        env["res.users.apikeys"].sudo().search([("name", "=", "bench")]).unlink()
        env.cr.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="dcx_bench")
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--http-port", type=int, default=8320)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--http-rounds", type=int, default=300)
    parser.add_argument("--skip-fill", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-lookup", action="store_true")
    args = parser.parse_args()

    ensure_database(args.db)
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(
        [
            f"--addons-path={ODOO_SRC}/addons,{ADDONS_PARENT}",
            "-d",
            args.db,
            "--log-level=warn",
        ]
    )
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.company.partner_id.country_id = env.ref("base.be")
        cr.commit()
        seed(env, args.count)
        if not args.skip_fill:
            measure_fill(env, args.db)
    # the upgrade ran in another process: reload the registry, new connection
    registry = odoo.modules.registry.Registry.new(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        rng = random.Random(7)
        sample = sample_customers(env, args.sample, rng)
        admin_env = api.Environment(cr, env.ref("base.user_admin").id, {})
        if not args.skip_lookup:
            bench_lookup(admin_env, sample)
        if not args.skip_http:
            bench_http(
                args.db, env, sample, args.http_port, args.workers, args.http_rounds
            )
        cr.rollback()
    print(
        f"\nmachine: {os.cpu_count()} CPU(s), load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; database {args.db}"
    )


if __name__ == "__main__":
    main()
