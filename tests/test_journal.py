"""The request journal: QA sees what Voke sent, never a secret."""

import json

import pytest
import sqlalchemy as sa

from tests.admin_support import bearer, make_user, user_token
from tests.conftest import app_for
from voke_esm import ConfigError, create_app
from voke_esm.cli import cli
from voke_esm.extensions import db
from voke_esm.models import JournalEntry
from voke_esm.prepared import PreparedInsert
from voke_esm.services import journal

UPDATE = "/api/v1/voke-esm/trading/plant/config/update"


def entries(app):
    with app.app_context():
        return journal.recent(limit=100)


def test_every_loopback_call_is_journaled_without_secrets(app, client, sandbox, runner):
    acme = sandbox.enabled()
    headers = sandbox.headers(acme)
    client.post(UPDATE, headers=headers, json={
        "plantId": "PLANT-001", "configUpdateReqCode": "req-1", "timeConfigs": [
            {"from": "00:00", "to": "23:59", "pBatMax": 5, "pBatMin": -5, "socMax": 80,
             "socMin": 10}]})
    client.get("/api/v1/voke-esm/trading/plant/config?plantId=NOPE", headers=headers)
    client.post("/api/v1/voke-esm/trading/token",
                json={"clientId": acme.client_id, "clientSecret": "wrong-secret"})

    wrong, missing, applied, token = entries(app)[:4]
    assert (token.path, token.status, token.client_id) == (
        "/api/v1/voke-esm/trading/token", 200, acme.client_id)
    assert token.request_body == {"clientId": acme.client_id, "clientSecret": "[redacted]"}
    assert (applied.status, applied.outcome, applied.plant_id, applied.config_update_req_code) \
        == (200, "applied_ok", "PLANT-001", "req-1")
    assert applied.request_body["timeConfigs"][0]["pBatMax"] == 5
    assert (missing.status, missing.outcome, missing.query) == (
        404, "PLANT_NOT_FOUND", "plantId=NOPE")
    assert (wrong.status, wrong.outcome) == (401, "UNAUTHORIZED")

    result = runner.invoke(cli, ["journal", "--client-id", acme.client_id, "--limit", "2",
                                 "--json"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 0 and [e["status"] for e in lines] == [404, 401]  # like tail
    everything = result.output + json.dumps([e.request_body for e in entries(app)])
    assert acme.client_secret not in everything and "wrong-secret" not in everything


def test_callers_refused_by_the_loopback_guard_are_not_journaled(app, client, sandbox):
    sandbox.enabled()
    for _ in range(3):
        response = client.get("/api/v1/voke-esm/trading/plant/list",
                              environ_base={"REMOTE_ADDR": "203.0.113.9"})
        assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(JournalEntry.id))) == 0


def test_a_nul_character_in_a_body_is_journaled_without_it(app, client, sandbox):
    acme = sandbox.enabled()
    response = client.post(UPDATE, headers=sandbox.headers(acme), json={
        "plantId": "PLANT\x00-001", "configUpdateReqCode": "x", "timeConfigs": []})
    assert response.status_code in (400, 404)
    assert entries(app)[0].plant_id == "PLANT-001"


def test_the_admin_api_shows_the_journal_to_superadmins_only(app, client, sandbox):
    admin = bearer(user_token(app, make_user(app, "qa@example.com")))
    acme = sandbox.enabled()
    other = sandbox.enabled("other")
    sandbox.token(acme)
    sandbox.token(other)
    url = "/api/v1/voke-esm/admin/journal"
    assert client.get(url).status_code == 401
    response = client.get(f"{url}?clientId={acme.client_id}&limit=5",
                          headers=admin)
    assert response.status_code == 200
    assert [(e["clientId"], e["status"]) for e in response.json] == [(acme.client_id, 200)]
    assert response.json[0]["requestBody"]["clientSecret"] == "[redacted]"
    assert client.get(f"{url}?limit=0", headers=admin).json["code"] == \
        "VALIDATION_ERROR"


def test_the_journal_keeps_only_the_newest_entries(env):
    """VOKE_ESM_JOURNAL_KEEP entries remain, however the calls were batched."""
    with app_for({**env, "VOKE_ESM_JOURNAL_KEEP": "5"}) as app, app.app_context():
        for n in range(1, 13):
            journal.record(client_id="c", remote_addr="127.0.0.1", method="GET",
                           path=f"/call/{n}", status=200, duration_ms=1.0)
            if n in (3, 4, 9):
                journal.flush()
        kept = [entry.path for entry in journal.recent(limit=100)]
    assert kept == [f"/call/{n}" for n in range(12, 7, -1)]


def test_a_flush_of_many_entries_stores_each_as_recorded(env):
    """More entries than one INSERT holds (PreparedInsert.ROWS_PER_VALUES) go in, in order, each
    with its own values, None and JSON alike."""
    count = 2 * PreparedInsert.ROWS_PER_VALUES + 3
    with app_for(env) as app, app.app_context():
        for n in range(count):
            journal.record(client_id=f"c{n % 3}", remote_addr="127.0.0.1", method="GET",
                           path=f"/call/{n}", query=f"n={n}" if n % 2 else None, status=200,
                           duration_ms=n / 4, faults=[{"id": n}] if n % 5 == 0 else None,
                           request_body={"n": n} if n % 7 == 0 else None)
        journal.flush()
        entries = journal.recent(limit=count + 1)[::-1]
    assert [(e.client_id, e.path, e.query, e.duration_ms, e.faults, e.request_body)
            for e in entries] == [
        (f"c{n % 3}", f"/call/{n}", f"n={n}" if n % 2 else None, n / 4,
         [{"id": n}] if n % 5 == 0 else None, {"n": n} if n % 7 == 0 else None)
        for n in range(count)]
    assert len({e.id for e in entries}) == count


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_journal_keep_must_be_a_positive_whole_number(env, value):
    with pytest.raises(ConfigError, match="VOKE_ESM_JOURNAL_KEEP"):
        create_app({**env, "VOKE_ESM_JOURNAL_KEEP": value})


def test_an_update_is_journaled_as_sent(app, client, sandbox):
    """The text Voke sent, spacing and all, on both databases (PostgreSQL keeps it as `json`,
    migration 0007)."""
    acme = sandbox.enabled()
    sent = ('{"plantId": "PLANT-001",  "configUpdateReqCode": "as-sent",\n "timeConfigs": '
            '[{"from": "00:00", "to": "23:59", "pBatMax": 12.5, "pBatMin": -5, '
            '"socMax": 80, "socMin": 10}]}')
    response = client.post(UPDATE, headers=sandbox.headers(acme), data=sent,
                           content_type="application/json")
    assert response.json["resultCode"] == "applied_ok"
    assert entries(app)[0].request_body == json.loads(sent)
    with app.app_context():
        stored = db.session.scalar(sa.text(
            "SELECT CAST(request_body AS TEXT) FROM voke_esm_request_journal "
            "ORDER BY id DESC LIMIT 1"))
    assert stored == sent


@pytest.mark.parametrize("spelling, kept", [
    ('"note": 1e999', {"note": "inf"}),
    ('"note": -' + "9" * 309 + ".0", {"note": "-inf"}),
    ('"\\u0074oken": "abc"', {"token": "[redacted]"}),
])
def test_what_the_text_hides_is_journaled_as_the_walk_keeps_it(app, client, sandbox, spelling,
                                                               kept):
    """A number Python reads as infinite, or a secret's name spelled with an escape."""
    acme = sandbox.enabled()
    sent = '{"plantId": "PLANT-001", "configUpdateReqCode": "x", "timeConfigs": [], %s}'
    client.post(UPDATE, headers=sandbox.headers(acme), data=sent % spelling,
                content_type="application/json")
    body = entries(app)[0].request_body
    assert {key: body[key] for key in kept} == kept
