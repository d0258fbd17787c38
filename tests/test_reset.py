"""Reset: an organization's sandbox back to what enable creates; credentials and org stay."""

from __future__ import annotations

import json

import pytest

from tests.admin_support import ADMIN_URL, PLANTS_URL, Admin, assert_error
from tests.factories import TOKEN_URL
from tests.live import run_cli

CONFIG_URL = "/api/v1/voke-esm/trading/plant/config?plantId=PLANT-001"


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def busy(admin, sandbox):
    """acme with a second plant, two versions, a fault rule, an advanced clock, a short token
    lifetime and journal entries; beta with a plant and a rule of its own."""
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    plant = sandbox.plant(acme.client_id, "PLANT-002")
    admin.patch(f"{PLANTS_URL}/{plant}", json={"name": "Renamed", "timeConfigs": [
        {"from": "00:00", "to": "12:00", "pBatMax": 1, "pBatMin": -1, "socMax": 90,
         "socMin": 10}]})
    sandbox.client.get(CONFIG_URL, headers=sandbox.headers(acme))
    for enabled in (acme, beta):
        rule = admin.post(f"{ADMIN_URL}/faults", json={
            "clientId": enabled.client_id, "endpoint": "plant/config",
            "effect": {"type": "error", "status": 503}, "trigger": {"mode": "always"}})
        assert rule.status_code == 201, rule.json
    clock = admin.post(f"{ADMIN_URL}/clock", json={"clientId": acme.client_id,
                                                   "advanceSeconds": 3600,
                                                   "tokenTtlSeconds": 60})
    assert clock.status_code == 200, clock.json
    return acme, beta


def test_reset_leaves_what_enable_creates_and_keeps_the_credentials(admin, sandbox, busy):
    acme, beta = busy
    assert sandbox.client.get(CONFIG_URL, headers=sandbox.headers(acme)).status_code == 503
    response = admin.post(f"{ADMIN_URL}/reset", query_string={"orgId": acme.org_id})
    assert response.status_code == 200, response.json
    assert response.json == {"message": "Voke ESM sandbox reset for acme", "removed": {
        "plants": 2, "revisions": 3, "journalEntries": 4, "faultRules": 1}}
    plants = admin.get(PLANTS_URL, query_string={"clientId": acme.client_id}).json
    plants = plants["data"] if isinstance(plants, dict) else plants
    assert [(p["externalPlantId"], p["version"]) for p in plants] == [("PLANT-001", 1)]
    clock = admin.get(f"{ADMIN_URL}/clock", query_string={"clientId": acme.client_id}).json
    assert (clock["offsetSeconds"], clock["tokenTtlSeconds"]) == (0, 3600)
    assert admin.get(f"{ADMIN_URL}/faults", query_string={"clientId": acme.client_id}
                     ).json["data"] == []
    journal = admin.get(f"{ADMIN_URL}/journal", query_string={"clientId": acme.client_id}).json
    journal = journal["data"] if isinstance(journal, dict) else journal
    assert journal == []
    # The same secret still works, and the rule cached by this worker is gone with the reset.
    answer = sandbox.client.get(CONFIG_URL, headers=sandbox.headers(acme))
    assert answer.status_code == 200 and answer.json["version"] == 1
    assert sandbox.client.get(CONFIG_URL, headers=sandbox.headers(beta)).status_code == 503
    assert len(admin.get(f"{ADMIN_URL}/faults", query_string={"clientId": beta.client_id}
                         ).json["data"]) == 1


def test_reset_errors(admin, sandbox, client):
    never = sandbox.org("never")
    assert_error(admin.post(f"{ADMIN_URL}/reset", query_string={"orgId": never}), 409,
                 "CONFLICT")
    assert_error(admin.post(f"{ADMIN_URL}/reset?orgId=nope"), 400, "INVALID_UUID")
    assert_error(client.post(f"{ADMIN_URL}/reset", query_string={"orgId": never}), 401,
                 "UNAUTHORIZED")


def test_the_cli_asks_first_and_reports(env, admin, busy):
    acme, _ = busy
    declined = run_cli(env, "reset", "--org", "acme", input="n\n", check=False)
    assert declined.returncode == 1 and "Aborted" in declined.stderr
    assert len(admin.get(PLANTS_URL, query_string={"clientId": acme.client_id}).json) >= 2
    result = run_cli(env, "reset", "--org", "acme", "--yes")
    assert result.stdout.strip() == (
        "acme: reset; removed 2 plants, 3 revisions, 2 journal entries and 1 fault rules; the "
        "clock is back to real time and PLANT-001 is the default plant again")
    again = json.loads(run_cli(env, "reset", "--org", "acme", "--yes", "--json").stdout)
    assert again == {"plants": 1, "revisions": 1, "journalEntries": 0, "faultRules": 0}
    token = admin.client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                               "clientSecret": acme.client_secret})
    assert token.status_code == 200
