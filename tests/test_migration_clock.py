"""Migration 0003_clock_delay keeps every row both ways (SQLite rebuilds tables in batch mode,
and dropping a referenced table there would cascade to its plants)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from voke_esm.extensions import db

TABLES = ("voke_esm_clients", "voke_esm_plants", "voke_esm_config_revisions")


def counts() -> dict[str, int]:
    return {table: db.session.execute(
        sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one() for table in TABLES}


def test_downgrade_and_upgrade_keep_clients_plants_and_revisions(app, sandbox):
    acme = sandbox.enabled("acme")
    sandbox.plant(acme.client_id, "PLANT-002")
    with app.app_context():
        before = counts()
        assert before == {"voke_esm_clients": 1, "voke_esm_plants": 2,
                          "voke_esm_config_revisions": 2}
        db.session.remove()
        try:
            downgrade(revision="0002")
            assert counts() == before
            db.session.remove()
        finally:
            upgrade()
        assert counts() == before
