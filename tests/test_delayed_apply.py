"""Delayed and failed applies per plant (CONTRACT §6.3), through the trading and admin APIs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.admin_support import ADMIN_URL, PLANTS_URL, Admin, assert_error
from tests.factories import BLOCK
from voke_esm.cli import cli
from voke_esm.extensions import db
from voke_esm.models import ConfigRevision
from voke_esm.services import applies, plants

UPDATE_URL = "/api/v1/voke-esm/trading/plant/config/update"
CONFIG_URL = "/api/v1/voke-esm/trading/plant/config"
CLOCK_URL = f"{ADMIN_URL}/clock"
FAILED = "device: the plant failed to apply this configuration"


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


@pytest.fixture
def voke(client, sandbox, acme):
    """Voke's trading calls with acme's token."""
    headers = sandbox.headers(acme)

    class Voke:
        def update(self, code: str, blocks: list, plant: str = "PLANT-001", **extra):
            return client.post(UPDATE_URL, headers=headers, json={
                "plantId": plant, "configUpdateReqCode": code, "timeConfigs": blocks, **extra})

        def config(self, plant: str = "PLANT-001") -> dict:
            response = client.get(CONFIG_URL, headers=headers, query_string={"plantId": plant})
            assert response.status_code == 200, response.json
            return response.json

    return Voke()


def blocks(p_bat_max: int) -> list[dict]:
    return [{**BLOCK, "pBatMax": p_bat_max}]


def plant_001(admin, acme) -> dict:
    listed = admin.get(PLANTS_URL, query_string={"clientId": acme.client_id}).json
    rows = listed["data"] if isinstance(listed, dict) else listed
    return next(plant for plant in rows if plant["externalPlantId"] == "PLANT-001")


def set_plant(admin, acme, **fields) -> dict:
    response = admin.patch(f"{PLANTS_URL}/{plant_001(admin, acme)['id']}", json=fields)
    assert response.status_code == 200, response.json
    return response.json


def advance(admin, acme, seconds: int) -> None:
    response = admin.post(CLOCK_URL, json={"clientId": acme.client_id, "advanceSeconds": seconds})
    assert response.status_code == 200, response.json


def statuses(app, plant_id: str) -> list[tuple[str | None, str, int | None]]:
    """(request code, status, version) of the plant's revisions, oldest first."""
    with app.app_context():
        plant = plants.get_plant(plant_id)
        return [(r.config_update_req_code, r.status, r.version)
                for r in reversed(plants.revisions_of(plant))]


def answer(response) -> tuple[int, str, int]:
    body = response.json
    return response.status_code, body["resultCode"], body.get("version")


# -- plant fields ------------------------------------------------------------------------------

def test_plant_fields_default_and_round_trip(admin, acme):
    created = admin.post(PLANTS_URL, json={"clientId": acme.client_id,
                                           "externalPlantId": "P2", "name": "Two"}).json
    assert created["applyDelaySeconds"] == 0 and created["applyOutcome"] == "applied"
    changed = admin.patch(f"{PLANTS_URL}/{created['id']}",
                          json={"applyDelaySeconds": 86400, "applyOutcome": "failed"}).json
    assert changed["applyDelaySeconds"] == 86400 and changed["applyOutcome"] == "failed"
    assert admin.get(f"{PLANTS_URL}/{created['id']}").json["applyOutcome"] == "failed"


@pytest.mark.parametrize(("fields", "detail"), [
    ({"applyDelaySeconds": -1}, "applyDelaySeconds: must be a whole number from 0 to 86400"),
    ({"applyDelaySeconds": 86401}, "applyDelaySeconds: must be a whole number from 0 to 86400"),
    ({"applyDelaySeconds": 1.5}, "applyDelaySeconds: must be a whole number from 0 to 86400"),
    ({"applyDelaySeconds": "60"}, "applyDelaySeconds: must be a whole number from 0 to 86400"),
    ({"applyDelaySeconds": True}, "applyDelaySeconds: must be a whole number from 0 to 86400"),
    ({"applyOutcome": "maybe"}, "applyOutcome: must be applied or failed"),
    ({"applyOutcome": 1}, "applyOutcome: must be a string"),
])
def test_bad_plant_fields_have_details_per_field(admin, acme, fields, detail):
    created = admin.post(PLANTS_URL, json={"clientId": acme.client_id, "externalPlantId": "P2",
                                           "name": "Two", **fields})
    assert_error(created, 400, "VALIDATION_ERROR", detail)
    patched = admin.patch(f"{PLANTS_URL}/{plant_001(admin, acme)['id']}", json=fields)
    assert_error(patched, 400, "VALIDATION_ERROR", detail)


# -- delayed -----------------------------------------------------------------------------------

def test_a_delayed_update_applies_when_due_on_the_clients_clock(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyDelaySeconds=120)
    before = voke.config()["timeConfigs"]
    assert answer(voke.update("late-1", blocks(7))) == (200, "cfg_accepted", 1)
    assert voke.config()["version"] == 1 and voke.config()["timeConfigs"] == before
    assert answer(voke.update("late-1", blocks(7))) == (200, "cfg_accepted", 1)  # retry
    advance(admin, acme, 100)  # (not 119: real time passes too on a slow machine)
    assert voke.config()["version"] == 1
    advance(admin, acme, 20)
    config = voke.config()
    assert config["version"] == 2 and config["timeConfigs"] == blocks(7)
    assert answer(voke.update("late-1", blocks(7))) == (200, "applied_ok", 2)  # retry
    assert statuses(app, plant["id"]) == [(None, "applied", 1), ("late-1", "applied", 2)]


def test_a_delayed_update_is_answered_verbatim_once_applied(client, admin, acme, sandbox, voke):
    set_plant(admin, acme, applyDelaySeconds=60)
    sent = ('[ {"to": "23:59", "from": "00:00", "pBatMax": 7.50, "pBatMin": -5, "socMax": 90,'
            ' "socMin": 20} ]')
    response = client.post(UPDATE_URL, headers=sandbox.headers(acme),
                           content_type="application/json",
                           data='{"plantId": "PLANT-001", "configUpdateReqCode": "late", '
                                '"timeConfigs": ' + sent + "}")
    assert answer(response) == (200, "cfg_accepted", 1)
    advance(admin, acme, 61)
    assert voke.config() == {**voke.config(), "version": 2, "timeConfigs": json.loads(sent)}
    read = client.get(CONFIG_URL, headers=sandbox.headers(acme),
                      query_string={"plantId": "PLANT-001"})
    assert read.data.decode().endswith('"timeConfigs":' + sent + "}\n")


def test_a_dry_run_on_a_delayed_plant_stores_nothing(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyDelaySeconds=60)
    response = voke.update("dry", blocks(3), validateOnly=True)
    assert answer(response) == (200, "cfg_accepted", 1)
    assert statuses(app, plant["id"]) == [(None, "applied", 1)]


def test_the_admin_api_applies_a_due_revision_when_it_reads_the_plant(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyDelaySeconds=30)
    voke.update("late", blocks(9))
    advance(admin, acme, 30)
    shown = admin.get(f"{PLANTS_URL}/{plant['id']}").json
    assert shown["version"] == 2 and shown["timeConfigs"] == blocks(9)


def test_a_newer_update_supersedes_a_pending_one(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyDelaySeconds=60)
    assert answer(voke.update("first", blocks(1))) == (200, "cfg_accepted", 1)
    advance(admin, acme, 30)
    assert answer(voke.update("second", blocks(2))) == (200, "cfg_accepted", 1)
    advance(admin, acme, 30)  # the first would be due now, but it was superseded
    assert voke.config()["version"] == 1
    advance(admin, acme, 30)
    assert voke.config()["version"] == 2 and voke.config()["timeConfigs"] == blocks(2)
    retry = voke.update("first", blocks(1))
    body = assert_error(retry, 400, "VALIDATION_ERROR")
    assert body["resultCode"] == "cfg_rejected"
    assert body["details"] == [applies.SUPERSEDED_DETAIL]
    assert statuses(app, plant["id"]) == [
        (None, "applied", 1), ("first", "superseded", None), ("second", "applied", 2)]


def test_an_admin_edit_of_the_blocks_supersedes_a_pending_update(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyDelaySeconds=60)
    voke.update("pending", blocks(1))
    edited = set_plant(admin, acme, timeConfigs=blocks(42))
    assert edited["version"] == 2
    advance(admin, acme, 60)
    assert voke.config()["timeConfigs"] == blocks(42) and voke.config()["version"] == 2
    assert ("pending", "superseded", None) in statuses(app, plant["id"])


def test_an_immediate_update_supersedes_a_pending_one(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyDelaySeconds=60)
    voke.update("slow", blocks(1))
    set_plant(admin, acme, applyDelaySeconds=0)
    assert answer(voke.update("fast", blocks(2))) == (200, "applied_ok", 2)
    advance(admin, acme, 60)
    assert voke.config()["timeConfigs"] == blocks(2)
    assert statuses(app, plant["id"])[1:] == [("slow", "superseded", None),
                                              ("fast", "applied", 2)]


def test_the_same_code_with_other_blocks_is_a_conflict_while_pending(admin, acme, voke):
    set_plant(admin, acme, applyDelaySeconds=60)
    voke.update("code", blocks(1))
    assert_error(voke.update("code", blocks(2)), 409, "CONFLICT")


# -- failed ------------------------------------------------------------------------------------

def test_a_failing_plant_accepts_and_never_applies(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyOutcome="failed")
    assert answer(voke.update("doomed", blocks(5))) == (200, "cfg_accepted", 1)
    assert voke.config()["version"] == 1
    retry = voke.update("doomed", blocks(5))
    body = assert_error(retry, 400, "VALIDATION_ERROR")
    assert body["resultCode"] == "cfg_rejected" and body["details"] == [FAILED]
    assert statuses(app, plant["id"])[-1] == ("doomed", "failed", None)


def test_a_delayed_failure_is_pending_until_due(app, admin, acme, voke):
    plant = set_plant(admin, acme, applyDelaySeconds=90, applyOutcome="failed")
    voke.update("doomed", blocks(5))
    assert answer(voke.update("doomed", blocks(5))) == (200, "cfg_accepted", 1)
    assert statuses(app, plant["id"])[-1] == ("doomed", "pending", None)
    advance(admin, acme, 90)
    assert voke.config()["version"] == 1
    assert statuses(app, plant["id"])[-1] == ("doomed", "failed", None)
    body = assert_error(voke.update("doomed", blocks(5)), 400, "VALIDATION_ERROR")
    assert body["details"] == [FAILED]


# -- services the presets call, and the pure rule ---------------------------------------------

def test_set_apply_delay_for_client_changes_only_that_clients_plants(app, sandbox, acme):
    beta = sandbox.enabled("beta")
    sandbox.plant(acme.client_id, "PLANT-002")
    with app.app_context():
        assert plants.set_apply_delay_for_client(acme.client_id, 120) == 2
        assert {(p.apply_delay_seconds, p.apply_outcome)
                for p in plants.list_plants(acme.client_id)} == {(120, "applied")}
        assert [p.apply_delay_seconds for p in plants.list_plants(beta.client_id)] == [0]
        with pytest.raises(Exception, match="Validation error"):
            plants.set_apply_delay_for_client(acme.client_id, 86401)


@pytest.mark.parametrize(("status", "due_in", "expected"), [
    ("pending", 42.2, 43), ("pending", 42.0, 42), ("pending", -5, 0), ("applied", 42, None)])
def test_due_in_seconds(status, due_in, expected):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    revision = ConfigRevision(status=status, due_at=now + timedelta(seconds=due_in))
    assert applies.due_in_seconds(revision, now) == expected


def test_the_cli_sets_the_apply_delay_and_outcome(app, runner, acme):
    with app.app_context():
        plant_id = str(plants.list_plants(acme.client_id)[0].id)
    result = runner.invoke(cli, ["plants", "update", plant_id,
                                 '{"applyDelaySeconds": 120, "applyOutcome": "failed"}'])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["applyDelaySeconds"], body["applyOutcome"]) == (120, "failed")
    bad = runner.invoke(cli, ["plants", "update", plant_id, '{"applyDelaySeconds": -5}'])
    assert bad.exit_code == 1 and "applyDelaySeconds: must be a whole number" in bad.output


def test_superseding_searches_only_the_unapplied_revisions(app, admin, acme, voke):
    """An update supersedes a pending revision: it must find it through the (plant_id, version)
    index, not by reading the plant's whole history of applied revisions."""
    assert answer(voke.update("first", blocks(1))) == (200, "applied_ok", 2)
    set_plant(admin, acme, applyDelaySeconds=60)
    assert answer(voke.update("slow", blocks(2))) == (200, "cfg_accepted", 2)
    set_plant(admin, acme, applyDelaySeconds=0)
    seen = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        if statement.startswith("UPDATE voke_esm_config_revisions"):
            seen.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        try:
            assert answer(voke.update("second", blocks(3))) == (200, "applied_ok", 3)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", capture)
        [(statement, parameters)] = seen
        assert "version IS NULL" in statement
        if db.engine.dialect.name == "sqlite":  # PostgreSQL plans by table statistics
            with db.engine.connect() as connection:
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                assert "(plant_id=? AND version=?)" in " ".join(row[-1] for row in plan)
