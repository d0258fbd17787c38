"""The browser's sign-in and sign-out, and the site root."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Response, current_app, flash, redirect, render_template, request, url_for

from ..errors import DomainError, Unauthorized
from ..extensions import db
from ..services import accounts
from . import bp
from .guards import DEFAULT_NEXT, safe_next
from .identity import current_user, end_session, start_session

log = logging.getLogger(__name__)

THROTTLED = "Too many sign-in attempts. Wait a minute, then try again."


@bp.app_context_processor
def signed_in_account() -> dict:
    """The layout shows who is signed in; a broken database must not break an error page."""
    try:
        return {"account": current_user()}
    except Exception:  # noqa: BLE001 - the error page renders without the account instead
        db.session.rollback()
        log.warning("Could not resolve the signed-in account for the layout", exc_info=True)
        return {"account": None}


@bp.app_template_global()
def back_url() -> str | None:
    """The same-site page this request came from (Referrer-Policy keeps same-origin referrers)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


@bp.get("/")
def index():
    return redirect(DEFAULT_NEXT)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every page that names no icon (JSON answers, for one)."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/login")
def login():
    next_url = safe_next(request.args.get("next"))
    user = current_user()
    if user is not None and user.is_superadmin:
        return redirect(next_url or DEFAULT_NEXT)
    return render_template("auth/login.html", next_url=next_url, email="", error=None)


@bp.post("/login")
def login_submit():
    next_url = safe_next(request.form.get("next"))
    email = request.form.get("email", "")
    try:
        user = accounts.sign_in(email, request.form.get("password", ""), request.remote_addr)
    except Unauthorized as error:
        return _login_again(next_url, email, error.message, 422)
    except DomainError as error:
        if error.code != "TOO_MANY_REQUESTS":
            raise
        return _login_again(next_url, email, THROTTLED, 429, error.headers)
    start_session(user)
    flash(f"Signed in as {user.email}.", "success")
    return redirect(next_url or DEFAULT_NEXT, code=303)


@bp.post("/logout")
def logout():
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


def _login_again(next_url: str | None, email: str, error: str, status: int,
                 headers: dict | None = None) -> Response:
    page = render_template("auth/login.html", next_url=next_url, email=email, error=error)
    return Response(page, status, headers or {})
