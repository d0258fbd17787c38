"""Benchmark the trading flow through a real gunicorn server; prints figures, asserts nothing.

Every figure is set against a baseline measured in the same run on the same server (the
`/healthz` round trip, and the worker's memory right after boot), so the ratios stay
comparable on a shared, noisy machine.

    make bench                                   # SQLite
    make bench BENCH_ARGS="--database-url postgresql+psycopg://postgres@127.0.0.1/bench"
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import free_port, live_server, run_cli  # noqa: E402
from voke_esm.timeconfig import hhmm, validate_time_configs  # noqa: E402

BLOCKS_96 = [{"from": hhmm(m), "to": hhmm(m + 14), "pBatMax": 50, "pBatMin": -50,
              "socMax": 90, "socMin": 20} for m in range(0, 24 * 60, 15)]


def timed_calls(port: int, method: str, path: str, count: int, body=None, token=None,
                vary=None) -> list[float]:
    """Latencies (ms) of `count` sequential calls over one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    latencies = []
    for i in range(count):
        payload = vary(i) if vary else body
        data = json.dumps(payload) if payload is not None else None
        started = time.perf_counter()
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status >= 400:
            raise SystemExit(f"{method} {path} answered {response.status}")
    connection.close()
    return latencies


def worker_rss_kib(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


def gunicorn_master(port: int) -> int:
    out = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True)
    return min(int(pid) for pid in out.stdout.split())


def row(name: str, latencies: list[float], baseline_p50: float) -> str:
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[18]
    rate = 1000 * len(latencies) / sum(latencies)
    return f"{name:<34} {p50:8.2f} {p95:8.2f} {rate:9.0f} {p50 / baseline_p50:8.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="calls per endpoint")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voke-esm-bench-"))
    env = {"VOKE_ESM_INSTANCE_PATH": str(folder / "instance"),
           "DATABASE_URL": args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
           "VOKE_ESM_RATE_LIMIT": "1000000 per minute", "RATELIMIT_STORAGE_URI": "memory://"}
    os.environ.pop("VOKE_ENV", None)
    run_cli(env, "db", "upgrade")
    credentials = json.loads(run_cli(env, "seed-demo").stdout)
    n = args.requests
    with live_server(env, workers=1, threads=4) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        master = gunicorn_master(port)
        rss_boot = worker_rss_kib(master)
        timed_calls(port, "GET", "/healthz", 50)  # warm up
        baseline = timed_calls(port, "GET", "/healthz", n)
        base_p50 = statistics.median(baseline)
        token_body = {"clientId": credentials["clientId"],
                      "clientSecret": credentials["clientSecret"]}
        token = json.loads(_one(port, "POST", "/api/v1/voke-esm/trading/token", token_body))[
            "accessToken"]
        update = "/api/v1/voke-esm/trading/plant/config/update"
        results = {
            "GET /healthz (baseline)": baseline,
            "POST /trading/token": timed_calls(port, "POST", "/api/v1/voke-esm/trading/token",
                                               n, token_body),
            "GET /trading/plant/list": timed_calls(port, "GET",
                                                   "/api/v1/voke-esm/trading/plant/list", n,
                                                   token=token),
            "GET /trading/plant/config": timed_calls(
                port, "GET", "/api/v1/voke-esm/trading/plant/config?plantId=PLANT-002", n,
                token=token),
            "POST update, dry run (96 blocks)": timed_calls(
                port, "POST", update, n, token=token, body={
                    "plantId": "PLANT-002", "configUpdateReqCode": "dry",
                    "validateOnly": True, "timeConfigs": BLOCKS_96}),
            "POST update, applied (96 blocks)": timed_calls(
                port, "POST", update, n, token=token, vary=lambda i: {
                    "plantId": "PLANT-002", "configUpdateReqCode": f"bench-{i}",
                    "timeConfigs": BLOCKS_96}),
        }
        rss_after = worker_rss_kib(master)
        fault_costs = fault_rule_costs(port, env, token, credentials["clientId"], n)
    print(f"Voke ESM Sandbox benchmark: {n} sequential calls per endpoint, 1 worker, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"{'endpoint':<34} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>9} {'p50/base':>9}")
    for name, latencies in results.items():
        print(row(name, latencies, base_p50))
    started = time.perf_counter()
    for _ in range(1000):
        validate_time_configs(BLOCKS_96)
    validator_us = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    encoded = json.dumps(BLOCKS_96)
    for _ in range(1000):
        json.loads(encoded)
    parse_us = (time.perf_counter() - started) * 1000
    print(f"validator, 96 blocks: {validator_us:.1f} us/call = {validator_us / parse_us:.2f}x "
          f"the json.loads of the same blocks ({parse_us:.1f} us)")
    print(f"worker memory: {rss_boot / 1024:.1f} MiB after boot, {rss_after / 1024:.1f} MiB "
          f"after {len(results) * n} calls ({rss_after / rss_boot:.2f}x)")
    print(fault_costs)


def fault_rule_costs(port: int, env: dict, token: str, client_id: str, n: int) -> str:
    """The cost of fault-rule evaluation on plant/config, for a client without rules (timed in
    process, as a share of the call) and for one with 20 rules that do not concern the call,
    against a client without rules, the two called in turn so that a noisy machine slows both
    alike."""
    from voke_esm import create_app
    from voke_esm.fault_injection import intercept
    from voke_esm.services import faults, organizations, sandbox

    path = "/api/v1/voke-esm/trading/plant/config?plantId=PLANT-001"
    app = create_app({**os.environ, **env})
    with app.test_request_context(path):
        started = time.perf_counter()
        for _ in range(10_000):
            intercept(client_id, 0)
        no_rules_us = (time.perf_counter() - started) * 100
    with app.app_context():
        issued = sandbox.enable(organizations.create_organization(
            {"name": "Bench faults", "slug": "bench-faults"}))
        for i in range(20):
            faults.add_rule({"clientId": issued.client_id, "endpoint": "plant/list",
                             "effect": {"type": "error", "status": 503}, "label": f"b{i}"})
    ruled_token = json.loads(_one(port, "POST", "/api/v1/voke-esm/trading/token", {
        "clientId": issued.client_id, "clientSecret": issued.client_secret}))["accessToken"]
    without, with_rules = [], []
    for _ in range(n // 10):
        without += timed_calls(port, "GET", path, 5, token=token)
        with_rules += timed_calls(port, "GET", path, 5, token=ruled_token)
    base, ruled = statistics.median(without), statistics.median(with_rules)
    return (f"fault rules on plant/config (p50 {base:.2f} ms without rules): no rules "
            f"+{no_rules_us:.1f} us/call = {no_rules_us / 10 / base:.2f} % of the call; "
            f"20 rules (none for this call) p50 {ruled:.2f} ms = {ruled / base:.3f}x")


def _one(port: int, method: str, path: str, body: dict) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=json.dumps(body),
                       headers={"Content-Type": "application/json"})
    data = connection.getresponse().read()
    connection.close()
    return data


if __name__ == "__main__":
    free_port()  # fail fast if loopback sockets are unavailable
    main()
