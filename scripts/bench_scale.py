"""Admin pages with 100 plants against 100,000 plants in 1,000 organizations (`make bench
BENCH_ARGS=--scale`): each page's median time in-process, and the ratio large/small.

The organization under test (Acme) keeps its 10 plants; the others grow around it.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

SMALL_ORGS, LARGE_ORGS, PLANTS_PER_ORG = 10, 1000, 101
BLOCK = [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
          "socMin": 20}]
CALLS = 40


def add_organizations(first: int, last: int, plants_each: int) -> None:
    """Organizations first..last-1, each enabled with `plants_each` plants (bulk INSERTs)."""
    from voke_esm.extensions import db
    from voke_esm.models import EsmClient, Organization, Plant, utcnow

    now = utcnow()
    for start in range(first, last, 50):
        orgs, clients, plants = [], [], []
        for n in range(start, min(start + 50, last)):
            org_id = uuid.uuid4()
            client_id = f"voke-esm-org-{n:05d}"
            orgs.append({"id": org_id, "name": f"Org {n:05d}", "slug": f"org-{n:05d}",
                         "created_at": now, "updated_at": now})
            clients.append({"id": uuid.uuid4(), "client_id": client_id,
                            "organization_id": org_id, "active": True, "generation": 1,
                            "created_at": now, "updated_at": now})
            plants += [{"id": uuid.uuid4(), "client_id": client_id,
                        "external_plant_id": f"PLANT-{p:04d}", "name": f"Plant {p}",
                        "fve_peak_power_kwp": 10.0, "capacity_kwh": 20.0,
                        "config_enabled": True, "plant_with_load": False,
                        "esi_state": "PLC_READY", "time_configs": BLOCK, "config_version": 1,
                        "created_at": now, "updated_at": now} for p in range(plants_each)]
        db.session.execute(sa.insert(Organization.__table__), orgs)
        db.session.execute(sa.insert(EsmClient.__table__), clients)
        db.session.execute(sa.insert(Plant.__table__), plants)
        db.session.commit()


def pages(app, ui, api_headers: dict, acme: dict) -> dict[str, tuple]:
    return {
        "sandbox page (Acme, 10 plants)": (ui, f"/platform/voke-esm?org={acme['org']}", {}),
        "picker search": (ui, "/platform/voke-esm/picker?q=acme", {"HX-Request": "true"}),
        "admin API plants, page 1": (app.test_client(), "/api/v1/voke-esm/admin/plants",
                                     api_headers),
        "admin API plants of Acme": (
            app.test_client(), f"/api/v1/voke-esm/admin/plants?clientId={acme['client']}",
            api_headers),
        "admin API organizations": (app.test_client(), "/api/v1/organizations", api_headers),
    }


def timed(client, url: str, headers: dict) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return (time.perf_counter() - started) * 1000


def build(orgs: int, plants_each: int) -> tuple:
    """A database with Acme (10 plants) and `orgs` more organizations: (app, pages, counts)."""
    import json

    from tests.admin_support import bearer, make_user, user_token
    from tests.live import run_cli
    from tests.ui_support import admin_client
    from voke_esm import create_app
    from voke_esm.extensions import db
    from voke_esm.services import organizations

    folder = Path(tempfile.mkdtemp(prefix="voke-esm-bench-scale-"))
    env = {"VOKE_ESM_INSTANCE_PATH": str(folder / "instance"),
           "DATABASE_URL": f"sqlite:///{folder / 'scale.sqlite3'}"}
    run_cli(env, "db", "upgrade")
    credentials = json.loads(run_cli(env, "seed-demo").stdout)
    for n in range(3, 11):
        run_cli(env, "plants", "create", json.dumps({
            "clientId": credentials["clientId"], "externalPlantId": f"PLANT-{n:03d}",
            "name": f"Plant {n}"}))
    app = create_app(env, WTF_CSRF_ENABLED=False)
    ui = admin_client(app, "scale@example.com")
    api = bearer(user_token(app, make_user(app, "api@example.com")))
    with app.app_context():
        add_organizations(0, orgs, plants_each)
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))  # as a server would
        counts = (db.session.scalar(sa.text("SELECT count(*) FROM voke_esm_plants")),
                  db.session.scalar(sa.text("SELECT count(*) FROM organizations")))
        acme = {"org": organizations.get_organization_by_slug("acme").id,
                "client": credentials["clientId"]}
    return pages(app, ui, api, acme), counts


def bench_scale(args) -> None:
    small, small_counts = build(SMALL_ORGS - 1, 10)
    large, large_counts = build(LARGE_ORGS, PLANTS_PER_ORG)
    print(f"\n== Admin pages at scale (SQLite, in-process, median of {CALLS} calls "
          f"interleaved): {small_counts[0]:,} plants in {small_counts[1]:,} organizations vs "
          f"{large_counts[0]:,} in {large_counts[1]:,} ==")
    print(f"{'page':<34} {'small ms':>9} {'large ms':>9} {'ratio':>6}  target <= 1.3")
    for name in small:
        for _ in range(5):  # warm up both
            timed(*small[name]), timed(*large[name])
        pairs = [(timed(*small[name]), timed(*large[name])) for _ in range(CALLS)]
        low = statistics.median(a for a, _ in pairs)
        high = statistics.median(b for _, b in pairs)
        ratio = high / low
        print(f"{name:<34} {low:9.1f} {high:9.1f} {ratio:6.2f}  "
              f"{'ok' if ratio <= 1.3 else 'MISSED'}", flush=True)
