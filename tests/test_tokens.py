"""ESM token verification (CONTRACT.md §2), mostly through the HTTP API with crafted tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest

from voke_esm import tokens
from voke_esm.services import accounts, organizations
from voke_esm.services import sandbox as sandbox_service

LIST_URL = "/api/v1/voke-esm/trading/plant/list"
CONFIG_URL = "/api/v1/voke-esm/trading/plant/config"
UPDATE_URL = "/api/v1/voke-esm/trading/plant/config/update"
INVALID_TOKEN = 'Bearer error="invalid_token"'
OTHER_SECRET = "another-secret-0123456789abcdef0123456789"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict) -> str:
    return b64(json.dumps(value).encode())


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled()


@pytest.fixture
def secret(app) -> str:
    return app.config["JWT_SECRET"]


@pytest.fixture
def claims(sandbox, acme) -> dict:
    """The claims of a real token of acme, to craft variations of."""
    return jwt.decode(sandbox.token(acme), options={"verify_signature": False})


HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def craft(secret: str, claims: dict, algorithm: str = "HS256",
          headers: dict | None = None) -> str:
    """A JWT built by hand (PyJWT's encoder refuses some of the odd tokens we need)."""
    header = {"alg": algorithm, **({"typ": "at+jwt"} if headers is None else headers)}
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), HASHES[algorithm]).digest()
    return f"{signing_input}.{b64(signature)}"


def get_list(client, token: str):
    return client.get(LIST_URL, headers={"Authorization": f"Bearer {token}"})


def assert_refused(response) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["code"] == "UNAUTHORIZED" and response.json["statusCode"] == 401
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN


def test_a_crafted_copy_of_a_real_token_is_accepted(client, sandbox, acme, secret):
    """The control: the crafting itself is right, so each refusal below is about its change."""
    real = sandbox.token(acme)
    claims = jwt.decode(real, options={"verify_signature": False})
    crafted = craft(secret, claims)
    assert jwt.get_unverified_header(crafted) == jwt.get_unverified_header(real)
    assert jwt.decode(crafted, secret, algorithms=["HS256"], audience="voke-esm-trading",
                      issuer="voke-esm") == claims
    response = get_list(client, crafted)
    assert response.status_code == 200
    assert [p["plantId"] for p in response.json] == ["PLANT-001"]


def test_a_fresh_crafted_token_is_accepted(client, secret, claims):
    now = int(time.time())
    fresh = {**claims, "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex}
    assert get_list(client, craft(secret, fresh)).status_code == 200


# -- algorithm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(client, claims, secret, alg):
    header = segment({"alg": alg, "typ": "at+jwt"})
    payload = segment(claims)
    good_signature = craft(secret, claims).split(".")[2]
    for token in (f"{header}.{payload}.", f"{header}.{payload}.{good_signature}"):
        assert_refused(get_list(client, token))


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_hs_algorithms_with_the_right_secret_are_refused(client, secret, claims, alg):
    assert_refused(get_list(client, craft(secret, claims, algorithm=alg)))


def test_a_header_claiming_hs256_over_an_hs512_signature_is_refused(client, secret, claims):
    token = craft(secret, claims, algorithm="HS512")
    _, payload, signature = token.split(".")
    header = segment({"alg": "HS256", "typ": "at+jwt"})
    assert_refused(get_list(client, f"{header}.{payload}.{signature}"))


# -- issuer, audience, type --------------------------------------------------------------------

@pytest.mark.parametrize("iss", ["voke", "VOKE-ESM", "voke-esm ", "", ["voke-esm"], None],
                         ids=repr)
def test_a_wrong_issuer_is_refused(client, secret, claims, iss):
    assert_refused(get_list(client, craft(secret, {**claims, "iss": iss})))


@pytest.mark.parametrize("aud", ["voke-api", "voke-esm", "VOKE-ESM-TRADING", "", None,
                                 ["voke-esm-trading"], ["voke-esm-trading", "voke-api"],
                                 ["voke-api"]], ids=repr)
def test_a_wrong_audience_is_refused(client, secret, claims, aud):
    """Compared exactly: even a list holding the right audience is refused."""
    assert_refused(get_list(client, craft(secret, {**claims, "aud": aud})))


@pytest.mark.parametrize("header", [
    {"typ": "JWT"}, {"typ": "at+JWT"}, {"typ": "AT+JWT"}, {"typ": "jwt"}, {"typ": ""},
    {"typ": "application/at+jwt"}, {},
], ids=["JWT", "at+JWT", "AT+JWT", "jwt", "empty", "media-type", "missing"])
def test_a_wrong_type_is_refused(client, secret, claims, header):
    assert_refused(get_list(client, craft(secret, claims, headers=header)))


# -- claims ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["iss", "aud", "sub", "iat", "exp", "jti", "gen"])
def test_each_required_claim_missing_is_refused(client, secret, claims, name):
    reduced = {key: value for key, value in claims.items() if key != name}
    assert_refused(get_list(client, craft(secret, reduced)))


@pytest.mark.parametrize("name, value", [
    ("sub", 7), ("sub", ""), ("sub", None), ("sub", ["x"]),
    ("gen", "1"), ("gen", True), ("gen", 1.0), ("gen", None), ("gen", 0), ("gen", 2),
    ("gen", -1), ("exp", "9999999999"), ("exp", None), ("exp", True), ("iat", "0"),
    ("iat", None), ("jti", None),
], ids=repr)
def test_claims_of_the_wrong_type_or_value_are_refused(client, secret, claims, name, value):
    assert_refused(get_list(client, craft(secret, {**claims, name: value})))


def test_an_unknown_subject_is_refused(client, secret, claims):
    assert_refused(get_list(client, craft(secret, {**claims, "sub": "voke-esm-nobody"})))


@pytest.mark.parametrize("seconds_ago", [1, 60, 3600 * 24])
def test_an_expired_token_is_refused(client, secret, claims, seconds_ago):
    now = int(time.time())
    expired = {**claims, "iat": now - seconds_ago - 3600, "exp": now - seconds_ago}
    assert_refused(get_list(client, craft(secret, expired)))


def test_a_token_issued_in_the_future_is_refused(client, secret, claims):
    now = int(time.time())
    future = {**claims, "iat": now + 3600, "exp": now + 7200}
    assert_refused(get_list(client, craft(secret, future)))


@pytest.mark.parametrize("change", [
    {"sub": "voke-esm-beta-00000000"}, {"gen": 99}, {"exp": 4102444800}, {"extra": True}])
def test_a_tampered_payload_is_refused(client, sandbox, acme, change):
    token = sandbox.token(acme)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    tampered = f"{header}.{segment({**claims, **change})}.{signature}"
    assert_refused(get_list(client, tampered))


def test_a_tampered_signature_is_refused(client, sandbox, acme):
    header, payload, signature = sandbox.token(acme).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_refused(get_list(client, f"{header}.{payload}.{flipped}"))
    assert_refused(get_list(client, f"{header}.{payload}."))
    assert_refused(get_list(client, f"{header}.{payload}"))


def test_a_token_signed_with_another_secret_is_refused(client, claims):
    assert_refused(get_list(client, craft(OTHER_SECRET, claims)))


@pytest.mark.parametrize("token", ["abc", "a.b.c", "a.b.c.d", "...", "e30.e30.e30",
                                   "eyJhbGciOiJIUzI1NiJ9." + "A" * 4000 + ".x", "é.é.é"])
def test_garbage_is_refused_never_a_500(client, sandbox, token):
    sandbox.enabled()
    assert_refused(get_list(client, token))


# -- other kinds of token ----------------------------------------------------------------------

def test_a_voke_user_token_is_refused_by_trading(app, client, acme):
    with app.app_context():
        user = accounts.create_user("admin@voke.test", "correct horse battery")
        user_token, _ = accounts.issue_user_token(user)
        # Even a user token whose subject is a client id is not an ESM token.
        forged = tokens.issue(tokens.USER, app.config["JWT_SECRET"], acme.client_id, 3600,
                              email="x@voke.test", gen=1)
    for token in (user_token, forged):
        assert_refused(get_list(client, token))
    # The user token itself is good for the admin API.
    response = client.get("/api/v1/organizations",
                          headers={"Authorization": f"Bearer {user_token}"})
    assert response.status_code == 200


def test_an_esm_token_is_refused_by_the_admin_api(client, sandbox, acme):
    response = client.get("/api/v1/organizations", headers=sandbox.headers(acme))
    assert response.status_code == 401
    assert response.json["code"] == "UNAUTHORIZED"
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN


def test_the_two_kinds_do_not_verify_as_each_other():
    secret = "shared-secret-0123456789abcdef0123456789"
    esm = tokens.issue(tokens.ESM, secret, "voke-esm-acme-1", 60, gen=1)
    user = tokens.issue(tokens.USER, secret, str(uuid.uuid4()), 60, email="a@b.io")
    assert tokens.verify(tokens.ESM, secret, esm)["gen"] == 1
    assert tokens.verify(tokens.USER, secret, user)["email"] == "a@b.io"
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(tokens.ESM, secret, user)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(tokens.USER, secret, esm)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(tokens.ESM, OTHER_SECRET, esm)


# -- revocation --------------------------------------------------------------------------------

ENDPOINT_CALLS = {
    "list": lambda client, headers: client.get(LIST_URL, headers=headers),
    "config": lambda client, headers: client.get(
        CONFIG_URL, query_string={"plantId": "PLANT-001"}, headers=headers),
    "update": lambda client, headers: client.post(UPDATE_URL, headers=headers, json={
        "plantId": "PLANT-001", "configUpdateReqCode": "r", "validateOnly": True,
        "timeConfigs": [{"from": "00:00", "to": "23:59", "pBatMax": 1, "pBatMin": 0,
                         "socMax": 1, "socMin": 0}]}),
}


def disable(app, slug: str = "acme") -> None:
    with app.app_context():
        sandbox_service.disable(organizations.get_organization_by_slug(slug))


@pytest.mark.parametrize("endpoint", ENDPOINT_CALLS)
def test_a_token_of_a_client_disabled_after_issue_is_refused(app, client, sandbox, acme,
                                                             endpoint):
    headers = sandbox.headers(acme)
    assert ENDPOINT_CALLS[endpoint](client, headers).status_code == 200
    disable(app)
    assert_refused(ENDPOINT_CALLS[endpoint](client, headers))


@pytest.mark.parametrize("endpoint", ENDPOINT_CALLS)
def test_a_token_issued_before_a_rotation_is_refused(client, sandbox, acme, endpoint):
    old = sandbox.headers(acme)
    rotated = sandbox.enabled()
    assert_refused(ENDPOINT_CALLS[endpoint](client, old))
    assert ENDPOINT_CALLS[endpoint](client, sandbox.headers(rotated)).status_code == 200


def test_a_token_from_before_disable_stays_refused_after_re_enable(app, client, sandbox, acme):
    old = sandbox.headers(acme)
    disable(app)
    again = sandbox.enabled()
    assert again.client_id == acme.client_id
    assert_refused(get_list(client, old["Authorization"].split()[1]))
    assert client.get(LIST_URL, headers=sandbox.headers(again)).status_code == 200


def test_disabling_one_client_leaves_the_others_tokens_alone(app, client, sandbox, acme):
    beta = sandbox.enabled("beta")
    acme_headers, beta_headers = sandbox.headers(acme), sandbox.headers(beta)
    disable(app, "acme")
    assert_refused(client.get(LIST_URL, headers=acme_headers))
    assert client.get(LIST_URL, headers=beta_headers).status_code == 200


def test_a_crafted_token_with_the_current_generation_of_a_disabled_client_is_refused(
        app, client, secret, claims):
    disable(app)
    with app.app_context():
        generation = organizations.get_organization_by_slug("acme").esm_client.generation
    assert_refused(get_list(client, craft(secret, {**claims, "gen": generation})))
