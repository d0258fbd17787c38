"""What a fault rule may say (CONTRACT.md §6.1): one validator for the admin API, CLI and UI."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from .timeconfig import is_number
from .validation import Fields

ENDPOINTS = ("any", "token", "plant/list", "plant/config", "plant/config/update")
ERROR_STATUSES = (500, 502, 503, 504)
EFFECTS = ("latency", "error", "rate_limited", "invalid_token", "reject_config",
           "config_disabled", "lost_answer", "hang", "malformed_body")
UPDATE_ONLY = ("reject_config", "config_disabled", "lost_answer")
TRIGGERS = ("always", "next", "probability")
# gunicorn.conf.py's `timeout` is 30 s: a held call must answer well before a worker could be
# killed for it, so the longest hold or delay is that minus a 5 s margin.
MAX_HOLD_SECONDS = 25
MAX_HOLD_MS = MAX_HOLD_SECONDS * 1000
MAX_COUNT = 1_000_000
MAX_DETAILS = 20
DEFAULT_REJECT_DETAILS = ["timeConfigs: rejected by the partner (fault rule)"]
RULE_KEYS = {"clientId", "plantId", "endpoint", "effect", "trigger", "expiresAt", "label"}


def read_fault_rule(data: dict, now: datetime | None = None) -> dict:
    """The rule's values from its JSON body, or one ValidationError with a line per problem."""
    fields = Fields(data)
    fields.string("clientId", "client_id", max_len=120)
    fields.string("plantId", "plant_id", max_len=64, default=None, nullable=True)
    fields.custom("endpoint", None, _endpoint_problems, default="any")
    fields.custom("effect", None, _effect_problems)
    fields.custom("trigger", None, _trigger_problems, default=lambda: {"mode": "always"})
    fields.custom("expiresAt", "expires_at", lambda v: _expiry_problems(v, now), default=None)
    fields.string("label", max_len=100, min_len=0, default=None, nullable=True)
    fields.reject_unknown(RULE_KEYS)
    effect = fields.values.get("effect")
    endpoint = fields.values.get("endpoint", "any")
    if isinstance(effect, dict) and effect["type"] in UPDATE_ONLY \
            and endpoint != "plant/config/update":
        fields.details.append(f"endpoint: must be plant/config/update for a "
                              f"{effect['type']} effect")
    values = fields.done()
    values["effect"] = normalized_effect(values["effect"])
    if isinstance(values["expires_at"], str):
        values["expires_at"] = parse_time(values["expires_at"])
    return values


def normalized_effect(effect: dict) -> dict:
    """The effect with its defaults filled in, as stored and shown."""
    kind = effect["type"]
    if kind == "latency":
        return {"type": kind, "ms": effect["ms"], "jitterMs": effect.get("jitterMs", 0)}
    if kind == "reject_config":
        return {"type": kind, "details": effect.get("details") or DEFAULT_REJECT_DETAILS}
    if kind == "lost_answer":
        return {"type": kind, "status": effect.get("status", 504)}
    if kind == "rate_limited":
        return {"type": kind, "retryAfter": effect.get("retryAfter", 60)}
    return dict(effect)


def fires(trigger: dict, k: int) -> bool:
    """Whether the k-th matching call (1-based) of a probability rule fires: the same seed
    replays the same sequence on every worker and every run."""
    return random.Random(f"{trigger['seed']}:{k}").random() < trigger["p"]  # noqa: S311


def describe(effect: dict) -> str:
    """An effect in a few words, for people (CLI, UI, journal)."""
    words = [effect["type"]]
    for key, value in effect.items():
        if key != "type":
            shown = f"{len(value)} line(s)" if isinstance(value, list) else value
            words.append(f"{key}={shown}")
    return " ".join(words)


def describe_trigger(trigger: dict) -> str:
    if trigger["mode"] == "next":
        return f"next {trigger['count']}"
    if trigger["mode"] == "probability":
        return f"p={trigger['p']} seed={trigger['seed']}"
    return "always"



def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time with an offset (or Z), as UTC; None when it is not one."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo is not None else None


def _endpoint_problems(value: object) -> list[str]:
    return [] if value in ENDPOINTS else [f"endpoint: must be one of {', '.join(ENDPOINTS)}"]


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_keys(obj: dict, name: str, allowed: set[str], problems: list[str]) -> None:
    problems.extend(f"{name}.{key}: unknown field" for key in obj if key not in allowed)


def _effect_problems(effect: object) -> list[str]:
    if not isinstance(effect, dict):
        return ["effect: must be an object with a type"]
    kind = effect.get("type")
    if kind not in EFFECTS:
        return [f"effect.type: must be one of {', '.join(EFFECTS)}"]
    problems: list[str] = []
    allowed = {"type", *EFFECT_FIELDS[kind]}
    _check_keys(effect, "effect", allowed, problems)
    for key, (required, check, hint) in EFFECT_FIELDS[kind].items():
        if key not in effect:
            if required:
                problems.append(f"effect.{key}: is required")
        elif not check(effect[key]):
            problems.append(f"effect.{key}: {hint}")
    return problems


def _details_ok(value: object) -> bool:
    return (isinstance(value, list) and 1 <= len(value) <= MAX_DETAILS
            and all(isinstance(line, str) and 1 <= len(line) <= 200 and "\x00" not in line
                    for line in value))


_STATUS = (lambda v: v in ERROR_STATUSES and not isinstance(v, bool),
           "must be one of 500, 502, 503, 504")
_RETRY_AFTER = (lambda v: _whole(v, 1, 86400), "must be a whole number of seconds, 1 to 86400")
EFFECT_FIELDS: dict[str, dict[str, tuple]] = {
    "latency": {
        "ms": (True, lambda v: _whole(v, 0, MAX_HOLD_MS),
               f"must be a whole number of milliseconds, 0 to {MAX_HOLD_MS}"),
        "jitterMs": (False, lambda v: _whole(v, 0, MAX_HOLD_MS),
                     f"must be a whole number of milliseconds, 0 to {MAX_HOLD_MS}")},
    "error": {"status": (True, *_STATUS), "retryAfter": (False, *_RETRY_AFTER)},
    "rate_limited": {"retryAfter": (False, *_RETRY_AFTER)},
    "invalid_token": {},
    "reject_config": {"details": (False, _details_ok,
                                  f"must be a list of 1 to {MAX_DETAILS} lines of 1 to 200 "
                                  "characters")},
    "config_disabled": {},
    "lost_answer": {"status": (False, *_STATUS)},
    "hang": {"seconds": (True, lambda v: is_number(v) and 0 < v <= MAX_HOLD_SECONDS,
                         f"must be a number of seconds above 0, at most {MAX_HOLD_SECONDS} "
                         "(the server's timeout minus a margin)")},
    "malformed_body": {},
}


def _trigger_problems(trigger: object) -> list[str]:
    if not isinstance(trigger, dict):
        return ["trigger: must be an object with a mode"]
    mode = trigger.get("mode")
    if mode not in TRIGGERS:
        return [f"trigger.mode: must be one of {', '.join(TRIGGERS)}"]
    problems: list[str] = []
    if mode == "always":
        _check_keys(trigger, "trigger", {"mode"}, problems)
    elif mode == "next":
        _check_keys(trigger, "trigger", {"mode", "count"}, problems)
        if not _whole(trigger.get("count"), 1, MAX_COUNT):
            problems.append(f"trigger.count: must be a whole number from 1 to {MAX_COUNT}")
    else:
        _check_keys(trigger, "trigger", {"mode", "p", "seed"}, problems)
        p = trigger.get("p")
        if not (is_number(p) and 0 <= p <= 1):
            problems.append("trigger.p: must be a number from 0 to 1")
        if not _whole(trigger.get("seed"), -(2**63), 2**63 - 1):
            problems.append("trigger.seed: must be a whole number")
    return problems


def _expiry_problems(value: object, now: datetime | None) -> list[str]:
    if value is None:
        return []
    moment = parse_time(value) if isinstance(value, str) and "\x00" not in value else None
    if moment is None:
        return ["expiresAt: must be an ISO 8601 time with a UTC offset, or null"]
    if moment <= (now or datetime.now(UTC)):
        return ["expiresAt: must be in the future"]
    return []

