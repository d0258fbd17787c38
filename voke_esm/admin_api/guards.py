"""The admin API's gate: a SuperAdmin, by bearer token or by session cookie plus CSRF token."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from ..auth.identity import authenticated_by_session, current_user
from ..errors import INVALID_TOKEN_CHALLENGE, DomainError, Unauthorized
from ..extensions import csrf
from ..http import bearer_token


def admin_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint whose every route requires a SuperAdmin."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    # Bearer-token callers need no CSRF token; cookie callers are checked in the guard.
    csrf.exempt(bp)
    bp.before_request(require_superadmin)
    return bp


def require_superadmin() -> None:
    """401 without a valid identity, 403 for a cookie without CSRF token or a non-SuperAdmin."""
    user = current_user()
    if user is None:
        if bearer_token() is not None:
            raise Unauthorized("Invalid or expired access token", challenge=INVALID_TOKEN_CHALLENGE)
        raise Unauthorized("Authentication required")
    if authenticated_by_session():
        _check_csrf()
    if not user.is_superadmin:
        raise DomainError("SUPER_ADMIN_REQUIRED", "This action requires a SuperAdmin account")


def _check_csrf() -> None:
    config = current_app.config
    if config["WTF_CSRF_ENABLED"] and request.method in config["WTF_CSRF_METHODS"]:
        csrf.protect()  # raises CSRFError, which the app answers with 403 FORBIDDEN
