"""Authenticated encryption of the TradingPartnerConfig credentials, bound to the organization.

The keys form a ring (VOKE_ESM_ENCRYPTION_KEY=NEW,OLD,...): the first encrypts, every one
decrypts, so a key can be replaced without losing what the older one sealed.

cryptography is imported by the functions that use it, not with this module: only admin
calls seal or open credentials, and the import holds 7 MiB that a trading worker would carry
for nothing (see tokens.py)."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Sequence

VERSION = "v1"


class DecryptionError(Exception):
    """The ciphertext is damaged, was made with another key, or belongs to another row."""


def derive_key(material: str) -> bytes:
    """A 256-bit AES key from VOKE_ESM_ENCRYPTION_KEY, whatever text it holds."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"voke-esm trading partner credentials").derive(material.encode())


def _aad(organization_id: uuid.UUID) -> bytes:
    return b"trading_partner_configs:" + str(organization_id).encode()


def derive_keys(materials: Sequence[str]) -> tuple[bytes, ...]:
    """The key ring, in order: the first key encrypts."""
    return tuple(derive_key(material) for material in materials)


def encrypt_credentials(keys: Sequence[bytes], organization_id: uuid.UUID,
                        credentials: dict) -> str:
    """Seal with the first key of the ring."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = AESGCM(keys[0]).encrypt(nonce, json.dumps(credentials).encode(),
                                     _aad(organization_id))
    return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_credentials(keys: Sequence[bytes], organization_id: uuid.UUID,
                     token: str) -> tuple[dict, int]:
    """The credentials and the position in the ring of the key that opened them."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        version, payload = token.split(":", 1)
        raw = base64.urlsafe_b64decode(payload)
        if version != VERSION or len(raw) < 29:
            raise ValueError(version)
    except ValueError as error:
        raise DecryptionError("credentials cannot be decrypted for this organization") from error
    for index, key in enumerate(keys):
        try:
            plain = AESGCM(key).decrypt(raw[:12], raw[12:], _aad(organization_id))
        except InvalidTag:
            continue
        return json.loads(plain), index
    raise DecryptionError("credentials cannot be decrypted for this organization")


def decrypt_credentials(keys: Sequence[bytes], organization_id: uuid.UUID, token: str) -> dict:
    return open_credentials(keys, organization_id, token)[0]
