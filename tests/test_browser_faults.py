"""The "Faults" panel in Chromium, against gunicorn: a preset on, a trading call that fails, the
hit in the journal, clear, and the next call succeeds."""

from __future__ import annotations

import json

import pytest

from tests.browser_support import (
    EMAIL,
    PASSWORD,
    TOKEN_PATH,
    confirm,
    post_json,
    require_chromium,
    shot,
    sign_in,
)
from tests.conftest import base_env
from tests.factories import BLOCK
from tests.live import live_server, run_cli

pytestmark = pytest.mark.browser
UPDATE_PATH = "/api/v1/voke-esm/trading/plant/config/update"


@pytest.fixture(scope="module")
def server_env(tmp_path_factory) -> dict[str, str]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("browser-faults")
    return base_env(tmp, f"sqlite:///{tmp}/db.sqlite3")


@pytest.fixture(scope="module")
def server(server_env):
    log_path = server_env["VOKE_ESM_INSTANCE_PATH"] + "-server.log"
    with live_server(server_env, log_path=log_path) as base_url:
        run_cli(server_env, "create-superadmin", "--email", EMAIL, "--password", PASSWORD)
        yield base_url


@pytest.fixture(scope="module")
def credentials(server, server_env) -> dict:
    """The demo organization Acme, enabled: its clientId and secret."""
    return json.loads(run_cli(server_env, "seed-demo").stdout)


def update(server_url: str, credentials: dict, code: str) -> tuple[int, dict]:
    status, body = post_json(f"{server_url}{TOKEN_PATH}", {
        "clientId": credentials["clientId"], "clientSecret": credentials["clientSecret"]})
    assert status == 200, body
    return post_json(f"{server_url}{UPDATE_PATH}", {
        "plantId": "PLANT-001", "configUpdateReqCode": code, "timeConfigs": [BLOCK]},
        body["accessToken"])


def test_preset_fails_a_call_the_journal_shows_it_and_clear_restores(page, server, credentials):
    from playwright.sync_api import expect

    sign_in(page)
    page.goto("/platform/voke-esm")
    page.get_by_role("link", name="Acme").click()
    faults = page.locator("#faults")
    faults.get_by_role("button", name="Rejects everything").click()
    expect(faults.locator("tbody tr")).to_have_count(1)
    expect(faults.locator("tbody tr")).to_contain_text("reject_config")

    status, body = update(server, credentials, "browser-1")
    assert status == 400 and body["resultCode"] == "cfg_rejected"

    # The journal updates by itself (it polls every 2 s): no reload, no button.
    expect(page.locator("#journal")).to_contain_text("Fault: rejects everything",
                                                     timeout=10_000)
    faults.get_by_role("button", name="Refresh hits").click()
    expect(faults.locator("tbody tr td.num").first).to_have_text("1")
    shot(page, "faults")

    faults.get_by_role("button", name="Clear all rules").click()
    confirm(page, "Clear all rules")
    expect(faults).to_contain_text("No fault rules")
    status, body = update(server, credentials, "browser-2")
    assert status == 200 and body["resultCode"] == "applied_ok"
