"""`voke-esm check URL`: the conformance check, through the installed entry point, against this
sandbox (a live gunicorn) and against a fake ESM that breaks one rule of the contract at a time."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.live import live_server, request_json, run_cli

STEPS = ["token", "plant/list", "plant/config", "validate-only update", "applied update",
         "plant/config shows the new version", "same request code again",
         "wrong secret gets 401", "malformed block gets cfg_rejected",
         "restore the original config"]


def check(env: dict[str, str], *args: str) -> tuple[int, dict, str]:
    result = run_cli(env, "check", "--json", *args, check=False)
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.fixture
def served(env):
    """A live sandbox with acme enabled: (env with its credentials, base URL, credentials)."""
    run_cli(env, "db", "upgrade")
    run_cli(env, "create-org", "--name", "Acme", "--slug", "acme")
    creds = json.loads(run_cli(env, "enable", "--org", "acme").stdout)
    with live_server(env) as base_url:
        check_env = {**env, "VOKE_ESM_CLIENT_ID": creds["clientId"],
                     "VOKE_ESM_CLIENT_SECRET": creds["clientSecret"]}
        yield check_env, f"{base_url}/api/v1/voke-esm", creds


def plant_config(base_url: str, creds: dict) -> dict:
    _, _, token = request_json(base_url, "POST", "/trading/token",
                               {"clientId": creds["clientId"],
                                "clientSecret": creds["clientSecret"]})
    return request_json(base_url, "GET", "/trading/plant/config?plantId=PLANT-001",
                        token=token["accessToken"])[2]


def test_the_sandbox_passes_and_gets_its_config_back(served):
    env, url, creds = served
    before = plant_config(url, creds)
    code, report, stderr = check(env, url)
    assert code == 0, report
    assert report["passed"] is True and report["plantId"] == "PLANT-001"
    assert [step["name"] for step in report["steps"]] == STEPS
    assert all(step["ok"] and step["status"] in (200, 400, 401) and step["ms"] >= 0
               for step in report["steps"])
    after = plant_config(url, creds)
    assert after["timeConfigs"] == before["timeConfigs"]
    assert after["version"] == before["version"] + 2  # the check's version, then the restore
    assert creds["clientSecret"] not in json.dumps(report) + stderr


def test_keep_leaves_the_checks_config_and_human_output_names_each_step(served):
    env, url, creds = served
    result = run_cli(env, "check", url, "--keep", check=False)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Voke ESM conformance check: {url} (plant PLANT-001)")
    assert [line.split()[0] for line in lines[1:-1]] == ["ok"] * 9
    assert lines[-1] == "check: 9 ok, 0 failed, 0 not run"
    assert plant_config(url, creds)["version"] == 2
    assert creds["clientSecret"] not in result.stdout + result.stderr


def test_org_takes_the_credentials_voke_stored(served):
    env, url, creds = served
    plain = {key: value for key, value in env.items() if not key.startswith("VOKE_ESM_CLIENT")}
    code, report, _ = check(plain, url, "--org", "acme")
    assert code == 0 and report["passed"], report


def test_a_wrong_secret_fails_at_the_token_and_runs_nothing_else(served):
    env, url, _ = served
    code, report, _ = check({**env, "VOKE_ESM_CLIENT_SECRET": "vesm_wrong"}, url)
    assert code == 1 and report["passed"] is False
    token, *rest = report["steps"]
    assert token["ok"] is False and token["status"] == 401
    assert "200 with accessToken" in token["expected"] and token["got"].startswith("401")
    assert [step["ok"] for step in rest] == [None] * 9


@pytest.mark.parametrize("rule, failing, got", [
    ({"endpoint": "plant/list", "effect": {"type": "error", "status": 503},
      "trigger": {"mode": "always"}}, "plant/list", "503 code 'SERVICE_UNAVAILABLE'"),
    ({"endpoint": "plant/config/update", "effect": {"type": "reject_config"},
      "trigger": {"mode": "next", "count": 2}}, "validate-only update", "400"),
    ({"endpoint": "plant/config", "effect": {"type": "malformed_body"},
      "trigger": {"mode": "always"}}, "plant/config", "a body that is not JSON"),
])
def test_a_fault_rule_on_the_sandbox_fails_its_step(served, rule, failing, got):
    env, url, creds = served
    run_cli(env, "faults", "add", json.dumps({"clientId": creds["clientId"], **rule}))
    code, report, _ = check(env, url)
    assert code == 1 and report["passed"] is False
    failed = [step for step in report["steps"] if step["ok"] is False]
    assert failed[0]["name"] == failing, report
    assert failed[0]["got"].startswith(got) or got in failed[0]["got"], failed[0]


def test_a_lost_answer_is_reported_with_the_status_voke_got(served):
    env, url, creds = served
    run_cli(env, "faults", "add", json.dumps({
        "clientId": creds["clientId"], "endpoint": "plant/config/update",
        "effect": {"type": "lost_answer", "status": 504}, "trigger": {"mode": "next",
                                                                      "count": 1}}))
    code, report, _ = check(env, url)
    steps = {step["name"]: step for step in report["steps"]}
    # The dry run took the one lost answer (validateOnly still counts as an update call).
    assert code == 1 and steps["validate-only update"]["status"] == 504


@pytest.mark.parametrize("args, message", [
    ([], "give the ESM's base URL"),
    (["ftp://example/x"], "must start with http:// or https://"),
])
def test_usage_errors(args, message):
    result = run_cli({"VOKE_ESM_CLIENT_ID": "x", "VOKE_ESM_CLIENT_SECRET": "y"},
                     "check", *args, check=False)
    assert result.returncode == 2 and message in result.stderr


def test_no_credentials_is_a_usage_error():
    result = run_cli({}, "check", "http://127.0.0.1:9/api/v1/voke-esm", check=False)
    assert result.returncode == 2 and "VOKE_ESM_CLIENT_ID" in result.stderr


def test_an_esm_that_does_not_answer():
    code, report, _ = check({"VOKE_ESM_CLIENT_ID": "x", "VOKE_ESM_CLIENT_SECRET": "y"},
                            "http://127.0.0.1:9/api/v1/voke-esm", "--timeout", "2")
    assert code == 1
    assert report["steps"][0]["status"] is None and "no answer" in report["steps"][0]["got"]


# -- a fake ESM that keeps the contract except for one rule ---------------------------------

SECRET = "fake-secret"
BLOCK = {"from": "00:00", "to": "23:59", "pBatMax": 5, "pBatMin": -5, "socMax": 90, "socMin": 10}


class FakeEsm(BaseHTTPRequestHandler):
    breaks: str = ""
    plant: dict = {}
    codes: dict = {}

    def log_message(self, *args):  # quiet
        pass

    def answer(self, status: int, body, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status: int, code: str, **extra):
        self.answer(status, {"statusCode": status, "error": code, "code": code,
                             "message": code, **extra})

    def do_GET(self):
        path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
        plant = self.plant
        if path.endswith("/plant/list"):
            summary = {"plantId": "P-1", "name": "Fake", "descr": None, "fvePeakPowerKwp": 1,
                       "capacityKwh": 1, "esiState": "PLC_READY", "configEnabled": True,
                       "plantWithLoad": False, "meters": []}
            second = {**summary, "plantId": "A-0"}
            return self.answer(200, [summary, second] if self.breaks == "list_order"
                               else [summary] if self.breaks != "list_fields"
                               else [{"plantId": "P-1"}])
        if path.endswith("/plant/config") and query.get("plantId") == ["P-1"]:
            shown = plant["previous"] if self.breaks == "stale_read" else plant
            return self.answer(200, {"plantId": "P-1", "version": shown["version"],
                                     "configEnabled": True, "esiState": "PLC_READY",
                                     "timeConfigs": shown["blocks"]})
        self.error(404, "NOT_FOUND")

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.endswith("/token"):
            if body.get("clientSecret") != SECRET and self.breaks != "wrong_secret_accepted":
                return self.error(401, "UNAUTHORIZED")
            if self.breaks == "not_json":
                return self.answer(200, None, raw=b'{"accessToken": "abc"')
            return self.answer(200, {"accessToken": "t", "tokenType": "Bearer",
                                     "expiresIn": 3600})
        blocks, code = body["timeConfigs"], body["configUpdateReqCode"]
        if any(block["socMin"] > block["socMax"] for block in blocks) and \
                self.breaks != "malformed_accepted":
            return self.error(400, "VALIDATION_ERROR", resultCode="cfg_rejected",
                              details=["timeConfigs[0].socMin: must be <= socMax"])
        plant, reply = self.plant, {"plantId": "P-1", "configUpdateReqCode": code}
        if body["validateOnly"] and self.breaks != "dry_run_applies":
            return self.answer(200, {**reply, "resultCode": "cfg_accepted",
                                     "version": plant["version"]})
        if code in self.codes and self.breaks != "retry_applies_again":
            return self.answer(200, {**reply, "resultCode": "applied_ok",
                                     "version": self.codes[code]})
        plant["previous"] = {"version": plant["version"], "blocks": plant["blocks"]}
        plant["version"] += 1
        plant["blocks"] = blocks
        self.codes[code] = plant["version"]
        self.answer(200, {**reply, "resultCode": "applied_ok", "version": plant["version"]})


@contextlib.contextmanager
def fake_esm(breaks: str):
    handler = type("Broken", (FakeEsm,), {"breaks": breaks, "codes": {},
                                         "plant": {"version": 1, "blocks": [BLOCK],
                                                   "previous": {"version": 1,
                                                                "blocks": [BLOCK]}}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/voke-esm", handler
    finally:
        server.shutdown()
        server.server_close()


CHECK_ENV = {"VOKE_ESM_CLIENT_ID": "fake", "VOKE_ESM_CLIENT_SECRET": SECRET}


def test_the_fake_esm_passes_when_it_breaks_nothing():
    with fake_esm("") as (url, handler):
        code, report, _ = check(CHECK_ENV, url)
    assert code == 0, report
    assert handler.plant["blocks"] == [BLOCK] and handler.plant["version"] == 3


@pytest.mark.parametrize("breaks, failing, expected", [
    ("not_json", "token", "200 with accessToken"),
    ("list_fields", "plant/list", "plants with plantId, name, descr"),
    ("list_order", "plant/list", "ordered by plantId"),
    ("dry_run_applies", "validate-only update", "200 cfg_accepted with version 1"),
    ("stale_read", "plant/config shows the new version", "version 2 with the blocks"),
    ("retry_applies_again", "same request code again", "200 applied_ok with version 2"),
    ("wrong_secret_accepted", "wrong secret gets 401", "401 UNAUTHORIZED"),
    ("malformed_accepted", "malformed block gets cfg_rejected", "400 VALIDATION_ERROR"),
])
def test_each_broken_rule_fails_its_step(breaks, failing, expected):
    with fake_esm(breaks) as (url, _):
        code, report, _ = check(CHECK_ENV, url)
    assert code == 1 and report["passed"] is False
    failed = [step for step in report["steps"] if step["ok"] is False]
    assert failed[0]["name"] == failing, report
    assert expected in failed[0]["expected"]
    assert failed[0]["got"]
