"""Sign-in (POST /api/v1/auth/login) and the SuperAdmin guard on every admin route."""

from __future__ import annotations

import uuid

import jwt
import pytest

from tests.admin_support import (
    ADMIN_URL,
    LOGIN_URL,
    ORGS_URL,
    PASSWORD,
    PLANTS_URL,
    assert_error,
    bearer,
    call_route,
    expired_user_token,
    forged_user_token,
    login,
    make_user,
    sign_in_browser,
    unsigned_user_token,
    user_token,
)
from tests.conftest import app_for, base_env
from tests.factories import TOKEN_URL
from voke_esm.extensions import db
from voke_esm.models import User
from voke_esm.services import accounts

TRADING_LIST_URL = "/api/v1/voke-esm/trading/plant/list"


@pytest.fixture
def world(app, sandbox):
    """An enabled organization with its default plant and one more, plus a non-admin user."""
    acme = sandbox.enabled("acme")
    plant_id = sandbox.plant(acme.client_id, "PLANT-002", name="Second")
    user_id = make_user(app, "viewer@voke.test", superadmin=False)
    return {"acme": acme, "plant": plant_id, "user": user_id}


# Every admin route, with a body it would accept from a SuperAdmin.
ROUTES = [
    ("GET", ORGS_URL, None),
    ("POST", ORGS_URL, {"name": "Beta", "slug": "beta"}),
    ("GET", ORGS_URL + "/{org}", None),
    ("POST", ADMIN_URL + "/enable?orgId={org}", None),
    ("POST", ADMIN_URL + "/disable?orgId={org}", None),
    ("GET", ADMIN_URL + "/status?orgId={org}", None),
    ("GET", PLANTS_URL, None),
    ("POST", PLANTS_URL, {"clientId": "{client}", "externalPlantId": "PLANT-009", "name": "X"}),
    ("GET", PLANTS_URL + "/{plant}", None),
    ("PATCH", PLANTS_URL + "/{plant}", {"name": "Renamed"}),
    ("DELETE", PLANTS_URL + "/{plant}", None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ROUTES]




def assert_nothing_changed(app, root, world, sandbox):
    """A refused request left the org, its credentials and its plants as they were."""
    sandbox.token(world["acme"])  # the secret was neither rotated nor revoked
    client = app.test_client()
    orgs = client.get(ORGS_URL, headers=root).json
    assert [o["slug"] for o in orgs["data"]] == ["acme"]
    plants = client.get(PLANTS_URL, headers=root).json["data"]
    assert sorted((p["externalPlantId"], p["name"]) for p in plants) == [
        ("PLANT-001", "Default plant"), ("PLANT-002", "Second")]


@pytest.fixture
def root_id(app):
    return make_user(app, "root@voke.test")


@pytest.fixture
def root(app, root_id):
    """Bearer headers of a SuperAdmin."""
    return bearer(user_token(app, root_id))


# --- sign-in -------------------------------------------------------------------------------

def test_login_returns_a_user_token(app, client):
    make_user(app, "Root@Voke.test")
    response = client.post(LOGIN_URL, json={"email": "root@voke.test", "password": PASSWORD})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["tokenType"] == "Bearer"
    assert body["expiresIn"] == 3600
    claims = jwt.decode(body["accessToken"], app.config["JWT_SECRET"], algorithms=["HS256"],
                        audience="voke-api")
    assert claims["iss"] == "voke"
    assert claims["exp"] - claims["iat"] == 3600
    assert jwt.get_unverified_header(body["accessToken"])["typ"] == "JWT"


def test_login_token_opens_the_admin_api(client, app):
    make_user(app, "root@voke.test")
    token = login(client, "root@voke.test")
    assert client.get(ORGS_URL, headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("body, detail", [
    ({"password": PASSWORD}, "email: is required"),
    ({"email": "root@voke.test"}, "password: is required"),
    ({"email": 5, "password": PASSWORD}, "email: must be a string"),
    ({"email": "root@voke.test", "password": ""}, "password: must be 1 to 1024 characters"),
])
def test_login_validation(app, client, body, detail):
    make_user(app, "root@voke.test")
    assert_error(client.post(LOGIN_URL, json=body), 400, "VALIDATION_ERROR", detail)


def test_login_refuses_non_json(client):
    response = client.post(LOGIN_URL, data="email=a&password=b",
                           content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    response = client.post(LOGIN_URL, data="{", content_type="application/json")
    assert_error(response, 400, "BAD_REQUEST")


def test_wrong_password_and_unknown_account_get_the_same_answer(app, client, monkeypatch):
    make_user(app, "root@voke.test")
    checks = []
    original = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda stored, given: checks.append(stored) or original(stored, given))
    wrong = client.post(LOGIN_URL, json={"email": "root@voke.test", "password": "x" * 12})
    unknown = client.post(LOGIN_URL, json={"email": "nobody@voke.test", "password": PASSWORD})
    assert_error(wrong, 401, "UNAUTHORIZED")
    assert (wrong.status_code, wrong.json, wrong.headers.get("WWW-Authenticate")) == (
        unknown.status_code, unknown.json, unknown.headers.get("WWW-Authenticate"))
    # Both paths pay for exactly one scrypt check, so timing does not tell them apart either.
    assert len(checks) == 2
    assert all(stored.startswith("scrypt:") for stored in checks)


def test_non_superadmin_can_sign_in_but_not_administer(app, client):
    make_user(app, "viewer@voke.test", superadmin=False)
    token = login(client, "viewer@voke.test")
    assert_error(client.get(ORGS_URL, headers=bearer(token)), 403, "SUPER_ADMIN_REQUIRED")


def test_user_token_is_refused_by_the_trading_api(app, client, sandbox):
    sandbox.enabled()
    make_user(app, "root@voke.test")
    token = login(client, "root@voke.test")
    response = client.get(TRADING_LIST_URL, headers=bearer(token))
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


# --- the guard, on every admin route -------------------------------------------------------

@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_superadmin_is_let_through(client, world, root, route):
    response = call_route(client, world, route, headers=root)
    assert response.status_code in (200, 201, 204), response.json


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_no_credentials_is_401(app, client, world, sandbox, root, route):
    response = call_route(client, world, route)
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_nothing_changed(app, root, world, sandbox)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_non_superadmin_is_403(app, client, world, sandbox, root, route):
    token = user_token(app, world["user"])
    assert_error(call_route(client, world, route, bearer(token)), 403, "SUPER_ADMIN_REQUIRED")
    assert_nothing_changed(app, root, world, sandbox)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_non_superadmin_browser_session_is_403(app, client, world, sandbox, root, route):
    sign_in_browser(app, client, world["user"])
    assert_error(call_route(client, world, route), 403, "SUPER_ADMIN_REQUIRED")
    assert_nothing_changed(app, root, world, sandbox)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_other_tokens_are_401(app, client, world, sandbox, root, root_id, route):
    user_id, email = root_id, "root@voke.test"  # a SuperAdmin: only the token is wrong
    refused = {
        "trading": sandbox.token(world["acme"]),
        "expired": expired_user_token(app, user_id, email),
        "forged": forged_user_token(user_id, email),
        "unsigned": unsigned_user_token(user_id, email),
        "garbage": "not-a-jwt",
    }
    for kind, token in refused.items():
        response = call_route(client, world, route, bearer(token))
        assert response.status_code == 401, kind
        assert_error(response, 401, "UNAUTHORIZED")
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"', kind
    assert_nothing_changed(app, root, world, sandbox)


def test_invalid_token_does_not_fall_back_to_the_session_cookie(app, client, world):
    root = make_user(app, "other-root@voke.test")
    sign_in_browser(app, client, root)
    assert client.get(ORGS_URL).status_code == 200
    response = client.get(ORGS_URL, headers=bearer("not-a-jwt"))
    assert_error(response, 401, "UNAUTHORIZED")


def test_token_of_a_deleted_account_is_refused(app, client):
    user_id = make_user(app, "gone@voke.test")
    token = login(client, "gone@voke.test")
    with app.app_context():
        db.session.delete(db.session.get(User, uuid.UUID(user_id)))
        db.session.commit()
    assert_error(client.get(ORGS_URL, headers=bearer(token)), 401, "UNAUTHORIZED")


def test_trading_token_endpoint_still_separate(client, world):
    """The ESM client's own token endpoint is not behind the SuperAdmin guard."""
    acme = world["acme"]
    response = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                            "clientSecret": acme.client_secret})
    assert response.status_code == 200


# --- the sign-in throttle ------------------------------------------------------------------

@pytest.fixture
def throttled_app(tmp_path, database_url):
    env = base_env(tmp_path, database_url, VOKE_LOGIN_RATE_LIMIT="3 per minute",
                   VOKE_LOGIN_ADDRESS_RATE_LIMIT="5 per minute")
    with app_for(env, WTF_CSRF_ENABLED=False) as app:
        yield app


def attempt(client, email, password, address):
    return client.post(LOGIN_URL, json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def assert_throttled(response):
    assert_error(response, 429, "TOO_MANY_REQUESTS")
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_sign_in_is_throttled_per_account(throttled_app):
    client = throttled_app.test_client()
    make_user(throttled_app, "root@voke.test")
    make_user(throttled_app, "other@voke.test")
    for n in range(3):  # each failure from a different address: only the account counts
        assert attempt(client, "root@voke.test", "wrong password!", f"10.0.0.{n}").status_code \
            == 401
    # Now even the right password is refused for this account, from anywhere...
    assert_throttled(attempt(client, "root@voke.test", PASSWORD, "10.0.1.1"))
    assert_throttled(attempt(client, "ROOT@voke.test ", PASSWORD, "10.0.1.2"))
    # ...while another account signs in from the same address.
    assert attempt(client, "other@voke.test", PASSWORD, "10.0.1.1").status_code == 200


def test_sign_in_is_throttled_per_address(throttled_app):
    client = throttled_app.test_client()
    make_user(throttled_app, "root@voke.test")
    for n in range(5):  # unknown accounts count against the address too
        assert attempt(client, f"nobody{n}@voke.test", PASSWORD, "10.9.9.9").status_code == 401
    assert_throttled(attempt(client, "root@voke.test", PASSWORD, "10.9.9.9"))
    assert attempt(client, "root@voke.test", PASSWORD, "10.9.9.10").status_code == 200


def test_successful_sign_ins_are_not_throttled(throttled_app):
    client = throttled_app.test_client()
    make_user(throttled_app, "root@voke.test")
    for _ in range(8):
        assert attempt(client, "root@voke.test", PASSWORD, "10.0.0.1").status_code == 200


def test_unknown_and_existing_accounts_throttle_alike(throttled_app):
    """Locking out reveals nothing either: an unknown account is throttled like a real one."""
    client = throttled_app.test_client()
    make_user(throttled_app, "root@voke.test")
    answers = {}
    for email in ("root@voke.test", "nobody@voke.test"):
        codes = [attempt(client, email, "wrong password!", f"10.1.{n}.{len(answers)}")
                 .status_code for n in range(4)]
        answers[email] = codes
    assert answers["root@voke.test"] == answers["nobody@voke.test"] == [401, 401, 401, 429]
