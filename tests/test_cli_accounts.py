"""`make run`'s first and later runs (`voke-esm bootstrap`), and `voke-esm set-password`, through
the installed entry point."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import app_for
from tests.live import run_cli
from voke_esm.services import accounts

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 42"
TOKEN_URL = "/api/v1/voke-esm/trading/token"


def can_sign_in(env: dict, email: str, password: str) -> bool:
    with app_for(env) as app, app.app_context():
        try:
            accounts.sign_in(email, password, "127.0.0.1")
        except Exception:  # noqa: BLE001 - any refusal
            return False
        return True


def labelled(stdout: str, label: str) -> str:
    match = re.search(rf"^\s*{label}:\s+(\S+)", stdout, re.M)
    assert match, stdout
    return match.group(1)


@pytest.fixture
def bootstrap_env(env) -> dict:
    """`make run`'s environment; empty admin variables (the shell's may not leak in) = unset."""
    return {**env, "VOKE_ESM_ADMIN_EMAIL": "", "VOKE_ESM_ADMIN_PASSWORD": "", "PORT": "4567"}


def test_the_first_run_labels_the_account_and_the_demo_credentials(bootstrap_env):
    env = bootstrap_env
    stdout = run_cli(env, "bootstrap").stdout
    assert not any(line.lstrip().startswith("{") for line in stdout.splitlines()), stdout
    assert labelled(stdout, "Sign in at") == "http://127.0.0.1:4567/login"
    email, password = labelled(stdout, "email"), labelled(stdout, "password")
    assert email == "admin@voke.local" and can_sign_in(env, email, password)
    credentials = {name: labelled(stdout, name)
                   for name in ("clientId", "clientSecret", "esmApiUrl")}
    assert credentials["esmApiUrl"] == "http://localhost:4567/api/v1/voke-esm"
    with app_for(env) as app:
        response = app.test_client().post(TOKEN_URL, json={
            "clientId": credentials["clientId"], "clientSecret": credentials["clientSecret"]})
    assert response.status_code == 200


def test_a_later_run_names_the_account_and_how_to_recover_it(bootstrap_env):
    env = {**bootstrap_env, "VOKE_ESM_ADMIN_EMAIL": "boss@voke.test",
           "VOKE_ESM_ADMIN_PASSWORD": PASSWORD}
    first = run_cli(env, "bootstrap").stdout
    assert "boss@voke.test" in first and PASSWORD not in first
    assert "the password in VOKE_ESM_ADMIN_PASSWORD" in first
    second = run_cli(env, "bootstrap")
    assert "SuperAdmin account: boss@voke.test" in second.stdout
    assert "voke-esm set-password --email boss@voke.test" in second.stdout
    assert "voke-esm enable --org acme" in second.stdout  # the demo's secret: rotate to see it
    assert PASSWORD not in second.stdout + second.stderr
    assert labelled(first, "clientSecret") not in second.stdout + second.stderr


def test_set_password_with_the_option(bootstrap_env):
    env = {**bootstrap_env, "VOKE_ESM_ADMIN_EMAIL": "boss@voke.test",
           "VOKE_ESM_ADMIN_PASSWORD": PASSWORD}
    run_cli(env, "bootstrap")
    result = run_cli(env, "set-password", "--email", "Boss@voke.test", "--password", NEW_PASSWORD)
    assert result.stdout.startswith("Password changed for boss@voke.test")
    assert NEW_PASSWORD not in result.stdout + result.stderr
    assert can_sign_in(env, "boss@voke.test", NEW_PASSWORD)
    assert not can_sign_in(env, "boss@voke.test", PASSWORD)


def test_set_password_prompts_hidden_and_never_echoes(bootstrap_env):
    env = {**bootstrap_env, "VOKE_ESM_ADMIN_EMAIL": "boss@voke.test",
           "VOKE_ESM_ADMIN_PASSWORD": PASSWORD}
    run_cli(env, "bootstrap")
    result = run_cli(env, "set-password", "--email", "boss@voke.test",
                     input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert "Password changed for boss@voke.test" in result.stdout
    assert NEW_PASSWORD not in result.stdout + result.stderr
    assert can_sign_in(env, "boss@voke.test", NEW_PASSWORD)


@pytest.mark.parametrize("args, message", [
    (["--email", "nobody@voke.test", "--password", NEW_PASSWORD],
     "No account for nobody@voke.test"),
    (["--email", "boss@voke.test", "--password", "short"],
     "password: must be 12 to 1024 characters"),
])
def test_set_password_errors_are_one_line_and_change_nothing(bootstrap_env, args, message):
    env = {**bootstrap_env, "VOKE_ESM_ADMIN_EMAIL": "boss@voke.test",
           "VOKE_ESM_ADMIN_PASSWORD": PASSWORD}
    run_cli(env, "bootstrap")
    result = run_cli(env, "set-password", *args, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert "short" not in result.stderr.replace("password: must be", "")
    assert can_sign_in(env, "boss@voke.test", PASSWORD)


def test_set_password_signs_the_account_out_of_its_browser_sessions(bootstrap_env):
    env = {**bootstrap_env, "VOKE_ESM_ADMIN_EMAIL": "boss@voke.test",
           "VOKE_ESM_ADMIN_PASSWORD": PASSWORD}
    run_cli(env, "bootstrap")
    with app_for(env, WTF_CSRF_ENABLED=False) as app:
        browser = app.test_client()
        signed_in = browser.post("/login", data={"email": "boss@voke.test",
                                                 "password": PASSWORD})
        assert signed_in.status_code == 303
        assert browser.get("/platform/voke-esm").status_code == 200
        run_cli(env, "set-password", "--email", "boss@voke.test", "--password", NEW_PASSWORD)
        assert browser.get("/platform/voke-esm").status_code == 303  # back to the sign-in page


def test_seed_demo_keeps_its_json_for_scripts(env):
    stdout = run_cli(env, "seed-demo").stdout
    assert list(json.loads(stdout)) == ["clientId", "clientSecret", "esmApiUrl"]
