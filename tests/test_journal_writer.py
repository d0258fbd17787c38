"""The journal's write path through a real server: no call waits for it, every call is
visible within a second, and a kill -9 loses at most the calls of the last second."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from tests.live import live_server, request_json
from voke_esm.extensions import db
from voke_esm.models import JournalEntry

CONFIG = "/api/v1/voke-esm/trading/plant/config?plantId=PLANT-001"


def journaled_queries(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(JournalEntry.query)))


def test_every_call_is_in_the_journal_within_a_second(app, env, sandbox):
    token = sandbox.token(sandbox.enabled())
    with live_server(env, workers=2, threads=4) as base_url:
        for n in range(30):
            assert request_json(base_url, "GET", f"{CONFIG}&n={n}", token=token)[0] == 200
        answered = time.monotonic()
        expected = {f"plantId=PLANT-001&n={n}" for n in range(30)}
        while not expected <= journaled_queries(app):
            assert time.monotonic() - answered <= 1.0, "a call took over a second to show"
            time.sleep(0.05)


def test_a_kill_9_loses_at_most_the_last_second_of_calls(app, env, sandbox):
    token = sandbox.token(sandbox.enabled())
    answered: dict[str, float] = {}
    stop = threading.Event()
    processes: list = []

    def keep_calling(worker: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            query = f"plantId=PLANT-001&n={worker}-{n}"
            try:
                status = request_json(base_url, "GET", f"{CONFIG}&n={worker}-{n}", token=token,
                                      timeout=5)[0]
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if status == 200:
                answered[query] = time.monotonic()

    with live_server(env, workers=2, threads=4, processes=processes) as base_url:
        callers = [threading.Thread(target=keep_calling, args=(w,)) for w in range(4)]
        for caller in callers:
            caller.start()
        time.sleep(2.5)
        master = processes[0].pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        killed_at = time.monotonic()
        os.kill(master, signal.SIGKILL)  # first, so that it respawns nobody
        for pid in workers:
            os.kill(int(pid), signal.SIGKILL)
        stop.set()
        for caller in callers:
            caller.join()

    journaled = journaled_queries(app)
    lost = {query: at for query, at in answered.items()
            if at <= killed_at and query not in journaled}
    assert len(answered) > 20
    oldest_loss = max((killed_at - at for at in lost.values()), default=0.0)
    print(f"kill -9: {len(lost)} of {len(answered)} answered calls lost, the oldest answered "
          f"{oldest_loss:.2f} s before the kill")
    assert oldest_loss <= 1.0


def test_a_forked_worker_starts_with_an_empty_buffer_of_its_own(app, client, sandbox):
    """gunicorn forks workers from a master that may have built the app: a child must neither
    write the parent's queued entries a second time nor wait on the parent's writer thread."""
    from voke_esm.services import journal_buffer

    token = sandbox.token(sandbox.enabled())
    assert client.get(CONFIG, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    buffer = app.extensions["voke_esm_journal"]
    with buffer._lock:  # a call's entry waits in the parent, its writer thread running
        assert buffer._rows and buffer._thread is not None
        pid = os.fork()
        if pid == 0:  # the child: no assertion may escape into pytest's own process
            fine = buffer._rows == [] and buffer._thread is None
            buffer.add({"n": 1})  # the lock, reset, does not deadlock
            os._exit(0 if fine and buffer._rows == [{"n": 1}] and journal_buffer._buffers else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    buffer.flush()
    assert {"plantId=PLANT-001"} <= journaled_queries(app)
