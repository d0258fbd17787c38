"""The trading guards (loopback -> rate limit -> bearer) and the envelope for bad input (§1, §2)."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import app_for, base_env
from tests.factories import Sandbox, assert_envelope
from voke_esm.extensions import db
from voke_esm.services import sandbox as sandbox_service
from voke_esm.services.organizations import get_organization_by_slug

BASE = "/api/v1/voke-esm/trading"
TOKEN_URL = f"{BASE}/token"
LIST_URL = f"{BASE}/plant/list"
CONFIG_URL = f"{BASE}/plant/config"
UPDATE_URL = f"{BASE}/plant/config/update"
BLOCKS = [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
           "socMin": 20}]



def as_peer(address: str, **headers) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}, "headers": headers}


def direct_token(app, client_id: str) -> str:
    """A token issued by the service itself: it uses none of the client's rate-limit quota."""
    from voke_esm.models import EsmClient

    with app.app_context():
        client = db.session.query(EsmClient).filter_by(client_id=client_id).one()
        return sandbox_service.issue_client_token(client)[0]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# -- loopback ----------------------------------------------------------------------------------

ALLOWED = ["127.0.0.1", "127.5.6.7", "127.255.255.254", "::1", "::ffff:127.0.0.1",
           "::ffff:127.9.8.7"]
REFUSED = ["8.8.8.8", "203.0.113.5", "10.0.0.1", "192.168.1.20", "172.16.0.1", "::ffff:10.0.0.1",
           "::ffff:8.8.8.8", "fe80::1", "fe80::1%eth0", "2001:db8::1", "0.0.0.0", "::", "",  # noqa: S104
           "localhost", "not-an-address", "127.0.0.1.nip.io", "128.0.0.1", "126.255.255.255"]


def each_endpoint(client, acme, token: str, **kwargs) -> list:
    """One request to each of the four endpoints, all of them valid apart from the peer."""
    headers = {**kwargs.pop("headers", {}), **bearer(token)}
    return [
        client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                     "clientSecret": acme.client_secret}, **kwargs),
        client.get(LIST_URL, headers=headers, **kwargs),
        client.get(CONFIG_URL, query_string={"plantId": "PLANT-001"}, headers=headers, **kwargs),
        client.post(UPDATE_URL, headers=headers, **kwargs, json={
            "plantId": "PLANT-001", "configUpdateReqCode": "req-1", "validateOnly": True,
            "timeConfigs": BLOCKS}),
    ]


@pytest.mark.parametrize("address", ALLOWED)
def test_loopback_peers_are_served(app, client, sandbox, address):
    acme = sandbox.enabled()
    responses = each_endpoint(client, acme, direct_token(app, acme.client_id),
                              **as_peer(address))
    assert [r.status_code for r in responses] == [200, 200, 200, 200]


@pytest.mark.parametrize("address", REFUSED, ids=repr)
def test_other_peers_are_403_forbidden(app, client, sandbox, address):
    acme = sandbox.enabled()
    responses = each_endpoint(client, acme, direct_token(app, acme.client_id),
                              **as_peer(address))
    for response in responses:
        body = assert_envelope(response, 403, "FORBIDDEN")
        assert "accessToken" not in body and "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("headers", [
    {"X-Forwarded-For": "127.0.0.1"},
    {"X-Forwarded-For": "127.0.0.1, 127.0.0.1"},
    {"Forwarded": "for=127.0.0.1"},
    {"Forwarded": 'for="[::1]"'},
    {"X-Real-IP": "127.0.0.1"},
    {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1", "X-Real-IP": "::1",
     "X-Client-IP": "127.0.0.1", "True-Client-IP": "127.0.0.1", "X-Forwarded-Host": "localhost"},
], ids=["xff", "xff-chain", "forwarded", "forwarded-v6", "x-real-ip", "all"])
@pytest.mark.parametrize("peer", ["203.0.113.5", "10.0.0.1"])
def test_forwarding_headers_are_never_trusted(app, client, sandbox, peer, headers):
    acme = sandbox.enabled()
    responses = each_endpoint(client, acme, direct_token(app, acme.client_id),
                              **as_peer(peer, **headers))
    for response in responses:
        assert_envelope(response, 403, "FORBIDDEN")


def test_a_loopback_peer_claiming_another_address_is_still_served(app, client, sandbox):
    acme = sandbox.enabled()
    responses = each_endpoint(client, acme, direct_token(app, acme.client_id),
                              **as_peer("127.0.0.1", **{"X-Forwarded-For": "203.0.113.5",
                                                        "X-Real-IP": "203.0.113.5"}))
    assert [r.status_code for r in responses] == [200, 200, 200, 200]


def test_the_loopback_guard_comes_before_the_bearer_token(client, sandbox):
    sandbox.enabled()
    response = client.get(LIST_URL, **as_peer("203.0.113.5"))
    assert_envelope(response, 403, "FORBIDDEN")
    assert "WWW-Authenticate" not in response.headers


def test_the_loopback_guard_comes_before_body_validation(client, sandbox):
    sandbox.enabled()
    response = client.post(TOKEN_URL, data="not json", content_type="text/plain",
                           **as_peer("203.0.113.5"))
    assert_envelope(response, 403, "FORBIDDEN")


# -- rate limit (in-process storage) -----------------------------------------------------------

@pytest.fixture
def limited_app(tmp_path, database_url):
    """An app with the contract's default limit of 10 per minute."""
    with app_for(base_env(tmp_path, database_url, VOKE_ESM_RATE_LIMIT="10 per minute")) as app:
        yield app


@pytest.fixture
def limited(limited_app):
    return Sandbox(limited_app), limited_app.test_client()


def assert_rate_limited(response, limit: int = 10) -> None:
    assert_envelope(response, 429, "TOO_MANY_REQUESTS")
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    reset = response.headers["X-RateLimit-Reset"]
    assert reset.isdigit() and time.time() - 1 <= int(reset) <= time.time() + 61


def test_the_eleventh_request_in_a_minute_is_429(limited_app, limited):
    sandbox, client = limited
    acme = sandbox.enabled()
    headers = bearer(direct_token(limited_app, acme.client_id))
    for number in range(1, 11):
        response = client.get(LIST_URL, headers=headers)
        assert response.status_code == 200, number
        assert response.headers["X-RateLimit-Limit"] == "10"
        assert response.headers["X-RateLimit-Remaining"] == str(10 - number)
        assert response.headers["X-RateLimit-Reset"].isdigit()
        assert "Retry-After" not in response.headers
    assert_rate_limited(client.get(LIST_URL, headers=headers))


def client_calls(client, acme, headers) -> dict:
    return {
        "token": lambda: client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                                      "clientSecret": acme.client_secret}),
        "list": lambda: client.get(LIST_URL, headers=headers),
        "config": lambda: client.get(CONFIG_URL, query_string={"plantId": "PLANT-001"},
                                     headers=headers),
        "update": lambda: client.post(UPDATE_URL, headers=headers, json={
            "plantId": "PLANT-001", "configUpdateReqCode": "r", "validateOnly": True,
            "timeConfigs": BLOCKS}),
    }


@pytest.mark.parametrize("last", ["list", "config", "update"])
def test_one_quota_per_client_across_the_bearer_endpoints(limited_app, limited, last):
    sandbox, client = limited
    acme = sandbox.enabled()
    calls = client_calls(client, acme, bearer(direct_token(limited_app, acme.client_id)))
    order = ["list", "config", "update"] * 4
    for name in order[:10]:
        assert calls[name]().status_code == 200, name
    assert_rate_limited(calls[last]())
    # Token requests are counted apart: the client can still take a token.
    assert calls["token"]().status_code == 200


def test_token_requests_have_their_own_quota(limited_app, limited):
    """Anyone on loopback can send a client's clientId with a wrong secret: that must not use
    up the API calls of the client's valid token."""
    sandbox, client = limited
    acme = sandbox.enabled()
    calls = client_calls(client, acme, bearer(direct_token(limited_app, acme.client_id)))
    for _ in range(10):
        response = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                                "clientSecret": "vesm_wrong"})
        assert response.status_code == 401
    assert_rate_limited(calls["token"]())
    for name in ("list", "config", "update"):
        assert calls[name]().status_code == 200, name


def test_another_client_is_not_affected(limited_app, limited):
    sandbox, client = limited
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    acme_headers = bearer(direct_token(limited_app, acme.client_id))
    beta_headers = bearer(direct_token(limited_app, beta.client_id))
    for _ in range(10):
        assert client.get(LIST_URL, headers=acme_headers).status_code == 200
    assert_rate_limited(client.get(LIST_URL, headers=acme_headers))
    for number in range(1, 11):
        response = client.get(LIST_URL, headers=beta_headers)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Remaining"] == str(10 - number)
    assert_rate_limited(client.get(LIST_URL, headers=beta_headers))


def test_the_token_endpoint_is_keyed_by_the_submitted_client_id(limited_app, limited):
    sandbox, client = limited
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    # Wrong secrets count too: the limit is checked before the credentials.
    for _ in range(5):
        response = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                                "clientSecret": "vesm_wrong"})
        assert response.status_code == 401
    for _ in range(5):
        response = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                                "clientSecret": acme.client_secret})
        assert response.status_code == 200
    assert_rate_limited(client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                                     "clientSecret": acme.client_secret}))
    # Beta asks from the same address and is served.
    response = client.post(TOKEN_URL, json={"clientId": beta.client_id,
                                            "clientSecret": beta.client_secret})
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "9"


def test_every_token_of_a_client_shares_its_quota(limited_app, limited):
    sandbox, client = limited
    acme = sandbox.enabled()
    for _ in range(10):
        fresh = bearer(direct_token(limited_app, acme.client_id))
        assert client.get(LIST_URL, headers=fresh).status_code == 200
    assert_rate_limited(client.get(LIST_URL,
                                   headers=bearer(direct_token(limited_app, acme.client_id))))


def test_requests_without_a_token_are_limited_before_the_bearer_check(limited):
    sandbox, client = limited
    sandbox.enabled()
    for _ in range(10):
        response = client.get(LIST_URL)
        assert_envelope(response, 401, "UNAUTHORIZED")
    assert_rate_limited(client.get(LIST_URL))


def test_refused_peers_use_no_quota(limited_app, limited):
    sandbox, client = limited
    acme = sandbox.enabled()
    headers = bearer(direct_token(limited_app, acme.client_id))
    for number in range(20):
        peer = as_peer("203.0.113.5" if number % 2 else "10.0.0.1", **{
            "X-Forwarded-For": "127.0.0.1"})
        assert_envelope(client.get(LIST_URL, headers={**headers, **peer.pop("headers")}, **peer),
                        403, "FORBIDDEN")
        assert_envelope(client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                                     "clientSecret": acme.client_secret},
                                    **as_peer("203.0.113.5")), 403, "FORBIDDEN")
    for number in range(1, 11):
        response = client.get(LIST_URL, headers=headers)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Remaining"] == str(10 - number)
    assert_rate_limited(client.get(LIST_URL, headers=headers))


def test_a_disabled_client_is_still_limited_then_refused(limited_app, limited):
    sandbox, client = limited
    acme = sandbox.enabled()
    headers = bearer(direct_token(limited_app, acme.client_id))
    with limited_app.app_context():
        sandbox_service.disable(get_organization_by_slug("acme"))
    for _ in range(10):
        assert_envelope(client.get(LIST_URL, headers=headers), 401, "UNAUTHORIZED")
    assert_rate_limited(client.get(LIST_URL, headers=headers))


# -- the envelope for bad input ----------------------------------------------------------------

POST_URLS = [TOKEN_URL, UPDATE_URL]


@pytest.fixture
def auth(app, sandbox):
    acme = sandbox.enabled()
    return bearer(direct_token(app, acme.client_id))


@pytest.mark.parametrize("url", POST_URLS, ids=["token", "update"])
@pytest.mark.parametrize("data, message", [
    ("{", "The request body is not valid JSON"),
    ('{"clientId": "a",}', "The request body is not valid JSON"),
    ("", "The request body is not valid JSON"),
    (b"\xff\xfe\x00", "The request body is not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "The request body is not valid JSON"),
    ('{"a":' * 50_000 + "1" + "}" * 50_000, "The request body is not valid JSON"),
    ("1" * 5000, "The request body is not valid JSON"),
    ("[]", "The JSON body must be an object"),
    ('[{"clientId": "a"}]', "The JSON body must be an object"),
    ('"text"', "The JSON body must be an object"),
    ("null", "The JSON body must be an object"),
    ("42", "The JSON body must be an object"),
], ids=["truncated", "trailing-comma", "empty", "not-utf8", "deep-array", "deep-object",
        "huge-int", "array", "array-of-object", "string", "null", "number"])
def test_bodies_that_are_not_a_json_object_are_400(client, auth, url, data, message):
    response = client.post(url, data=data, content_type="application/json", headers=auth)
    body = assert_envelope(response, 400, "BAD_REQUEST")
    assert body["message"] == message


@pytest.mark.parametrize("url", POST_URLS, ids=["token", "update"])
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "text/json",
                                          "application/jsonp"])
def test_a_wrong_content_type_is_415(client, auth, url, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post(url, data='{"clientId": "a", "clientSecret": "b"}', headers=auth,
                           **kwargs)
    if url == TOKEN_URL and content_type == "application/x-www-form-urlencoded":
        # An RFC 6749 token request (CONTRACT §7, tests/test_oauth2_token.py), in its own shape.
        assert response.status_code == 400 and response.json["error"] == "invalid_request"
        return
    assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("url", POST_URLS, ids=["token", "update"])
@pytest.mark.parametrize("size", [1024 * 1024 + 1, 2 * 1024 * 1024], ids=["1MiB+1", "2MiB"])
def test_a_body_over_one_mebibyte_is_413(client, auth, url, size):
    prefix = '{"clientId": "'
    data = prefix + "x" * (size - len(prefix) - 2) + '"}'
    assert len(data) == size
    response = client.post(url, data=data, content_type="application/json", headers=auth)
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


def test_a_body_of_exactly_one_mebibyte_is_read(client, auth):
    body = json.dumps({"plantId": "PLANT-001", "configUpdateReqCode": "req-big",
                       "validateOnly": True, "timeConfigs": BLOCKS})
    data = body + " " * (1024 * 1024 - len(body))  # JSON allows trailing whitespace
    response = client.post(UPDATE_URL, headers=auth, data=data, content_type="application/json")
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("path", [
    "/api", "/api/", "/api/v1", "/api/nope", "/api/v1/voke-esm", "/api/v1/voke-esm/trading",
    f"{BASE}/nope", f"{BASE}/plant", f"{BASE}/plant/list/extra", f"{BASE}/plant/config/update/x",
    f"{BASE}/TOKEN",
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_routes_under_api_are_a_404_envelope(client, path, method):
    response = client.open(path, method=method, json={} if method == "POST" else None)
    body = assert_envelope(response, 404, "NOT_FOUND")
    assert body["statusCode"] == 404


@pytest.mark.parametrize("method, url, allowed", [
    ("GET", TOKEN_URL, "POST"), ("PUT", TOKEN_URL, "POST"), ("DELETE", TOKEN_URL, "POST"),
    ("POST", LIST_URL, "GET"), ("PATCH", LIST_URL, "GET"),
    ("POST", CONFIG_URL, "GET"), ("DELETE", CONFIG_URL, "GET"),
    ("GET", UPDATE_URL, "POST"), ("PUT", UPDATE_URL, "POST"),
])
def test_a_wrong_method_is_a_405_envelope(client, auth, method, url, allowed):
    response = client.open(url, method=method, headers=auth)
    body = assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert body["message"] == "Method not allowed"
    assert allowed in {m.strip() for m in response.headers["Allow"].split(",")}


def test_errors_carry_the_security_headers(client):
    response = client.get(f"{BASE}/nope")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
