"""Reset an organization's sandbox to what enable creates, keeping its credentials."""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import Conflict
from ..extensions import db
from ..models import ConfigRevision, EsmClient, FaultRule, JournalEntry, Organization, Plant
from . import journal
from .faults import rules_changed
from .plants import ensure_default_plant


def reset_sandbox(organization: Organization) -> dict:
    """Remove the client's plants (and their revisions), journal and fault rules, put its
    clock and token lifetime back, and create the default plant; one transaction. The
    organization, its clientId and its credentials stay. Returns how much was removed."""
    client = organization.esm_client
    if client is None:
        raise Conflict(f"Voke ESM was never enabled for {organization.slug}: nothing to reset")
    client_id = client.client_id
    journal.flush()  # this process's queued entries are removed with the stored ones
    revisions = db.session.scalar(sa.select(sa.func.count()).select_from(ConfigRevision)
                                  .join(Plant).where(Plant.client_id == client_id))
    removed = {
        "plants": _delete(sa.delete(Plant).where(Plant.client_id == client_id)),
        "revisions": revisions,
        "journalEntries": _delete(sa.delete(JournalEntry).where(
            JournalEntry.client_id == client_id)),
        "faultRules": _delete(sa.delete(FaultRule).where(FaultRule.client_id == client_id)),
    }
    rules_changed(client_id)
    db.session.execute(sa.update(EsmClient).where(EsmClient.id == client.id)
                       .values(clock_offset_seconds=0, token_ttl_seconds=None)
                       .execution_options(synchronize_session=False))
    ensure_default_plant(client_id)
    db.session.commit()
    db.session.refresh(client)
    return removed


def _delete(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
