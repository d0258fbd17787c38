"""Fault rules through the admin API and the CLI (CONTRACT.md §6.1), and what they do to a
trading call in process (the multi-worker, timed checks are in test_faults_live.py)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from tests.admin_support import ADMIN_URL, MISSING_UUID, Admin, assert_error
from tests.factories import BLOCK
from voke_esm.cli import cli
from voke_esm.models import utcnow

FAULTS_URL = f"{ADMIN_URL}/faults"
TRADING = "/api/v1/voke-esm/trading"


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled()


def rule(client_id: str, **fields) -> dict:
    return {"clientId": client_id, "endpoint": "plant/config",
            "effect": {"type": "error", "status": 503}, **fields}


def test_create_list_delete_and_clear(admin, acme, sandbox):
    other = sandbox.enabled("globex")
    created = admin.post(FAULTS_URL, json=rule(acme.client_id, label="flaky", trigger={
        "mode": "next", "count": 2}))
    assert created.status_code == 201, created.json
    body = created.json
    assert body["hits"] == 0 and body["remaining"] == 2 and body["label"] == "flaky"
    assert body["plantId"] is None and body["expiresAt"] is None and body["createdAt"]
    admin.post(FAULTS_URL, json=rule(acme.client_id))
    admin.post(FAULTS_URL, json=rule(other.client_id))

    listed = admin.get(FAULTS_URL, query_string={"clientId": acme.client_id}).json["data"]
    assert [r["id"] for r in listed][0] == body["id"] and len(listed) == 2
    assert listed[1]["trigger"] == {"mode": "always"} and listed[1]["remaining"] is None

    assert admin.delete(f"{FAULTS_URL}/{body['id']}").status_code == 204
    assert_error(admin.delete(f"{FAULTS_URL}/{body['id']}"), 404, "NOT_FOUND")
    assert_error(admin.delete(f"{FAULTS_URL}/nope"), 400, "INVALID_UUID")
    assert admin.delete(FAULTS_URL, query_string={"clientId": acme.client_id}).status_code == 204
    assert admin.get(FAULTS_URL, query_string={"clientId": acme.client_id}).json["data"] == []
    assert len(admin.get(FAULTS_URL).json["data"]) == 1  # globex keeps its rule
    assert_error(admin.delete(FAULTS_URL), 400, "VALIDATION_ERROR", "clientId: is required")


def test_bad_rules_answer_details(admin, acme):
    response = admin.post(FAULTS_URL, json={
        "clientId": "nobody", "endpoint": "plant/config", "effect": {"type": "lost_answer"},
        "trigger": {"mode": "probability", "p": 2}, "extra": 1})
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        "trigger.p: must be a number from 0 to 1", "trigger.seed: must be a whole number",
        "extra: unknown field",
        "endpoint: must be plant/config/update for a lost_answer effect"]
    unknown = admin.post(FAULTS_URL, json=rule("nobody"))
    assert_error(unknown, 400, "VALIDATION_ERROR",
                 "clientId: no organization was ever enabled with this clientId")


def test_admin_routes_need_a_superadmin(client, acme):
    assert_error(client.get(FAULTS_URL), 401, "UNAUTHORIZED")
    assert_error(client.post(FAULTS_URL, json=rule(acme.client_id)), 401, "UNAUTHORIZED")


def test_preset_adds_its_rules(admin, acme):
    response = admin.post(f"{FAULTS_URL}/presets/lost-answers",
                          json={"clientId": acme.client_id})
    assert response.status_code == 201, response.json
    [added] = response.json["data"]
    assert added["effect"] == {"type": "lost_answer", "status": 504}
    assert added["remaining"] == 3 and added["label"] == "lost answers"
    assert_error(admin.post(f"{FAULTS_URL}/presets/nope", json={"clientId": acme.client_id}),
                 404, "NOT_FOUND")


def test_token_expiry_preset_issues_60_second_tokens(admin, acme, client):
    response = admin.post(f"{FAULTS_URL}/presets/token-expiry", json={"clientId": acme.client_id})
    assert response.status_code == 201
    assert response.json == {"data": [], "message": "Tokens issued from now on live 60 s."}
    token = client.post(f"{TRADING}/token", json={"clientId": acme.client_id,
                                                  "clientSecret": acme.client_secret})
    assert token.json["expiresIn"] == 60


def test_slow_device_preset_defers_every_update(admin, acme, sandbox, client):
    sandbox.plant(acme.client_id, "PLANT-002")
    response = admin.post(f"{FAULTS_URL}/presets/slow-device", json={"clientId": acme.client_id})
    assert response.json["message"] == "2 plant(s) now apply updates 120 s later."
    answer = client.post(f"{TRADING}/plant/config/update", headers=sandbox.headers(acme), json={
        "plantId": "PLANT-002", "configUpdateReqCode": "slow-1", "timeConfigs": [BLOCK]})
    assert answer.status_code == 200
    assert (answer.json["resultCode"], answer.json["version"]) == ("cfg_accepted", 1)


def test_rules_match_endpoint_and_plant_and_count_hits(admin, acme, sandbox, client):
    sandbox.plant(acme.client_id, "PLANT-002")
    headers = sandbox.headers(acme)
    admin.post(FAULTS_URL, json=rule(acme.client_id, plantId="PLANT-002"))

    assert client.get(f"{TRADING}/plant/config?plantId=PLANT-001",
                      headers=headers).status_code == 200
    assert client.get(f"{TRADING}/plant/list", headers=headers).status_code == 200
    hit = client.get(f"{TRADING}/plant/config?plantId=PLANT-002", headers=headers)
    assert_error(hit, 503, "SERVICE_UNAVAILABLE")
    [listed] = admin.get(FAULTS_URL).json["data"]
    assert listed["hits"] == 1


def test_expired_rules_do_not_fire(admin, acme, sandbox, client):
    headers = sandbox.headers(acme)
    soon = (utcnow() + timedelta(seconds=1.5)).isoformat()
    created = admin.post(FAULTS_URL, json=rule(acme.client_id, expiresAt=soon)).json
    assert created["expiresAt"].startswith(soon[:19])
    assert client.get(f"{TRADING}/plant/config?plantId=PLANT-001",
                      headers=headers).status_code == 503
    time.sleep(1.6)
    assert client.get(f"{TRADING}/plant/config?plantId=PLANT-001",
                      headers=headers).status_code == 200


def test_token_endpoint_faults_use_the_submitted_client(admin, acme, sandbox, client):
    admin.post(FAULTS_URL, json=rule(acme.client_id, endpoint="token",
                                     effect={"type": "invalid_token"}))
    response = client.post(f"{TRADING}/token", json={"clientId": acme.client_id,
                                                     "clientSecret": acme.client_secret})
    assert_error(response, 401, "UNAUTHORIZED")
    other = sandbox.enabled("globex")
    assert sandbox.token(other)


def test_journal_api_shows_fired_rules(admin, acme, sandbox, client):
    headers = sandbox.headers(acme)
    created = admin.post(FAULTS_URL, json=rule(
        acme.client_id, endpoint="plant/config/update", label="no",
        effect={"type": "reject_config", "details": ["timeConfigs[0]: no thanks"]})).json
    response = client.post(f"{TRADING}/plant/config/update", headers=headers, json={
        "plantId": "PLANT-001", "configUpdateReqCode": "r1", "timeConfigs": [BLOCK]})
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["resultCode"] == "cfg_rejected" and body["details"] == ["timeConfigs[0]: no thanks"]
    [entry, *_] = admin.get(f"{ADMIN_URL}/journal").json
    assert entry["faults"] == [{"ruleId": created["id"], "label": "no",
                                "effect": created["effect"]}]
    assert entry["outcome"] == "cfg_rejected"


def test_cli_add_list_preset_clear(runner, acme):
    added = runner.invoke(cli, ["faults", "add", json.dumps(rule(acme.client_id))])
    assert added.exit_code == 0, added.output
    rule_id = json.loads(added.output)["id"]
    preset = runner.invoke(cli, ["faults", "preset", "slow-partner", "--client-id",
                                 acme.client_id])
    assert preset.exit_code == 0, preset.output
    assert preset.stderr == "Fault rule added: every call takes 2 s ± 0.5 s.\n"
    assert json.loads(preset.stdout)[0]["effect"] == {"type": "latency", "ms": 2000,
                                                      "jitterMs": 500}
    ttl = runner.invoke(cli, ["faults", "preset", "token-expiry", "--client-id", acme.client_id])
    assert ttl.stdout == "[]\n" and ttl.stderr == "Tokens issued from now on live 60 s.\n"
    listed = runner.invoke(cli, ["faults", "list", "--json"])
    assert [r["id"] for r in json.loads(listed.output)][0] == rule_id
    table = runner.invoke(cli, ["faults", "list", "--client-id", acme.client_id])
    assert "error status=503 when always  hits=0" in table.output
    bad = runner.invoke(cli, ["faults", "add", json.dumps({"clientId": acme.client_id})])
    assert bad.exit_code == 1 and "effect: is required" in bad.output
    one = runner.invoke(cli, ["faults", "clear", "--id", rule_id])
    assert one.exit_code == 0 and rule_id in one.output
    cleared = runner.invoke(cli, ["faults", "clear", "--client-id", acme.client_id])
    assert "Deleted 1 fault rule(s)" in cleared.output
    assert json.loads(runner.invoke(cli, ["faults", "list", "--json"]).output) == []
    assert runner.invoke(cli, ["faults", "clear"]).exit_code == 2


def test_missing_uuid_rule_is_not_found(admin):
    assert_error(admin.delete(f"{FAULTS_URL}/{MISSING_UUID}"), 404, "NOT_FOUND")


def test_rules_outlive_disable_and_re_enable(admin, acme, sandbox, client):
    admin.post(FAULTS_URL, json=rule(acme.client_id))
    disabled = admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": acme.org_id})
    assert disabled.status_code == 200
    again = sandbox.enabled(acme.slug)
    assert len(admin.get(FAULTS_URL).json["data"]) == 1
    response = client.get(f"{TRADING}/plant/config?plantId=PLANT-001",
                          headers=sandbox.headers(again))
    assert_error(response, 503, "SERVICE_UNAVAILABLE")


def test_odd_plant_ids_never_reach_the_rules_query(admin, acme, sandbox, client):
    admin.post(FAULTS_URL, json=rule(acme.client_id, plantId="PLANT-001"))
    headers = sandbox.headers(acme)
    assert_error(client.get(f"{TRADING}/plant/config?plantId=A%00B", headers=headers),
                 400, "VALIDATION_ERROR")
    response = client.post(f"{TRADING}/plant/config/update", headers=headers,
                           data='{"plantId": "\\ud800", "configUpdateReqCode": "x"}',
                           content_type="application/json")
    assert response.status_code == 400
