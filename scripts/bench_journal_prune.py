"""What the journal's pruning costs per call with 5,000 and with 100,000 entries kept: the
same batches written and pruned on both tables, interleaved; prints figures, asserts nothing.

    .venv/bin/python scripts/bench_journal_prune.py [--postgres-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import base_env, migrated  # noqa: E402
from voke_esm import create_app  # noqa: E402
from voke_esm.extensions import db  # noqa: E402
from voke_esm.models import JournalEntry, utcnow  # noqa: E402
from voke_esm.services import journal  # noqa: E402

BATCH, BATCHES, ROUNDS = 10, 200, 5


def row(n: int) -> dict:
    return {"created_at": utcnow(), "client_id": "bench", "remote_addr": "127.0.0.1",
            "method": "GET", "path": f"/api/v1/voke-esm/trading/plant/config?n={n}",
            "status": 200, "duration_ms": 1.0}


def app_with(url: str, folder: Path, keep: int):
    migrated(url, folder)
    app = create_app(base_env(folder, url, VOKE_ESM_JOURNAL_KEEP=str(keep)))
    with app.app_context():
        db.session.execute(sa.insert(JournalEntry.__table__), [row(n) for n in range(keep)])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load; without it the planner guesses blind.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("VACUUM ANALYZE voke_esm_request_journal"))
    return app


def per_call_us(app) -> float:
    """Microseconds per journaled call: BATCHES flushes of BATCH entries, each pruning BATCH."""
    with app.app_context():
        started = time.perf_counter()
        for _ in range(BATCHES):
            journal._write([row(0) for _ in range(BATCH)])  # noqa: SLF001 - the write path
        return (time.perf_counter() - started) / (BATCH * BATCHES) * 1e6


def measure(label: str, make_url) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        apps = {keep: app_with(make_url(keep, Path(tmp)), Path(tmp) / str(keep), keep)
                for keep in (5_000, 100_000)}
        figures = {keep: [] for keep in apps}
        for _ in range(ROUNDS):
            for keep, app in apps.items():
                figures[keep].append(per_call_us(app))
        for keep, app in apps.items():
            with app.app_context():
                count = db.session.scalar(sa.select(sa.func.count(JournalEntry.id)))
            values = figures[keep]
            print(f"{label:<10} {keep:>7} kept ({count} rows after): {min(values):6.1f} / "
                  f"{statistics.median(values):6.1f} / {max(values):6.1f} us per call "
                  f"(min/median/max of {ROUNDS} rounds)")
        ratio = statistics.median(figures[100_000]) / statistics.median(figures[5_000])
        print(f"{label:<10} 100,000 kept costs {ratio:.2f}x 5,000 kept")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    measure("sqlite", lambda keep, tmp: f"sqlite:///{tmp}/journal-{keep}.sqlite3")
    if args.postgres_url:
        names = []

        def pg_url(keep, tmp):
            name = f"voke_esm_prune_{uuid.uuid4().hex[:8]}"
            names.append(name)
            with psycopg.connect(_admin(args.postgres_url), autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            return sa.make_url(args.postgres_url).set(database=name).render_as_string(False)
        try:
            measure("postgresql", pg_url)
        finally:
            with psycopg.connect(_admin(args.postgres_url), autocommit=True) as connection:
                for name in names:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(False)


if __name__ == "__main__":
    main()
