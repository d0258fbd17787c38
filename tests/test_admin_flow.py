"""The product page's whole story over HTTP: the SuperAdmin's side and the ESM client's side."""

from __future__ import annotations

from tests.admin_support import (
    ADMIN_URL,
    EXAMPLE_PLANT,
    LOGIN_URL,
    ORGS_URL,
    PASSWORD,
    PLANTS_URL,
    assert_error,
    make_user,
)

TRADING = "/api/v1/voke-esm/trading"
NEW_BLOCKS = [
    {"from": "00:00", "to": "05:59", "pBatMax": 20, "pBatMin": -20, "socMax": 100, "socMin": 10},
    {"from": "06:00", "to": "18:00", "pBatMax": 60, "pBatMin": -40, "socMax": 90, "socMin": 25},
]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def esm_token(client, credentials):
    return client.post(f"{TRADING}/token", json={"clientId": credentials["clientId"],
                                                 "clientSecret": credentials["clientSecret"]})


def test_product_page_flow(app, client):
    make_user(app, "root@voke.test")

    # The SuperAdmin signs in, creates the organization and enables the sandbox for it.
    login = client.post(LOGIN_URL, json={"email": "root@voke.test", "password": PASSWORD})
    assert login.status_code == 200
    admin = bearer(login.json["accessToken"])
    org = client.post(ORGS_URL, json={"name": "Acme", "slug": "acme"}, headers=admin)
    assert org.status_code == 201
    org_id = org.json["id"]
    enabled = client.post(f"{ADMIN_URL}/enable?orgId={org_id}", headers=admin)
    assert enabled.status_code == 201
    first = enabled.json

    # A fake plant from the product page's example body, bound to the issued clientId.
    body = {**EXAMPLE_PLANT, "clientId": first["clientId"], "externalPlantId": "PLANT-002"}
    created = client.post(PLANTS_URL, json=body, headers=admin)
    assert created.status_code == 201
    plant_url = created.headers["Location"]

    # Voke's ESM client: token, plant list, config, config update.
    token = esm_token(client, first)
    assert token.status_code == 200
    esm = bearer(token.json["accessToken"])
    listed = client.get(f"{TRADING}/plant/list", headers=esm)
    assert [(p["plantId"], p["name"]) for p in listed.json] == [
        ("PLANT-001", "Default plant"), ("PLANT-002", "Acme Site A")]
    assert listed.json[1]["descr"] == "Battery storage + PV"
    config = client.get(f"{TRADING}/plant/config?plantId=PLANT-002", headers=esm)
    assert (config.json["version"], config.json["timeConfigs"]) == (1, body["timeConfigs"])
    update = client.post(f"{TRADING}/plant/config/update", headers=esm, json={
        "plantId": "PLANT-002", "configUpdateReqCode": "req-abc123", "validateOnly": False,
        "timeConfigs": [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50,
                         "socMax": 90, "socMin": 20}]})
    assert (update.status_code, update.json["resultCode"], update.json["version"]) == (
        200, "applied_ok", 2)

    # The SuperAdmin edits the blocks: a new version the ESM client sees.
    patched = client.patch(plant_url, json={"timeConfigs": NEW_BLOCKS}, headers=admin)
    assert (patched.status_code, patched.json["version"]) == (200, 3)
    config = client.get(f"{TRADING}/plant/config?plantId=PLANT-002", headers=esm)
    assert (config.json["version"], config.json["timeConfigs"]) == (3, NEW_BLOCKS)

    # Disable: the token already issued and the secret both stop working at once.
    disabled = client.post(f"{ADMIN_URL}/disable?orgId={org_id}", headers=admin)
    assert disabled.json == {"message": "Voke ESM disabled for acme"}
    assert_error(client.get(f"{TRADING}/plant/list", headers=esm), 401, "UNAUTHORIZED")
    assert_error(esm_token(client, first), 401, "UNAUTHORIZED")

    # Enable again: a new secret that works, the same clientId, the same two plants.
    second = client.post(f"{ADMIN_URL}/enable?orgId={org_id}", headers=admin).json
    assert second["clientId"] == first["clientId"]
    assert second["clientSecret"] != first["clientSecret"]
    assert_error(esm_token(client, first), 401, "UNAUTHORIZED")
    esm = bearer(esm_token(client, second).json["accessToken"])
    listed = client.get(f"{TRADING}/plant/list", headers=esm)
    assert [p["plantId"] for p in listed.json] == ["PLANT-001", "PLANT-002"]
    config = client.get(f"{TRADING}/plant/config?plantId=PLANT-002", headers=esm)
    assert (config.json["version"], config.json["timeConfigs"]) == (3, NEW_BLOCKS)
    status = client.get(f"{ADMIN_URL}/status?orgId={org_id}", headers=admin).json
    assert (status["status"], status["plantCount"], status["hasEsmCredentials"]) == (
        "ENABLED", 2, True)
