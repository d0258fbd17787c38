"""Inputs and timings found in review: each answered cleanly (never a 500) and safely."""

import json

import pytest

from tests.admin_support import bearer, make_user, user_token
from tests.factories import BLOCK
from voke_esm.services import journal, organizations
from voke_esm.services import sandbox as sandbox_service

TRADING = "/api/v1/voke-esm/trading"
ADMIN = "/api/v1/voke-esm/admin"
LONE_SURROGATE = '"\\ud800"'  # a JSON escape that parses but no database can store


@pytest.fixture
def admin(app):
    return bearer(user_token(app, make_user(app, "root@voke.test")))


def raw_post(client, url: str, text: str, headers: dict | None = None):
    return client.post(url, data=text, content_type="application/json", headers=headers or {})


def journal_text(app) -> str:
    with app.app_context():
        return json.dumps([[e.query, e.client_id, e.request_body] for e in journal.recent(
            limit=100)])


def test_a_secret_sent_anywhere_in_a_call_stays_out_of_the_journal(app, client, sandbox,
                                                                    admin):
    acme = sandbox.enabled()
    secret = acme.client_secret
    client.post(f"{TRADING}/token?clientId={acme.client_id}&clientSecret={secret}")
    client.post(f"{TRADING}/token", json={"clientId": acme.client_id, "ClientSecret": secret})
    client.post(f"{TRADING}/token", json={"clientId": secret, "clientSecret": "x"})
    client.post(f"{TRADING}/token", json=secret)
    client.post(f"{TRADING}/token", json={"nested": [{"client_secret_value": secret}]})

    assert len(journal_text(app)) > 100 and secret not in journal_text(app)
    listed = client.get(f"{ADMIN}/journal?limit=100", headers=admin)
    assert listed.status_code == 200 and secret not in listed.get_data(as_text=True)


def test_a_rotation_from_a_stale_view_still_revokes_newer_tokens(app, client, sandbox):
    """Two rotations at once: each bumps the generation, so the first one's token dies."""
    org_id = sandbox.enabled().org_id
    with app.app_context():
        stale = organizations.get_organization(org_id)
        assert stale.esm_client.generation == 1
        with app.app_context():  # another request, in its own session
            fresh = organizations.get_organization(org_id)
            issued = sandbox_service.enable(fresh)
            token = sandbox_service.issue_client_token(fresh.esm_client)[0]
        sandbox_service.enable(stale)
    response = client.get(f"{TRADING}/plant/list", headers=bearer(token))
    assert response.status_code == 401
    response = client.post(f"{TRADING}/token", json={"clientId": issued.client_id,
                                                     "clientSecret": issued.client_secret})
    assert response.status_code == 401


@pytest.mark.parametrize("url, template", [
    (f"{TRADING}/token", '{"clientId": %s, "clientSecret": "x"}'),
    (f"{TRADING}/token", '{"clientId": "a", "clientSecret": %s}'),
    ("/api/v1/auth/login", '{"email": "a@b.cd", "password": %s}'),
    ("/api/v1/organizations", '{"name": %s, "slug": "acme"}'),
])
def test_lone_surrogates_are_a_bad_request(client, admin, url, template):
    response = raw_post(client, url, template % LONE_SURROGATE, admin)
    assert response.status_code == 400
    assert response.json["code"] == "BAD_REQUEST"


def test_lone_surrogates_in_plant_fields_change_nothing(app, client, sandbox, admin):
    acme = sandbox.enabled()
    body = json.dumps({"clientId": acme.client_id, "externalPlantId": "P-2", "name": "?"})
    body = body.replace('"?"', LONE_SURROGATE)
    assert raw_post(client, f"{ADMIN}/plants", body, admin).status_code == 400
    listed = client.get(f"{ADMIN}/plants", headers=admin).json["data"]
    assert [p["externalPlantId"] for p in listed] == ["PLANT-001"]


@pytest.mark.parametrize("field", ["pBatMax", "socMax"])
def test_integers_beyond_any_float_are_rejected_blocks(client, sandbox, field):
    acme = sandbox.enabled()
    text = json.dumps({"plantId": "PLANT-001", "configUpdateReqCode": "huge",
                       "timeConfigs": [{**BLOCK, field: 0}]}).replace(
        f'"{field}": 0', f'"{field}": 1{"0" * 400}')
    response = raw_post(client, f"{TRADING}/plant/config/update", text, sandbox.headers(acme))
    assert response.status_code == 400
    assert response.json["resultCode"] == "cfg_rejected"
    assert response.json["details"] == [f"timeConfigs[0].{field}: must be a finite number"]


def test_integers_beyond_any_float_are_rejected_plant_fields(client, sandbox, admin):
    acme = sandbox.enabled()
    text = json.dumps({"clientId": acme.client_id, "externalPlantId": "P-2", "name": "n",
                       "capacityKwh": 0})
    text = text.replace('"capacityKwh": 0', f'"capacityKwh": 1{"0" * 400}')
    response = raw_post(client, f"{ADMIN}/plants", text, admin)
    assert (response.status_code, response.json["details"]) == (
        400, ["capacityKwh: must be a finite number"])


@pytest.mark.parametrize("url", [f"{ADMIN}/plants?clientId=%00", f"{ADMIN}/journal?clientId=%00",
                                 f"{ADMIN}/status?orgId=%00"])
def test_nul_in_query_parameters_is_a_validation_error(client, admin, url):
    response = client.get(url, headers=admin)
    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"


def test_a_retry_with_numbers_jsonb_rewrites_is_still_the_same_request(client, sandbox):
    acme = sandbox.enabled()
    headers = sandbox.headers(acme)
    body = {"plantId": "PLANT-001", "configUpdateReqCode": "big-1",
            "timeConfigs": [{**BLOCK, "pBatMax": 1e23, "socMax": 90.0}]}
    first = client.post(f"{TRADING}/plant/config/update", json=body, headers=headers)
    again = client.post(f"{TRADING}/plant/config/update", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json == again.json and again.json["version"] == 2


def test_non_finite_numbers_in_a_body_are_still_journaled(app, client, sandbox):
    acme = sandbox.enabled()
    text = ('{"plantId": "PLANT-001", "configUpdateReqCode": "nan", "timeConfigs": '
            '[{"from": "00:00", "to": "23:59", "pBatMax": NaN, "pBatMin": -Infinity, '
            '"socMax": 90, "socMin": 20}]}')
    response = raw_post(client, f"{TRADING}/plant/config/update", text, sandbox.headers(acme))
    assert response.status_code == 400
    with app.app_context():
        entry = journal.recent(limit=1)[0]
    assert entry.config_update_req_code == "nan"
    assert entry.request_body["timeConfigs"][0]["pBatMax"] == "nan"


@pytest.mark.parametrize("header", ["Bearer\t{token}", "bearer  {token}", "BEARER {token} "])
def test_the_bearer_scheme_takes_any_whitespace_and_case(client, sandbox, header):
    acme = sandbox.enabled()
    token = sandbox.token(acme)
    response = client.get(f"{TRADING}/plant/list",
                          headers={"Authorization": header.format(token=token)})
    assert response.status_code == 200
