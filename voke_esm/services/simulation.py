"""The simulated plant's day, from the plant's applied revisions (the rules: ../simulation.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from ..errors import ValidationError
from ..extensions import db
from ..models import ConfigRevision, Plant, utcnow
from ..simulation import (
    STEPS,
    PlantSpec,
    Step,
    configs_in_force,
    simulate_day,
    step_at,
)

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


def client_now(plant: Plant) -> datetime:
    """Now on the plant's client's clock."""
    return utcnow()


def simulate_plant(plant: Plant, day: date | None = None) -> SimulatedDay:
    """The plant's day (default: today on its client's clock) under the configs in force."""
    now = client_now(plant)
    day = day or now.date()
    in_force = configs_in_force(applied_revisions(plant, day), day)
    return _day(plant, day, in_force, now)


def current_soc(plants: Sequence[Plant]) -> dict:
    """Each plant's state of charge now (None without a battery), for a list page.

    One query finds the plants whose config changed today; the others ran all day under
    their current config, so they need no revision at all.
    """
    if not plants:
        return {}
    now = client_now(plants[0])
    midnight = _midnight(now.date())
    changed = set(db.session.scalars(
        sa.select(ConfigRevision.plant_id).distinct()
        .where(ConfigRevision.plant_id.in_([plant.id for plant in plants]),
               ConfigRevision.created_at >= midnight)))
    result = {}
    for plant in plants:
        if plant.capacity_kwh <= 0:
            result[plant.id] = None
            continue
        if plant.id in changed:
            in_force = configs_in_force(applied_revisions(plant, now.date()), now.date())
        else:
            in_force = [plant.time_configs] * STEPS
        result[plant.id] = _day(plant, now.date(), in_force, now).now.soc_pct
    return result


def applied_revisions(plant: Plant, day: date) -> list[tuple[datetime, list]]:
    """(applied at, timeConfigs) of the revisions that shape this day: the one in force at
    midnight and those applied during the day (the first one ever for a day before it)."""
    midnight = _midnight(day)
    applied_at = ConfigRevision.created_at
    columns = sa.select(applied_at, ConfigRevision.time_configs).where(
        ConfigRevision.plant_id == plant.id)
    during = list(db.session.execute(columns.where(
        applied_at >= midnight, applied_at < midnight + timedelta(days=1))))
    before = db.session.execute(columns.where(applied_at < midnight)
                                .order_by(applied_at.desc()).limit(1)).first()
    if before is None and not during:
        before = db.session.execute(columns.order_by(applied_at).limit(1)).first()
    rows = ([before] if before is not None else []) + during
    return [(at, blocks) for at, blocks in rows]


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
