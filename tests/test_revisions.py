"""Config history: the diff rule, the admin API's revisions/diff/restore and the CLI's."""

from __future__ import annotations

import json

import pytest

from tests.admin_support import MISSING_UUID, PLANTS_URL, Admin, assert_error
from tests.live import run_cli
from voke_esm.configdiff import diff_time_configs, summarize

NIGHT = {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
         "socMin": 20}
DAY = {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
       "socMin": 30}


def changes(old, new):
    return [(e["change"], e["fields"], e["oldIndex"], e["newIndex"])
            for e in diff_time_configs(old, new)]


def test_identical_versions_are_all_unchanged_even_with_int_and_float():
    assert changes([NIGHT, DAY], [DAY, {**NIGHT, "pBatMax": 10.0}]) == [
        ("unchanged", [], 0, 1), ("unchanged", [], 1, 0)]


def test_a_changed_field_is_named():
    assert changes([NIGHT, DAY], [NIGHT, {**DAY, "socMin": 35, "pBatMax": 40}]) == [
        ("unchanged", [], 0, 0), ("changed", ["pBatMax", "socMin"], 1, 1)]


def test_a_moved_end_is_the_same_block_changed_not_removed_and_added():
    later = {**NIGHT, "to": "08:00"}
    assert changes([NIGHT], [later]) == [("changed", ["to"], 0, 0)]
    earlier_start = {**DAY, "from": "06:00"}
    assert changes([DAY], [earlier_start]) == [("changed", ["from"], 0, 0)]


def test_added_and_removed_blocks_in_start_order():
    evening = {"from": "18:00", "to": "23:59", "pBatMax": 5, "pBatMin": 0, "socMax": 80,
               "socMin": 10}
    day_only = {**DAY, "to": "17:00", "from": "08:00"}
    entries = diff_time_configs([NIGHT, DAY], [day_only, evening])
    assert [(e["change"], (e["new"] or e["old"])["from"], e["fields"]) for e in entries] == [
        ("removed", "00:00", []), ("changed", "08:00", ["from", "to"]), ("added", "18:00", [])]
    assert summarize(entries) == {"added": 1, "removed": 1, "changed": 1, "unchanged": 0}


def test_blocks_that_do_not_overlap_are_never_paired():
    moved = {**NIGHT, "from": "08:00", "to": "09:00"}
    assert changes([NIGHT], [moved]) == [("removed", [], 0, None), ("added", [], None, 0)]
    touching = {**NIGHT, "from": "07:00", "to": "09:00"}  # shares only the boundary minute
    assert changes([NIGHT], [touching]) == [("removed", [], 0, None), ("added", [], None, 0)]


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


@pytest.fixture
def history(admin, sandbox):
    """PLANT-002 with three versions: night+day, then day changed, then night removed."""
    acme = sandbox.enabled("acme")
    plant_id = sandbox.plant(acme.client_id, "PLANT-002", timeConfigs=[NIGHT, DAY])
    for blocks in ([NIGHT, {**DAY, "socMin": 35}], [{**DAY, "from": "00:00", "socMin": 35}]):
        response = admin.patch(f"{PLANTS_URL}/{plant_id}", json={"timeConfigs": blocks})
        assert response.status_code == 200, response.json
    return plant_id


def test_revisions_are_listed_newest_first_and_paginated(admin, history):
    response = admin.get(f"{PLANTS_URL}/{history}/revisions", query_string={"limit": 2})
    assert response.status_code == 200
    body = response.json
    assert [r["version"] for r in body["data"]] == [3, 2]
    assert body["meta"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert set(body["data"][0]) == {"version", "status", "source", "configUpdateReqCode",
                                    "createdAt", "dueAt", "timeConfigs"}
    assert body["data"][0]["source"] == "admin"
    page2 = admin.get(f"{PLANTS_URL}/{history}/revisions?page=2&limit=2").json
    assert [r["version"] for r in page2["data"]] == [1]


def test_diff_between_two_versions(admin, history):
    response = admin.get(f"{PLANTS_URL}/{history}/revisions/diff?from=1&to=3")
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["plantId"], body["from"], body["to"]) == ("PLANT-002", 1, 3)
    assert body["summary"] == {"added": 0, "removed": 1, "changed": 1, "unchanged": 0}
    assert [(b["change"], b["fields"]) for b in body["blocks"]] == [
        ("changed", ["from", "socMin"]), ("removed", [])]


@pytest.mark.parametrize("query, detail", [
    ("to=3", "from: is required"),
    ("from=1", "to: is required"),
    ("from=x&to=3", "from: must be a whole number from 1 to 2147483647"),
    ("from=1&to=" + "9" * 30, "to: must be a whole number from 1 to 2147483647"),
    ("from=-1&to=3", "from: must be a whole number from 1 to 2147483647"),
])
def test_diff_rejects_bad_versions(admin, history, query, detail):
    response = admin.get(f"{PLANTS_URL}/{history}/revisions/diff?{query}")
    assert_error(response, 400, "VALIDATION_ERROR", detail)


def test_diff_of_a_missing_version_or_plant(admin, history):
    assert_error(admin.get(f"{PLANTS_URL}/{history}/revisions/diff?from=1&to=9"),
                 404, "NOT_FOUND")
    assert_error(admin.get(f"{PLANTS_URL}/{MISSING_UUID}/revisions/diff?from=1&to=2"),
                 404, "NOT_FOUND")
    assert_error(admin.get(f"{PLANTS_URL}/nope/revisions"), 400, "INVALID_UUID")


def test_restore_makes_a_new_version_with_the_old_blocks(admin, history):
    response = admin.post(f"{PLANTS_URL}/{history}/revisions/1/restore")
    assert response.status_code == 200, response.json
    assert response.json["version"] == 4
    assert response.json["timeConfigs"] == [NIGHT, DAY]
    latest = admin.get(f"{PLANTS_URL}/{history}/revisions?limit=1").json["data"][0]
    assert (latest["version"], latest["source"]) == (4, "admin")
    again = admin.post(f"{PLANTS_URL}/{history}/revisions/4/restore")
    assert again.json["version"] == 4  # already current: no new version
    assert_error(admin.post(f"{PLANTS_URL}/{history}/revisions/99/restore"), 404, "NOT_FOUND")


def test_history_needs_a_superadmin(client, history):
    assert_error(client.get(f"{PLANTS_URL}/{history}/revisions"), 401, "UNAUTHORIZED")
    assert_error(client.post(f"{PLANTS_URL}/{history}/revisions/1/restore"), 401,
                 "UNAUTHORIZED")


def test_the_cli_shows_the_same_diff_and_restores(env, admin, history):
    as_json = json.loads(run_cli(env, "plants", "diff", history, "1", "3", "--json").stdout)
    assert as_json == admin.get(f"{PLANTS_URL}/{history}/revisions/diff?from=1&to=3").json
    text = run_cli(env, "plants", "diff", history, "1", "3").stdout.splitlines()
    assert text == ["PLANT-002: version 1 -> 3 (0 added, 1 removed, 1 changed, 0 unchanged)",
                    "  ~ 00:00-23:59  from 07:00 -> 00:00, socMin 30 -> 35",
                    "  - 00:00-07:00  pBatMax 10 pBatMin -10 socMax 95 socMin 20"]
    listed = run_cli(env, "plants", "revisions", history).stdout.splitlines()
    assert [json.loads(line)["version"] for line in listed] == [3, 2, 1]
    restored = json.loads(run_cli(env, "plants", "restore", history, "2").stdout)
    assert restored["version"] == 4 and restored["timeConfigs"] == [NIGHT, {**DAY, "socMin": 35}]
    missing = run_cli(env, "plants", "diff", history, "1", "9", check=False)
    assert missing.returncode == 1 and "no config version 9" in missing.stderr
