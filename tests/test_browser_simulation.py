"""The simulated day in Debian's Chromium: the curve is drawn and moves when a block changes.

The shared live server and browser (tests/browser_support.py); screenshots at 1280 px and
390 px land in test-artifacts/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser_support import (
    ARTIFACTS,
    DESKTOP,
    EMAIL,
    PASSWORD,
    PHONE,
    axe_violations,
    close_page,
    open_page,
    post_json,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser

API = "/api/v1"
BLOCK = {"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
         "socMin": 20}


@pytest.fixture(scope="module")
def plant(server):
    """An enabled organization with a PV + battery + load plant, made over the admin API."""
    status, body = post_json(f"{server}{API}/auth/login", {"email": EMAIL, "password": PASSWORD})
    assert status == 200, body
    token = body["accessToken"]
    status, org = post_json(f"{server}{API}/organizations", {"name": "Sim", "slug": "sim"}, token)
    assert status == 201, org
    status, issued = post_json(f"{server}{API}/voke-esm/admin/enable?orgId={org['id']}", {},
                               token)
    assert status == 201, issued
    status, created = post_json(f"{server}{API}/voke-esm/admin/plants", {
        "clientId": issued["clientId"], "externalPlantId": "SIM-1", "name": "Sunny site",
        "fvePeakPowerKwp": 120, "capacityKwh": 200, "plantWithLoad": True,
        "timeConfigs": [BLOCK]}, token)
    assert status == 201, created
    return {"id": created["id"], "org": org["id"]}


def test_the_curve_is_drawn_and_moves_when_a_block_changes(browser, server, plant):
    from playwright.sync_api import expect

    page = open_page(browser, server, DESKTOP)
    sign_in(page)
    # Tomorrow runs under the newest config all day, whatever the time of this run.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    editor = f"/platform/plants/{plant['id']}"
    page.goto(f"{editor}?date={tomorrow}")
    soc = page.locator("#sim-soc")
    expect(soc).to_be_visible()
    expect(page.locator("#sim-pv")).to_be_visible()
    expect(page.locator("#sim-battery")).to_be_visible()
    expect(page.locator(".timeline__legend")).to_contain_text("Simulated SoC (%)")
    assert axe_violations(page) == []
    before = soc.get_attribute("points")
    assert len(before.split()) == 97

    page.locator("#block-rows tr[data-block-row]").first.locator(
        "input[name='tc-socMax']").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved — config version 2")
    # Redrawn for today, with the marker at the clock.
    expect(page.locator("#sim-now")).to_have_count(1)
    shot(page, "simulation-editor-1280")
    page.locator("section[aria-labelledby='schedule-title']").screenshot(
        path=str(shot_path("simulated-day")))

    page.get_by_label("Day to simulate").fill(tomorrow)
    page.get_by_role("button", name="Simulate", exact=True).click()
    expect(page).to_have_url(f"{server}{editor}?date={tomorrow}")
    after = page.locator("#sim-soc").get_attribute("points")
    assert after != before
    # socMax 60 % now caps the curve: no point above the 60 % line (y grows downward).
    band_top = 28 + 88 * 0.4
    assert min(float(p.split(",")[1]) for p in after.split()) >= band_top - 0.01
    assert min(float(p.split(",")[1]) for p in before.split()) < band_top - 1

    page.goto(f"/platform/voke-esm?org={plant['org']}")
    expect(page.locator("#plant-rows")).to_contain_text("%")
    shot(page, "simulation-list-1280")
    close_page(page)


def test_readable_at_390_px(browser, server, plant):
    from playwright.sync_api import expect

    page = open_page(browser, server, PHONE)
    sign_in(page)
    page.goto(f"/platform/plants/{plant['id']}")
    svg = page.locator(".timeline__svg")
    expect(svg).to_be_visible()
    expect(page.locator("#sim-soc")).to_be_visible()
    # The picture fits the phone; "now" is said in words under it.
    assert svg.bounding_box()["width"] <= 390
    expect(page.locator(".timeline__legend")).to_contain_text("Now, client's clock: ")
    expect(page.locator(".tl-now-label")).to_be_hidden()
    assert axe_violations(page) == []
    page.locator("#schedule-title").scroll_into_view_if_needed()
    page.screenshot(path=str(shot_path("simulation-editor-390")), full_page=False)
    page.goto(f"/platform/voke-esm?org={plant['org']}")
    expect(page.locator("#plant-rows")).to_contain_text("SIM-1")
    shot(page, "simulation-list-390")
    close_page(page)


def shot_path(name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
