"""Validate-as-you-type on the plant editor's block rows: the server runs THE validator on the
rows as typed and answers with each row's error slots (the inputs are not sent back, so nothing
typed meanwhile is overwritten)."""

from __future__ import annotations

import re

import pytest

from tests.test_ui_plants import INVALID_ROWS
from tests.ui_support import HX, admin_client, block_form, text

CHECK = "/platform/plants/check-rows"


@pytest.fixture
def admin(app):
    return admin_client(app)


def check(admin, rows, keys=None):
    form = block_form(*rows)
    form["tc-key"] = keys if keys is not None else [f"{i:08x}" for i in range(len(rows))]
    response = admin.post(CHECK, data=form, headers=HX)
    assert response.status_code == 200
    return text(response)


def slot_errors(html: str, field: str, rows: int) -> list[list[str]]:
    found = []
    for i in range(rows):
        slot = re.search(rf'<div class="error-slot" id="b{i:08x}-{field}-error"[^>]*>(.*?)</div>',
                         html, re.S)
        found.append(re.findall(r"<li>(.*?)</li>", slot.group(1)))
    return found


@pytest.mark.parametrize(("rows", "field", "expected"), INVALID_ROWS)
def test_the_same_rules_as_a_save_from_the_one_validator(admin, rows, field, expected):
    html = check(admin, rows)
    assert "<input" not in html and "<html" not in html
    assert html.count('class="error-slot"') == 7 * len(rows)  # six fields and the row itself
    typed = [[] if row[["from", "to", "pBatMax", "pBatMin", "socMax", "socMin"].index(field)] == ""
             else errors for row, errors in zip(rows, expected, strict=True)]
    assert slot_errors(html, field, len(rows)) == typed  # an empty field waits for the save


def test_a_row_still_being_filled_in_is_not_all_red(admin):
    html = check(admin, [("00:00", "23:59", 50, -50, 90, 20), ("", "", "", "", "", ""),
                         ("9:5", "", "", "", "", "")])
    assert re.findall(r"<li>(.*?)</li>", html) == ["must be a time HH:MM from 00:00 to 23:59"]
    assert 'id="b00000002-from-error" data-for="b00000002-from"' in html


def test_valid_rows_clear_their_slots(admin):
    html = check(admin, [("00:00", "11:59", 5, -5, 90, 10), ("12:00", "23:59", 5, -5, 90, 10)])
    assert "<li>" not in html and html.count('class="error-slot"') == 14


def test_row_keys_that_are_not_ours_are_replaced(admin):
    html = check(admin, [("00:00", "23:59", 5, -5, 90, 10)], keys=['"><script>x</script>'])
    assert "<script>" not in html and "script" not in html
    assert re.search(r'id="b[0-9a-f]{8}-from-error"', html)


def test_checking_stores_nothing(app, admin, sandbox):
    from voke_esm.services import plants

    acme = sandbox.enabled("acme")
    with app.app_context():
        before = [p.config_version for p in plants.list_plants(acme.client_id, "")]
    check(admin, [("00:00", "23:59", 1, -1, 90, 10)])
    with app.app_context():
        assert [p.config_version for p in plants.list_plants(acme.client_id, "")] == before


def test_more_rows_than_a_config_may_have_are_refused(admin):
    rows = [("00:00", "00:10", 1, -1, 90, 10)] * 97
    form = block_form(*rows)
    response = admin.post(CHECK, data=form, headers=HX)
    assert response.status_code == 400
    assert "must have 1 to 96 blocks, got 97" in text(response)
    assert 'class="error-slot"' not in text(response)


@pytest.mark.parametrize("value", ["\x00", "12:00\x00", "%ED%A0%80", "9" * 30, "-" + "9" * 30,
                                   "x" * 10_000])
def test_hostile_values_are_row_errors_not_failures(admin, value):
    html = check(admin, [(value, value, value, value, value, value)], keys=[value])
    assert "\x00" not in html and html.count('class="error-slot"') == 7
