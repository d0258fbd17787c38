"""`voke-esm plants revisions|diff|restore`: a plant's config history from the command line."""

from __future__ import annotations

import click

from .cli import echo_json, one_line_errors, plants_group
from .representations import plant_json, revision_json
from .services import plants, revisions
from .timeconfig import NUMBER_FIELDS


@plants_group.command("revisions")
@click.argument("plant_id")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 2**31 - 1))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@one_line_errors
def plants_revisions(plant_id: str, page: int, limit: int) -> None:
    """The config versions of plant PLANT_ID, newest first, one JSON object per line."""
    result = revisions.list_revisions(plants.get_plant(plant_id), page, limit)
    for revision in result["items"]:
        echo_json(revision_json(revision))


@plants_group.command("diff")
@click.argument("plant_id")
@click.argument("old", type=click.IntRange(1, 2**31 - 1))
@click.argument("new", type=click.IntRange(1, 2**31 - 1))
@click.option("--json", "as_json", is_flag=True, help="The admin API's diff document.")
@one_line_errors
def plants_diff(plant_id: str, old: int, new: int, as_json: bool) -> None:
    """Block by block, what changed in plant PLANT_ID from version OLD to version NEW."""
    diff = revisions.diff_versions(plants.get_plant(plant_id), old, new)
    if as_json:
        echo_json(diff)
        return
    counts = ", ".join(f"{count} {change}" for change, count in diff["summary"].items())
    click.echo(f"{diff['plantId']}: version {old} -> {new} ({counts})")
    for entry in diff["blocks"]:
        click.echo(_diff_line(entry))


@plants_group.command("restore")
@click.argument("plant_id")
@click.argument("version", type=click.IntRange(1, 2**31 - 1))
@one_line_errors
def plants_restore(plant_id: str, version: int) -> None:
    """Make VERSION's blocks current again, as a new version; prints the plant."""
    echo_json(plant_json(revisions.restore_version(plants.get_plant(plant_id), version,
                                                   source="cli")))


MARKS = {"added": "+", "removed": "-", "changed": "~", "unchanged": "="}


def _diff_line(entry: dict) -> str:
    block = entry["new"] or entry["old"]
    line = f"  {MARKS[entry['change']]} {block['from']}-{block['to']}"
    if entry["change"] == "changed":
        return line + "  " + ", ".join(
            f"{name} {entry['old'][name]} -> {entry['new'][name]}" for name in entry["fields"])
    if entry["change"] in ("added", "removed"):
        return line + "  " + " ".join(f"{name} {block[name]}" for name in
                                       NUMBER_FIELDS)
    return line
