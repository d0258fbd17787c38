"""Fixtures: an app per test on a fresh SQLite file and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from voke_esm import (
    create_app,
    models,  # noqa: F401 - fills db.metadata
    register_migrations,
)
from voke_esm.extensions import db
from voke_esm.rate_limit import limiter
from voke_esm.services import journal

POSTGRES_URL = os.environ.get("VOKE_ESM_TEST_POSTGRES_URL", "")
TABLES = tuple(table.name for table in db.metadata.sorted_tables)
REDIS_URL = os.environ.get("VOKE_ESM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STRICT = bool(os.environ.get("VOKE_ESM_TEST_STRICT"))
# Chromium, a live server and pages that fail on console errors, for tests/test_browser*.py.
pytest_plugins = ["tests.browser_support"]
PG_SKIP = "PostgreSQL half skipped: set VOKE_ESM_TEST_POSTGRES_URL to run it (.ci/run does)"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing; in CI (VOKE_ESM_TEST_STRICT) that is a failure."""
    if STRICT:
        pytest.fail(f"{reason} (VOKE_ESM_TEST_STRICT is set, so this fails instead of skipping)")
    pytest.skip(reason)


@contextmanager
def scratch_postgres_database(label: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards if a test has not."""
    if not POSTGRES_URL:
        skip_or_fail("PostgreSQL half skipped: set VOKE_ESM_TEST_POSTGRES_URL")
    name = f"voke_esm_test_{label}_{uuid.uuid4().hex[:12]}"
    admin = psycopg_url(POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(tmp_path, database_url: str, **extra: str) -> dict[str, str]:
    """A complete, isolated environment: nothing leaks in from the developer's shell."""
    return {
        "VOKE_ENV": "development",
        "DATABASE_URL": database_url,
        "VOKE_ESM_INSTANCE_PATH": str(tmp_path / "instance"),
        "JWT_SECRET": "test-jwt-secret-0123456789abcdef0123456789",
        "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
        "VOKE_ESM_ENCRYPTION_KEY": "test-encryption-key-0123456789abcdef01234",
        "VOKE_ESM_RATE_LIMIT": "100000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        **extra,
    }


def migrated(database_url: str, tmp_path) -> None:
    app = register_migrations(create_app(base_env(tmp_path, database_url)))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def psycopg_url(sqlalchemy_url: str) -> str:
    return sa.make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    migrated(f"sqlite:///{path}", folder)
    return str(path)


@pytest.fixture(scope="session")
def postgres_database(tmp_path_factory):
    """A fresh PostgreSQL database for this run, migrated once, dropped at the end."""
    if not POSTGRES_URL:
        skip_or_fail(PG_SKIP)
    name = f"voke_esm_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg_url(POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    migrated(url, tmp_path_factory.mktemp("pg"))
    yield url
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """Every database test runs on both backends, each test on empty tables."""
    if request.param == "sqlite":
        path = tmp_path / "voke_esm.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server the shared rate-limit storage is tested against."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL} (set VOKE_ESM_TEST_REDIS_URL)")
    return REDIS_URL


@pytest.fixture
def env(tmp_path, database_url) -> dict[str, str]:
    return base_env(tmp_path, database_url)


@contextmanager
def app_for(env: dict[str, str], **overrides) -> Iterator[Flask]:
    """A testing app on `env` with fresh rate-limit counters, its connections closed after."""
    app = register_migrations(create_app(env, TESTING=True, **overrides))
    with app.app_context():
        limiter().reset()
    try:
        yield app
    finally:
        with app.app_context():
            limiter().reset()
        close_app(app)


def close_app(app: Flask) -> None:
    """Store the app's queued journal entries, then close its connections: the journal's
    writer thread must not open a connection after the dispose (nobody would close it)."""
    with app.app_context():
        journal.flush()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(env):
    with app_for(env, WTF_CSRF_ENABLED=False) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sandbox(app):
    """Factories for organizations, enabled clients and tokens, through the services."""
    from tests.factories import Sandbox
    return Sandbox(app)
