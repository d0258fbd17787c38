"""The simulated plant's day, from the plant's applied revisions (the rules: ../simulation.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from ..errors import ValidationError
from ..extensions import db
from ..models import ConfigRevision, Plant, utcnow
from ..simulation import (
    STEP_MINUTES,
    PlantSpec,
    Step,
    configs_in_force,
    simulate_day,
    step_at,
)
from . import clock

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)  # the day after stays a datetime
DATE_HINT = "date: must be a calendar date as YYYY-MM-DD, from 1970-01-01 to 9998-12-31"


@dataclass(frozen=True)
class SimulatedDay:
    plant: Plant
    day: date
    steps: list[Step]
    now: Step | None  # the step at the clock's now, when the day is today
    now_minute: int | None


def parse_day(raw: str | None) -> date | None:
    """`?date=YYYY-MM-DD` (None when absent); anything else is a validation error."""
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw) if ISO_DATE.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError([DATE_HINT])
    return day


@dataclass(frozen=True)
class ClientClock:
    """A client's now, and how far its clock runs ahead of real time."""

    now: datetime
    offset: timedelta


def client_clock(client_id: str) -> ClientClock:
    offset = timedelta(seconds=clock.get_client(client_id).clock_offset_seconds)
    return ClientClock(utcnow() + offset, offset)


def simulate_plant(plant: Plant, day: date | None = None) -> SimulatedDay:
    """The plant's day (default: today on its client's clock) under the configs in force."""
    at = client_clock(plant.client_id)
    day = day or at.now.date()
    in_force = configs_in_force(applied_revisions(plant, day, at.offset), day)
    return _day(plant, day, in_force, at.now)


def current_soc(plants: Sequence[Plant]) -> dict:
    """Each plant's state of charge now (None without a battery), for a list page.

    Two queries in all: the revisions applied today, and for the plants that have some, the
    one in force at midnight. The other plants ran all day under their current config. Only
    the steps up to now are simulated.
    """
    result = {}
    for client_id in sorted({plant.client_id for plant in plants}):
        of_client = [plant for plant in plants if plant.client_id == client_id]
        result.update(_current_soc(of_client, client_clock(client_id)))
    return result


def _current_soc(plants: list[Plant], at: ClientClock) -> dict:
    """current_soc for the plants of one client."""
    today = at.now.date()
    done = step_index(at.now) + 1
    changed = _applied_during([plant.id for plant in plants], today, at.offset)
    before = _in_force_at_midnight(list(changed), today, at.offset)
    result = {}
    for plant in plants:
        if plant.capacity_kwh <= 0:
            result[plant.id] = None
            continue
        if plant.id in changed:
            revisions = ([before[plant.id]] if plant.id in before else []) + changed[plant.id]
            in_force = configs_in_force(revisions, today)[:done]
        else:
            in_force = [plant.time_configs] * done
        result[plant.id] = _soc_after(plant, in_force)
    return result


SOC_CACHE_SIZE = 4096
_soc_cache: dict = {}


def _soc_after(plant: Plant, in_force: list[list]) -> float:
    """The SoC at the end of the last step. Plants alike in size and schedule (a seeded fleet)
    are simulated once per step of the clock: the result depends on nothing else."""
    spec = plant_spec(plant)
    key = (spec, _runs(in_force))
    if key not in _soc_cache:
        if len(_soc_cache) >= SOC_CACHE_SIZE:
            _soc_cache.clear()
        _soc_cache[key] = simulate_day(spec, in_force)[-1].soc_pct
    return _soc_cache[key]


def clear_soc_cache() -> None:
    """Forget the memoized SoCs (benchmarks measure the cold cost)."""
    _soc_cache.clear()


def _runs(in_force: list[list]) -> tuple[tuple[int, int, str], ...]:
    """The configs in force as (first step, end step, canonical JSON) runs: a cache key
    (ends included, so the step of the clock is part of it)."""
    runs, first = [], 0
    for index in range(1, len(in_force) + 1):
        if index == len(in_force) or in_force[index] is not in_force[first]:
            runs.append((first, index, json.dumps(in_force[first], sort_keys=True)))
            first = index
    return tuple(runs)


def applied_revisions(plant: Plant, day: date,
                      offset: timedelta = timedelta(0)) -> list[tuple[datetime, list]]:
    """(applied at, timeConfigs) of the revisions that shape this day: the one in force at
    midnight and those applied during the day (the first one ever for a day before it)."""
    during = _applied_during([plant.id], day, offset).get(plant.id, [])
    before = _in_force_at_midnight([plant.id], day, offset).get(plant.id)
    if before is None and not during:
        first = db.session.execute(
            _applied_columns().where(ConfigRevision.plant_id == plant.id)
            .order_by(ConfigRevision.version).limit(1)).one()
        before = _applied_pair(first, offset)
    return ([before] if before is not None else []) + during


def step_index(now: datetime) -> int:
    return (now.hour * 60 + now.minute) // STEP_MINUTES


def _applied_before(moment: datetime, offset: timedelta):
    """Applied before `moment` on the client's clock: a delayed apply at its due time, an
    immediate one when it was stored, moved by the clock's offset (as the clock reads now)."""
    return sa.or_(
        sa.and_(ConfigRevision.due_at.is_not(None), ConfigRevision.due_at < moment),
        sa.and_(ConfigRevision.due_at.is_(None), ConfigRevision.created_at < moment - offset))


def _applied_columns():
    return (sa.select(ConfigRevision.plant_id, ConfigRevision.due_at,
                      ConfigRevision.created_at, ConfigRevision.time_configs)
            .where(ConfigRevision.status == "applied"))


def _applied_pair(row, offset: timedelta) -> tuple[datetime, list]:
    _, due_at, created_at, blocks = row
    return (due_at if due_at is not None else created_at + offset), blocks


def _applied_during(plant_ids: list, day: date, offset: timedelta) -> dict:
    """{plant id: [(applied at, timeConfigs), ...]} for the revisions applied on this day."""
    midnight = _midnight(day)
    found: dict = {}
    for row in db.session.execute(
            _applied_columns()
            .where(ConfigRevision.plant_id.in_(plant_ids),
                   _applied_before(midnight + timedelta(days=1), offset),
                   sa.not_(_applied_before(midnight, offset)))
            .order_by(ConfigRevision.version)):
        found.setdefault(row[0], []).append(_applied_pair(row, offset))
    return found


def _in_force_at_midnight(plant_ids: list, day: date, offset: timedelta) -> dict:
    """{plant id: (applied at, timeConfigs)} of the last revision applied before the day."""
    if not plant_ids:
        return {}
    latest = (sa.select(ConfigRevision.plant_id, sa.func.max(ConfigRevision.version)
                        .label("version"))
              .where(ConfigRevision.plant_id.in_(plant_ids), ConfigRevision.status == "applied",
                     _applied_before(_midnight(day), offset))
              .group_by(ConfigRevision.plant_id).subquery())
    rows = db.session.execute(_applied_columns().join(latest, sa.and_(
        ConfigRevision.plant_id == latest.c.plant_id,
        ConfigRevision.version == latest.c.version)))
    return {row[0]: _applied_pair(row, offset) for row in rows}


def plant_spec(plant: Plant) -> PlantSpec:
    return PlantSpec(plant.fve_peak_power_kwp, plant.capacity_kwh, plant.plant_with_load)


def _day(plant: Plant, day: date, in_force: list[list], now: datetime) -> SimulatedDay:
    steps = simulate_day(plant_spec(plant), in_force)
    if day != now.date():
        return SimulatedDay(plant, day, steps, None, None)
    minute = now.hour * 60 + now.minute
    return SimulatedDay(plant, day, steps, step_at(steps, minute), minute)



def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
