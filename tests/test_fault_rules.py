"""The fault-rule validator and the seeded probability trigger: pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voke_esm.errors import ValidationError
from voke_esm.fault_rules import MAX_HOLD_SECONDS, fires, read_fault_rule

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def details_of(body: dict) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_fault_rule({"clientId": "c", **body}, now=NOW)
    return caught.value.details


def test_defaults_and_normalized_effects():
    values = read_fault_rule({"clientId": "c", "effect": {"type": "latency", "ms": 5}}, now=NOW)
    assert values == {"client_id": "c", "plant_id": None, "endpoint": "any",
                      "effect": {"type": "latency", "ms": 5, "jitterMs": 0},
                      "trigger": {"mode": "always"}, "expires_at": None, "label": None}
    lost = read_fault_rule({"clientId": "c", "endpoint": "plant/config/update",
                            "effect": {"type": "lost_answer"},
                            "expiresAt": "2026-11-26T14:00:00+01:00"}, now=NOW)
    assert lost["effect"] == {"type": "lost_answer", "status": 504}
    assert lost["expires_at"] == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert read_fault_rule({"clientId": "c", "effect": {"type": "rate_limited"}},
                           now=NOW)["effect"] == {"type": "rate_limited", "retryAfter": 60}


@pytest.mark.parametrize(("body", "expected"), [
    ({}, ["effect: is required"]),
    ({"effect": {"type": "boom"}}, ["effect.type: must be one of latency, error, rate_limited, "
                                    "invalid_token, reject_config, config_disabled, "
                                    "lost_answer, hang, malformed_body"]),
    ({"effect": []}, ["effect: must be an object with a type"]),
    ({"effect": {"type": "error"}}, ["effect.status: is required"]),
    ({"effect": {"type": "error", "status": 404}},
     ["effect.status: must be one of 500, 502, 503, 504"]),
    ({"effect": {"type": "error", "status": 503, "retryAfter": True}},
     ["effect.retryAfter: must be a whole number of seconds, 1 to 86400"]),
    ({"effect": {"type": "latency", "ms": -1, "jitter": 3}},
     ["effect.jitter: unknown field",
      "effect.ms: must be a whole number of milliseconds, 0 to 25000"]),
    ({"effect": {"type": "hang", "seconds": MAX_HOLD_SECONDS + 1}},
     [f"effect.seconds: must be a number of seconds above 0, at most {MAX_HOLD_SECONDS} "
      "(the server's timeout minus a margin)"]),
    ({"endpoint": "plant/config/update", "effect": {"type": "reject_config", "details": []}},
     ["effect.details: must be a list of 1 to 20 lines of 1 to 200 characters"]),
    ({"endpoint": "any", "effect": {"type": "config_disabled"}},
     ["endpoint: must be plant/config/update for a config_disabled effect"]),
    ({"endpoint": "plant", "effect": {"type": "malformed_body"}},
     ["endpoint: must be one of any, token, plant/list, plant/config, plant/config/update"]),
    ({"effect": {"type": "invalid_token"}, "trigger": {"mode": "next", "count": 0}},
     ["trigger.count: must be a whole number from 1 to 1000000"]),
    ({"effect": {"type": "invalid_token"}, "trigger": {"mode": "always", "count": 1}},
     ["trigger.count: unknown field"]),
    ({"effect": {"type": "invalid_token"}, "trigger": {"mode": "probability", "p": 0.5,
                                                        "seed": 1.5}},
     ["trigger.seed: must be a whole number"]),
    ({"effect": {"type": "invalid_token"}, "trigger": "always"},
     ["trigger: must be an object with a mode"]),
    ({"effect": {"type": "invalid_token"}, "expiresAt": "2026-11-26T11:00:00Z"},
     ["expiresAt: must be in the future"]),
    ({"effect": {"type": "invalid_token"}, "expiresAt": "2099-01-01T00:00:00"},
     ["expiresAt: must be an ISO 8601 time with a UTC offset, or null"]),
    ({"effect": {"type": "invalid_token"}, "plantId": "P\x00", "label": 3},
     ["plantId: must not contain NUL characters", "label: must be a string"]),
])
def test_invalid_rules(body, expected):
    assert details_of(body) == expected


def test_seeded_probability_replays_the_same_sequence():
    trigger = {"mode": "probability", "p": 0.2, "seed": 42}
    first = [fires(trigger, k) for k in range(1, 1001)]
    assert first == [fires(dict(trigger), k) for k in range(1, 1001)]
    assert 150 <= sum(first) <= 250  # about p of the calls
    other_seed = [fires({**trigger, "seed": 43}, k) for k in range(1, 1001)]
    assert other_seed != first
    assert not any(fires({**trigger, "p": 0}, k) for k in range(1, 200))
    assert all(fires({**trigger, "p": 1}, k) for k in range(1, 200))
