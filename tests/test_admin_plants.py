"""Fake plant CRUD under /api/v1/voke-esm/admin/plants."""

from __future__ import annotations

import re

import pytest

from tests.admin_support import (
    ADMIN_URL,
    EXAMPLE_PLANT,
    MISSING_UUID,
    PLANTS_URL,
    Admin,
    assert_error,
)
from tests.factories import BLOCK
from voke_esm.services import plants

PLANT_KEYS = ["id", "clientId", "externalPlantId", "name", "description", "fvePeakPowerKwp",
              "capacityKwh", "configEnabled", "plantWithLoad", "esiState", "timeConfigs",
              "version", "applyDelaySeconds", "applyOutcome", "createdAt", "updatedAt"]
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
CONFIG_URL = "/api/v1/voke-esm/trading/plant/config"


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


@pytest.fixture
def example(acme):
    """The product page's body for this client, as a second plant next to the default one."""
    return {**EXAMPLE_PLANT, "clientId": acme.client_id, "externalPlantId": "PLANT-002"}


def create(admin, body):
    response = admin.post(PLANTS_URL, json=body)
    assert response.status_code == 201, response.json
    return response.json


def revisions(app, plant_id):
    with app.app_context():
        plant = plants.get_plant(plant_id)
        return [(r.version, r.source, r.time_configs) for r in plants.revisions_of(plant)]


def test_create_with_the_product_page_body(app, admin, example):
    response = admin.post(PLANTS_URL, json=example)
    assert response.status_code == 201
    body = response.json
    assert list(body) == PLANT_KEYS
    assert response.headers["Location"] == f"{PLANTS_URL}/{body['id']}"
    expected = {key: example[key] for key in example}
    assert {key: body[key] for key in expected} == expected
    assert (body["plantWithLoad"], body["esiState"], body["version"]) == (
        False, "PLC_READY", 1)
    assert ISO_UTC.fullmatch(body["createdAt"]) and ISO_UTC.fullmatch(body["updatedAt"])
    assert admin.get(response.headers["Location"]).json == body
    assert revisions(app, body["id"]) == [(1, "admin", example["timeConfigs"])]


def test_create_applies_the_defaults(admin, acme):
    body = create(admin, {"clientId": acme.client_id, "externalPlantId": "p.2_b-3",
                          "name": "Minimal"})
    assert {key: body[key] for key in ("description", "fvePeakPowerKwp", "capacityKwh",
                                       "configEnabled", "plantWithLoad", "esiState",
                                       "timeConfigs", "version")} == {
        "description": None, "fvePeakPowerKwp": 0, "capacityKwh": 0, "configEnabled": True,
        "plantWithLoad": False, "esiState": "PLC_READY", "timeConfigs": [BLOCK], "version": 1}


def test_the_literal_example_collides_with_the_default_plant(admin, acme):
    """Enable already made PLANT-001, so the page's example as-is is a duplicate."""
    response = admin.post(PLANTS_URL, json={**EXAMPLE_PLANT, "clientId": acme.client_id})
    assert_error(response, 409, "CONFLICT")


def test_same_external_id_for_another_client_is_fine(admin, sandbox, example):
    beta = sandbox.enabled("beta")
    create(admin, example)
    create(admin, {**example, "clientId": beta.client_id})


def test_create_for_a_client_never_enabled_is_400(admin, example):
    response = admin.post(PLANTS_URL, json={**example, "clientId": "acme-client-id"})
    assert_error(response, 400, "VALIDATION_ERROR",
                 "clientId: no organization was ever enabled with this clientId")


def test_create_for_a_disabled_client_is_allowed(admin, acme, example):
    response = admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": acme.org_id})
    assert response.status_code == 200
    create(admin, example)


@pytest.mark.parametrize("change, detail", [
    ({"clientId": None}, "clientId: must be a string"),
    ({"externalPlantId": ""}, "externalPlantId: must be 1 to 64 characters"),
    ({"externalPlantId": "-bad"}, "externalPlantId: must start with a letter or digit; then "
                                  "letters, digits, '.', '_' or '-'"),
    ({"externalPlantId": "x" * 65}, "externalPlantId: must be 1 to 64 characters"),
    ({"name": ""}, "name: must be 1 to 100 characters"),
    ({"name": "n" * 101}, "name: must be 1 to 100 characters"),
    ({"fvePeakPowerKwp": -1}, "fvePeakPowerKwp: must be >= 0"),
    ({"capacityKwh": "200"}, "capacityKwh: must be a finite number"),
    ({"capacityKwh": True}, "capacityKwh: must be a finite number"),
    ({"configEnabled": "yes"}, "configEnabled: must be true or false"),
    ({"plantWithLoad": 1}, "plantWithLoad: must be true or false"),
    ({"esiState": "ready"}, "esiState: must be upper-case letters, digits and '_'"),
    ({"description": "a\x00b"}, "description: must not contain NUL characters"),
    ({"timeConfigs": []}, None),
    ({"timeConfigs": [{**BLOCK, "socMin": 95}]}, None),
    ({"timeConfigs": [{**BLOCK, "extra": 1}]}, None),
    ({"timeConfigs": [{**BLOCK, "from": "7:00"}]}, None),
    ({"color": "red"}, "color: unknown field"),
])
def test_create_validation(admin, example, change, detail):
    body = assert_error(admin.post(PLANTS_URL, json={**example, **change}), 400,
                        "VALIDATION_ERROR", detail)
    assert body["details"]
    assert all(": " in line for line in body["details"])
    if "timeConfigs" in change:
        assert all(line.startswith("timeConfigs") for line in body["details"])
    assert len(admin.get(PLANTS_URL).json["data"]) == 1  # only the default plant


@pytest.mark.parametrize("field", ["clientId", "externalPlantId", "name"])
def test_create_required_fields(admin, example, field):
    body = {key: value for key, value in example.items() if key != field}
    assert_error(admin.post(PLANTS_URL, json=body), 400, "VALIDATION_ERROR",
                 f"{field}: is required")


def test_time_config_errors_name_each_block(admin, example):
    blocks = [{**BLOCK, "to": "12:00", "socMin": 95},
              {**BLOCK, "from": "11:00", "pBatMax": -1}]
    body = assert_error(admin.post(PLANTS_URL, json={**example, "timeConfigs": blocks}), 400,
                        "VALIDATION_ERROR")
    assert any(line.startswith("timeConfigs[0].socMin") for line in body["details"])
    assert any(line.startswith("timeConfigs[1].pBatMax") for line in body["details"])


def test_create_duplicate_is_409(admin, example):
    create(admin, example)
    assert_error(admin.post(PLANTS_URL, json={**example, "name": "Again"}), 409, "CONFLICT")


def test_create_needs_json(admin):
    assert_error(admin.post(PLANTS_URL, data="x", content_type="text/plain"), 415,
                 "UNSUPPORTED_MEDIA_TYPE")
    assert_error(admin.post(PLANTS_URL, data="[", content_type="application/json"), 400,
                 "BAD_REQUEST")


def test_list_and_filter_by_client(admin, sandbox, acme, example):
    beta = sandbox.enabled("beta")
    create(admin, example)
    every = admin.get(PLANTS_URL)
    assert every.status_code == 200
    assert sorted((p["clientId"], p["externalPlantId"]) for p in every.json["data"]) == sorted([
        (acme.client_id, "PLANT-001"), (acme.client_id, "PLANT-002"),
        (beta.client_id, "PLANT-001")])
    assert all(list(p) == PLANT_KEYS for p in every.json["data"])
    only_acme = admin.get(PLANTS_URL, query_string={"clientId": acme.client_id}).json["data"]
    assert [p["externalPlantId"] for p in only_acme] == ["PLANT-001", "PLANT-002"]
    assert admin.get(PLANTS_URL, query_string={"clientId": "nobody"}).json["data"] == []


def test_get_one(admin, example):
    created = create(admin, example)
    response = admin.get(f"{PLANTS_URL}/{created['id']}")
    assert response.status_code == 200
    assert response.json == created


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_bad_and_unknown_ids(admin, acme, method):
    body = {"name": "x"} if method == "PATCH" else None
    assert_error(admin.open(method, f"{PLANTS_URL}/not-a-uuid", json=body), 400, "INVALID_UUID")
    assert_error(admin.open(method, f"{PLANTS_URL}/{MISSING_UUID}", json=body), 404,
                 "NOT_FOUND")
    assert len(admin.get(PLANTS_URL).json["data"]) == 1


def test_patch_changes_only_what_is_sent(app, admin, example):
    created = create(admin, example)
    response = admin.patch(f"{PLANTS_URL}/{created['id']}",
                           json={"name": "Renamed", "description": None, "capacityKwh": 250})
    assert response.status_code == 200
    body = response.json
    assert (body["name"], body["description"], body["capacityKwh"]) == ("Renamed", None, 250)
    unchanged = {k: v for k, v in created.items()
                 if k not in ("name", "description", "capacityKwh", "updatedAt")}
    assert {k: body[k] for k in unchanged} == unchanged
    assert body["version"] == 1
    assert len(revisions(app, created["id"])) == 1
    assert admin.get(f"{PLANTS_URL}/{created['id']}").json == body


def test_patch_time_configs_is_a_new_version(app, client, sandbox, admin, acme, example):
    created = create(admin, example)
    blocks = [{"from": "00:00", "to": "11:59", "pBatMax": 5, "pBatMin": -5, "socMax": 80,
               "socMin": 10},
              {"from": "12:00", "to": "23:59", "pBatMax": 7, "pBatMin": 0, "socMax": 100,
               "socMin": 0}]
    response = admin.patch(f"{PLANTS_URL}/{created['id']}", json={"timeConfigs": blocks})
    assert response.status_code == 200
    assert (response.json["timeConfigs"], response.json["version"]) == (blocks, 2)
    assert revisions(app, created["id"]) == [(2, "admin", blocks),
                                             (1, "admin", example["timeConfigs"])]
    config = client.get(CONFIG_URL, query_string={"plantId": "PLANT-002"},
                        headers=sandbox.headers(acme)).json
    assert (config["version"], config["timeConfigs"]) == (2, blocks)


def test_patch_with_the_same_blocks_keeps_the_version(app, admin, example):
    created = create(admin, example)
    response = admin.patch(f"{PLANTS_URL}/{created['id']}",
                           json={"timeConfigs": example["timeConfigs"]})
    assert response.json["version"] == 1
    assert len(revisions(app, created["id"])) == 1


@pytest.mark.parametrize("change, code, detail", [
    ({"clientId": "other"}, "VALIDATION_ERROR",
     "clientId: cannot be changed; create the plant for the other client"),
    ({"name": ""}, "VALIDATION_ERROR", "name: must be 1 to 100 characters"),
    ({"timeConfigs": [{**BLOCK, "to": "24:00"}]}, "VALIDATION_ERROR", None),
    ({"version": 5}, "VALIDATION_ERROR", "version: unknown field"),
    ({"externalPlantId": "PLANT-001"}, "CONFLICT", None),
])
def test_patch_errors_change_nothing(admin, example, change, code, detail):
    created = create(admin, example)
    status = 409 if code == "CONFLICT" else 400
    assert_error(admin.patch(f"{PLANTS_URL}/{created['id']}", json=change), status, code, detail)
    assert admin.get(f"{PLANTS_URL}/{created['id']}").json == created


def test_patch_rename_external_id(admin, example):
    created = create(admin, example)
    response = admin.patch(f"{PLANTS_URL}/{created['id']}", json={"externalPlantId": "SITE-A"})
    assert response.json["externalPlantId"] == "SITE-A"


def test_patch_needs_json(admin, example):
    created = create(admin, example)
    assert_error(admin.patch(f"{PLANTS_URL}/{created['id']}", data="name=x",
                             content_type="application/x-www-form-urlencoded"),
                 415, "UNSUPPORTED_MEDIA_TYPE")


def test_delete(client, sandbox, admin, acme, example):
    created = create(admin, example)
    response = admin.delete(f"{PLANTS_URL}/{created['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(admin.get(f"{PLANTS_URL}/{created['id']}"), 404, "NOT_FOUND")
    assert_error(admin.delete(f"{PLANTS_URL}/{created['id']}"), 404, "NOT_FOUND")
    listed = client.get("/api/v1/voke-esm/trading/plant/list", headers=sandbox.headers(acme))
    assert [p["plantId"] for p in listed.json] == ["PLANT-001"]


def test_the_list_is_paged_and_searchable(admin, acme, example):
    for n in range(2, 8):
        create(admin, {**example, "externalPlantId": f"SITE-{n}", "name": f"Site {n}"})
    page = admin.get(PLANTS_URL, query_string={"limit": 3, "page": 2})
    assert page.status_code == 200
    assert page.json["meta"] == {"page": 2, "limit": 3, "total": 7, "totalPages": 3}
    assert [p["externalPlantId"] for p in page.json["data"]] == ["SITE-4", "SITE-5", "SITE-6"]
    found = admin.get(PLANTS_URL, query_string={"q": "site 7", "clientId": acme.client_id})
    assert [p["externalPlantId"] for p in found.json["data"]] == ["SITE-7"]
    assert found.json["meta"]["total"] == 1
    assert admin.get(PLANTS_URL).json["meta"]["limit"] == 100


@pytest.mark.parametrize("query", ["limit=501", "limit=0", "page=0", "page=x"])
def test_the_list_refuses_a_bad_page(admin, query):
    assert_error(admin.get(f"{PLANTS_URL}?{query}"), 400, "VALIDATION_ERROR")
