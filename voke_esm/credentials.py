"""ESM client credentials: generation and constant-time verification against a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_BYTES = 32
SECRET_PREFIX = "vesm_"  # noqa: S105 - a public prefix, not a secret
HASH_SCHEME = "sha256"
# Verified when the client is unknown or has no secret, so that both cost what a wrong secret
# costs and nothing tells them apart.
_DUMMY_HASH = f"{HASH_SCHEME}${'0' * 32}${'0' * 64}"


def new_client_id(org_slug: str) -> str:
    """A client id for an organization, made once at its first enable and kept afterwards."""
    return f"voke-esm-{org_slug}-{secrets.token_hex(4)}"


def new_client_secret() -> str:
    """A fresh secret of 32 random bytes (URL-safe), prefixed so scanners can spot leaks."""
    return SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a salted SHA-256 is as strong as a slow hash here
    # and keeps token requests cheap.
    salt = secrets.token_hex(16)
    return f"{HASH_SCHEME}${salt}${_digest(salt, secret)}"


def verify_secret(secret: object, stored_hash: str | None) -> bool:
    """True when `secret` matches; never raises on odd input; unknown clients cost the same."""
    candidate = secret if isinstance(secret, str) else ""
    scheme, salt, expected = _split(stored_hash or _DUMMY_HASH)
    actual = _digest(salt, candidate)
    return (hmac.compare_digest(actual, expected) and stored_hash is not None
            and scheme == HASH_SCHEME and isinstance(secret, str))


def _split(stored_hash: str) -> tuple[str, str, str]:
    parts = stored_hash.split("$")
    if len(parts) != 3:
        parts = _DUMMY_HASH.split("$")
    return parts[0], parts[1], parts[2]


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}${secret}".encode("utf-8", "surrogatepass")).hexdigest()
