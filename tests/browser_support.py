"""Shared pieces of the browser tests: Chromium, a live server per module, pages that fail on
console errors, axe-core, screenshots, and the steps every test repeats.

tests/conftest.py loads it as a plugin, so the fixtures are there for every browser test.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import base_env
from tests.live import ROOT, live_server, run_cli

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EMAIL, PASSWORD = "admin@example.com", "correct horse battery staple"
TOKEN_PATH = "/api/v1/voke-esm/trading/token"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The status line Chromium logs for every answer >= 400; tests that provoke one say which.
FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is missing: install it with scripts/ensure-chromium"
    if os.environ.get("VOKE_ESM_TEST_STRICT"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("browser")
    return base_env(tmp, f"sqlite:///{tmp}/db.sqlite3")


@pytest.fixture(scope="module")
def server(server_env):
    """A gunicorn server on a fresh SQLite database: a SuperAdmin and two organizations."""
    tmp = Path(server_env["VOKE_ESM_INSTANCE_PATH"]).parent
    with live_server(server_env, log_path=tmp / "server.log") as base_url:
        run_cli(server_env, "create-superadmin", "--email", EMAIL, "--password", PASSWORD)
        for name, slug in (("Nordwind Power", "nordwind"), ("Solaris Grid", "solaris")):
            run_cli(server_env, "create-org", "--name", name, "--slug", slug,
                    "--description", "Demo organization")
        yield base_url


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: a loaded CI machine must not turn a slow page into a failure.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Console:
    """Every console error of a page; a test names the failed loads it provoked on purpose."""

    def __init__(self):
        self.errors: list[str] = []
        self.allowed_statuses: set[int] = set()

    def record(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def allow(self, *statuses: int) -> None:
        self.allowed_statuses.update(statuses)

    def unexpected(self) -> list[str]:
        def expected(text: str) -> bool:
            failed = FAILED_LOAD.search(text)
            return bool(failed) and int(failed[1]) in self.allowed_statuses
        return [text for text in self.errors if not expected(text)]


def open_page(browser, server: str, viewport: dict = DESKTOP, locale: str = "en-GB"):
    """A page in its own context; `page.console` gathers console errors (checked on close)."""
    context = browser.new_context(base_url=server, viewport=viewport, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console = Console()
    page.on("console", page.console.record)
    page.on("pageerror", lambda error: page.console.errors.append(f"uncaught: {error}"))
    return page


def close_page(page) -> None:
    page.context.close()
    assert page.console.unexpected() == [], "the browser console reported errors"


@pytest.fixture
def page(browser, server):
    page = open_page(browser, server, DESKTOP, "en-GB")  # 24-hour inputs, as Voke writes them
    yield page
    close_page(page)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": hiding the caret leaves style="" on inputs, which the CSP then reports
    # when htmx swaps those inputs again.
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


def post_json(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def sign_in(page, password: str = PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def fill_row(page, index: int, values: tuple) -> None:
    row = page.locator("#block-rows tr[data-block-row]").nth(index)
    for name, value in zip(("from", "to", "pBatMax", "pBatMin", "socMax", "socMin"), values,
                           strict=True):
        row.locator(f"input[name='tc-{name}']").fill(str(value))


def confirm(page, button: str) -> None:
    """Answer the app's own confirmation dialog with its `button`."""
    from playwright.sync_api import expect

    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_be_hidden()


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now.

    The script is evaluated through CDP, which a page's CSP does not govern, so the page keeps
    its own CSP (an injected <script> tag would be refused by it, and rightly)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make browser` (npm ci) installs axe-core")
    page.evaluate(AXE.read_text())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [node["target"] for node in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def world(server_env, server) -> dict[str, str]:
    """Organizations in every state and a plant, made with the CLI: the paths of every page."""
    run_cli(server_env, "create-org", "--name", "Retired Energy", "--slug", "retired")
    for command in (("enable", "--org", "nordwind"), ("enable", "--org", "retired"),
                    ("disable", "--org", "retired")):
        run_cli(server_env, *command)
    lines = run_cli(server_env, "orgs", "list").stdout.splitlines()
    orgs = {org["slug"]: org for org in map(json.loads, lines)}
    client_id = json.loads(run_cli(server_env, "status", "--org", "nordwind").stdout)["clientId"]
    plant = json.loads(run_cli(server_env, "plants", "list", "--client-id", client_id).stdout)[0]
    return {
        "organizations": "/platform/organizations",
        "sandbox": "/platform/voke-esm",
        "enabled": f"/platform/voke-esm?org={orgs['nordwind']['id']}",
        "disabled": f"/platform/voke-esm?org={orgs['retired']['id']}",
        "never-enabled": f"/platform/voke-esm?org={orgs['solaris']['id']}",
        "plant-editor": f"/platform/plants/{plant['id']}",
        "new-plant": f"/platform/voke-esm/{orgs['nordwind']['id']}/plants/new",
        "not-found": "/platform/plants/00000000-0000-4000-8000-000000000000",
        "bad-request": "/platform/plants/not-a-uuid",
    }
