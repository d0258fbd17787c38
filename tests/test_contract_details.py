"""Contract details from the audit (CONTRACT §1, §2, §5): malformed bearer headers, tokens in
the query, 405 with Allow, JSON for every /api answer, trusted hosts, the moving window and
the sign-in throttle's key prefix."""

from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.admin_support import bearer, make_user, user_token
from tests.conftest import app_for, base_env, close_app
from tests.factories import Sandbox, assert_envelope
from voke_esm import ConfigError, create_app
from voke_esm.extensions import db
from voke_esm.models import BrowserSession

TRADING = "/api/v1/voke-esm/trading"
LIST_URL = f"{TRADING}/plant/list"
CONFIG_URL = f"{TRADING}/plant/config?plantId=PLANT-001"
UPDATE_URL = f"{TRADING}/plant/config/update"
TOKEN_URL = f"{TRADING}/token"
ORGS_URL = "/api/v1/organizations"
INVALID_TOKEN = 'Bearer error="invalid_token"'


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled()


@pytest.fixture
def admin_headers(app):
    return bearer(user_token(app, make_user(app, "root@voke.test")))


# -- §2: the bearer header and the query string -------------------------------------------------

@pytest.mark.parametrize("header", ["Bearer", "bearer", "Bearer ", "Bearer \t"])
@pytest.mark.parametrize("url", [LIST_URL, CONFIG_URL, ORGS_URL])
def test_bearer_with_nothing_after_it_is_an_invalid_token(client, acme, header, url):
    response = client.get(url, headers={"Authorization": header})
    assert_envelope(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN


@pytest.mark.parametrize("url", [LIST_URL, CONFIG_URL])
def test_no_authorization_header_is_a_plain_bearer_challenge(client, acme, url):
    response = client.get(url)
    assert_envelope(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("with_header", [False, True], ids=["query-only", "also-header"])
@pytest.mark.parametrize("method, url", [("GET", LIST_URL), ("GET", CONFIG_URL),
                                         ("POST", UPDATE_URL)])
def test_a_token_in_the_query_string_is_refused(client, sandbox, acme, with_header, method,
                                                 url):
    token = sandbox.token(acme)
    headers = bearer(token) if with_header else {}
    joiner = "&" if "?" in url else "?"
    response = client.open(f"{url}{joiner}access_token={token}", method=method,
                           headers=headers, json={"plantId": "PLANT-001"})
    body = assert_envelope(response, 400, "BAD_REQUEST")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_request"'
    assert token not in body["message"]


# -- §1: 405, OPTIONS, double slashes: always the envelope ------------------------------------

@pytest.mark.parametrize("method, url, allowed", [
    ("GET", TOKEN_URL, {"POST"}), ("DELETE", LIST_URL, {"GET", "HEAD"}),
    ("PUT", UPDATE_URL, {"POST"}), ("DELETE", ORGS_URL, {"GET", "HEAD", "POST"}),
    ("PUT", "/api/v1/auth/login", {"POST"}),
])
def test_a_wrong_method_is_405_method_not_allowed_with_allow(client, admin_headers, method,
                                                             url, allowed):
    response = client.open(url, method=method, headers=admin_headers)
    body = assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert body["error"] == "Method Not Allowed"
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


@pytest.mark.parametrize("url, allowed", [(TOKEN_URL, {"POST"}), (LIST_URL, {"GET", "HEAD"}),
                                          (ORGS_URL, {"GET", "HEAD", "POST"})])
def test_options_under_the_api_is_the_405_envelope(client, url, allowed):
    response = client.options(url)
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


@pytest.mark.parametrize("path, status", [
    ("/api//v1/organizations", 404), ("/api/v1//organizations", 404),
    ("/api/v1/voke-esm//trading/token", 404), ("//api//v1/nothing", 404),
    ("//api/v1/organizations", 401),  # werkzeug routes leading slashes as one: still JSON
])
def test_double_slash_paths_under_the_api_are_json_never_a_redirect(client, path, status):
    # The test client would read `//api` as a host name; a real server passes the path as is.
    response = client.get("/", environ_overrides={"PATH_INFO": path})
    assert_envelope(response, status, "NOT_FOUND" if status == 404 else "UNAUTHORIZED")
    assert "Location" not in response.headers


# -- §5: trusted hosts --------------------------------------------------------------------------

@pytest.mark.parametrize("method, url", [("GET", LIST_URL), ("POST", TOKEN_URL),
                                         ("POST", "/api/v1/auth/login"), ("GET", ORGS_URL)])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:4410", "localhost.evil.example",
                                  "127.0.0.2", "[::2]:4410", "bad host", "évil.example"])
def test_an_untrusted_host_gets_the_envelope_under_the_api(client, acme, method, url, host):
    response = client.open(url, method=method, headers={"Host": host}, json={})
    assert_envelope(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("url", ["/login", "/", "/platform/voke-esm", "/nowhere"])
@pytest.mark.parametrize("host", ["evil.example", "bad host"])
def test_an_untrusted_host_gets_a_page_elsewhere_with_no_url_built_from_it(client, url, host):
    response = client.get(url, headers={"Host": host})
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Location" not in response.headers and "evil" not in page and "bad host" not in page


def test_posting_the_sign_in_form_to_an_untrusted_host_is_refused(client, app):
    make_user(app, "root@voke.test")
    response = client.post("/login", headers={"Host": "evil.example"}, data={
        "email": "root@voke.test", "password": "correct horse battery staple"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BrowserSession.id))) == 0


@pytest.mark.parametrize("host", ["localhost", "localhost:4410", "127.0.0.1", "127.0.0.1:4410",
                                  "[::1]", "[::1]:4410", "LOCALHOST:8080"])
def test_loopback_hosts_are_served_on_any_port(client, acme, host):
    assert client.get(LIST_URL, headers={"Host": host}).status_code == 401  # reached the guard
    assert client.get("/login", headers={"Host": host}).status_code == 200


def test_voke_esm_trusted_hosts_adds_names(tmp_path, database_url):
    env = base_env(tmp_path, database_url,
                   VOKE_ESM_TRUSTED_HOSTS="admin.example.com, Other.Example.org")
    with app_for(env) as app:
        client = app.test_client()
        for host in ("admin.example.com", "admin.example.com:443", "other.example.org"):
            assert client.get("/login", headers={"Host": host}).status_code == 200, host
        assert client.get("/login", headers={"Host": "sub.admin.example.com"}).status_code == 400


@pytest.mark.parametrize("value", ["https://admin.example.com", "admin.example.com:443",
                                   "admin example", "*.example.com"])
def test_a_trusted_host_that_is_not_a_name_stops_startup(tmp_path, value):
    env = base_env(tmp_path, f"sqlite:///{tmp_path}/x.sqlite3", VOKE_ESM_TRUSTED_HOSTS=value)
    with pytest.raises(ConfigError, match="VOKE_ESM_TRUSTED_HOSTS"):
        create_app(env)


# -- §2: the rate limit is a moving window ------------------------------------------------------

LIMIT, PERIOD = 5, 2.0


def most_in_any_window(calls: list[tuple[float, float]], period: float) -> int:
    """The most successes surely counted within one period: each call (sent, answered) was
    counted in between, and calls are sequential, so j after i lies in i's period when it was
    answered before i was sent plus the period (no false alarm from a slow answer)."""
    return max((sum(1 for _, answered in calls[i:] if answered < sent + period)
                for i, (sent, _) in enumerate(calls)), default=0)


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_the_trading_limit_is_a_moving_window(request, tmp_path, database_url, storage):
    env = base_env(tmp_path, database_url, VOKE_ESM_RATE_LIMIT=f"{LIMIT} per 2 seconds")
    if storage == "redis":
        env["RATELIMIT_STORAGE_URI"] = request.getfixturevalue("redis_url")
    with redis_app(env, f"test-{uuid.uuid4().hex}") as app:
        acme = Sandbox(app).enabled()
        client = app.test_client()
        body = {"clientId": acme.client_id, "clientSecret": acme.client_secret}
        passed: list[tuple[float, float]] = []

        def burst(count: int) -> None:
            for _ in range(count):
                sent = time.monotonic()
                if client.post(TOKEN_URL, json=body).status_code == 200:
                    passed.append((sent, time.monotonic()))

        start = time.monotonic()
        burst(1)
        time.sleep(max(0.0, start + 1.5 - time.monotonic()))
        burst(LIMIT + 1)  # the end of the first window (a fixed one would reset at 2 s)
        time.sleep(max(0.0, start + 2.2 - time.monotonic()))
        burst(LIMIT + 1)
    assert len(passed) >= LIMIT + 1  # the first call's slot came free, and only it
    assert most_in_any_window(passed, PERIOD) <= LIMIT, [round(t - start, 2) for t, _ in passed]


# -- §5: the sign-in throttle keeps instances apart on one Redis ---------------------------------

@contextmanager
def redis_app(env: dict, prefix: str):
    """An app counting on the shared Redis under `prefix`; no reset, which would wipe every
    LIMITER key on the server (other test runs' too)."""
    app = create_app({**env, "RATELIMIT_KEY_PREFIX": prefix}, TESTING=True)
    try:
        yield app
    finally:
        close_app(app)


def failed_sign_ins(app, email: str, count: int) -> list[int]:
    client = app.test_client()
    return [client.post("/api/v1/auth/login", json={"email": email, "password": "wrong" * 3})
            .status_code for _ in range(count)]


def test_sign_in_throttles_of_two_instances_on_one_redis_are_apart(env, redis_url):
    import redis

    env = {**env, "RATELIMIT_STORAGE_URI": redis_url, "VOKE_LOGIN_RATE_LIMIT": "3 per minute"}
    first, second = f"test-a-{uuid.uuid4().hex}", f"test-b-{uuid.uuid4().hex}"
    email = f"{uuid.uuid4().hex}@voke.test"
    with redis_app(env, first) as one, redis_app(env, second) as two, \
            redis_app(env, first) as one_again:
        assert failed_sign_ins(one, email, 4) == [401, 401, 401, 429]
        assert failed_sign_ins(two, email, 1) == [401]  # its own counter
        assert failed_sign_ins(one_again, email, 1) == [429]  # same prefix: same counter
    keys = redis.Redis.from_url(redis_url).keys(f"*{first}*")
    assert keys and all(b"sign-in" in key for key in keys)
