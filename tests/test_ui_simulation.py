"""The simulated day in the admin UI: drawn over the schedule picture, and SoC now in the list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import BLOCK
from tests.ui_support import admin_client, text
from voke_esm.extensions import db
from voke_esm.models import ConfigRevision
from voke_esm.platform.schedule import LEFT, PLOT, SOC_HEIGHT, SOC_TOP
from voke_esm.platform.simulation_chart import nice_ceiling
from voke_esm.services import plants, simulation

DAY = "2026-06-21"


@pytest.fixture
def admin(app):
    return admin_client(app)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


def editor(admin, plant_id: str, **query) -> str:
    response = admin.get(f"/platform/plants/{plant_id}", query_string=query)
    assert response.status_code == 200
    return text(response)


def points(html: str, element_id: str) -> list[tuple[float, float]]:
    raw = re.search(rf'<polyline points="([^"]+)" class="[^"]+" id="{element_id}"', html)
    return [tuple(map(float, pair.split(","))) for pair in raw.group(1).split()]


def test_the_editor_draws_soc_battery_and_pv_over_the_schedule(admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "SITE", fvePeakPowerKwp=120, capacityKwh=200,
                             plantWithLoad=True, timeConfigs=[BLOCK])
    html = editor(admin, plant_id, date=DAY)
    assert 'data-day="2026-06-21"' in html and 'id="sim-now"' not in html  # not today
    assert len(points(html, "sim-soc")) == 97  # 00:00 and the end of each step
    battery = points(html, "sim-battery")  # a level per step, idle runs as one segment
    assert battery[0][0] == LEFT and battery[-1][0] == LEFT + PLOT
    assert 2 < len(battery) < 2 * 96
    assert all(x1 <= x2 for (x1, _), (x2, _) in zip(battery, battery[1:], strict=False))
    assert len(points(html, "sim-pv")) == 96 + 2
    for legend in ("Simulated SoC (%)", "Simulated battery (kW, + charges)", "PV (kW)"):
        assert legend in html
    assert "+150</text>" in html  # the power axis makes room for 120 kWp, on a round number
    assert 'value="2026-06-21"' in html


def test_a_battery_that_cannot_move_draws_a_flat_line_at_the_start_soc(admin, sandbox, acme):
    """No PV and no load: nothing to charge from or discharge into, so 50 % all day."""
    plant_id = sandbox.plant(acme.client_id, "IDLE", capacityKwh=100, timeConfigs=[BLOCK])
    html = editor(admin, plant_id, date=DAY)
    assert {y for _, y in points(html, "sim-soc")} == {SOC_TOP + SOC_HEIGHT / 2}
    assert 'id="sim-pv"' not in html


def test_today_has_a_marker_at_the_clock(admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "SITE", fvePeakPowerKwp=50, capacityKwh=100)
    html = editor(admin, plant_id)
    assert 'id="sim-now"' in html and "Now on the client's clock" in html
    assert "Now, client's clock" in html  # its legend entry


def test_no_battery_says_so_instead_of_a_soc_line(admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "PV-ONLY", fvePeakPowerKwp=50, capacityKwh=0)
    html = editor(admin, plant_id, date=DAY)
    assert 'id="sim-soc"' not in html and "No battery (capacity 0 kWh)" in html


@pytest.mark.parametrize("raw", ["2026-02-30", "soon", "9999-01-01"])
def test_an_unreadable_day_shows_today_with_a_message(admin, sandbox, acme, raw):
    plant_id = sandbox.plant(acme.client_id, "SITE", capacityKwh=100)
    html = editor(admin, plant_id, date=raw)
    assert 'id="sim-date-error"' in html and "showing today" in html
    assert 'id="sim-now"' in html  # today, with its marker


def test_the_plant_list_shows_each_plants_soc_now(admin, sandbox, acme):
    sandbox.plant(acme.client_id, "IDLE", capacityKwh=100, timeConfigs=[BLOCK])
    sandbox.plant(acme.client_id, "NO-BATTERY", fvePeakPowerKwp=10, capacityKwh=0)
    html = text(admin.get("/platform/voke-esm", query_string={"org": acme.org_id}))
    assert "SoC now" in html
    rows = {re.search(r"<code>(.*?)</code>", row).group(1): row
            for row in re.findall(r"<tr>.*?</tr>", html, re.S) if "<code>" in row}
    assert '<td class="num soc-now">50 %</td>' in rows["IDLE"]
    assert 'title="No battery">—' in rows["NO-BATTERY"]


def test_the_lists_soc_is_the_simulations_now_changed_today_or_not(app, sandbox, acme):
    """The list's shortcut (no revision today: the current config all day) agrees with the
    full simulation, for a plant changed today and for one last changed yesterday."""
    changed = sandbox.plant(acme.client_id, "CHANGED", fvePeakPowerKwp=200, capacityKwh=100,
                            plantWithLoad=True)
    steady = sandbox.plant(acme.client_id, "STEADY", fvePeakPowerKwp=200, capacityKwh=100,
                           plantWithLoad=True)
    with app.app_context():
        plants.update_plant(plants.get_plant(changed), {"timeConfigs": [
            {**BLOCK, "socMin": 80}]}, source="admin")
        db.session.execute(sa.update(ConfigRevision).where(
            ConfigRevision.plant_id == plants.get_plant(steady).id)
            .values(created_at=datetime.now(UTC) - timedelta(days=2)))
        db.session.commit()
        for _ in range(3):  # a 15-minute boundary may pass between the two; then again
            found = plants.list_plants(acme.client_id)
            expected = {p.id: simulation.simulate_plant(p).now.soc_pct for p in found}
            if simulation.current_soc(found) == expected:
                break
        else:
            pytest.fail("the list's SoC differs from the simulation's")
        assert len(expected) == 3


@pytest.mark.parametrize(("peak", "axis"), [(0.3, 1), (1, 1), (7, 10), (12, 15), (120, 150),
                                            (250, 300), (480, 500), (500, 500), (501, 1000)])
def test_the_power_axis_ends_on_a_round_number(peak, axis):
    assert nice_ceiling(peak) == axis
