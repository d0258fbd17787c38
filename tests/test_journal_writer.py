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
