"""The ESM contract Voke's EsmClientService calls (CONTRACT.md §2).

Guard order: loopback (refused callers use no quota) -> rate limit per client -> bearer token.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, request

from .errors import DomainError, ValidationError
from .extensions import csrf, limiter
from .http import bearer_token, is_loopback, json_body
from .models import Plant
from .services import plants, sandbox
from .validation import Fields

bp = Blueprint("trading", __name__, url_prefix="/api/v1/voke-esm/trading")
csrf.exempt(bp)


def _not_loopback() -> bool:
    return not is_loopback(request.remote_addr)


def _rate_limit_key() -> str:
    """The calling client: the submitted clientId on the token endpoint, else the token's sub."""
    client_id = None
    if request.endpoint == "trading.token":
        try:
            body = json.loads(request.get_data(cache=True))
            client_id = body.get("clientId") if isinstance(body, dict) else None
        except Exception:  # noqa: BLE001 - a bad body is refused by the view, not here
            client_id = None
    else:
        claims = sandbox.token_claims(bearer_token() or "")
        client_id = claims["sub"] if claims else None
    if isinstance(client_id, str) and client_id:
        return f"client:{client_id}"
    return f"address:{request.remote_addr}"


limiter.shared_limit(lambda: current_app.config["VOKE_ESM_RATE_LIMIT"], scope="voke-esm-trading",
                     key_func=_rate_limit_key, exempt_when=_not_loopback)(bp)


@bp.before_request
def guard():
    if not current_app.config["VOKE_ESM_ENABLED"]:
        raise DomainError("SERVICE_UNAVAILABLE", "Voke ESM is disabled (VOKE_ESM_ENABLED=false)")
    if _not_loopback():
        raise DomainError("FORBIDDEN", "Voke ESM answers loopback callers only")
    if request.endpoint != "trading.token":
        g.esm_client = sandbox.client_from_token(bearer_token())


@bp.post("/token")
def token():
    fields = Fields(json_body())
    fields.string("clientId", max_len=120)
    fields.string("clientSecret", max_len=512)
    values = fields.done()
    client = sandbox.authenticate_client(values["clientId"], values["clientSecret"])
    access_token, ttl = sandbox.issue_client_token(client)
    return ({"accessToken": access_token, "tokenType": "Bearer", "expiresIn": ttl}, 200,
            {"Cache-Control": "no-store", "Pragma": "no-cache"})


@bp.get("/plant/list")
def plant_list():
    return [_plant_summary(plant) for plant in plants.list_plants(g.esm_client.client_id)]


@bp.get("/plant/config")
def plant_config():
    plant_id = request.args.get("plantId", "")
    if not plant_id:
        raise ValidationError(["plantId: is required"])
    plant = plants.find_client_plant(g.esm_client.client_id, plant_id)
    return {"plantId": plant.external_plant_id, "version": plant.config_version,
            "configEnabled": plant.config_enabled, "esiState": plant.esi_state,
            "timeConfigs": plant.time_configs}


@bp.post("/plant/config/update")
def plant_config_update():
    fields = Fields(json_body())
    fields.string("plantId", max_len=64)
    fields.custom("configUpdateReqCode", None, _req_code_problems)
    fields.boolean("validateOnly", default=False)
    if "timeConfigs" not in fields.data:
        fields.details.append("timeConfigs: is required")
    values = fields.done(resultCode="cfg_rejected")
    plant = plants.find_client_plant(g.esm_client.client_id, values["plantId"])
    result = plants.apply_config_update(plant, fields.data["timeConfigs"],
                                        values["configUpdateReqCode"], values["validateOnly"],
                                        source="trading")
    return {"resultCode": result.result_code, "plantId": values["plantId"],
            "configUpdateReqCode": values["configUpdateReqCode"], "version": result.version}


def _req_code_problems(value: object) -> list[str]:
    if isinstance(value, str) and 1 <= len(value) <= 128 and value.isprintable():
        return []
    return ["configUpdateReqCode: must be 1 to 128 printable characters"]


def _plant_summary(plant: Plant) -> dict:
    return {"plantId": plant.external_plant_id, "name": plant.name, "descr": plant.description,
            "fvePeakPowerKwp": plant.fve_peak_power_kwp, "capacityKwh": plant.capacity_kwh,
            "esiState": plant.esi_state, "configEnabled": plant.config_enabled,
            "plantWithLoad": plant.plant_with_load, "meters": []}
