"""SuperAdmin accounts: creation, sign-in with throttling, user tokens, browser sessions."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
import uuid
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from werkzeug.security import check_password_hash, generate_password_hash

from .. import rate_limit, tokens
from ..errors import DomainError, NotFound, Unauthorized
from ..extensions import db
from ..models import BrowserSession, User, utcnow
from ..validation import Fields, is_valid_unicode
from . import conflict_on_duplicate

log = logging.getLogger(__name__)

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MIN_PASSWORD = 12
USER_TOKEN_TTL = 3600
SESSION_TTL = timedelta(hours=12)
BAD_SIGN_IN = "Invalid email or password"
_fallback = FixedWindowRateLimiter(rate_limit.LeanMemoryStorage())


def create_user(email: str, password: str, superadmin: bool = True) -> User:
    values = _account_fields(email, password)
    user = User(email=values["email"].strip().lower(), is_superadmin=superadmin,
                password_hash=_password_hash(values["password"]))
    db.session.add(user)
    with conflict_on_duplicate(f"An account for {user.email} already exists"):
        db.session.commit()
    return user


def set_password(email: str, password: str) -> User:
    """A new password for an existing account; its browser sessions end (a lost password may
    have been someone else's find)."""
    values = _account_fields(email, password)
    address = values["email"].strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == address))
    if user is None:
        raise NotFound(f"No account for {address}")
    user.password_hash = _password_hash(values["password"])
    db.session.execute(sa.delete(BrowserSession).where(BrowserSession.user_id == user.id))
    db.session.commit()
    return user


def _account_fields(email: str, password: str) -> dict:
    fields = Fields({"email": email, "password": password})
    fields.string("email", max_len=254, pattern=EMAIL, hint="must be an email address")
    fields.string("password", max_len=1024, min_len=MIN_PASSWORD)
    return fields.done()


def _password_hash(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def superadmin_exists() -> bool:
    return db.session.scalar(sa.select(User.id).where(User.is_superadmin).limit(1)) is not None


def superadmin_emails() -> list[str]:
    return list(db.session.scalars(
        sa.select(User.email).where(User.is_superadmin).order_by(User.created_at)))


def sign_in(email: object, password: object, address: str) -> User:
    """The account for these credentials; failures are throttled per account and per address."""
    email = email.strip().lower() if isinstance(email, str) else ""
    password = password if isinstance(password, str) else ""
    # Every attempt is counted before the password is checked, so parallel guesses cannot
    # all pass a check made before any of them was counted.
    keys = _throttle_keys(email, address)
    strategy = _strategy()
    for item, key in keys:
        if not strategy.hit(item, *key):
            raise DomainError("TOO_MANY_REQUESTS", "Too many sign-in attempts; try again later",
                              headers={"Retry-After": str(_retry_after(strategy, item, key))})
    # No account's email holds a NUL or a lone surrogate, and PostgreSQL cannot compare one.
    storable = email and "\x00" not in email and is_valid_unicode(email)
    user = db.session.scalar(sa.select(User).where(User.email == email)) if storable else None
    # An unknown account costs one password check too, so both failures look alike.
    valid = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid:
        log.info("Sign-in refused", extra={"address": address})
        raise Unauthorized(BAD_SIGN_IN)
    # A success frees its account and gives its address back the attempt it was charged.
    (account_limit, account_key), (address_limit, address_key) = keys
    strategy.clear(account_limit, *account_key)
    strategy.hit(address_limit, *address_key, cost=-1)
    return user


def issue_user_token(user: User) -> tuple[str, int]:
    token = tokens.issue(tokens.USER, current_app.config["JWT_SECRET"], str(user.id),
                         USER_TOKEN_TTL, email=user.email)
    return token, USER_TOKEN_TTL


def user_from_token(token: str) -> User | None:
    try:
        claims = tokens.verify(tokens.USER, current_app.config["JWT_SECRET"], token)
    except tokens.InvalidToken:
        return None
    try:
        return db.session.get(User, uuid.UUID(claims["sub"]))
    except ValueError:
        return None


def start_browser_session(user: User) -> tuple[str, datetime]:
    """A new server-side session: the opaque id the cookie keeps, and when it ends."""
    session_id = secrets.token_urlsafe(32)
    expires_at = utcnow() + SESSION_TTL
    db.session.add(BrowserSession(id=_digest(session_id), user_id=user.id,
                                  expires_at=expires_at))
    db.session.execute(sa.delete(BrowserSession).where(BrowserSession.expires_at < utcnow()))
    db.session.commit()
    return session_id, expires_at


def user_of_browser_session(session_id: object) -> User | None:
    if not isinstance(session_id, str):
        return None
    row = db.session.get(BrowserSession, _digest(session_id))
    if row is None or row.expires_at < utcnow():
        return None
    return row.user


def end_browser_session(session_id: object) -> None:
    if isinstance(session_id, str):
        db.session.execute(sa.delete(BrowserSession).where(
            BrowserSession.id == _digest(session_id)))
        db.session.commit()


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _throttle_keys(email: str, address: str) -> list:
    """(limit, storage key parts) per account and per address; the prefix keeps two instances
    on one storage apart, as it does for the limiter's own keys."""
    config = current_app.config
    prefix = (config["RATELIMIT_KEY_PREFIX"], "sign-in")
    return [(parse(config["VOKE_LOGIN_RATE_LIMIT"]), (*prefix, f"account:{email}")),
            (parse(config["VOKE_LOGIN_ADDRESS_RATE_LIMIT"]), (*prefix, f"address:{address}"))]


def _strategy():
    """The limiter's shared storage; this process's memory when that storage is unreachable.
    A fixed window, whatever the limiter's strategy: a success gives an attempt back."""
    storage = rate_limit.limiter().storage
    try:
        if storage.check():
            return FixedWindowRateLimiter(storage)
    except Exception:  # noqa: BLE001, S110 - any storage failure means: count locally
        pass
    log.warning("Rate limit storage unreachable - counting sign-in failures in memory")
    return _fallback


def _retry_after(strategy, item, key: tuple[str, ...]) -> int:
    reset, _ = strategy.get_window_stats(item, *key)
    return max(1, int(reset - time.time()) + 1)


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")
