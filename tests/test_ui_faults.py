"""The "Faults" part of the sandbox page: presets, the add-a-rule form with per-field errors,
delete and clear, and fired rules in "Recent calls from Voke"."""

from __future__ import annotations

import re

import pytest

from tests.factories import BLOCK
from tests.ui_support import HX, admin_client, text
from voke_esm.services import faults

PAGE = "/platform/voke-esm"
UPDATE = "/api/v1/voke-esm/trading/plant/config/update"


@pytest.fixture
def admin(app):
    return admin_client(app)


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled()


def rule_form(**fields) -> dict:
    return {"endpoint": "plant/config", "effect.type": "error", "effect.status": "503",
            "trigger.mode": "always", **fields}


def errors_under(html: str, input_id: str) -> list[str]:
    found = re.search(rf'<ul class="field-errors" id="{input_id}-error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_page_shows_the_faults_part_with_presets(admin, acme):
    html = text(admin.get(f"{PAGE}?org={acme.org_id}"))
    assert 'id="faults"' in html and "Faults &amp; clock" in html
    assert html.count("/faults/presets/") == 6
    assert "No fault rules" in html


def test_add_rule_shows_it_with_hits_and_remaining(admin, acme):
    response = admin.post(f"{PAGE}/{acme.org_id}/faults", headers=HX, data=rule_form(**{
        "trigger.mode": "next", "trigger.count": "3", "label": "three 503s"}))
    assert response.status_code == 200, text(response)
    html = text(response)
    assert "<html" not in html and "three 503s" in html
    assert "error status=503" in html and "next 3" in html
    assert re.search(r'<td class="num">0</td>\s*<td class="num">3</td>', html)
    assert "Fault rule added" in html  # the flash, out of band


def test_bad_rule_puts_each_error_on_its_input(admin, acme):
    response = admin.post(f"{PAGE}/{acme.org_id}/faults", headers=HX, data=rule_form(**{
        "effect.type": "latency", "effect.ms": "soon", "trigger.mode": "probability",
        "trigger.p": "2", "endpoint": "plant/config"}))
    assert response.status_code == 422
    html = text(response)
    assert errors_under(html, "fault-effect-ms") == [
        "must be a whole number of milliseconds, 0 to 25000"]
    assert errors_under(html, "fault-trigger-p") == ["must be a number from 0 to 1"]
    assert errors_under(html, "fault-trigger-seed") == ["must be a whole number"]
    assert 'id="fault-effect-ms" name="effect.ms" type="text" value="soon"' in html
    assert faults_of(admin.application, acme) == []


def faults_of(app, acme) -> list:
    with app.app_context():
        return faults.list_rules(acme.client_id)


def test_preset_delete_and_clear(admin, acme, app):
    for name in ("lost-answers", "slow-partner"):
        response = admin.post(f"{PAGE}/{acme.org_id}/faults/presets/{name}", headers=HX)
        assert response.status_code == 200
    html = text(response)
    assert "lost answers" in html and "slow partner" in html
    assert 'hx-confirm="Delete this fault rule?' in html
    first = faults_of(app, acme)[0]
    response = admin.delete(f"{PAGE}/{acme.org_id}/faults/{first.id}", headers=HX)
    assert response.status_code == 200 and "lost answers" not in text(response)
    response = admin.delete(f"{PAGE}/{acme.org_id}/faults", headers=HX)
    assert "No fault rules" in text(response) and faults_of(app, acme) == []


def test_another_clients_rule_cannot_be_deleted_here(admin, acme, sandbox, app):
    other = sandbox.enabled("globex")
    with app.app_context():
        rule_id = faults.add_rule({"clientId": other.client_id,
                                   "effect": {"type": "invalid_token"}}).id
    response = admin.delete(f"{PAGE}/{acme.org_id}/faults/{rule_id}", headers=HX)
    assert response.status_code == 404
    assert len(faults_of(app, other)) == 1


def test_without_htmx_the_form_redirects_to_the_page(admin, acme):
    response = admin.post(f"{PAGE}/{acme.org_id}/faults", data=rule_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"?org={acme.org_id}")


def test_journal_shows_which_rule_fired_and_what_it_did(admin, acme, sandbox, app, client):
    admin.post(f"{PAGE}/{acme.org_id}/faults/presets/rejects-everything", headers=HX)
    answer = client.post(UPDATE, headers=sandbox.headers(acme), json={
        "plantId": "PLANT-001", "configUpdateReqCode": "r1", "timeConfigs": [BLOCK]})
    assert answer.status_code == 400 and answer.json["resultCode"] == "cfg_rejected"
    html = text(admin.get(f"{PAGE}/{acme.org_id}/journal", headers=HX))
    rule = faults_of(app, acme)[0]
    assert f'data-fault="{rule.id}"' in html
    assert "Fault: rejects everything · reject_config" in html
