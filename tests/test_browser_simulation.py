"""The simulated day in Debian's Chromium: the curve is drawn and moves when a block changes.

Reuses test_browser.py's live server and browser; screenshots at 1280 px and 390 px land in
test-artifacts/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import test_browser
from tests.test_browser import EMAIL, PASSWORD, post_json, shot, sign_in

# The live server and the browser of test_browser.py, one more of each for this module.
server = test_browser.server
browser = test_browser.browser

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


def page_at(browser, server, width: int, height: int):
    context = browser.new_context(base_url=server, viewport={"width": width, "height": height},
                                  locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    return context, page, blocked


def test_the_curve_is_drawn_and_moves_when_a_block_changes(browser, server, plant):
    from playwright.sync_api import expect

    context, page, blocked = page_at(browser, server, 1280, 900)
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
    page.get_by_role("button", name="Show").click()
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
    context.close()
    assert blocked == []


def test_readable_at_390_px(browser, server, plant):
    from playwright.sync_api import expect

    context, page, blocked = page_at(browser, server, 390, 844)
    sign_in(page)
    page.goto(f"/platform/plants/{plant['id']}")
    svg = page.locator(".timeline__svg")
    expect(svg).to_be_visible()
    # The picture keeps a readable width and scrolls sideways inside its figure.
    assert svg.bounding_box()["width"] >= 700
    page.locator("#schedule-title").scroll_into_view_if_needed()
    page.screenshot(path=str(shot_path("simulation-editor-390")), full_page=False)
    page.goto(f"/platform/voke-esm?org={plant['org']}")
    expect(page.locator("#plant-rows")).to_contain_text("SIM-1")
    shot(page, "simulation-list-390")
    context.close()
    assert blocked == []


def shot_path(name: str):
    test_browser.ARTIFACTS.mkdir(exist_ok=True)
    return test_browser.ARTIFACTS / f"{name}.png"
