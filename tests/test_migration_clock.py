"""Downgrading and upgrading keep every row and document: 0003_clock_delay (SQLite rebuilds
tables in batch mode, and dropping a referenced table there would cascade to its plants) and
0007_whole_json_documents (PostgreSQL converts the time configs between JSONB and json)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from voke_esm.extensions import db
from voke_esm.models import JSONDocument

TABLES = ("voke_esm_clients", "voke_esm_plants", "voke_esm_config_revisions")


def counts() -> dict[str, int]:
    return {table: db.session.execute(
        sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one() for table in TABLES}


def documents() -> list:
    """Every plant's and revision's time configs, as Python values."""
    return [db.session.execute(sa.select(sa.column("time_configs", JSONDocument()))
                               .select_from(sa.table(table)).order_by(sa.text("id"))).scalars()
            .all() for table in TABLES[1:]]


def test_downgrade_and_upgrade_keep_clients_plants_and_revisions(app, sandbox):
    acme = sandbox.enabled("acme")
    sandbox.plant(acme.client_id, "PLANT-002", timeConfigs=[
        {"to": "12:00", "from": "00:00", "pBatMax": 1.5, "pBatMin": -2, "socMax": 90,
         "socMin": 10}])
    with app.app_context():
        before, blocks = counts(), documents()
        assert before == {"voke_esm_clients": 1, "voke_esm_plants": 2,
                          "voke_esm_config_revisions": 2}
        db.session.remove()
        try:
            downgrade(revision="0002")
            assert counts() == before
            assert documents() == blocks
            db.session.remove()
        finally:
            upgrade()
        assert counts() == before
        assert documents() == blocks
