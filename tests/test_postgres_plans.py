"""PostgreSQL statements on hot paths read what their answer needs however few statistics
the server has: a new database has none, a server without autovacuum never gathers any,
and psycopg prepares a statement per pooled connection whose plan PostgreSQL then keeps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from tests.conftest import app_for, base_env, psycopg_url, scratch_postgres_database
from tests.factories import BLOCK, Sandbox
from voke_esm.extensions import db
from voke_esm.services import journal

UPDATE = "/api/v1/voke-esm/trading/plant/config/update"


@contextmanager
def migrated_app(tmp_path, label: str, **extra: str) -> Iterator[tuple[Flask, str]]:
    """An app on a new PostgreSQL database, migrated: the app and the database's URL."""
    with scratch_postgres_database(label) as url, \
            app_for(base_env(tmp_path, url, **extra)) as app:
        with app.app_context():
            upgrade()
        yield app, url


def send_updates(client, headers: dict, kind: str, count: int,
                 validate_only: bool = False) -> None:
    """`count` updates of PLANT-001, each with a new request code, all accepted."""
    for n in range(count):
        response = client.post(UPDATE, headers=headers, json={
            "plantId": "PLANT-001", "timeConfigs": [BLOCK], "configUpdateReqCode": f"{kind}-{n}",
            "validateOnly": validate_only})
        assert response.json["resultCode"] == ("cfg_accepted" if validate_only
                                               else "applied_ok"), response.json


def test_an_update_looks_its_request_code_up_in_the_unique_index_however_few_revisions(
        tmp_path):
    """Whether a request code is new is answered by the unique index on (plant, code), from
    the first update on: a plan made while the revisions were few once read every revision
    of the plant through the plant's index on every update (2,300,000 index rows in 2,200
    updates of the bench), ever slower as they grew."""
    with migrated_app(tmp_path, "codes") as (app, url):
        sandbox = Sandbox(app)
        headers, client = sandbox.headers(sandbox.enabled()), app.test_client()
        send_updates(client, headers, "early", 12)  # prepared, and planned, on a small table
        before = table_reads(app, url, "voke_esm_config_revisions")
        send_updates(client, headers, "later", 30)
        after = table_reads(app, url, "voke_esm_config_revisions")
    read = after["index rows"] - before["index rows"]
    assert read < 30, f"{read} revision index rows read in 30 updates"


def test_a_dry_run_looks_its_request_code_up_in_the_unique_index_however_many_revisions(
        tmp_path):
    """A validate-only call (and a retry) asks for the plant's revision with its request code
    through the unique (plant, code) index: through the (plant, version) index it read every
    revision of the plant (6,030 index rows for 30 dry runs after 200 updates)."""
    with migrated_app(tmp_path, "dry") as (app, url):
        sandbox = Sandbox(app)
        headers, client = sandbox.headers(sandbox.enabled()), app.test_client()
        send_updates(client, headers, "update", 40)
        before = table_reads(app, url, "voke_esm_config_revisions")
        send_updates(client, headers, "dry-run", 30, validate_only=True)
        after = table_reads(app, url, "voke_esm_config_revisions")
    read = after["index rows"] - before["index rows"]
    assert read < 30, f"{read} revision index rows read in 30 dry runs"


def test_a_call_finds_its_plant_by_client_and_id_however_many_plants_the_client_has(
        tmp_path):
    """The trading guard's lookup of the caller's plant reads that plant's index row alone,
    not one row per plant of the client (as it did through an index on the client alone)."""
    with migrated_app(tmp_path, "plants") as (app, url):
        sandbox = Sandbox(app)
        enabled = sandbox.enabled()
        for n in range(3, 41):
            sandbox.plant(enabled.client_id, f"PLANT-{n:03d}")
        headers, client = sandbox.headers(enabled), app.test_client()
        before = table_reads(app, url, "voke_esm_plants")
        for n in range(10):
            # An update forgets the remembered reads (read_memo.py): each read asks again.
            send_updates(client, headers, f"round-{n}", 1)
            assert client.get("/api/v1/voke-esm/trading/plant/config?plantId=PLANT-040",
                              headers=headers).status_code == 200
        after = table_reads(app, url, "voke_esm_plants")
    by_client = {name: after[name] - before[name] for name in after
                 if name not in ("voke_esm_plants_pkey", "sequential scans", "index rows")}
    assert sum(by_client.values()) <= 2 * 20, by_client  # one row a lookup, 20 lookups
    assert after["sequential scans"] == before["sequential scans"]


def test_pruning_the_journal_reads_through_its_index_however_few_statistics(tmp_path):
    """Each flush prunes what lies beyond VOKE_ESM_JOURNAL_KEEP by a range of ids read through
    the primary key: `id <= cut` alone was a scan of the whole table, dead rows included, on
    every flush."""
    with migrated_app(tmp_path, "prune", VOKE_ESM_JOURNAL_KEEP="5") as (app, url):
        before = table_reads(app, url, "voke_esm_request_journal")
        with app.app_context():
            for n in range(1, 61):
                journal.record(client_id="c", remote_addr="127.0.0.1", method="GET",
                               path=f"/call/{n}", status=200, duration_ms=1.0)
                if n % 3 == 0:
                    journal.flush()
        after = table_reads(app, url, "voke_esm_request_journal")
        with app.app_context():
            kept = [entry.path for entry in journal.recent(limit=100)]
    assert kept == [f"/call/{n}" for n in range(60, 55, -1)]
    assert after["sequential scans"] == before["sequential scans"], (before, after)
    assert after["index rows"] - before["index rows"] < 20 * 10, (before, after)


def table_reads(app, url: str, table: str) -> dict[str, int]:
    """What the app's statements have read from `table` so far (index rows in all and by
    index, sequential scans): its connections are closed first, as a backend reports its
    counts when it ends."""
    with app.app_context():
        db.engine.dispose()
    name = sa.make_url(url).database
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        for _ in range(50):  # the last counts arrive just after the backends have ended
            others = connection.execute("SELECT count(*) FROM pg_stat_activity WHERE "
                                        "datname = %s AND pid <> pg_backend_pid()",
                                        (name,)).fetchone()[0]
            if not others:
                break
            time.sleep(0.1)
        scans = connection.execute("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = %s",
                                   (table,)).fetchone()[0]
        by_index = dict(connection.execute(
            "SELECT indexrelname, idx_tup_read FROM pg_stat_user_indexes WHERE relname = %s",
            (table,)).fetchall())
    return {"sequential scans": scans, "index rows": sum(by_index.values()), **by_index}
