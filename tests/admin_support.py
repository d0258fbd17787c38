"""Helpers for the admin API tests: accounts, a signed-in SuperAdmin, tokens that must fail."""

from __future__ import annotations

import uuid

import jwt

from tests.factories import assert_envelope
from voke_esm import tokens
from voke_esm.auth.identity import SESSION_KEY
from voke_esm.extensions import db
from voke_esm.models import User
from voke_esm.services import accounts

LOGIN_URL = "/api/v1/auth/login"
ORGS_URL = "/api/v1/organizations"
ADMIN_URL = "/api/v1/voke-esm/admin"
PLANTS_URL = f"{ADMIN_URL}/plants"
PASSWORD = "correct horse battery staple"
MISSING_UUID = "00000000-0000-4000-8000-000000000000"
# The product page's create body; PLANT-001 is taken by the default plant enable creates.
EXAMPLE_PLANT = {
    "clientId": "acme-client-id",
    "externalPlantId": "PLANT-001",
    "name": "Acme Site A",
    "description": "Battery storage + PV",
    "fvePeakPowerKwp": 120.0,
    "capacityKwh": 200.0,
    "configEnabled": True,
    "timeConfigs": [
        {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
         "socMin": 20},
        {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
         "socMin": 30},
    ],
}


def make_user(app, email: str, superadmin: bool = True, password: str = PASSWORD) -> str:
    with app.app_context():
        return str(accounts.create_user(email, password, superadmin=superadmin).id)


def login(client, email: str, password: str = PASSWORD) -> str:
    response = client.post(LOGIN_URL, json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return response.json["accessToken"]


def user_token(app, user_id: str) -> str:
    """What a sign-in would answer, without paying for another scrypt check."""
    with app.app_context():
        return accounts.issue_user_token(db.session.get(User, uuid.UUID(user_id)))[0]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expired_user_token(app, user_id: str, email: str) -> str:
    return tokens.issue(tokens.USER, app.config["JWT_SECRET"], user_id, -10, email=email)


def forged_user_token(user_id: str, email: str) -> str:
    """A well-formed user token signed with a secret the server does not hold."""
    return tokens.issue(tokens.USER, "not-the-server-secret-0123456789abcdef", user_id, 3600,
                        email=email)


def unsigned_user_token(user_id: str, email: str) -> str:
    return jwt.encode({"iss": "voke", "aud": "voke-api", "sub": user_id, "iat": 0,
                       "exp": 2**40, "jti": "x", "email": email}, None, algorithm="none")


class Admin:
    """A signed-in SuperAdmin driving the admin API through the test client."""

    def __init__(self, app, client, email: str = "root@voke.test"):
        self.app = app
        self.client = client
        self.user_id = make_user(app, email)
        self.email = email
        self.headers = bearer(user_token(app, self.user_id))

    def open(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self.open("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.open("DELETE", path, **kwargs)

    def create_org(self, slug: str = "acme", **fields) -> dict:
        response = self.post(ORGS_URL, json={"name": slug.title(), "slug": slug, **fields})
        assert response.status_code == 201, response.json
        return response.json

    def enable(self, org_id: str) -> dict:
        response = self.post(f"{ADMIN_URL}/enable", query_string={"orgId": org_id})
        assert response.status_code == 201, response.json
        return response.json


def assert_error(response, status: int, code: str, detail: str | None = None) -> dict:
    """The contract's envelope with this status and code (and this details line, if given)."""
    body = assert_envelope(response, status, code)
    if detail is not None:
        assert detail in body.get("details", []), body
    return body


def sign_in_browser(app, client, user_id: str) -> None:
    """Give the test client's cookie jar a server-side browser session for this user."""
    with app.app_context():
        session_id, _ = accounts.start_browser_session(db.session.get(User, uuid.UUID(user_id)))
    with client.session_transaction() as session:
        session[SESSION_KEY] = session_id


def call_route(client, world: dict, route: tuple, headers: dict | None = None):
    """Call one (method, path template, body template) route with the world's ids filled in."""
    method, path, body = route
    values = {"org": world["acme"].org_id, "plant": world["plant"],
              "client": world["acme"].client_id}
    if body is not None:
        body = {key: value.format(**values) if isinstance(value, str) else value
                for key, value in body.items()}
    return client.open(path.format(**values), method=method, json=body, headers=headers or {})
