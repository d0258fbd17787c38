"""The admin UI's sandbox clock and delayed applies: the clock card, the plant editor's fields
and the config history's statuses."""

from __future__ import annotations

import re

import pytest

from tests.factories import BLOCK
from tests.ui_support import HX, admin_client, block_form, text
from voke_esm.services import clock, plants

DAY = ("00:00", "23:59", 50, -50, 90, 20)


@pytest.fixture
def admin(app):
    return admin_client(app)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled("acme")


def clock_url(acme) -> str:
    return f"/platform/voke-esm/{acme.org_id}/clock"


def plant_001(app, acme):
    with app.app_context():
        return next(p for p in plants.list_plants(acme.client_id)
                    if p.external_plant_id == "PLANT-001")


def dd(html: str, element_id: str) -> str:
    return re.search(rf'<dd id="{element_id}">(.*?)</dd>', html, re.S).group(1).strip()


def history(html: str) -> list[tuple[str, str]]:
    """(version, status cell) of each config history row, newest first."""
    body = re.search(r'<tbody id="config-history">(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr data-status=.*?</tr>", body, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [(cell[0].strip(), cell[1].strip()) for cell in cells]


def test_the_sandbox_page_shows_the_clients_clock(admin, acme):
    html = text(admin.get(f"/platform/voke-esm?org={acme.org_id}"))
    assert "Faults &amp; clock · Clock" in html and 'id="clock"' in html
    assert dd(html, "clock-offset") == "0 s (real time)"
    assert dd(html, "clock-ttl") == "1 h"
    for label in ("+1 min", "+1 h", "+1 day", "Reset"):
        assert f">{label}</button>" in html
    assert f'hx-post="{clock_url(acme)}"' in html


def test_the_buttons_advance_and_reset_the_clock(app, admin, acme):
    response = admin.post(clock_url(acme), data={"advance": "3600"}, headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    html = text(response)
    assert html.lstrip().startswith("{#") is False and 'id="clock"' in html
    assert dd(html, "clock-offset") == "1 h" and "Clock moved forward." in html
    html = text(admin.post(clock_url(acme), data={"advance": "86400"}, headers=HX))
    assert dd(html, "clock-offset") == "1 d 1 h"
    with app.app_context():
        assert clock.get_client(acme.client_id).clock_offset_seconds == 90000
    html = text(admin.post(clock_url(acme), data={"reset": "true"}, headers=HX))
    assert dd(html, "clock-offset") == "0 s (real time)" and "Clock reset" in html


@pytest.mark.parametrize("value", ["-60", "abc", "0", ""])
def test_a_bad_advance_is_refused_in_the_card(app, admin, acme, value):
    response = admin.post(clock_url(acme), data={"advance": value}, headers=HX)
    assert response.status_code == 422
    assert "advanceSeconds: must be a whole number" in text(response)
    with app.app_context():
        assert clock.get_client(acme.client_id).clock_offset_seconds == 0


def test_the_clock_needs_an_enabled_organization(admin, sandbox):
    org_id = sandbox.org("fresh")
    assert admin.post(f"/platform/voke-esm/{org_id}/clock", data={"advance": "60"},
                      headers=HX).status_code == 409


def test_the_editor_saves_the_apply_delay_and_outcome(app, admin, acme):
    plant = plant_001(app, acme)
    html = text(admin.get(f"/platform/plants/{plant.id}"))
    assert '<label for="plant-applyDelaySeconds"' in html
    assert '<label for="plant-applyOutcome"' in html
    form = block_form(DAY, externalPlantId="PLANT-001", applyDelaySeconds="120",
                      applyOutcome="failed")
    response = admin.post(f"/platform/plants/{plant.id}", data=form, headers=HX)
    assert response.status_code == 200, text(response)
    saved = plant_001(app, acme)
    assert (saved.apply_delay_seconds, saved.apply_outcome) == (120, "failed")
    assert 'value="120"' in text(response)
    assert '<option value="failed" selected>' in text(response)


@pytest.mark.parametrize(("fields", "message"), [
    ({"applyDelaySeconds": "86401"}, "must be a whole number from 0 to 86400"),
    ({"applyDelaySeconds": "1.5"}, "must be a whole number from 0 to 86400"),
    ({"applyOutcome": "sometimes"}, "must be applied or failed"),
])
def test_bad_device_fields_are_shown_next_to_the_field(app, admin, acme, fields, message):
    plant = plant_001(app, acme)
    form = block_form(DAY, externalPlantId="PLANT-001", **fields)
    response = admin.post(f"/platform/plants/{plant.id}", data=form, headers=HX)
    assert response.status_code == 422
    name = next(iter(fields))
    assert re.search(rf'<ul class="field-errors" id="plant-{name}-error"><li>{message}</li>',
                     text(response)), text(response)
    assert plant_001(app, acme).apply_delay_seconds == 0


def test_the_config_history_shows_pending_applied_failed_and_superseded(app, admin, acme):
    plant = plant_001(app, acme)
    with app.app_context():
        plants.set_apply_delay_for_client(acme.client_id, 120)
        apply = plants.apply_config_update
        apply(plants.get_plant(plant.id), [{**BLOCK, "pBatMax": 1}], "gone", False, "trading")
        apply(plants.get_plant(plant.id), [{**BLOCK, "pBatMax": 2}], "soon", False, "trading")
        clock.advance(acme.client_id, 78)
    html = text(admin.get(f"/platform/plants/{plant.id}"))
    rows = history(html)  # 42 s, or a little less on a slow machine
    assert re.fullmatch(r"pending — due in (4[0-2]) s", rows[0][1]), rows
    assert rows == [("—", rows[0][1]), ("—", "superseded"), ("1", "applied")]
    with app.app_context():
        clock.advance(acme.client_id, 42)
        plants.set_apply_delay_for_client(acme.client_id, 0, "failed")
        apply(plants.get_plant(plant.id), [{**BLOCK, "pBatMax": 3}], "never", False, "trading")
    html = text(admin.get(f"/platform/plants/{plant.id}"))
    assert history(html)[:3] == [("—", "failed"), ("2", "applied"), ("—", "superseded")]
    assert dd(html, "config-version") == "2"
