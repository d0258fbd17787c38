"""RFC 6749 §4.4 client-credentials token requests (CONTRACT.md §7): the form body, the client
authenticated by HTTP Basic (§2.3.1) or in the form, answers and errors in RFC 6749's shapes."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .errors import Unauthorized
from .http import NO_STORE
from .services import sandbox

FORM_TYPE = "application/x-www-form-urlencoded"
GRANT_TYPE = "client_credentials"
PARAMETERS = ("grant_type", "client_id", "client_secret", "scope")
BASIC_CHALLENGE = 'Basic realm="voke-esm", charset="UTF-8"'
# One description for every authentication failure: unknown client, wrong secret, disabled
# client, malformed header. Nothing tells them apart.
CLIENT_AUTH_FAILED = "Client authentication failed"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error answer."""

    def __init__(self, error: str, description: str, status: int = 400,
                 headers: dict[str, str] | None = None):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.headers = headers or {}


@dataclass(frozen=True)
class ClientAuth:
    client_id: str | None
    client_secret: str | None
    basic: bool


def is_form_request() -> bool:
    return request.mimetype == FORM_TYPE


def client_credentials_grant() -> Response:
    """The token endpoint for a form request: a token, or the RFC 6749 error."""
    try:
        auth = _checked_request()
        try:
            client = sandbox.authenticate_client(auth.client_id, auth.client_secret)
        except Unauthorized as error:
            raise _invalid_client(auth.basic) from error
        access_token, ttl = sandbox.issue_client_token(client)
    except OAuthError as error:
        return _answer({"error": error.error, "error_description": error.description},
                       error.status, error.headers)
    return _answer({"access_token": access_token, "token_type": "Bearer", "expires_in": ttl},
                   200)


def claimed_client_id() -> str | None:
    """The client a form request names (Basic or form), for the rate-limit key; never raises."""
    if not is_form_request():
        return None
    try:
        return client_auth().client_id
    except (OAuthError, HTTPException):  # a malformed header; a form too large to read
        return None


def form_for_journal() -> dict | None:
    """A form request's parameters as sent, for the journal (which redacts the secret)."""
    try:
        return {key: values[0] if len(values) == 1 else values
                for key, values in request.form.lists()}
    except HTTPException:
        return None


def client_auth() -> ClientAuth:
    """The client credentials sent, parsed once; OAuthError for a malformed Basic header."""
    if "oauth2_client_auth" not in g:
        if _uses_basic():
            encoded = request.headers["Authorization"].strip()[len("basic"):]
            client_id, client_secret = _decode_basic(encoded.strip())
            g.oauth2_client_auth = ClientAuth(client_id, client_secret, basic=True)
        else:
            g.oauth2_client_auth = ClientAuth(_single("client_id"), _single("client_secret"),
                                              basic=False)
    return g.oauth2_client_auth


def _checked_request() -> ClientAuth:
    for name in PARAMETERS:
        if len(request.form.getlist(name)) > 1:
            raise OAuthError("invalid_request", f"The {name} parameter is repeated")
    grant_type = _single("grant_type")
    if grant_type is None:
        raise OAuthError("invalid_request", "The grant_type parameter is required")
    if grant_type != GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is "
                                                   "supported")
    if _uses_basic() and (_single("client_id") is not None or _single("client_secret") is not None):
        raise OAuthError("invalid_request", "Send the client credentials either with HTTP "
                                            "Basic or in the form, not both")
    auth = client_auth()
    if auth.client_id is None or auth.client_secret is None:
        raise _invalid_client(auth.basic)
    return auth


def _uses_basic() -> bool:
    scheme = request.headers.get("Authorization", "").split(None, 1) or [""]
    return scheme[0].lower() == "basic"


def _single(name: str) -> str | None:
    """A form parameter; RFC 6749 §3.1: a parameter sent without a value counts as omitted."""
    return request.form.get(name) or None


def _decode_basic(encoded: str) -> tuple[str, str]:
    """RFC 6749 §2.3.1: base64 of form-urlencoded client id and secret joined by a colon."""
    try:
        user_pass = base64.b64decode(encoded, validate=True).decode("ascii")
        client_id, colon, client_secret = user_pass.partition(":")
        if not colon:
            raise ValueError("no colon")
        return _form_decoded(client_id), _form_decoded(client_secret)
    except (binascii.Error, ValueError) as error:  # UnicodeDecodeError is a ValueError
        raise _invalid_client(basic=True) from error


def _form_decoded(value: str) -> str:
    return unquote_to_bytes(value.replace("+", " ")).decode("utf-8")


def _invalid_client(basic: bool) -> OAuthError:
    return OAuthError("invalid_client", CLIENT_AUTH_FAILED, 401,
                      {"WWW-Authenticate": BASIC_CHALLENGE} if basic else None)


def _answer(body: dict, status: int, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update({**NO_STORE, **(headers or {})})
    return response
