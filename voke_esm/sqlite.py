"""SQLite connection settings (WAL for concurrent readers, a busy timeout, foreign keys on), and
one writer at a time within a process. The sqlite3 module is not imported here: a worker on
PostgreSQL never loads it (1 MiB resident)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


def is_sqlite(dbapi_connection) -> bool:
    """Whether a driver's connection is the standard library's SQLite one."""
    return type(dbapi_connection).__module__ == "sqlite3"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if is_sqlite(dbapi_connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL cannot corrupt the database; it only skips an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # 256 KiB of page cache per connection, not SQLite's 2 MB: a worker holds one
        # connection per busy thread, and the operating system caches the file anyway (a
        # worker's memory grew by 12 MB under load with the default, no faster for it).
        cursor.execute("PRAGMA cache_size=-256")
        cursor.close()


_write_lock = threading.Lock()


@contextmanager
def one_writer(engine: Engine) -> Iterator[None]:
    """Around a write transaction through `engine` on a hot path. SQLite has one writer at a
    time; threads of this process queue on a lock and start the moment it is free, instead of
    polling in SQLite's busy handler, whose naps grow to 100 ms and made an update's p99
    explode. Other backends (and other processes, through busy_timeout) are unaffected."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with _write_lock:
        yield
