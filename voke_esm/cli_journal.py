"""`voke-esm journal`: what Voke sent to the trading API, filtered, and followed live."""

from __future__ import annotations

import time

import click

from .cli import cli, echo_json, one_line_errors
from .extensions import db
from .models import JournalEntry
from .representations import journal_entry_json
from .services import journal, organizations
from .services.journal import Filters

FOLLOW_EVERY_SECONDS = 0.5


@cli.command("journal")
@click.option("--client-id", help="Only the calls of this clientId.")
@click.option("--org", "slug", help="Only the calls of this organization's client.")
@click.option("--plant", "plant_id", help="Only the calls about this plantId.")
@click.option("--endpoint", type=click.Choice(journal.ENDPOINTS), help="Only this endpoint.")
@click.option("--status", "status_class", type=click.Choice(journal.STATUS_CLASSES),
              help="Only answers of this class.")
@click.option("--faults", "faulted", is_flag=True, help="Only calls a fault rule answered.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--follow", "-f", is_flag=True,
              help="Keep printing new calls as they arrive (Ctrl-C stops).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@one_line_errors
def journal_command(client_id: str | None, slug: str | None, plant_id: str | None,
                    endpoint: str | None, status_class: str | None, faulted: bool, limit: int,
                    follow: bool, as_json: bool) -> None:
    """The newest trading calls as received (secrets redacted), oldest of them first."""
    if slug:
        organization = organizations.get_organization_by_slug(slug)
        client_id = organization.esm_client.client_id if organization.esm_client else "-"
    filters = Filters(plant_id, endpoint, status_class, faulted)
    show = (lambda entry: echo_json(journal_entry_json(entry))) if as_json else _show_line
    try:
        entries = journal.recent(client_id, limit, filters)
        for entry in reversed(entries):
            show(entry)
        last = journal.newest_id(entries) if entries else journal.latest_id()
        while follow:
            time.sleep(FOLLOW_EVERY_SECONDS)
            db.session.rollback()  # end the read transaction, so the next query sees new rows
            fresh = journal.recent(client_id, 1000, filters, after_id=last)
            for entry in reversed(fresh):
                show(entry)
            last = max(last, journal.newest_id(fresh))
    except KeyboardInterrupt:
        pass  # Ctrl-C ends a follow; that is how it is meant to stop


def _show_line(entry: JournalEntry) -> None:
    path = entry.path.removeprefix(journal.TRADING_PATH)
    faults = "".join(f"  [fault: {fault.get('label') or fault.get('ruleId', '')[:8]}]"
                     for fault in entry.faults or [])
    click.echo(f"{entry.created_at:%H:%M:%S}  {entry.method:<4} {path:<20} "
               f"{entry.plant_id or '-':<12} {entry.status} {entry.outcome or '-':<18} "
               f"{entry.duration_ms:7.1f} ms  {entry.config_update_req_code or ''}{faults}"
               .rstrip())
