"""POST /api/v1/voke-esm/trading/token (CONTRACT.md §2): success, JWT shape, every error."""

from __future__ import annotations

import logging

import jwt
import pytest

from tests.conftest import app_for, base_env
from tests.factories import Sandbox, assert_envelope
from voke_esm.services import organizations
from voke_esm.services import sandbox as sandbox_service

TOKEN_URL = "/api/v1/voke-esm/trading/token"
LIST_URL = "/api/v1/voke-esm/trading/plant/list"



def post_token(client, client_id, client_secret):
    return client.post(TOKEN_URL, json={"clientId": client_id, "clientSecret": client_secret})


# -- success -----------------------------------------------------------------------------------

def test_token_success_is_exactly_the_contract(app, client, sandbox):
    acme = sandbox.enabled()
    response = post_token(client, acme.client_id, acme.client_secret)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert list(body) == ["accessToken", "tokenType", "expiresIn"]
    assert body["tokenType"] == "Bearer" and body["expiresIn"] == 3600
    token = body["accessToken"]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "at+jwt"}
    claims = jwt.decode(token, app.config["JWT_SECRET"], algorithms=["HS256"],
                        audience="voke-esm-trading", issuer="voke-esm")
    assert set(claims) == {"iss", "aud", "sub", "iat", "exp", "jti", "gen"}
    assert claims["iss"] == "voke-esm" and claims["aud"] == "voke-esm-trading"
    assert claims["sub"] == acme.client_id
    assert isinstance(claims["iat"], int) and claims["exp"] == claims["iat"] + 3600
    assert isinstance(claims["jti"], str) and claims["jti"]
    assert isinstance(claims["gen"], int) and not isinstance(claims["gen"], bool)
    # The token works on the other endpoints.
    listed = client.get(LIST_URL, headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200


def test_each_token_has_its_own_jti(client, sandbox):
    acme = sandbox.enabled()
    tokens = [post_token(client, acme.client_id, acme.client_secret).json["accessToken"]
              for _ in range(3)]
    jtis = {jwt.decode(t, options={"verify_signature": False})["jti"] for t in tokens}
    assert len(jtis) == 3


def test_content_type_with_charset_is_json(client, sandbox):
    acme = sandbox.enabled()
    response = client.post(TOKEN_URL, content_type="application/json; charset=utf-8",
                           data=f'{{"clientId": "{acme.client_id}", '
                                f'"clientSecret": "{acme.client_secret}"}}')
    assert response.status_code == 200


@pytest.fixture
def short_ttl_app(tmp_path, database_url):
    with app_for(base_env(tmp_path, database_url, VOKE_ESM_TOKEN_TTL="120")) as app:
        yield app


def test_token_lifetime_is_configurable(short_ttl_app):
    acme = Sandbox(short_ttl_app).enabled()
    response = post_token(short_ttl_app.test_client(), acme.client_id, acme.client_secret)
    assert response.status_code == 200
    assert response.json["expiresIn"] == 120
    claims = jwt.decode(response.json["accessToken"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 120


# -- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, details", [
    ({}, ["clientId: is required", "clientSecret: is required"]),
    ({"clientId": "voke-esm-acme"}, ["clientSecret: is required"]),
    ({"clientSecret": "vesm_x"}, ["clientId: is required"]),
    ({"clientId": 7, "clientSecret": "vesm_x"}, ["clientId: must be a string"]),
    ({"clientId": None, "clientSecret": "vesm_x"}, ["clientId: must be a string"]),
    ({"clientId": "a", "clientSecret": ["vesm_x"]}, ["clientSecret: must be a string"]),
    ({"clientId": "", "clientSecret": "vesm_x"}, ["clientId: must be 1 to 120 characters"]),
    ({"clientId": "a", "clientSecret": ""}, ["clientSecret: must be 1 to 512 characters"]),
    ({"clientId": "a" * 121, "clientSecret": "x"}, ["clientId: must be 1 to 120 characters"]),
    ({"clientId": "a\x00b", "clientSecret": "x"}, ["clientId: must not contain NUL characters"]),
], ids=["empty", "no-secret", "no-client", "int-client", "null-client", "list-secret",
        "empty-client", "empty-secret", "long-client", "nul-client"])
def test_token_validation_errors(client, sandbox, body, details):
    sandbox.enabled()
    response = client.post(TOKEN_URL, json=body)
    assert assert_envelope(response, 400, "VALIDATION_ERROR")["details"] == details


def refused_case(case: str, app, sandbox) -> tuple[str, str]:
    """(clientId, clientSecret) for one way of being refused."""
    acme = sandbox.enabled("acme")
    if case == "wrong-secret":
        return acme.client_id, acme.client_secret[:-1] + ("A" if acme.client_secret[-1] != "A"
                                                          else "B")
    if case == "unknown-client":
        return "voke-esm-nobody-00000000", acme.client_secret
    if case == "other-clients-secret":
        return acme.client_id, sandbox.enabled("beta").client_secret
    if case == "rotated-secret":
        sandbox.enabled("acme")  # enabling again rotates the secret
        return acme.client_id, acme.client_secret
    if case == "disabled-client":
        with app.app_context():
            sandbox_service.disable(organizations.get_organization_by_slug("acme"))
        return acme.client_id, acme.client_secret
    raise AssertionError(case)


REFUSALS = ["wrong-secret", "unknown-client", "other-clients-secret",
            "rotated-secret", "disabled-client"]


@pytest.mark.parametrize("case", REFUSALS)
def test_refused_credentials_are_401_with_one_message(app, client, sandbox, case):
    client_id, client_secret = refused_case(case, app, sandbox)
    response = post_token(client, client_id, client_secret)
    body = assert_envelope(response, 401, "UNAUTHORIZED")
    # Every refusal reads the same: nothing tells an unknown client from a wrong secret.
    assert body == {"statusCode": 401, "error": "Unauthorized", "code": "UNAUTHORIZED",
                    "message": "Invalid client credentials"}
    assert "accessToken" not in response.get_data(as_text=True)


def test_every_refusal_is_the_same_answer(app, client, sandbox):
    acme = sandbox.enabled("acme")
    wrong = post_token(client, acme.client_id, "vesm_wrong")
    unknown = post_token(client, "voke-esm-unknown", acme.client_secret)
    with app.app_context():
        sandbox_service.disable(organizations.get_organization_by_slug("acme"))
    disabled = post_token(client, acme.client_id, acme.client_secret)
    answers = {(r.status_code, r.get_data(as_text=True), r.headers.get("WWW-Authenticate"))
               for r in (wrong, unknown, disabled)}
    assert len(answers) == 1


def test_re_enabled_client_gets_tokens_with_the_new_secret_only(client, sandbox):
    acme = sandbox.enabled()
    rotated = sandbox.enabled()
    assert rotated.client_id == acme.client_id and rotated.client_secret != acme.client_secret
    assert post_token(client, acme.client_id, acme.client_secret).status_code == 401
    assert post_token(client, rotated.client_id, rotated.client_secret).status_code == 200


def test_secrets_never_reach_the_log_or_the_answer(client, sandbox, caplog):
    acme = sandbox.enabled()
    with caplog.at_level(logging.DEBUG):
        ok = post_token(client, acme.client_id, acme.client_secret)
        refused = post_token(client, acme.client_id, acme.client_secret + "x")
    assert ok.status_code == 200 and refused.status_code == 401
    assert acme.client_secret not in caplog.text
    assert acme.client_secret not in ok.get_data(as_text=True)
    assert acme.client_secret not in refused.get_data(as_text=True)
