"""What a trading worker loads (issue 8: at most 70 MiB a worker). Each check runs in a fresh
interpreter, as a gunicorn worker starts: the test process has long imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import ROOT, live_server, run_cli

# Serves every trading call once through the app, then lists what of `HEAVY` was imported.
SCRIPT = """
import json, sys
from wsgi import app
T = "/api/v1/voke-esm/trading"
credentials = json.loads(sys.argv[1])
client = app.test_client()
token = client.post(f"{T}/token", json=credentials).get_json()["accessToken"]
auth = {"Authorization": f"Bearer {token}"}
statuses = [
    client.get(f"{T}/plant/list", headers=auth).status_code,
    client.get(f"{T}/plant/config?plantId=PLANT-001", headers=auth).status_code,
    client.post(f"{T}/plant/config/update", headers=auth, json={
        "plantId": "PLANT-001", "configUpdateReqCode": "footprint-1", "timeConfigs": [
            {"from": "00:00", "to": "23:59", "pBatMax": 5, "pBatMin": -5, "socMax": 90,
             "socMin": 20}]}).get_json()["resultCode"],
    client.post(f"{T}/token", json={**credentials, "clientSecret": "wrong"}).status_code,
]
print(json.dumps({"statuses": statuses, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""


def serve_every_call(env: dict[str, str], *heavy: str) -> dict:
    """Which of the modules `heavy` serving every trading call once loaded."""
    run_cli(env, "db", "upgrade")
    credentials = json.loads(run_cli(env, "seed-demo").stdout)
    credentials = {"clientId": credentials["clientId"],
                   "clientSecret": credentials["clientSecret"]}
    return json.loads(last_line_of(SCRIPT, env, json.dumps(credentials), *heavy))


def last_line_of(script: str, env: dict[str, str], *args: str) -> str:
    """What `script` printed last, run in a fresh interpreter on `env`."""
    done = subprocess.run([sys.executable, "-c", script, *args], env={**os.environ, **env},
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def sqlite_env(tmp_path) -> dict[str, str]:
    return {"VOKE_ESM_INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite'}"}


def test_a_trading_worker_never_loads_cryptography_or_the_other_databases_modules(env):
    """PyJWT signs HS256 with the standard library; cryptography (7 MiB resident) serves only
    the vault, which admin calls use. The PostgreSQL dialect (2 MiB) serves only PostgreSQL,
    and the sqlite3 module (1 MiB) only SQLite."""
    other = ("sqlite3" if env["DATABASE_URL"].startswith("postgresql")
             else "sqlalchemy.dialects.postgresql")
    served = serve_every_call(env, "cryptography", other)
    assert served["statuses"] == [200, 200, "applied_ok", 401]
    assert served["loaded"] == []


def test_the_vault_still_seals_and_opens_once_jwt_is_loaded(tmp_path):
    """The other order: tokens first (PyJWT without cryptography), then an admin enable, which
    seals the partner credentials, and reading them back, which opens them."""
    env = sqlite_env(tmp_path)
    run_cli(env, "db", "upgrade")
    script = """
import sys
from voke_esm import tokens
from wsgi import app
from voke_esm.extensions import db
from voke_esm.models import Organization
from voke_esm.services import organizations, sandbox
assert tokens.jwt.algorithms.has_crypto is False
with app.app_context():
    organization = organizations.create_organization({"name": "Vault", "slug": "vault"})
    issued = sandbox.enable(organization)
    assert sandbox.stored_credentials(organization)["clientSecret"] == issued.client_secret
    print("cryptography" in sys.modules)
"""
    assert last_line_of(script, env) == "True"


@pytest.mark.parametrize(("given", "served"), [(None, "2"), ("0", "0")])
def test_gunicorn_serves_without_docstrings_unless_pythonoptimize_says_otherwise(
        tmp_path, given, served):
    """gunicorn.conf.py starts the master over with PYTHONOPTIMIZE=2 (5 MiB less a worker),
    and leaves a PYTHONOPTIMIZE that was set alone."""
    env = {**sqlite_env(tmp_path), **({"PYTHONOPTIMIZE": given} if given else {})}
    processes: list = []
    with live_server(env, processes=processes):
        master = processes[0].pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        environs = [Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                    for pid in [master, *workers]]
    assert workers
    assert all(f"PYTHONOPTIMIZE={served}".encode() in environ for environ in environs)
