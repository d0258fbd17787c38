"""Trading reads remembered between writes (read_memo.py): every write through the sandbox, in
any process, shows on the next call; a write made outside it within VOKE_ESM_READ_MEMO_SECONDS."""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa

from tests.conftest import app_for
from tests.factories import BLOCK, Sandbox
from tests.live import live_server, request_json
from voke_esm import read_memo
from voke_esm.extensions import db
from voke_esm.models import EsmClient, Plant
from voke_esm.services import organizations
from voke_esm.services import sandbox as sandbox_service

CONFIG = "/api/v1/voke-esm/trading/plant/config?plantId=PLANT-001"
UPDATE = "/api/v1/voke-esm/trading/plant/config/update"
LIST = "/api/v1/voke-esm/trading/plant/list"


def esi_state(base_url: str, token: str) -> object:
    status, _, body = request_json(base_url, "GET", CONFIG, token=token)
    return body["esiState"] if status == 200 else status


def set_esi_state(app, state: str) -> None:
    """Through the sandbox's own session: a commit, in this process."""
    with app.app_context():
        db.session.execute(sa.update(Plant).values(esi_state=state))
        db.session.commit()


def test_a_write_in_another_process_shows_on_the_next_call(app, env, sandbox):
    acme = sandbox.enabled()
    token = sandbox.token(acme)
    with live_server(env, workers=2, threads=4) as base_url:
        for state in ("PLC_OFFLINE", "PLC_READY", "PLC_ERROR"):
            for _ in range(4):  # every worker has remembered the answer
                assert esi_state(base_url, token) != state
            set_esi_state(app, state)  # this test's process, not the server's
            assert [esi_state(base_url, token) for _ in range(4)] == [state] * 4
        with app.app_context():
            sandbox_service.disable(organizations.get_organization_by_slug("acme"))
        assert [esi_state(base_url, token) for _ in range(4)] == [401] * 4


def test_an_update_through_one_process_shows_in_every_other_at_once(app, env, sandbox):
    """The half of the marker a trading update changes is shared like the other: every
    worker's remembered config read is forgotten, and the new version is answered at once."""
    token = sandbox.token(sandbox.enabled())
    with live_server(env, workers=2, threads=4) as base_url:
        for version in (2, 3, 4):
            for _ in range(8):  # every worker has remembered the answer
                assert request_json(base_url, "GET", CONFIG, token=token)[2]["version"] == \
                    version - 1
            status, _, body = request_json(base_url, "POST", UPDATE, token=token, body={
                "plantId": "PLANT-001", "configUpdateReqCode": f"live-{version}",
                "timeConfigs": [{**BLOCK, "socMin": version}]})
            assert (status, body["version"]) == (200, version)
            answers = [request_json(base_url, "GET", CONFIG, token=token)[2]
                       for _ in range(8)]
            assert {(a["version"], a["timeConfigs"][0]["socMin"]) for a in answers} == {
                (version, version)}


def raw_write(app, sql: str) -> None:
    """On the driver's own connection: no SQLAlchemy commit, so the marker does not move."""
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            connection.cursor().execute(sql)
            connection.commit()
        finally:
            connection.close()


def test_a_write_made_outside_the_sandbox_shows_within_the_setting(app, client, sandbox):
    headers = sandbox.headers(sandbox.enabled())

    def answered() -> str:
        return client.get(CONFIG, headers=headers).json["esiState"]

    assert answered() == "PLC_READY"
    raw_write(app, "UPDATE voke_esm_plants SET esi_state = 'PLC_OFFLINE'")
    changed_at = time.monotonic()
    assert answered() == "PLC_READY"  # remembered: proof the memo is in the path
    while answered() != "PLC_OFFLINE":
        assert time.monotonic() - changed_at <= app.config["VOKE_ESM_READ_MEMO_SECONDS"] + 0.2
        time.sleep(0.05)


def test_every_commit_changes_the_marker_and_a_read_does_not(app, sandbox):
    sandbox.enabled()
    marker = app.extensions["voke_esm_write_marker"]
    before = marker.read()
    with app.app_context():
        db.session.scalars(sa.select(EsmClient)).all()
        db.session.rollback()
        assert marker.read() == before
        db.session.execute(sa.update(EsmClient).values(token_ttl_seconds=600))
        db.session.commit()
    assert marker.read() != before


def recorded_loads() -> tuple[list[str], Callable[[str], Callable[[], str]]]:
    """The values asked for, in order, and `load(value)`: a loader that records `value`."""
    loads: list[str] = []

    def load(value: str) -> Callable[[], str]:
        return lambda: loads.append(value) or value
    return loads, load


def test_answers_are_remembered_per_key_until_the_marker_changes_or_they_age(tmp_path):
    memo = read_memo.ReadMemo(read_memo.WriteMarker(tmp_path / "marker"), fresh_for=60)
    loads, load = recorded_loads()
    assert memo.get("a", load("a1")) == "a1"
    assert memo.get("a", load("a2")) == "a1"
    assert memo.get("b", load("b1")) == "b1"
    read_memo.WriteMarker(tmp_path / "marker").bump()  # another process's mapping
    assert memo.get("a", load("a3")) == "a3"
    memo.fresh_for = 0.0
    assert memo.get("a", load("a4")) == "a4"
    assert loads == ["a1", "b1", "a3", "a4"]


def test_a_store_of_configs_forgets_only_answers_that_show_configs(tmp_path):
    memo = read_memo.ReadMemo(read_memo.WriteMarker(tmp_path / "marker"), fresh_for=60)
    loads, load = recorded_loads()
    assert memo.get("client", load("c1"), config_free=True) == "c1"
    assert memo.get("config", load("k1")) == "k1"
    other_process = read_memo.WriteMarker(tmp_path / "marker")
    other_process.bump(configs=True)
    assert memo.get("client", load("c2"), config_free=True) == "c1"
    assert memo.get("config", load("k2")) == "k2"
    other_process.bump()  # any other write
    assert memo.get("client", load("c3"), config_free=True) == "c3"
    assert memo.get("config", load("k3")) == "k3"
    assert loads == ["c1", "k1", "k2", "c3", "k3"]


def test_a_trading_update_keeps_the_callers_client_and_plants_remembered(env):
    """An applied update changes a version and blocks: a config read shows them at once, while
    what no update changes (here a state written behind the marker's back) stays remembered."""
    with app_for({**env, "VOKE_ESM_READ_MEMO_SECONDS": "60"}) as app:
        world = Sandbox(app)
        headers = world.headers(world.enabled())
        client = app.test_client()
        assert client.get(LIST, headers=headers).json[0]["esiState"] == "PLC_READY"
        assert client.get(CONFIG, headers=headers).json["version"] == 1
        raw_write(app, "UPDATE voke_esm_plants SET esi_state = 'PLC_OFFLINE'")

        def update(code: str, **extra) -> dict:
            response = client.post(UPDATE, headers=headers, json={
                "plantId": "PLANT-001", "configUpdateReqCode": code,
                "timeConfigs": [{**BLOCK, "socMax": 80}], **extra})
            assert response.status_code == 200, response.json
            return response.json

        assert update("u1")["version"] == 2
        assert client.get(LIST, headers=headers).json[0]["esiState"] == "PLC_READY"
        config = client.get(CONFIG, headers=headers).json
        assert (config["version"], config["esiState"]) == (2, "PLC_OFFLINE")
        assert config["timeConfigs"][0]["socMax"] == 80
        # The update's plant is remembered without its version: a dry run asks for it.
        assert update("u2", validateOnly=True) == {
            "resultCode": "cfg_accepted", "plantId": "PLANT-001",
            "configUpdateReqCode": "u2", "version": 2}
        assert update("u3")["version"] == 3
        assert update("u4", validateOnly=True)["version"] == 3
        assert update("u3")["version"] == 3  # a retry: its revision answers


def test_without_a_writable_instance_folder_nothing_is_remembered(env, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with app_for({**env, "VOKE_ESM_INSTANCE_PATH": str(blocker / "instance")}) as app:
        assert "voke_esm_read_memo" not in app.extensions
        world = Sandbox(app)
        headers = world.headers(world.enabled())
        response = app.test_client().get(CONFIG, headers=headers)
        assert response.status_code == 200
    assert "this process remembers no trading read" in caplog.text



def test_zero_seconds_remembers_nothing_and_still_tells_other_processes(env):
    with app_for({**env, "VOKE_ESM_READ_MEMO_SECONDS": "0"}) as app:
        assert "voke_esm_read_memo" not in app.extensions
        world = Sandbox(app)
        headers = world.headers(world.enabled())
        client = app.test_client()
        assert client.get(CONFIG, headers=headers).json["esiState"] == "PLC_READY"
        raw_write(app, "UPDATE voke_esm_plants SET esi_state = 'PLC_OFFLINE'")
        assert client.get(CONFIG, headers=headers).json["esiState"] == "PLC_OFFLINE"
        marker = app.extensions["voke_esm_write_marker"]
        before = marker.read()
        set_esi_state(app, "PLC_READY")
        assert marker.read() != before
