"""The sandbox clock and token lifetime per client (CONTRACT §6.2): admin API, tokens, CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jwt
import pytest

from tests.admin_support import ADMIN_URL, Admin, assert_error
from tests.factories import TOKEN_URL
from voke_esm import tokens
from voke_esm.cli import cli
from voke_esm.cli_clock import seconds_of
from voke_esm.services import clock

CLOCK_URL = f"{ADMIN_URL}/clock"
LIST_URL = "/api/v1/voke-esm/trading/plant/list"
INVALID_TOKEN = 'Bearer error="invalid_token"'


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def clock_of(admin, client_id: str) -> dict:
    response = admin.get(CLOCK_URL, query_string={"clientId": client_id})
    assert response.status_code == 200, response.json
    return response.json


def post_clock(admin, body: dict):
    return admin.post(CLOCK_URL, json=body)


def trading_list(client, token: str):
    return client.get(LIST_URL, headers={"Authorization": f"Bearer {token}"})


def test_get_answers_the_contract_shape(admin, acme):
    body = clock_of(admin, acme.client_id)
    assert list(body) == ["clientId", "offsetSeconds", "now", "tokenTtlSeconds"]
    assert body["clientId"] == acme.client_id
    assert body["offsetSeconds"] == 0 and body["tokenTtlSeconds"] == 3600
    assert abs((parse_time(body["now"]) - datetime.now(UTC)).total_seconds()) < 5


def test_advance_moves_now_forward_and_each_post_answers_the_clock(admin, acme):
    response = post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 3600})
    assert response.status_code == 200
    body = response.json
    assert body["offsetSeconds"] == 3600
    ahead = (parse_time(body["now"]) - datetime.now(UTC)).total_seconds()
    assert 3595 < ahead < 3605
    body = post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 60}).json
    assert body["offsetSeconds"] == 3660
    body = post_clock(admin, {"clientId": acme.client_id, "reset": True}).json
    assert body["offsetSeconds"] == 0
    assert clock_of(admin, acme.client_id)["offsetSeconds"] == 0


def test_token_ttl_is_set_and_restored_to_the_default(admin, acme, client):
    body = post_clock(admin, {"clientId": acme.client_id, "tokenTtlSeconds": 60}).json
    assert body["tokenTtlSeconds"] == 60 and body["offsetSeconds"] == 0
    answer = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                          "clientSecret": acme.client_secret}).json
    assert answer["expiresIn"] == 60
    claims = jwt.decode(answer["accessToken"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 60
    body = post_clock(admin, {"clientId": acme.client_id, "tokenTtlSeconds": None}).json
    assert body["tokenTtlSeconds"] == 3600


@pytest.mark.parametrize(("body", "detail"), [
    ({"advanceSeconds": -1}, "advanceSeconds: must be a whole number from 1"),
    ({"advanceSeconds": 0}, "advanceSeconds: must be a whole number from 1"),
    ({"advanceSeconds": 1.5}, "advanceSeconds: must be a whole number from 1"),
    ({"advanceSeconds": True}, "advanceSeconds: must be a whole number from 1"),
    ({"advanceSeconds": "60"}, "advanceSeconds: must be a whole number from 1"),
    ({"tokenTtlSeconds": 0}, "tokenTtlSeconds: must be a whole number from 1"),
    ({"tokenTtlSeconds": 10**9}, "tokenTtlSeconds: must be a whole number from 1"),
    ({"reset": "yes"}, "reset: must be true or false"),
    ({"rewind": 60}, "rewind: unknown field"),
    ({}, "advanceSeconds: give advanceSeconds, reset or tokenTtlSeconds"),
])
def test_bad_clock_changes_are_validation_errors(admin, acme, body, detail):
    response = post_clock(admin, {"clientId": acme.client_id, **body})
    body_answer = assert_error(response, 400, "VALIDATION_ERROR")
    assert any(line.startswith(detail) for line in body_answer["details"]), body_answer
    assert clock_of(admin, acme.client_id)["offsetSeconds"] == 0


def test_the_clock_cannot_run_more_than_ten_years_ahead(admin, acme):
    assert post_clock(admin, {"clientId": acme.client_id,
                              "advanceSeconds": clock.MAX_OFFSET_SECONDS}).status_code == 200
    response = post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 1})
    assert_error(response, 400, "VALIDATION_ERROR")
    assert clock_of(admin, acme.client_id)["offsetSeconds"] == clock.MAX_OFFSET_SECONDS


def test_unknown_or_missing_client(admin):
    assert_error(admin.get(CLOCK_URL, query_string={"clientId": "nobody"}), 404, "NOT_FOUND")
    assert_error(admin.get(CLOCK_URL), 400, "VALIDATION_ERROR", "clientId: is required")
    assert_error(post_clock(admin, {"clientId": "nobody", "reset": True}), 404, "NOT_FOUND")
    assert_error(post_clock(admin, {"reset": True}), 400, "VALIDATION_ERROR",
                 "clientId: is required")


def test_the_clock_needs_a_superadmin(client, acme):
    assert_error(client.get(CLOCK_URL, query_string={"clientId": acme.client_id}),
                 401, "UNAUTHORIZED")
    assert_error(client.post(CLOCK_URL, json={"clientId": acme.client_id, "reset": True}),
                 401, "UNAUTHORIZED")


def test_advancing_a_clock_expires_that_clients_tokens_only(admin, client, sandbox, acme):
    beta = sandbox.enabled("beta")
    acme_token, beta_token = sandbox.token(acme), sandbox.token(beta)
    assert trading_list(client, acme_token).status_code == 200
    post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 3600})
    refused = trading_list(client, acme_token)
    assert_error(refused, 401, "UNAUTHORIZED")
    assert refused.headers["WWW-Authenticate"] == INVALID_TOKEN
    assert trading_list(client, beta_token).status_code == 200
    # A token issued now is issued on the advanced clock, and works.
    fresh = sandbox.token(acme)
    claims = jwt.decode(fresh, options={"verify_signature": False})
    assert claims["iat"] > datetime.now(UTC).timestamp() + 3590
    assert trading_list(client, fresh).status_code == 200


def test_a_short_token_lifetime_expires_on_the_clock(admin, client, sandbox, acme):
    post_clock(admin, {"clientId": acme.client_id, "tokenTtlSeconds": 60})
    token = sandbox.token(acme)
    # 50 + 10 rather than 59 + 1: a margin for a slow machine.
    post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 50})
    assert trading_list(client, token).status_code == 200
    post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 10})
    assert_error(trading_list(client, token), 401, "UNAUTHORIZED")


def test_re_enabling_resets_the_clock_and_keeps_the_token_lifetime(admin, acme):
    post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 86400,
                       "tokenTtlSeconds": 120})
    admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": acme.org_id})
    assert clock_of(admin, acme.client_id)["offsetSeconds"] == 86400
    admin.enable(acme.org_id)
    body = clock_of(admin, acme.client_id)
    assert body["offsetSeconds"] == 0 and body["tokenTtlSeconds"] == 120


def test_rotating_keeps_the_clock(admin, acme):
    post_clock(admin, {"clientId": acme.client_id, "advanceSeconds": 600})
    admin.enable(acme.org_id)  # already enabled: a rotation, not a re-enable
    assert clock_of(admin, acme.client_id)["offsetSeconds"] == 600


# -- CLI ---------------------------------------------------------------------------------------

def run(runner, *args):
    return runner.invoke(cli, list(args))


def test_cli_clock_show_advance_ttl_reset(runner, acme):
    shown = run(runner, "clock", "show", "--client-id", acme.client_id, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["offsetSeconds"] == 0
    advanced = run(runner, "clock", "advance", "--client-id", acme.client_id, "1h", "--json")
    assert json.loads(advanced.output)["offsetSeconds"] == 3600
    ttl = run(runner, "clock", "ttl", "--client-id", acme.client_id, "60", "--json")
    assert json.loads(ttl.output)["tokenTtlSeconds"] == 60
    text = run(runner, "clock", "show", "--client-id", acme.client_id)
    assert text.exit_code == 0
    assert "offset 3600 s" in text.output and "tokens live 60 s" in text.output
    reset = run(runner, "clock", "reset", "--client-id", acme.client_id, "--json")
    assert json.loads(reset.output)["offsetSeconds"] == 0
    default = run(runner, "clock", "ttl", "--client-id", acme.client_id, "default", "--json")
    assert json.loads(default.output)["tokenTtlSeconds"] == 3600


def test_cli_clock_errors_are_one_line(runner, acme):
    unknown = run(runner, "clock", "show", "--client-id", "nobody")
    assert unknown.exit_code == 1 and unknown.output.startswith("Error: No ESM client")
    bad = run(runner, "clock", "advance", "--client-id", acme.client_id, "soon")
    assert bad.exit_code == 2 and "not a duration" in bad.output
    zero = run(runner, "clock", "advance", "--client-id", acme.client_id, "0")
    assert zero.exit_code == 1 and "advanceSeconds: must be a whole number" in zero.output


# -- pure rules --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("90", 90), ("90s", 90), ("5m", 300), ("1h", 3600), ("1d", 86400), (" 2H ", 7200)])
def test_durations(text, seconds):
    assert seconds_of(text) == seconds


@pytest.mark.parametrize(("now", "live"), [(999, False), (1000, True), (1059, True),
                                           (1060, False)])
def test_a_token_lives_from_iat_until_just_before_exp(now, live):
    claims = {"iat": 1000, "exp": 1060}
    if live:
        tokens.check_lifetime(claims, now)
    else:
        with pytest.raises(tokens.InvalidToken):
            tokens.check_lifetime(claims, now)


def test_a_token_issued_in_the_future_verifies_only_then():
    token = tokens.issue(tokens.ESM, "s" * 40, "acme", 60, now=10_000, gen=1)
    assert tokens.verify(tokens.ESM, "s" * 40, token, now=10_030)["iat"] == 10_000
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(tokens.ESM, "s" * 40, token)  # real time is long after exp
