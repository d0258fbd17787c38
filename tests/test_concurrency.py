"""Many callers updating one plant at once, through a real multi-worker server."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import BLOCK
from tests.live import live_server, request_json

UPDATE = "/api/v1/voke-esm/trading/plant/config/update"
CONFIG = "/api/v1/voke-esm/trading/plant/config?plantId=PLANT-001"
CLIENTS, UPDATES_EACH = 20, 10


def blocks_for(n: int) -> list[dict]:
    return [{**BLOCK, "pBatMax": n % 100}]


@pytest.fixture
def server(env, sandbox):
    acme = sandbox.enabled()
    token = sandbox.token(acme)
    with live_server(env, workers=2, threads=CLIENTS // 2) as base_url:
        yield base_url, token


def test_concurrent_updates_never_lose_a_version(server):
    base_url, token = server

    def one_client(c: int) -> list[tuple[int, dict]]:
        return [request_json(base_url, "POST", UPDATE, {
            "plantId": "PLANT-001", "configUpdateReqCode": f"c{c}-u{u}",
            "timeConfigs": blocks_for(c * UPDATES_EACH + u)}, token)[::2]
            for u in range(UPDATES_EACH)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [a for batch in pool.map(one_client, range(CLIENTS)) for a in batch]

    assert [status for status, _ in answers] == [200] * CLIENTS * UPDATES_EACH, answers[:3]
    versions = sorted(body["version"] for _, body in answers)
    assert versions == list(range(2, 2 + CLIENTS * UPDATES_EACH))
    status, _, config = request_json(base_url, "GET", CONFIG, token=token)
    assert status == 200 and config["version"] == 1 + CLIENTS * UPDATES_EACH


def test_concurrent_retries_of_one_request_apply_it_once(server):
    base_url, token = server
    body = {"plantId": "PLANT-001", "configUpdateReqCode": "same-request",
            "timeConfigs": blocks_for(7)}

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(
            lambda _: request_json(base_url, "POST", UPDATE, body, token), range(CLIENTS)))

    assert {status for status, _, _ in answers} == {200}
    assert {(b["resultCode"], b["version"]) for _, _, b in answers} == {("applied_ok", 2)}
    _, _, config = request_json(base_url, "GET", CONFIG, token=token)
    assert config["version"] == 2 and config["timeConfigs"] == blocks_for(7)


def test_racing_writes_of_one_unique_thing_answer_409_never_500(env, app, sandbox):
    """Simultaneous first enables of one organization, and simultaneous creates of one plant:
    one wins, the others are told of the conflict."""
    from tests.admin_support import bearer, make_user, user_token

    admin = bearer(user_token(app, make_user(app, "root@voke.test")))["Authorization"][7:]
    acme = sandbox.enabled("acme")
    with live_server(env, workers=2, threads=CLIENTS // 2) as base_url:
        for round_ in range(3):
            org_id = sandbox.org(f"race-{round_}")
            with ThreadPoolExecutor(6) as pool:
                enables = list(pool.map(lambda _, o=org_id: request_json(
                    base_url, "POST", f"/api/v1/voke-esm/admin/enable?orgId={o}", token=admin),
                    range(6)))
                creates = list(pool.map(lambda _, r=round_: request_json(
                    base_url, "POST", "/api/v1/voke-esm/admin/plants", {
                        "clientId": acme.client_id, "externalPlantId": f"RACE-{r}",
                        "name": "Race"}, admin), range(6)))
            assert {status for status, _, _ in enables} <= {201, 409}, enables
            assert [status for status, _, _ in creates].count(201) == 1, creates
            assert {status for status, _, _ in creates} == {201, 409}


def test_parallel_wrong_sign_ins_cannot_outrun_the_throttle(tmp_path, database_url, app):
    from tests.admin_support import make_user
    from tests.conftest import base_env

    make_user(app, "root@voke.test")
    env = base_env(tmp_path, database_url, VOKE_LOGIN_RATE_LIMIT="3 per minute",
                   VOKE_LOGIN_ADDRESS_RATE_LIMIT="1000 per minute")
    with live_server(env, workers=1, threads=12) as base_url, ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda _: request_json(
            base_url, "POST", "/api/v1/auth/login",
            {"email": "root@voke.test", "password": "not the password"}), range(12)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [401] * 3 + [429] * 9, statuses
