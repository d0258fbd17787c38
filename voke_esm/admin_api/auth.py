"""POST /api/v1/auth/login: a Voke user token for the admin API."""

from __future__ import annotations

from flask import Blueprint, request

from ..extensions import csrf
from ..http import NO_STORE, json_body
from ..services import accounts
from ..validation import Fields

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth")
# The answer is a bearer token in the body, not a cookie: there is no session to ride.
csrf.exempt(bp)


@bp.post("/login")
def login():
    fields = Fields(json_body())
    fields.string("email", max_len=254)
    fields.string("password", max_len=1024)
    values = fields.done()
    user = accounts.sign_in(values["email"], values["password"], request.remote_addr or "")
    token, ttl = accounts.issue_user_token(user)
    return ({"accessToken": token, "tokenType": "Bearer", "expiresIn": ttl}, 200,
            NO_STORE)
