"""GET plant/list and GET plant/config (CONTRACT.md §2): bodies, ordering, auth, not-found."""

from __future__ import annotations

import json

import pytest

from tests.factories import assert_envelope

LIST_URL = "/api/v1/voke-esm/trading/plant/list"
CONFIG_URL = "/api/v1/voke-esm/trading/plant/config"
UPDATE_URL = "/api/v1/voke-esm/trading/plant/config/update"
DEFAULT_BLOCKS = [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
                   "socMin": 20}]
TWO_BLOCKS = [  # deliberately not in time order, with fractional and zero values
    {"from": "07:00", "to": "23:59", "pBatMax": 12.5, "pBatMin": 0, "socMax": 100, "socMin": 0},
    {"from": "00:00", "to": "07:00", "pBatMax": 0, "pBatMin": -7.25, "socMax": 95, "socMin": 20},
]
SITE_A = {"name": "Acme Site A", "description": "Battery storage + PV", "fvePeakPowerKwp": 120.0,
          "capacityKwh": 200.0}



# -- plant list --------------------------------------------------------------------------------

def test_list_is_exactly_the_contract(client, sandbox):
    acme = sandbox.enabled()
    sandbox.plant(acme.client_id, "PLANT-002", **SITE_A)
    response = client.get(LIST_URL, headers=sandbox.headers(acme))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == [
        {"plantId": "PLANT-001", "name": "Default plant",
         "descr": "Created when Voke ESM was enabled", "fvePeakPowerKwp": 0.0,
         "capacityKwh": 0.0, "esiState": "PLC_READY", "configEnabled": True,
         "plantWithLoad": False, "meters": []},
        {"plantId": "PLANT-002", "name": "Acme Site A", "descr": "Battery storage + PV",
         "fvePeakPowerKwp": 120.0, "capacityKwh": 200.0, "esiState": "PLC_READY",
         "configEnabled": True, "plantWithLoad": False, "meters": []},
    ]
    for plant in response.json:
        assert list(plant) == ["plantId", "name", "descr", "fvePeakPowerKwp", "capacityKwh",
                               "esiState", "configEnabled", "plantWithLoad", "meters"]
        for field in ("fvePeakPowerKwp", "capacityKwh"):
            assert isinstance(plant[field], int | float) and not isinstance(plant[field], bool)


def test_list_shows_every_field_as_stored(client, sandbox):
    acme = sandbox.enabled()
    sandbox.plant(acme.client_id, "PLANT-003", name="Bare", description=None,
                  fvePeakPowerKwp=7.5, capacityKwh=13.25, configEnabled=False,
                  plantWithLoad=True, esiState="OFFLINE")
    listed = client.get(LIST_URL, headers=sandbox.headers(acme)).json
    assert listed[1] == {"plantId": "PLANT-003", "name": "Bare", "descr": None,
                         "fvePeakPowerKwp": 7.5, "capacityKwh": 13.25, "esiState": "OFFLINE",
                         "configEnabled": False, "plantWithLoad": True, "meters": []}


def test_list_is_ordered_by_plant_id(client, sandbox):
    acme = sandbox.enabled()
    for plant_id in ("PLANT-010", "ZULU-1", "PLANT-002", "A-9", "PLANT-0011"):
        sandbox.plant(acme.client_id, plant_id)
    listed = [p["plantId"] for p in client.get(LIST_URL, headers=sandbox.headers(acme)).json]
    assert listed == ["A-9", "PLANT-001", "PLANT-0011", "PLANT-002", "PLANT-010", "ZULU-1"]


def test_list_holds_only_the_calling_clients_plants(client, sandbox):
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    sandbox.plant(beta.client_id, "BETA-7")
    sandbox.plant(acme.client_id, "ACME-2")
    acme_ids = [p["plantId"] for p in client.get(LIST_URL, headers=sandbox.headers(acme)).json]
    beta_ids = [p["plantId"] for p in client.get(LIST_URL, headers=sandbox.headers(beta)).json]
    assert acme_ids == ["ACME-2", "PLANT-001"]
    assert beta_ids == ["BETA-7", "PLANT-001"]


def test_list_is_empty_when_the_client_has_no_plant(app, client, sandbox):
    from voke_esm.services import plants

    acme = sandbox.enabled()
    with app.app_context():
        for plant in plants.list_plants(acme.client_id):
            plants.delete_plant(plant)
    response = client.get(LIST_URL, headers=sandbox.headers(acme))
    assert response.status_code == 200 and response.json == []


# -- plant config ------------------------------------------------------------------------------

def test_config_is_exactly_the_contract(client, sandbox):
    acme = sandbox.enabled()
    response = client.get(CONFIG_URL, query_string={"plantId": "PLANT-001"},
                          headers=sandbox.headers(acme))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {"plantId": "PLANT-001", "version": 1, "configEnabled": True,
                             "esiState": "PLC_READY", "timeConfigs": DEFAULT_BLOCKS}
    assert list(response.json) == ["plantId", "version", "configEnabled", "esiState",
                                   "timeConfigs"]


def test_config_returns_blocks_verbatim_in_the_order_stored(client, sandbox):
    acme = sandbox.enabled()
    sandbox.plant(acme.client_id, "PLANT-002", timeConfigs=TWO_BLOCKS, configEnabled=False,
                  esiState="PLC_OFFLINE")
    response = client.get(CONFIG_URL, query_string={"plantId": "PLANT-002"},
                          headers=sandbox.headers(acme))
    assert response.status_code == 200
    assert response.json == {"plantId": "PLANT-002", "version": 1, "configEnabled": False,
                             "esiState": "PLC_OFFLINE", "timeConfigs": TWO_BLOCKS}
    blocks = response.json["timeConfigs"]
    assert [type(b["pBatMax"]) for b in blocks] == [float, int]
    # Compact JSON on every backend (SQLite's answer splices the stored text).
    assert response.get_data(as_text=True) == json.dumps(
        response.json, separators=(",", ":")) + "\n"


def test_config_shows_the_version_after_updates(client, sandbox):
    acme = sandbox.enabled()
    headers = sandbox.headers(acme)
    for number in (1, 2):
        update = client.post(UPDATE_URL, headers=headers, json={
            "plantId": "PLANT-001", "configUpdateReqCode": f"req-{number}",
            "timeConfigs": TWO_BLOCKS if number == 2 else DEFAULT_BLOCKS})
        assert update.status_code == 200, update.json
    response = client.get(CONFIG_URL, query_string={"plantId": "PLANT-001"}, headers=headers)
    assert response.json["version"] == 3
    assert response.json["timeConfigs"] == TWO_BLOCKS


@pytest.mark.parametrize("query", ["", "?plantId=", "?plantid=PLANT-001", "?plant_id=PLANT-001"])
def test_config_without_plant_id_is_400(client, sandbox, query):
    acme = sandbox.enabled()
    response = client.get(CONFIG_URL + query, headers=sandbox.headers(acme))
    body = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["details"] == ["plantId: is required"]


@pytest.mark.parametrize("plant_id", ["\x00", "PLANT\x00-001"], ids=["nul", "nul-inside"])
def test_config_with_a_nul_in_plant_id_is_400_on_every_backend(client, sandbox, plant_id):
    acme = sandbox.enabled()
    response = client.get(CONFIG_URL, query_string={"plantId": plant_id},
                          headers=sandbox.headers(acme))
    body = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["details"] == ["plantId: must not contain NUL characters"]


@pytest.mark.parametrize("plant_id", ["PLANT-999", "plant-001", "PLANT-001 ", "%", "_LANT-001",
                                      "x" * 300])
def test_config_of_an_unknown_plant_is_404(client, sandbox, plant_id):
    acme = sandbox.enabled()
    response = client.get(CONFIG_URL, query_string={"plantId": plant_id},
                          headers=sandbox.headers(acme))
    assert_envelope(response, 404, "PLANT_NOT_FOUND")


def test_another_clients_plant_is_404_like_an_unknown_one(client, sandbox):
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    sandbox.plant(beta.client_id, "BETA-7")
    headers = sandbox.headers(acme)
    foreign = client.get(CONFIG_URL, query_string={"plantId": "BETA-7"}, headers=headers)
    unknown = client.get(CONFIG_URL, query_string={"plantId": "NOPE-7"}, headers=headers)
    foreign_body = assert_envelope(foreign, 404, "PLANT_NOT_FOUND")
    unknown_body = assert_envelope(unknown, 404, "PLANT_NOT_FOUND")
    assert foreign_body == {**unknown_body, "message": unknown_body["message"].replace(
        "NOPE-7", "BETA-7")}
    # Beta itself sees it.
    own = client.get(CONFIG_URL, query_string={"plantId": "BETA-7"}, headers=sandbox.headers(beta))
    assert own.status_code == 200 and own.json["plantId"] == "BETA-7"


def test_same_plant_id_of_two_clients_answers_each_its_own(client, sandbox):
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    update = client.post(UPDATE_URL, headers=sandbox.headers(beta), json={
        "plantId": "PLANT-001", "configUpdateReqCode": "beta-1", "timeConfigs": TWO_BLOCKS})
    assert update.status_code == 200 and update.json["version"] == 2
    mine = client.get(CONFIG_URL, query_string={"plantId": "PLANT-001"},
                      headers=sandbox.headers(acme)).json
    assert mine["version"] == 1 and mine["timeConfigs"] == DEFAULT_BLOCKS


# -- bearer token on list and config -----------------------------------------------------------

ENDPOINTS = [("GET", LIST_URL), ("GET", CONFIG_URL + "?plantId=PLANT-001"),
             ("POST", UPDATE_URL)]
UPDATE_BODY = {"plantId": "PLANT-001", "configUpdateReqCode": "req-1",
               "timeConfigs": DEFAULT_BLOCKS}


def call(client, method: str, url: str, headers: dict):
    if method == "POST":
        return client.post(url, json=UPDATE_BODY, headers=headers)
    return client.get(url, headers=headers)


@pytest.mark.parametrize("method, url", ENDPOINTS, ids=["list", "config", "update"])
@pytest.mark.parametrize("headers", [
    {}, {"Authorization": ""}, {"Authorization": "Basic dm9rZTpzZWNyZXQ="},
    {"Authorization": "Token abc.def.ghi"},
], ids=["none", "empty", "basic", "other-scheme"])
def test_no_token_is_401_with_a_plain_bearer_challenge(client, sandbox, method, url, headers):
    sandbox.enabled()
    response = call(client, method, url, headers)
    assert_envelope(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("method, url", ENDPOINTS, ids=["list", "config", "update"])
@pytest.mark.parametrize("token", ["abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "x" * 2000],
                         ids=["word", "dots", "unsigned", "long"])
def test_a_bad_token_is_401_invalid_token(client, sandbox, method, url, token):
    sandbox.enabled()
    response = call(client, method, url, {"Authorization": f"Bearer {token}"})
    assert_envelope(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_scheme_is_case_insensitive(client, sandbox, scheme):
    acme = sandbox.enabled()
    token = sandbox.token(acme)
    response = client.get(LIST_URL, headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 200
