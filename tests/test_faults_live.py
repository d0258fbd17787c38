"""Every fault effect and trigger end to end, from outside a live four-worker gunicorn: what
Voke receives (status, envelope, headers, latency), what the journal shows, what was applied."""

from __future__ import annotations

import http.client
import itertools
import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
import pytest

from tests.admin_support import ADMIN_URL, Admin
from tests.conftest import TABLES, app_for, base_env, psycopg_url
from tests.factories import BLOCK, Enabled, Sandbox
from tests.live import live_server
from voke_esm.fault_rules import fires

FAULTS_URL = f"{ADMIN_URL}/faults"
TRADING = "/api/v1/voke-esm/trading"
CONFIG = f"{TRADING}/plant/config?plantId=PLANT-001"
UPDATE = f"{TRADING}/plant/config/update"
WORKERS = 4
slugs = (f"org{n}" for n in itertools.count())


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    raw: bytes
    seconds: float

    @property
    def json(self):
        return json.loads(self.raw)

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


@dataclass
class World:
    app: object
    sandbox: Sandbox
    admin: Admin
    base_url: str

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> Answer:
        connection = http.client.HTTPConnection(self.base_url.removeprefix("http://"),
                                                timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        connection.request(method, path, body=json.dumps(body) if body else None,
                           headers=headers)
        response = connection.getresponse()
        raw = response.read()
        seconds = time.perf_counter() - started
        connection.close()
        return Answer(response.status, response.getheaders(), raw, seconds)

    def client(self) -> tuple[Enabled, str]:
        enabled = self.sandbox.enabled(next(slugs))
        return enabled, self.sandbox.token(enabled)

    def add(self, client_id: str, **rule) -> dict:
        response = self.admin.post(FAULTS_URL, json={"clientId": client_id, **rule})
        assert response.status_code == 201, response.json
        return response.json

    def rules(self, client_id: str) -> list[dict]:
        return self.admin.get(FAULTS_URL, query_string={"clientId": client_id}).json["data"]

    def journal(self, client_id: str) -> list[dict]:
        """The client's journal once the server's writer has stored its calls: the server
        keeps entries in a buffer that it writes within a second, so wait until two reads
        0.4 s apart agree (at most 5 s)."""
        deadline, previous = time.monotonic() + 5, None
        while True:
            entries = self.admin.get(f"{ADMIN_URL}/journal",
                                     query_string={"clientId": client_id}).json
            if (entries and entries == previous) or time.monotonic() > deadline:
                return entries
            previous = entries
            time.sleep(0.4)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"faults-{request.param}")
    if request.param == "sqlite":
        path = folder / "voke_esm.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
            connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    env = base_env(folder, url)
    with app_for(env, WTF_CSRF_ENABLED=False) as app, \
            live_server(env, workers=WORKERS, threads=4) as base_url:
        yield World(app, Sandbox(app), Admin(app, app.test_client()), base_url)


def update_body(code: str, p_bat_max: int = 40) -> dict:
    return {"plantId": "PLANT-001", "configUpdateReqCode": code,
            "timeConfigs": [{**BLOCK, "pBatMax": p_bat_max}]}


def assert_envelope(answer: Answer, status: int, code: str) -> dict:
    assert answer.status == status, answer.raw
    assert answer.header("Content-Type") == ["application/json"]
    body = answer.json
    assert body["statusCode"] == status and body["code"] == code and body["message"]
    return body


def test_latency_rules_add_up_and_the_call_proceeds(world):
    acme, token = world.client()
    baseline = min(world.call("GET", CONFIG, token).seconds for _ in range(3))
    first = world.add(acme.client_id, endpoint="plant/config",
                      effect={"type": "latency", "ms": 300, "jitterMs": 50})
    second = world.add(acme.client_id, effect={"type": "latency", "ms": 200})
    slow = world.call("GET", CONFIG, token)
    assert slow.status == 200 and slow.json["version"] == 1
    # 500 ± 50 ms; the upper bound leaves room for a machine shared with other work
    assert slow.seconds >= 0.45 and slow.seconds - baseline <= 0.55 + 1.0
    fast = world.call("GET", f"{TRADING}/plant/list", token)  # only the `any` rule
    assert fast.status == 200 and 0.2 <= fast.seconds < 1.2
    [list_entry, config_entry, *_] = world.journal(acme.client_id)
    assert [f["ruleId"] for f in config_entry["faults"]] == [first["id"], second["id"]]
    assert [f["ruleId"] for f in list_entry["faults"]] == [second["id"]]
    assert config_entry["durationMs"] >= 450


@pytest.mark.parametrize(("status", "code"), [(500, "INTERNAL_SERVER_ERROR"),
                                              (502, "BAD_GATEWAY"),
                                              (503, "SERVICE_UNAVAILABLE"),
                                              (504, "GATEWAY_TIMEOUT")])
def test_error_answers_the_given_status(world, status, code):
    acme, token = world.client()
    world.add(acme.client_id, endpoint="plant/list",
              effect={"type": "error", "status": status, "retryAfter": 7})
    answer = world.call("GET", f"{TRADING}/plant/list", token)
    assert_envelope(answer, status, code)
    assert answer.header("Retry-After") == ["7"]
    assert world.call("GET", CONFIG, token).status == 200  # another endpoint: untouched
    assert world.journal(acme.client_id)[1]["outcome"] == code


def test_rate_limited_answers_429_with_its_headers(world):
    acme, token = world.client()
    world.add(acme.client_id, effect={"type": "rate_limited", "retryAfter": 12})
    answer = world.call("GET", CONFIG, token)
    assert_envelope(answer, 429, "TOO_MANY_REQUESTS")
    assert answer.header("Retry-After") == ["12"]
    assert answer.header("X-RateLimit-Limit") == ["100000"]
    assert answer.header("X-RateLimit-Remaining") == ["0"]
    [reset] = answer.header("X-RateLimit-Reset")
    assert 0 < int(reset) - time.time() <= 13


def test_invalid_token_answers_401_until_cleared(world):
    acme, token = world.client()
    world.add(acme.client_id, effect={"type": "invalid_token"})
    answer = world.call("GET", CONFIG, token)
    assert_envelope(answer, 401, "UNAUTHORIZED")
    assert answer.header("WWW-Authenticate") == ['Bearer error="invalid_token"']
    assert world.admin.get(f"{ADMIN_URL}/journal").status_code == 200  # admin: never faulted
    assert world.admin.delete(FAULTS_URL, query_string={
        "clientId": acme.client_id}).status_code == 204
    assert world.call("GET", CONFIG, token).status == 200  # the same token works again


@pytest.mark.parametrize(("effect", "status", "code", "result_code"), [
    ({"type": "reject_config", "details": ["timeConfigs[0].pBatMax: too high for us"]},
     400, "VALIDATION_ERROR", "cfg_rejected"),
    ({"type": "config_disabled"}, 409, "CONFIG_DISABLED", "cfg_disabled"),
])
def test_refusing_effects_store_nothing(world, effect, status, code, result_code):
    acme, token = world.client()
    world.add(acme.client_id, endpoint="plant/config/update", effect=effect)
    body = assert_envelope(world.call("POST", UPDATE, token, update_body("r1")), status, code)
    assert body["resultCode"] == result_code
    if "details" in effect:
        assert body["details"] == effect["details"]
    assert world.call("GET", CONFIG, token).json["version"] == 1


def test_lost_answer_applies_and_the_retry_gets_the_stored_version(world):
    acme, token = world.client()
    rule = world.add(acme.client_id, endpoint="plant/config/update",
                     effect={"type": "lost_answer", "status": 502},
                     trigger={"mode": "next", "count": 1})
    lost = world.call("POST", UPDATE, token, update_body("req-lost"))
    assert_envelope(lost, 502, "BAD_GATEWAY")
    config = world.call("GET", CONFIG, token).json
    assert config["version"] == 2 and config["timeConfigs"][0]["pBatMax"] == 40
    retry = world.call("POST", UPDATE, token, update_body("req-lost"))
    assert retry.status == 200
    assert retry.json == {"resultCode": "applied_ok", "plantId": "PLANT-001",
                          "configUpdateReqCode": "req-lost", "version": 2}
    [again, _, first, *_] = world.journal(acme.client_id)
    assert first["status"] == 502 and first["faults"][0]["ruleId"] == rule["id"]
    assert first["faults"][0]["effect"] == {"type": "lost_answer", "status": 502}
    assert again["status"] == 200 and again["faults"] == []
    assert world.rules(acme.client_id)[0]["remaining"] == 0


def test_hang_holds_then_answers_504(world):
    acme, token = world.client()
    world.add(acme.client_id, endpoint="plant/config", effect={"type": "hang", "seconds": 1.5})
    answer = world.call("GET", CONFIG, token)
    assert_envelope(answer, 504, "GATEWAY_TIMEOUT")
    assert 1.5 <= answer.seconds < 3.5


def test_malformed_body_is_truncated_json_and_nothing_is_applied(world):
    acme, token = world.client()
    world.add(acme.client_id, effect={"type": "malformed_body"})
    answer = world.call("POST", UPDATE, token, update_body("m1"))
    assert answer.status == 200 and answer.header("Content-Type") == ["application/json"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.raw)
    assert answer.raw.startswith(b'{"resultCode": "applied_ok"')
    world.admin.delete(FAULTS_URL, query_string={"clientId": acme.client_id})
    assert world.call("GET", CONFIG, token).json["version"] == 1


def test_next_three_fires_exactly_three_times_across_workers(world):
    acme, token = world.client()
    rule = world.add(acme.client_id, endpoint="plant/config",
                     effect={"type": "error", "status": 503},
                     trigger={"mode": "next", "count": 3})
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: world.call("GET", CONFIG, token).status, range(24)))
    assert sorted(statuses) == [200] * 21 + [503] * 3
    [listed] = world.rules(acme.client_id)
    assert listed["id"] == rule["id"] and listed["hits"] == 3 and listed["remaining"] == 0


def test_seeded_probability_replays_its_sequence(world):
    acme, token = world.client()
    trigger = {"mode": "probability", "p": 0.3, "seed": 7}
    world.add(acme.client_id, endpoint="plant/config", effect={"type": "error", "status": 503},
              trigger=trigger)
    failed = [world.call("GET", CONFIG, token).status == 503 for _ in range(20)]
    expected = [fires(trigger, k) for k in range(1, 21)]
    assert failed == expected and any(expected) and not all(expected)
    assert world.rules(acme.client_id)[0]["hits"] == sum(expected)


def test_first_answering_rule_wins_oldest_first(world):
    acme, token = world.client()
    older = world.add(acme.client_id, effect={"type": "error", "status": 500})
    world.add(acme.client_id, effect={"type": "error", "status": 502})
    assert world.call("GET", CONFIG, token).status == 500
    assert [r["hits"] for r in world.rules(acme.client_id)] == [1, 0]
    assert world.journal(acme.client_id)[0]["faults"][0]["ruleId"] == older["id"]


def test_every_worker_sees_a_changed_rule_at_once(world):
    acme, token = world.client()

    def statuses() -> set[int]:
        with ThreadPoolExecutor(8) as pool:
            return set(pool.map(lambda _: world.call("GET", CONFIG, token).status, range(16)))

    world.add(acme.client_id, effect={"type": "error", "status": 500})
    assert statuses() == {500}  # every worker now holds its copy of the rules
    world.admin.delete(FAULTS_URL, query_string={"clientId": acme.client_id})
    world.add(acme.client_id, effect={"type": "error", "status": 502})
    assert statuses() == {502}
    world.admin.delete(FAULTS_URL, query_string={"clientId": acme.client_id})
    assert statuses() == {200}
