"""Settings from the environment, with the production checks of CONTRACT.md §4."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from limits import parse_many
from limits.storage import SCHEMES as STORAGE_SCHEMES

MIN_SECRET_BYTES = 32
HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
DEFAULT_PORT = 4410
LOOPBACK_URL = "http://127.0.0.1:4410/api/v1/voke-esm"
SECRET_NAMES = ("JWT_SECRET", "SECRET_KEY", "VOKE_ESM_ENCRYPTION_KEY")
GENERATE_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class ConfigError(Exception):
    """The environment cannot run the application; the message names the variable and the fix."""


def load_settings(environ: Mapping[str, str], instance_path: str) -> dict:
    """Read every setting once, at startup; refuse to run production with a weak setup."""
    env = environ.get("VOKE_ENV", "development").strip().lower()
    if env not in ("development", "production"):
        raise ConfigError(f"VOKE_ENV={env!r} is not known: set it to development or production")
    production = env == "production"
    settings = {
        "VOKE_ENV": env,
        "SQLALCHEMY_DATABASE_URI": _database_url(environ, instance_path, production),
        "VOKE_ESM_ENABLED": _flag(environ, "VOKE_ESM_ENABLED", default=not production),
        "VOKE_ESM_RATE_LIMIT": _rate_limit(environ, "VOKE_ESM_RATE_LIMIT", "10 per minute"),
        "VOKE_ESM_TOKEN_TTL": _whole_number(environ, "VOKE_ESM_TOKEN_TTL", 3600),
        "VOKE_ESM_JOURNAL_KEEP": _whole_number(environ, "VOKE_ESM_JOURNAL_KEEP", 5000),
        "VOKE_ESM_READ_MEMO_SECONDS": _whole_number(environ, "VOKE_ESM_READ_MEMO_SECONDS", 1,
                                                    minimum=0),
        "VOKE_LOGIN_RATE_LIMIT": _rate_limit(environ, "VOKE_LOGIN_RATE_LIMIT", "5 per minute"),
        "VOKE_LOGIN_ADDRESS_RATE_LIMIT": _rate_limit(
            environ, "VOKE_LOGIN_ADDRESS_RATE_LIMIT", "30 per minute"),
        "RATELIMIT_STORAGE_URI": _storage_uri(environ),
        "TRUSTED_HOST_NAMES": _host_names(environ, "VOKE_ESM_TRUSTED_HOSTS"),
        "PORT": _whole_number(environ, "PORT", DEFAULT_PORT),
        "SESSION_COOKIE_SECURE": production,
        # `__Host-`: the browser only takes it Secure, for Path=/ and without a Domain.
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "SESSION_COOKIE_PATH": "/",
    }
    settings["VOKE_ESM_INTERNAL_URL"] = _internal_url(environ, settings["PORT"], production)
    settings.update(_secrets(environ, instance_path, production))
    settings["VOKE_ESM_ENCRYPTION_KEYS"] = _key_ring(settings["VOKE_ESM_ENCRYPTION_KEY"])
    # Production checks every secret; development the ones set by hand (generated ones are
    # long and distinct, and a kept instance file is the developer's own business).
    _check_secrets(settings, SECRET_NAMES if production else
                   [name for name in SECRET_NAMES if environ.get(name)])
    if production:
        _check_production(settings)
    return settings


def _internal_url(environ: Mapping[str, str], port: int, production: bool) -> str:
    """What enable hands Voke as esmApiUrl: explicit in production, this server in development."""
    url = environ.get("VOKE_ESM_INTERNAL_URL", "").strip()
    if url:
        return url
    if production:
        raise ConfigError("VOKE_ESM_INTERNAL_URL is not set: set it to the URL Voke reaches "
                          f"this server at, e.g. VOKE_ESM_INTERNAL_URL={LOOPBACK_URL}")
    return f"http://localhost:{port}/api/v1/voke-esm"


def _database_url(environ: Mapping[str, str], instance_path: str, production: bool) -> str:
    url = environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    if production:
        raise ConfigError(
            "DATABASE_URL is not set: set it to postgresql+psycopg://USER:PASSWORD@HOST/DB"
        )
    return "sqlite:///" + str(Path(instance_path) / "voke_esm.sqlite3")


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: set it to true or false")


def _whole_number(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    """A whole number of at least `minimum` (1 or 0)."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        kind = "positive whole number" if minimum == 1 else f"whole number, {minimum} or more"
        raise ConfigError(f"{name}={raw!r} is not a {kind}: set it to one")
    return value


def _rate_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    """A rate-limit expression (the `limits` notation Flask-Limiter uses too); a typo must stop
    startup, not switch the limit off."""
    value = environ.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a rate limit: set it to e.g. "
                          f"'10 per minute' or '100/hour'") from None
    return value


def _host_names(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Extra Host names the server answers for, besides loopback (comma-separated, no port)."""
    names = tuple(part.strip().lower() for part in environ.get(name, "").split(",")
                  if part.strip())
    for host in names:
        if not HOST_NAME.fullmatch(host):
            raise ConfigError(f"{name} has {host!r}, which is not a host name: set it to "
                              f"names without scheme or port, e.g. admin.example.com")
    return names


def _storage_uri(environ: Mapping[str, str]) -> str:
    value = environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if value.split("://", 1)[0] not in STORAGE_SCHEMES or "://" not in value:
        raise ConfigError(f"RATELIMIT_STORAGE_URI={value!r} is not a limiter storage: set it "
                          f"to memory:// or redis://HOST:6379/0")
    return value


def _secrets(environ: Mapping[str, str], instance_path: str, production: bool) -> dict:
    """Take the three secrets from the environment; in development make missing ones once."""
    values = {name: environ.get(name, "") for name in SECRET_NAMES}
    missing = [name for name, value in values.items() if not value]
    if missing and production:
        raise ConfigError(f"{missing[0]} is not set: set it to a random value of at least "
                          f"{MIN_SECRET_BYTES} bytes, e.g. $({GENERATE_HINT})")
    if missing:
        kept = _instance_secrets(Path(instance_path))
        values.update({name: kept[name] for name in missing})
    return values


def _instance_secrets(instance: Path) -> dict:
    """Secrets generated on first start and kept, so restarts keep tokens and ciphertexts valid."""
    path = instance / "secrets.json"
    try:
        kept = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        kept = {}
    if not isinstance(kept, dict):  # valid JSON but not an object: as damaged as bad JSON
        kept = {}
    if all(isinstance(kept.get(name), str) and kept[name] for name in SECRET_NAMES):
        return kept
    kept = {name: kept[name] if isinstance(kept.get(name), str) and kept[name]
            else secrets.token_urlsafe(48) for name in SECRET_NAMES}
    instance.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(kept, handle)
    return kept


def _key_ring(value: str) -> list[str]:
    """VOKE_ESM_ENCRYPTION_KEY as a key ring: comma-separated, the first encrypts."""
    keys = [key.strip() for key in value.split(",")]
    if not all(keys):
        raise ConfigError("VOKE_ESM_ENCRYPTION_KEY has an empty entry in its comma-separated "
                          "list: remove it, e.g. VOKE_ESM_ENCRYPTION_KEY=NEW_KEY,OLD_KEY")
    return keys


def _secret_values(settings: dict, name: str) -> list[tuple[str, str]]:
    """(label, value) for each value a secret holds; the key ring has one per key."""
    if name != "VOKE_ESM_ENCRYPTION_KEY" or len(settings["VOKE_ESM_ENCRYPTION_KEYS"]) == 1:
        return [(name, settings[name])]
    return [(f"{name} (key {index} of the list)", key)
            for index, key in enumerate(settings["VOKE_ESM_ENCRYPTION_KEYS"], 1)]


def _check_secrets(settings: dict, names) -> None:
    """Each secret long enough, and none equal to another (nor a key to an older key)."""
    values = [item for name in names for item in _secret_values(settings, name)]
    for label, value in values:
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"{label} is shorter than {MIN_SECRET_BYTES} bytes: set it to a "
                              f"longer random value, e.g. $({GENERATE_HINT})")
    every = [item for name in SECRET_NAMES for item in _secret_values(settings, name)]
    checked = {label for label, _ in values}
    for index, (label, value) in enumerate(every):
        for other, other_value in every[index + 1:]:
            if value == other_value and (label in checked or other in checked):
                raise ConfigError(f"{label} and {other} are the same value: give each "
                                  f"its own random value, e.g. $({GENERATE_HINT})")


def _check_production(settings: dict) -> None:
    if not settings["VOKE_ESM_ENABLED"]:
        raise ConfigError("VOKE_ESM_ENABLED is not true: set VOKE_ESM_ENABLED=true")
    if settings["VOKE_ESM_INTERNAL_URL"].lower().startswith("http://localhost"):
        raise ConfigError("VOKE_ESM_INTERNAL_URL starts with http://localhost: use a loopback "
                          f"IP, e.g. VOKE_ESM_INTERNAL_URL={LOOPBACK_URL}")
