"""The plant editor: create and edit, block rows, per-row errors, versions, the picture."""

from __future__ import annotations

import re

import pytest

from tests.ui_support import HX, admin_client, block_form, input_errors, text
from voke_esm.services import plants

DAY = ("00:00", "23:59", 50, -50, 90, 20)


@pytest.fixture
def admin(app):
    return admin_client(app)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


def new_url(acme) -> str:
    return f"/platform/voke-esm/{acme.org_id}/plants"


def stored(app, plant_id: str):
    with app.app_context():
        plant = plants.get_plant(plant_id)
        return plant.config_version, plant.time_configs


def test_new_plant_form_has_every_field_labelled(admin, acme):
    response = admin.get(f"{new_url(acme)}/new")
    assert response.status_code == 200
    html = text(response)
    for name in ("externalPlantId", "name", "description", "fvePeakPowerKwp", "capacityKwh",
                 "configEnabled", "plantWithLoad", "esiState"):
        assert f'<label for="plant-{name}"' in html, name
    assert html.count('placeholder="HH:MM"') == 2 and html.count('step="any"') >= 4
    inputs = re.findall(r'<input id="([^"]+)"', html)
    for input_id in inputs:
        assert f'for="{input_id}"' in html, input_id
    assert 'hx-get="/platform/plants/block-row"' in html and 'hx-swap="beforeend"' in html
    assert acme.client_id in html


def test_new_plant_needs_an_enabled_organization(admin, sandbox):
    org_id = sandbox.org("fresh")
    response = admin.get(f"/platform/voke-esm/{org_id}/plants/new")
    assert response.status_code == 409
    assert "Enable Voke ESM for Fresh before adding plants" in text(response)


def test_add_block_returns_one_empty_row(admin):
    response = admin.get("/platform/plants/block-row", headers=HX)
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith("<tr") and "<html" not in html
    assert html.count("<input") == 7 and 'value=""' in html and "data-remove-row" in html
    keys = {re.search(r'id="b(\w+)-from"', text(admin.get("/platform/plants/block-row"))).group(1)
            for _ in range(3)}
    assert len(keys) == 3  # every added row gets its own input ids


def test_create_with_three_blocks_redirects_to_the_editor(app, admin, acme):
    form = block_form(("18:00", "23:59", 50, -50, 90, 30), ("00:00", "06:00", 10, -10, 95, 20),
                      ("06:00", "18:00", 25, -25, 80, 40), description="Roof PV")
    response = admin.post(new_url(acme), data=form)
    assert response.status_code == 303
    plant_id = response.headers["Location"].rsplit("/", 1)[1]
    version, blocks = stored(app, plant_id)
    assert version == 1
    assert [b["from"] for b in blocks] == ["00:00", "06:00", "18:00"]  # sorted by from on save
    assert blocks[0] == {"from": "00:00", "to": "06:00", "pBatMax": 10, "pBatMin": -10,
                         "socMax": 95, "socMin": 20}
    page = text(admin.get(response.headers["Location"]))
    assert "Plant SITE-A created — config version 1." in page
    assert 'id="config-version">1<' in page and "Roof PV" in page


def test_create_over_htmx_navigates_with_hx_redirect(admin, acme):
    response = admin.post(new_url(acme), data=block_form(DAY), headers=HX)
    assert response.status_code == 204
    assert re.fullmatch(r"/platform/plants/[0-9a-f-]{36}", response.headers["HX-Redirect"])


INVALID_ROWS = [
    pytest.param([("00:00", "08:00", 5, -5, 90, 10), ("07:00", "23:59", 5, -5, 90, 10)],
                 "from", [[], ["overlaps block 1 (00:00-08:00)"]], id="overlap"),
    pytest.param([("00:00", "12:00", 5, -5, 90, 10), ("12:00", "23:59", 5, -5, 50, 60)],
                 "socMin", [[], ["must be &lt;= socMax"]], id="socMin-above-socMax"),
    pytest.param([("00:00", "12:00", -1, -5, 90, 10), ("12:00", "23:59", 5, -5, 90, 10)],
                 "pBatMax", [["must be &gt;= 0"], []], id="negative-pBatMax"),
    pytest.param([("00:00", "12:00", 5, "lots", 90, 10), ("12:00", "23:59", 5, -5, 90, 10)],
                 "pBatMin", [["must be a finite number"], []], id="unparsable-number"),
    pytest.param([("00:00", "12:00", 5, -5, 90, 10), ("13:00", "", 5, -5, 90, 10)],
                 "to", [[], ["must be a time HH:MM from 00:00 to 23:59"]], id="missing-to"),
    pytest.param([("10:00", "09:00", 5, -5, 90, 10)], "to", [["must be after from"]],
                 id="to-before-from"),
    pytest.param([("00:00", "12:00", 5, -5, 90, 10), ("12:00", "23:59", 5, -5, 101, 10)],
                 "socMax", [[], ["must be between 0 and 100"]], id="socMax-over-100"),
]


@pytest.mark.parametrize(("rows", "field", "expected"), INVALID_ROWS)
def test_invalid_rows_come_back_422_with_the_error_on_that_row(admin, acme, rows, field,
                                                               expected):
    response = admin.post(new_url(acme), data=block_form(*rows), headers=HX)
    assert response.status_code == 422
    html = text(response)
    assert "<html" not in html and html.lstrip().startswith('<div id="plant-editor"')
    assert input_errors(html, field) == expected
    assert "Not saved: correct the fields marked in red." in html
    assert 'value="Site A"' in html and 'value="120"' in html  # the user's input is kept


def test_invalid_rows_without_htmx_render_the_whole_page(admin, acme):
    rows = [("00:00", "08:00", 5, -5, 90, 10), ("07:00", "23:59", 5, -5, 90, 10)]
    response = admin.post(new_url(acme), data=block_form(*rows))
    assert response.status_code == 422
    assert "<html" in text(response) and "overlaps block 1" in text(response)


def test_a_failed_save_keeps_the_rows_in_the_order_typed(admin, acme):
    """"block 2" in an error is the row the user sees as 2: rows are sorted on success only."""
    rows = [("12:00", "23:59", "7.5", -5, 90, 10), ("00:00", "12:30", 5, -5, 90, 10)]
    html = text(admin.post(new_url(acme), data=block_form(*rows), headers=HX))
    values = re.findall(r'name="tc-from" value="([^"]*)"', html)
    assert values == ["12:00", "00:00"]
    assert re.search(r'name="tc-pBatMax" value="7.5" data-field="pBatMax" type="number"', html)
    assert input_errors(html, "from") == [["overlaps block 2 (00:00-12:30)"], []]


def test_times_are_plain_hhmm_text_inputs(admin, acme):
    """type="time" follows the browser's locale (12:00 AM); the contract's HH:MM does not."""
    html = text(admin.get(new_url(acme) + "/new"))
    times = re.findall(r'<input [^>]*name="tc-(?:from|to)"[^>]*>', html)
    assert len(times) == 2
    for tag in times:
        assert 'type="text"' in tag and 'placeholder="HH:MM"' in tag
        assert 'inputmode="numeric"' in tag


@pytest.mark.parametrize(("fields", "name", "message"), [
    ({"externalPlantId": "bad id!"}, "externalPlantId", "must start with a letter or digit"),
    ({"name": ""}, "name", "must be 1 to 100 characters"),
    ({"fvePeakPowerKwp": "-3"}, "fvePeakPowerKwp", "must be &gt;= 0"),
    ({"capacityKwh": "twelve"}, "capacityKwh", "must be a finite number"),
    ({"esiState": "ready"}, "esiState", "must be upper-case letters"),
])
def test_plant_field_errors_sit_next_to_the_field(admin, acme, fields, name, message):
    response = admin.post(new_url(acme), data=block_form(DAY, **fields), headers=HX)
    assert response.status_code == 422
    html = text(response)
    assert f'aria-invalid="true" aria-describedby="plant-{name}-hint plant-{name}-error"' in html \
        or f'aria-invalid="true" aria-describedby="plant-{name}-error"' in html
    errors = re.search(rf'<ul class="field-errors" id="plant-{name}-error">(.*?)</ul>', html)
    assert message in errors.group(1)


def test_duplicate_external_plant_id_is_an_error_on_that_field(admin, acme):
    response = admin.post(new_url(acme), data=block_form(DAY, externalPlantId="PLANT-001"),
                          headers=HX)
    assert response.status_code == 422
    assert re.search(r'id="plant-externalPlantId-error"><li>Plant &#39;PLANT-001&#39; already '
                     r"exists for this client", text(response))


def test_no_blocks_at_all_is_an_error_on_the_block_list(admin, acme):
    form = block_form()
    response = admin.post(new_url(acme), data=form, headers=HX)
    assert response.status_code == 422
    assert 'id="blocks-error"><li>must have 1 to 96 blocks, got 0</li>' in text(response)


def test_edit_page_draws_the_schedule(admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "SITE-B", timeConfigs=[
        {"from": "00:00", "to": "06:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
         "socMin": 20},
        {"from": "08:00", "to": "23:59", "pBatMax": 50, "pBatMin": -40, "socMax": 90,
         "socMin": 30}])
    response = admin.get(f"/platform/plants/{plant_id}")
    assert response.status_code == 200
    html = text(response)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "config version 1" in svg
    assert svg.count('class="tl-window"') == 2 and svg.count('class="tl-gap-group"') == 1
    assert "No block from 06:00 to 08:00" in svg and "00:00" in svg and "24:00" in svg
    assert "style=" not in html
    assert "Config history" in html


def test_save_makes_a_new_version_and_redraws(app, admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    form = block_form(("00:00", "12:00", 10, -10, 90, 20), ("14:00", "23:59", 20, -20, 80, 30),
                      externalPlantId="SITE-B", name="Site B")
    response = admin.post(f"/platform/plants/{plant_id}", data=form, headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.vary
    html = text(response)
    assert "<html" not in html and "Saved — config version 2" in html
    assert 'id="config-version">2<' in html and 'data-version="2"' in html
    assert html.count('class="tl-window"') == 2 and "No block from 12:00 to 14:00" in html
    assert stored(app, plant_id)[0] == 2
    again = admin.post(f"/platform/plants/{plant_id}", data=form, headers=HX)
    assert "Saved — config version 2" in text(again)  # unchanged blocks keep the version


def test_save_error_keeps_the_stored_picture_and_version(app, admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    rows = [("00:00", "08:00", 5, -5, 90, 10), ("07:00", "23:59", 5, -5, 90, 10)]
    response = admin.post(f"/platform/plants/{plant_id}",
                          data=block_form(*rows, externalPlantId="SITE-B"), headers=HX)
    assert response.status_code == 422
    assert 'data-version="1"' in text(response)
    assert input_errors(text(response), "from") == [[], ["overlaps block 1 (00:00-08:00)"]]
    assert stored(app, plant_id)[0] == 1


def test_save_without_htmx_redirects_with_a_flash(admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    form = block_form(("00:00", "23:59", 1, -1, 90, 20), externalPlantId="SITE-B")
    response = admin.post(f"/platform/plants/{plant_id}", data=form)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/platform/plants/{plant_id}"
    assert "Saved — config version 2" in text(admin.get(response.headers["Location"]))


def test_unchecked_boxes_turn_the_flags_off(app, admin, sandbox, acme):
    plant_id = sandbox.plant(acme.client_id, "SITE-B", plantWithLoad=True)
    form = block_form(DAY, externalPlantId="SITE-B")
    del form["configEnabled"]
    admin.post(f"/platform/plants/{plant_id}", data=form)
    with app.app_context():
        plant = plants.get_plant(plant_id)
        assert (plant.config_enabled, plant.plant_with_load) == (False, False)


def test_unknown_plant_is_404(admin):
    assert admin.get("/platform/plants/00000000-0000-0000-0000-000000000000").status_code == 404
