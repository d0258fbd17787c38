"""The "Faults & clock" panel's clock buttons and a pending revision in Debian's Chromium:
a delay set in the plant editor, an update from Voke accepted, the clock moved until it applies.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.browser_support import EMAIL, PASSWORD, require_chromium, shot, sign_in
from tests.conftest import base_env
from tests.factories import BLOCK
from tests.live import live_server, request_json, run_cli

pytestmark = pytest.mark.browser
TRADING = "/api/v1/voke-esm/trading"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A live server with a SuperAdmin and the demo organization: (base URL, credentials)."""
    require_chromium()
    tmp = tmp_path_factory.mktemp("browser-clock")
    env = base_env(tmp, f"sqlite:///{tmp}/db.sqlite3")
    with live_server(env, log_path=tmp / "server.log") as base_url:
        run_cli(env, "create-superadmin", "--email", EMAIL, "--password", PASSWORD)
        yield base_url, json.loads(run_cli(env, "seed-demo").stdout)


@pytest.fixture(scope="module")
def server(demo):
    return demo[0]


@pytest.fixture
def acme_token(demo):
    base_url, credentials = demo
    status, _, answer = request_json(base_url, "POST", f"{TRADING}/token", {
        "clientId": credentials["clientId"], "clientSecret": credentials["clientSecret"]})
    assert status == 200, answer
    return answer["accessToken"]


def test_clock_buttons_and_a_pending_revision(page, server, acme_token):
    from playwright.sync_api import expect

    base_url = server
    sign_in(page)
    page.get_by_role("link", name="Voke ESM", exact=True).click()
    page.get_by_role("link", name="Acme").click()
    panel = page.locator("#clock")
    expect(panel.locator("#clock-offset")).to_have_text("0 s (real time)")
    expect(panel.locator("#clock-ttl")).to_have_text("1 h")

    # The plant editor: PLANT-001 applies 2 minutes after an update.
    page.locator("#org-panel").get_by_role("link", name="PLANT-001").first.click()
    page.get_by_label("Apply delay (seconds)").fill("120")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved — config version 1")

    status, _, answer = request_json(base_url, "POST", f"{TRADING}/plant/config/update", {
        "plantId": "PLANT-001", "configUpdateReqCode": "from-voke",
        "timeConfigs": [{**BLOCK, "pBatMax": 7}]}, acme_token)
    assert (status, answer["resultCode"], answer["version"]) == (200, "cfg_accepted", 1)
    page.reload()
    pending = page.locator("#config-history tr[data-status='pending']")
    expect(pending).to_contain_text("from-voke")
    expect(pending).to_contain_text(
        re.compile(r"pending — due in (2 min|1 min 5\d s)"))
    shot(page, "plant-pending-revision")

    # The clock: +1 min, then +1 h brings the revision due; reset goes back to real time.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Acme").click()
    page.locator("#clock").get_by_role("button", name="+1 min").click()
    expect(page.locator("#clock-offset")).to_have_text("1 min")
    expect(page.locator("#clock-status")).to_have_text("Clock moved forward.")
    page.locator("#clock").get_by_role("button", name="+1 h").click()
    expect(page.locator("#clock-offset")).to_have_text("1 h 1 min")
    page.locator("#clock").get_by_role("button", name="+1 day").click()
    expect(page.locator("#clock-offset")).to_have_text("1 d 1 h")
    shot(page, "faults-and-clock")

    page.locator("#org-panel").get_by_role("link", name="PLANT-001").first.click()
    expect(page.locator("#config-version")).to_have_text("2")
    applied = page.locator("#config-history tr").first
    expect(applied).to_have_attribute("data-status", "applied")
    expect(applied).to_contain_text("from-voke")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Acme").click()
    page.locator("#clock").get_by_role("button", name="Reset").click()
    expect(page.locator("#clock-offset")).to_have_text("0 s (real time)")
