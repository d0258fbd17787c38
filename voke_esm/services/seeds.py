"""Seed files: one organization and its plants as a JSON document, exported and imported.

A seed carries what QA sets up by hand (the organization, every plant field, the current time
configs) and never credentials or the journal. Import validates the whole document before it
writes anything, then upserts by slug and externalPlantId in one transaction, so importing the
same file twice changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from .. import credentials
from ..errors import ValidationError
from ..extensions import db
from ..fault_rules import read_fault_rule
from ..models import ConfigRevision, EsmClient, FaultRule, Organization, Plant, utcnow
from . import applies
from .faults import new_rule, rules_changed
from .organizations import read_organization_fields
from .plants import FIELD_ATTRS, read_plant_fields, same_blocks

FORMAT = "voke-esm-seed"
VERSION = 1
# Every plant field a seed carries: the admin API's body, less the client it is imported into.
PLANT_FIELDS = {key: attr for key, attr in FIELD_ATTRS.items() if key != "clientId"}
ORGANIZATION_FIELDS = ("name", "slug", "description")
TOP_LEVEL = {"format", "version", "exportedAt", "organization", "plants", "faultRules"}
# A fault rule as a seed carries it: what QA set up, not what it has done (hits) or whose it is.
RULE_FIELDS = {"plantId": "plant_id", "endpoint": "endpoint", "effect": "effect",
               "trigger": "trigger", "expiresAt": "expires_at", "label": "label"}
FLUSH_EVERY = 500


@dataclass
class Seed:
    organization: dict
    plants: list[dict]
    fault_rules: list[dict] | None  # None: the file says nothing about rules; leave them


@dataclass
class ImportReport:
    slug: str
    organization: str = "unchanged"  # created | updated | unchanged
    plants: dict = field(default_factory=lambda: dict.fromkeys(
        ("created", "updated", "unchanged", "deleted"), 0))
    fault_rules: str = "unchanged"  # replaced | unchanged

    @property
    def changed(self) -> bool:
        return self.organization != "unchanged" or self.fault_rules != "unchanged" or any(
            self.plants[kind] for kind in ("created", "updated", "deleted"))

    def as_json(self) -> dict:
        return {"slug": self.slug, "organization": self.organization, "plants": self.plants,
                "faultRules": self.fault_rules, "changed": self.changed}


def export_organization(organization: Organization) -> dict:
    """The organization and its plants (ordered by externalPlantId), as a seed document."""
    client = organization.esm_client
    plants = [] if client is None else db.session.scalars(
        sa.select(Plant).where(Plant.client_id == client.client_id)
        .order_by(Plant.external_plant_id))
    return {
        "format": FORMAT, "version": VERSION, "exportedAt": utcnow(),
        "organization": {key: getattr(organization, key) for key in ORGANIZATION_FIELDS},
        "plants": [{key: getattr(plant, attr) for key, attr in PLANT_FIELDS.items()}
                   for plant in plants],
        "faultRules": [] if client is None else [
            {key: getattr(rule, attr) for key, attr in RULE_FIELDS.items()}
            for rule in db.session.scalars(
                sa.select(FaultRule).where(FaultRule.client_id == client.client_id)
                .order_by(FaultRule.created_at, FaultRule.id))
            if rule.expires_at is None or rule.expires_at > utcnow()],  # a seed must import
    }


def read_seed(document: object) -> Seed:
    """The validated content of a seed document; every problem at once, named by its path."""
    if not isinstance(document, dict):
        raise ValidationError(["(document): must be a JSON object"])
    details: list[str] = [f"{key}: unknown field" for key in document if key not in TOP_LEVEL]
    if document.get("format") != FORMAT:
        details.append(f"format: must be {FORMAT!r}")
    if document.get("version") != VERSION:
        details.append(f"version: must be {VERSION} (the seed format this sandbox reads)")
    organization = _read_part(document.get("organization"), "organization",
                              read_organization_fields, details)
    plants, first_seen = [], {}
    for index, values in _read_list(document.get("plants"), "plants", _plant_values, details):
        external_id = values["external_plant_id"]
        if external_id in first_seen:
            details.append(f"plants[{index}].externalPlantId: {external_id!r} is already "
                           f"plants[{first_seen[external_id]}]")
        first_seen.setdefault(external_id, index)
        plants.append(values)
    fault_rules = None  # the file says nothing about rules: leave the client's alone
    if "faultRules" in document:
        fault_rules = [values for _, values in _read_list(
            document["faultRules"], "faultRules", _rule_values, details)]
    if details:
        raise ValidationError(details, message="The seed file is not valid; nothing was imported")
    return Seed(organization, plants, fault_rules)


def _read_list(raw_items: object, name: str, reader: Callable[[dict], dict],
               details: list[str]) -> list[tuple[int, dict]]:
    """Each valid item of a seed's list with its index; the problems of the others, by path.
    Items belong to the organization they are imported into, so none may name a clientId."""
    if not isinstance(raw_items, list):
        details.append(f"{name}: must be a list")
        return []
    items = []
    for index, raw in enumerate(raw_items):
        path = f"{name}[{index}]"
        if isinstance(raw, dict) and "clientId" in raw:
            details.append(f"{path}.clientId: not part of a seed; {name} belong to the "
                           f"organization they are imported into")
            continue
        values = _read_part(raw, path, reader, details)
        if values is not None:
            items.append((index, values))
    return items


def _rule_values(body: dict) -> dict:
    # The rule validator requires a clientId; a seed's rules take the importing client's.
    values = read_fault_rule({**body, "clientId": "seed"})
    values.pop("client_id")
    return values


def import_seed(document: object, replace: bool = False, source: str = "import",
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Upsert the seed's organization and plants (with `replace`, also delete the plants the
    seed does not list); one transaction. `progress(n)` is told of every n plants written."""
    seed = read_seed(document)
    slug = seed.organization["slug"]
    report = ImportReport(slug)
    organization = db.session.scalar(sa.select(Organization).where(Organization.slug == slug))
    if organization is None:
        organization = Organization(**seed.organization)
        db.session.add(organization)
        report.organization = "created"
    elif _assign(organization, seed.organization):
        report.organization = "updated"
    client = organization.esm_client or _new_client(organization)
    existing = {plant.external_plant_id: plant for plant in db.session.scalars(
        sa.select(Plant).where(Plant.client_id == client.client_id).with_for_update())}
    first_revisions: list[ConfigRevision] = []  # inserted once their plants are
    for count, values in enumerate(seed.plants, start=1):
        plant = existing.pop(values["external_plant_id"], None)
        if plant is None:
            first_revisions.append(_create_plant(client.client_id, values, source))
            report.plants["created"] += 1
        else:
            report.plants[_update_plant(plant, values, source)] += 1
        if count % FLUSH_EVERY == 0 or count == len(seed.plants):
            db.session.flush()
            db.session.add_all(first_revisions)
            first_revisions.clear()
            if progress:
                progress(count % FLUSH_EVERY or FLUSH_EVERY)
    if replace:
        for plant in existing.values():
            db.session.delete(plant)
            report.plants["deleted"] += 1
    if seed.fault_rules is not None and _replace_rules(client.client_id, seed.fault_rules):
        report.fault_rules = "replaced"
    db.session.commit()
    return report


def _replace_rules(client_id: str, rules: list[dict]) -> bool:
    """The client's rules become the seed's, unless they already are (hits start over)."""
    current = db.session.scalars(sa.select(FaultRule).where(FaultRule.client_id == client_id)
                                 .order_by(FaultRule.created_at, FaultRule.id)).all()
    if [{attr: getattr(rule, attr) for attr in RULE_FIELDS.values()}
            for rule in current] == rules:
        return False
    db.session.execute(sa.delete(FaultRule).where(FaultRule.client_id == client_id))
    start = utcnow()
    for position, values in enumerate(rules):
        rule = new_rule({**values, "client_id": client_id})
        rule.created_at = start + timedelta(microseconds=position)  # the file's order is theirs
        db.session.add(rule)
    rules_changed(client_id)
    return True


def _read_part(raw: object, path: str, reader: Callable[[dict], dict],
               details: list[str]) -> dict | None:
    """Run one entity's own validator, its details prefixed with the part's JSON path."""
    if not isinstance(raw, dict):
        details.append(f"{path}: must be a JSON object")
        return None
    try:
        return reader(raw)
    except ValidationError as error:
        details.extend(f"{path}.{line}" for line in error.details)
        return None


def _plant_values(body: dict) -> dict:
    # The plant rules require a clientId; a seed's plants take the importing organization's.
    values = read_plant_fields({**body, "clientId": "seed"}, partial=False)
    values.pop("client_id")
    return values


def _assign(target: object, values: dict) -> bool:
    """Set the attributes that differ; whether any did."""
    changed = [attr for attr, value in values.items() if getattr(target, attr) != value]
    for attr in changed:
        setattr(target, attr, values[attr])
    return bool(changed)


def _new_client(organization: Organization) -> EsmClient:
    """The organization's ESM client, not yet enabled: `enable` issues its credentials later
    and keeps the clientId, so the imported plants stay linked."""
    client = EsmClient(client_id=credentials.new_client_id(organization.slug),
                       organization=organization, active=False, generation=0)
    db.session.add(client)
    db.session.flush()
    return client


def _create_plant(client_id: str, values: dict, source: str) -> ConfigRevision:
    """Add the plant; its first revision is returned, to be added after the plant's INSERT."""
    plant = Plant(id=uuid.uuid4(), client_id=client_id, config_version=1, **values)
    db.session.add(plant)
    return ConfigRevision(plant_id=plant.id, version=1, source=source,
                          time_configs=plant.time_configs)


def _update_plant(plant: Plant, values: dict, source: str) -> str:
    blocks = values["time_configs"]
    changed = _assign(plant, {attr: value for attr, value in values.items()
                              if attr != "time_configs"})
    if not same_blocks(plant.time_configs, blocks):
        plant.config_version += 1  # the row is locked (FOR UPDATE) until the commit
        plant.time_configs = blocks
        plant.pending_due_at = None  # like any edit, the seed supersedes a delayed update
        applies.supersede_pending(plant)
        db.session.add(ConfigRevision(plant_id=plant.id, version=plant.config_version,
                                      source=source, time_configs=blocks))
        changed = True
    return "updated" if changed else "unchanged"
