"""The QA buttons of the admin UI: compare and restore config versions in the plant editor;
download, upload and reset on the sandbox page."""

from __future__ import annotations

import io
import json
import re

import pytest

from tests.ui_support import HX, admin_client, text
from voke_esm.services import plants

NIGHT = {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
         "socMin": 20}
DAY = {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
       "socMin": 30}


@pytest.fixture
def admin(app):
    return admin_client(app)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


@pytest.fixture
def plant(app, sandbox, acme):
    """PLANT-002 at version 3: night+day, then day's socMin changed, then night removed."""
    plant_id = sandbox.plant(acme.client_id, "PLANT-002", timeConfigs=[NIGHT, DAY])
    with app.app_context():
        for blocks in ([NIGHT, {**DAY, "socMin": 35}], [{**DAY, "from": "00:00"}]):
            plants.update_plant(plants.get_plant(plant_id), {"timeConfigs": blocks}, "admin")
    return plant_id


def current(app, plant_id: str):
    with app.app_context():
        plant = plants.get_plant(plant_id)
        return plant.config_version, plant.time_configs


def test_the_editor_offers_restore_and_compare(admin, plant):
    html = text(admin.get(f"/platform/plants/{plant}"))
    restores = re.findall(r'hx-post="/platform/plants/[^"]+/revisions/(\d+)/restore"', html)
    assert restores == ["2", "1"]  # every applied version but the current one
    assert '<select id="diff-from" name="from">' in html
    assert re.search(r'<option value="2" selected>2</option>', html)  # previous vs current
    assert re.search(r'<option value="3" selected>3</option>', html)


def test_compare_shows_added_removed_and_changed_fields(admin, plant):
    response = admin.get(f"/platform/plants/{plant}/diff?from=1&to=3", headers=HX)
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith('<div id="config-diff"')
    assert "Version 1 → version 3: 0 added, 1 removed, 1 changed, 0 unchanged" in html
    assert re.findall(r'data-change="(\w+)"', html) == ["changed", "removed"]
    assert re.findall(r'data-field="(\w+)"', html) == ["from"]
    assert '<del aria-label="was">07:00</del> <ins aria-label="now">00:00</ins>' in html
    full = admin.get(f"/platform/plants/{plant}/diff?from=1&to=3")
    assert full.status_code == 200 and "<html" in text(full)
    assert 'data-change="removed"' in text(full)


@pytest.mark.parametrize("query, message", [
    ("from=1&to=9", "has no config version 9"),
    ("from=x&to=3", "Choose two versions of this plant to compare."),
    ("from=1", "Choose two versions of this plant to compare."),
    ("from=1&to=" + "9" * 30, "Choose two versions of this plant to compare."),
    ("from=%00&to=3", "Choose two versions of this plant to compare."),
])
def test_compare_with_bad_versions_explains(admin, plant, query, message):
    response = admin.get(f"/platform/plants/{plant}/diff?{query}", headers=HX)
    assert response.status_code == 422
    assert message in text(response)


def test_restore_is_a_new_version_with_a_message(app, admin, plant):
    response = admin.post(f"/platform/plants/{plant}/revisions/1/restore", headers=HX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/platform/plants/{plant}"
    assert current(app, plant) == (4, [NIGHT, DAY])
    page = text(admin.get(f"/platform/plants/{plant}"))
    assert "Version 1 restored as config version 4." in page
    admin.post(f"/platform/plants/{plant}/revisions/4/restore", headers=HX)
    assert "Version 4 is already the current config; nothing changed." in text(
        admin.get(f"/platform/plants/{plant}"))
    assert current(app, plant)[0] == 4
    assert admin.post(f"/platform/plants/{plant}/revisions/99/restore",
                      headers=HX).status_code == 404


def test_download_upload_and_reset_from_the_sandbox_page(app, admin, acme, plant):
    page = text(admin.get(f"/platform/voke-esm?org={acme.org_id}"))
    assert "Download seed file" in page and 'name="seed" type="file"' in page
    assert "Reset sandbox" in page
    download = admin.get(f"/platform/voke-esm/{acme.org_id}/export")
    assert download.headers["Content-Disposition"] == 'attachment; filename="acme.json"'
    document = download.json
    assert [p["externalPlantId"] for p in document["plants"]] == ["PLANT-001", "PLANT-002"]

    document["organization"] = {"name": "Beta", "slug": "beta"}
    upload = admin.post(f"/platform/voke-esm/{acme.org_id}/import", data={
        "seed": (io.BytesIO(json.dumps(document).encode()), "beta.json")},
        content_type="multipart/form-data")
    assert upload.status_code == 303
    beta_page = admin.get(upload.headers["Location"])
    assert "Seed imported into beta: organization created; plants: 2 created" in text(beta_page)

    again = admin.post(f"/platform/voke-esm/{acme.org_id}/import", data={
        "seed": (io.BytesIO(json.dumps(document).encode()), "beta.json")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Nothing changed: beta and its 2 plants are already as in the file." in text(again)

    document["plants"][0]["timeConfigs"] = [{**NIGHT, "socMin": 99}]
    refused = admin.post(f"/platform/voke-esm/{acme.org_id}/import", data={
        "seed": (io.BytesIO(json.dumps(document).encode()), "beta.json")},
        content_type="multipart/form-data", follow_redirects=True)
    assert ("The seed file is not valid; nothing was imported: "
            "plants[0].timeConfigs[0].socMin: must be &lt;= socMax") in text(refused)
    for junk, message in ((b"{oops", "beta.json: is not a JSON document"), (None, "choose a seed")):
        data = {} if junk is None else {"seed": (io.BytesIO(junk), "beta.json")}
        answer = admin.post(f"/platform/voke-esm/{acme.org_id}/import", data=data,
                            content_type="multipart/form-data", follow_redirects=True)
        assert message in text(answer)

    reset = admin.post(f"/platform/voke-esm/{acme.org_id}/reset", headers=HX)
    assert reset.status_code == 200
    assert "Acme reset: 2 plants, 4 revisions" in text(reset)
    with app.app_context():
        assert [p.external_plant_id for p in plants.list_plants(acme.client_id)] == ["PLANT-001"]
