"""The base layout, error pages and what every page of the UI promises (CSP, labels, htmx)."""

from __future__ import annotations

import json
import re

import pytest

from tests.ui_support import HX, admin_client, make_user, sign_in, text


@pytest.fixture
def admin(app):
    return admin_client(app)


def pages(sandbox) -> list[str]:
    acme = sandbox.enabled("acme")
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    return ["/platform/voke-esm", f"/platform/voke-esm?org={acme.org_id}",
            "/platform/organizations", f"/platform/plants/{plant_id}",
            f"/platform/voke-esm/{acme.org_id}/plants/new"]


def test_every_page_is_in_the_layout_without_inline_script_or_style(admin, sandbox):
    for path in pages(sandbox):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        html = text(response)
        assert "style=" not in html and "<style" not in html, path
        assert re.findall(r"<script[^>]*>", html) == [
            '<script src="/static/vendor/htmx.min.js" defer>',
            '<script src="/static/js/app.js" defer>'], path
        assert " hx-on" not in html and "javascript:" not in html, path
        assert 'action="/logout"' in html and "admin@example.com" in html
        assert '<nav class="site-nav" aria-label="Main">' in html


def test_every_input_has_a_label(admin, sandbox):
    for path in pages(sandbox):
        html = text(admin.get(path))
        for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", html):
            if 'type="hidden"' in tag:
                continue
            input_id = re.search(r'id="([^"]+)"', tag).group(1)
            assert re.search(rf'<label (?:class="[\w -]+" )?for="{input_id}"', html), (path, tag)


def test_htmx_is_configured_for_the_csp_and_422(admin):
    html = text(admin.get("/platform/voke-esm"))
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    config = json.loads(meta)
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    assert config["historyRestoreAsHxRequest"] is False
    handling = {rule["code"]: rule for rule in config["responseHandling"]}
    assert handling["422"]["swap"] is True and handling["[45].."]["error"] is True
    codes = [rule["code"] for rule in config["responseHandling"]]
    assert codes.index("422") < codes.index("[45]..")


def test_csrf_header_sits_on_an_element_inside_body(admin):
    html = text(admin.get("/platform/voke-esm"))
    body = html.split("<body>", 1)[1]
    assert re.search(r'<div class="page" hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'>', body)


def test_flashes_travel_out_of_band_on_fragments(admin, sandbox):
    org_id = sandbox.org("acme", "Acme")
    html = text(admin.post(f"/platform/voke-esm/{org_id}/enable", headers=HX))
    flashes = re.search(r'<template>\s*<div id="flashes" class="flashes" hx-swap-oob="true">'
                        r"(.*?)</div>\s*</template>", html, re.S).group(1)
    assert "Voke ESM enabled for Acme." in flashes
    quiet = text(admin.get(f"/platform/voke-esm?org={org_id}", headers=HX))
    assert 'id="flashes"' not in quiet  # a read with nothing pending leaves the messages be
    saved = text(admin.post(f"/platform/voke-esm/{org_id}/disable", headers=HX))
    assert saved.count('id="flashes"') == 1


def test_404_page_is_in_the_layout(admin):
    response = admin.get("/platform/nothing-here")
    assert response.status_code == 404
    html = text(response)
    assert "Not found" in html and 'class="site-header"' in html and "Error 404" in html


def test_404_outside_platform_for_anonymous_offers_sign_in(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert 'href="/login"' in text(response)


def test_500_page_is_in_the_layout(app, client):
    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode")
    assert response.status_code == 500
    html = text(response)
    assert "Something went wrong" in html and 'class="site-header"' in html
    assert "boom" not in html


def test_429_page_for_too_many_sign_ins(app, client):
    make_user(app)
    for _ in range(5):
        sign_in(client, "admin@example.com", "not the password")
    response = sign_in(client, "admin@example.com", "not the password")
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "Too many sign-in attempts" in text(response)


def test_a_change_clears_stale_flashes(admin, sandbox):
    acme = sandbox.enabled("acme")
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    assert "Signed in as" in text(admin.get(f"/platform/plants/{plant_id}"))
    form = {"externalPlantId": "SITE-B", "name": "B", "fvePeakPowerKwp": "0",
            "capacityKwh": "0", "esiState": "PLC_READY", "tc-from": "00:00", "tc-to": "23:59",
            "tc-pBatMax": "1", "tc-pBatMin": "-1", "tc-socMax": "90", "tc-socMin": "10"}
    html = text(admin.post(f"/platform/plants/{plant_id}", data=form, headers=HX))
    assert re.search(r'<template>\s*<div id="flashes" class="flashes" hx-swap-oob="true">'
                     r"\s*</div>\s*</template>", html)


def test_error_page_message_is_marked_for_htmx_error_reporting(admin):
    response = admin.get("/platform/plants/not-a-uuid", headers=HX)
    assert response.status_code == 400
    assert re.search(r"data-error-message>id must be a UUID<", text(response))


def test_a_favicon_is_served_to_anyone(client):
    """Without one, every page logged a 404 in the browser console."""
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data
    assert '<link rel="icon" href="/static/favicon.svg"' in text(client.get("/login"))
