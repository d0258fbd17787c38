"""The pieces of `make bench`, for scripts that add scenarios of their own.

    from benchlib import Load, Server, measure_rounds   # with scripts/ on sys.path

A `Server` is gunicorn with `make run`'s flags (1 worker, 4 threads, gunicorn.conf.py) serving
one WSGI app; a `Load` is one request shape (method, path, headers, a body or a body per call);
`measure_rounds` runs several loads in interleaved rounds with wrk (or a built-in load generator
when wrk is absent) at 8 connections and returns their figures.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 8
WRK = shutil.which("wrk")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving `app_spec` exactly as `make run` serves wsgi:app."""

    def __init__(self, app_spec: str, env: dict[str, str], log_dir: Path):
        self.port = free_port()
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4", app_spec],
            env={**os.environ, **env}, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"gunicorn did not come up; see {self.log_path}")

    def worker_rss_mib(self) -> float:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        status = Path(f"/proc/{children[0]}/status").read_text()
        kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        return int(kib) / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@dataclass
class Load:
    """One request shape; `body_template` may hold `{n}`, made unique per call."""

    name: str
    server: Server
    method: str = "GET"
    path: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    body_template: str | None = None


@dataclass
class Figures:
    rate: float  # requests per second
    p50: float  # ms
    p99: float  # ms
    errors: int


def run_load(load: Load, seconds: float, tag: str) -> Figures:
    return (_wrk if WRK else _builtin)(load, seconds, tag)


def measure_rounds(loads: list[Load], rounds: int, seconds: float,
                   progress: Callable[[str], None] = print) -> dict[str, list[Figures]]:
    """Every load once per round, rounds interleaved, so that noise spreads over all of them."""
    results: dict[str, list[Figures]] = {load.name: [] for load in loads}
    for round_no in range(rounds):
        for load in loads:
            figures = run_load(load, seconds, f"r{round_no}-{time.time_ns()}")
            results[load.name].append(figures)
            progress(f"  round {round_no + 1}/{rounds} {load.name}: {figures.rate:.0f} req/s, "
                     f"p50 {figures.p50:.1f} ms, p99 {figures.p99:.1f} ms"
                     + (f", {figures.errors} errors" if figures.errors else ""))
    return results


def spread(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


# -- wrk ---------------------------------------------------------------------------------------

_LUA = """
wrk.method = %(method)s
%(headers)s
local threads_made = 0
function setup(thread) threads_made = threads_made + 1; thread:set("tid", threads_made) end
local n = 0
local template = %(template)s
function request()
  if template == nil then return wrk.format() end
  n = n + 1
  local body = string.gsub(template, "{n}", %(tag)s .. "-" .. tostring(tid) .. "-" .. n)
  return wrk.format(nil, nil, nil, body)
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk(load: Load, seconds: float, tag: str) -> Figures:
    headers = "\n".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}"
                        for k, v in load.headers.items())
    script = _LUA % {"method": _lua_string(load.method), "headers": headers, "tag":
                     _lua_string(tag), "template": _lua_string(load.body_template)
                     if load.body_template is not None else "nil"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [WRK, "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency",
             "-s", handle.name, f"http://127.0.0.1:{load.server.port}{load.path}"],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    errors = sum(int(m) for m in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(m) for m in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Figures(rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                   p50=_wrk_ms(out, "50%"), p99=_wrk_ms(out, "99%"), errors=errors)


def _wrk_ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# -- the built-in fallback: 8 threads, one keep-alive connection each -------------------------

def _builtin(load: Load, seconds: float, tag: str) -> Figures:
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def connection_loop(tid: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", load.server.port, timeout=30)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            body = (load.body_template.replace("{n}", f"{tag}-{tid}-{n}")
                    if load.body_template is not None else None)
            began = time.perf_counter()
            connection.request(load.method, load.path, body=body, headers=load.headers)
            response = connection.getresponse()
            response.read()
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status >= 400:
                errors[0] += 1

    threads = [threading.Thread(target=connection_loop, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return Figures(rate=len(ordered) / elapsed, p50=statistics.median(ordered),
                   p99=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
                   errors=errors[0])


def fire(loads: list[Load], count: int) -> int:
    """`count` calls spread over `loads` in turn, on 8 connections; the number that failed."""
    failed = [0]
    per_connection = count // CONNECTIONS

    def connection_loop(tid: int) -> None:
        connections = {}
        for n in range(per_connection):
            load = loads[(n + tid) % len(loads)]
            port = load.server.port
            if port not in connections:
                connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            body = (load.body_template.replace("{n}", f"fire-{time.time_ns()}-{tid}-{n}")
                    if load.body_template is not None else None)
            try:
                connections[port].request(load.method, load.path, body=body,
                                          headers=load.headers)
                response = connections[port].getresponse()
                response.read()
                failed[0] += response.status >= 400
            except (http.client.HTTPException, OSError):  # e.g. closed while kept alive idle
                connections.pop(port).close()
                failed[0] += 1

    threads = [threading.Thread(target=connection_loop, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failed[0]
