"""Who is calling: a bearer user token (API) or a server-side browser session (cookie)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, session
from flask.sessions import SecureCookieSessionInterface

from ..http import bearer_token
from ..models import User
from ..services import accounts

SESSION_KEY = "sid"
EXPIRES_KEY = "exp"


class ServerSessionCookie(SecureCookieSessionInterface):
    """The session cookie expires exactly when the server-side session it names does, however
    often it is rewritten (a new CSRF token, a flash message) before then."""

    def open_session(self, app, request):
        # Most calls (Voke's, health checks) carry no cookie: no signer needs building.
        if "HTTP_COOKIE" not in request.environ or not request.cookies.get(
                self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_expiration_time(self, app, session) -> datetime | None:
        expires = session.get(EXPIRES_KEY)
        if session.permanent and isinstance(expires, int):
            return datetime.fromtimestamp(expires, UTC)
        return super().get_expiration_time(app, session)


def current_user() -> User | None:
    """The signed-in user of this request, resolved once per request."""
    if "current_user" not in g:
        token = bearer_token()
        g.authenticated_by = "session" if token is None else "token"
        if token is not None:
            g.current_user = accounts.user_from_token(token)
        else:
            g.current_user = accounts.user_of_browser_session(session.get(SESSION_KEY))
    return g.current_user


def authenticated_by_session() -> bool:
    """True when the caller is identified by the session cookie (so CSRF applies)."""
    current_user()
    return g.authenticated_by == "session"


def start_session(user: User) -> None:
    """Sign a browser in: a fresh cookie naming a new server-side session."""
    end_session()
    session_id, expires_at = accounts.start_browser_session(user)
    session[SESSION_KEY] = session_id
    # Whole seconds, rounded down: the cookie never outlives the server-side session.
    session[EXPIRES_KEY] = int(expires_at.replace(tzinfo=expires_at.tzinfo or UTC).timestamp())
    session.permanent = True
    g.pop("current_user", None)


def end_session() -> None:
    """Sign the browser out on the server too; the old cookie is worthless afterwards."""
    accounts.end_browser_session(session.get(SESSION_KEY))
    session.clear()
    g.pop("current_user", None)
