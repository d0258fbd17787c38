"""`voke-esm faults add|list|clear|preset`: the fault rules of CONTRACT.md §6.1."""

from __future__ import annotations

import click
from flask import current_app

from .fault_rules import describe, describe_trigger
from .representations import fault_rule_json
from .services import fault_presets, faults


def register_faults_commands(cli: click.Group, one_line_errors, read_json_argument) -> None:
    """Add the `faults` group to the `voke-esm` command."""

    @cli.group("faults")
    def faults_group() -> None:
        """Fault rules: what goes wrong when Voke calls a client's trading API."""

    @faults_group.command("add")
    @click.argument("body")
    @one_line_errors
    def add(body: str) -> None:
        """Add a rule from BODY (JSON as the admin API takes it, @FILE or @-); print it."""
        _echo(fault_rule_json(faults.add_rule(read_json_argument(body))))

    @faults_group.command("list")
    @click.option("--client-id", help="Only the rules of this clientId.")
    @click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
    @one_line_errors
    def list_(client_id: str | None, as_json: bool) -> None:
        """The rules, oldest first, with their hits and what remains."""
        rules = faults.list_rules(client_id)
        if as_json:
            _echo([fault_rule_json(rule) for rule in rules])
            return
        for rule in rules:
            remaining = "" if rule.remaining is None else f" remaining={rule.remaining}"
            click.echo(f"{rule.id}  {rule.client_id}  {rule.endpoint}"
                       f"{' plant=' + rule.plant_id if rule.plant_id else ''}  "
                       f"{describe(rule.effect)} when {describe_trigger(rule.trigger)}  "
                       f"hits={rule.hits}{remaining}  {rule.label or ''}".rstrip())
        if not rules:
            click.echo("No fault rules.", err=True)

    @faults_group.command("clear")
    @click.option("--client-id", help="Delete every rule of this clientId.")
    @click.option("--id", "rule_id", help="Delete this one rule.")
    @one_line_errors
    def clear(client_id: str | None, rule_id: str | None) -> None:
        """Delete one rule (--id) or all rules of a client (--client-id)."""
        if (client_id is None) == (rule_id is None):
            raise click.UsageError("give exactly one of --client-id and --id")
        if rule_id is not None:
            faults.delete_rule(faults.get_rule(rule_id))
            click.echo(f"Deleted fault rule {rule_id}")
        else:
            click.echo(f"Deleted {faults.clear_rules(client_id)} fault rule(s) of {client_id}")

    @faults_group.command("preset")
    @click.argument("name", type=click.Choice(list(fault_presets.DESCRIPTIONS)))
    @click.option("--client-id", required=True)
    @click.option("--plant-id", help="Narrow the rules to this externalPlantId.")
    @one_line_errors
    def preset(name: str, client_id: str, plant_id: str | None) -> None:
        """Turn a preset on for a client; print the rules it added (what it did: on stderr)."""
        applied = fault_presets.apply_preset(name, client_id, plant_id)
        _echo([fault_rule_json(rule) for rule in applied.rules])
        click.echo(applied.message, err=True)


def _echo(value) -> None:
    click.echo(current_app.json.dumps(value))
