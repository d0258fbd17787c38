"""RFC 6749 §4.4 client-credentials requests on the token endpoint (CONTRACT.md §7)."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import jwt
import pytest

from tests.conftest import app_for, base_env
from tests.factories import TOKEN_URL, Sandbox
from tests.test_trading_guards import assert_rate_limited

LIST_URL = "/api/v1/voke-esm/trading/plant/list"
FORM = "application/x-www-form-urlencoded"
GRANT = "grant_type=client_credentials"


def basic(client_id: str, client_secret: str) -> dict[str, str]:
    """RFC 6749 §2.3.1: each part form-urlencoded, then HTTP Basic."""
    user_pass = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return {"Authorization": "Basic " + base64.b64encode(user_pass.encode()).decode()}


def post_form(client, data: str, headers: dict | None = None):
    return client.post(TOKEN_URL, data=data, content_type=FORM, headers=headers or {})


def assert_oauth_error(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.json
    assert list(body) == ["error", "error_description"]
    assert body["error"] == error and body["error_description"]
    return body


def assert_token(app, client, response, client_id: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.json
    assert list(body) == ["access_token", "token_type", "expires_in"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    token = body["access_token"]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "at+jwt"}
    claims = jwt.decode(token, app.config["JWT_SECRET"], algorithms=["HS256"],
                        audience="voke-esm-trading", issuer="voke-esm")
    assert claims["sub"] == client_id
    listed = client.get(LIST_URL, headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200


# -- both ways of authenticating ----------------------------------------------------------------

def test_client_secret_basic(app, client, sandbox):
    acme = sandbox.enabled()
    response = post_form(client, GRANT, basic(acme.client_id, acme.client_secret))
    assert_token(app, client, response, acme.client_id)


def test_client_secret_post(app, client, sandbox):
    acme = sandbox.enabled()
    data = f"{GRANT}&client_id={quote_plus(acme.client_id)}" \
           f"&client_secret={quote_plus(acme.client_secret)}"
    assert_token(app, client, post_form(client, data), acme.client_id)


def test_charset_parameter_and_scope_are_accepted(app, client, sandbox):
    acme = sandbox.enabled()
    response = client.post(TOKEN_URL, data=f"{GRANT}&scope=trading",
                           content_type=f"{FORM}; charset=UTF-8",
                           headers=basic(acme.client_id, acme.client_secret))
    assert_token(app, client, response, acme.client_id)


def test_basic_credentials_are_form_urlencoded_before_base64(app, client, sandbox):
    """A secret with ':' '+' '%' ' ' survives only if both sides apply RFC 6749 §2.3.1."""
    acme = sandbox.enabled()
    odd_secret = "a:b+c%d e/é"
    with app.app_context():
        from voke_esm import credentials
        from voke_esm.extensions import db
        from voke_esm.models import EsmClient
        row = db.session.query(EsmClient).filter_by(client_id=acme.client_id).one()
        row.secret_hash = credentials.hash_secret(odd_secret)
        db.session.commit()
    response = post_form(client, GRANT, basic(acme.client_id, odd_secret))
    assert_token(app, client, response, acme.client_id)
    # The same secret sent raw (not percent-encoded) inside Basic is a different secret.
    raw = base64.b64encode(f"{acme.client_id}:a:b+c%d e/".encode()).decode()
    assert_oauth_error(post_form(client, GRANT, {"Authorization": f"Basic {raw}"}), 401,
                       "invalid_client")


def test_percent_encoded_client_id_in_basic(app, client, sandbox):
    acme = sandbox.enabled()
    encoded_id = "".join(f"%{byte:02X}" for byte in acme.client_id.encode())
    user_pass = f"{encoded_id}:{quote_plus(acme.client_secret)}"
    headers = {"Authorization": "Basic " + base64.b64encode(user_pass.encode()).decode()}
    assert_token(app, client, post_form(client, GRANT, headers), acme.client_id)


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["", "client_id=x", "grant_type=", "scope=a"])
def test_missing_grant_type_is_invalid_request(client, sandbox, data):
    acme = sandbox.enabled()
    response = post_form(client, data, basic(acme.client_id, acme.client_secret))
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("grant", ["password", "authorization_code", "CLIENT_CREDENTIALS",
                                   "refresh_token"])
def test_unknown_grant_type_is_unsupported(client, sandbox, grant):
    acme = sandbox.enabled()
    response = post_form(client, f"grant_type={grant}", basic(acme.client_id, acme.client_secret))
    assert_oauth_error(response, 400, "unsupported_grant_type")


@pytest.mark.parametrize("data", [
    f"{GRANT}&{GRANT}",
    f"{GRANT}&grant_type=password",
    f"{GRANT}&client_id=a&client_id=b&client_secret=s",
    f"{GRANT}&client_id=a&client_secret=s&client_secret=t",
])
def test_repeated_parameters_are_invalid_request(client, data):
    assert_oauth_error(post_form(client, data), 400, "invalid_request")


@pytest.mark.parametrize("extra", ["client_id={id}", "client_secret={secret}",
                                   "client_id={id}&client_secret={secret}"])
def test_basic_and_form_credentials_together_are_invalid_request(client, sandbox, extra):
    acme = sandbox.enabled()
    data = f"{GRANT}&" + extra.format(id=quote_plus(acme.client_id),
                                      secret=quote_plus(acme.client_secret))
    response = post_form(client, data, basic(acme.client_id, acme.client_secret))
    assert_oauth_error(response, 400, "invalid_request")


def test_unknown_client_and_wrong_secret_answer_byte_identically(client, sandbox):
    acme = sandbox.enabled()
    for headers in ({}, None):
        def ask(client_id, secret, headers=headers):
            if headers is None:
                return post_form(client, GRANT, basic(client_id, secret))
            return post_form(client, f"{GRANT}&client_id={client_id}&client_secret={secret}")
        unknown = ask("voke-esm-nobody-00000000", "vesm_whatever")
        wrong = ask(acme.client_id, "vesm_wrong")
        assert_oauth_error(unknown, 401, "invalid_client")
        assert unknown.get_data() == wrong.get_data()
        assert unknown.headers.get("WWW-Authenticate") == wrong.headers.get("WWW-Authenticate")
        if headers is None:
            assert unknown.headers["WWW-Authenticate"].startswith("Basic ")
        else:
            assert "WWW-Authenticate" not in unknown.headers


def test_a_disabled_client_is_invalid_client(app, client, sandbox):
    acme = sandbox.enabled()
    with app.app_context():
        from voke_esm.services import organizations
        from voke_esm.services import sandbox as sandbox_service
        sandbox_service.disable(organizations.get_organization_by_slug("acme"))
    response = post_form(client, GRANT, basic(acme.client_id, acme.client_secret))
    assert_oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize("data", [GRANT, f"{GRANT}&client_id=acme", f"{GRANT}&client_secret=s",
                                  f"{GRANT}&client_id=&client_secret=s"])
def test_missing_client_credentials_are_invalid_client(client, data):
    response = post_form(client, data)
    assert_oauth_error(response, 401, "invalid_client")
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("authorization", [
    "Basic !!!not-base64!!!",
    "Basic " + base64.b64encode(b"no-colon-here").decode(),
    "Basic " + base64.b64encode("client:s\u00e9cret".encode()).decode(),  # raw UTF-8
    "Basic " + base64.b64encode(b"client:\xff\xfe").decode(),
    "Basic " + base64.b64encode(b"client:%ff%fe").decode(),  # decodes to invalid UTF-8
    "Basic " + base64.b64encode(b"client:" + b"s" * 10240).decode(),  # a 10 KB secret
    "Basic",
    "Basic ====",
    "basic " + base64.b64encode(b":").decode(),
])
def test_malformed_basic_is_invalid_client_never_500(client, sandbox, authorization):
    sandbox.enabled()
    response = post_form(client, GRANT, {"Authorization": authorization})
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_json_requests_keep_the_contract_shapes(client, sandbox):
    acme = sandbox.enabled()
    response = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                            "clientSecret": acme.client_secret},
                           headers=basic(acme.client_id, acme.client_secret))
    assert list(response.json) == ["accessToken", "tokenType", "expiresIn"]


def test_form_requests_are_journaled_without_secrets(app, client, sandbox):
    acme = sandbox.enabled()
    post_form(client, f"{GRANT}&client_id={acme.client_id}&client_secret={acme.client_secret}")
    post_form(client, GRANT, basic(acme.client_id, "vesm_wrong"))
    with app.app_context():
        from voke_esm.services import journal
        entries = list(reversed(journal.recent(limit=10)))  # stores the queued entries first
    assert [(e.client_id, e.status, e.outcome) for e in entries] == [
        (acme.client_id, 200, None), (acme.client_id, 401, "invalid_client")]
    assert entries[0].request_body == {"grant_type": "client_credentials",
                                       "client_id": acme.client_id,
                                       "client_secret": "[redacted]"}
    assert entries[1].request_body == {"grant_type": "client_credentials"}
    assert all(acme.client_secret not in repr(vars(e)) for e in entries)


# -- the same rate limit ------------------------------------------------------------------------

@pytest.fixture
def limited_app(tmp_path, database_url):
    with app_for(base_env(tmp_path, database_url, VOKE_ESM_RATE_LIMIT="10 per minute")) as app:
        yield app


def test_form_and_json_requests_share_the_clients_token_quota(limited_app):
    sandbox, client = Sandbox(limited_app), limited_app.test_client()
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    for number in range(10):
        if number % 3 == 0:
            response = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                                    "clientSecret": acme.client_secret})
        elif number % 3 == 1:
            response = post_form(client, GRANT, basic(acme.client_id, "vesm_wrong"))
        else:
            response = post_form(client, f"{GRANT}&client_id={acme.client_id}"
                                         f"&client_secret={acme.client_secret}")
        assert response.status_code in (200, 401), number
    assert_rate_limited(post_form(client, GRANT, basic(acme.client_id, acme.client_secret)))
    response = post_form(client, GRANT, basic(beta.client_id, beta.client_secret))
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "9"


# -- a standard client against the real server ---------------------------------------------------

def test_requests_oauthlib_backend_application_client(env, sandbox, monkeypatch):
    import requests
    from oauthlib.oauth2 import BackendApplicationClient, InvalidClientError
    from requests_oauthlib import OAuth2Session

    from tests.live import live_server

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the loopback server speaks http
    acme = sandbox.enabled()
    with live_server(env) as base_url:
        for include_client_id in (False, True):  # client_secret_basic, then client_secret_post
            session = OAuth2Session(client=BackendApplicationClient(client_id=acme.client_id))
            token = session.fetch_token(token_url=base_url + TOKEN_URL,
                                        client_id=acme.client_id,
                                        client_secret=acme.client_secret,
                                        include_client_id=include_client_id)
            assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
            listed = session.get(base_url + LIST_URL)
            assert listed.status_code == 200
            assert listed.json()[0]["plantId"] == "PLANT-001"
        # A 10 KB secret in Basic reaches the app (not gunicorn's header limit page).
        long_basic = basic(acme.client_id, "s" * 10240)
        response = requests.post(base_url + TOKEN_URL, data={"grant_type": "client_credentials"},
                                 headers=long_basic, timeout=30)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        session = OAuth2Session(client=BackendApplicationClient(client_id=acme.client_id))
        with pytest.raises(InvalidClientError):
            session.fetch_token(token_url=base_url + TOKEN_URL, client_id=acme.client_id,
                                client_secret="vesm_wrong")


def test_a_form_over_1_mib_is_413_in_the_envelope_and_still_rate_limited(client, caplog):
    """The rate-limit key reads the form too: it must not fail there (the limiter would log an
    error and skip the limit)."""
    from tests.factories import assert_envelope

    response = post_form(client, f"{GRANT}&client_id=a&client_secret={'s' * 2 * 1024 * 1024}")
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")
    assert "X-RateLimit-Limit" in response.headers
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_long_form_secret_is_invalid_client(client):
    response = post_form(client, f"{GRANT}&client_id=a&client_secret={'s' * 1000 * 1000}")
    assert_oauth_error(response, 401, "invalid_client")
