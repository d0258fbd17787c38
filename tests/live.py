"""A real server (gunicorn, the production entry point) on a free loopback port, for tests that
need real sockets: several workers, browsers, the entrypoint script."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(env: dict[str, str], *args: str, check: bool = True,
            input: str | None = None) -> subprocess.CompletedProcess:
    """The installed `voke-esm`, without a controlling terminal (prompts read `input`)."""
    return subprocess.run([str(BIN / "voke-esm"), *args], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, check=check, timeout=60, input=input,
                          start_new_session=True)


@contextlib.contextmanager
def live_server(env: dict[str, str], workers: int = 1, threads: int = 4, log_path=None,
                processes: list | None = None):
    """Migrate the database in `env`, serve it with gunicorn, yield the base URL, stop it
    (`processes`, if given, receives the gunicorn master's Popen)."""
    run_cli(env, "db", "upgrade")
    port = free_port()
    log_path = log_path or Path(env["VOKE_ESM_INSTANCE_PATH"]).parent / f"gunicorn-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    # --preload: the app is built once before forking, so every worker is ready at once.
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--preload", "wsgi:app"],
        env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if processes is not None:
        processes.append(process)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process)
        wait_for_workers(Path(log_path), workers)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for_workers(log_path: Path, workers: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while log_path.read_text().count("Booting worker") < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {workers} workers booted in {timeout}s")
        time.sleep(0.05)


def wait_until_up(base_url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {base_url} did not come up in {timeout}s")


def request_json(base_url: str, method: str, path: str, body: dict | None = None,
                 token: str | None = None, timeout: float = 30) -> tuple[int, dict, object]:
    """One HTTP call to a live server: (status, headers, parsed JSON body or None)."""
    import json

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base_url}{path}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, dict(error.headers), error.read()
    return status, headers, (json.loads(raw) if raw else None)
