"""The journal as QA watches it: filters, the poll that answers 204 when nothing is new, one
call's detail, and `voke-esm journal --follow` against a live server."""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import time

import pytest

from tests.live import BIN, ROOT, live_server, request_json, run_cli
from tests.ui_support import HX, admin_client, text
from voke_esm.cli import cli

TRADING = "/api/v1/voke-esm/trading"


@pytest.fixture
def admin(app):
    return admin_client(app)


@pytest.fixture
def calls(app, client, sandbox):
    """acme's journal: a token, a config read, a 404, and a list answered by a fault rule."""
    acme = sandbox.enabled("acme")
    headers = sandbox.headers(acme)
    client.get(f"{TRADING}/plant/config?plantId=PLANT-001", headers=headers)
    client.get(f"{TRADING}/plant/config?plantId=NOPE", headers=headers)
    with app.app_context():
        from voke_esm.services import faults
        faults.add_rule({"clientId": acme.client_id, "endpoint": "plant/list", "label": "down",
                         "effect": {"type": "error", "status": 503},
                         "trigger": {"mode": "always"}})
    assert client.get(f"{TRADING}/plant/list", headers=headers).status_code == 503
    return acme


def rows(html: str) -> list[str]:
    """Each journal row's call, as the table shows it."""
    return re.findall(r"<td><code>(\w+ [^<]+)</code></td>", html)


@pytest.mark.parametrize("query, expected", [
    ("", ["GET /plant/list", "GET /plant/config?plantId=NOPE",
          "GET /plant/config?plantId=PLANT-001", "POST /token"]),
    ("endpoint=plant/config", ["GET /plant/config?plantId=NOPE",
                               "GET /plant/config?plantId=PLANT-001"]),
    ("status=4xx", ["GET /plant/config?plantId=NOPE"]),
    ("status=5xx&faults=1", ["GET /plant/list"]),
    ("plant=PLANT-001", ["GET /plant/config?plantId=PLANT-001"]),
    ("plant=PLANT-001&status=5xx", []),
])
def test_filters(admin, calls, query, expected):
    response = admin.get(f"/platform/voke-esm/{calls.org_id}/journal?{query}", headers=HX)
    assert response.status_code == 200
    assert rows(text(response)) == expected
    if not expected:
        assert "No call matches these filters yet." in text(response)


@pytest.mark.parametrize("query", ["endpoint=plant/delete", "status=200", "plant=%00",
                                   "known=-1", "known=" + "9" * 30])
def test_bad_filters_are_refused(admin, calls, query):
    response = admin.get(f"/platform/voke-esm/{calls.org_id}/journal?{query}", headers=HX)
    assert response.status_code == 400


def test_the_poll_answers_204_until_a_new_call_arrives(admin, client, sandbox, calls):
    url = f"/platform/voke-esm/{calls.org_id}/journal"
    newest = int(re.search(r'name="known" value="(\d+)"', text(admin.get(url, headers=HX)))[1])
    assert admin.get(f"{url}?known={newest}", headers=HX).status_code == 204
    assert admin.get(f"{url}?known={newest}&status=4xx", headers=HX).status_code == 200
    client.get(f"{TRADING}/plant/config?plantId=PLANT-001", headers=sandbox.headers(calls))
    fresh = admin.get(f"{url}?known={newest}", headers=HX)
    assert fresh.status_code == 200
    assert rows(text(fresh))[0] == "GET /plant/config?plantId=PLANT-001"


def test_the_detail_of_one_call(admin, sandbox, calls):
    html = text(admin.get(f"/platform/voke-esm/{calls.org_id}/journal", headers=HX))
    ids = [int(found) for found in re.findall(r'data-journal-entry="(\d+)"', html)]
    faulted, token = ids[0], ids[-1]
    detail = text(admin.get(f"/platform/voke-esm/{calls.org_id}/journal/{faulted}", headers=HX))
    assert "Fault rules that fired" in detail and "down" in detail and "503" in detail
    body = text(admin.get(f"/platform/voke-esm/{calls.org_id}/journal/{token}", headers=HX))
    assert "POST /api/v1/voke-esm/trading/token" in body and "[redacted]" in body
    assert calls.client_secret not in body
    assert "<dt>Content-Type</dt><dd><code>application/json</code>" in body
    assert "&#34;accessToken&#34;:&#34;[redacted]&#34;" in body  # the answer, token redacted
    assert "eyJ" not in body
    config = ids[-2]
    read = text(admin.get(f"/platform/voke-esm/{calls.org_id}/journal/{config}", headers=HX))
    assert "<dt>Authorization</dt><dd><code>Bearer [redacted]</code>" in read
    assert "&#34;timeConfigs&#34;" in read and "eyJ" not in read
    beta = sandbox.enabled("beta")
    other = admin.get(f"/platform/voke-esm/{beta.org_id}/journal/{token}", headers=HX)
    assert other.status_code == 404
    assert admin.get(f"/platform/voke-esm/{calls.org_id}/journal/999999").status_code == 404


def test_cli_filters_and_lines(runner, calls):
    result = runner.invoke(cli, ["journal", "--org", "acme", "--status", "5xx", "--faults"])
    assert result.exit_code == 0, result.output
    line, = result.output.splitlines()
    assert re.fullmatch(r"\d\d:\d\d:\d\d  GET  plant/list\s+-\s+503 SERVICE_UNAVAILABLE\s+"
                        r"[\d.]+ ms\s+\[fault: down\]", line), line
    as_json = runner.invoke(cli, ["journal", "--org", "acme", "--endpoint", "plant/config",
                                  "--json"])
    assert [json.loads(x)["query"] for x in as_json.output.splitlines()] == [
        "plantId=PLANT-001", "plantId=NOPE"]


def start_interruptible(*args, **kwargs) -> subprocess.Popen:
    """A child that Ctrl-C stops, also when this run ignores SIGINT (a shell's background
    job does, and a child inherits that: Python then installs no KeyboardInterrupt)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(*args, **kwargs)  # a handled signal is reset to default
    finally:
        signal.signal(signal.SIGINT, previous)


def test_follow_prints_calls_as_they_arrive(env):
    run_cli(env, "db", "upgrade")
    run_cli(env, "create-org", "--name", "Acme", "--slug", "acme")
    creds = json.loads(run_cli(env, "enable", "--org", "acme").stdout)
    with live_server(env) as base_url:
        follower = start_interruptible(
            [str(BIN / "voke-esm"), "journal", "--follow", "--json", "--org", "acme",
             "--plant", "PLANT-001"], env=env | {"PATH": str(BIN)}, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1.5)  # the follower is running and has printed the (empty) history
            _, _, answer = request_json(base_url, "POST", f"{TRADING}/token", {
                "clientId": creds["clientId"], "clientSecret": creds["clientSecret"]})
            for plant in ("NOPE", "PLANT-001"):
                request_json(base_url, "GET", f"{TRADING}/plant/config?plantId={plant}",
                             token=answer["accessToken"])
            ready, _, _ = select.select([follower.stdout], [], [], 15)
            assert ready, "no journal line within 15 s"
            entry = json.loads(follower.stdout.readline())
            assert (entry["plantId"], entry["status"]) == ("PLANT-001", 200)
        finally:
            follower.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                _, errors = follower.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                follower.kill()
                _, errors = follower.communicate()
    assert follower.returncode == 0, errors
    assert "Traceback" not in errors
