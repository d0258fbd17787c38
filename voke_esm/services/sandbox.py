"""Enable, rotate, disable the sandbox for an organization; authenticate its ESM client."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app

from .. import credentials, tokens, vault
from ..errors import Conflict, Unauthorized
from ..extensions import db
from ..models import EsmClient, Organization, TradingPartnerConfig, utcnow
from . import clock, conflict_on_duplicate, trading_reads
from .plants import count_plants, ensure_default_plant
from .trading_reads import CallerClient

BAD_CREDENTIALS = "Invalid client credentials"


@dataclass(frozen=True)
class Credentials:
    """What enable returns, once: nothing can read the secret back later."""

    client_id: str
    client_secret: str
    esm_api_url: str

    def as_json(self) -> dict:
        return {"clientId": self.client_id, "clientSecret": self.client_secret,
                "esmApiUrl": self.esm_api_url}


def enable(organization: Organization) -> Credentials:
    """Enable the sandbox, or rotate its secret when already enabled; revokes older tokens."""
    secret = credentials.new_client_secret()
    with conflict_on_duplicate("The organization is being enabled by another request; retry"):
        client = organization.esm_client
        if client is None:
            client = EsmClient(client_id=credentials.new_client_id(organization.slug),
                               organization=organization, generation=0)
            db.session.add(client)
            db.session.flush()
        _bump_generation(client, secret_hash=credentials.hash_secret(secret), active=True,
                         **clock.reset_on_enable(client))
        issued = Credentials(client.client_id, secret, current_app.config["VOKE_ESM_INTERNAL_URL"])
        _record_partner_config(organization, issued)
        ensure_default_plant(client.client_id)
        db.session.commit()
    return issued


def disable(organization: Organization) -> None:
    """Revoke the client at once and drop Voke's stored secret; plants are kept."""
    client, config = organization.esm_client, organization.partner_config
    if client is None or config is None:
        raise Conflict(f"Voke ESM was never enabled for {organization.slug}")
    _bump_generation(client, secret_hash=None, active=False)
    config.status = "DISABLED"
    config.encrypted_credentials = None
    config.disabled_at = utcnow()
    db.session.commit()


def _bump_generation(client: EsmClient, **values) -> None:
    """One atomic UPDATE: concurrent rotations each get their own generation, so no token
    issued before the last of them survives it (and the row stays locked until commit)."""
    db.session.execute(
        sa.update(EsmClient).where(EsmClient.id == client.id)
        .values(generation=EsmClient.generation + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    db.session.refresh(client)


def status(organization: Organization) -> dict:
    client, config = organization.esm_client, organization.partner_config
    enabled = bool(client and client.active and config and config.status == "ENABLED")
    credentials_state = _credentials_state(organization)
    return {
        "orgId": str(organization.id),
        "enabled": enabled,
        "status": config.status if config else "NOT_CONFIGURED",
        "clientId": client.client_id if client else None,
        "esmApiUrl": config.esm_api_url if config else None,
        "plantCount": count_plants(client.client_id) if client else 0,
        "enabledAt": config.enabled_at if enabled else None,
        "hasEsmCredentials": credentials_state == "present",
        "credentials": credentials_state,
    }


def _credentials_state(organization: Organization) -> str:
    """Voke's stored copy: "present", "none", or "unreadable" when no key of the ring opens it
    (the key that sealed it was dropped, or the ciphertext was damaged or moved)."""
    try:
        return "present" if stored_credentials(organization) is not None else "none"
    except vault.DecryptionError:
        return "unreadable"


def stored_credentials(organization: Organization) -> dict | None:
    """Voke's decrypted copy (clientId, clientSecret, esmApiUrl), for Voke's own use only."""
    config = organization.partner_config
    if config is None or not config.encrypted_credentials:
        return None
    return vault.decrypt_credentials(vault_keys(), organization.id, config.encrypted_credentials)


def configs_with_stored_credentials() -> list[TradingPartnerConfig]:
    return list(db.session.scalars(
        sa.select(TradingPartnerConfig).join(TradingPartnerConfig.organization)
        .where(TradingPartnerConfig.encrypted_credentials.is_not(None))
        .order_by(Organization.slug)))


def reencrypt_stored_credentials(config: TradingPartnerConfig) -> str:
    """Seal one stored copy with the first key: "reencrypted", "current" (it already was, or an
    enable replaced it meanwhile), or "unreadable" (no key opens it; left as it is)."""
    keys, sealed = vault_keys(), config.encrypted_credentials
    try:
        plain, index = vault.open_credentials(keys, config.organization_id, sealed)
    except vault.DecryptionError:
        return "unreadable"
    if index == 0:
        return "current"
    # Only if the copy is still the one read: a concurrent enable's new secret must not be
    # overwritten by the old one (and it was sealed with the first key anyway).
    replaced = db.session.execute(
        sa.update(TradingPartnerConfig)
        .where(TradingPartnerConfig.id == config.id,
               TradingPartnerConfig.encrypted_credentials == sealed)
        .values(encrypted_credentials=vault.encrypt_credentials(
            keys, config.organization_id, plain))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return "reencrypted" if replaced else "current"


def authenticate_client(client_id: object, client_secret: object) -> CallerClient:
    """The active client these credentials belong to; one answer for every failure."""
    client = trading_reads.client_by_id(client_id) if isinstance(client_id, str) else None
    stored = client.secret_hash if client is not None and client.active else None
    if not credentials.verify_secret(client_secret, stored):
        raise Unauthorized(BAD_CREDENTIALS)
    return client


def issue_client_token(client: EsmClient | CallerClient) -> tuple[str, int]:
    """A token issued on the client's clock, living the client's token lifetime."""
    ttl = clock.token_ttl(client)
    token = tokens.issue(tokens.ESM, current_app.config["JWT_SECRET"], client.client_id, ttl,
                         now=clock.timestamp(client), gen=client.generation)
    return token, ttl


def token_claims(token: str) -> dict | None:
    """The claims of a well-signed ESM token, without asking the database (None if not);
    whether it is still live depends on its client's clock, which
    trading_reads.client_from_token checks.
    Voke sends one token for an hour: its signature is checked once per process."""
    claims = _signed_claims(current_app.config["JWT_SECRET"], token)
    return dict(claims) if claims is not None else None


@lru_cache(maxsize=256)
def _signed_claims(secret: str, token: str) -> dict | None:
    try:
        return tokens.verify_signed(tokens.ESM, secret, token)
    except tokens.InvalidToken:
        return None


def _record_partner_config(organization: Organization, issued: Credentials) -> None:
    config = organization.partner_config or TradingPartnerConfig(organization=organization)
    if config.status != "ENABLED":
        config.enabled_at = utcnow()
    config.status = "ENABLED"
    config.esm_api_url = issued.esm_api_url
    config.esm_client_id = issued.client_id
    config.queue_prefix = f"vcp.{organization.slug}"
    config.disabled_at = None
    db.session.add(config)
    db.session.flush()  # the organization id binds the ciphertext to this row
    config.encrypted_credentials = vault.encrypt_credentials(
        vault_keys(), organization.id, issued.as_json())


def vault_keys() -> tuple[bytes, ...]:
    """The app's key ring, derived on first use (see vault: trading workers never need it)."""
    keys = current_app.extensions.get("voke_esm_vault_keys")
    if keys is None:
        keys = current_app.extensions.setdefault("voke_esm_vault_keys", vault.derive_keys(
            current_app.config["VOKE_ESM_ENCRYPTION_KEYS"]))
    return keys
