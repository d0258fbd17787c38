"""Stale connections to a database server, found without a round trip on every checkout.

SQLAlchemy's pool_pre_ping sends a ping each time a connection leaves the pool: on a trading
call that is one query, it doubled the round trips. Here a connection is pinged when it has
sat in the pool for IDLE_BEFORE_PING seconds (a server restart or an idle timeout is what
leaves it stale); a failed ping makes the pool replace it (SQLAlchemy's documented
DisconnectionError protocol). SQLite has no server and is never pinged.
"""

import time

from sqlalchemy import event, exc
from sqlalchemy.pool import Pool

from .sqlite import is_sqlite

IDLE_BEFORE_PING = 10.0  # seconds
_RETURNED = "voke_esm_returned_at"


@event.listens_for(Pool, "checkin")
def _note_return(dbapi_connection, record) -> None:
    if record is not None:
        record.info[_RETURNED] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    if is_sqlite(dbapi_connection):
        return
    if time.monotonic() - record.info.get(_RETURNED, 0.0) < IDLE_BEFORE_PING:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as error:  # noqa: BLE001 - any failure: the pool reconnects
        raise exc.DisconnectionError(str(type(error).__name__)) from error
