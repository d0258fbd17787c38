"""The `voke-esm` command (issue 2, item 6): every command and its error paths."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from voke_esm.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN_URL = "/api/v1/voke-esm/trading/token"
LIST_URL = "/api/v1/voke-esm/trading/plant/list"
CONFIG_URL = "/api/v1/voke-esm/trading/plant/config"
LOGIN_URL = "/api/v1/auth/login"
PASSWORD = "correct horse battery staple"


def ok(runner, *args: str, **kwargs):
    result = runner.invoke(cli, list(args), **kwargs)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def fails(runner, *args: str, **kwargs) -> str:
    """The one line an error prints (on stderr), after checking the exit status."""
    result = runner.invoke(cli, list(args), **kwargs)
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def one_json_line(result) -> dict:
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def take_token(client, credentials: dict):
    return client.post(TOKEN_URL, json={"clientId": credentials["clientId"],
                                        "clientSecret": credentials["clientSecret"]})


def login(client, email: str, password: str):
    return client.post(LOGIN_URL, json={"email": email, "password": password})


# -- create-superadmin -------------------------------------------------------------------------

def test_create_superadmin_with_a_password(runner, client):
    result = ok(runner, "create-superadmin", "--email", "Admin@Voke.test", "--password", PASSWORD)
    assert result.stdout.strip() == "Created SuperAdmin admin@voke.test"
    assert PASSWORD not in result.output
    assert login(client, "admin@voke.test", PASSWORD).status_code == 200


def test_create_superadmin_prompts_for_a_hidden_password(runner, client):
    result = ok(runner, "create-superadmin", "--email", "admin@voke.test",
                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "Password" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert login(client, "admin@voke.test", PASSWORD).status_code == 200


def test_create_superadmin_prompt_asks_again_when_confirmation_differs(runner, client):
    ok(runner, "create-superadmin", "--email", "admin@voke.test",
       input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n")
    assert login(client, "admin@voke.test", PASSWORD).status_code == 200


def test_create_superadmin_twice_is_an_error(runner):
    ok(runner, "create-superadmin", "--email", "admin@voke.test", "--password", PASSWORD)
    line = fails(runner, "create-superadmin", "--email", "ADMIN@voke.test", "--password",
                 PASSWORD + "2")
    assert "admin@voke.test" in line and "already exists" in line


@pytest.mark.parametrize("email, password, field", [
    ("not-an-email", PASSWORD, "email"),
    ("admin@voke.test", "short", "password"),
])
def test_create_superadmin_validation_errors(runner, email, password, field):
    line = fails(runner, "create-superadmin", "--email", email, "--password", password)
    assert f"{field}:" in line
    assert password not in line


def test_create_superadmin_requires_an_email(runner):
    result = runner.invoke(cli, ["create-superadmin", "--password", PASSWORD])
    assert result.exit_code == 2 and "--email" in result.output


# -- create-org --------------------------------------------------------------------------------

def test_create_org_prints_the_organization(runner):
    result = ok(runner, "create-org", "--name", "Acme Energy", "--slug", "acme",
                "--description", "Test org")
    org = one_json_line(result)
    assert {k: org[k] for k in ("name", "slug", "description")} == {
        "name": "Acme Energy", "slug": "acme", "description": "Test org"}
    assert set(org) == {"id", "name", "slug", "description", "createdAt", "updatedAt"}


def test_create_org_with_a_duplicate_slug_is_an_error(runner):
    ok(runner, "create-org", "--name", "Acme", "--slug", "acme")
    line = fails(runner, "create-org", "--name", "Other", "--slug", "acme")
    assert "'acme' already exists" in line


@pytest.mark.parametrize("name, slug, problem", [
    ("Acme", "Acme", "slug:"), ("Acme", "a", "slug:"), ("Acme", "acme--x", "slug:"),
    ("A", "acme", "name:"), ("Acme", "-acme", "slug:"),
])
def test_create_org_validation_errors(runner, name, slug, problem):
    assert problem in fails(runner, "create-org", "--name", name, "--slug", slug)


# -- enable / status / disable -----------------------------------------------------------------

def test_enable_prints_credentials_once_that_work(runner, client):
    ok(runner, "create-org", "--name", "Acme", "--slug", "acme")
    credentials = one_json_line(ok(runner, "enable", "--org", "acme"))
    assert list(credentials) == ["clientId", "clientSecret", "esmApiUrl"]
    assert credentials["esmApiUrl"] == "http://localhost:4410/api/v1/voke-esm"
    assert len(credentials["clientSecret"]) >= 43  # 32 random bytes, URL-safe
    response = take_token(client, credentials)
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json['accessToken']}"}
    assert [p["plantId"] for p in client.get(LIST_URL, headers=headers).json] == ["PLANT-001"]


def test_enable_again_rotates_the_secret_and_keeps_the_client(runner, client):
    ok(runner, "create-org", "--name", "Acme", "--slug", "acme")
    first = one_json_line(ok(runner, "enable", "--org", "acme"))
    second = one_json_line(ok(runner, "enable", "--org", "acme"))
    assert second["clientId"] == first["clientId"]
    assert second["clientSecret"] != first["clientSecret"]
    assert take_token(client, first).status_code == 401
    assert take_token(client, second).status_code == 200


def test_status_reports_without_ever_printing_the_secret(runner):
    ok(runner, "create-org", "--name", "Acme", "--slug", "acme")
    before = one_json_line(ok(runner, "status", "--org", "acme"))
    assert (before["enabled"], before["status"], before["clientId"]) == (
        False, "NOT_CONFIGURED", None)
    credentials = one_json_line(ok(runner, "enable", "--org", "acme"))
    result = ok(runner, "status", "--org", "acme")
    assert credentials["clientSecret"] not in result.output
    status = one_json_line(result)
    assert status["enabled"] is True and status["status"] == "ENABLED"
    assert status["clientId"] == credentials["clientId"]
    assert status["esmApiUrl"] == credentials["esmApiUrl"]
    assert status["plantCount"] == 1 and status["enabledAt"]
    assert not any("secret" in key.lower() for key in status)


def test_disable_revokes_the_client(runner, client):
    ok(runner, "create-org", "--name", "Acme", "--slug", "acme")
    credentials = one_json_line(ok(runner, "enable", "--org", "acme"))
    token = take_token(client, credentials).json["accessToken"]
    result = ok(runner, "disable", "--org", "acme")
    assert result.stdout.strip() == "Voke ESM disabled for acme"
    assert take_token(client, credentials).status_code == 401
    assert client.get(LIST_URL, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    status = one_json_line(ok(runner, "status", "--org", "acme"))
    assert status["enabled"] is False and status["status"] == "DISABLED"
    assert status["plantCount"] == 1  # plants are kept


def test_disable_of_an_org_never_enabled_is_an_error(runner):
    ok(runner, "create-org", "--name", "Acme", "--slug", "acme")
    assert "never enabled" in fails(runner, "disable", "--org", "acme")


@pytest.mark.parametrize("command", ["enable", "disable", "status"])
def test_an_unknown_org_slug_is_an_error(runner, command):
    line = fails(runner, command, "--org", "nope")
    assert line == "Error: No organization with slug 'nope'"


@pytest.mark.parametrize("command", ["enable", "disable", "status"])
def test_org_is_required(runner, command):
    result = runner.invoke(cli, [command])
    assert result.exit_code == 2 and "--org" in result.output


# -- seed-demo ---------------------------------------------------------------------------------

def seeded_plants(client, credentials: dict) -> tuple[list, dict]:
    token = take_token(client, credentials).json["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get(LIST_URL, headers=headers).json
    configs = {p["plantId"]: client.get(CONFIG_URL, query_string={"plantId": p["plantId"]},
                                        headers=headers).json for p in listed}
    return listed, configs


def test_seed_demo_creates_acme_with_two_plants(runner, client):
    credentials = one_json_line(ok(runner, "seed-demo"))
    assert list(credentials) == ["clientId", "clientSecret", "esmApiUrl"]
    listed, configs = seeded_plants(client, credentials)
    assert [p["plantId"] for p in listed] == ["PLANT-001", "PLANT-002"]
    assert len(configs["PLANT-001"]["timeConfigs"]) == 1
    two = configs["PLANT-002"]["timeConfigs"]
    assert len(two) == 2 and two[0]["to"] == two[1]["from"]
    assert configs["PLANT-002"]["configEnabled"] is True
    org = one_json_line(ok(runner, "status", "--org", "acme"))
    assert org["enabled"] is True and org["plantCount"] == 2


def test_seed_demo_twice_is_safe(runner, client):
    credentials = one_json_line(ok(runner, "seed-demo"))
    before = seeded_plants(client, credentials)
    again = ok(runner, "seed-demo")
    assert again.stdout == ""  # no new secret is printed, the first one stays valid
    assert "already enabled" in again.stderr
    assert seeded_plants(client, credentials) == before
    orgs = [json.loads(line) for line in ok(runner, "orgs", "list").stdout.splitlines()]
    assert [o["slug"] for o in orgs] == ["acme"]


def test_seed_demo_on_an_existing_disabled_acme_re_enables_it(runner, client):
    first = one_json_line(ok(runner, "seed-demo"))
    ok(runner, "disable", "--org", "acme")
    second = one_json_line(ok(runner, "seed-demo"))
    assert second["clientId"] == first["clientId"]
    assert take_token(client, first).status_code == 401
    assert [p["plantId"] for p in seeded_plants(client, second)[0]] == ["PLANT-001", "PLANT-002"]


# -- bootstrap ---------------------------------------------------------------------------------

def test_bootstrap_creates_the_admin_and_the_demo_then_does_nothing(runner, client, monkeypatch):
    monkeypatch.setenv("VOKE_ESM_ADMIN_EMAIL", "boss@voke.test")
    monkeypatch.setenv("VOKE_ESM_ADMIN_PASSWORD", PASSWORD)
    first = ok(runner, "bootstrap")
    assert "SuperAdmin account created:\n  email:        boss@voke.test\n" in first.stdout
    assert PASSWORD not in first.output
    assert login(client, "boss@voke.test", PASSWORD).status_code == 200
    status = one_json_line(ok(runner, "status", "--org", "acme"))
    assert status["enabled"] is True and status["plantCount"] == 2

    second = ok(runner, "bootstrap")
    assert "account created" not in second.output and "clientSecret:" not in second.output
    assert one_json_line(ok(runner, "status", "--org", "acme")) == status
    line = fails(runner, "create-superadmin", "--email", "boss@voke.test", "--password", PASSWORD)
    assert "already exists" in line


def test_bootstrap_generates_and_prints_a_password_once(runner, client, monkeypatch):
    monkeypatch.delenv("VOKE_ESM_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("VOKE_ESM_ADMIN_PASSWORD", raising=False)
    first = ok(runner, "bootstrap")
    assert "  email:        admin@voke.local\n" in first.stdout
    line = next(li for li in first.stdout.splitlines() if li.startswith("  password:"))
    assert line.endswith("(shown once; keep it)")
    password = line.split()[1]
    assert len(password) >= 12
    assert login(client, "admin@voke.local", password).status_code == 200
    assert password not in ok(runner, "bootstrap").output


def test_bootstrap_leaves_existing_organizations_alone(runner, monkeypatch):
    monkeypatch.setenv("VOKE_ESM_ADMIN_PASSWORD", PASSWORD)
    ok(runner, "create-org", "--name", "Beta", "--slug", "beta")
    ok(runner, "bootstrap")
    assert "No organization with slug 'acme'" in fails(runner, "status", "--org", "acme")


# -- the real command ----------------------------------------------------------------------------

def test_db_upgrade_on_a_fresh_sqlite_instance(tmp_path):
    instance = tmp_path / "instance"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "VOKE_ESM_INSTANCE_PATH": str(instance)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "voke-esm"), *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    upgrade = run("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "Traceback" not in upgrade.stderr
    database = instance / "voke_esm.sqlite3"
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"organizations", "users", "trading_partner_configs", "voke_esm_clients",
            "voke_esm_plants", "voke_esm_config_revisions", "alembic_version"} <= tables
    assert run("db", "upgrade").returncode == 0  # idempotent
    seeded = run("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert set(json.loads(seeded.stdout)) == {"clientId", "clientSecret", "esmApiUrl"}
    missing = run("status", "--org", "nope")
    assert missing.returncode != 0
    assert missing.stderr.strip() == "Error: No organization with slug 'nope'"
