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
# A plant without its time configs: what a list shows and an update needs (96 blocks are
# 10 KB of JSON to parse per plant).
PlantBrief = namedtuple("PlantBrief", [f for f in PLANT_FIELDS if f != "time_configs"])

_CLIENT_COLUMNS = [getattr(EsmClient, name) for name in CLIENT_FIELDS]
_CLIENT_BY_ID = Prepared(sa.select(*_CLIENT_COLUMNS)
                         .where(EsmClient.client_id == sa.bindparam("client_id")))


def _client_and_plant(plant_fields: tuple[str, ...]) -> Prepared:
    """The client still active at the token's generation and (outer-joined) its plant with
    the asked external id: both lookups use a unique index."""
    return Prepared(
        sa.select(*_CLIENT_COLUMNS, *[getattr(Plant, name) for name in plant_fields])
        .select_from(EsmClient)
        .outerjoin(Plant, sa.and_(Plant.client_id == EsmClient.client_id,
                                  Plant.external_plant_id == sa.bindparam("plant_id")))
        .where(EsmClient.client_id == sa.bindparam("sub"), EsmClient.active.is_(True),
               EsmClient.generation == sa.bindparam("gen")))


_CLIENT_AND_PLANT = {PlantRow: _client_and_plant(PlantRow._fields),
                     PlantBrief: _client_and_plant(PlantBrief._fields)}
_PLANTS_OF_CLIENT = Prepared(
    sa.select(*[getattr(Plant, name) for name in PlantBrief._fields])
    .where(Plant.client_id == sa.bindparam("client_id"))
    .order_by(Plant.external_plant_id))


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
                      shape: type = PlantRow) -> tuple[CallerClient, PlantRow | None]:
    """The client a bearer token speaks for, if it is valid and not revoked since issue
    (None: no bearer credentials were sent), with its plant `plant_id` (None: not found or not
    asked) as a `shape` (PlantRow or PlantBrief), in one indexed query. `claims`: the
    token's, verified by sandbox.token_claims."""
    if token is None:
        raise Unauthorized("Missing bearer token")
    row = None
    if claims is not None:
        row = _CLIENT_AND_PLANT[shape].first({"sub": claims["sub"], "gen": claims["gen"],
                                              "plant_id": plant_id})
    client = CallerClient._make(row[:len(CLIENT_FIELDS)]) if row is not None else None
    if client is None or not _live_on_clock(claims, client):
        raise Unauthorized("Invalid or expired access token", challenge=INVALID_TOKEN_CHALLENGE)
    plant = row[len(CLIENT_FIELDS):]
    return client, shape._make(plant) if plant[0] is not None else None


def _live_on_clock(claims: dict, client: CallerClient) -> bool:
    try:
        tokens.check_lifetime(claims, clock.now(client).timestamp())
    except tokens.InvalidToken:
        return False
    return True


def plants_of_client(client_id: str) -> list:
    """The client's plants in the order the list shows them, each settled."""
    return [settled(PlantBrief._make(row))
            for row in _PLANTS_OF_CLIENT.all({"client_id": client_id})]


def settled(plant):
    """The plant as read, or, when a revision of it is pending, its model after settling."""
    if plant.pending_due_at is None:
        return plant
    return applies.settle(db.session.get(Plant, plant.id))
