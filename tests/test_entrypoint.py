"""The production image's entrypoint, run without Docker: migrate, then serve with gunicorn."""

import os
import subprocess
import time

import pytest

from tests.live import BIN, ROOT, free_port, request_json, wait_until_up

ENTRYPOINT = str(ROOT / "scripts" / "entrypoint")


def production_env(tmp_path, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "VOKE_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "VOKE_ESM_INSTANCE_PATH": str(tmp_path / "instance"),
        "JWT_SECRET": "j" * 40, "SECRET_KEY": "s" * 40, "VOKE_ESM_ENCRYPTION_KEY": "e" * 40,
        "VOKE_ESM_ENABLED": "true",
        "VOKE_ESM_INTERNAL_URL": f"http://127.0.0.1:{port}/api/v1/voke-esm",
        "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1",
        **extra,
    }


def test_entrypoint_migrates_then_serves(tmp_path):
    port = free_port()
    process = subprocess.Popen([ENTRYPOINT], env=production_env(tmp_path, port), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        status, headers, body = request_json(f"http://127.0.0.1:{port}", "GET", "/healthz")
        assert (status, body) == (200, {"status": "ok", "checks": {"database": "ok"}})
        assert headers["X-Frame-Options"] == "DENY"
        # Migrated at boot: ready, not only alive.
        status, _, body = request_json(f"http://127.0.0.1:{port}", "GET", "/readyz")
        assert (status, body["status"]) == (200, "ok"), body
        # The schema exists: an API call reaches the database and answers 401, not 500.
        status, _, body = request_json(f"http://127.0.0.1:{port}", "POST",
                                       "/api/v1/voke-esm/trading/token",
                                       {"clientId": "nobody", "clientSecret": "nothing"})
        assert (status, body["code"]) == (401, "UNAUTHORIZED")
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0]
    assert "Running upgrade  -> 0001" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("missing", ["JWT_SECRET", "SECRET_KEY", "VOKE_ESM_ENCRYPTION_KEY",
                                     "DATABASE_URL"])
def test_entrypoint_refuses_a_weak_production_setup_in_one_line(tmp_path, missing):
    env = production_env(tmp_path, free_port())
    env.pop(missing)
    started = time.monotonic()
    result = subprocess.run([ENTRYPOINT], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and missing in lines[0] and "set it to" in lines[0], result.stderr
    assert time.monotonic() - started < 30


def test_production_refuses_several_workers_counting_limits_in_memory(tmp_path):
    env = production_env(tmp_path, free_port(), WEB_CONCURRENCY="2")
    env.pop("RATELIMIT_STORAGE_URI", None)
    result = subprocess.run([ENTRYPOINT], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    refusal = [line for line in result.stderr.splitlines() if line.startswith("voke-esm:")]
    assert refusal == ["voke-esm: RATELIMIT_STORAGE_URI is memory:// but 2 workers serve: set "
                       "RATELIMIT_STORAGE_URI=redis://HOST:6379/0 (or WEB_CONCURRENCY=1)"]
    assert "Traceback" not in result.stderr
