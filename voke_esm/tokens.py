"""Issue and verify the two kinds of JWT that share JWT_SECRET, told apart by iss, aud and typ."""

from __future__ import annotations

import json
import sys
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache


def _import_pyjwt_for_hmac_only():
    """PyJWT as installed without its `crypto` extra, which it supports: HMAC algorithms only.
    PyJWT imports cryptography whenever it can, for the RSA and EC algorithms we never use,
    and that import alone holds 7 MiB in every worker (issue 8: at most 70 per worker). The
    vault, which does need cryptography, imports it when an admin call first seals or opens a
    secret."""
    if "cryptography" in sys.modules or "jwt" in sys.modules:  # too late: nothing to save
        import jwt
        return jwt
    sys.modules["cryptography"] = None  # import cryptography -> ModuleNotFoundError
    try:
        import jwt
    finally:
        del sys.modules["cryptography"]
    return jwt


jwt = _import_pyjwt_for_hmac_only()
from jwt.algorithms import HMACAlgorithm  # noqa: E402 - after the import above


@dataclass(frozen=True)
class TokenKind:
    issuer: str
    audience: str
    typ: str
    extra_claims: tuple[str, ...]
    claim_types: tuple[tuple[str, type], ...]

    @property
    def required(self) -> list[str]:
        return ["iss", "aud", "sub", "iat", "exp", "jti", *self.extra_claims]


# Voke calling the ESM: `gen` is the client's credential generation, bumped on rotate/disable.
ESM = TokenKind("voke-esm", "voke-esm-trading", "at+jwt", ("gen",), (("gen", int),))
# A Voke user (SuperAdmin) calling the admin API.
USER = TokenKind("voke", "voke-api", "JWT", ("email",), (("email", str),))


class _HS256(HMACAlgorithm):
    """PyJWT's HS256, checking that a secret is not an asymmetric key or a JWK once per secret
    rather than once per token (a JSON parse and a raised error each time: about 8 % of a token
    call)."""

    def __init__(self):
        super().__init__(HMACAlgorithm.SHA256)

    @lru_cache(maxsize=8)  # noqa: B019 - one instance for the process; a handful of secrets
    def prepare_key(self, key: str | bytes) -> bytes:
        return super().prepare_key(key)


_SIGNER = jwt.PyJWS()
_SIGNER.unregister_algorithm("HS256")
_SIGNER.register_algorithm("HS256", _HS256())


class InvalidToken(Exception):
    """The token is malformed, forged, expired or of another kind."""


def issue(kind: TokenKind, secret: str, subject: str, ttl: int, now: float | None = None,
          **claims) -> str:
    """A signed token issued at `now` (a Unix time; real time by default)."""
    now = int(time.time() if now is None else now)
    payload = {"iss": kind.issuer, "aud": kind.audience, "sub": subject, "iat": now,
               "exp": now + ttl, "jti": uuid.uuid4().hex, **claims}
    # The claims as PyJWT's jwt.encode serializes them, signed by the signer above.
    return _SIGNER.encode(json.dumps(payload, separators=(",", ":")).encode(), secret,
                          algorithm="HS256", headers={"typ": kind.typ})


def verify(kind: TokenKind, secret: str, token: str, now: float | None = None) -> dict:
    """The claims of a valid token of this kind, live at `now` (a Unix time; real time by
    default); InvalidToken for anything else."""
    claims = verify_signed(kind, secret, token)
    check_lifetime(claims, time.time() if now is None else now)
    return claims


def check_lifetime(claims: dict, now: float) -> None:
    """InvalidToken unless `now` lies in [iat, exp): the sandbox clock decides, not PyJWT's."""
    if claims["exp"] <= now:
        raise InvalidToken("Signature has expired")
    if claims["iat"] > now:
        raise InvalidToken("The token is not yet valid (iat)")


def verify_signed(kind: TokenKind, secret: str, token: str) -> dict:
    """The claims of a well-formed, well-signed token of this kind, whatever the time."""
    try:
        decoded = jwt.decode_complete(
            token, secret, algorithms=["HS256"], audience=kind.audience, issuer=kind.issuer,
            options={"require": kind.required, "strict_aud": True, "verify_exp": False,
                     "verify_iat": False},
        )
        header, claims = decoded["header"], decoded["payload"]
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from error
    if header.get("typ") != kind.typ or header.get("alg") != "HS256":
        raise InvalidToken("wrong token type")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise InvalidToken("sub must be a non-empty string")
    for name, expected in kind.claim_types:
        if not isinstance(claims[name], expected) or isinstance(claims[name], bool):
            raise InvalidToken(f"{name} has the wrong type")
    if not all(isinstance(claims[name], int | float) and not isinstance(claims[name], bool)
               for name in ("iat", "exp")):
        raise InvalidToken("iat and exp must be numbers")
    return claims
