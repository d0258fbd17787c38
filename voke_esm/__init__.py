"""The Voke ESM Sandbox: a loopback partner ESM with fake plants, for Voke's trading flow."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import Flask

from .config import ConfigError, load_settings
from .http import register_error_handlers, register_request_guards, register_security_headers
from .logs import register_logging

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY_BYTES = 1024 * 1024
MIGRATIONS = ROOT / "migrations"

__all__ = ["ConfigError", "create_app", "register_migrations"]


class SandboxFlask(Flask):
    """Flask asks `inspect` whether each hook and view it runs is a coroutine function, seven
    times a trading call; the answer never changes for a function, so it is remembered (for
    as many functions as an app registers: a closure made per request is not kept)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        sync = self._sync.get(func)
        if sync is None:
            sync = super().ensure_sync(func)
            if len(self._sync) < 256:
                self._sync[func] = sync
        return sync


def create_app(env: Mapping[str, str] | None = None, **overrides) -> Flask:
    """Build the app from `env` (default: the process environment) plus explicit overrides."""
    app = SandboxFlask(__name__, instance_path=str(ROOT / "instance"),
                       template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    register_config(app, os.environ if env is None else env, overrides)
    register_request_guards(app)
    register_extensions(app)
    register_logging(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    from . import auth, health, openapi, platform, trading
    from .admin_api import register_admin_api

    app.register_blueprint(health.bp)
    app.register_blueprint(trading.bp)
    register_admin_api(app)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(platform.bp)


def register_config(app: Flask, env: Mapping[str, str], overrides: dict) -> None:
    from .services.accounts import SESSION_TTL

    instance = overrides.pop("INSTANCE_PATH", None) or env.get("VOKE_ESM_INSTANCE_PATH")
    if instance:
        app.instance_path = str(instance)
    settings = load_settings(env, app.instance_path)
    app.config.update(
        settings,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings["SQLALCHEMY_DATABASE_URI"]),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_TTL,  # the signed cookie is refused after it, too
        RATELIMIT_KEY_PREFIX=env.get("RATELIMIT_KEY_PREFIX", "voke-esm"),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the signed-in session
    )
    app.config.update(overrides)


def _engine_options(url: str) -> dict:
    from .models import dump_json

    options = {"json_serializer": dump_json}
    if url.startswith("sqlite"):
        # A generous busy timeout lets concurrent writers queue instead of failing.
        return {**options, "connect_args": {"timeout": 30}}
    # A server connection costs a backend start: the pool keeps every one it opened, up to
    # the ceiling SQLAlchemy's default sets (5 kept + 10 more), instead of closing those
    # beyond 5 as they come back. With 8 threads, 7 % of updates opened a connection (PG:
    # updates -12 %, p99 doubled). A connection idle in the pool is pinged before use: pool.py.
    return {**options, "pool_size": 15, "max_overflow": 0}


def register_extensions(app: Flask) -> None:
    from . import (
        pool,  # noqa: F401 - pings server connections that sat idle
        rate_limit,
        read_memo,
        sqlite,  # noqa: F401 - registers the SQLite connection pragmas
    )
    from .auth.identity import ServerSessionCookie
    from .extensions import csrf, db
    from .http import ApiJSONProvider

    db.init_app(app)
    with app.app_context():
        read_memo.init_app(app, db.engine)
    csrf.init_app(app)
    rate_limit.init_app(app)
    app.json = ApiJSONProvider(app)
    app.session_interface = ServerSessionCookie()


def register_migrations(app: Flask) -> Flask:
    """Alembic for `voke-esm db ...` and the tests; the server never needs it, and importing
    it cost each worker 10 MB."""
    from flask_migrate import Migrate

    from .extensions import db

    Migrate(app, db, directory=str(MIGRATIONS))
    return app
