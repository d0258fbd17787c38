"""`voke-esm simulate --plant ID [--date] [--csv] [--json]`: the admin API's day, for scripts."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.admin_support import MISSING_UUID, PLANTS_URL, Admin
from tests.test_cli_admin import assert_one_line_error, ok, run
from voke_esm.services.simulation import DATE_HINT

DAY = "2026-06-21"


@pytest.fixture
def plant_id(sandbox):
    acme = sandbox.enabled("acme")
    return sandbox.plant(acme.client_id, "PLANT-002", fvePeakPowerKwp=120, capacityKwh=200,
                         plantWithLoad=True)


def test_json_is_the_admin_apis_answer(app, runner, plant_id):
    printed = json.loads(ok(run(runner, "simulate", "--plant", plant_id, "--date", DAY,
                                "--json")))
    over_http = Admin(app, app.test_client()).get(f"{PLANTS_URL}/{plant_id}/simulation",
                                                  query_string={"date": DAY}).json
    assert printed == over_http


def test_csv_has_one_row_per_step(app, runner, plant_id):
    rows = list(csv.DictReader(io.StringIO(ok(run(runner, "simulate", "--plant", plant_id,
                                                  "--date", DAY, "--csv")))))
    assert len(rows) == 96
    assert list(rows[0]) == ["at", "pvKw", "loadKw", "batteryKw", "gridKw", "socPct", "block"]
    noon = next(row for row in rows if row["at"] == "12:00")
    assert float(noon["pvKw"]) == pytest.approx(
        float(noon["loadKw"]) + float(noon["batteryKw"]) + float(noon["gridKw"]), abs=1e-6)


def test_the_table_reads_without_the_readme(runner, plant_id):
    lines = ok(run(runner, "simulate", "--plant", plant_id, "--date", DAY)).splitlines()
    assert lines[0] == f"PLANT-002 on {DAY}, 200 kWh battery, 120 kWp PV"
    assert lines[1].split() == ["time", "PV", "kW", "load", "kW", "battery", "kW", "grid", "kW",
                                "SoC", "%", "block"]
    assert len(lines) == 2 + 96 and lines[2].split()[0] == "00:00"


def test_today_shows_now(runner, plant_id):
    assert ", now " in ok(run(runner, "simulate", "--plant", plant_id)).splitlines()[0]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--date", "2026-02-30"], DATE_HINT),
    (["--date", "tomorrow"], DATE_HINT),
])
def test_bad_input_is_one_line(runner, plant_id, args, fragment):
    assert_one_line_error(run(runner, "simulate", "--plant", plant_id, *args), fragment)


def test_unknown_plant_and_conflicting_formats(runner, plant_id):
    assert_one_line_error(run(runner, "simulate", "--plant", MISSING_UUID), "Plant not found")
    result = run(runner, "simulate", "--plant", plant_id, "--csv", "--json")
    assert result.exit_code == 2 and "choose one of --csv and --json" in result.output
