"""Seed files: export, import (idempotent, validated whole before writing), in the admin API and
through the installed `voke-esm` command."""

from __future__ import annotations

import json

import jsonschema
import pytest
import sqlalchemy as sa

from tests.admin_support import ADMIN_URL, PLANTS_URL, Admin, assert_error
from tests.live import ROOT, run_cli
from voke_esm.extensions import db
from voke_esm.models import ConfigRevision, EsmClient, Organization, Plant

SCHEMA = json.loads((ROOT / "docs" / "seed.schema.json").read_text())
NIGHT = {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
         "socMin": 20}
DAY = {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
       "socMin": 30}


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def acme(sandbox):
    enabled = sandbox.enabled("acme")
    sandbox.plant(enabled.client_id, "PLANT-002", description="Battery storage + PV",
                  fvePeakPowerKwp=120.0, capacityKwh=200.0, timeConfigs=[NIGHT, DAY])
    return enabled


def export(admin, client_id: str) -> dict:
    response = admin.get(f"{ADMIN_URL}/export", query_string={"clientId": client_id})
    assert response.status_code == 200, response.json
    return response.json


def import_(admin, document, replace: str | None = None):
    query = {} if replace is None else {"replace": replace}
    return admin.post(f"{ADMIN_URL}/import", json=document, query_string=query)


def _plants(admin, client_id: str) -> list[dict]:
    body = admin.get(PLANTS_URL, query_string={"clientId": client_id}).json
    return body["data"] if isinstance(body, dict) else body  # paginated or not


def snapshot(app) -> list:
    """Every organization, client and plant (with its versions), to prove nothing changed."""
    with app.app_context():
        rows = [tuple(row) for model in (Organization, EsmClient, Plant, ConfigRevision)
                for row in db.session.execute(sa.select(*model.__table__.columns)).all()]
    return sorted(rows, key=repr)


def test_export_is_the_organization_and_its_plants_without_credentials(admin, acme):
    response = admin.get(f"{ADMIN_URL}/export", query_string={"clientId": acme.client_id})
    assert response.headers["Content-Disposition"] == 'attachment; filename="acme.json"'
    document = response.json
    jsonschema.validate(document, SCHEMA)
    assert (document["format"], document["version"]) == ("voke-esm-seed", 1)
    assert document["organization"] == {"name": "Acme", "slug": "acme", "description": None}
    assert [p["externalPlantId"] for p in document["plants"]] == ["PLANT-001", "PLANT-002"]
    assert document["plants"][1] == {
        "externalPlantId": "PLANT-002", "name": "PLANT-002", "description": "Battery storage + PV",
        "fvePeakPowerKwp": 120.0, "capacityKwh": 200.0, "configEnabled": True,
        "plantWithLoad": False, "esiState": "PLC_READY", "timeConfigs": [NIGHT, DAY],
        "applyDelaySeconds": 0, "applyOutcome": "applied"}
    text = response.get_data(as_text=True)
    assert acme.client_secret not in text and acme.client_id not in text


def test_importing_an_export_twice_changes_nothing(app, admin, acme):
    document = export(admin, acme.client_id)
    before = snapshot(app)
    response = import_(admin, document)
    assert response.status_code == 200, response.json
    assert response.json == {"slug": "acme", "organization": "unchanged", "changed": False,
                             "plants": {"created": 0, "updated": 0, "unchanged": 2,
                                        "deleted": 0}, "faultRules": "unchanged"}
    assert snapshot(app) == before


def test_import_upserts_by_slug_and_external_plant_id(admin, acme):
    document = export(admin, acme.client_id)
    document["organization"]["description"] = "Seeded"
    document["plants"][0]["name"] = "Renamed"  # a field: no new config version
    document["plants"][1]["timeConfigs"] = [{**DAY, "from": "00:00"}]  # a new version
    document["plants"].append({"externalPlantId": "PLANT-003", "name": "Third"})
    response = import_(admin, document)
    assert response.json["organization"] == "updated"
    assert response.json["plants"] == {"created": 1, "updated": 2, "unchanged": 0, "deleted": 0}
    listed = {p["externalPlantId"]: p for p in _plants(admin, acme.client_id)}
    assert (listed["PLANT-001"]["name"], listed["PLANT-001"]["version"]) == ("Renamed", 1)
    assert listed["PLANT-002"]["version"] == 2
    assert listed["PLANT-003"]["timeConfigs"] == [{"from": "00:00", "to": "23:59",
                                                  "pBatMax": 50, "pBatMin": -50,
                                                  "socMax": 90, "socMin": 20}]
    revision = admin.get(f"{PLANTS_URL}/{listed['PLANT-002']['id']}/revisions?limit=1")
    assert revision.json["data"][0]["source"] == "import"


def test_replace_deletes_the_plants_the_file_does_not_list(admin, acme):
    document = export(admin, acme.client_id)
    document["plants"] = document["plants"][1:]
    assert import_(admin, document).json["plants"]["deleted"] == 0
    response = import_(admin, document, replace="true")
    assert response.json["plants"] == {"created": 0, "updated": 0, "unchanged": 1, "deleted": 1}
    assert [p["externalPlantId"] for p in _plants(admin, acme.client_id)] == ["PLANT-002"]


def test_a_new_organization_is_created_and_keeps_its_plants_when_enabled(admin, sandbox, acme):
    document = export(admin, acme.client_id)
    document["organization"] = {"name": "Beta Energy", "slug": "beta"}
    assert import_(admin, document).json["organization"] == "created"
    orgs = admin.get("/api/v1/organizations?limit=100").json["data"]
    beta_id = next(o["id"] for o in orgs if o["slug"] == "beta")
    status = admin.get(f"{ADMIN_URL}/status", query_string={"orgId": beta_id}).json
    assert (status["status"], status["enabled"]) == ("NOT_CONFIGURED", False)
    beta = sandbox.enabled("beta")  # enable issues credentials for the imported client
    assert beta.client_id == status["clientId"]
    plant_list = sandbox.client.get("/api/v1/voke-esm/trading/plant/list",
                                    headers=sandbox.headers(beta)).json
    assert [p["plantId"] for p in plant_list] == ["PLANT-001", "PLANT-002"]  # no default added


def test_an_invalid_file_is_refused_whole_with_json_paths(app, admin, acme):
    document = export(admin, acme.client_id)
    document["plants"] += [
        {"externalPlantId": "PLANT-009", "name": "ok"},
        {"externalPlantId": "PLANT-010", "name": "bad",
         "timeConfigs": [NIGHT, {**DAY, "socMin": 95}]},
        {"externalPlantId": "PLANT-009", "name": "twice"},
        {"externalPlantId": "PLANT-011", "name": "x", "clientId": acme.client_id},
        "not a plant",
    ]
    document["extra"] = 1
    document["organization"]["slug"] = "Not A Slug"
    before = snapshot(app)
    response = import_(admin, document)
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["message"] == "The seed file is not valid; nothing was imported"
    details = body["details"]
    assert "extra: unknown field" in details
    assert any(line.startswith("organization.slug: ") for line in details)
    assert "plants[3].timeConfigs[1].socMin: must be <= socMax" in details
    assert "plants[4].externalPlantId: 'PLANT-009' is already plants[2]" in details
    assert any(line.startswith("plants[5].clientId: not part of a seed") for line in details)
    assert "plants[6]: must be a JSON object" in details
    assert snapshot(app) == before


@pytest.mark.parametrize("document, detail", [
    ({"format": "other", "version": 1, "organization": {}, "plants": []},
     "format: must be 'voke-esm-seed'"),
    ({"format": "voke-esm-seed", "version": 2, "organization": {}, "plants": []},
     "version: must be 1 (the seed format this sandbox reads)"),
    ({"format": "voke-esm-seed", "version": 1, "organization": {"name": "Ab", "slug": "ab"},
      "plants": {}}, "plants: must be a list"),
])
def test_format_version_and_shape(admin, document, detail):
    assert_error(import_(admin, document), 400, "VALIDATION_ERROR", detail)


def test_api_parameters(admin, acme):
    assert_error(admin.get(f"{ADMIN_URL}/export"), 400, "VALIDATION_ERROR", "clientId: is required")
    assert_error(admin.get(f"{ADMIN_URL}/export?clientId=nobody"), 404, "NOT_FOUND")
    document = export(admin, acme.client_id)
    assert_error(import_(admin, document, replace="yes"), 400, "VALIDATION_ERROR",
                 "replace: must be true or false")
    assert_error(admin.client.post(f"{ADMIN_URL}/import", json=document), 401, "UNAUTHORIZED")


def test_the_cli_exports_and_imports_through_the_entry_point(env, tmp_path, acme):
    seed = tmp_path / "acme.json"
    run_cli(env, "export", "--org", "acme", "--output", str(seed))
    document = json.loads(seed.read_text())
    jsonschema.validate(document, SCHEMA)
    assert json.loads(run_cli(env, "export", "--org", "acme").stdout)["plants"] == \
        document["plants"]
    again = run_cli(env, "import", str(seed))
    assert again.stdout.strip() == "acme: nothing changed (2 plants already as in the file)"
    assert document["faultRules"] == []
    document["plants"].append({"externalPlantId": "PLANT-003", "name": "Third"})
    seed.write_text(json.dumps(document))
    changed = run_cli(env, "import", str(seed), "--json")
    assert json.loads(changed.stdout)["plants"]["created"] == 1
    document["plants"][0]["timeConfigs"] = [{**NIGHT, "pBatMax": -1}]
    seed.write_text(json.dumps(document))
    refused = run_cli(env, "import", str(seed), check=False)
    assert refused.returncode == 1
    assert "nothing was imported" in refused.stderr
    assert "  plants[0].timeConfigs[0].pBatMax: must be >= 0" in refused.stderr.splitlines()
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    bad = run_cli(env, "import", str(garbage), check=False)
    assert bad.returncode == 1 and "is not valid JSON" in bad.stderr
    assert "Traceback" not in bad.stderr + refused.stderr


def test_a_large_file_imports_in_one_transaction_with_progress(env, tmp_path, acme):
    document = json.loads(run_cli(env, "export", "--org", "acme").stdout)
    document["plants"] += [{"externalPlantId": f"BULK-{n:04d}", "name": f"Bulk {n}"}
                           for n in range(1200)]
    seed = tmp_path / "bulk.json"
    seed.write_text(json.dumps(document))
    result = run_cli(env, "import", str(seed), "--json")
    assert json.loads(result.stdout)["plants"]["created"] == 1200
    assert "Importing plants" in result.stderr
    again = json.loads(run_cli(env, "import", str(seed), "--json").stdout)
    assert again["changed"] is False and again["plants"]["unchanged"] == 1202


def test_a_seeds_blocks_supersede_a_delayed_update(admin, sandbox, acme):
    document = export(admin, acme.client_id)
    document["plants"][1]["applyDelaySeconds"] = 600
    assert import_(admin, document).json["plants"]["updated"] == 1
    update = {"plantId": "PLANT-002", "configUpdateReqCode": "req-late", "validateOnly": False,
              "timeConfigs": [DAY | {"from": "00:00"}]}
    answer = sandbox.client.post("/api/v1/voke-esm/trading/plant/config/update", json=update,
                                 headers=sandbox.headers(acme))
    assert answer.json["resultCode"] == "cfg_accepted", answer.json
    document["plants"][1]["timeConfigs"] = [NIGHT | {"to": "23:59"}]
    assert import_(admin, document).json["plants"]["updated"] == 1
    plant = next(p for p in _plants(admin, acme.client_id) if p["externalPlantId"] == "PLANT-002")
    history = admin.get(f"{PLANTS_URL}/{plant['id']}/revisions").json["data"]
    assert [(r["status"], r["version"], r["source"]) for r in history[:2]] == [
        ("applied", 2, "import"), ("superseded", None, "trading")]
    assert plant["timeConfigs"] == [NIGHT | {"to": "23:59"}]


RULES = [{"plantId": None, "endpoint": "plant/config/update",
          "effect": {"type": "lost_answer", "status": 504},
          "trigger": {"mode": "next", "count": 3}, "expiresAt": None, "label": "lost answers"},
         {"plantId": "PLANT-002", "endpoint": "any", "effect": {"type": "latency", "ms": 200,
                                                                "jitterMs": 0},
          "trigger": {"mode": "always"}, "expiresAt": None, "label": None}]


def test_fault_rules_travel_with_the_seed_in_their_order(admin, sandbox, acme):
    for rule in RULES:
        assert admin.post(f"{ADMIN_URL}/faults", json={"clientId": acme.client_id, **rule}
                          ).status_code == 201
    document = export(admin, acme.client_id)
    assert document["faultRules"] == RULES  # no id, client, hits or createdAt
    jsonschema.validate(document, SCHEMA)
    assert import_(admin, document).json["faultRules"] == "unchanged"

    beta = sandbox.enabled("beta")
    seeded = {**document, "organization": {"name": "Beta", "slug": "beta"}}
    assert import_(admin, seeded).json["faultRules"] == "replaced"
    listed = admin.get(f"{ADMIN_URL}/faults", query_string={"clientId": beta.client_id}).json
    assert [(r["label"], r["remaining"], r["hits"]) for r in listed["data"]] == [
        ("lost answers", 3, 0), (None, None, 0)]
    assert import_(admin, seeded).json["changed"] is False

    without = {key: value for key, value in seeded.items() if key != "faultRules"}
    assert import_(admin, without).json["faultRules"] == "unchanged"  # no key: left alone
    assert import_(admin, {**seeded, "faultRules": []}).json["faultRules"] == "replaced"
    assert admin.get(f"{ADMIN_URL}/faults", query_string={"clientId": beta.client_id}
                     ).json["data"] == []


def test_bad_fault_rules_are_refused_with_their_paths(app, admin, acme):
    document = export(admin, acme.client_id)
    document["faultRules"] = [{"effect": {"type": "explode"}},
                              {"clientId": acme.client_id, "effect": {"type": "hang",
                                                                      "seconds": 1}},
                              "nope"]
    before = snapshot(app)
    body = assert_error(import_(admin, document), 400, "VALIDATION_ERROR")
    assert any(line.startswith("faultRules[0].effect") for line in body["details"])
    assert any(line.startswith("faultRules[1].clientId: not part of a seed")
               for line in body["details"])
    assert "faultRules[2]: must be a JSON object" in body["details"]
    assert snapshot(app) == before
