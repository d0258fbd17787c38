"""`voke-esm check`: the conformance check of voke_esm/conformance.py, as a command."""

from __future__ import annotations

import json

import click
from flask.cli import ScriptInfo

from .conformance import Checker, report_lines
from .errors import DomainError


@click.command("check")
@click.argument("url", required=False)
@click.option("--org", "slug", help="Use the credentials (and esmApiUrl) Voke stored for this "
              "organization in the local database.")
@click.option("--client-id", envvar="VOKE_ESM_CLIENT_ID", help="Or VOKE_ESM_CLIENT_ID.")
@click.option("--client-secret", envvar="VOKE_ESM_CLIENT_SECRET",
              help="Or VOKE_ESM_CLIENT_SECRET (preferred: a flag shows in the process list).")
@click.option("--plant", "plant_id", help="The plantId to update (default: the first plant "
              "with configEnabled).")
@click.option("--keep", is_flag=True, help="Leave the check's config in place (no restore).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for CI.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds to wait for each answer.")
def check(url: str | None, slug: str | None, client_id: str | None, client_secret: str | None,
          plant_id: str | None, keep: bool, as_json: bool, timeout: float) -> None:
    """Run the product page's end-to-end flow against the ESM at URL and report each step.

    URL is the base the ESM's credentials name as esmApiUrl, e.g.
    http://127.0.0.1:4410/api/v1/voke-esm; `/trading/...` is appended. Exits 0 only when
    every step passes. Credentials are never printed.
    """
    if slug:
        stored = _stored_credentials(slug)
        url = url or stored["esmApiUrl"]
        client_id, client_secret = stored["clientId"], stored["clientSecret"]
    if not url:
        raise click.UsageError("give the ESM's base URL (or --org SLUG)")
    if not client_id or not client_secret:
        raise click.UsageError("no credentials: set VOKE_ESM_CLIENT_ID and "
                               "VOKE_ESM_CLIENT_SECRET, pass --client-id/--client-secret, "
                               "or --org SLUG")
    try:
        checker = Checker(url, client_id, client_secret, plant_id=plant_id, keep=keep,
                          timeout=timeout)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    checker.run()
    if as_json:
        click.echo(json.dumps({"baseUrl": url, "plantId": checker.plant_id,
                               "passed": checker.passed,
                               "steps": [step.as_json() for step in checker.steps]}))
    else:
        click.echo("\n".join(report_lines(checker, url)))
    if not checker.passed:
        raise SystemExit(1)


def _stored_credentials(slug: str) -> dict:
    """Voke's stored copy of an organization's credentials, read from the local database."""
    from .services import organizations, sandbox

    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        try:
            stored = sandbox.stored_credentials(organizations.get_organization_by_slug(slug))
        except DomainError as error:
            raise click.ClickException(error.message) from None
    if stored is None:
        raise click.ClickException(f"Voke ESM is not enabled for {slug}: no stored credentials")
    return stored
