"""The organization panel and the plant editor as a person meets them: the app's own
confirmation dialog by keyboard, what Disable says, copy buttons, the monospace secret, and
24-hour times in an en-US browser."""

from __future__ import annotations

import pytest

from tests.browser_support import DESKTOP, close_page, confirm, fill_row, open_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(page):
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    sign_in(page)
    page.wait_for_url("**/platform/voke-esm")
    yield page
    assert native == [], "a native confirm() box was shown"


def test_disable_asks_in_a_keyboard_dialog_then_says_what_now_fails(signed_in, world):
    from playwright.sync_api import expect

    page = signed_in
    page.goto(world["enabled"])
    panel = page.locator("#org-panel")
    disable = page.get_by_role("button", name="Disable", exact=True)
    disable.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Disable Voke ESM?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Token requests and existing tokens are refused at once")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(panel.locator(".facts").first).to_contain_text("Enabled since")

    disable.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Disable")).to_be_focused()
    page.keyboard.press("Enter")
    note = panel.locator("#disabled-note")
    expect(note).to_contain_text("Voke's calls to this ESM now fail.")
    expect(note).to_contain_text("press Enable")
    expect(panel).not_to_contain_text("Enabled since")
    expect(panel.get_by_role("button", name="Enable")).to_be_visible()


def test_secret_is_monospace_and_the_panel_copies_client_id_and_url(browser, server, world):
    from playwright.sync_api import expect

    page = open_page(browser, server, DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        sign_in(page)
        page.goto(world["never-enabled"])
        page.get_by_role("button", name="Enable").click()
        confirm(page, "Enable")
        secret = page.get_by_label("clientSecret", exact=True)
        expect(secret).to_be_visible()
        assert "monospace" in secret.evaluate("e => getComputedStyle(e).fontFamily")
        page.get_by_role("button", name="Done, I have copied them").click()
        for label, code in (("clientId", "#panel-client-id"), ("esmApiUrl", "#panel-esm-api-url")):
            button = page.get_by_role("button", name=f"Copy {label}")
            button.click()
            expect(button).to_have_text("Copied")
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == page.locator(code).inner_text() and copied
    finally:
        close_page(page)


def test_times_are_24_hour_in_an_en_us_browser_and_rows_keep_their_order(browser, server,
                                                                          world):
    from playwright.sync_api import expect

    page = open_page(browser, server, DESKTOP, "en-US")
    page.console.allow(422)  # the overlapping save
    try:
        sign_in(page)
        page.goto(world["plant-editor"])
        rows = page.locator("#block-rows tr[data-block-row]")
        first_from = rows.nth(0).locator("input[name='tc-from']")
        expect(first_from).to_have_value("00:00")
        assert first_from.evaluate("e => e.type") == "text"  # not the locale's 12:00 AM
        fill_row(page, 0, ("12:00", "23:59", 10, -10, 90, 20))
        page.get_by_role("button", name="Add block").click()
        typed = rows.nth(1).locator("input[name='tc-from']")
        typed.click()
        page.keyboard.type("00:00")
        expect(typed).to_have_value("00:00")
        fill_row(page, 1, ("00:00", "12:30", 5, -5, 80, 30))
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#save-status")).to_have_text(
            "Not saved: correct the fields marked in red.")
        expect(rows.nth(0).locator("input[name='tc-from']")).to_have_value("12:00")
        expect(rows.nth(0).locator(".field-errors")).to_have_text("overlaps block 2 (00:00-12:30)")
        fill_row(page, 1, ("00:00", "12:00", 5, -5, 80, 30))
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#save-status")).to_have_text("Saved — config version 2")
        expect(rows.nth(0).locator("input[name='tc-from']")).to_have_value("00:00")
    finally:
        close_page(page)


def test_block_rows_are_validated_as_you_type_by_the_server(signed_in, world):
    from playwright.sync_api import expect

    page = signed_in
    page.goto(world["new-plant"])
    page.get_by_role("button", name="Add block").click()
    rows = page.locator("#block-rows tr[data-block-row]")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("input[name='tc-to']").fill("23:59")
    second_from = rows.nth(1).locator("input[name='tc-from']")
    second_from.click()
    page.keyboard.type("12:00")
    errors = rows.nth(1).locator("td").nth(0).locator(".field-errors")
    expect(errors).to_have_text("overlaps block 1 (00:00-23:59)")
    expect(second_from).to_have_attribute("aria-invalid", "true")
    expect(second_from).to_be_focused()
    expect(second_from).to_have_value("12:00")
    expect(rows.nth(1).locator("input[name='tc-to']")).not_to_have_attribute("aria-invalid",
                                                                              "true")
    expect(page.locator("#save-status")).to_have_text("")  # nothing was saved or refused

    rows.nth(0).locator("input[name='tc-to']").fill("11:59")
    expect(errors).to_have_count(0)
    expect(second_from).not_to_have_attribute("aria-invalid", "true")
    rows.nth(1).get_by_role("button", name="Remove this block").click()
    expect(page.locator("#block-rows .field-errors")).to_have_count(0)
