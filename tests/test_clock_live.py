"""The sandbox clock and delayed applies end to end, through a live multi-worker gunicorn:
what Voke receives, and what was or wasn't applied (CONTRACT §6.2, §6.3)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.admin_support import ADMIN_URL, PLANTS_URL, make_user, user_token
from tests.factories import BLOCK
from tests.live import live_server, request_json
from voke_esm.services import plants

TRADING = "/api/v1/voke-esm/trading"
CONFIG = f"{TRADING}/plant/config?plantId=PLANT-001"
UPDATE = f"{TRADING}/plant/config/update"
WORKERS, THREADS = 3, 8


@pytest.fixture
def world(app, env, sandbox):
    """Two enabled clients, a SuperAdmin token, and a server with several workers."""
    acme, beta = sandbox.enabled("acme"), sandbox.enabled("beta")
    admin_token = user_token(app, make_user(app, "root@voke.test"))
    with live_server(env, workers=WORKERS, threads=THREADS) as base_url:
        yield Live(base_url, admin_token), acme, beta


class Live:
    def __init__(self, base_url: str, admin_token: str):
        self.base_url, self.admin_token = base_url, admin_token

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        status, _, answer = request_json(self.base_url, method, path, body, token)
        return status, answer

    def admin(self, method: str, path: str, body: dict | None = None):
        return self.call(method, path, body, self.admin_token)

    def token(self, enabled, expect_ttl: int = 3600) -> str:
        status, answer = self.call("POST", f"{TRADING}/token", {
            "clientId": enabled.client_id, "clientSecret": enabled.client_secret})
        assert status == 200 and answer["expiresIn"] == expect_ttl, answer
        return answer["accessToken"]

    def clock(self, enabled, **change) -> dict:
        status, answer = self.admin("POST", f"{ADMIN_URL}/clock",
                                    {"clientId": enabled.client_id, **change})
        assert status == 200, answer
        return answer

    def plant_001(self, enabled) -> dict:
        status, answer = self.admin("GET", f"{PLANTS_URL}?clientId={enabled.client_id}")
        assert status == 200, answer
        rows = answer["data"] if isinstance(answer, dict) else answer
        return next(p for p in rows if p["externalPlantId"] == "PLANT-001")

    def update(self, token: str, code: str, blocks: list) -> tuple[int, dict]:
        return self.call("POST", UPDATE, {"plantId": "PLANT-001", "configUpdateReqCode": code,
                                          "timeConfigs": blocks}, token)


def blocks(p_bat_max: int) -> list[dict]:
    return [{**BLOCK, "pBatMax": p_bat_max}]


def test_advancing_the_clock_expires_tokens_of_that_client_only(world):
    live, acme, beta = world
    acme_token, beta_token = live.token(acme), live.token(beta)
    assert live.call("GET", f"{TRADING}/plant/list", token=acme_token)[0] == 200
    assert live.clock(acme, advanceSeconds=3600)["offsetSeconds"] == 3600
    # Every worker sees it at once: ask several times, spread over the workers.
    for _ in range(WORKERS * 2):
        status, headers, answer = request_json(live.base_url, "GET", f"{TRADING}/plant/list",
                                               token=acme_token)
        assert status == 401 and answer["code"] == "UNAUTHORIZED"
        assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert live.call("GET", f"{TRADING}/plant/list", token=beta_token)[0] == 200
    fresh = live.token(acme)
    assert live.call("GET", f"{TRADING}/plant/list", token=fresh)[0] == 200


def test_a_token_lifetime_change_applies_to_new_tokens(world):
    live, acme, _ = world
    assert live.clock(acme, tokenTtlSeconds=60)["tokenTtlSeconds"] == 60
    token = live.token(acme, expect_ttl=60)
    live.clock(acme, advanceSeconds=50)  # a margin for a slow machine
    assert live.call("GET", CONFIG, token=token)[0] == 200
    live.clock(acme, advanceSeconds=10)
    assert live.call("GET", CONFIG, token=token)[0] == 401
    live.clock(acme, tokenTtlSeconds=None)
    live.token(acme, expect_ttl=3600)


def test_delayed_failed_and_superseded_applies(world):
    live, acme, _ = world
    token = live.token(acme)
    plant_id = live.plant_001(acme)["id"]
    live.admin("PATCH", f"{PLANTS_URL}/{plant_id}", {"applyDelaySeconds": 120})

    # Delayed: accepted with the old version, visible once due on the client's clock.
    assert live.update(token, "late", blocks(7)) == (200, {
        "resultCode": "cfg_accepted", "plantId": "PLANT-001", "configUpdateReqCode": "late",
        "version": 1})
    assert live.call("GET", CONFIG, token=token)[1]["version"] == 1
    live.clock(acme, advanceSeconds=120)
    config = live.call("GET", CONFIG, token=token)[1]
    assert config["version"] == 2 and config["timeConfigs"] == blocks(7)
    assert live.update(token, "late", blocks(7))[1]["resultCode"] == "applied_ok"

    # Superseded: a newer update replaces the pending one.
    live.update(token, "old", blocks(1))
    live.update(token, "new", blocks(2))
    live.clock(acme, advanceSeconds=120)
    config = live.call("GET", CONFIG, token=token)[1]
    assert config["version"] == 3 and config["timeConfigs"] == blocks(2)
    status, answer = live.update(token, "old", blocks(1))
    assert status == 400 and answer["resultCode"] == "cfg_rejected"

    # Failed: accepted, never applied, and its retry is rejected with the §6.3 detail.
    live.admin("PATCH", f"{PLANTS_URL}/{plant_id}", {"applyOutcome": "failed"})
    assert live.update(token, "doomed", blocks(3))[1]["resultCode"] == "cfg_accepted"
    live.clock(acme, advanceSeconds=120)
    assert live.call("GET", CONFIG, token=token)[1]["version"] == 3
    status, answer = live.update(token, "doomed", blocks(3))
    assert (status, answer["code"], answer["resultCode"], answer["details"]) == (
        400, "VALIDATION_ERROR", "cfg_rejected",
        ["device: the plant failed to apply this configuration"])
    assert live.admin("GET", f"{PLANTS_URL}/{plant_id}")[1]["version"] == 3


def test_workers_touching_a_due_plant_at_once_apply_it_once(app, world):
    live, acme, _ = world
    token = live.token(acme)
    plant_id = live.plant_001(acme)["id"]
    live.admin("PATCH", f"{PLANTS_URL}/{plant_id}", {"applyDelaySeconds": 60})
    live.update(token, "due", blocks(9))
    live.clock(acme, advanceSeconds=60)

    def touch(n: int):
        if n % 3 == 0:
            return live.admin("GET", f"{PLANTS_URL}/{plant_id}")
        if n % 3 == 1:
            return live.update(token, "due", blocks(9))
        return live.call("GET", CONFIG, token=token)

    with ThreadPoolExecutor(WORKERS * THREADS) as pool:
        answers = list(pool.map(touch, range(WORKERS * THREADS)))
    assert {status for status, _ in answers} == {200}, answers
    assert {body["version"] for _, body in answers} == {2}
    status, plant = live.admin("GET", f"{PLANTS_URL}/{plant_id}")
    assert plant["version"] == 2 and plant["timeConfigs"] == blocks(9)
    with app.app_context():
        revisions = plants.revisions_of(plants.get_plant(plant_id))
        assert [(r.status, r.version) for r in revisions] == [("applied", 2), ("applied", 1)]
