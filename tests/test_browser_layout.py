"""Every page at 1280 px and on a 390 px phone: no sideways scrolling, no serious or critical
axe-core violation, no console error; screenshots of each in test-artifacts/."""

from __future__ import annotations

import json

import pytest

from tests.browser_support import (
    DESKTOP,
    PHONE,
    axe_violations,
    close_page,
    open_page,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser

STATUS = {"not-found": 404, "bad-request": 400}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_every_page_fits_and_passes_axe(browser, server, world, viewport):
    page = open_page(browser, server, viewport)
    page.console.allow(*STATUS.values())
    width = viewport["width"]
    problems: dict[str, object] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems[f"{name}: scrollWidth"] = scroll_width
        if violations := axe_violations(page):
            problems[f"{name}: axe"] = violations
        shot(page, f"page-{name}-{width}")

    page.goto("/login")
    check("login")
    # The "form expired" error page: a sign-in whose CSRF token no longer matches.
    page.locator("input[name='csrf_token']").evaluate("input => { input.value = 'stale'; }")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Password").fill("whatever")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="This form has expired").wait_for()
    check("form-expired")
    sign_in(page)
    page.wait_for_url("**/platform/voke-esm")
    for name, path in world.items():
        response = page.goto(path)
        assert response.status == STATUS.get(name, 200), name
        check(name)
        if name == "enabled":  # the app's confirmation dialog, open
            page.get_by_role("button", name="Disable", exact=True).click()
            page.locator("dialog#confirm-dialog").wait_for(state="visible")
            check("confirm-dialog")
            page.keyboard.press("Escape")
    try:
        assert problems == {}, json.dumps(problems, indent=1)
    finally:
        close_page(page)
