"""QA's buttons in Debian's Chromium: upload a seed file, compare two config versions in the
plant editor, restore one; accessible and within a phone's width."""

from __future__ import annotations

import json

import pytest

from tests.browser_support import (
    PHONE,
    axe_violations,
    close_page,
    confirm,
    fill_row,
    open_page,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
SEED = {"format": "voke-esm-seed", "version": 1,
        "organization": {"name": "QA Seeded", "slug": "qa-seeded"},
        "plants": [{"externalPlantId": "QA-1", "name": "Seeded site", "capacityKwh": 100,
                    "timeConfigs": [{"from": "00:00", "to": "23:59", "pBatMax": 20,
                                     "pBatMin": -20, "socMax": 90, "socMin": 20}]},
                   {"externalPlantId": "QA-2", "name": "Second site"}]}


def test_upload_a_seed_then_compare_and_restore_versions(page, server, tmp_path):
    from playwright.sync_api import expect

    seed = tmp_path / "qa-seeded.json"
    seed.write_text(json.dumps(SEED))
    sign_in(page)
    page.get_by_role("link", name="Voke ESM", exact=True).click()
    page.get_by_role("link", name="Nordwind Power").click()
    page.get_by_role("button", name="Enable").click()
    confirm(page, "Enable")
    page.get_by_role("button", name="Done, I have copied them").click()
    page.get_by_label("Upload a seed file").set_input_files(str(seed))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#flashes")).to_contain_text(
        "Seed imported into qa-seeded: organization created; plants: 2 created")
    expect(page.locator("h2.org-panel__title")).to_have_text("QA Seeded")
    assert axe_violations(page) == []

    page.goto(page.url)  # the imported organization is not enabled: enable it to edit plants
    page.get_by_role("button", name="Enable").click()
    confirm(page, "Enable")
    page.get_by_role("button", name="Done, I have copied them").click()
    page.locator("#plant-rows").get_by_role("link", name="QA-1").click()
    fill_row(page, 0, ("00:00", "23:59", 35, -20, 90, 25))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#config-version")).to_have_text("2")

    page.goto(page.url)  # the history and the compare form as a fresh page shows them
    page.get_by_label("Compare version").select_option("1")
    page.get_by_label("with version").select_option("2")
    page.get_by_role("button", name="Show differences").click()
    diff = page.locator("#config-diff")
    expect(diff).to_contain_text("Version 1 → version 2: 0 added, 0 removed, 1 changed")
    expect(diff.locator("[data-field]")).to_have_count(2)  # pBatMax and socMin
    expect(diff.locator("[data-field=pBatMax] ins")).to_have_text("35")
    assert axe_violations(page) == []
    shot(page, "qa-config-diff")

    page.get_by_role("button", name="Restore this version").click()
    confirm(page, "Restore")
    expect(page.locator("#flashes")).to_contain_text("Version 1 restored as config version 3.")
    expect(page.locator("#config-version")).to_have_text("3")
    expect(page.locator("#block-rows input[name='tc-pBatMax']").first).to_have_value("20")


def test_the_history_and_seed_card_fit_a_phone(browser, server):
    from playwright.sync_api import expect

    page = open_page(browser, server, PHONE)
    try:
        sign_in(page)
        page.get_by_role("link", name="Voke ESM", exact=True).click()
        page.get_by_role("link", name="QA Seeded").click()
        expect(page.locator("#seed-card")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator("#plant-rows").get_by_role("link", name="QA-1").click()
        page.get_by_role("button", name="Show differences").click()
        expect(page.locator("#config-diff table")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert axe_violations(page) == []
        shot(page, "qa-config-diff-phone")
    finally:
        close_page(page)


def test_the_journal_updates_by_itself_pauses_and_opens_a_call(page, server, server_env):
    from playwright.sync_api import expect

    from tests.browser_support import TOKEN_PATH, post_json
    from tests.live import run_cli

    credentials = json.loads(run_cli(server_env, "enable", "--org", "solaris").stdout)
    sign_in(page)
    page.get_by_role("link", name="Voke ESM", exact=True).click()
    page.get_by_role("link", name="Solaris Grid").click()
    journal = page.locator("#journal")
    expect(journal).to_contain_text("No calls yet.")

    status, answer = post_json(f"{server}{TOKEN_PATH}", {
        "clientId": credentials["clientId"], "clientSecret": credentials["clientSecret"]})
    assert status == 200
    expect(journal.locator("tbody tr")).to_have_count(1, timeout=10_000)  # no reload
    expect(journal).to_contain_text("POST /token")

    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Resume")).to_have_attribute("aria-pressed", "true")
    post_json(f"{server}{TOKEN_PATH}", {"clientId": credentials["clientId"],
                                        "clientSecret": "vesm_wrong"})
    page.wait_for_timeout(4_000)  # two polls' worth: paused, the table holds still
    expect(journal.locator("tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Resume").click()
    expect(journal.locator("tbody tr")).to_have_count(2, timeout=10_000)

    page.get_by_label("Status", exact=True).select_option("4xx")
    expect(journal.locator("tbody tr")).to_have_count(1)
    journal.get_by_role("button", name="Details").first.click()
    detail = page.locator("#journal-detail")
    expect(detail).to_contain_text("POST /api/v1/voke-esm/trading/token")
    expect(detail).to_contain_text("401")
    expect(detail).to_contain_text("[redacted]")
    assert credentials["clientSecret"] not in page.content()
    assert axe_violations(page) == []
    shot(page, "qa-live-journal")
    detail.get_by_role("button", name="Close the call's details").click()
    expect(detail).to_be_empty()
