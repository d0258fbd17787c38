"""One-click fault presets: named sets of fault rules for the failure paths QA tries most."""

from __future__ import annotations

from ..errors import NotFound
from ..models import FaultRule
from .faults import add_rule

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
}


def apply_preset(name: str, client_id: str, plant_id: str | None = None) -> list[FaultRule]:
    """Add the preset's rules for a client (optionally narrowed to one plant)."""
    preset = PRESETS.get(name)
    if preset is None:
        raise NotFound(f"No preset {name!r}; presets: {', '.join(PRESETS)}")
    return [add_rule({**preset, "clientId": client_id, "plantId": plant_id})]
