"""Liveness (/healthz) and readiness (/readyz) for load balancers and the image's HEALTHCHECK.

Both answer JSON, 200 when every check passes and 503 otherwise, with a short reason per failed
check: the kind of failure, never an exception's text (it could carry a host or a user name)."""

from __future__ import annotations

import logging
import time
from functools import cache

import sqlalchemy as sa
from flask import Blueprint, current_app

from . import rate_limit
from .extensions import db
from .prepared import Prepared

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
OK = "ok"
FRESH_FOR = 1.0  # seconds
_PING = Prepared(sa.select(sa.literal_column("1")))


@bp.get("/healthz")
def healthz():
    """Alive, and the database answered within the last second."""
    return _answer({"database": _recent_database()})


@bp.get("/readyz")
def readyz():
    """Ready for traffic: the database answers, its schema is at head, the limiter's storage
    answers (without it each worker would count rate limits on its own)."""
    database = _database()
    migrations = _migrations() if database == OK else "not checked: the database is unreachable"
    return _answer({"database": database, "migrations": migrations,
                    "limiterStorage": _limiter_storage()})


def _answer(checks: dict[str, str]):
    if all(result == OK for result in checks.values()):
        return {"status": OK, "checks": checks}
    log.warning("Health check failed: %s", "; ".join(
        f"{name}: {result}" for name, result in checks.items() if result != OK))
    return {"status": "unavailable", "checks": checks}, 503


def _recent_database() -> str:
    """A database that answered less than FRESH_FOR seconds ago is not asked again: polls of
    a load balancer (or a benchmark) then cost it nothing. A failure is never remembered."""
    state = current_app.extensions.setdefault("voke_esm_health", {"answered_at": -FRESH_FOR})
    if time.monotonic() - state["answered_at"] < FRESH_FOR:
        return OK
    result = _database()
    if result == OK:
        state["answered_at"] = time.monotonic()
    return result


def _database() -> str:
    # On the driver's cursor (prepared.py): the check runs often and needs no more.
    try:
        _PING.first({})
    except (sa.exc.SQLAlchemyError, db.engine.dialect.loaded_dbapi.Error) as error:
        return f"unreachable ({type(getattr(error, 'orig', None) or error).__name__})"
    return OK


def _migrations() -> str:
    # Alembic is imported here, not by the server at start: it cost each worker 10 MB.
    from alembic.runtime.migration import MigrationContext

    head = _head_revisions()
    try:
        current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return f"unknown ({type(error).__name__})"
    if current == head:
        return OK
    if not current:
        return f"not migrated: run `voke-esm db upgrade` (head is {', '.join(sorted(head))})"
    return (f"at {', '.join(sorted(current))}, head is {', '.join(sorted(head))}: "
            f"run `voke-esm db upgrade`")


@cache
def _head_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from . import MIGRATIONS

    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def _limiter_storage() -> str:
    return OK if rate_limit.limiter().check_storage() else "unreachable"
