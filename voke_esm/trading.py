"""The ESM contract Voke's EsmClientService calls (CONTRACT.md §2).

Guard order: loopback (refused callers use no quota) -> rate limit per client -> bearer token.
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, current_app, g, request

from . import fault_injection, oauth2, rate_limit
from .errors import INVALID_REQUEST_CHALLENGE, DomainError
from .extensions import csrf
from .http import (
    NO_STORE,
    bearer_token,
    is_loopback,
    json_body,
    query_arg,
    request_json,
    sent_member,
)
from .models import Plant, utcnow
from .services import journal, plants, sandbox, trading_reads
from .validation import Fields

bp = Blueprint("trading", __name__, url_prefix="/api/v1/voke-esm/trading")
csrf.exempt(bp)


def _token_claims(call, state) -> dict | None:
    """The claims of the bearer token, verified once per call (None: missing or not valid)."""
    if "token_claims" not in state:
        state.token_claims = sandbox.token_claims(bearer_token(call) or "")
    return state.token_claims


def _claimed_client_id(call, state) -> str | None:
    """Who the caller says it is: the submitted clientId on the token endpoint, else the sub
    of a well-signed token (revocation is checked later, by the bearer guard)."""
    if "claimed_client_id" not in state:
        client_id = None
        if call.endpoint == "trading.token":
            body = request_json()
            client_id = (body.get("clientId") if isinstance(body, dict)
                         else oauth2.claimed_client_id())
        else:
            claims = _token_claims(call, state)
            client_id = claims["sub"] if claims else None
        valid = isinstance(client_id, str) and 0 < len(client_id) <= 120
        state.claimed_client_id = client_id if valid else None
    return state.claimed_client_id


def _check_rate_limit(call, state, expression: str) -> None:
    """One moving-window hit per call. Token requests are counted apart from the bearer
    calls: anyone on loopback can name a client's (public) clientId with a wrong secret, and
    that must not use up the API calls of the client's valid token."""
    client_id = _claimed_client_id(call, state)
    decision = rate_limit.limiter().hit(
        expression, "voke-esm-token" if call.endpoint == "trading.token"
        else "voke-esm-trading",
        f"client:{client_id}" if client_id else f"address:{call.remote_addr}")
    state.rate_limit_headers = decision.headers
    if not decision.allowed:
        raise DomainError("TOO_MANY_REQUESTS", f"Rate limit exceeded: {expression}")


# The proxies (request, g, current_app) are resolved once per hook: a trading call read them
# some forty times, at about a microsecond each.
@bp.before_request
def guard():
    call, state, config = request._get_current_object(), g._get_current_object(), \
        current_app.config
    state.started = time.perf_counter()
    if not config["VOKE_ESM_ENABLED"]:
        raise DomainError("SERVICE_UNAVAILABLE", "Voke ESM is disabled (VOKE_ESM_ENABLED=false)")
    if not is_loopback(call.remote_addr):
        raise DomainError("FORBIDDEN", "Voke ESM answers loopback callers only")
    _check_rate_limit(call, state, config["VOKE_ESM_RATE_LIMIT"])
    endpoint = call.endpoint
    if endpoint != "trading.token":
        if "access_token" in call.args:  # RFC 6750 §2.3: URLs end up in logs and caches
            raise DomainError("BAD_REQUEST", "Send the access token in the Authorization "
                              "header, not in the query string",
                              headers={"WWW-Authenticate": INVALID_REQUEST_CHALLENGE})
        # The one place the caller is resolved: the client, and the plant the call names when
        # it names one, in one query.
        state.plant_asked = _plant_asked(call)
        state.esm_client, state.esm_plants = trading_reads.client_from_token(
            bearer_token(call), _token_claims(call, state), state.plant_asked,
            trading_reads.PlantRow if endpoint == "trading.plant_config"
            else trading_reads.PlantBrief,  # only a config read shows the blocks
            every_plant=endpoint == "trading.plant_list")
        client = state.esm_client
    else:  # the token endpoint: the client the submitted clientId names, if any
        client_id = _claimed_client_id(call, state)
        client = trading_reads.client_by_id(client_id) if client_id is not None else None
    return fault_injection.intercept(
        client.client_id if client else _claimed_client_id(call, state),
        client.fault_rules_version if client else 0)


def _plant_asked(call) -> str | None:
    """The plantId a call names (query or body), if it could name a plant at all."""
    body = request_json() if call.method == "POST" else None
    plant_id = body.get("plantId") if isinstance(body, dict) else call.args.get("plantId")
    return plant_id if plants.could_be_plant_id(plant_id) else None


def _plant(plant_id: str) -> Plant | trading_reads.PlantRow | trading_reads.PlantBrief:
    """The caller's plant `plant_id` (settled); usually fetched by the guard with the client."""
    state = g._get_current_object()
    if plant_id == state.plant_asked:
        if not state.esm_plants:
            raise plants.plant_not_found(plant_id)
        return trading_reads.settled(state.esm_plants[0])
    return plants.find_client_plant(state.esm_client.client_id, plant_id)


def record_in_journal(call, state, response, config):
    """What a loopback caller sent and got, for QA; callers refused by the loopback guard are
    not recorded, so they cannot fill the journal."""
    if not config.get("VOKE_ESM_JOURNAL", True) or not is_loopback(call.remote_addr):
        return response
    body = sent = None
    # (0 or None: no body; werkzeug's content_length costs two KeyErrors when none was sent)
    if call.environ.get("CONTENT_LENGTH") and call.content_length:
        if oauth2.is_form_request():
            body = oauth2.form_for_journal()
        else:  # JSON, and the bytes it was parsed from (a body too large to read is None)
            body = request_json()
            sent = call.get_data(cache=True) if body is not None else None
    # Only updates, tokens and errors carry a resultCode or code: a read's answer is not
    # parsed again.
    answer = (response.get_json(silent=True) if (
        call.method == "POST" or response.status_code >= 400) and response.is_json else None)
    plant_id = call.args.get("plantId") or (body.get("plantId") if isinstance(body, dict)
                                             else None)
    client_id = _claimed_client_id(call, state)
    started = state.get("started")
    journal.record(
        created_at=utcnow(), client_id=journal.clean(client_id, 120) if client_id else None,
        remote_addr=call.remote_addr or "", method=call.method,
        path=journal.clean(call.path, 200),
        query=journal.clean_query(call.query_string.decode("utf-8", "replace"), 500),
        plant_id=journal.clean(plant_id, 64) if isinstance(plant_id, str) else None,
        config_update_req_code=_text(body, "configUpdateReqCode"),
        request_body=journal.safe_body(body, sent)
        if body is not None and call.content_length <= journal.MAX_BODY_BYTES else None,
        status=response.status_code,
        outcome=(answer.get("resultCode") or answer.get("code") or answer.get("error"))
        if isinstance(answer, dict) else None,
        duration_ms=(time.perf_counter() - started) * 1000 if started is not None else 0.0,
        faults=state.get("faults_fired"), request_headers=journal.safe_headers(call.environ),
        response_body=journal.safe_answer(response))
    return response


@bp.after_request
def finish(response):
    """A lost answer replaces the real one; X-RateLimit-* on every counted call (429 or not);
    an injected fault's own headers override them; the journal records what Voke gets."""
    state = g._get_current_object()
    response = fault_injection.lose_answer(response)
    response.headers.update(state.get("rate_limit_headers", ()))
    return record_in_journal(request._get_current_object(), state,
                             fault_injection.final_headers(response), current_app.config)


def _text(body: object, key: str) -> str | None:
    value = body.get(key) if isinstance(body, dict) else None
    return journal.clean(value, 128) if isinstance(value, str) else None


@bp.post("/token")
def token():
    if oauth2.is_form_request():
        return oauth2.client_credentials_grant()
    fields = Fields(json_body())
    fields.string("clientId", max_len=120)
    fields.string("clientSecret", max_len=512)
    values = fields.done()
    client = sandbox.authenticate_client(values["clientId"], values["clientSecret"])
    access_token, ttl = sandbox.issue_client_token(client)
    return ({"accessToken": access_token, "tokenType": "Bearer", "expiresIn": ttl}, 200,
            NO_STORE)


@bp.get("/plant/list")
def plant_list():
    return [_plant_summary(trading_reads.settled(plant)) for plant in g.esm_plants]


@bp.get("/plant/config")
def plant_config():
    plant = _plant(query_arg("plantId", required=True))
    answer = {"plantId": plant.external_plant_id, "version": plant.config_version,
              "configEnabled": plant.config_enabled, "esiState": plant.esi_state}
    if isinstance(plant.time_configs, str):  # the stored JSON text (trading_reads)
        return _with_json_text(answer, "timeConfigs", plant.time_configs)
    return {**answer, "timeConfigs": plant.time_configs}


def _with_json_text(answer: dict, name: str, text: str):
    """`answer` with a last member whose value is JSON text already, as stored in compact
    form: spliced in as it is, not parsed and dumped again (96 blocks are 10 KB)."""
    head = current_app.json.dumps(answer, separators=(",", ":"))
    return current_app.response_class(f"{head[:-1]},{json.dumps(name)}:{text}}}\n",
                                      mimetype=current_app.json.mimetype)


@bp.post("/plant/config/update")
def plant_config_update():
    fields = Fields(json_body())
    fields.string("plantId", max_len=64)
    fields.custom("configUpdateReqCode", None, _req_code_problems)
    fields.boolean("validateOnly", default=False)
    if "timeConfigs" not in fields.data:
        fields.details.append("timeConfigs: is required")
    values = fields.done(resultCode="cfg_rejected")
    plant = _plant(values["plantId"])
    result = plants.apply_config_update(plant, fields.data["timeConfigs"],
                                        values["configUpdateReqCode"], values["validateOnly"],
                                        source="trading", sent=sent_member("timeConfigs"))
    return {"resultCode": result.result_code, "plantId": values["plantId"],
            "configUpdateReqCode": values["configUpdateReqCode"], "version": result.version}


def _req_code_problems(value: object) -> list[str]:
    if isinstance(value, str) and 1 <= len(value) <= 128 and value.isprintable():
        return []
    return ["configUpdateReqCode: must be 1 to 128 printable characters"]


def _plant_summary(plant: Plant | trading_reads.PlantBrief) -> dict:
    return {"plantId": plant.external_plant_id, "name": plant.name, "descr": plant.description,
            "fvePeakPowerKwp": plant.fve_peak_power_kwp, "capacityKwh": plant.capacity_kwh,
            "esiState": plant.esi_state, "configEnabled": plant.config_enabled,
            "plantWithLoad": plant.plant_with_load, "meters": []}
