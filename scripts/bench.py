"""Benchmark the trading API against a bare Flask app served the same way; asserts nothing.

Every figure is a ratio to the bare Flask baseline (scripts/bench_apps.py, same gunicorn flags
as `make run`) measured in the same run, in interleaved rounds at 8 connections (wrk, or a
built-in load generator when wrk is absent), on SQLite and on PostgreSQL.

    make bench                                           # both databases, 5 rounds of 5 s
    make bench BENCH_ARGS="--databases sqlite --rounds 9 --seconds 10"
    make bench BENCH_ARGS="--databases none --scale"     # admin pages with 100,000 plants

Other scripts add scenarios with `extra_loads` and `extra_report` of `bench_database`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib  # noqa: E402
from benchlib import Figures, Load, Server, fire, measure_rounds, spread  # noqa: E402

TRADING = "/api/v1/voke-esm/trading"
POSTGRES = os.environ.get("VOKE_ESM_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BLOCKS_96 = [{"from": f"{m // 60:02d}:{m % 60:02d}",
              "to": f"{(m + 14) // 60:02d}:{(m + 14) % 60:02d}", "pBatMax": 50,
              "pBatMin": -50, "socMax": 90, "socMin": 20} for m in range(0, 24 * 60, 15)]
TARGETS = {"plant/config": 0.6, "plant/list (10 plants)": 0.5, "token": 0.5, "/healthz": 0.85}


def prepare(env: dict[str, str]) -> dict:
    """Migrate, seed Acme with 10 plants; its credentials and a token."""
    from tests.live import run_cli

    run_cli(env, "db", "upgrade")
    credentials = json.loads(run_cli(env, "seed-demo").stdout)
    for n in range(3, 11):
        run_cli(env, "plants", "create", json.dumps({
            "clientId": credentials["clientId"], "externalPlantId": f"PLANT-{n:03d}",
            "name": f"Bench plant {n}"}))
    credentials["ruled"] = client_with_fault_rules(env)
    return credentials


def client_with_fault_rules(env: dict[str, str], rules: int = 20) -> dict:
    """Credentials of a client with `rules` fault rules that never concern plant/config."""
    from voke_esm import create_app
    from voke_esm.services import faults, organizations, sandbox

    app = create_app({**os.environ, **env})
    with app.app_context():
        issued = sandbox.enable(organizations.create_organization(
            {"name": "Bench faults", "slug": "bench-faults"}))
        for i in range(rules):
            faults.add_rule({"clientId": issued.client_id, "endpoint": "plant/list",
                             "effect": {"type": "error", "status": 503}, "label": f"b{i}"})
    return {"clientId": issued.client_id, "clientSecret": issued.client_secret}


def trading_loads(app: Server, bare: Server, credentials: dict, token: str,
                  ruled_token: str) -> list[Load]:
    auth = {"Authorization": f"Bearer {token}"}
    json_type = {"Content-Type": "application/json"}
    update = json.dumps({"plantId": "PLANT-001", "configUpdateReqCode": "bench-{n}",
                         "timeConfigs": BLOCKS_96})
    token_body = json.dumps({"clientId": credentials["clientId"],
                             "clientSecret": credentials["clientSecret"]})
    return [
        Load("bare Flask", bare, path=f"{TRADING}/plant/config"),
        Load("plant/config", app, path=f"{TRADING}/plant/config?plantId=PLANT-002",
             headers=auth),
        Load("plant/config, 20 fault rules", app,
             path=f"{TRADING}/plant/config?plantId=PLANT-001",
             headers={"Authorization": f"Bearer {ruled_token}"}),
        Load("plant/list (10 plants)", app, path=f"{TRADING}/plant/list", headers=auth),
        Load("token", app, "POST", f"{TRADING}/token", json_type, token_body),
        Load("/healthz", app, path="/healthz"),
        Load("update applied, 96 blocks", app, "POST", f"{TRADING}/plant/config/update",
             {**auth, **json_type}, update),
    ]


JOURNAL_ON, JOURNAL_OFF = "plant/config, journal on", "plant/config, journal off"


def journal_pair(loud: Server, quiet: Server, token: str) -> list[Load]:
    """plant/config on two servers that differ in the journal alone (neither serves any other
    load), in the order on, off, off, on: each round's pair has the same drift on both sides."""
    on, off = (Load(name, server, path=f"{TRADING}/plant/config?plantId=PLANT-002",
                    headers={"Authorization": f"Bearer {token}"})
               for name, server in ((JOURNAL_ON, loud), (JOURNAL_OFF, quiet)))
    return [on, off, off, on]


def get_token(server: Server, credentials: dict) -> str:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("POST", f"{TRADING}/token", body=json.dumps({
        "clientId": credentials["clientId"], "clientSecret": credentials["clientSecret"]}),
        headers={"Content-Type": "application/json"})
    return json.loads(connection.getresponse().read())["accessToken"]


def bench_database(label: str, database_url: str, args, extra_loads=None,
                   extra_report=None) -> None:
    """One database: the servers, the interleaved rounds, memory; then the report."""
    folder = Path(tempfile.mkdtemp(prefix="voke-esm-bench-"))
    env = {"VOKE_ESM_INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": database_url,
           "VOKE_ESM_RATE_LIMIT": "1000000 per minute", "RATELIMIT_STORAGE_URI": "memory://"}
    os.environ.pop("VOKE_ENV", None)
    credentials = prepare(env)
    servers = []
    try:
        bare = _start(servers, "scripts.bench_apps:baseline", env, folder)
        app = _start(servers, "wsgi:app", env, folder)
        loud = _start(servers, "wsgi:app", env, folder)
        quiet = _start(servers, "scripts.bench_apps:journal_off", env, folder)
        token = get_token(app, credentials)
        loads = trading_loads(app, bare, credentials, token,
                              get_token(app, credentials["ruled"]))
        loads += extra_loads(app, credentials, token) if extra_loads else []
        loads += journal_pair(loud, quiet, token)
        fire(loads, 400)  # warm up every worker and connection
        print(f"{label}: {args.rounds} rounds of {args.seconds} s per load, 8 connections, "
              f"{'wrk' if benchlib.WRK else 'built-in load generator'}", flush=True)
        results = measure_rounds(loads, args.rounds, args.seconds)
        memory = measure_memory(env, folder, credentials, args.memory_calls, bare)
    finally:
        for server in servers:
            server.stop()
    report(label, results, memory, args.memory_calls)
    if extra_report:
        extra_report(results)


def _start(servers: list, spec: str, env: dict, folder: Path) -> Server:
    server = Server(spec, env, folder)
    servers.append(server)
    return server


def measure_memory(env: dict, folder: Path, credentials: dict, calls: int,
                   bare: Server) -> dict:
    """A fresh worker's RSS after start, after `calls` mixed calls, and after as many more."""
    app = Server("wsgi:app", env, folder)
    try:
        after_start = app.worker_rss_mib()
        loads = trading_loads(app, bare, credentials, get_token(app, credentials),
                              get_token(app, credentials["ruled"]))[1:]
        failed = fire(loads, calls)
        after_calls = app.worker_rss_mib()
        failed += fire(loads, calls)
        after_twice = app.worker_rss_mib()
    finally:
        app.stop()
    return {"start": after_start, "calls": after_calls, "twice": after_twice,
            "bare": bare.worker_rss_mib(), "failed": failed}


def report(label: str, results: dict, memory: dict, calls: int) -> None:
    results = {name: _per_round(figures) if name in (JOURNAL_ON, JOURNAL_OFF) else figures
               for name, figures in results.items()}
    bare = results["bare Flask"]

    def ratios(name: str) -> list[float]:
        return [mine.rate / base.rate for mine, base in zip(results[name], bare, strict=True)]

    print(f"\n== {label} ==")
    print(f"{'load':<28} {'req/s min/median/max':>22} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'x bare (min/median/max)':>24}  target")
    for name, figures in results.items():
        low, mid, high = spread([f.rate for f in figures])
        r_low, r_mid, r_high = spread(ratios(name))
        p50 = spread([f.p50 for f in figures])[1]
        p99 = spread([f.p99 for f in figures])[1]
        target = TARGETS.get(name)
        verdict = (f">= {target}: {'ok' if r_mid >= target else 'MISSED'}" if target else "")
        errors = sum(f.errors for f in figures)
        print(f"{name:<28} {low:6.0f} {mid:6.0f} {high:6.0f}    {p50:7.1f} {p99:7.1f}   "
              f"{r_low:5.2f} {r_mid:5.2f} {r_high:5.2f}        {verdict}"
              + (f"  ({errors} errors)" if errors else ""))
    update = results["update applied, 96 blocks"]
    config = results["plant/config"]
    cost = spread([c.rate / u.rate for c, u in zip(config, update, strict=True)])
    tail = spread([u.p99 / u.p50 for u in update])
    print(f"update applied, 96 blocks: cost {cost[1]:.2f}x plant/config ({cost[0]:.2f}-"
          f"{cost[2]:.2f}; target <= 2.5), p99/p50 {tail[1]:.2f} ({tail[0]:.2f}-{tail[2]:.2f}; "
          f"target <= 5)")
    ruled = spread([c.rate / r.rate for c, r in zip(
        config, results["plant/config, 20 fault rules"], strict=True)])
    print(f"20 fault rules (none for the call), plant/config: cost {ruled[1]:.2f}x "
          f"({ruled[0]:.2f}-{ruled[2]:.2f})")
    journal = spread([1 - on.rate / off.rate for on, off in zip(
        results[JOURNAL_ON], results[JOURNAL_OFF], strict=True)])
    print(f"journal on vs off, plant/config: {100 * journal[1]:+.1f} % slower "
          f"({100 * journal[0]:+.1f} to {100 * journal[2]:+.1f}; target <= 10 %; two servers "
          f"that differ in the journal alone, on-off-off-on each round)")
    print(f"memory per worker: {memory['start']:.1f} MiB after start, {memory['calls']:.1f} "
          f"after {calls} mixed calls, {memory['twice']:.1f} after {2 * calls} "
          f"(growth {memory['twice'] - memory['calls']:+.1f}); bare Flask {memory['bare']:.1f} "
          f"(target <= 70, flat)" + (f"; {memory['failed']} calls failed"
                                    if memory["failed"] else ""), flush=True)


def _per_round(figures: list[Figures]) -> list[Figures]:
    """A side of the journal pair ran twice a round: its round's figure is the mean of the two
    windows (their errors summed)."""
    return [Figures(rate=(a.rate + b.rate) / 2, p50=(a.p50 + b.p50) / 2,
                    p99=(a.p99 + b.p99) / 2, errors=a.errors + b.errors)
            for a, b in zip(figures[::2], figures[1::2], strict=True)]


def postgres_database(admin_url: str):
    """A fresh database on the PostgreSQL server of `admin_url`: (url, drop)."""
    import sqlalchemy as sa

    name = f"voke_esm_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def main(extra_loads=None, extra_report=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    # Five: on a shared 2-core machine a ratio moves by 0.1 from round to round, and the
    # median of three still followed one bad round.
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--memory-calls", type=int, default=20000)
    parser.add_argument("--builtin-load", action="store_true",
                        help="use the built-in load generator even where wrk is installed")
    parser.add_argument("--scale", action="store_true",
                        help="also time admin pages with 100,000 plants against 100")
    args = parser.parse_args()
    if args.builtin_load:
        benchlib.WRK = None
    started = time.monotonic()
    for database in [name for name in args.databases.split(",") if name not in ("", "none")]:
        if database == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="voke-esm-bench-db-"))
            bench_database("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}", args,
                           extra_loads, extra_report)
        else:
            url, drop = postgres_database(POSTGRES)
            try:
                bench_database("PostgreSQL", url, args, extra_loads, extra_report)
            finally:
                drop()
    if args.scale:
        from bench_scale import bench_scale

        bench_scale(args)
    print(f"\nbench took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
