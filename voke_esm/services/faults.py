"""Fault rules (CONTRACT.md §6.1): kept per client in the database, so every worker and every
restart sees the same rules, and evaluated on each trading call the client makes."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..fault_rules import fires, read_fault_rule
from ..models import EsmClient, FaultRule, utcnow
from ..validation import parse_uuid


@dataclass
class Verdict:
    """What the rules decided for one call: a delay, the effect that answers instead of the
    real work (None: the call proceeds), and every rule that fired."""

    delay_ms: float = 0.0
    answer: dict | None = None
    fired: list[dict] = field(default_factory=list)


def add_rule(data: dict) -> FaultRule:
    values = read_fault_rule(data)
    _require_client(values["client_id"])
    rule = new_rule(values)
    db.session.add(rule)
    rules_changed(values["client_id"])
    db.session.commit()
    return rule


def new_rule(values: dict) -> FaultRule:
    """A rule from validated values, with no hits yet (a `next` rule: its count to go)."""
    trigger = values["trigger"]
    return FaultRule(**values, hits=0, calls=0,
                     remaining=trigger["count"] if trigger["mode"] == "next" else None)


def list_rules(client_id: str | None = None) -> list[FaultRule]:
    query = sa.select(FaultRule).order_by(FaultRule.created_at, FaultRule.id)
    if client_id is not None:
        query = query.where(FaultRule.client_id == client_id)
    return list(db.session.scalars(query))


def get_rule(rule_id: object) -> FaultRule:
    rule = db.session.get(FaultRule, parse_uuid(rule_id))
    if rule is None:
        raise NotFound("Fault rule not found")
    return rule


def delete_rule(rule: FaultRule) -> None:
    db.session.execute(sa.delete(FaultRule).where(FaultRule.id == rule.id))
    rules_changed(rule.client_id)
    db.session.commit()


def clear_rules(client_id: str) -> int:
    """Delete every rule of a client; how many there were."""
    deleted = db.session.execute(
        sa.delete(FaultRule).where(FaultRule.client_id == client_id)).rowcount
    rules_changed(client_id)
    db.session.commit()
    return deleted


def _require_client(client_id: str) -> None:
    if db.session.scalar(sa.select(EsmClient.id).where(EsmClient.client_id == client_id)) is None:
        raise ValidationError(["clientId: no organization was ever enabled with this clientId"])


def rules_changed(client_id: str) -> None:
    """Bump the client's rules version in one atomic UPDATE: every worker's copy is then stale,
    however many admins change rules at once."""
    db.session.execute(
        sa.update(EsmClient).where(EsmClient.client_id == client_id)
        .values(fault_rules_version=EsmClient.fault_rules_version + 1)
        .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class _Rule:
    """What evaluation needs of a rule, kept between requests (an ORM row is not)."""

    id: uuid.UUID
    endpoint: str
    plant_id: str | None
    effect: dict
    trigger: dict
    expires_at: datetime | None
    label: str | None


# clientId -> (rules version, its rules oldest first): this worker's copy, checked against the
# version read with the client on each call.
_copies: dict[str, tuple[int, list[_Rule]]] = {}
MAX_COPIES = 1000


def _rules_of(client_id: str, version: int) -> list[_Rule]:
    copy = _copies.get(client_id)
    if copy is not None and copy[0] == version:
        return copy[1]
    rules = [_Rule(r.id, r.endpoint, r.plant_id, r.effect, r.trigger, r.expires_at, r.label)
             for r in list_rules(client_id)]
    if len(_copies) >= MAX_COPIES:
        _copies.clear()
    _copies[client_id] = (version, rules)
    return rules


def evaluate(client_id: str, endpoint: str, plant_id: str | None,
             rules_version: int) -> Verdict | None:
    """Fire the client's matching rules for one call (None: no rule concerns it).

    `rules_version` is the version read with the client (0: no rules, or no such client): a
    client without rules, or whose rules this worker already holds, costs no query at all.
    Every matching latency rule adds its delay; then the first other rule that fires, oldest
    first, answers. Counters are committed before returning, so no lock is held while the call
    is delayed or held."""
    if rules_version <= 0:
        return None
    now = utcnow()
    rules = [rule for rule in _rules_of(client_id, rules_version)
             if rule.endpoint in ("any", endpoint) and rule.plant_id in (None, plant_id)
             and (rule.expires_at is None or rule.expires_at > now)]
    if not rules:
        return None
    verdict = Verdict()
    for rule in [r for r in rules if r.effect["type"] == "latency"]:
        if _fire(rule):
            verdict.fired.append(_fired(rule))
            jitter = rule.effect.get("jitterMs", 0)
            verdict.delay_ms += max(0.0, rule.effect["ms"] + random.uniform(-jitter, jitter))
    for rule in [r for r in rules if r.effect["type"] != "latency"]:
        if _fire(rule):
            verdict.fired.append(_fired(rule))
            verdict.answer = rule.effect
            break
    db.session.commit()
    return verdict


def _fire(rule: _Rule) -> bool:
    """Count one matching call of the rule and whether it fires, atomically across workers
    (a rule deleted since this worker's copy was made matches no row, so never fires)."""
    where = sa.update(FaultRule).where(FaultRule.id == rule.id).execution_options(
        synchronize_session=False)
    mode = rule.trigger["mode"]
    if mode == "next":
        # Exactly `count` firings however many workers race: the row lock orders them and
        # the condition is re-checked on the latest row.
        return db.session.execute(
            where.where(FaultRule.remaining > 0)
            .values(remaining=FaultRule.remaining - 1, hits=FaultRule.hits + 1,
                    calls=FaultRule.calls + 1)
            .returning(FaultRule.id)).first() is not None
    if mode == "probability":
        k = db.session.execute(where.values(calls=FaultRule.calls + 1)
                               .returning(FaultRule.calls)).scalar_one_or_none()
        if k is None or not fires(rule.trigger, k):
            return False
        db.session.execute(where.values(hits=FaultRule.hits + 1))
        return True
    return db.session.execute(where.values(hits=FaultRule.hits + 1, calls=FaultRule.calls + 1)
                              .returning(FaultRule.id)).first() is not None


def _fired(rule: _Rule) -> dict:
    return {"ruleId": str(rule.id), "label": rule.label, "effect": rule.effect}
