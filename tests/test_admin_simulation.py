"""GET /api/v1/voke-esm/admin/plants/<id>/simulation (CONTRACT §6.4) on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.admin_support import (
    ADMIN_URL,
    EXAMPLE_PLANT,
    MISSING_UUID,
    PLANTS_URL,
    Admin,
    assert_error,
)
from tests.factories import BLOCK
from voke_esm.extensions import db
from voke_esm.models import ConfigRevision
from voke_esm.services.simulation import DATE_HINT

STEP_KEYS = ["at", "pvKw", "loadKw", "batteryKw", "gridKw", "socPct", "block"]
DAY = "2026-06-21"
UPDATE_URL = "/api/v1/voke-esm/trading/plant/config/update"
MORNING = {**BLOCK, "from": "00:00", "to": "11:59", "socMin": 10}
AFTERNOON = {**BLOCK, "from": "12:00", "to": "23:59", "socMin": 60}


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


def simulate(admin, plant_id: str, **query):
    return admin.get(f"{PLANTS_URL}/{plant_id}/simulation", query_string=query)


def example_plant(sandbox, acme, **fields) -> str:
    body = {key: value for key, value in EXAMPLE_PLANT.items()
            if key not in ("clientId", "externalPlantId")}
    return sandbox.plant(acme.client_id, "PLANT-002", **{**body, **fields})


def test_a_day_in_fifteen_minute_steps(admin, sandbox, acme):
    plant_id = example_plant(sandbox, acme, plantWithLoad=True)
    response = simulate(admin, plant_id, date=DAY)
    assert response.status_code == 200
    body = response.json
    assert list(body) == ["plantId", "date", "capacityKwh", "steps", "now"]
    assert (body["plantId"], body["date"], body["capacityKwh"]) == ("PLANT-002", DAY, 200.0)
    assert body["now"] is None  # not today
    steps = body["steps"]
    assert [step["at"] for step in steps[:3]] == ["00:00", "00:15", "00:30"]
    assert len(steps) == 96 and steps[-1]["at"] == "23:45"
    for step in steps:
        assert list(step) == STEP_KEYS
        assert step["pvKw"] == pytest.approx(
            step["loadKw"] + step["batteryKw"] + step["gridKw"], abs=1e-6)
    # The product page's blocks: 00:00–07:00 is block 0, the 07:00 step starts block 1.
    assert steps[27]["block"] == 0 and steps[28]["block"] == 1
    assert max(step["pvKw"] for step in steps) > 100  # a sunny day on 120 kWp
    assert any(step["batteryKw"] < 0 for step in steps)  # the load draws on the battery


def test_today_on_the_clock_is_the_default_and_now_is_its_step(admin, sandbox, acme):
    plant_id = example_plant(sandbox, acme)
    before = datetime.now(UTC)
    body = simulate(admin, plant_id).json
    after = datetime.now(UTC)
    assert body["date"] in {before.date().isoformat(), after.date().isoformat()}
    floors = {f"{t.hour:02d}:{t.minute - t.minute % 15:02d}" for t in (before, after)}
    assert body["now"]["at"] in floors
    assert body["now"] == next(s for s in body["steps"] if s["at"] == body["now"]["at"])


def test_no_battery_and_no_pv(admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "BARE", fvePeakPowerKwp=0, capacityKwh=0,
                             plantWithLoad=True)
    steps = simulate(admin, plant_id, date=DAY).json["steps"]
    assert {step["socPct"] for step in steps} == {None}
    assert {step["batteryKw"] for step in steps} == {0}
    assert {step["pvKw"] for step in steps} == {0}
    assert all(step["gridKw"] == -step["loadKw"] for step in steps)


def test_a_day_on_which_the_schedule_changed_shows_the_change(app, admin, sandbox, acme):
    """v1 (one all-day block) was applied the day before; v2 (two blocks) at 12:07."""
    plant_id = example_plant(sandbox, acme, timeConfigs=[BLOCK])
    response = admin.patch(f"{PLANTS_URL}/{plant_id}", json={"timeConfigs": [MORNING, AFTERNOON]})
    assert response.status_code == 200 and response.json["version"] == 2
    applied = {1: datetime(2026, 6, 20, 9, tzinfo=UTC), 2: datetime(2026, 6, 21, 12, 7,
                                                                    tzinfo=UTC)}
    with app.app_context():
        for version, at in applied.items():
            db.session.execute(sa.update(ConfigRevision).where(
                ConfigRevision.version == version).values(created_at=at))
        db.session.commit()
    by_time = {s["at"]: s for s in simulate(admin, plant_id, date=DAY).json["steps"]}
    assert by_time["12:00"]["block"] == 0  # still v1's only block: 12:07 is inside the step
    assert by_time["12:15"]["block"] == 1  # v2's afternoon block
    assert [s["block"] for s in simulate(admin, plant_id, date="2026-06-20").json["steps"]] \
        == [0] * 96
    assert {s["block"] for s in simulate(admin, plant_id, date="2026-06-22").json["steps"]} \
        == {0, 1}
    # A day before the plant existed shows the plant as first known.
    assert [s["block"] for s in simulate(admin, plant_id, date="2020-01-01").json["steps"]] \
        == [0] * 96


@pytest.mark.parametrize("raw", ["2026-13-01", "2026-02-30", "20260621", "2026-W25-7",
                                 "yesterday", "2026-6-1", "9999-12-31", "1969-12-31",
                                 "２０２６-06-21", "2026-06-21T00:00", "2026-06-21\x00"])
def test_a_bad_date_is_a_validation_error(admin, sandbox, acme, raw):
    plant_id = example_plant(sandbox, acme)
    assert_error(simulate(admin, plant_id, date=raw), 400, "VALIDATION_ERROR",
                 None if "\x00" in raw else DATE_HINT)


def test_unknown_and_malformed_plants(admin):
    assert_error(simulate(admin, MISSING_UUID, date=DAY), 404, "NOT_FOUND")
    assert_error(simulate(admin, "not-a-uuid"), 400, "INVALID_UUID")


def test_only_a_superadmin_sees_it(client, sandbox, acme):
    plant_id = example_plant(sandbox, acme)
    assert_error(client.get(f"{PLANTS_URL}/{plant_id}/simulation"), 401, "UNAUTHORIZED")


def test_steps_are_served_for_a_plant_applied_yesterday(app, admin, sandbox, acme):
    """The config in force at midnight is the last one applied before it."""
    plant_id = example_plant(sandbox, acme, timeConfigs=[BLOCK])
    admin.patch(f"{PLANTS_URL}/{plant_id}", json={"timeConfigs": [MORNING, AFTERNOON]})
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with app.app_context():
        db.session.execute(sa.update(ConfigRevision).values(created_at=yesterday))
        db.session.execute(sa.update(ConfigRevision).where(ConfigRevision.version == 1)
                           .values(created_at=yesterday - timedelta(hours=1)))
        db.session.commit()
    steps = simulate(admin, plant_id).json["steps"]
    assert steps[0]["block"] == 0 and steps[-1]["block"] == 1


def test_today_is_the_clients_today(admin, sandbox, acme):
    """A clock a day ahead simulates the client's today, with now at the client's time."""
    plant_id = example_plant(sandbox, acme)
    response = admin.post(f"{ADMIN_URL}/clock", json={"clientId": acme.client_id,
                                                     "advanceSeconds": 86400})
    assert response.status_code == 200
    client_now = datetime.fromisoformat(response.json["now"].replace("Z", "+00:00"))
    body = simulate(admin, plant_id).json
    assert body["date"] == client_now.date().isoformat() != datetime.now(UTC).date().isoformat()
    assert body["now"]["at"] == f"{client_now.hour:02d}:{client_now.minute // 15 * 15:02d}"


def test_a_delayed_apply_shows_from_its_due_time_on_the_clients_clock(app, admin, sandbox, acme):
    """Old: one all-day block (block 0 at every step). New, applied 60 s after the update on
    the client's clock: a single block 00:00–00:01, so every later step falls in a gap."""
    plant_id = example_plant(sandbox, acme, timeConfigs=[BLOCK])
    assert admin.patch(f"{PLANTS_URL}/{plant_id}", json={"applyDelaySeconds": 60}
                       ).status_code == 200
    with app.app_context():  # version 1 has been in force since the day before
        db.session.execute(sa.update(ConfigRevision).values(
            created_at=datetime.now(UTC) - timedelta(days=2)))
        db.session.commit()
    tiny = [{**BLOCK, "from": "00:00", "to": "00:01"}]
    update = sandbox.client.post(UPDATE_URL, headers=sandbox.headers(acme), json={
        "plantId": "PLANT-002", "configUpdateReqCode": "late", "timeConfigs": tiny})
    assert update.json["resultCode"] == "cfg_accepted"
    admin.post(f"{ADMIN_URL}/clock", json={"clientId": acme.client_id, "advanceSeconds": 120})
    with app.app_context():
        due = db.session.scalar(sa.select(ConfigRevision.due_at).where(
            ConfigRevision.config_update_req_code == "late"))
    steps = simulate(admin, plant_id, date=due.date().isoformat()).json["steps"]  # settles it
    # The first step starting at or after the due time (a step runs under its start's config).
    first_new = -(-((due.hour * 60 + due.minute) * 60 + due.second + due.microsecond / 1e6)
                  // 900)
    first_new = int(first_new)
    assert [s["block"] for s in steps[:first_new]] == [0] * first_new
    assert all(s["block"] is None for s in steps[max(first_new, 1):])
    with app.app_context():
        status = db.session.scalar(sa.select(ConfigRevision.status).where(
            ConfigRevision.config_update_req_code == "late"))
    assert status == "applied"
