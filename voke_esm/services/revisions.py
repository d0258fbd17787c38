"""A plant's config history: the revisions, the difference between two, restoring one."""

from __future__ import annotations

import math

import sqlalchemy as sa

from ..configdiff import diff_time_configs, summarize
from ..errors import NotFound
from ..extensions import db
from ..models import ConfigRevision, Plant
from .plants import update_plant


def list_revisions(plant: Plant, page: int = 1, limit: int = 20) -> dict:
    """One page of the plant's revisions, newest first (pending and failed ones included: they
    have no version), with the totals `meta` reports."""
    where = ConfigRevision.plant_id == plant.id
    total = db.session.scalar(sa.select(sa.func.count()).where(where))
    items = db.session.scalars(sa.select(ConfigRevision).where(where)
                               .order_by(ConfigRevision.id.desc())
                               .limit(limit).offset((page - 1) * limit)).all()
    return {"items": items, "page": page, "limit": limit, "total": total,
            "total_pages": math.ceil(total / limit) if total else 0}


def get_revision(plant: Plant, version: int) -> ConfigRevision:
    revision = db.session.scalar(sa.select(ConfigRevision).where(
        ConfigRevision.plant_id == plant.id, ConfigRevision.version == version))
    if revision is None:
        raise NotFound(f"Plant {plant.external_plant_id!r} has no config version {version}")
    return revision


def diff_versions(plant: Plant, old_version: int, new_version: int) -> dict:
    """Block by block, what changed from one stored version to another."""
    old, new = get_revision(plant, old_version), get_revision(plant, new_version)
    entries = diff_time_configs(old.time_configs, new.time_configs)
    return {"plantId": plant.external_plant_id, "from": old_version, "to": new_version,
            "summary": summarize(entries), "blocks": entries}


def restore_version(plant: Plant, version: int, source: str) -> Plant:
    """Make an earlier version's blocks current again, as a new version (no-op if they are)."""
    blocks = get_revision(plant, version).time_configs
    return update_plant(plant, {"timeConfigs": blocks}, source=source)


def applied_versions(plant: Plant) -> list[int]:
    """Every version the plant has had, newest first (what can be compared or restored)."""
    return list(db.session.scalars(
        sa.select(ConfigRevision.version).where(ConfigRevision.plant_id == plant.id,
                                                ConfigRevision.version.is_not(None))
        .order_by(ConfigRevision.version.desc())))
