"""Fault rules (CONTRACT.md §6.1): kept per client in the database, so every worker and every
restart sees the same rules, and evaluated on each trading call the client makes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

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
    trigger = values["trigger"]
    rule = FaultRule(**values, hits=0, calls=0,
                     remaining=trigger["count"] if trigger["mode"] == "next" else None)
    db.session.add(rule)
    _count_rules(values["client_id"], +1)
    db.session.commit()
    return rule


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
    deleted = db.session.execute(sa.delete(FaultRule).where(FaultRule.id == rule.id)).rowcount
    _count_rules(rule.client_id, -deleted)
    db.session.commit()


def clear_rules(client_id: str) -> int:
    """Delete every rule of a client; how many there were."""
    deleted = db.session.execute(
        sa.delete(FaultRule).where(FaultRule.client_id == client_id)).rowcount
    _count_rules(client_id, -deleted)
    db.session.commit()
    return deleted


def _require_client(client_id: str) -> None:
    if db.session.scalar(sa.select(EsmClient.id).where(EsmClient.client_id == client_id)) is None:
        raise ValidationError(["clientId: no organization was ever enabled with this clientId"])


def _count_rules(client_id: str, change: int) -> None:
    """Keep the client's rule count exact under concurrent admins: one atomic UPDATE."""
    if change:
        db.session.execute(
            sa.update(EsmClient).where(EsmClient.client_id == client_id)
            .values(fault_rule_count=EsmClient.fault_rule_count + change)
            .execution_options(synchronize_session=False))


def evaluate(client_id: str, endpoint: str, plant_id: str | None,
             rule_count: int | None = None) -> Verdict | None:
    """Fire the client's matching rules for one call (None: it has no rules).

    `rule_count` is the count read with the client, when the caller has it: a client without
    rules then costs no query at all. Every matching latency rule adds its delay; then the first
    other rule that fires, oldest first, answers. Counters are committed before returning, so
    no lock is held while the call is delayed or held."""
    if rule_count is None:
        rule_count = db.session.scalar(sa.select(EsmClient.fault_rule_count).where(
            EsmClient.client_id == client_id)) or 0
    if rule_count <= 0:
        return None
    rules = _matching_rules(client_id, endpoint, plant_id)
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


def _matching_rules(client_id: str, endpoint: str, plant_id: str | None) -> list[FaultRule]:
    plant_match = FaultRule.plant_id.is_(None)
    if plant_id is not None:
        plant_match = sa.or_(plant_match, FaultRule.plant_id == plant_id)
    return list(db.session.scalars(
        sa.select(FaultRule).where(
            FaultRule.client_id == client_id,
            FaultRule.endpoint.in_(("any", endpoint)), plant_match,
            sa.or_(FaultRule.expires_at.is_(None), FaultRule.expires_at > utcnow()),
            sa.or_(FaultRule.remaining.is_(None), FaultRule.remaining > 0))
        .order_by(FaultRule.created_at, FaultRule.id)))


def _fire(rule: FaultRule) -> bool:
    """Count one matching call of the rule and whether it fires, atomically across workers."""
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


def _fired(rule: FaultRule) -> dict:
    return {"ruleId": str(rule.id), "label": rule.label, "effect": rule.effect}

