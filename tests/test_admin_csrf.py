"""With CSRF protection on: cookie-authenticated unsafe requests need X-CSRFToken, bearer ones
do not (the app fixture turns CSRF off, so these tests build their own app)."""

from __future__ import annotations

import secrets

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf

from tests.admin_support import (
    ADMIN_URL,
    LOGIN_URL,
    ORGS_URL,
    PASSWORD,
    PLANTS_URL,
    assert_error,
    bearer,
    call_route,
    login,
    make_user,
    sign_in_browser,
    user_token,
)
from tests.conftest import app_for, base_env
from tests.factories import Sandbox


@pytest.fixture
def csrf_app(tmp_path, database_url):
    with app_for(base_env(tmp_path, database_url)) as app:
        assert app.config["WTF_CSRF_ENABLED"]
        yield app


@pytest.fixture
def world(csrf_app):
    acme = Sandbox(csrf_app).enabled("acme")
    plant_id = Sandbox(csrf_app).plant(acme.client_id, "PLANT-002")
    root_id = make_user(csrf_app, "root@voke.test")
    return {"acme": acme, "plant": plant_id, "root": root_id}


@pytest.fixture
def browser(csrf_app, world):
    """A test client signed in as the SuperAdmin through a session cookie."""
    client = csrf_app.test_client()
    sign_in_browser(csrf_app, client, world["root"])
    return client


def csrf_token_for(app, client) -> str:
    """What a page would embed: a signed token for the raw value in this client's session."""
    raw = secrets.token_hex(20)
    with client.session_transaction() as cookie_session:
        cookie_session["csrf_token"] = raw
    with app.test_request_context():
        session["csrf_token"] = raw
        return generate_csrf()


UNSAFE = [
    ("POST", ORGS_URL, {"name": "Beta", "slug": "beta"}),
    ("POST", ADMIN_URL + "/enable?orgId={org}", None),
    ("POST", ADMIN_URL + "/disable?orgId={org}", None),
    ("POST", PLANTS_URL, {"clientId": "{client}", "externalPlantId": "PLANT-009", "name": "X"}),
    ("PATCH", PLANTS_URL + "/{plant}", {"name": "Renamed"}),
    ("DELETE", PLANTS_URL + "/{plant}", None),
]
IDS = [f"{method} {path}" for method, path, _ in UNSAFE]




def assert_untouched(app, world):
    client = app.test_client()
    headers = bearer(user_token(app, world["root"]))
    Sandbox(app).token(world["acme"])  # not rotated, not disabled
    assert [o["slug"] for o in client.get(ORGS_URL, headers=headers).json["data"]] == ["acme"]
    assert sorted((p["externalPlantId"], p["name"])
                  for p in client.get(PLANTS_URL, headers=headers).json["data"]) == [
        ("PLANT-001", "Default plant"), ("PLANT-002", "PLANT-002")]


@pytest.mark.parametrize("route", UNSAFE, ids=IDS)
def test_cookie_without_csrf_token_is_refused(csrf_app, world, browser, route):
    response = call_route(browser, world, route)
    body = assert_error(response, 403, "FORBIDDEN")
    assert "CSRF" in body["message"]
    assert_untouched(csrf_app, world)


@pytest.mark.parametrize("route", UNSAFE, ids=IDS)
def test_cookie_with_a_wrong_csrf_token_is_refused(csrf_app, world, browser, route):
    stranger = csrf_app.test_client()
    foreign = csrf_token_for(csrf_app, stranger)  # valid, but for another browser's session
    csrf_token_for(csrf_app, browser)
    for token in (foreign, "garbage"):
        assert_error(call_route(browser, world, route, {"X-CSRFToken": token}), 403, "FORBIDDEN")
    assert_untouched(csrf_app, world)


@pytest.mark.parametrize("route", UNSAFE, ids=IDS)
def test_cookie_with_its_csrf_token_is_accepted(csrf_app, world, browser, route):
    token = csrf_token_for(csrf_app, browser)
    response = call_route(browser, world, route, {"X-CSRFToken": token})
    assert response.status_code in (200, 201, 204), response.json


@pytest.mark.parametrize("route", UNSAFE, ids=IDS)
def test_bearer_token_needs_no_csrf_token(csrf_app, world, route):
    client = csrf_app.test_client()
    headers = bearer(login(client, "root@voke.test"))
    response = call_route(client, world, route, headers)
    assert response.status_code in (200, 201, 204), response.json


def test_safe_methods_need_no_csrf_token(world, browser):
    assert browser.get(ORGS_URL).status_code == 200
    assert browser.get(f"{ADMIN_URL}/status?orgId={world['acme'].org_id}").status_code == 200


def test_login_needs_no_csrf_token(csrf_app, world):
    client = csrf_app.test_client()
    response = client.post(LOGIN_URL, json={"email": "root@voke.test", "password": PASSWORD})
    assert response.status_code == 200


def test_non_superadmin_cookie_is_refused_either_way(csrf_app, world):
    client = csrf_app.test_client()
    sign_in_browser(csrf_app, client, make_user(csrf_app, "viewer@voke.test", superadmin=False))
    route = UNSAFE[0]
    assert_error(call_route(client, world, route), 403, "FORBIDDEN")
    token = csrf_token_for(csrf_app, client)
    assert_error(call_route(client, world, route, {"X-CSRFToken": token}), 403,
                 "SUPER_ADMIN_REQUIRED")
