"""Authenticated encryption of the TradingPartnerConfig credentials, bound to the organization."""

from __future__ import annotations

import base64
import json
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"


class DecryptionError(Exception):
    """The ciphertext is damaged, was made with another key, or belongs to another row."""


def derive_key(material: str) -> bytes:
    """A 256-bit AES key from VOKE_ESM_ENCRYPTION_KEY, whatever text it holds."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"voke-esm trading partner credentials").derive(material.encode())


def _aad(organization_id: uuid.UUID) -> bytes:
    return b"trading_partner_configs:" + str(organization_id).encode()


def encrypt_credentials(key: bytes, organization_id: uuid.UUID, credentials: dict) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(credentials).encode(), _aad(organization_id))
    return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt_credentials(key: bytes, organization_id: uuid.UUID, token: str) -> dict:
    try:
        version, payload = token.split(":", 1)
        raw = base64.urlsafe_b64decode(payload)
        if version != VERSION or len(raw) < 29:
            raise ValueError(version)
        plain = AESGCM(key).decrypt(raw[:12], raw[12:], _aad(organization_id))
    except (ValueError, InvalidTag) as error:
        raise DecryptionError("credentials cannot be decrypted for this organization") from error
    return json.loads(plain)
