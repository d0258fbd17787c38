"""The tables: organizations, users, Voke's partner link, and the ESM's clients and plants."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


class JSONDocument(sa.TypeDecorator):
    """JSON, stored as JSONB on PostgreSQL; `whole`: as `json` there, the text as written,
    checked but not parsed into JSONB, for a document that is only ever stored and answered
    whole (a day of blocks, a request's body): JSONB's parsing cost the server five times
    the check, twice per trading update. SQLAlchemy's PostgreSQL dialect is imported only
    there: 2 MiB that an SQLite worker would hold for nothing."""

    impl = sa.JSON
    cache_ok = True

    def __init__(self, whole: bool = False):
        super().__init__()
        self.whole = whole

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSON, JSONB

            return dialect.type_descriptor(JSON() if self.whole else JSONB())
        return dialect.type_descriptor(sa.JSON())


# JSON documents (96 blocks, journal entries) are stored without the spaces json.dumps adds
# by default: a sixth fewer bytes, pages and write-ahead log to write. They are parsed JSON or
# built by this code, never circular: without the check for that (an id kept for every list
# and object) 96 blocks serialise a fifth faster.
_compact = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


class StoredJSON(str):
    """A document already serialized by dump_json: stored as it is, not serialized again."""


def dump_json(value: object) -> str:
    """The engine's JSON serializer (every JSONDocument column, on every backend)."""
    return str(value) if type(value) is StoredJSON else _compact(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Organization(Timestamps, db.Model):
    __tablename__ = "organizations"
    __table_args__ = (sa.Index("ix_organizations_name_slug", "name", "slug"),)  # list order

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(100))
    slug: Mapped[str] = mapped_column(sa.String(50), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)

    partner_config: Mapped[TradingPartnerConfig | None] = relationship(
        back_populates="organization", uselist=False)
    esm_client: Mapped[EsmClient | None] = relationship(
        back_populates="organization", uselist=False)


class User(Timestamps, db.Model):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_superadmin: Mapped[bool] = mapped_column(default=False)


class BrowserSession(db.Model):
    """A signed-in browser; the cookie names it, and sign-out deletes it on the server."""

    __tablename__ = "browser_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # SHA-256 of the cookie's id
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class TradingPartnerConfig(Timestamps, db.Model):
    """Voke's side of the link: how Voke reaches this org's ESM, credentials encrypted."""

    __tablename__ = "trading_partner_configs"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    esm_api_url: Mapped[str] = mapped_column(sa.String(500))
    esm_client_id: Mapped[str] = mapped_column(sa.String(120))
    encrypted_credentials: Mapped[str | None] = mapped_column(sa.Text)
    queue_prefix: Mapped[str] = mapped_column(sa.String(120))
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sync_status: Mapped[str | None] = mapped_column(sa.String(40))

    organization: Mapped[Organization] = relationship(back_populates="partner_config")


class EsmClient(Timestamps, db.Model):
    """The ESM's side: the OAuth2 client Voke authenticates as."""

    __tablename__ = "voke_esm_clients"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=False)
    # Embedded in every token; bumped on rotation and disable, which revokes older tokens.
    generation: Mapped[int] = mapped_column(default=0)
    # The sandbox clock (CONTRACT §6.2): seconds ahead of real time; only forward, or back to 0.
    clock_offset_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    # None: VOKE_ESM_TOKEN_TTL.
    token_ttl_seconds: Mapped[int | None]
    # Bumped by every change to the client's fault rules (0: it never had any). Read with the
    # client on every trading call, it tells each worker whether its copy of the rules is
    # current, so a call that no rule concerns costs no extra query.
    fault_rules_version: Mapped[int] = mapped_column(default=0, server_default="0")

    organization: Mapped[Organization] = relationship(back_populates="esm_client")


class Plant(Timestamps, db.Model):
    __tablename__ = "voke_esm_plants"
    __table_args__ = (sa.UniqueConstraint("client_id", "external_plant_id"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    # No index of its own: the unique (client_id, external_plant_id) index serves the client's
    # plants, and a narrower one led PostgreSQL, without statistics, to find a plant by its
    # client alone, reading every plant of the client (migration 0005).
    client_id: Mapped[str] = mapped_column(
        sa.ForeignKey("voke_esm_clients.client_id", ondelete="CASCADE"))
    external_plant_id: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.Text)
    fve_peak_power_kwp: Mapped[float] = mapped_column(sa.Float, default=0.0)
    capacity_kwh: Mapped[float] = mapped_column(sa.Float, default=0.0)
    config_enabled: Mapped[bool] = mapped_column(default=True)
    plant_with_load: Mapped[bool] = mapped_column(default=False)
    esi_state: Mapped[str] = mapped_column(sa.String(32), default="PLC_READY")
    time_configs: Mapped[list] = mapped_column(JSONDocument(whole=True))
    config_version: Mapped[int] = mapped_column(default=1)
    # Delayed and failed applies (CONTRACT §6.3).
    apply_delay_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    apply_outcome: Mapped[str] = mapped_column(sa.String(16), default="applied",
                                               server_default="applied")
    # The due time (client clock) of the plant's one pending revision: lets every read see
    # whether there is anything to apply without another query.
    pending_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConfigRevision(db.Model):
    """One config update of a plant (its version once applied); also the idempotency record.

    status: applied | pending (waits for due_at on the client's clock) | failed | superseded;
    only applied revisions have a version.
    """

    __tablename__ = "voke_esm_config_revisions"
    # The version's key leads with the version, so that on PostgreSQL the (plant, code) key is
    # the one index that starts with the plant: without statistics PostgreSQL chose a narrower
    # index starting with it to look a code up, and read every revision of the plant (migration
    # 0006; SQLite's tables keep (plant_id, version), its planner choosing well by itself).
    __table_args__ = (
        sa.UniqueConstraint("version", "plant_id"),
        sa.UniqueConstraint("plant_id", "config_update_req_code"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    # Served by the two unique indexes, which both start with it (migration 0005).
    plant_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("voke_esm_plants.id", ondelete="CASCADE"))
    version: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="applied",
                                        server_default="applied")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    config_update_req_code: Mapped[str | None] = mapped_column(sa.String(128))
    source: Mapped[str] = mapped_column(sa.String(16))
    time_configs: Mapped[list] = mapped_column(JSONDocument(whole=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JournalEntry(db.Model):
    """One call Voke made to the trading API, as QA needs to see it (never a secret)."""

    __tablename__ = "voke_esm_request_journal"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    client_id: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64))
    method: Mapped[str] = mapped_column(sa.String(10))
    path: Mapped[str] = mapped_column(sa.String(200))
    query: Mapped[str | None] = mapped_column(sa.String(500))
    plant_id: Mapped[str | None] = mapped_column(sa.String(64))
    config_update_req_code: Mapped[str | None] = mapped_column(sa.String(128))
    request_body: Mapped[object | None] = mapped_column(JSONDocument(whole=True))
    status: Mapped[int]
    outcome: Mapped[str | None] = mapped_column(sa.String(40))  # resultCode or error code
    duration_ms: Mapped[float] = mapped_column(sa.Float)
    faults: Mapped[list | None] = mapped_column(JSONDocument())  # fired rules: id and effect
    request_headers: Mapped[dict | None] = mapped_column(JSONDocument())  # credentials redacted
    response_body: Mapped[str | None] = mapped_column(sa.Text)  # as answered, tokens redacted


class FaultRule(db.Model):
    """A QA fault injected into the trading calls of one client (CONTRACT.md §6.1)."""

    __tablename__ = "voke_esm_fault_rules"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(
        sa.ForeignKey("voke_esm_clients.client_id", ondelete="CASCADE"), index=True)
    plant_id: Mapped[str | None] = mapped_column(sa.String(64))  # the externalPlantId
    endpoint: Mapped[str] = mapped_column(sa.String(32))
    effect: Mapped[dict] = mapped_column(JSONDocument())
    trigger: Mapped[dict] = mapped_column(JSONDocument())
    # `next` rules: how many firings are left, decremented atomically by every worker.
    remaining: Mapped[int | None]
    # Matching calls seen so far: k of the seeded draw of `probability` rules.
    calls: Mapped[int] = mapped_column(default=0)
    hits: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    label: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
