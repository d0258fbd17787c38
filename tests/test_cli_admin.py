"""CLI parity with the admin API: `voke-esm plants list|create|update|delete`, `orgs list`."""

from __future__ import annotations

import json

import pytest

from tests.admin_support import EXAMPLE_PLANT, MISSING_UUID, PLANTS_URL, Admin
from tests.factories import BLOCK
from voke_esm.cli import cli
from voke_esm.services import plants

PLANT_KEYS = ["id", "clientId", "externalPlantId", "name", "description", "fvePeakPowerKwp",
              "capacityKwh", "configEnabled", "plantWithLoad", "esiState", "timeConfigs",
              "version", "applyDelaySeconds", "applyOutcome", "createdAt", "updatedAt"]


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


@pytest.fixture
def example(acme):
    return {**EXAMPLE_PLANT, "clientId": acme.client_id, "externalPlantId": "PLANT-002"}


def run(runner, *args, input=None):
    return runner.invoke(cli, list(args), input=input)


def ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def listed(runner, *args):
    return json.loads(ok(run(runner, "plants", "list", *args)))


def test_plants_list(runner, sandbox, acme):
    beta = sandbox.enabled("beta")
    every = listed(runner)
    assert sorted((p["clientId"], p["externalPlantId"]) for p in every) == sorted([
        (acme.client_id, "PLANT-001"), (beta.client_id, "PLANT-001")])
    assert all(list(p) == PLANT_KEYS for p in every)
    only_beta = listed(runner, "--client-id", beta.client_id)
    assert [p["clientId"] for p in only_beta] == [beta.client_id]
    assert listed(runner, "--client-id", "nobody") == []


def test_plants_list_matches_the_admin_api(app, runner, acme):
    over_http = Admin(app, app.test_client()).get(PLANTS_URL).json["data"]
    assert listed(runner) == over_http


def test_plants_create_inline(runner, example):
    created = json.loads(ok(run(runner, "plants", "create", json.dumps(example))))
    assert list(created) == PLANT_KEYS
    assert {key: created[key] for key in example} == example
    assert created["version"] == 1
    assert [p["externalPlantId"] for p in listed(runner)] == ["PLANT-001", "PLANT-002"]


def test_plants_create_from_a_file_and_from_stdin(runner, tmp_path, example):
    path = tmp_path / "plant.json"
    path.write_text(json.dumps(example))
    assert json.loads(ok(run(runner, "plants", "create", f"@{path}")))["name"] == "Acme Site A"
    other = {**example, "externalPlantId": "PLANT-003"}
    created = json.loads(ok(run(runner, "plants", "create", "@-", input=json.dumps(other))))
    assert created["externalPlantId"] == "PLANT-003"


@pytest.mark.parametrize("argument, fragments", [
    ("{not json", ["not valid JSON"]),
    ("[1, 2]", ["must be a JSON object"]),
    ("@/nonexistent/plant.json", ["cannot read /nonexistent/plant.json"]),
])
def test_plants_create_bad_input(runner, acme, argument, fragments):
    assert_one_line_error(run(runner, "plants", "create", argument), *fragments)
    assert len(listed(runner)) == 1


def test_plants_create_validation_is_one_line_with_every_detail(runner, example):
    bad = {**example, "name": "", "timeConfigs": [{**BLOCK, "socMin": 95}]}
    result = run(runner, "plants", "create", json.dumps(bad))
    assert_one_line_error(result, "Validation error", "name: must be 1 to 100 characters",
                          "timeConfigs[0]")
    assert len(listed(runner)) == 1


def test_plants_create_duplicate_and_unknown_client(runner, example):
    ok(run(runner, "plants", "create", json.dumps(example)))
    assert_one_line_error(run(runner, "plants", "create", json.dumps(example)),
                          "already exists")
    unknown = {**example, "clientId": "acme-client-id"}
    assert_one_line_error(run(runner, "plants", "create", json.dumps(unknown)),
                          "no organization was ever enabled with this clientId")


def test_plants_update(app, runner, example):
    created = json.loads(ok(run(runner, "plants", "create", json.dumps(example))))
    renamed = json.loads(ok(run(runner, "plants", "update", created["id"],
                                '{"name": "Renamed"}')))
    assert (renamed["name"], renamed["version"]) == ("Renamed", 1)
    blocks = json.dumps({"timeConfigs": [BLOCK]})
    updated = json.loads(ok(run(runner, "plants", "update", created["id"], blocks)))
    assert (updated["timeConfigs"], updated["version"]) == ([BLOCK], 2)
    with app.app_context():
        history = plants.revisions_of(plants.get_plant(created["id"]))
        assert [(r.version, r.source) for r in history] == [(2, "cli"), (1, "cli")]


@pytest.mark.parametrize("plant_id, body, fragments", [
    ("not-a-uuid", '{"name": "x"}', ["must be a UUID"]),
    (MISSING_UUID, '{"name": "x"}', ["Plant not found"]),
    (None, '{"clientId": "other"}', ["clientId: cannot be changed"]),
    (None, '{"timeConfigs": []}', ["timeConfigs"]),
    (None, "nope", ["not valid JSON"]),
])
def test_plants_update_errors(runner, example, plant_id, body, fragments):
    created = json.loads(ok(run(runner, "plants", "create", json.dumps(example))))
    assert_one_line_error(run(runner, "plants", "update", plant_id or created["id"], body),
                          *fragments)
    assert [p for p in listed(runner) if p["id"] == created["id"]] == [created]


def test_plants_delete(runner, example):
    created = json.loads(ok(run(runner, "plants", "create", json.dumps(example))))
    assert ok(run(runner, "plants", "delete", created["id"])).strip() == \
        f"Deleted plant {created['id']}"
    assert [p["externalPlantId"] for p in listed(runner)] == ["PLANT-001"]
    assert_one_line_error(run(runner, "plants", "delete", created["id"]), "Plant not found")
    assert_one_line_error(run(runner, "plants", "delete", "42"), "must be a UUID")


def test_orgs_list(runner, sandbox):
    sandbox.org("zeta", name="Zeta Power")
    sandbox.org("acme", name="Acme")
    lines = ok(run(runner, "orgs", "list")).strip().splitlines()
    orgs = [json.loads(line) for line in lines]
    assert [(o["slug"], o["name"]) for o in orgs] == [("acme", "Acme"), ("zeta", "Zeta Power")]
    assert list(orgs[0]) == ["id", "name", "slug", "description", "createdAt", "updatedAt"]


def test_orgs_list_empty(runner):
    assert ok(run(runner, "orgs", "list")) == ""
