"""Production's browser surface (CONTRACT §5): HSTS, the `__Host-session` cookie whose lifetime is
the server-side session's, and the CSP's `base-uri 'none'`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from tests.conftest import app_for, base_env
from tests.ui_support import make_user, sign_in
from voke_esm.extensions import db
from voke_esm.models import BrowserSession

PRODUCTION = {"VOKE_ENV": "production", "VOKE_ESM_ENABLED": "true",
              "VOKE_ESM_INTERNAL_URL": "http://127.0.0.1:4410/api/v1/voke-esm"}


@pytest.fixture(params=["development", "production"])
def any_app(request, tmp_path, database_url):
    extra = PRODUCTION if request.param == "production" else {}
    with app_for(base_env(tmp_path, database_url, **extra), WTF_CSRF_ENABLED=False) as app:
        yield app


@pytest.fixture
def production_app(tmp_path, database_url):
    with app_for(base_env(tmp_path, database_url, **PRODUCTION), WTF_CSRF_ENABLED=False) as app:
        yield app


def session_cookie(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie")
               if "session=" in value.split(";")[0]]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def cookie_expiry(cookie: str) -> datetime:
    attributes = dict(part.strip().split("=", 1) for part in cookie.split(";")[1:]
                      if "=" in part)
    return parsedate_to_datetime(attributes["Expires"])


def server_session_expiry(app) -> datetime:
    with app.app_context():
        expires = db.session.scalar(sa.select(BrowserSession.expires_at))
    return expires if expires.tzinfo else expires.replace(tzinfo=UTC)


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/organizations", "/nowhere"])
def test_production_answers_carry_hsts(production_app, path):
    response = production_app.test_client().get(path, base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_development_sends_no_hsts(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/organizations", "/nowhere"])
def test_csp_forbids_any_base_element(any_app, path):
    policy = any_app.test_client().get(path, base_url="https://localhost").headers[
        "Content-Security-Policy"]
    directives = [part.strip() for part in policy.split(";")]
    assert "base-uri 'none'" in directives
    assert "base-uri 'self'" not in directives


def test_production_session_cookie_is_host_prefixed_and_secure(production_app):
    make_user(production_app)
    client = production_app.test_client()
    response = sign_in(client, "admin@example.com")
    assert response.status_code == 303
    cookie = session_cookie(response)
    assert cookie.startswith("__Host-session=")
    attributes = [part.strip() for part in cookie.split(";")]
    assert "Secure" in attributes and "HttpOnly" in attributes and "Path=/" in attributes
    assert not any(part.lower().startswith("domain=") for part in attributes)
    # the cookie works: the browser (over HTTPS) is signed in with it
    page = client.get("/platform/voke-esm", base_url="https://localhost")
    assert page.status_code == 200


def test_development_keeps_the_plain_session_cookie(app, client):
    make_user(app)
    cookie = session_cookie(sign_in(client, "admin@example.com"))
    assert cookie.startswith("session=") and "Secure" not in cookie


def test_the_cookie_lives_exactly_as_long_as_the_server_session(any_app):
    make_user(any_app)
    client = any_app.test_client()
    response = sign_in(client, "admin@example.com")
    expires = cookie_expiry(session_cookie(response))
    server = server_session_expiry(any_app)
    assert server - timedelta(seconds=1) < expires <= server
    assert timedelta(hours=11) < server - datetime.now(UTC) <= timedelta(hours=12)


def test_a_later_change_to_the_cookie_does_not_extend_it(any_app):
    make_user(any_app)
    client = any_app.test_client()
    first = cookie_expiry(session_cookie(sign_in(client, "admin@example.com")))
    # a page with a form adds a CSRF token to the session: the cookie is written again
    any_app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/platform/organizations", base_url="https://localhost")
    assert page.status_code == 200
    rewritten = [value for value in page.headers.getlist("Set-Cookie") if "session=" in value]
    assert rewritten, "the page was expected to rewrite the session cookie"
    assert cookie_expiry(rewritten[0]) == first
