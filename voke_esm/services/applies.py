"""Delayed and failed applies of config updates (CONTRACT §6.3), settled lazily.

A plant with an apply delay (or a failing outcome) records an update as a pending revision due
on its client's clock. No background worker applies it: the next read or write that touches
the plant settles it, in one transaction. Every writer locks the plant row before it touches
the plant's revisions, so two workers settling at once apply a revision once, with one version.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..errors import ValidationError
from ..extensions import db
from ..models import ConfigRevision, Plant, StoredJSON, utcnow
from . import clock

log = logging.getLogger(__name__)

OUTCOMES = ("applied", "failed")
MAX_DELAY_SECONDS = 86400
FAILED_DETAIL = "device: the plant failed to apply this configuration"
SUPERSEDED_DETAIL = "device: a newer configuration superseded this one before it was applied"


@dataclass(frozen=True)
class ConfigResult:
    result_code: str  # applied_ok | cfg_accepted
    version: int


def is_deferred(plant: Plant) -> bool:
    """Whether an update of this plant is accepted now and applied (or failed) later."""
    return plant.apply_delay_seconds > 0 or plant.apply_outcome == "failed"


def settle(plant: Plant) -> Plant:
    """Apply (or fail) the plant's pending revision if it is due on the client's clock."""
    due = plant.pending_due_at
    if due is None:
        return plant
    now = utcnow()
    if due > now:
        now = clock.now_for(plant.client_id)
        if due > now:
            return plant
    claimed = db.session.execute(
        sa.update(Plant).where(Plant.id == plant.id, Plant.pending_due_at <= now)
        .values(pending_due_at=None).execution_options(synchronize_session=False)).rowcount
    if claimed:
        _finish_pending(plant)
    db.session.commit()
    db.session.refresh(plant)
    return plant


def settle_all(plants: list[Plant]) -> list[Plant]:
    for plant in plants:
        if plant.pending_due_at is not None:
            settle(plant)
    return plants


def defer(plant: Plant, blocks: list | StoredJSON, req_code: str, source: str) -> ConfigResult:
    """Record an accepted update as pending (or failed at once, with no delay); the current
    config and version stay as they are. `blocks` may be their JSON text as sent."""
    due = clock.now_for(plant.client_id) + timedelta(seconds=plant.apply_delay_seconds)
    fails_now = plant.apply_outcome == "failed" and plant.apply_delay_seconds == 0
    _lock_plant(plant, pending_due_at=None if fails_now else due)
    supersede_pending(plant)
    db.session.add(ConfigRevision(
        plant_id=plant.id, version=None, status="failed" if fails_now else "pending",
        due_at=due, source=source, config_update_req_code=req_code, time_configs=blocks))
    version = version_now(plant)  # the row is locked: no update moves it before the commit
    db.session.commit()
    log.info("Voke ESM: accepted config for %s", plant.external_plant_id, extra={
        "plantId": plant.external_plant_id, "configUpdateReqCode": req_code,
        "dueAt": due.isoformat(), "outcome": plant.apply_outcome})
    return ConfigResult("cfg_accepted", version)


def version_now(plant: Plant) -> int:
    """The plant's config version as stored now. Asked, not read off `plant`: a trading
    update's plant (trading_reads.PlantBrief) does not carry it, as every update changes it."""
    return db.session.scalar(sa.select(Plant.config_version).where(Plant.id == plant.id))


def supersede_pending(plant: Plant) -> None:
    """A newer config replaces the pending one (call with the plant row locked)."""
    db.session.execute(
        sa.update(ConfigRevision)
        .where(*_unapplied(plant), ConfigRevision.status == "pending")
        .values(status="superseded").execution_options(synchronize_session=False))


def answer_retry(earlier: sa.Row, plant: Plant, validate_only: bool) -> ConfigResult:
    """The answer to a request code the plant has seen, by what became of its revision (its
    status and version)."""
    if earlier.status == "applied":
        return ConfigResult("cfg_accepted" if validate_only else "applied_ok", earlier.version)
    if earlier.status == "pending":
        return ConfigResult("cfg_accepted", version_now(plant))
    detail = FAILED_DETAIL if earlier.status == "failed" else SUPERSEDED_DETAIL
    raise ValidationError([detail], resultCode="cfg_rejected")


def due_in_seconds(revision: ConfigRevision, now: datetime) -> int | None:
    """Whole seconds until a pending revision falls due (None for any other)."""
    if revision.status != "pending" or revision.due_at is None:
        return None
    return max(0, int((revision.due_at - now).total_seconds() + 0.999))


def _finish_pending(plant: Plant) -> None:
    """The plant row is locked and its due time cleared: apply or fail its pending revision."""
    pending = db.session.scalar(
        sa.select(ConfigRevision).where(*_unapplied(plant), ConfigRevision.status == "pending")
        .order_by(ConfigRevision.id.desc()).limit(1))
    if pending is None:
        return
    if plant.apply_outcome == "failed":
        pending.status = "failed"
        log.info("Voke ESM: plant %s failed to apply config", plant.external_plant_id, extra={
            "plantId": plant.external_plant_id,
            "configUpdateReqCode": pending.config_update_req_code})
        return
    version = db.session.execute(
        sa.update(Plant).where(Plant.id == plant.id)
        .values(config_version=Plant.config_version + 1, time_configs=sa.select(
                    ConfigRevision.time_configs).where(ConfigRevision.id == pending.id)
                .scalar_subquery(), updated_at=utcnow())  # as stored (sent), not re-serialised
        .returning(Plant.config_version)
        .execution_options(synchronize_session=False)).scalar_one()
    pending.status, pending.version = "applied", version
    log.info("Voke ESM: applied config for %s", plant.external_plant_id, extra={
        "plantId": plant.external_plant_id, "version": version,
        "configUpdateReqCode": pending.config_update_req_code})


def _unapplied(plant: Plant) -> tuple:
    """The plant's revisions without a version (pending ones among them). Searched through the
    unique index on the plant and the version, this reads the few unapplied revisions instead
    of every applied one: an update of a plant with a long history cost a scan of that
    history."""
    return ConfigRevision.plant_id == plant.id, ConfigRevision.version.is_(None)


def _lock_plant(plant: Plant, **values) -> None:
    db.session.execute(sa.update(Plant).where(Plant.id == plant.id).values(**values)
                       .execution_options(synchronize_session=False))
