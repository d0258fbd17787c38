"""POST plant/config/update (CONTRACT.md §2): applied, dry run, rejected, disabled, idempotency."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.factories import BLOCK, assert_envelope
from voke_esm.extensions import db
from voke_esm.models import ConfigRevision
from voke_esm.services import plants
from voke_esm.services.plants import same_blocks

CONFIG_URL = "/api/v1/voke-esm/trading/plant/config"
UPDATE_URL = "/api/v1/voke-esm/trading/plant/config/update"
DEFAULT_BLOCKS = [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
                   "socMin": 20}]
NIGHT_AND_DAY = [
    {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90, "socMin": 30},
    {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95, "socMin": 20},
]
PRODUCT_PAGE_BLOCKS = [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50,
                        "socMax": 90, "socMin": 20}]



@pytest.fixture
def acme(sandbox):
    return sandbox.enabled()


@pytest.fixture
def headers(sandbox, acme):
    return sandbox.headers(acme)


def update(client, headers, blocks=None, code="req-abc123", plant_id="PLANT-001", **extra):
    body = {"plantId": plant_id, "configUpdateReqCode": code,
            "timeConfigs": NIGHT_AND_DAY if blocks is None else blocks, **extra}
    return client.post(UPDATE_URL, json=body, headers=headers)


def config(client, headers, plant_id="PLANT-001") -> dict:
    response = client.get(CONFIG_URL, query_string={"plantId": plant_id}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def revisions(app, plant_id="PLANT-001") -> list[tuple[int, str | None]]:
    import sqlalchemy as sa

    from voke_esm.extensions import db
    from voke_esm.models import Plant

    with app.app_context():
        rows = db.session.execute(
            sa.select(ConfigRevision.version, ConfigRevision.config_update_req_code)
            .join(Plant, Plant.id == ConfigRevision.plant_id)
            .where(Plant.external_plant_id == plant_id)
            .order_by(ConfigRevision.version)).all()
        return [tuple(row) for row in rows]


# -- applied -----------------------------------------------------------------------------------

def test_the_product_page_request_is_applied(app, client, headers):
    response = client.post(UPDATE_URL, headers=headers, json={
        "plantId": "PLANT-001", "configUpdateReqCode": "req-abc123", "validateOnly": False,
        "timeConfigs": PRODUCT_PAGE_BLOCKS})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {"resultCode": "applied_ok", "plantId": "PLANT-001",
                             "configUpdateReqCode": "req-abc123", "version": 2}
    assert list(response.json) == ["resultCode", "plantId", "configUpdateReqCode", "version"]


def test_an_applied_update_is_a_new_version_and_a_revision(app, client, headers):
    first = update(client, headers, NIGHT_AND_DAY, code="req-1")
    assert first.json == {"resultCode": "applied_ok", "plantId": "PLANT-001",
                          "configUpdateReqCode": "req-1", "version": 2}
    assert config(client, headers) == {"plantId": "PLANT-001", "version": 2,
                                       "configEnabled": True, "esiState": "PLC_READY",
                                       "timeConfigs": NIGHT_AND_DAY}
    second = update(client, headers, DEFAULT_BLOCKS, code="req-2")
    assert second.status_code == 200 and second.json["version"] == 3
    assert config(client, headers)["timeConfigs"] == DEFAULT_BLOCKS
    assert revisions(app) == [(1, None), (2, "req-1"), (3, "req-2")]


# Fields out of the contract's order, spacing, numbers spelled as another client would.
SENT_BLOCKS = ('[{"socMin": 20, "to": "07:00", "pBatMin": -10.50, "from": "00:00", '
               '"socMax": 95, "pBatMax": 1.0E-7},\n   {"from":"07:00","to":"23:59",'
               '"pBatMax":5e1,"pBatMin":-50,"socMax":90,"socMin":30}]')


def test_plant_config_answers_the_blocks_verbatim(client, headers):
    """CONTRACT §2: storage keeps the blocks as sent and plant/config returns them verbatim.
    Both databases wrote them out again (1.0E-7 as 1e-07), and PostgreSQL's JSONB reordered
    each block's fields, shortest name first."""
    response = client.post(UPDATE_URL, headers=headers, content_type="application/json",
                           data='{"plantId": "PLANT-001", "configUpdateReqCode": "verbatim", '
                                '"timeConfigs": ' + SENT_BLOCKS + "}")
    assert response.json["resultCode"] == "applied_ok"
    answer = client.get(CONFIG_URL, query_string={"plantId": "PLANT-001"}, headers=headers)
    assert answer.data.decode().endswith('"timeConfigs":' + SENT_BLOCKS + "}\n")
    assert answer.json["timeConfigs"] == json.loads(SENT_BLOCKS)


def test_applying_the_same_blocks_again_with_a_new_code_is_a_new_version(client, headers):
    assert update(client, headers, DEFAULT_BLOCKS, code="a").json["version"] == 2
    assert update(client, headers, DEFAULT_BLOCKS, code="b").json["version"] == 3


def test_validate_only_false_is_the_default(client, headers):
    response = client.post(UPDATE_URL, headers=headers, json={
        "plantId": "PLANT-001", "configUpdateReqCode": "req-1", "timeConfigs": NIGHT_AND_DAY})
    assert response.status_code == 200 and response.json["resultCode"] == "applied_ok"


def test_the_applied_log_line(client, headers, caplog):
    with caplog.at_level(logging.INFO, logger="voke_esm"):
        response = update(client, headers, code="req-log")
    assert response.status_code == 200
    applied = [r for r in caplog.records
               if r.getMessage() == "Voke ESM: applied config for PLANT-001"]
    assert len(applied) == 1
    record = applied[0]
    assert record.levelno == logging.INFO
    assert record.name.startswith("voke_esm")
    assert (record.plantId, record.version, record.configUpdateReqCode) == ("PLANT-001", 2,
                                                                            "req-log")


@pytest.mark.parametrize("case", ["dry-run", "rejected", "replay"])
def test_no_applied_log_line_when_nothing_is_applied(client, headers, caplog, case):
    if case == "replay":
        update(client, headers, code="req-1")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="voke_esm"):
        if case == "dry-run":
            update(client, headers, validateOnly=True)
        elif case == "rejected":
            update(client, headers, [{**DEFAULT_BLOCKS[0], "socMin": 99}])
        else:
            update(client, headers, code="req-1")
    assert not [r for r in caplog.records if "applied config" in r.getMessage()]


def test_a_plant_created_later_is_updated_on_its_own(client, sandbox, acme, headers):
    sandbox.plant(acme.client_id, "PLANT-002")
    response = update(client, headers, plant_id="PLANT-002")
    assert response.json["version"] == 2 and response.json["plantId"] == "PLANT-002"
    assert config(client, headers, "PLANT-001")["version"] == 1


# -- dry run -----------------------------------------------------------------------------------

def test_a_dry_run_accepts_and_stores_nothing(app, client, headers):
    response = update(client, headers, NIGHT_AND_DAY, code="dry-1", validateOnly=True)
    assert response.status_code == 200
    assert response.json == {"resultCode": "cfg_accepted", "plantId": "PLANT-001",
                             "configUpdateReqCode": "dry-1", "version": 1}
    assert config(client, headers) == {"plantId": "PLANT-001", "version": 1,
                                       "configEnabled": True, "esiState": "PLC_READY",
                                       "timeConfigs": DEFAULT_BLOCKS}
    assert revisions(app) == [(1, None)]


def test_a_dry_run_reports_the_current_version(client, headers):
    update(client, headers, code="req-1")
    update(client, headers, DEFAULT_BLOCKS, code="req-2")
    response = update(client, headers, NIGHT_AND_DAY, code="dry", validateOnly=True)
    assert response.json["resultCode"] == "cfg_accepted" and response.json["version"] == 3
    assert config(client, headers)["version"] == 3


def test_a_dry_run_does_not_use_up_its_request_code(client, headers):
    assert update(client, headers, code="req-x", validateOnly=True).json["version"] == 1
    # A later real update with the same code, even with other blocks, is applied.
    applied = update(client, headers, DEFAULT_BLOCKS, code="req-x")
    assert applied.status_code == 200
    assert applied.json == {"resultCode": "applied_ok", "plantId": "PLANT-001",
                            "configUpdateReqCode": "req-x", "version": 2}


def test_a_dry_run_of_invalid_blocks_is_rejected(client, headers):
    response = update(client, headers, [{**DEFAULT_BLOCKS[0], "pBatMax": -1}], validateOnly=True)
    body = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["resultCode"] == "cfg_rejected"
    assert body["details"] == ["timeConfigs[0].pBatMax: must be >= 0"]


@pytest.mark.parametrize("value", ["true", 1, 0, None, "yes"], ids=repr)
def test_validate_only_must_be_a_boolean(client, headers, value):
    response = update(client, headers, validateOnly=value)
    body = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["details"] == ["validateOnly: must be true or false"]
    assert config(client, headers)["version"] == 1


# -- rejected ----------------------------------------------------------------------------------

@pytest.mark.parametrize("blocks, details", [
    ([{**DEFAULT_BLOCKS[0], "socMin": 95}], ["timeConfigs[0].socMin: must be <= socMax"]),
    ([NIGHT_AND_DAY[0], {**NIGHT_AND_DAY[1], "to": "07:01"}],
     ["timeConfigs[0].from: overlaps timeConfigs[1] (00:00-07:01)"]),
    ([{**DEFAULT_BLOCKS[0], "from": "7:00", "pBatMin": 5, "extra": True}],
     ["timeConfigs[0].extra: unknown field",
      "timeConfigs[0].from: must be a time HH:MM from 00:00 to 23:59",
      "timeConfigs[0].pBatMin: must be <= 0"]),
    ([NIGHT_AND_DAY[1], {**NIGHT_AND_DAY[0], "socMax": 101, "socMin": "20"}],
     ["timeConfigs[1].socMin: must be a finite number",
      "timeConfigs[1].socMax: must be between 0 and 100"]),
    ([], ["timeConfigs: must have 1 to 96 blocks, got 0"]),
    ([DEFAULT_BLOCKS[0]] * 97, ["timeConfigs: must have 1 to 96 blocks, got 97"]),
    ({"from": "00:00"}, ["timeConfigs: must be a list of 1 to 96 blocks"]),
    (None, ["timeConfigs: must be a list of 1 to 96 blocks"]),
    (["00:00-23:59"], ["timeConfigs[0]: must be an object"]),
], ids=["soc", "overlap", "three-in-one-block", "string-number", "none", "97", "object", "null",
        "string-block"])
def test_invalid_blocks_are_rejected_with_one_line_per_violation(app, client, headers, blocks,
                                                                 details):
    response = client.post(UPDATE_URL, headers=headers, json={
        "plantId": "PLANT-001", "configUpdateReqCode": "req-bad", "timeConfigs": blocks})
    body = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["resultCode"] == "cfg_rejected"
    assert body["details"] == details
    assert config(client, headers)["version"] == 1
    assert revisions(app) == [(1, None)]


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_in_raw_json_are_rejected(client, headers, raw):
    body = ('{"plantId": "PLANT-001", "configUpdateReqCode": "req-nan", "timeConfigs": '
            f'[{{"from": "00:00", "to": "23:59", "pBatMax": {raw}, "pBatMin": -1, '
            '"socMax": 90, "socMin": 20}]}')
    response = client.post(UPDATE_URL, headers=headers, data=body,
                           content_type="application/json")
    envelope = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert envelope["details"] == ["timeConfigs[0].pBatMax: must be a finite number"]
    assert envelope["resultCode"] == "cfg_rejected"


def test_a_rejected_request_code_can_be_used_again(client, headers):
    bad = update(client, headers, [{**DEFAULT_BLOCKS[0], "socMin": 95}], code="req-1")
    assert bad.status_code == 400
    good = update(client, headers, NIGHT_AND_DAY, code="req-1")
    assert good.status_code == 200 and good.json["version"] == 2


@pytest.mark.parametrize("body, details", [
    ({"configUpdateReqCode": "r", "timeConfigs": DEFAULT_BLOCKS}, ["plantId: is required"]),
    ({"plantId": "PLANT-001", "configUpdateReqCode": "r"}, ["timeConfigs: is required"]),
    ({"plantId": 1, "configUpdateReqCode": "r", "timeConfigs": DEFAULT_BLOCKS},
     ["plantId: must be a string"]),
    ({"plantId": "PLANT\x00", "configUpdateReqCode": "r", "timeConfigs": DEFAULT_BLOCKS},
     ["plantId: must not contain NUL characters"]),
    ({}, ["plantId: is required",
          "configUpdateReqCode: is required", "timeConfigs: is required"]),
], ids=["no-plant", "no-blocks", "int-plant", "nul-plant", "empty"])
def test_missing_or_bad_fields_are_400(client, headers, body, details):
    response = client.post(UPDATE_URL, headers=headers, json=body)
    assert assert_envelope(response, 400, "VALIDATION_ERROR")["details"] == details


REQ_CODE_PROBLEM = "configUpdateReqCode: must be 1 to 128 printable characters"


@pytest.mark.parametrize("code", ["", "x" * 129, "req\x00", "req\n1", "\t", "req\x7f", "\u200b",
                                  "a\u2028b", 12, None, ["req"], True],
                         ids=["empty", "129", "nul", "newline", "tab", "del", "zero-width",
                              "line-sep", "int", "null", "list", "bool"])
def test_bad_request_codes_are_refused(client, headers, code):
    response = update(client, headers, code=code)
    body = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [REQ_CODE_PROBLEM]
    assert config(client, headers)["version"] == 1


def test_a_missing_request_code_is_refused(client, headers):
    response = client.post(UPDATE_URL, headers=headers,
                           json={"plantId": "PLANT-001", "timeConfigs": DEFAULT_BLOCKS})
    body = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["details"] == ["configUpdateReqCode: is required"]


@pytest.mark.parametrize("code", ["x", "x" * 128, "req abc-123_~!@#$%^&*()", "čřž-ÄÖÜ-日本"],
                         ids=["1", "128", "punctuation", "unicode"])
def test_good_request_codes_are_accepted(client, headers, code):
    response = update(client, headers, code=code)
    assert response.status_code == 200, response.json
    assert response.json["configUpdateReqCode"] == code


# -- plant not found / config disabled ---------------------------------------------------------

@pytest.mark.parametrize("validate_only", [False, True], ids=["apply", "dry-run"])
def test_an_unknown_plant_is_404(client, headers, validate_only):
    response = update(client, headers, plant_id="PLANT-404", validateOnly=validate_only)
    assert_envelope(response, 404, "PLANT_NOT_FOUND")


def test_another_clients_plant_is_404_and_untouched(client, sandbox, headers):
    beta = sandbox.enabled("beta")
    sandbox.plant(beta.client_id, "BETA-7")
    response = update(client, headers, plant_id="BETA-7")
    assert_envelope(response, 404, "PLANT_NOT_FOUND")
    assert config(client, sandbox.headers(beta), "BETA-7")["version"] == 1


@pytest.mark.parametrize("validate_only", [False, True], ids=["apply", "dry-run"])
def test_a_plant_with_config_disabled_is_409(app, client, sandbox, acme, headers,
                                             validate_only):
    sandbox.plant(acme.client_id, "PLANT-002", configEnabled=False)
    response = update(client, headers, plant_id="PLANT-002", validateOnly=validate_only)
    body = assert_envelope(response, 409, "CONFIG_DISABLED")
    assert body["resultCode"] == "cfg_disabled"
    assert config(client, headers, "PLANT-002")["version"] == 1
    assert revisions(app, "PLANT-002") == [(1, None)]


# -- idempotency -------------------------------------------------------------------------------

def test_the_same_code_and_blocks_return_the_original_answer(app, client, headers):
    first = update(client, headers, NIGHT_AND_DAY, code="req-1")
    again = update(client, headers, NIGHT_AND_DAY, code="req-1")
    assert first.status_code == again.status_code == 200
    assert again.json == first.json == {"resultCode": "applied_ok", "plantId": "PLANT-001",
                                        "configUpdateReqCode": "req-1", "version": 2}
    assert config(client, headers)["version"] == 2
    assert revisions(app) == [(1, None), (2, "req-1")]


def test_a_replay_after_newer_updates_still_answers_its_own_version(app, client, headers):
    update(client, headers, NIGHT_AND_DAY, code="req-1")
    update(client, headers, DEFAULT_BLOCKS, code="req-2")
    replay = update(client, headers, NIGHT_AND_DAY, code="req-1")
    assert replay.status_code == 200
    assert replay.json == {"resultCode": "applied_ok", "plantId": "PLANT-001",
                           "configUpdateReqCode": "req-1", "version": 2}
    current = config(client, headers)
    assert current["version"] == 3 and current["timeConfigs"] == DEFAULT_BLOCKS
    assert revisions(app) == [(1, None), (2, "req-1"), (3, "req-2")]


@pytest.mark.parametrize("other", [
    DEFAULT_BLOCKS,
    list(reversed(NIGHT_AND_DAY)),
    [NIGHT_AND_DAY[0], {**NIGHT_AND_DAY[1], "socMin": 21}],
], ids=["other-blocks", "same-blocks-other-order", "one-value-changed"])
def test_the_same_code_with_other_blocks_is_409_conflict(app, client, headers, other):
    update(client, headers, NIGHT_AND_DAY, code="req-1")
    response = update(client, headers, other, code="req-1")
    assert_envelope(response, 409, "CONFLICT")
    current = config(client, headers)
    assert current["version"] == 2 and current["timeConfigs"] == NIGHT_AND_DAY
    assert revisions(app) == [(1, None), (2, "req-1")]


def test_a_dry_run_with_an_applied_code_and_other_blocks_is_409(client, headers):
    update(client, headers, NIGHT_AND_DAY, code="req-1")
    response = update(client, headers, DEFAULT_BLOCKS, code="req-1", validateOnly=True)
    assert_envelope(response, 409, "CONFLICT")


def test_request_codes_are_per_plant(client, sandbox, acme, headers):
    sandbox.plant(acme.client_id, "PLANT-002")
    one = update(client, headers, NIGHT_AND_DAY, code="shared", plant_id="PLANT-001")
    two = update(client, headers, DEFAULT_BLOCKS, code="shared", plant_id="PLANT-002")
    assert one.json["resultCode"] == two.json["resultCode"] == "applied_ok"
    assert config(client, headers, "PLANT-002")["timeConfigs"] == DEFAULT_BLOCKS


def test_request_codes_are_per_client(client, sandbox, headers):
    beta = sandbox.enabled("beta")
    mine = update(client, headers, NIGHT_AND_DAY, code="shared")
    theirs = update(client, sandbox.headers(beta), DEFAULT_BLOCKS, code="shared")
    assert mine.status_code == theirs.status_code == 200
    assert theirs.json["version"] == 2


def test_request_codes_are_compared_exactly(client, headers):
    assert update(client, headers, NIGHT_AND_DAY, code="req-1").json["version"] == 2
    assert update(client, headers, DEFAULT_BLOCKS, code="REQ-1").json["version"] == 3
    assert update(client, headers, NIGHT_AND_DAY, code="req-1 ").json["version"] == 4


@pytest.mark.parametrize("stored, sent, same", [
    (NIGHT_AND_DAY, NIGHT_AND_DAY, True),
    (NIGHT_AND_DAY, [dict(reversed(block.items())) for block in NIGHT_AND_DAY], True),
    ([{**DEFAULT_BLOCKS[0], "pBatMax": 10**23}], [{**DEFAULT_BLOCKS[0], "pBatMax": 1e23}], True),
    ([{**DEFAULT_BLOCKS[0], "socMax": 90}], [{**DEFAULT_BLOCKS[0], "socMax": 90.0}], True),
    (DEFAULT_BLOCKS, [{**DEFAULT_BLOCKS[0], "socMax": 90.5}], False),
    (DEFAULT_BLOCKS, [{**DEFAULT_BLOCKS[0], "to": "23:58"}], False),
    ([{**DEFAULT_BLOCKS[0], "pBatMax": 2**53 + 1}], [{**DEFAULT_BLOCKS[0], "pBatMax": 2**53}],
     True),  # equal as floats, as JSONB compares them
    (NIGHT_AND_DAY, NIGHT_AND_DAY[::-1], False),  # the order is stored and answered as sent
    (NIGHT_AND_DAY, NIGHT_AND_DAY[:1], False),
], ids=["identical", "key-order", "jsonb-int", "int-float", "other-number", "other-time",
        "float-precision", "block-order", "fewer"])
def test_same_blocks_compares_configurations(stored, sent, same):
    assert same_blocks(stored, sent) is same
    assert same_blocks(sent, stored) is same


def test_a_request_code_stored_meanwhile_is_refused_by_the_unique_index(app, sandbox):
    """The store runs on the driver's cursor; a duplicate (plant, request code) still surfaces
    as SQLAlchemy's IntegrityError, which the update answers by retrying, and stores nothing."""
    acme = sandbox.enabled()
    with app.app_context():
        plant = plants.find_client_plant(acme.client_id, "PLANT-001")
        assert plants._store_config(plant, [BLOCK], "once", "trading") == 2
        with pytest.raises(IntegrityError):
            plants._store_config(plant, [{**BLOCK, "pBatMax": 1}], "once", "trading")
        db.session.rollback()
        stored = db.session.execute(sa.select(ConfigRevision.version, ConfigRevision.time_configs)
                                    .where(ConfigRevision.config_update_req_code == "once")).all()
        db.session.refresh(plant)
        assert (plant.config_version, stored) == (2, [(2, [BLOCK])])
