"""The sandbox clock and token lifetime of each ESM client (CONTRACT §6.2).

A client's clock is real time plus its offset: tokens are issued and verified on it, and
delayed applies fall due on it. The offset only moves forward, or back to 0 with a reset.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import EsmClient, utcnow
from ..validation import Fields

MAX_OFFSET_SECONDS = 10 * 366 * 86400  # ten years ahead is plenty, and fits every integer
MAX_TOKEN_TTL_SECONDS = 30 * 86400
CLOCK_FIELDS = {"clientId", "advanceSeconds", "reset", "tokenTtlSeconds"}


def now(client: EsmClient) -> datetime:
    """The client's now (timezone-aware UTC)."""
    return utcnow() + timedelta(seconds=client.clock_offset_seconds)


def timestamp(client) -> float:
    """The client's now as a Unix time: what token lifetimes are checked against."""
    return time.time() + client.clock_offset_seconds


def now_for(client_id: str) -> datetime:
    offset = db.session.scalar(sa.select(EsmClient.clock_offset_seconds).where(
        EsmClient.client_id == client_id))
    return utcnow() + timedelta(seconds=offset or 0)


def token_ttl(client: EsmClient) -> int:
    """Seconds a token issued to this client lives: its own setting, else VOKE_ESM_TOKEN_TTL."""
    return client.token_ttl_seconds or current_app.config["VOKE_ESM_TOKEN_TTL"]


def get_client(client_id: object) -> EsmClient:
    """The ESM client with this clientId (an organization enabled at least once)."""
    client = None
    if isinstance(client_id, str) and "\x00" not in client_id and len(client_id) <= 120:
        client = db.session.scalar(sa.select(EsmClient).where(EsmClient.client_id == client_id))
    if client is None:
        raise NotFound("No ESM client with this clientId")
    return client


def clock_json(client: EsmClient) -> dict:
    return {"clientId": client.client_id, "offsetSeconds": client.clock_offset_seconds,
            "now": now(client), "tokenTtlSeconds": token_ttl(client)}


def advance(client_id: str, seconds: int) -> EsmClient:
    """Move the client's clock forward: its tokens expire and its delayed applies fall due."""
    client = get_client(client_id)
    _check_advance(client, seconds, "advanceSeconds")
    _update(client, clock_offset_seconds=EsmClient.clock_offset_seconds + seconds)
    return client


def reset(client_id: str) -> EsmClient:
    """Back to real time."""
    client = get_client(client_id)
    _update(client, clock_offset_seconds=0)
    return client


def set_token_ttl(client_id: str, seconds: int | None) -> EsmClient:
    """Tokens issued from now on live `seconds` (None: back to VOKE_ESM_TOKEN_TTL)."""
    client = get_client(client_id)
    if seconds is not None and not _is_whole(seconds, 1, MAX_TOKEN_TTL_SECONDS):
        raise ValidationError([_ttl_hint()])
    _update(client, token_ttl_seconds=seconds)
    return client


def change(data: dict) -> EsmClient:
    """The admin API's POST body: any of reset, advanceSeconds, tokenTtlSeconds (in that order)."""
    fields = Fields(data)
    fields.string("clientId", max_len=120)
    fields.custom("advanceSeconds", None, _advance_problems, default=None)
    fields.boolean("reset", default=False)
    fields.custom("tokenTtlSeconds", None, _ttl_problems, default=None)
    fields.reject_unknown(CLOCK_FIELDS)
    if not CLOCK_FIELDS.intersection(data) - {"clientId"}:
        fields.details.append("advanceSeconds: give advanceSeconds, reset or tokenTtlSeconds")
    values = fields.done()
    client = get_client(values["clientId"])
    if values["reset"]:
        client = reset(client.client_id)
    if values["advanceSeconds"] is not None:
        client = advance(client.client_id, values["advanceSeconds"])
    if "tokenTtlSeconds" in data:
        client = set_token_ttl(client.client_id, values["tokenTtlSeconds"])
    return client


def reset_on_enable(client: EsmClient) -> dict:
    """The column values re-enabling a disabled client sets: its clock goes back to real time."""
    return {} if client.active else {"clock_offset_seconds": 0}


def _check_advance(client: EsmClient, seconds: object, name: str) -> None:
    problems = _advance_problems(seconds)
    if not problems and client.clock_offset_seconds + seconds > MAX_OFFSET_SECONDS:
        problems = [f"{name}: the clock would be more than {MAX_OFFSET_SECONDS} seconds "
                    f"ahead; reset it first"]
    if problems:
        raise ValidationError(problems)


def _advance_problems(value: object) -> list[str]:
    if value is None or _is_whole(value, 1, MAX_OFFSET_SECONDS):
        return []
    return [f"advanceSeconds: must be a whole number from 1 to {MAX_OFFSET_SECONDS} "
            f"(the clock only moves forward; reset it to go back)"]


def _ttl_problems(value: object) -> list[str]:
    return [] if value is None or _is_whole(value, 1, MAX_TOKEN_TTL_SECONDS) else [_ttl_hint()]


def _ttl_hint() -> str:
    return (f"tokenTtlSeconds: must be a whole number from 1 to {MAX_TOKEN_TTL_SECONDS}, "
            f"or null for VOKE_ESM_TOKEN_TTL")


def _is_whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _update(client: EsmClient, **values) -> None:
    """One UPDATE statement, so concurrent advances add up instead of overwriting each other."""
    db.session.execute(sa.update(EsmClient).where(EsmClient.id == client.id)
                       .values(updated_at=utcnow(), **values)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(client)
