"""The `voke-esm` command: Flask's CLI (so `voke-esm db upgrade` works) plus sandbox commands."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup

from . import ConfigError, create_app
from .cli_simulate import simulate_command
from .cli_support import echo_json, one_line_errors
from .errors import DomainError
from .representations import journal_entry_json, organization_json, plant_json
from .services import accounts, journal, organizations, plants, sandbox

DEMO_PLANT = {
    "externalPlantId": "PLANT-002", "name": "Acme Site A", "description": "Battery storage + PV",
    "fvePeakPowerKwp": 120.0, "capacityKwh": 200.0, "configEnabled": True,
    "timeConfigs": [
        {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
         "socMin": 20},
        {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
         "socMin": 30},
    ],
}


cli = FlaskGroup(create_app=create_app, add_version_option=False,
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


@cli.command("seed-demo")
@one_line_errors
def seed_demo() -> None:
    """The demo organization Acme (`acme`), enabled, with PLANT-001 and PLANT-002."""
    try:
        acme = organizations.get_organization_by_slug("acme")
    except DomainError:
        acme = organizations.create_organization({"name": "Acme", "slug": "acme"})
    if sandbox.status(acme)["enabled"]:
        click.echo("acme is already enabled; `voke-esm enable --org acme` rotates its secret",
                   err=True)
    else:
        echo_json(sandbox.enable(acme).as_json())
    client_id = acme.esm_client.client_id
    if not any(p.external_plant_id == DEMO_PLANT["externalPlantId"]
               for p in plants.list_plants(client_id)):
        plants.create_plant({**DEMO_PLANT, "clientId": client_id}, source="cli")


@cli.command("bootstrap")
@one_line_errors
def bootstrap() -> None:
    """First run: a SuperAdmin (printed once) and the demo organization; later runs do nothing."""
    if not accounts.superadmin_exists():
        email = os.environ.get("VOKE_ESM_ADMIN_EMAIL", "admin@voke.local")
        password = os.environ.get("VOKE_ESM_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        accounts.create_user(email, password, superadmin=True)
        shown = ("the password in VOKE_ESM_ADMIN_PASSWORD" if "VOKE_ESM_ADMIN_PASSWORD"
                 in os.environ else f"password {password}  (shown once; keep it)")
        click.echo(f"SuperAdmin created: {email} with {shown}")
    if not organizations.all_organizations():
        seed_demo.callback()


@cli.command("journal")
@click.option("--client-id", help="Only the calls of this clientId.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def journal_command(client_id: str | None, limit: int) -> None:
    """What Voke sent to the trading API, newest first, one JSON object per line."""
    for entry in journal.recent(client_id, limit):
        echo_json(journal_entry_json(entry))


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
    """The plants as a JSON array."""
    echo_json([plant_json(p) for p in plants.list_plants(client_id)])


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
        raise click.ClickException("the plant must be a JSON object")
    return data


cli.add_command(simulate_command)


def main() -> None:
    try:
        cli.main()
    except ConfigError as error:
        click.echo(f"voke-esm: {error}", err=True)
        sys.exit(2)
