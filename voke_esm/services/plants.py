"""Fake plants: CRUD, and applying a new time config as a new version (one path for all callers)."""

from __future__ import annotations

import functools
import itertools
import logging
import re
import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from ..errors import Conflict, DomainError, NotFound, ValidationError
from ..extensions import db
from ..models import ConfigRevision, EsmClient, Plant, StoredJSON, dump_json, utcnow
from ..prepared import PreparedWrite, alone
from ..sqlite import one_writer
from ..timeconfig import default_time_configs, is_number, validate_time_configs
from ..validation import Fields, contains_pattern, is_valid_unicode, parse_uuid
from . import applies, conflict_on_duplicate, page_of
from .applies import ConfigResult

log = logging.getLogger(__name__)

EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
EXTERNAL_ID_HINT = "must start with a letter or digit; then letters, digits, '.', '_' or '-'"
ESI_STATE = re.compile(r"[A-Z0-9_]+")
# camelCase field of the API -> model attribute
FIELD_ATTRS = {
    "clientId": "client_id", "externalPlantId": "external_plant_id", "name": "name",
    "description": "description", "fvePeakPowerKwp": "fve_peak_power_kwp",
    "capacityKwh": "capacity_kwh", "configEnabled": "config_enabled",
    "plantWithLoad": "plant_with_load", "esiState": "esi_state", "timeConfigs": "time_configs",
    "applyDelaySeconds": "apply_delay_seconds", "applyOutcome": "apply_outcome",
}
APPLY_OUTCOME = re.compile("|".join(applies.OUTCOMES))
def time_config_details(blocks: object) -> list[str]:
    return [problem.detail() for problem in validate_time_configs(blocks)]


def read_plant_fields(data: dict, partial: bool) -> dict:
    """Validate a plant body as the admin API, the UI and the CLI submit it."""
    fields = Fields(data, partial)
    if not partial:
        fields.string("clientId", "client_id", max_len=120)
    fields.string("externalPlantId", "external_plant_id", max_len=64, pattern=EXTERNAL_ID,
                  hint=EXTERNAL_ID_HINT)
    fields.string("name", max_len=100)
    fields.string("description", max_len=2000, min_len=0, default=None, nullable=True)
    fields.number("fvePeakPowerKwp", "fve_peak_power_kwp", default=0.0)
    fields.number("capacityKwh", "capacity_kwh", default=0.0)
    fields.boolean("configEnabled", "config_enabled", default=True)
    fields.boolean("plantWithLoad", "plant_with_load", default=False)
    fields.string("esiState", "esi_state", max_len=32, pattern=ESI_STATE,
                  hint="must be upper-case letters, digits and '_'", default="PLC_READY")
    fields.custom("timeConfigs", "time_configs", time_config_details,
                  default=default_time_configs)
    fields.integer("applyDelaySeconds", "apply_delay_seconds", low=0,
                   high=applies.MAX_DELAY_SECONDS, default=0)
    fields.string("applyOutcome", "apply_outcome", max_len=16, pattern=APPLY_OUTCOME,
                  hint="must be applied or failed", default="applied")
    fields.reject_unknown(set(FIELD_ATTRS))
    if partial and "clientId" in data:
        fields.details.append("clientId: cannot be changed; create the plant for the other client")
    return fields.done()


def create_plant(data: dict, source: str) -> Plant:
    values = read_plant_fields(data, partial=False)
    known = db.session.scalar(sa.select(EsmClient.id).where(
        EsmClient.client_id == values["client_id"]))
    if known is None:
        raise ValidationError(["clientId: no organization was ever enabled with this clientId"])
    _check_unique(values["client_id"], values["external_plant_id"])
    plant = Plant(**values, config_version=1)
    with conflict_on_duplicate(_taken(values["external_plant_id"])):
        db.session.add(plant)
        db.session.flush()
        db.session.add(ConfigRevision(plant_id=plant.id, version=1, source=source,
                                      time_configs=plant.time_configs))
        db.session.commit()
    return plant


def update_plant(plant: Plant, data: dict, source: str) -> Plant:
    """A partial update; new time configs become a new config version, like a trading update."""
    values = read_plant_fields(data, partial=True)
    blocks = values.pop("time_configs", None)
    if values.get("external_plant_id", plant.external_plant_id) != plant.external_plant_id:
        _check_unique(plant.client_id, values["external_plant_id"])
    for attr, value in values.items():
        setattr(plant, attr, value)
    with conflict_on_duplicate(_taken(plant.external_plant_id)):
        if blocks is not None and not same_blocks(blocks, plant.time_configs):
            _store_config(plant, blocks, None, source)  # commits
        else:
            db.session.commit()
    return plant


def delete_plant(plant: Plant) -> None:
    db.session.delete(plant)
    db.session.commit()


def get_plant(plant_id: object) -> Plant:
    """A plant by id, its due pending config (if any) applied first."""
    plant = db.session.get(Plant, parse_uuid(plant_id))
    if plant is None:
        raise NotFound("Plant not found")
    return applies.settle(plant)


def plants_query(client_id: str | None = None, search: str = "") -> sa.Select:
    """Plants (of one client, matching a search) in the order every list shows them."""
    query = sa.select(Plant)
    if client_id is not None:
        query = query.where(Plant.client_id == client_id)
    if search:
        pattern = contains_pattern(search)
        query = query.where(sa.or_(sa.func.lower(Plant.external_plant_id).like(pattern, "\\"),
                                   sa.func.lower(Plant.name).like(pattern, "\\")))
    return query.order_by(Plant.client_id, Plant.external_plant_id)


def list_plants(client_id: str | None = None, search: str = "") -> list[Plant]:
    """Every matching plant, settled: for one client's trading list (never the whole table).
    Without their time configs, which no list shows (96 blocks are 10 KB of JSON to parse per
    plant); reading one loads it."""
    return applies.settle_all(list(db.session.scalars(
        plants_query(client_id, search).options(defer(Plant.time_configs)))))


def page_of_plants(client_id: str | None, search: str, page: int, limit: int) -> dict:
    listing = page_of(plants_query(client_id, search), page, limit)
    applies.settle_all(listing["items"])
    return listing


def stream_plants(client_id: str | None = None, batch: int = 500) -> Iterator[Plant]:
    """Every matching plant, settled, read a batch at a time (for exports of any size)."""
    for page in itertools.count(1):
        plants = page_of(plants_query(client_id), page, batch)["items"]
        if not plants:
            return
        yield from applies.settle_all(plants)


def count_plants(client_id: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Plant.client_id == client_id))


def find_client_plant(client_id: str, external_plant_id: str) -> Plant:
    """A plant of this client by its external id; another client's plant is not found."""
    plant = db.session.scalar(sa.select(Plant).where(
        Plant.client_id == client_id, Plant.external_plant_id == external_plant_id))
    if plant is None:
        raise plant_not_found(external_plant_id)
    return applies.settle(plant)


def set_apply_delay_for_client(client_id: str, seconds: int, outcome: str = "applied") -> int:
    """Every plant of the client applies updates `seconds` later, with `outcome` (the "slow
    device" preset); the number of plants changed."""
    fields = Fields({"applyDelaySeconds": seconds, "applyOutcome": outcome})
    fields.integer("applyDelaySeconds", low=0, high=applies.MAX_DELAY_SECONDS)
    fields.string("applyOutcome", max_len=16, pattern=APPLY_OUTCOME,
                  hint="must be applied or failed")
    fields.done()
    list_plants(client_id)  # what fell due under the old settings applies under them
    changed = db.session.execute(
        sa.update(Plant).where(Plant.client_id == client_id)
        .values(apply_delay_seconds=seconds, apply_outcome=outcome, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed


def plant_not_found(external_plant_id: str) -> NotFound:
    return NotFound(f"Plant {external_plant_id!r} not found", code="PLANT_NOT_FOUND")


def could_be_plant_id(value: object) -> bool:
    """Whether a lookup by this external id could find a plant (one every backend compares)."""
    return (isinstance(value, str) and 0 < len(value) <= 64 and "\x00" not in value
            and is_valid_unicode(value))


def ensure_default_plant(client_id: str) -> Plant | None:
    """The product page's default plant, for a client that has none yet (no commit)."""
    if count_plants(client_id):
        return None
    plant = Plant(client_id=client_id, external_plant_id="PLANT-001", name="Default plant",
                  description="Created when Voke ESM was enabled",
                  time_configs=default_time_configs(), config_version=1)
    db.session.add(plant)
    db.session.flush()
    db.session.add(ConfigRevision(plant_id=plant.id, version=1, source="enable",
                                  time_configs=plant.time_configs))
    return plant


def apply_config_update(plant: Plant, blocks: object, req_code: str, validate_only: bool,
                        source: str, sent: str | None = None) -> ConfigResult:
    """Validate and (unless a dry run) store new blocks; idempotent on the request code.
    `sent`: the blocks' JSON text as the caller wrote it, stored as it is (CONTRACT §2: the
    config endpoint returns them verbatim) instead of serialised again."""
    if not plant.config_enabled:
        raise DomainError("CONFIG_DISABLED", f"Config updates are disabled for plant "
                          f"{plant.external_plant_id!r}", resultCode="cfg_disabled")
    details = time_config_details(blocks)
    if details:
        raise ValidationError(details, resultCode="cfg_rejected")
    # Read before the commit expires the plant: reading it after would reload it.
    plant_id, label = plant.id, plant.external_plant_id
    stored = StoredJSON(sent) if sent is not None else blocks
    for _ in range(3):
        if not validate_only and not applies.is_deferred(plant):
            # The usual call, a code never seen and nothing pending: the UPDATE itself checks
            # both (and stores nothing if either check fails).
            try:
                version = _store_new(plant.id, stored, req_code, source)
            except IntegrityError:
                continue  # the same code raced us; its revision answers on retry
            if version is not None:
                _log_applied(label, version, req_code)
                return ConfigResult("applied_ok", version)
        earlier = _revision_for(plant_id, req_code)
        if earlier is not None:
            if not same_blocks(earlier.time_configs, blocks):
                raise Conflict(f"configUpdateReqCode {req_code!r} was already used for this "
                               f"plant with other timeConfigs")
            return applies.answer_retry(earlier, plant, validate_only)
        if validate_only:
            return ConfigResult("cfg_accepted", applies.version_now(plant))
        try:
            if applies.is_deferred(plant):
                return applies.defer(plant, stored, req_code, source)
            version = _store_config(plant, stored, req_code, source)
        except IntegrityError:
            db.session.rollback()  # the same code raced us; its revision answers on retry
            continue
        _log_applied(label, version, req_code)
        return ConfigResult("applied_ok", version)
    raise Conflict("The plant is being updated concurrently; retry the request")


def _log_applied(label: str, version: int, req_code: str | None) -> None:
    log.info("Voke ESM: applied config for %s", label, extra={
        "plantId": label, "version": version, "configUpdateReqCode": req_code})


def revisions_of(plant: Plant, limit: int = 20) -> list[ConfigRevision]:
    return list(db.session.scalars(
        sa.select(ConfigRevision).where(ConfigRevision.plant_id == plant.id)
        .order_by(ConfigRevision.id.desc()).limit(limit)))


_PLANTS, _REVISIONS = Plant.__table__, ConfigRevision.__table__
# The plant's revision for the request code (unique per plant).
_SAME_CODE = (_REVISIONS.c.plant_id == sa.bindparam("plant_id"),
              _REVISIONS.c.config_update_req_code == sa.bindparam("req_code"))
# What a retry is answered from. Built once and read as a row, not an entity: every update
# asks, and the answer is nearly always "none" (a quarter of the ORM query's cost).
_EARLIER = (sa.select(_REVISIONS.c.status, _REVISIONS.c.version, _REVISIONS.c.time_configs)
            .where(*_SAME_CODE))


def _revision_for(plant_id, req_code: str) -> sa.Row | None:
    """The status, version and blocks of the plant's revision for this request code."""
    return db.session.execute(_EARLIER, {"plant_id": plant_id, "req_code": req_code}).first()


# Built once and run on the driver's cursor (prepared.py): an update runs them on every call,
# and the ORM's bulk path and SQLAlchemy's per-statement machinery cost more than the database
# does here.
_bump = (sa.update(_PLANTS).where(_PLANTS.c.id == sa.bindparam("plant_id"))
         .values(config_version=_PLANTS.c.config_version + 1, time_configs=sa.bindparam("blocks"),
                 updated_at=sa.bindparam("now"), pending_due_at=None)
         .returning(_PLANTS.c.config_version))
_BUMP = PreparedWrite(_bump, typed=True)
# applies.defer gives a plant a due time with its pending revision, and whatever applies,
# fails or supersedes that revision clears it: a plant without one has nothing to supersede.
_BUMP_IF_NOTHING_PENDING = PreparedWrite(_bump.where(_PLANTS.c.pending_due_at.is_(None)),
                                         typed=True)
# ... and whose request code no revision of the plant has yet (the unique index on the pair
# still decides a race).
_BUMP_IF_NEW = PreparedWrite(_BUMP_IF_NOTHING_PENDING.statement.where(
    ~sa.exists().where(*_SAME_CODE)), typed=True)
_REVISION_COLUMNS = ["plant_id", "version", "status", "config_update_req_code", "source",
                     "time_configs", "created_at"]


def _revision_from(plant, version=None, blocks=None) -> sa.Select:
    """The new revision's values: the blocks just stored and the new version copied from
    `plant` (its row, or what the UPDATE returned) by the database, where binding them again
    would serialise them again; or `version` and `blocks` given as expressions."""
    return sa.select(plant.c.id, plant.c.config_version if version is None else version,
                     sa.bindparam("status", type_=_REVISIONS.c.status.type),
                     sa.bindparam("req_code", type_=_REVISIONS.c.config_update_req_code.type),
                     sa.bindparam("source", type_=_REVISIONS.c.source.type),
                     plant.c.time_configs if blocks is None else blocks,
                     sa.bindparam("now", type_=_REVISIONS.c.created_at.type))


_RECORD = PreparedWrite(sa.insert(_REVISIONS).from_select(
    _REVISION_COLUMNS, _revision_from(_PLANTS).where(_PLANTS.c.id == sa.bindparam("plant_id"))),
    typed=True)


@functools.cache
def _record_and_bump() -> PreparedWrite:
    """PostgreSQL's store in one statement (one round trip): the revision first, its version
    read under the plant's row lock, then the plant from the revision. Whether the request code
    is new is decided by the unique index on (plant, code), as the INSERT's conflict target,
    not by a lookup the planner may answer another way: psycopg prepares a statement per pooled
    connection and PostgreSQL keeps its plan, and a plan made while the revisions were few
    looked the code up through the plant's index, reading every revision of the plant on every
    update from then on (2,300,000 rows read in 2,200 updates). Built on first use: SQLite
    need not import SQLAlchemy's PostgreSQL dialect."""
    from sqlalchemy.dialects.postgresql import insert

    claimed = (insert(_REVISIONS).from_select(_REVISION_COLUMNS, _revision_from(
        _PLANTS, _PLANTS.c.config_version + 1,
        sa.bindparam("blocks", type_=_REVISIONS.c.time_configs.type))
        .where(_PLANTS.c.id == sa.bindparam("plant_id"), _PLANTS.c.pending_due_at.is_(None))
        .with_for_update())
        .on_conflict_do_nothing(index_elements=[_REVISIONS.c.plant_id,
                                                _REVISIONS.c.config_update_req_code])
        .returning(_REVISIONS.c.plant_id, _REVISIONS.c.version, _REVISIONS.c.time_configs)
        .cte("claimed"))
    return PreparedWrite(
        sa.update(_PLANTS).where(_PLANTS.c.id == claimed.c.plant_id)
        .values(config_version=claimed.c.version, time_configs=claimed.c.time_configs,
                updated_at=sa.bindparam("now"), pending_due_at=None)
        .returning(_PLANTS.c.config_version), typed=True)


def _store_new(plant_id: uuid.UUID, blocks: list | StoredJSON, req_code: str,
               source: str) -> int | None:
    """A trading update's store: the new version, or None (nothing stored) when a revision of
    the plant has `req_code` already or a delayed config is pending. A transaction of its own
    on a pooled connection, not the session's: on PostgreSQL one statement in autocommit, one
    round trip instead of four (BEGIN, UPDATE, INSERT, COMMIT; updates a second +17 %); SQLite
    has no UPDATE in a WITH, and runs the two under its write lock (+6 %)."""
    bump, record = _store_params(plant_id, blocks, req_code, source)
    engine = db.engine
    dialect = engine.dialect
    with one_writer(engine), alone(engine, write=True, configs=True) as cursor:
        if dialect.name == "postgresql":
            bumped = _record_and_bump().returned(cursor, dialect, {**bump, **record})
        else:
            bumped = _BUMP_IF_NEW.returned(cursor, dialect, {**bump, "req_code": req_code})
            if bumped is not None:
                _RECORD.execute(cursor, dialect, record)
    return bumped[0] if bumped is not None else None


def _store_config(plant: Plant, blocks: list | StoredJSON, req_code: str | None,
                  source: str) -> int:
    """Bump the version in one atomic UPDATE (no lost version under concurrency), then commit
    the session (an admin edit's other fields with it); a pending delayed config is superseded
    by this one. One short write transaction."""
    bump, record = _store_params(plant.id, blocks, req_code, source)
    with one_writer(db.engine):
        db.session.flush()  # an admin edit's other fields first, as an ORM UPDATE's autoflush did
        connection = db.session.connection()
        dialect, cursor = connection.dialect, connection.connection.cursor()
        try:
            bumped = _BUMP_IF_NOTHING_PENDING.returned(cursor, dialect, bump)
            if bumped is None:  # a delayed config is pending (checked on the locked row)
                bumped = _BUMP.returned(cursor, dialect, bump)
                applies.supersede_pending(plant)
            _RECORD.execute(cursor, dialect, record)
        finally:
            cursor.close()
        db.session.commit()
    return bumped[0]  # the new version


def _store_params(plant_id: uuid.UUID, blocks: list | StoredJSON, req_code: str | None,
                  source: str) -> tuple[dict, dict]:
    """The parameters of the version's UPDATE and of its revision's INSERT. The blocks (unless
    they come as the text they were sent in) are serialised here, before the write lock is
    taken: other writers wait for as little as can be."""
    now = utcnow()
    return ({"plant_id": plant_id, "blocks": StoredJSON(dump_json(blocks)), "now": now},
            {"plant_id": plant_id, "status": "applied", "req_code": req_code, "source": source,
             "now": now})


def same_blocks(stored: list, sent: list) -> bool:
    """Equal as configurations: JSONB may hand back 1e23 as an int, or keys in its own order."""
    # Plain equality ignores key order and implies equal floats; only a difference, where an
    # int may stand for a float, needs the canonical form.
    if stored == sent:
        return True

    def canonical(blocks: list) -> list:
        return [{key: float(value) if is_number(value) else value
                 for key, value in block.items()} for block in blocks]
    return canonical(stored) == canonical(sent)


def _taken(external_plant_id: str) -> str:
    return f"Plant {external_plant_id!r} already exists for this client"


def _check_unique(client_id: str, external_plant_id: str) -> None:
    taken = db.session.scalar(sa.select(Plant.id).where(
        Plant.client_id == client_id, Plant.external_plant_id == external_plant_id))
    if taken is not None:
        raise Conflict(_taken(external_plant_id))
