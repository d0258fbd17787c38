"""What the trading API reads on every call: the caller's client, its plant, its plant list.

Plain named tuples from prepared statements (prepared.py says why), with the attributes the
ORM models have, so the services that take a plant take either. A plant with a pending
revision is handed over as its model, settled (§6.3): only the model can be settled.
"""

from __future__ import annotations

from collections import namedtuple

import sqlalchemy as sa
from flask import g

from .. import tokens
from ..errors import INVALID_TOKEN_CHALLENGE, Unauthorized
from ..extensions import db
from ..models import EsmClient, Plant
from ..prepared import Prepared
from ..validation import is_valid_unicode
from . import applies, clock

CLIENT_FIELDS = ("client_id", "active", "secret_hash", "generation", "clock_offset_seconds",
                 "token_ttl_seconds", "fault_rules_version")
PLANT_FIELDS = ("id", "client_id", "external_plant_id", "name", "description",
                "fve_peak_power_kwp", "capacity_kwh", "config_enabled", "plant_with_load",
                "esi_state", "time_configs", "config_version", "apply_delay_seconds",
                "apply_outcome", "pending_due_at")
CallerClient = namedtuple("CallerClient", CLIENT_FIELDS)
PlantRow = namedtuple("PlantRow", PLANT_FIELDS)
# A plant without its time configs and version: what a list shows and an update needs (96
# blocks are 10 KB of JSON to parse per plant), and what a trading update's store leaves as
# it was (read_memo.py): remembered across updates.
PlantBrief = namedtuple("PlantBrief", [f for f in PLANT_FIELDS
                                       if f not in ("time_configs", "config_version")])

_CLIENT_COLUMNS = [getattr(EsmClient, name) for name in CLIENT_FIELDS]
_CLIENT_BY_ID = Prepared(sa.select(*_CLIENT_COLUMNS)
                         .where(EsmClient.client_id == sa.bindparam("client_id")),
                         remembered=True, config_free=True)


def _client_and_plants(plant_fields: tuple[str, ...], every_plant: bool) -> Prepared:
    """The client still active at the token's generation and (outer-joined) its plant with
    the asked external id, or every plant of it in list order: each lookup uses a unique
    index."""
    on = Plant.client_id == EsmClient.client_id
    if not every_plant:
        on = sa.and_(on, Plant.external_plant_id == sa.bindparam("plant_id"))
    query = (sa.select(*_CLIENT_COLUMNS, *[_plant_column(name) for name in plant_fields])
             .select_from(EsmClient).outerjoin(Plant, on)
             .where(EsmClient.client_id == sa.bindparam("sub"), EsmClient.active.is_(True),
                    EsmClient.generation == sa.bindparam("gen")))
    return Prepared(query.order_by(Plant.external_plant_id) if every_plant else query,
                    remembered=True, config_free="config_version" not in plant_fields)


def _plant_column(name: str):
    """Plant's column `name`; the time configs as their stored JSON text, answered as stored
    (see trading.plant_config), not parsed and serialised again: a cast that costs nothing
    on SQLite and on PostgreSQL's `json` (migration 0007)."""
    column = getattr(Plant, name)
    return sa.cast(column, sa.Text) if name == "time_configs" else column


_CLIENT_AND_PLANTS = {(shape, every): _client_and_plants(shape._fields, every)
                      for shape, every in ((PlantRow, False), (PlantBrief, False),
                                           (PlantBrief, True))}


def client_by_id(client_id: str) -> CallerClient | None:
    """The client (active or not) by its clientId; read once per request, as the token
    endpoint's fault rules and its credentials check both need it."""
    read = g.setdefault("clients_read", {})
    if client_id not in read:
        storable = "\x00" not in client_id and is_valid_unicode(client_id)  # else none such
        row = _CLIENT_BY_ID.first({"client_id": client_id}) if storable else None
        read[client_id] = CallerClient._make(row) if row is not None else None
    return read[client_id]


def client_from_token(token: str | None, claims: dict | None, plant_id: str | None = None,
                      shape: type = PlantRow, every_plant: bool = False,
                      ) -> tuple[CallerClient, list]:
    """The client a bearer token speaks for, if it is valid and not revoked since issue
    (None: no bearer credentials were sent), with its plant `plant_id` (none: not found or not
    asked) or, `every_plant`, all its plants in list order, each a `shape` (PlantRow or
    PlantBrief), in one indexed query. `claims`: the token's, verified by
    sandbox.token_claims."""
    if token is None:
        raise Unauthorized("Missing bearer token")
    rows = []
    if claims is not None:
        params = {"sub": claims["sub"], "gen": claims["gen"]}
        rows = _CLIENT_AND_PLANTS[shape, every_plant].all(
            params if every_plant else {**params, "plant_id": plant_id})
    client = CallerClient._make(rows[0][:len(CLIENT_FIELDS)]) if rows else None
    if client is None or not _live_on_clock(claims, client):
        raise Unauthorized("Invalid or expired access token", challenge=INVALID_TOKEN_CHALLENGE)
    return client, [shape._make(row[len(CLIENT_FIELDS):]) for row in rows
                    if row[len(CLIENT_FIELDS)] is not None]


def _live_on_clock(claims: dict, client: CallerClient) -> bool:
    try:
        tokens.check_lifetime(claims, clock.timestamp(client))
    except tokens.InvalidToken:
        return False
    return True


def settled(plant):
    """The plant as read, or, when a revision of it is pending, its model after settling."""
    if plant.pending_due_at is None:
        return plant
    return applies.settle(db.session.get(Plant, plant.id))
