"""What every `voke-esm` command shares: one-line errors and JSON output."""

from __future__ import annotations

from functools import wraps

import click

from .errors import DomainError


def one_line_errors(command):
    """Domain errors end the command with one clear line and exit status 1."""
    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as error:
            details = f" ({'; '.join(error.details)})" if error.details else ""
            line = f"{error.message}{details}".replace("\n", "\\n").replace("\r", "\\r")
            raise click.ClickException(line) from None
    return wrapper


def echo_json(value) -> None:
    from flask import current_app
    click.echo(current_app.json.dumps(value))
