"""The trading reads, remembered by each process until any process commits a write.

Under load a trading call's one indexed read cost more than everything else the sandbox adds
to Flask: the driver hands the GIL over and back several times a query (each step and reset
of an SQLite statement, each round trip to PostgreSQL), and with eight threads every handover
is a futex wake and two context switches. Between writes the answer cannot change, so it is
remembered per process and asked again only after a write.

Who wrote is told through a write marker: sixteen bytes in a file in the instance folder,
mapped into every process of this install (workers, the CLI), so that reading it is a memory
load, not a system call. Every SQLAlchemy commit of every process replaces its first half with
fresh random bytes twice: when the commit starts and once its connection is back in the pool,
after the commit is durable. A trading update's store (services/plants.py), which changes one
plant's time configs and version and adds a revision, replaces the second half instead.
A remembered answer is used only while the marker still holds the value read before the answer
was asked (its first half alone for an answer that shows no time configs or version: the
caller's client, a plant's other fields), and for at most VOKE_ESM_READ_MEMO_SECONDS (default
1; 0 remembers nothing): a write the marker does not see (another host on the same database,
psql, another instance folder) shows within that time. The journal's writer commits on the
driver's connection and leaves the marker alone: it writes no table read here.

No marker file (an instance folder that cannot be written): nothing is remembered.
"""

from __future__ import annotations

import logging
import mmap
import os
import time
from collections.abc import Callable, Hashable
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

MAX_ENTRIES = 4096  # answers remembered per process; all are forgotten when full
MARKER_FILE = "voke_esm_writes.marker"
_WROTE = "voke_esm_wrote"  # on a connection's pool record: it committed, bump again on checkin


class WriteMarker:
    """Sixteen bytes shared by every process of an install: a new random first half per write,
    or second half per store of a config alone (`configs`)."""

    SIZE = 16
    HALF = 8

    def __init__(self, path: Path):
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < self.SIZE:
                os.ftruncate(descriptor, self.SIZE)
            self._map = mmap.mmap(descriptor, self.SIZE)
        finally:
            os.close(descriptor)  # the mapping keeps the file

    def read(self) -> bytes:
        return self._map[:self.SIZE]

    def bump(self, configs: bool = False) -> None:
        # Any change is a change: a reader that catches part of a new value sees neither the
        # old one nor a value it remembered.
        start = self.HALF if configs else 0
        self._map[start:start + self.HALF] = os.urandom(self.HALF)

    def writing(self, connection, configs: bool = False) -> None:
        """Before a commit on pooled `connection`: bump now, and again once the connection is
        back in the pool (the commit is durable then). `configs`: the write changes plants'
        time configs and versions (and revisions) and nothing else."""
        self.bump(configs)
        # Another write on the same checkout, of any kind: bump as for any kind.
        connection.info[_WROTE] = configs and connection.info.get(_WROTE, True)


class ReadMemo:
    """Answers of remembered statements by (statement, parameters), while no write happened
    in any process (none but stores of configs, for an answer `config_free`) and for at most
    `fresh_for` seconds."""

    def __init__(self, marker: WriteMarker, fresh_for: float):
        self.marker = marker
        self.fresh_for = fresh_for  # seconds
        self._entries: dict[Hashable, tuple[bytes, float, object]] = {}

    def get(self, key: Hashable, load: Callable[[], object], config_free: bool = False,
            ) -> object:
        marker = self.marker.read()  # before asking: a write after it makes the answer old
        if config_free:
            marker = marker[:WriteMarker.HALF]
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] == marker and now - entry[1] < self.fresh_for:
            return entry[2]
        answer = load()
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (marker, now, answer)
        return answer


def init_app(app: Flask, engine: Engine) -> None:
    """Bump the install's write marker on every commit through `engine` (also where this
    process remembers nothing: other processes may), and remember the trading reads for up to
    VOKE_ESM_READ_MEMO_SECONDS when the marker can be kept."""
    fresh_for = app.config["VOKE_ESM_READ_MEMO_SECONDS"]
    try:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        marker = WriteMarker(Path(app.instance_path) / MARKER_FILE)
    except OSError as error:
        log.warning("No write marker in %s (%s): this process remembers no trading read, "
                    "and its writes show in other processes within %d s", app.instance_path,
                    error.strerror or error, fresh_for)
        return

    def checked_in(_dbapi_connection, record) -> None:
        configs = record.info.pop(_WROTE, None) if record is not None else None
        if configs is not None:
            marker.bump(configs)

    event.listen(engine, "commit", marker.writing)
    event.listen(engine, "checkin", checked_in)
    app.extensions["voke_esm_write_marker"] = marker
    if fresh_for > 0:
        app.extensions["voke_esm_read_memo"] = ReadMemo(marker, fresh_for)


def before_write(app: Flask, connection, configs: bool = False) -> None:
    """Before a write on pooled `connection` outside any SQLAlchemy transaction (a statement
    that is a transaction of its own, prepared.py): what a commit's event does. `configs`: see
    WriteMarker.writing."""
    marker = app.extensions.get("voke_esm_write_marker")
    if marker is not None:
        marker.writing(connection, configs)
