"""The journal's write path: entries wait in a per-process buffer and a short-lived writer
thread stores them at least every FLUSH_EVERY seconds, in one transaction per flush.

No caller waits for a journal INSERT or COMMIT. An entry is in the database within
FLUSH_EVERY plus one flush; a kill -9 loses at most what the buffer held (the README gives the
measured figure); a clean exit (gunicorn's graceful stop, the interpreter's) flushes it. The
writer thread lives while calls keep coming and ends after IDLE_FLUSHES empty rounds, so
idle processes (and the tests' many apps) keep no thread for long.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections.abc import Callable

from flask import Flask

FLUSH_EVERY = 0.25  # seconds
IDLE_FLUSHES = 8  # the writer ends after this many flushes in a row found nothing (2 s)
_buffers: weakref.WeakSet[JournalBuffer] = weakref.WeakSet()
_create_lock = threading.Lock()


class JournalBuffer:
    """The entries one app has recorded in this process and not yet written."""

    def __init__(self, app: Flask, write: Callable[[list[dict]], None]):
        self.app = app
        self.write = write  # stores a list of rows; runs inside an app context
        self._rows: list[dict] = []
        self._lock = threading.Lock()  # guards _rows and _thread
        self._flush_lock = threading.Lock()  # one flush at a time, so rows stay in order
        self._thread: threading.Thread | None = None

    def forget(self) -> None:
        """In a forked child: the parent's rows and thread are not ours."""
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._rows, self._thread = [], None

    def add(self, row: dict) -> None:
        with self._lock:
            self._rows.append(row)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="voke-esm-journal",
                                                daemon=True)
                self._thread.start()

    def flush(self) -> None:
        """Write what is buffered now; returns once it is in the database."""
        with self._flush_lock:
            with self._lock:
                rows, self._rows = self._rows, []
            if rows:
                with self.app.app_context():
                    self.write(rows)

    def _run(self) -> None:
        idle = 0
        while True:
            time.sleep(FLUSH_EVERY)
            with self._lock:
                idle = 0 if self._rows else idle + 1
                if idle >= IDLE_FLUSHES:
                    self._thread = None
                    return
            self.flush()


def buffer_for(app: Flask, write: Callable[[list[dict]], None]) -> JournalBuffer:
    buffer = app.extensions.get("voke_esm_journal")
    if buffer is None:
        with _create_lock:
            buffer = app.extensions.setdefault("voke_esm_journal", JournalBuffer(app, write))
            _buffers.add(buffer)
    return buffer


def flush_all() -> None:
    """Every buffer of this process, e.g. on exit."""
    for buffer in list(_buffers):
        buffer.flush()


def _forget_all() -> None:
    global _create_lock
    _create_lock = threading.Lock()  # another thread may have held it at the fork
    for buffer in list(_buffers):
        buffer.forget()


atexit.register(flush_all)
os.register_at_fork(after_in_child=_forget_all)  # not a getpid() on every call
