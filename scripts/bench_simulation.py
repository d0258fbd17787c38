"""Benchmark the simulated plant; prints figures, asserts nothing.

In process (Flask's test client, no server), on a fresh SQLite file or the given database:
- one day (96 steps) as pure functions, with one block and with 96 blocks;
- one day through the service (its revision queries included);
- the sandbox page of an organization with 1,000 plants (its first page of rows), with each
  plant's SoC now, set against the same page without that column (same run, same data).

    .venv/bin/python scripts/bench_simulation.py [--database-url URL] [--plants 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from tests.admin_support import sign_in_browser  # noqa: E402
from tests.conftest import base_env  # noqa: E402
from voke_esm import create_app, register_migrations  # noqa: E402
from voke_esm.extensions import db  # noqa: E402
from voke_esm.models import ConfigRevision, Plant  # noqa: E402
from voke_esm.platform import sandbox_views  # noqa: E402
from voke_esm.services import accounts, organizations, sandbox, simulation  # noqa: E402
from voke_esm.simulation import STEPS, PlantSpec, simulate_day  # noqa: E402
from voke_esm.timeconfig import hhmm  # noqa: E402

TWO_BLOCKS = [{"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
               "socMin": 20},
              {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
               "socMin": 30}]
BLOCKS_96 = [{"from": hhmm(m), "to": hhmm(m + 14), "pBatMax": 50, "pBatMin": -50,
              "socMax": 90, "socMin": 20} for m in range(0, 24 * 60, 15)]


def timed_ms(action, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def line(name: str, times: list[float]) -> str:
    return (f"{name:<72} p50 {statistics.median(times):8.3f} ms   "
            f"p95 {statistics.quantiles(times, n=20)[-1]:8.3f} ms")


def seed(plant_count: int) -> tuple[str, object]:
    """An enabled organization with `plant_count` PV + battery + load plants; a SuperAdmin."""
    organization = organizations.create_organization({"name": "Bench", "slug": "bench"})
    client_id = sandbox.enable(organization).client_id
    plants = [Plant(client_id=client_id, external_plant_id=f"P-{i:05d}", name=f"Plant {i}",
                    fve_peak_power_kwp=120.0, capacity_kwh=200.0, plant_with_load=True,
                    time_configs=TWO_BLOCKS, config_version=1) for i in range(plant_count)]
    db.session.add_all(plants)
    db.session.flush()
    db.session.add_all([ConfigRevision(plant_id=plant.id, version=1, source="bench",
                                       time_configs=TWO_BLOCKS) for plant in plants])
    db.session.commit()
    user = accounts.create_user("bench@voke.test", "bench password 0123456789", superadmin=True)
    return str(organization.id), user, plants[0]


SCENARIOS = (("alike, applied before today", False, False),
             ("each its own schedule, applied before today", True, False),
             ("each its own schedule, applied today", True, True))


def reschedule(distinct: bool, applied_today: bool) -> None:
    """Give every plant its own blocks (or the same ones), applied today or two days ago."""
    applied = datetime.now(UTC) - (timedelta(0) if applied_today else timedelta(days=2))
    for plant in db.session.scalars(sa.select(Plant).where(Plant.external_plant_id.like("P-%"))):
        number = int(plant.external_plant_id[2:])
        blocks = ([{**TWO_BLOCKS[0], "pBatMax": 1 + number}, TWO_BLOCKS[1]] if distinct
                  else TWO_BLOCKS)
        plant.time_configs = blocks
        db.session.execute(sa.update(ConfigRevision).where(ConfigRevision.plant_id == plant.id)
                           .values(time_configs=blocks, created_at=applied))
    db.session.commit()


def compare(page, rounds: int) -> tuple[list[float], list[float]]:
    """The page with and without the SoC column, interleaved so both see the same load; the
    SoC cache is emptied before each, so every plant alike in nothing is simulated anew."""
    real = simulation.current_soc
    with_soc, without = [], []
    page()  # warm the templates and the caches the real page would have warm
    for _ in range(rounds):
        simulation.clear_soc_cache()  # cold: as the first view in a 15-minute step
        with_soc += timed_ms(page, 1)
        sandbox_views.simulation.current_soc = lambda plants: {}
        without += timed_ms(page, 1)
        sandbox_views.simulation.current_soc = real
    return with_soc, without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--plants", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    spec = PlantSpec(120, 200, True)
    print(line("one day, pure, 2 blocks", timed_ms(
        lambda: simulate_day(spec, [TWO_BLOCKS] * STEPS), 200)))
    print(line("one day, pure, 96 blocks", timed_ms(
        lambda: simulate_day(spec, [BLOCKS_96] * STEPS), 50)))

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app = register_migrations(create_app(base_env(Path(tmp), url), TESTING=True))
        with app.app_context():
            upgrade()
            org_id, user, plant = seed(args.plants)
            print(line("one day, through the service (with its queries)", timed_ms(
                lambda: simulation.simulate_plant(plant), 100)))
            user_id = str(user.id)
        client = app.test_client()
        sign_in_browser(app, client, user_id)
        path = f"/platform/voke-esm?org={org_id}"

        def page() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        for label, distinct, applied_today in SCENARIOS:
            with app.app_context():
                reschedule(distinct, applied_today)
            with_soc, without = compare(page, args.rounds)
            print(line(f"page, {args.plants} plants ({label}), with SoC", with_soc))
            print(line(f"page, {args.plants} plants ({label}), without", without))
            print(f"{'':<72} ratio with / without: "
                  f"{statistics.median(with_soc) / statistics.median(without):.2f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
