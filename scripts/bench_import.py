"""Time and peak memory of importing a 10,000-plant seed file through `voke-esm import`, on
SQLite and (with --postgres-url) PostgreSQL; prints figures, asserts nothing.

    .venv/bin/python scripts/bench_import.py [--plants 10000] [--postgres-url postgresql+psycopg://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BLOCKS = [{"from": f"{h:02d}:00", "to": f"{h + 1:02d}:00" if h < 23 else "23:59",
           "pBatMax": 50, "pBatMin": -50, "socMax": 90, "socMin": 20} for h in range(24)]


def seed(plants: int) -> dict:
    return {"format": "voke-esm-seed", "version": 1,
            "organization": {"name": "Bench", "slug": "bench"},
            "plants": [{"externalPlantId": f"PLANT-{n:05d}", "name": f"Plant {n}",
                        "fvePeakPowerKwp": 100.0, "capacityKwh": 200.0, "timeConfigs": BLOCKS}
                       for n in range(plants)]}


def cli(env: dict, *args: str) -> tuple[float, float]:
    """Seconds and the child's peak RSS (MB) of one `voke-esm` run."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "voke-esm"), *args], env={**os.environ, **env}, cwd=ROOT,
                   check=True, capture_output=True)
    seconds = time.perf_counter() - started
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(label: str, database_url: str, folder: Path, seed_file: Path, plants: int) -> None:
    env = {"DATABASE_URL": database_url, "VOKE_ESM_INSTANCE_PATH": str(folder / label)}
    cli(env, "db", "upgrade")
    first, peak = cli(env, "import", str(seed_file))
    again, peak_again = cli(env, "import", str(seed_file))
    print(f"{label:<10} {plants} plants: first import {first:6.1f} s, again (no change) "
          f"{again:6.1f} s; peak RSS of any run so far {max(peak, peak_again):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plants", type=int, default=10_000)
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seed_file = folder / "seed.json"
        seed_file.write_text(json.dumps(seed(args.plants)))
        print(f"seed file: {seed_file.stat().st_size / 1e6:.1f} MB")
        run("sqlite", f"sqlite:///{folder / 'bench.sqlite3'}", folder, seed_file, args.plants)
        if args.postgres_url:
            name = f"voke_esm_bench_{uuid.uuid4().hex[:8]}"
            admin = sa.make_url(args.postgres_url).set(drivername="postgresql")
            with psycopg.connect(admin.render_as_string(False), autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            try:
                url = sa.make_url(args.postgres_url).set(database=name).render_as_string(False)
                run("postgresql", url, folder, seed_file, args.plants)
            finally:
                with psycopg.connect(admin.render_as_string(False),
                                     autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
