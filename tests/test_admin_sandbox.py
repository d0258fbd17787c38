"""POST enable / POST disable / GET status under /api/v1/voke-esm/admin."""

from __future__ import annotations

import uuid

import pytest

from tests.admin_support import ADMIN_URL, MISSING_UUID, PLANTS_URL, Admin, assert_error
from tests.conftest import app_for, base_env, close_app
from tests.factories import TOKEN_URL
from voke_esm import create_app
from voke_esm.extensions import db
from voke_esm.models import Organization
from voke_esm.services import sandbox

TRADING_LIST_URL = "/api/v1/voke-esm/trading/plant/list"
STATUS_KEYS = ["orgId", "enabled", "status", "clientId", "esmApiUrl", "plantCount", "enabledAt",
               "hasEsmCredentials", "credentials"]


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def org_id(admin):
    return admin.create_org("acme")["id"]


def status_of(admin, org_id):
    response = admin.get(f"{ADMIN_URL}/status", query_string={"orgId": org_id})
    assert response.status_code == 200
    return response.json


def token_response(client, client_id, secret):
    return client.post(TOKEN_URL, json={"clientId": client_id, "clientSecret": secret})


def stored(app, org_id):
    with app.app_context():
        return sandbox.stored_credentials(db.session.get(Organization, uuid.UUID(org_id)))


def test_enable_returns_credentials_once(app, client, admin, org_id):
    response = admin.post(f"{ADMIN_URL}/enable", query_string={"orgId": org_id})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert list(body) == ["clientId", "clientSecret", "esmApiUrl"]
    assert body["clientId"].startswith("voke-esm-acme-")
    assert body["esmApiUrl"] == "http://localhost:4410/api/v1/voke-esm"
    assert token_response(client, body["clientId"], body["clientSecret"]).status_code == 200
    # Voke's encrypted copy in the TradingPartnerConfig holds the same three values.
    assert stored(app, org_id) == body


@pytest.mark.parametrize("port", ["4410", "4567"])
def test_esm_api_url_follows_the_port_in_development(tmp_path, database_url, port):
    """Without VOKE_ESM_INTERNAL_URL, Voke is told the port this server really runs on."""
    with app_for(base_env(tmp_path, database_url, PORT=port)) as app:
        admin = Admin(app, app.test_client())
        body = admin.enable(admin.create_org("acme")["id"])
        assert body["esmApiUrl"] == f"http://localhost:{port}/api/v1/voke-esm"
        status = admin.get(f"{ADMIN_URL}/status", query_string={"orgId": stored_org(app)})
        assert status.json["esmApiUrl"] == body["esmApiUrl"]


def stored_org(app) -> str:
    with app.app_context():
        return str(db.session.scalar(db.select(Organization.id)))


def test_enable_creates_one_default_plant(admin, org_id):
    client_id = admin.enable(org_id)["clientId"]
    plants = admin.get(PLANTS_URL, query_string={"clientId": client_id}).json["data"]
    assert [(p["externalPlantId"], p["version"]) for p in plants] == [("PLANT-001", 1)]
    assert plants[0]["timeConfigs"] == [{"from": "00:00", "to": "23:59", "pBatMax": 50,
                                         "pBatMin": -50, "socMax": 90, "socMin": 20}]


def test_enable_again_rotates_the_secret(app, client, admin, org_id):
    first = admin.enable(org_id)
    old_token = token_response(client, first["clientId"], first["clientSecret"]).json
    second = admin.enable(org_id)
    assert second["clientId"] == first["clientId"]
    assert second["clientSecret"] != first["clientSecret"]
    assert_error(token_response(client, first["clientId"], first["clientSecret"]), 401,
                 "UNAUTHORIZED")
    headers = {"Authorization": f"Bearer {old_token['accessToken']}"}
    assert_error(client.get(TRADING_LIST_URL, headers=headers), 401, "UNAUTHORIZED")
    assert token_response(client, second["clientId"], second["clientSecret"]).status_code == 200
    assert stored(app, org_id)["clientSecret"] == second["clientSecret"]
    assert status_of(admin, org_id)["plantCount"] == 1  # no second default plant


def test_status_of_an_enabled_org(admin, org_id):
    issued = admin.enable(org_id)
    body = status_of(admin, org_id)
    assert list(body) == STATUS_KEYS
    assert body["orgId"] == org_id
    assert (body["enabled"], body["status"], body["clientId"], body["esmApiUrl"],
            body["plantCount"], body["hasEsmCredentials"]) == (
        True, "ENABLED", issued["clientId"], issued["esmApiUrl"], 1, True)
    assert body["enabledAt"].endswith("Z")
    assert issued["clientSecret"] not in str(body)


def test_status_of_an_org_never_enabled(admin, org_id):
    assert status_of(admin, org_id) == {
        "orgId": org_id, "enabled": False, "status": "NOT_CONFIGURED", "clientId": None,
        "esmApiUrl": None, "plantCount": 0, "enabledAt": None, "hasEsmCredentials": False,
        "credentials": "none"}


def test_disable_revokes_everything_and_keeps_the_plants(app, client, admin, org_id):
    issued = admin.enable(org_id)
    token = token_response(client, issued["clientId"], issued["clientSecret"]).json
    response = admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": org_id})
    assert response.status_code == 200
    assert response.json == {"message": "Voke ESM disabled for acme"}
    headers = {"Authorization": f"Bearer {token['accessToken']}"}
    assert_error(client.get(TRADING_LIST_URL, headers=headers), 401, "UNAUTHORIZED")
    assert_error(token_response(client, issued["clientId"], issued["clientSecret"]), 401,
                 "UNAUTHORIZED")
    body = status_of(admin, org_id)
    assert (body["enabled"], body["status"], body["hasEsmCredentials"], body["enabledAt"]) == (
        False, "DISABLED", False, None)
    assert body["plantCount"] == 1
    assert stored(app, org_id) is None  # Voke's copy of the secret is gone


def test_disable_twice_is_harmless(admin, org_id):
    admin.enable(org_id)
    for _ in range(2):
        response = admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": org_id})
        assert response.status_code == 200
    assert status_of(admin, org_id)["status"] == "DISABLED"


def test_disable_an_org_never_enabled_is_409(admin, org_id):
    response = admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": org_id})
    assert_error(response, 409, "CONFLICT")
    assert status_of(admin, org_id)["status"] == "NOT_CONFIGURED"


def test_re_enable_after_disable(client, admin, org_id):
    first = admin.enable(org_id)
    admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": org_id})
    again = admin.enable(org_id)
    assert again["clientId"] == first["clientId"]
    assert token_response(client, again["clientId"], again["clientSecret"]).status_code == 200
    assert_error(token_response(client, first["clientId"], first["clientSecret"]), 401,
                 "UNAUTHORIZED")
    body = status_of(admin, org_id)
    assert (body["status"], body["plantCount"], body["hasEsmCredentials"]) == (
        "ENABLED", 1, True)


@pytest.mark.parametrize("method, action", [("POST", "enable"), ("POST", "disable"),
                                            ("GET", "status")])
def test_org_id_errors(admin, org_id, method, action):
    url = f"{ADMIN_URL}/{action}"
    assert_error(admin.open(method, url), 400, "VALIDATION_ERROR", "orgId: is required")
    assert_error(admin.open(method, url, query_string={"orgId": ""}), 400, "VALIDATION_ERROR",
                 "orgId: is required")
    assert_error(admin.open(method, url, query_string={"orgId": "acme"}), 400, "INVALID_UUID")
    assert_error(admin.open(method, url, query_string={"orgId": MISSING_UUID}), 404,
                 "NOT_FOUND")
    assert status_of(admin, org_id)["status"] == "NOT_CONFIGURED"


def test_enable_with_a_wrong_method_is_405(admin, org_id):
    response = admin.get(f"{ADMIN_URL}/enable", query_string={"orgId": org_id})
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert status_of(admin, org_id)["status"] == "NOT_CONFIGURED"


def test_internal_url_comes_from_the_configuration(tmp_path, database_url):
    url = "http://127.0.0.1:4999/api/v1/voke-esm"
    app = create_app(base_env(tmp_path, database_url, VOKE_ESM_INTERNAL_URL=url),
                     TESTING=True, WTF_CSRF_ENABLED=False)
    try:
        admin = Admin(app, app.test_client())
        org_id = admin.create_org("acme")["id"]
        assert admin.enable(org_id)["esmApiUrl"] == url
        assert status_of(admin, org_id)["esmApiUrl"] == url
    finally:
        close_app(app)
