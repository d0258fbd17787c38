"""`voke-esm clock show|advance|reset|ttl`: a client's sandbox clock and token lifetime."""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup

from .cli import echo_json, one_line_errors
from .services import clock

DURATION = re.compile(r"([0-9]{1,10})([smhd]?)")
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds_of(text: str) -> int:
    """'90' or '90s' -> 90, '5m' -> 300, '1h' -> 3600, '1d' -> 86400."""
    match = DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise click.BadParameter(f"{text!r} is not a duration: use e.g. 90, 90s, 5m, 1h or 1d")
    return int(match[1]) * UNIT_SECONDS[match[2]]


def show_clock(client, as_json: bool) -> None:
    body = clock.clock_json(client)
    if as_json:
        echo_json(body)
        return
    now = body["now"].strftime("%Y-%m-%d %H:%M:%S UTC")
    click.echo(f"{body['clientId']}: now {now} (offset {body['offsetSeconds']} s), "
               f"tokens live {body['tokenTtlSeconds']} s")


client_option = click.option("--client-id", required=True, help="The ESM client's clientId.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the clock as JSON.")


clock_group = AppGroup("clock", help="The sandbox clock and token lifetime of a client "
                                      "(CONTRACT §6.2).")


@clock_group.command("show")
@client_option
@json_option
@one_line_errors
def show(client_id: str, as_json: bool) -> None:
    """The client's now, offset and token lifetime."""
    show_clock(clock.get_client(client_id), as_json)


@clock_group.command("advance")
@client_option
@click.argument("duration")
@json_option
@one_line_errors
def advance(client_id: str, duration: str, as_json: bool) -> None:
    """Move the client's clock forward by DURATION (90, 90s, 5m, 1h, 1d)."""
    show_clock(clock.advance(client_id, seconds_of(duration)), as_json)


@clock_group.command("reset")
@client_option
@json_option
@one_line_errors
def reset(client_id: str, as_json: bool) -> None:
    """Put the client's clock back to real time."""
    show_clock(clock.reset(client_id), as_json)


@clock_group.command("ttl")
@client_option
@click.argument("duration")
@json_option
@one_line_errors
def ttl(client_id: str, duration: str, as_json: bool) -> None:
    """Tokens issued from now on live DURATION (60, 5m, 1h), or `default` (VOKE_ESM_TOKEN_TTL)."""
    seconds = None if duration.strip().lower() == "default" else seconds_of(duration)
    show_clock(clock.set_token_ttl(client_id, seconds), as_json)
