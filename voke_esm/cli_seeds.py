"""`voke-esm export`, `import` and `reset`: seed files and starting over, from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app

from .cli import cli, echo_json, one_line_errors
from .errors import ValidationError
from .services import organizations, seeds
from .services.reset import reset_sandbox


@cli.command("export")
@click.option("--org", "slug", required=True, help="The organization's slug.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@one_line_errors
def export_command(slug: str, output: str | None) -> None:
    """Write ORG's seed: the organization and its plants (never credentials or the journal)."""
    document = seeds.export_organization(organizations.get_organization_by_slug(slug))
    text = current_app.json.dumps(document, indent=2) + "\n"
    if output:
        Path(output).write_text(text)
    else:
        click.echo(text, nl=False)


@cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--replace", is_flag=True, help="Also delete the organization's plants that "
              "the file does not list.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
@one_line_errors
def import_command(file, replace: bool, as_json: bool) -> None:
    """Upsert a seed FILE (- for standard input) by slug and externalPlantId; importing the
    same file twice changes nothing. The whole file is checked before anything is written."""
    try:
        document = json.loads(file.read())
    except ValueError as error:
        raise click.ClickException(f"{file.name} is not valid JSON: {error}") from None
    plants = document.get("plants") if isinstance(document, dict) else None
    total = len(plants) if isinstance(plants, list) else 0
    try:
        with click.progressbar(length=total, label="Importing plants", file=sys.stderr,
                               hidden=total < seeds.FLUSH_EVERY) as bar:
            report = seeds.import_seed(document, replace=replace, progress=bar.update)
    except ValidationError as error:
        click.echo(f"Error: {file.name}: {error.message}", err=True)
        for line in error.details:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    if as_json:
        echo_json(report.as_json())
        return
    counts = ", ".join(f"{count} {kind}" for kind, count in report.plants.items())
    if report.changed:
        click.echo(f"{report.slug}: organization {report.organization}; plants: {counts}; "
                   f"fault rules {report.fault_rules}")
    else:
        click.echo(f"{report.slug}: nothing changed ({report.plants['unchanged']} plants "
                   f"already as in the file)")


@cli.command("reset")
@click.option("--org", "slug", required=True, help="The organization's slug.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="What was removed, as JSON.")
@one_line_errors
def reset_command(slug: str, yes: bool, as_json: bool) -> None:
    """Start ORG over: its plants, revisions, journal, fault rules and clock go back to what
    enable creates (the default plant); the organization and its credentials stay."""
    organization = organizations.get_organization_by_slug(slug)
    if not yes:
        click.confirm(f"Remove every plant, revision, journal entry and fault rule of {slug}?",
                      abort=True, err=True)
    removed = reset_sandbox(organization)
    if as_json:
        echo_json(removed)
    else:
        click.echo(f"{slug}: reset; removed {removed['plants']} plants, {removed['revisions']} "
                   f"revisions, {removed['journalEntries']} journal entries and "
                   f"{removed['faultRules']} fault rules; the clock is back to real time and "
                   f"PLANT-001 is the default plant again")
