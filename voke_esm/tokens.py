"""Issue and verify the two kinds of JWT that share JWT_SECRET, told apart by iss, aud and typ."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt


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


class InvalidToken(Exception):
    """The token is malformed, forged, expired or of another kind."""


def issue(kind: TokenKind, secret: str, subject: str, ttl: int, now: float | None = None,
          **claims) -> str:
    """A signed token issued at `now` (a Unix time; real time by default)."""
    now = int(time.time() if now is None else now)
    payload = {"iss": kind.issuer, "aud": kind.audience, "sub": subject, "iat": now,
               "exp": now + ttl, "jti": uuid.uuid4().hex, **claims}
    return jwt.encode(payload, secret, algorithm="HS256", headers={"typ": kind.typ})


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
