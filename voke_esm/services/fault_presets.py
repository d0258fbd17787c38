"""One-click fault presets: the failure paths QA tries most, each a fault rule (§6.1) or a
setting of the client's clock (§6.2) or plants (§6.3)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFound
from ..models import FaultRule
from . import clock, plants
from .faults import add_rule

TOKEN_EXPIRY_TTL = 60
SLOW_DEVICE_DELAY = 120

PRESETS: dict[str, dict] = {
    "flaky-partner": {
        "label": "flaky partner", "endpoint": "plant/config/update",
        "effect": {"type": "error", "status": 503, "retryAfter": 30},
        "trigger": {"mode": "probability", "p": 0.2, "seed": 42}},
    "slow-partner": {
        "label": "slow partner", "endpoint": "any",
        "effect": {"type": "latency", "ms": 2000, "jitterMs": 500}},
    "lost-answers": {
        "label": "lost answers", "endpoint": "plant/config/update",
        "effect": {"type": "lost_answer", "status": 504},
        "trigger": {"mode": "next", "count": 3}},
    "rejects-everything": {
        "label": "rejects everything", "endpoint": "plant/config/update",
        "effect": {"type": "reject_config", "details": [
            "timeConfigs: the partner rejects every configuration (preset rejects-everything)"]}},
}
DESCRIPTIONS = {
    "flaky-partner": "20 % of config updates answer 503 (seed 42)",
    "slow-partner": "every call takes 2 s ± 0.5 s",
    "lost-answers": "the next 3 updates are applied, answered 504",
    "rejects-everything": "every update is refused with cfg_rejected",
    "token-expiry": f"new tokens live {TOKEN_EXPIRY_TTL} s (undo: the clock's token lifetime)",
    "slow-device": f"every plant applies updates {SLOW_DEVICE_DELAY} s later "
                   "(undo: each plant's apply delay)",
}


@dataclass(frozen=True)
class Applied:
    """What a preset did: the fault rules it added, and in words what it changed."""

    rules: list[FaultRule]
    message: str


def apply_preset(name: str, client_id: str, plant_id: str | None = None) -> Applied:
    """Turn a preset on for a client (rule presets may be narrowed to one plant)."""
    if name == "token-expiry":
        clock.set_token_ttl(client_id, TOKEN_EXPIRY_TTL)
        return Applied([], f"Tokens issued from now on live {TOKEN_EXPIRY_TTL} s.")
    if name == "slow-device":
        changed = plants.set_apply_delay_for_client(client_id, SLOW_DEVICE_DELAY)
        return Applied([], f"{changed} plant(s) now apply updates {SLOW_DEVICE_DELAY} s later.")
    preset = PRESETS.get(name)
    if preset is None:
        raise NotFound(f"No preset {name!r}; presets: {', '.join(DESCRIPTIONS)}")
    rule = add_rule({**preset, "clientId": client_id, "plantId": plant_id})
    return Applied([rule], f"Fault rule added: {DESCRIPTIONS[name]}.")
