"""The simulated plant's pure rules (CONTRACT §6.4): properties over any valid schedule, and
worked examples computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voke_esm.simulation import (
    STEP_HOURS,
    STEPS,
    PlantSpec,
    battery_kw,
    block_at,
    configs_in_force,
    load_kw,
    pv_kw,
    simulate_day,
    step_at,
)
from voke_esm.timeconfig import hhmm, validate_time_configs

TOLERANCE = 1e-6


@st.composite
def schedules(draw) -> list[dict]:
    """Valid blocks: sorted distinct edges, each block from one edge to the next or short of
    it (a gap), shuffled (storage keeps the order as sent)."""
    edges = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), min_size=2, max_size=12)))
    blocks = []
    for start, end in zip(edges, edges[1:], strict=False):
        if draw(st.booleans()) or len(blocks) == 0:
            low = draw(st.integers(0, 100))
            high = draw(st.integers(low, 100))
            blocks.append({"from": hhmm(start), "to": hhmm(end),
                           "pBatMax": draw(st.floats(0, 500, allow_nan=False)),
                           "pBatMin": -draw(st.floats(0, 500, allow_nan=False)),
                           "socMax": high, "socMin": low})
    order = draw(st.permutations(range(len(blocks))))
    return [blocks[i] for i in order]


plants = st.builds(PlantSpec, st.sampled_from([0.0, 0.5, 10.0, 120.0, 3000.0])
                   | st.floats(0, 5000, allow_nan=False),
                   st.sampled_from([0.0, 1.0, 200.0]) | st.floats(0, 10000, allow_nan=False),
                   st.booleans())


@st.composite
def days(draw) -> tuple[list[list], list[list]]:
    """One to three schedules, each in force from a drawn step on (a day Voke changed it)."""
    configs = draw(st.lists(schedules(), min_size=1, max_size=3))
    starts = sorted(draw(st.lists(st.integers(1, STEPS - 1), min_size=len(configs) - 1,
                                  max_size=len(configs) - 1)))
    in_force, current = [], configs[0]
    for index in range(STEPS):
        while starts and starts[0] <= index:
            starts.pop(0)
            current = configs[len(configs) - len(starts) - 1]
        in_force.append(current)
    return configs, in_force


@settings(max_examples=150, deadline=None)
@given(plant=plants, day=days(), start_soc=st.floats(0, 100))
def test_energy_is_conserved_and_the_soc_follows_the_battery(plant, day, start_soc):
    configs, in_force = day
    assert all(validate_time_configs(blocks) == [] for blocks in configs)
    steps = simulate_day(plant, in_force, start_soc_pct=start_soc)
    assert len(steps) == STEPS
    soc = start_soc
    for index, step in enumerate(steps):
        assert step.pv_kw == pytest.approx(step.load_kw + step.battery_kw + step.grid_kw,
                                           abs=TOLERANCE)
        assert step.block == block_at(in_force[index], index * 15)
        block = None if step.block is None else in_force[index][step.block]
        if plant.capacity_kwh == 0:
            assert step.battery_kw == 0 and step.soc_pct is None
            continue
        assert 0 <= step.soc_pct <= 100
        # The SoC moves by exactly the step's battery energy, as a share of the capacity.
        assert step.soc_pct == pytest.approx(
            soc + step.battery_kw * STEP_HOURS / plant.capacity_kwh * 100, abs=TOLERANCE)
        if block is None:
            assert step.battery_kw == 0  # a gap: the battery idles
        elif step.battery_kw > 0:
            assert step.battery_kw <= block["pBatMax"]
            assert step.battery_kw <= step.pv_kw - step.load_kw + TOLERANCE  # from surplus only
            assert step.soc_pct <= block["socMax"] + TOLERANCE
        elif step.battery_kw < 0:
            assert step.battery_kw >= block["pBatMin"]
            assert -step.battery_kw <= step.load_kw - step.pv_kw + TOLERANCE  # covers the load
            assert step.soc_pct >= block["socMin"] - TOLERANCE
        soc = step.soc_pct
    # The day so far (what a list page simulates) is the start of the whole day.
    assert simulate_day(plant, in_force[:40], start_soc_pct=start_soc) == steps[:40]
    if plant.fve_peak_power_kwp == 0:
        assert all(step.pv_kw == 0 for step in steps)
    if not plant.plant_with_load:
        assert all(step.load_kw == 0 for step in steps)


def test_a_battery_only_site_discharges_into_its_load_within_each_block():
    """100 kWh, no PV, with load: the load's peak is 0.6 × max(0, 100 / 2) = 30 kW and its night
    base 0.30 × 30 = 9 kW, always more than the battery may give, so the battery gives pBatMin.
    00:00–11:59, pBatMin −5 kW: −5 kW × 0.25 h = −1.25 kWh = −1.25 % a step; 50 % → socMin 20 %
    takes 30 / 1.25 = 24 steps, so 20 % at 06:00, idle until noon: at noon 20 %.
    12:00–23:59, pBatMin −4 kW: −1 % a step; 20 % → socMin 10 % takes 10 steps (until 14:30),
    then idle: at midnight 10 %. At 03:00 the grid supplies 9 − 5 = 4 kW (gridKw −4)."""
    plant = PlantSpec(fve_peak_power_kwp=0, capacity_kwh=100, plant_with_load=True)
    blocks = [{"from": "00:00", "to": "11:59", "pBatMax": 0, "pBatMin": -5, "socMax": 100,
               "socMin": 20},
              {"from": "12:00", "to": "23:59", "pBatMax": 0, "pBatMin": -4, "socMax": 100,
               "socMin": 10}]
    steps = simulate_day(plant, [blocks] * STEPS)
    at = {step.at: step for step in steps}
    assert (at["03:00"].load_kw, at["03:00"].battery_kw, at["03:00"].grid_kw) == (9, -5, -4)
    assert at["05:45"].soc_pct == pytest.approx(20)  # the 24th step ends at 06:00
    assert at["06:00"].battery_kw == 0
    assert at["11:45"].soc_pct == pytest.approx(20)  # noon: the end of the 11:45 step
    assert at["14:15"].soc_pct == pytest.approx(10)
    assert at["14:30"].battery_kw == 0 and at["14:30"].block == 1
    assert at["23:45"].soc_pct == pytest.approx(10)  # midnight


def test_pv_charges_at_most_pbatmax_until_socmax():
    """100 kWp, 100 kWh, no load, pBatMax 10 kW, socMax 90 %. PV = 100 × sin(π·f)^1.2, f the
    step's midpoint in the 05:00–21:00 daylight: 05:00 f = 7.5/960 → 1.169 kW; 05:15 → 4.365;
    05:30 → 8.042; from 05:45 (12.008 kW) more than pBatMax. SoC after 05:30:
    50 + (1.169 + 4.365 + 8.042) × 0.25 = 53.394 %; then +2.5 % a step for 14 steps (05:45 to
    09:00) = 88.394 %; the 09:15 step takes the last 1.606 % (6.424 kW): 90 % at 09:30, so at
    noon 90 %, and with no load nothing discharges: at midnight 90 %."""
    plant = PlantSpec(fve_peak_power_kwp=100, capacity_kwh=100, plant_with_load=False)
    blocks = [{"from": "00:00", "to": "23:59", "pBatMax": 10, "pBatMin": -50, "socMax": 90,
               "socMin": 20}]
    at = {step.at: step for step in simulate_day(plant, [blocks] * STEPS)}
    assert [at[t].pv_kw for t in ("04:45", "05:00", "05:15", "05:30", "05:45")] == [
        0, 1.169, 4.365, 8.042, 12.008]
    assert at["05:30"].soc_pct == pytest.approx(53.394)
    assert (at["05:45"].battery_kw, at["05:45"].grid_kw) == (10, 2.008)
    assert at["09:00"].soc_pct == pytest.approx(88.394)
    assert at["09:15"].battery_kw == pytest.approx(6.424)
    assert at["11:45"].soc_pct == pytest.approx(90)  # noon
    assert at["23:45"].soc_pct == pytest.approx(90)  # midnight


def test_the_pv_curve_peaks_at_solar_noon_and_is_dark_outside_daylight():
    assert pv_kw(120, 4 * 60 + 45) == 0 and pv_kw(120, 21 * 60) == 0
    assert pv_kw(120, 12 * 60 + 45) == pv_kw(120, 13 * 60)  # symmetric around 13:00
    assert 119 < pv_kw(120, 12 * 60 + 45) < 120
    assert pv_kw(120, 6 * 60, sunrise="07:00") == 0


def test_the_load_follows_the_commercial_shape_scaled_to_the_plant():
    site = PlantSpec(fve_peak_power_kwp=120, capacity_kwh=200, plant_with_load=True)
    assert load_kw(site, 10 * 60) == pytest.approx(72)  # the peak: 0.6 × 120 kWp
    assert load_kw(site, 2 * 60) == pytest.approx(21.6)  # the night base: 0.30 of the peak
    assert load_kw(PlantSpec(120, 200, False), 10 * 60) == 0


def test_no_battery_means_no_battery_power_and_no_soc():
    blocks = [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
               "socMin": 20}]
    steps = simulate_day(PlantSpec(120, 0, True), [blocks] * STEPS)
    assert {step.battery_kw for step in steps} == {0}
    assert {step.soc_pct for step in steps} == {None}


@pytest.mark.parametrize(("minute", "expected"), [
    (0, 0), (7 * 60 - 15, 0), (7 * 60, 1), (12 * 60, 1), (12 * 60 + 15, None),
    (20 * 60, 2), (23 * 60 + 45, 2)])
def test_a_step_belongs_to_the_block_holding_its_start_minute(minute, expected):
    """Touching blocks: the one that starts at the shared minute covers that step."""
    blocks = [{"from": "00:00", "to": "07:00"}, {"from": "07:00", "to": "12:10"},
              {"from": "20:00", "to": "23:59"}]
    assert block_at(blocks, minute) == expected


def test_the_config_in_force_changes_at_the_first_step_after_an_apply():
    day = date(2026, 6, 21)
    old, new = [{"v": 1}], [{"v": 2}]
    revisions = [(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), old),
                 (datetime(2026, 6, 21, 12, 7, tzinfo=UTC), new)]
    in_force = configs_in_force(revisions, day)
    assert in_force[48] is old  # 12:00: the apply at 12:07 is not in force yet
    assert in_force[49] is new  # 12:15
    assert in_force[0] is old and in_force[-1] is new
    # A plant created during the day is shown as first known before that.
    assert configs_in_force(revisions[1:], day)[0] is new
    # Applied later but reading earlier (the clock moved): in force with its predecessor.
    newest = [{"v": 3}]
    moved = revisions + [(datetime(2026, 6, 21, 6, 0, tzinfo=UTC), newest)]
    assert configs_in_force(moved, day)[48] is old
    assert configs_in_force(moved, day)[49] is newest


def test_the_now_step_is_the_step_holding_the_minute():
    steps = simulate_day(PlantSpec(0, 0, False), [[]] * STEPS)
    assert step_at(steps, 12 * 60 + 14).at == "12:00"
    assert step_at(steps, 24 * 60 - 1).at == "23:45"


@pytest.mark.parametrize("limit", [1.9999999999999432, 0.30000000000000004, 2.0])
def test_the_battery_never_passes_a_limit_that_float_noise_puts_just_under_a_watt(limit):
    """Found by the property above: 1.9999999999999432 kW was rounded to the watt above it."""
    block = {"pBatMax": limit, "pBatMin": -limit, "socMax": 100, "socMin": 0}
    charge = battery_kw(5.0, 50, 100, block)
    discharge = battery_kw(-5.0, 50, 100, block)
    assert 0 < charge <= limit and charge == pytest.approx(limit, abs=0.001)
    assert -limit <= discharge < 0 and discharge == pytest.approx(-limit, abs=0.001)


def test_float_noise_does_not_lose_a_watt():
    block = {"pBatMax": 50, "pBatMin": -50, "socMax": 100, "socMin": 0}
    assert battery_kw(0.3 - 0.1, 50, 100, block) == pytest.approx(0.2, abs=1e-9)
    assert battery_kw(0.1 - 0.3, 50, 100, block) == pytest.approx(-0.2, abs=1e-9)
