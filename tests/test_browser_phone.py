"""On a 390x844 phone, in an en-US browser: every primary button can be tapped where it is drawn
(Playwright's real click fails when another element covers the point it clicks)."""

from __future__ import annotations

import pytest

from tests.browser_support import PHONE, close_page, fill_row, open_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, server):
    page = open_page(browser, server, PHONE, "en-US")
    yield page
    close_page(page)


def tap_and_cancel(page, button: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name=button, exact=True).click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()


def test_every_primary_button_can_be_tapped_on_a_phone(phone, world):
    from playwright.sync_api import expect

    page = phone
    sign_in(page)
    expect(page.get_by_role("heading", name="Choose an organization")).to_be_visible()

    page.goto(world["enabled"])
    tap_and_cancel(page, "Rotate credentials")
    tap_and_cancel(page, "Disable")
    expect(page.locator("#org-panel .facts").first).to_contain_text("Enabled")
    page.get_by_role("button", name="Copy clientId").click()
    page.get_by_role("button", name="Pause").click()  # the live journal's control
    page.get_by_role("button", name="Resume").click()

    page.get_by_role("link", name="New plant").click()
    page.get_by_label("externalPlantId").fill("PHONE-1")
    page.get_by_label("Name").fill("Tapped on a phone")
    page.get_by_role("button", name="Add block").click()
    rows = page.locator("#block-rows tr[data-block-row]")
    expect(rows).to_have_count(2)
    fill_row(page, 0, ("00:00", "11:59", 10, -10, 90, 20))
    fill_row(page, 1, ("12:00", "23:59", 20, -20, 80, 30))
    rows.nth(1).get_by_role("button", name="Remove this block").click()
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Create plant").click()
    expect(page.get_by_text("Plant PHONE-1 created — config version 1.")).to_be_visible()
    fill_row(page, 0, ("00:00", "23:59", 15, -15, 90, 20))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved — config version 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(world["disabled"])
    tap_and_cancel(page, "Enable")

    page.goto(world["organizations"])
    page.get_by_label("Name").fill("Pocket Power")
    page.get_by_label("Slug").fill("pocket")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("heading", name="Pocket Power")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_schedule_reads_on_a_phone(phone, world, server_env):
    import json

    from playwright.sync_api import expect

    from tests.live import run_cli

    client_id = json.loads(run_cli(server_env, "status", "--org", "nordwind").stdout)["clientId"]
    blocks = [{"from": start, "to": end, "pBatMax": 20, "pBatMin": -20, "socMax": 90,
               "socMin": 20} for start, end in (("00:00", "06:00"), ("06:00", "12:00"),
                                                ("18:00", "23:59"))]
    plant = json.loads(run_cli(server_env, "plants", "create", json.dumps({
        "clientId": client_id, "externalPlantId": "GAPPY", "name": "With a gap",
        "timeConfigs": blocks})).stdout)
    page = phone
    sign_in(page)
    page.goto(f"/platform/plants/{plant['id']}")
    timeline = page.locator("#timeline")
    expect(timeline.locator(".tl-number")).to_have_text(["1", "2", "3"])
    expect(timeline.locator(".timeline__legend")).to_contain_text("No block (gaps are allowed)")
    gap = timeline.locator(".tl-gap-bg").evaluate("e => getComputedStyle(e).fill")
    red, green, blue = (int(part) for part in gap[4:-1].split(","))
    assert max(red, green, blue) - min(red, green, blue) <= 12, f"gap fill {gap} is not grey"
    for selector in (".tl-hour", ".tl-number", ".tl-lane-title"):
        height = timeline.locator(selector).first.bounding_box()["height"]
        assert height >= 9, f"{selector} is {height:.1f} px high on a phone"
    listed = timeline.locator(".timeline__list li")
    expect(listed).to_have_count(3)
    expect(listed.first).to_contain_text("00:00–06:00")
    expect(listed.first).to_be_visible()
    box = timeline.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
