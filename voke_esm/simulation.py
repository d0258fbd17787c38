"""The simulated plant (CONTRACT §6.4): a day in 15-minute steps, as pure functions.

No Flask, no database. Times are the blocks' HH:MM on the client's clock (UTC). Decisions:
- PV: a clear-sky curve, `fvePeakPowerKwp × sin(π·f)^1.2` where f is the step's midpoint as a
  fraction of the daylight between SUNRISE and SUNSET (a mid-European summer day); zero outside.
- Load (only with `plantWithLoad`): a commercial site's hourly shape (LOAD_SHAPE, fractions of
  its peak), whose peak is LOAD_SHARE × max(fvePeakPowerKwp, capacityKwh / 2): commercial PV is
  sized near the daytime demand, and a site without PV still has a load its battery can serve.
- The battery starts each day at START_SOC_PCT. In a block it charges from the PV surplus up to
  pBatMax and socMax, and discharges to cover the deficit down to pBatMin and socMin; it is
  never forced toward the band (a SoC above socMax just stops charging). In a gap it idles.
- A step is covered by the block whose from..to (inclusive) holds the step's start minute; where
  two blocks touch (07:00|07:00), the one starting there wins.
- Power figures are rounded to watts (the battery's toward zero, so it never passes a limit);
  the grid takes exactly the rest, so pvKw = loadKw + batteryKw + gridKw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from .timeconfig import hhmm, minutes

STEP_MINUTES = 15
STEP_HOURS = STEP_MINUTES / 60
STEPS = 24 * 60 // STEP_MINUTES
STEP_LABELS = tuple(hhmm(index * STEP_MINUTES) for index in range(STEPS))
SUNRISE, SUNSET = "05:00", "21:00"
PV_SHAPE_EXPONENT = 1.2
START_SOC_PCT = 50.0
LOAD_SHARE = 0.6
# A commercial site's demand by hour of day, as a fraction of its peak: a night base, the
# working day with a lunch dip, and the evening ramp-down.
LOAD_SHAPE = (0.30, 0.30, 0.30, 0.30, 0.30, 0.35, 0.45, 0.65, 0.85, 0.95, 1.00, 1.00,
              0.90, 0.95, 1.00, 0.95, 0.85, 0.70, 0.55, 0.45, 0.40, 0.35, 0.30, 0.30)


@dataclass(frozen=True)
class PlantSpec:
    """What the simulation needs to know of a plant."""

    fve_peak_power_kwp: float
    capacity_kwh: float
    plant_with_load: bool


class Step(NamedTuple):
    """One 15-minute step (a tuple: a list page builds tens of thousands of them)."""

    at: str
    pv_kw: float
    load_kw: float
    battery_kw: float
    grid_kw: float
    soc_pct: float | None
    block: int | None


def pv_kw(peak_kwp: float, start_minute: int, sunrise: str = SUNRISE,
          sunset: str = SUNSET) -> float:
    """Mean clear-sky PV power over the step starting at `start_minute`."""
    rise, set_ = minutes(sunrise), minutes(sunset)
    middle = start_minute + STEP_MINUTES / 2
    if peak_kwp <= 0 or not rise < middle < set_:
        return 0.0
    fraction = (middle - rise) / (set_ - rise)
    return round(peak_kwp * math.sin(math.pi * fraction) ** PV_SHAPE_EXPONENT, 3)


def load_peak_kw(plant: PlantSpec) -> float:
    return LOAD_SHARE * max(plant.fve_peak_power_kwp, plant.capacity_kwh / 2)


def load_kw(plant: PlantSpec, start_minute: int) -> float:
    """The site's demand over the step (0 for a plant without load)."""
    if not plant.plant_with_load:
        return 0.0
    return load_profile(load_peak_kw(plant))[start_minute // STEP_MINUTES]


@lru_cache(maxsize=1024)
def pv_profile(peak_kwp: float, sunrise: str = SUNRISE, sunset: str = SUNSET) -> tuple:
    """PV power of each step of the day (plants share a few sizes: computed once each)."""
    return tuple(pv_kw(peak_kwp, index * STEP_MINUTES, sunrise, sunset)
                 for index in range(STEPS))


@lru_cache(maxsize=1024)
def load_profile(peak_kw: float) -> tuple:
    """The load of each step for a site whose peak demand is `peak_kw` (0: no load)."""
    return tuple(round(peak_kw * LOAD_SHAPE[index * STEP_MINUTES // 60], 3)
                 for index in range(STEPS))


def block_at(blocks: Sequence[dict], start_minute: int) -> int | None:
    """Index of the block covering this minute (the later-starting one where two touch)."""
    return _covering(_spans(blocks), start_minute)


def _spans(blocks: Sequence[dict]) -> list[tuple[int, int, int]]:
    """(from, to, index) in minutes, latest start first: the first hit is the one to use."""
    return sorted(((minutes(block["from"]), minutes(block["to"]), index)
                   for index, block in enumerate(blocks)), reverse=True)


def _covering(spans: list[tuple[int, int, int]], minute: int) -> int | None:
    return next((index for start, end, index in spans if start <= minute <= end), None)


def battery_kw(surplus_kw: float, soc_pct: float, capacity_kwh: float,
               block: dict | None) -> float:
    """Battery power for one step: + charges from surplus, − covers a deficit; 0 in a gap."""
    if block is None or capacity_kwh <= 0:
        return 0.0
    per_pct_kw = capacity_kwh / 100 / STEP_HOURS  # kW that move the SoC by 1 % in one step
    if surplus_kw > 0:
        room = (min(block["socMax"], 100) - soc_pct) * per_pct_kw
        return _toward_zero(max(0.0, min(surplus_kw, block["pBatMax"], room)))
    room = (soc_pct - max(block["socMin"], 0)) * per_pct_kw
    return 0.0 - _toward_zero(max(0.0, min(-surplus_kw, -block["pBatMin"], room)))  # no -0.0


def simulate_day(plant: PlantSpec, blocks_at: Sequence[Sequence[dict]],
                 start_soc_pct: float = START_SOC_PCT, sunrise: str = SUNRISE,
                 sunset: str = SUNSET) -> list[Step]:
    """The day's steps; `blocks_at[i]` is the timeConfigs in force at step i (96 for a whole
    day, fewer for the day so far)."""
    has_battery = plant.capacity_kwh > 0
    soc = start_soc_pct
    steps = []
    spans: dict[int, list] = {}  # parsed once per config, not once per step
    pv_day = pv_profile(plant.fve_peak_power_kwp, sunrise, sunset)
    load_day = load_profile(load_peak_kw(plant) if plant.plant_with_load else 0.0)
    for index in range(min(len(blocks_at), STEPS)):
        start = index * STEP_MINUTES
        blocks = blocks_at[index]
        if id(blocks) not in spans:
            spans[id(blocks)] = _spans(blocks)
        block = _covering(spans[id(blocks)], start)
        pv, load = pv_day[index], load_day[index]
        battery = battery_kw(pv - load, soc, plant.capacity_kwh,
                             None if block is None else blocks[block])
        if has_battery:
            soc = min(100.0, max(0.0, soc + battery * STEP_HOURS / plant.capacity_kwh * 100))
        grid = round(pv - load - battery, 3) + 0.0  # + 0.0 turns -0.0 into 0.0
        steps.append(Step(STEP_LABELS[index], pv, load, battery, grid,
                          soc if has_battery else None, block))
    return steps


def step_at(steps: Sequence[Step], minute_of_day: int) -> Step:
    """The step holding this minute of the day."""
    return steps[min(minute_of_day // STEP_MINUTES, STEPS - 1)]


def configs_in_force(revisions: Sequence[tuple[datetime, list]], day: date) -> list[list]:
    """The timeConfigs in force at each step's start, from (applied at, timeConfigs) pairs in
    the order they were applied.

    A revision applied during a step takes effect from the next step; one whose time reads
    earlier than its predecessor's (a clock moved in between) takes effect with it. Before the
    first revision (a plant created that day) the first one is shown: the plant as first known.
    """
    ordered = list(revisions)
    if not ordered:
        raise ValueError("a plant has at least one applied revision")
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    result, current, position = [], ordered[0][1], 0
    for index in range(STEPS):
        start = midnight + timedelta(minutes=index * STEP_MINUTES)
        while position < len(ordered) and ordered[position][0] <= start:
            current = ordered[position][1]
            position += 1
        result.append(current)
    return result


def _toward_zero(kw: float) -> float:
    """`kw` (not negative) to a whole watt toward zero, and never above `kw` itself. The inner
    round keeps float noise (0.3 - 0.1 = 0.19999999999999998) from losing a watt; where only such
    noise lies between `kw` and the watt above (a limit of 1.9999999999999432 kW), that watt
    would pass the limit, and `kw` is the answer."""
    return min(math.floor(round(kw * 1000, 6)) / 1000, kw)
