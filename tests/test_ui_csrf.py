"""The admin UI with CSRF protection on, as in production."""

from __future__ import annotations

import re

import pytest

from tests.conftest import app_for, base_env
from tests.ui_support import HX, PASSWORD, make_user, text


@pytest.fixture
def app(tmp_path, database_url):
    with app_for(base_env(tmp_path, database_url)) as app:
        assert app.config.get("WTF_CSRF_ENABLED", True)
        yield app


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def header_token(html: str) -> str:
    return re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html).group(1)


@pytest.fixture
def admin(app, client):
    make_user(app)
    token = csrf_token(text(client.get("/login")))
    response = client.post("/login", data={"email": "admin@example.com", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303
    return client


def test_login_without_the_token_gets_the_friendly_expired_page(app, client):
    make_user(app)
    response = client.post("/login", data={"email": "admin@example.com", "password": PASSWORD})
    assert response.status_code == 400
    html = text(response)
    assert "This form has expired" in html and "<html" in html
    assert "Reload the page and try again." in html


def test_a_post_without_the_token_changes_nothing(admin, sandbox):
    org_id = sandbox.org("acme")
    response = admin.post(f"/platform/voke-esm/{org_id}/enable", headers=HX)
    assert response.status_code == 400
    assert "This form has expired" in text(response)
    panel = text(admin.get(f"/platform/voke-esm?org={org_id}"))
    assert "Not configured" in panel


def test_htmx_requests_pass_with_the_header_token(admin, sandbox):
    org_id = sandbox.org("acme")
    page = text(admin.get(f"/platform/voke-esm?org={org_id}"))
    headers = {**HX, "X-CSRFToken": header_token(page)}
    response = admin.post(f"/platform/voke-esm/{org_id}/enable", headers=headers)
    assert response.status_code == 200 and "cred-client-secret" in text(response)
    plant_id = re.search(r"/platform/plants/([0-9a-f-]{36})", text(response)).group(1)
    assert admin.delete(f"/platform/plants/{plant_id}", headers=HX).status_code == 400
    assert admin.delete(f"/platform/plants/{plant_id}", headers=headers).status_code == 200


def test_forms_carry_the_token_and_pass(admin):
    page = text(admin.get("/platform/organizations"))
    response = admin.post("/platform/organizations", data={
        "name": "Acme", "slug": "acme", "csrf_token": csrf_token(page)})
    assert response.status_code == 303


def test_sign_out_needs_the_token(admin):
    assert admin.post("/logout").status_code == 400
    token = csrf_token(text(admin.get("/platform/voke-esm")))
    assert admin.post("/logout", data={"csrf_token": token}).status_code == 303
    assert admin.get("/platform/voke-esm").status_code == 303


def test_fault_rule_changes_need_the_token(admin, sandbox):
    acme = sandbox.enabled()
    page = text(admin.get(f"/platform/voke-esm?org={acme.org_id}"))
    headers = {**HX, "X-CSRFToken": header_token(page)}
    url = f"/platform/voke-esm/{acme.org_id}/faults"
    assert admin.post(f"{url}/presets/slow-partner", headers=HX).status_code == 400
    assert admin.post(url, headers=HX, data={"effect.type": "invalid_token"}).status_code == 400
    assert admin.post(f"{url}/presets/slow-partner", headers=headers).status_code == 200
    assert admin.delete(url, headers=HX).status_code == 400
    response = admin.delete(url, headers=headers)
    assert response.status_code == 200 and "No fault rules" in text(response)
