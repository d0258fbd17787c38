"""The product page's "Enable flow" and "Fake plant CRUD" in Debian's Chromium, against gunicorn.

One live server (fresh SQLite database) per module; Playwright's auto-waiting `expect`, no sleeps.
Screenshots of the main screens land in test-artifacts/ (the good ones are copied to docs/).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser_support import (
    EMAIL,
    PASSWORD,
    TOKEN_PATH,
    confirm,
    fill_row,
    post_json,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser

ORG_PAGE = re.compile(r"/platform/voke-esm\?org=[0-9a-f-]{36}$")


def test_wrong_password_is_refused_politely(page):
    from playwright.sync_api import expect

    page.console.allow(422)  # the refused sign-in
    sign_in(page, "not the password")
    expect(page.get_by_role("alert")).to_have_text("Invalid email or password")
    expect(page).to_have_url("/login")
    shot(page, "login-error")


def test_enable_flow_and_plant_crud(page, server):
    from playwright.sync_api import expect

    page.console.allow(422)  # the refused slug and the overlapping block
    sign_in(page)
    expect(page).to_have_url(f"{server}/platform/voke-esm")
    expect(page.get_by_text("Signed in as admin@example.com.")).to_be_visible()

    # Create an organization.
    page.get_by_role("link", name="Organizations", exact=True).click()
    page.get_by_label("Name").fill("Acme Energy")
    page.get_by_label("Slug").fill("Acme Energy")
    page.get_by_role("button", name="Create organization").click()
    expect(page.locator("#org-slug-error")).to_contain_text("must be lowercase letters")
    page.get_by_label("Slug").fill("acme-energy")
    page.get_by_label("Description").fill("Battery storage + PV in three sites")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("heading", name="Acme Energy")).to_be_visible()
    expect(page).to_have_url(ORG_PAGE)
    org_url = page.url

    # Picking another organization swaps the panel and the URL without a reload.
    page.locator("[data-org-link]", has_text="Solaris Grid").click()
    expect(page.get_by_role("heading", name="Solaris Grid")).to_be_visible()
    expect(page).to_have_url(ORG_PAGE)
    assert page.url != org_url
    expect(page.locator("[data-org-link][aria-current='true']")).to_contain_text("Solaris Grid")
    page.go_back()
    expect(page.get_by_role("heading", name="Acme Energy")).to_be_visible()
    expect(page).to_have_url(org_url)
    selected = page.locator("[data-org-link][aria-current='true']")
    expect(selected).to_contain_text("Acme Energy")
    expect(selected).to_contain_text("Not configured")

    # Enable; the secret is in the dialog only.
    page.get_by_role("button", name="Enable").click()
    confirm(page, "Enable")
    dialog = page.locator("dialog#credentials-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("The client secret is shown only now.")
    client_id = dialog.get_by_label("clientId", exact=True).input_value()
    secret = dialog.get_by_label("clientSecret", exact=True).input_value()
    esm_api_url = dialog.get_by_label("esmApiUrl", exact=True).input_value()
    assert secret.startswith("vesm_") and client_id.startswith("voke-esm-acme-energy-")
    assert esm_api_url.endswith("/api/v1/voke-esm")
    shot(page, "credentials-dialog")

    status, body = post_json(server + TOKEN_PATH, {"clientId": client_id, "clientSecret": secret})
    assert status == 200, body
    access_token = body["accessToken"]

    dialog.get_by_role("button", name="Done, I have copied them").click()
    expect(page.locator("dialog#credentials-dialog")).to_have_count(0)
    expect(selected).to_contain_text("Enabled")
    panel = page.locator("#org-panel")
    expect(panel).to_contain_text(client_id)
    expect(panel.locator("#plant-count")).to_have_text("1")
    expect(panel.get_by_role("link", name="PLANT-001").first).to_be_visible()
    # Neither htmx's history cache nor a reload, back or forward brings the secret back.
    page.locator("[data-org-link]", has_text="Nordwind Power").click()
    expect(page.get_by_role("heading", name="Nordwind Power")).to_be_visible()
    page.go_back()
    expect(panel).to_contain_text(client_id)
    assert secret not in page.content()
    cache = page.evaluate("sessionStorage.getItem('htmx-history-cache')")
    assert client_id in cache and secret not in cache  # the snapshots exist, without the secret
    page.reload()
    expect(page.get_by_role("heading", name="Acme Energy")).to_be_visible()
    assert secret not in page.content()
    page.go_back()
    page.go_forward()
    expect(page.get_by_role("heading", name="Acme Energy")).to_be_visible()
    assert secret not in page.content()

    # A plant with three blocks, made with "Add block".
    page.get_by_role("link", name="New plant").click()
    page.get_by_label("externalPlantId").fill("SITE-A")
    page.get_by_label("Name").fill("Acme Site A")
    page.get_by_label("Description").fill("Battery storage + PV")
    page.get_by_label("PV peak power (kWp)").fill("120")
    page.get_by_label("Battery capacity (kWh)").fill("200")
    rows = page.locator("#block-rows tr[data-block-row]")
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Add block").click()
    expect(rows).to_have_count(2)
    page.get_by_role("button", name="Add block").click()
    expect(rows).to_have_count(3)
    fill_row(page, 0, ("00:00", "06:00", 10, -10, 95, 20))
    fill_row(page, 1, ("06:00", "18:00", 40, -25, 85, 35))
    fill_row(page, 2, ("18:00", "23:59", 50, -50, 90, 30))
    page.get_by_role("button", name="Create plant").click()
    expect(page.locator("#config-version")).to_have_text("1")
    expect(page.get_by_text("Plant SITE-A created — config version 1.")).to_be_visible()
    expect(page.locator("#timeline .tl-window")).to_have_count(3)
    expect(page.locator("#timeline .tl-gap-group")).to_have_count(0)

    # An overlapping block: the error sits on that row's input.
    fill_row(page, 1, ("05:00", "18:00", 40, -25, 85, 35))
    page.get_by_role("button", name="Save").click()
    second = rows.nth(1)
    expect(second.locator("input[name='tc-from']")).to_have_attribute("aria-invalid", "true")
    expect(second.locator(".field-errors")).to_have_text("⚠ overlaps block 1 (00:00-06:00)"
                                                         .replace("⚠ ", ""))
    expect(rows.nth(0).locator(".field-errors")).to_have_count(0)
    expect(page.locator("#save-status")).to_have_text(
        "Not saved: correct the fields marked in red.")
    expect(page.locator("#config-version")).to_have_text("1")
    shot(page, "plant-editor-error")

    # Fixed (and a gap left on purpose): a new version and a redrawn picture.
    fill_row(page, 1, ("07:00", "18:00", 40, -25, 85, 35))
    page.get_by_role("button", name="Add block").click()
    fill_row(page, 3, ("06:00", "07:00", 5, -5, 95, 25))
    page.locator("#block-rows tr[data-block-row]").nth(3).get_by_role(
        "button", name="Remove this block").click()
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved — config version 2")
    expect(page.locator("#config-version")).to_have_text("2")
    expect(page.locator("#timeline")).to_have_attribute("data-version", "2")
    expect(page.locator("#timeline .tl-gap-group")).to_have_count(1)
    expect(page.locator("#timeline desc")).to_contain_text("No block from 06:00 to 07:00")
    shot(page, "plant-editor")

    # The trading API sees the new version.
    config = urllib.request.Request(
        f"{server}/api/v1/voke-esm/trading/plant/config?plantId=SITE-A",
        headers={"Authorization": f"Bearer {access_token}"})
    with urllib.request.urlopen(config, timeout=10) as response:
        assert json.loads(response.read())["version"] == 2

    # Back to the organization; search the plant table.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link",
                                                                  name="Acme Energy").click()
    table = page.locator("#plant-rows")
    expect(table.locator("tr")).to_have_count(2)
    page.get_by_label("Search plants").fill("site")
    expect(table.locator("tr")).to_have_count(1)
    expect(table).to_contain_text("SITE-A")
    page.get_by_label("Search plants").fill("")
    expect(table.locator("tr")).to_have_count(2)
    page.get_by_label("Search plants").blur()
    shot(page, "sandbox")

    # Disable from the UI: the token and the secret are refused.
    page.get_by_role("button", name="Disable").click()
    confirm(page, "Disable")
    expect(page.locator("#org-panel .facts").first).to_contain_text("Disabled")
    expect(page.get_by_role("button", name="Enable")).to_be_visible()
    status, body = post_json(server + TOKEN_PATH, {"clientId": client_id, "clientSecret": secret})
    assert status == 401, body
    refused = urllib.request.Request(f"{server}/api/v1/voke-esm/trading/plant/list",
                                     headers={"Authorization": f"Bearer {access_token}"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=10)
    assert error.value.code == 401

    # Delete a plant from the table, with its confirmation.
    page.get_by_role("button", name="Delete plant SITE-A").click()
    confirm(page, "Delete plant")
    expect(table.locator("tr")).to_have_count(1)
    expect(page.locator("#plant-count")).to_have_text("1")
    expect(page.get_by_text("Plant SITE-A deleted.")).to_be_visible()

    page.get_by_role("link", name="Organizations", exact=True).click()
    expect(page.get_by_role("cell", name="Acme Energy")).to_be_visible()
    shot(page, "organizations")

    # Sign out.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server}/login")
    page.goto(org_url)
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fplatform%2Fvoke-esm%3Forg%3D"))


def test_keyboard_only_sign_in_and_organization_choice(page):
    from playwright.sync_api import expect

    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Choose an organization")).to_be_visible()
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-org-link')"):
            break
    focused = page.locator("[data-org-link]:focus")
    expect(focused).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    name = focused.locator(".picker__name").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("#org-panel h2")).to_have_text(name)
    expect(page.locator("[data-org-link][aria-current='true']")).to_contain_text(name)


def test_the_api_page_renders_the_openapi_document(page, server):
    """Swagger UI under the strict CSP: no console error, no CSP report, no page error."""
    from playwright.sync_api import expect

    problems = []
    page.on("console", lambda message: problems.append(f"{message.text} {message.location}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    sign_in(page)
    page.get_by_role("link", name="API", exact=True).click()
    expect(page).to_have_url(f"{server}/platform/api")
    expect(page.get_by_role("link", name="API", exact=True)).to_have_attribute(
        "aria-current", "page")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Voke ESM Sandbox API")
    expect(page.get_by_text("/api/v1/voke-esm/trading/plant/config/update")).to_be_visible()
    expect(page.get_by_text("/api/v1/voke-esm/admin/plants/{plant_id}").first).to_be_visible()
    # Opening an operation renders its body schema, example and responses (highlighted JSON).
    page.get_by_text("/api/v1/voke-esm/trading/plant/config/update").click()
    expect(page.get_by_text("req-abc123").first).to_be_visible()
    expect(page.locator(".opblock.is-open .responses-table")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download openapi.json").click()
    assert download.value.suggested_filename == "openapi.json"
    assert json.loads(Path(download.value.path()).read_text())["openapi"].startswith("3.1")
    shot(page, "api")
    assert problems == []
