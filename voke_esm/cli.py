"""The `voke-esm` command: Flask's CLI (so `voke-esm db upgrade` works) plus sandbox commands."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup

from . import ConfigError, create_app, register_migrations
from .cli_check import check
from .cli_faults import register_faults_commands
from .cli_simulate import simulate_command
from .cli_support import echo_json, one_line_errors
from .representations import organization_json, plant_json
from .services import accounts, demo, organizations, plants, sandbox


def create_cli_app():
    return register_migrations(create_app())


cli = FlaskGroup(create_app=create_cli_app, add_version_option=False,
                 help="Run and administer the Voke ESM Sandbox.")


@cli.command("create-superadmin")
@click.option("--email", required=True)
@click.option("--password", help="Prompted for (hidden) when not given.")
@one_line_errors
def create_superadmin(email: str, password: str | None) -> None:
    """Create a SuperAdmin account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = accounts.create_user(email, password, superadmin=True)
    click.echo(f"Created SuperAdmin {user.email}")


@cli.command("create-org")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--description")
@one_line_errors
def create_org(name: str, slug: str, description: str | None) -> None:
    """Create an organization."""
    organization = organizations.create_organization(
        {"name": name, "slug": slug, "description": description})
    echo_json(organization_json(organization))


@cli.command("enable")
@click.option("--org", "slug", required=True, help="The organization's slug.")
@one_line_errors
def enable(slug: str) -> None:
    """Enable (or rotate) and print clientId, clientSecret and esmApiUrl, once."""
    issued = sandbox.enable(organizations.get_organization_by_slug(slug))
    echo_json(issued.as_json())


@cli.command("disable")
@click.option("--org", "slug", required=True, help="The organization's slug.")
@one_line_errors
def disable(slug: str) -> None:
    """Disable: revoke the client and every token at once; plants are kept."""
    sandbox.disable(organizations.get_organization_by_slug(slug))
    click.echo(f"Voke ESM disabled for {slug}")


@cli.command("status")
@click.option("--org", "slug", required=True, help="The organization's slug.")
@one_line_errors
def status(slug: str) -> None:
    """Print the sandbox status of an organization (never a secret)."""
    echo_json(sandbox.status(organizations.get_organization_by_slug(slug)))


@cli.command("rotate-encryption-key")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def rotate_encryption_key(as_json: bool) -> None:
    """Re-encrypt every stored credential with the first key of VOKE_ESM_ENCRYPTION_KEY.

    Safe to run again; once it reports nothing left on an older key, drop that key."""
    configs = sandbox.configs_with_stored_credentials()
    counts = dict.fromkeys(("reencrypted", "current", "unreadable"), 0)
    unreadable = []
    with click.progressbar(configs, label="Re-encrypting stored credentials",
                           file=click.get_text_stream("stderr")) as bar:
        for config in bar:
            outcome = sandbox.reencrypt_stored_credentials(config)
            counts[outcome] += 1
            if outcome == "unreadable":
                unreadable.append(config.organization.slug)
    if as_json:
        echo_json({**counts, "unreadableOrgs": unreadable})
        return
    click.echo(f"Re-encrypted {counts['reencrypted']} stored credentials with the first key; "
               f"{counts['current']} already used it; {counts['unreadable']} unreadable.")
    if unreadable:
        click.echo(f"No key opens the stored credentials of {', '.join(unreadable)}: re-enable "
                   f"them (`voke-esm enable --org SLUG`) to issue new ones.", err=True)


@cli.command("seed-demo")
@one_line_errors
def seed_demo() -> None:
    """The demo organization Acme (`acme`), enabled, with PLANT-001 and PLANT-002."""
    issued = demo.seed_demo()
    if issued is None:
        click.echo("acme is already enabled; `voke-esm enable --org acme` rotates its secret",
                   err=True)
    else:
        echo_json(issued.as_json())


@cli.command("bootstrap")
@one_line_errors
def bootstrap() -> None:
    """`make run`: a SuperAdmin and the demo organization on the first run, their credentials
    printed once and labelled; later runs name the account and how to recover it."""
    from flask import current_app

    click.echo(f"Sign in at:  http://127.0.0.1:{current_app.config['PORT']}/login")
    if accounts.superadmin_exists():
        emails = accounts.superadmin_emails()
        click.echo(f"SuperAdmin account: {', '.join(emails)}  (created on an earlier run)")
        click.echo(f"  Lost its password? .venv/bin/voke-esm set-password --email {emails[0]}")
    else:
        _create_first_superadmin()
    if not organizations.all_organizations():
        issued = demo.seed_demo()
        click.echo("Demo organization Acme (acme): its ESM credentials for Voke, shown once:")
        for label, value in issued.as_json().items():
            click.echo(f"  {label + ':':<14}{value}")
    elif demo.demo_exists():
        click.echo("Demo organization: acme. Its clientSecret was shown on the first run; "
                   "`.venv/bin/voke-esm enable --org acme` issues a new one.")


def _create_first_superadmin() -> None:
    email = os.environ.get("VOKE_ESM_ADMIN_EMAIL") or "admin@voke.local"
    password = os.environ.get("VOKE_ESM_ADMIN_PASSWORD")
    user = accounts.create_user(email, password or (generated := secrets.token_urlsafe(12)),
                                superadmin=True)
    click.echo("SuperAdmin account created:")
    click.echo(f"  email:        {user.email}")
    click.echo("  password:     the password in VOKE_ESM_ADMIN_PASSWORD" if password
               else f"  password:     {generated}  (shown once; keep it)")


@cli.command("set-password")
@click.option("--email", required=True)
@click.option("--password", help="Prompted for (hidden) when not given.")
@one_line_errors
def set_password(email: str, password: str | None) -> None:
    """Give an account a new password (a lost SuperAdmin password, say); signs it out."""
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    user = accounts.set_password(email, password)
    click.echo(f"Password changed for {user.email}; its browser sessions were signed out.")


@cli.group("orgs")
def orgs_group() -> None:
    """Organizations."""


@orgs_group.command("list")
@one_line_errors
def orgs_list() -> None:
    """Every organization, one JSON object per line."""
    for organization in organizations.all_organizations():
        echo_json(organization_json(organization))


@cli.group("plants")
def plants_group() -> None:
    """Fake plants, with the admin API's JSON shape."""


@plants_group.command("list")
@click.option("--client-id", help="Only the plants of this clientId.")
@one_line_errors
def plants_list(client_id: str | None) -> None:
    """The plants as a JSON array, written as they are read (any number of plants)."""
    from flask import current_app

    click.echo("[", nl=False)
    for n, plant in enumerate(plants.stream_plants(client_id)):
        click.echo(("," if n else "") + current_app.json.dumps(plant_json(plant)), nl=False)
    click.echo("]")


@plants_group.command("create")
@click.argument("body")
@one_line_errors
def plants_create(body: str) -> None:
    """Create a plant from BODY: inline JSON, @FILE, or @- for standard input."""
    echo_json(plant_json(plants.create_plant(read_json_argument(body), source="cli")))


@plants_group.command("update")
@click.argument("plant_id")
@click.argument("body")
@one_line_errors
def plants_update(plant_id: str, body: str) -> None:
    """Change some fields of plant PLANT_ID from BODY (JSON or @FILE); new blocks = new version."""
    plant = plants.get_plant(plant_id)
    echo_json(plant_json(plants.update_plant(plant, read_json_argument(body), source="cli")))


@plants_group.command("delete")
@click.argument("plant_id")
@one_line_errors
def plants_delete(plant_id: str) -> None:
    """Delete plant PLANT_ID and its config history."""
    plants.delete_plant(plants.get_plant(plant_id))
    click.echo(f"Deleted plant {plant_id}")


def read_json_argument(argument: str) -> dict:
    """A JSON object given inline, as @FILE, or as @- for standard input."""
    try:
        if argument == "@-":
            text = sys.stdin.read()
        elif argument.startswith("@"):
            text = Path(argument[1:]).read_text()
        else:
            text = argument
        data = json.loads(text)
    except OSError as error:
        raise click.ClickException(f"cannot read {argument[1:]}: {error.strerror}") from None
    except ValueError as error:
        raise click.ClickException(f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise click.ClickException("the body must be a JSON object")
    return data


register_faults_commands(cli, one_line_errors, read_json_argument)
cli.add_command(check)
cli.add_command(simulate_command)
from . import cli_journal, cli_revisions, cli_seeds  # noqa: E402,F401 - register their commands


def main() -> None:
    try:
        cli.main()
    except ConfigError as error:
        click.echo(f"voke-esm: {error}", err=True)
        sys.exit(2)


from .cli_clock import clock_group  # noqa: E402 - uses the helpers above

cli.add_command(clock_group)
