"""Settings from the environment (CONTRACT.md §4, §5): production refusals, development secrets."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from voke_esm.config import GENERATE_HINT, ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRETS = ("JWT_SECRET", "SECRET_KEY", "VOKE_ESM_ENCRYPTION_KEY")
PRODUCTION = {
    "VOKE_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://voke:pw@db.internal/voke_esm",
    "JWT_SECRET": "jwt-secret-0123456789abcdef0123456789abcdef",
    "SECRET_KEY": "flask-secret-0123456789abcdef0123456789abcdef",
    "VOKE_ESM_ENCRYPTION_KEY": "encryption-key-0123456789abcdef0123456789abc",
    "VOKE_ESM_ENABLED": "true",
    "VOKE_ESM_INTERNAL_URL": "http://127.0.0.1:4410/api/v1/voke-esm",
}


def without(env: dict, *names: str) -> dict:
    return {key: value for key, value in env.items() if key not in names}


def refusal(environ: dict, instance) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ, str(instance))
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- production --------------------------------------------------------------------------------

def test_a_complete_production_environment_loads(tmp_path):
    settings = load_settings(PRODUCTION, str(tmp_path / "instance"))
    assert settings["VOKE_ENV"] == "production"
    assert settings["SQLALCHEMY_DATABASE_URI"] == PRODUCTION["DATABASE_URL"]
    assert settings["VOKE_ESM_ENABLED"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    for name in SECRETS:
        assert settings[name] == PRODUCTION[name]
    assert not (tmp_path / "instance").exists()  # production never makes secrets up


@pytest.mark.parametrize("name", SECRETS)
@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_production_refuses_a_missing_secret(tmp_path, name, value):
    environ = without(PRODUCTION, name) if value is None else {**PRODUCTION, name: value}
    message = refusal(environ, tmp_path)
    assert message.startswith(f"{name} is not set")
    assert "at least 32 bytes" in message and "secrets.token_urlsafe" in message
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize("name", SECRETS)
@pytest.mark.parametrize("value", ["s" * 31, "é" * 15 + "x", "tiny-value"],
                         ids=["31-ascii", "31-bytes-16-chars", "5"])
def test_production_refuses_a_short_secret(tmp_path, name, value):
    assert len(value.encode()) < 32
    message = refusal({**PRODUCTION, name: value}, tmp_path)
    assert message.startswith(f"{name} is shorter than 32 bytes")
    assert "set it to" in message
    assert value not in message  # a refusal never prints the secret


@pytest.mark.parametrize("name", SECRETS)
@pytest.mark.parametrize("value", ["k" * 32, "é" * 16], ids=["32-ascii", "32-bytes-16-chars"])
def test_production_accepts_a_secret_of_32_bytes(tmp_path, name, value):
    settings = load_settings({**PRODUCTION, name: value}, str(tmp_path))
    assert settings[name] == value


@pytest.mark.parametrize("first, second", [
    ("JWT_SECRET", "SECRET_KEY"), ("JWT_SECRET", "VOKE_ESM_ENCRYPTION_KEY"),
    ("SECRET_KEY", "VOKE_ESM_ENCRYPTION_KEY"),
])
def test_production_refuses_two_secrets_that_are_equal(tmp_path, first, second):
    message = refusal({**PRODUCTION, second: PRODUCTION[first]}, tmp_path)
    assert first in message and second in message and "same value" in message
    assert PRODUCTION[first] not in message


def test_production_refuses_three_equal_secrets(tmp_path):
    shared = "the-same-secret-0123456789abcdef0123456789"
    message = refusal({**PRODUCTION, **dict.fromkeys(SECRETS, shared)}, tmp_path)
    assert "same value" in message and shared not in message


@pytest.mark.parametrize("value", [None, "", "false", "0", "no", "False", "NO"],
                         ids=repr)
def test_production_refuses_unless_voke_esm_is_enabled(tmp_path, value):
    environ = (without(PRODUCTION, "VOKE_ESM_ENABLED") if value is None
               else {**PRODUCTION, "VOKE_ESM_ENABLED": value})
    message = refusal(environ, tmp_path)
    assert message == "VOKE_ESM_ENABLED is not true: set VOKE_ESM_ENABLED=true"


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "1", "yes", " true "])
def test_production_accepts_voke_esm_enabled_true(tmp_path, value):
    settings = load_settings({**PRODUCTION, "VOKE_ESM_ENABLED": value}, str(tmp_path))
    assert settings["VOKE_ESM_ENABLED"] is True


@pytest.mark.parametrize("value", ["maybe", "on", "enabled"])
def test_a_flag_that_is_not_a_boolean_is_refused_in_any_environment(tmp_path, value):
    for environ in (PRODUCTION, {"VOKE_ENV": "development"}):
        message = refusal({**environ, "VOKE_ESM_ENABLED": value}, tmp_path)
        assert message.startswith(f"VOKE_ESM_ENABLED={value!r} is not a boolean")
        assert "true or false" in message


@pytest.mark.parametrize("url", ["http://localhost:4410/api/v1/voke-esm",
                                 "http://localhost/api/v1/voke-esm", "HTTP://LOCALHOST:4410/x",
                                 "http://localhost"], ids=repr)
def test_production_refuses_a_localhost_internal_url(tmp_path, url):
    message = refusal({**PRODUCTION, "VOKE_ESM_INTERNAL_URL": url}, tmp_path)
    assert message.startswith("VOKE_ESM_INTERNAL_URL starts with http://localhost")
    assert "VOKE_ESM_INTERNAL_URL=http://127.0.0.1:4410/api/v1/voke-esm" in message


@pytest.mark.parametrize("url", ["http://127.0.0.1:4410/api/v1/voke-esm",
                                 "http://[::1]:4410/api/v1/voke-esm",
                                 "https://esm.internal/api/v1/voke-esm"])
def test_production_accepts_other_internal_urls(tmp_path, url):
    settings = load_settings({**PRODUCTION, "VOKE_ESM_INTERNAL_URL": url}, str(tmp_path))
    assert settings["VOKE_ESM_INTERNAL_URL"] == url


@pytest.mark.parametrize("value", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_production_refuses_without_database_url(tmp_path, value):
    environ = (without(PRODUCTION, "DATABASE_URL") if value is None
               else {**PRODUCTION, "DATABASE_URL": value})
    message = refusal(environ, tmp_path)
    assert message.startswith("DATABASE_URL is not set")
    assert "postgresql+psycopg://" in message


def test_voke_env_is_checked(tmp_path):
    message = refusal({**PRODUCTION, "VOKE_ENV": "staging"}, tmp_path)
    assert "VOKE_ENV" in message and "development or production" in message
    assert load_settings({**PRODUCTION, "VOKE_ENV": " Production "},
                         str(tmp_path))["VOKE_ENV"] == "production"


# -- development --------------------------------------------------------------------------------

def test_development_defaults(tmp_path):
    instance = tmp_path / "instance"
    settings = load_settings({}, str(instance))
    assert settings["VOKE_ENV"] == "development"
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'voke_esm.sqlite3'}"
    assert settings["VOKE_ESM_ENABLED"] is True
    assert settings["VOKE_ESM_INTERNAL_URL"] == "http://localhost:4410/api/v1/voke-esm"
    assert settings["VOKE_ESM_RATE_LIMIT"] == "10 per minute"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["VOKE_ESM_TOKEN_TTL"] == 3600
    assert settings["VOKE_ESM_READ_MEMO_SECONDS"] == 1
    assert settings["PORT"] == 4410
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_development_takes_settings_from_the_environment(tmp_path):
    settings = load_settings({"VOKE_ESM_RATE_LIMIT": "3 per second", "PORT": "5000",
                              "VOKE_ESM_TOKEN_TTL": "60", "VOKE_ESM_ENABLED": "false",
                              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1",
                              "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, str(tmp_path))
    assert settings["VOKE_ESM_RATE_LIMIT"] == "3 per second"
    assert settings["PORT"] == 5000 and settings["VOKE_ESM_TOKEN_TTL"] == 60
    assert settings["VOKE_ESM_ENABLED"] is False
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/1"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x.sqlite3"


@pytest.mark.parametrize("name", ["VOKE_ESM_TOKEN_TTL", "PORT"])
@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5"])
def test_whole_number_settings_are_checked(tmp_path, name, value):
    message = refusal({name: value}, tmp_path)
    assert message.startswith(f"{name}={value!r} is not a positive whole number")


@pytest.mark.parametrize(("value", "seconds"), [("0", 0), ("5", 5), (" ", 1)])
def test_the_read_memo_takes_zero_or_more_seconds(tmp_path, value, seconds):
    settings = load_settings({"VOKE_ESM_READ_MEMO_SECONDS": value}, str(tmp_path))
    assert settings["VOKE_ESM_READ_MEMO_SECONDS"] == seconds


@pytest.mark.parametrize("value", ["-1", "abc", "1.5"])
def test_the_read_memo_refuses_anything_else(tmp_path, value):
    message = refusal({"VOKE_ESM_READ_MEMO_SECONDS": value}, tmp_path)
    assert message.startswith(f"VOKE_ESM_READ_MEMO_SECONDS={value!r} is not a whole number, "
                              "0 or more")


def test_development_generates_missing_secrets_once_and_reuses_them(tmp_path):
    instance = tmp_path / "new" / "instance"
    first = load_settings({}, str(instance))
    path = instance / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = [first[name] for name in SECRETS]
    assert len(set(values)) == 3
    assert all(len(value.encode()) >= 32 for value in values)
    assert json.loads(path.read_text()) == {name: first[name] for name in SECRETS}
    second = load_settings({}, str(instance))
    assert [second[name] for name in SECRETS] == values
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_development_secrets_from_the_environment_win(tmp_path):
    generated = load_settings({}, str(tmp_path))
    settings = load_settings({"JWT_SECRET": "from-the-environment-0123456789abcdef"}, str(tmp_path))
    assert settings["JWT_SECRET"] == "from-the-environment-0123456789abcdef"
    assert settings["SECRET_KEY"] == generated["SECRET_KEY"]
    assert settings["VOKE_ESM_ENCRYPTION_KEY"] == generated["VOKE_ESM_ENCRYPTION_KEY"]


def test_development_with_every_secret_set_writes_no_file(tmp_path):
    environ = {name: PRODUCTION[name] for name in SECRETS}
    load_settings(environ, str(tmp_path / "instance"))
    assert not (tmp_path / "instance" / "secrets.json").exists()


@pytest.mark.parametrize("content", ["not json", "[]", '"text"', "null", '{"JWT_SECRET": ""}',
                                     '{"JWT_SECRET": 5}', ""])
def test_a_damaged_secrets_file_is_repaired(tmp_path, content):
    (tmp_path / "secrets.json").write_text(content)
    settings = load_settings({}, str(tmp_path))
    assert all(isinstance(settings[name], str) and len(settings[name]) >= 32
               for name in SECRETS)
    assert load_settings({}, str(tmp_path))["JWT_SECRET"] == settings["JWT_SECRET"]


def test_a_partial_secrets_file_keeps_what_it_has(tmp_path):
    (tmp_path / "secrets.json").write_text(json.dumps({"JWT_SECRET": "kept-jwt-secret"}))
    settings = load_settings({}, str(tmp_path))
    assert settings["JWT_SECRET"] == "kept-jwt-secret"
    assert settings["SECRET_KEY"] and settings["VOKE_ESM_ENCRYPTION_KEY"]


def test_create_app_keeps_its_generated_secrets_across_restarts(tmp_path):
    from voke_esm import create_app

    environ = {"VOKE_ESM_INSTANCE_PATH": str(tmp_path / "instance")}
    first, second = create_app(environ), create_app(environ)
    for name in SECRETS:
        assert first.config[name] == second.config[name]
    assert first.config["SECRET_KEY"] != first.config["JWT_SECRET"]


# -- the real entry points refuse with one line ---------------------------------------------------

ENTRY_POINTS = {
    "cli": [str(BIN / "voke-esm"), "status", "--org", "x"],
    "wsgi": [sys.executable, "-c", "import wsgi"],
}
MISSING = {
    "DATABASE_URL": ("DATABASE_URL", None),
    "JWT_SECRET": ("JWT_SECRET", None),
    "short SECRET_KEY": ("SECRET_KEY", "short"),
    "VOKE_ESM_ENABLED": ("VOKE_ESM_ENABLED", "false"),
    "localhost URL": ("VOKE_ESM_INTERNAL_URL", "http://localhost:4410/api/v1/voke-esm"),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("case", MISSING)
def test_entry_points_refuse_production_with_one_line(tmp_path, entry, case):
    name, value = MISSING[case]
    environ = without(PRODUCTION, name) if value is None else {**PRODUCTION, name: value}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "VOKE_ESM_INSTANCE_PATH": str(tmp_path / "instance"), **environ}
    result = subprocess.run(ENTRY_POINTS[entry], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("voke-esm: ") and name in lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "instance" / "secrets.json").exists()


@pytest.mark.parametrize("name", ["VOKE_ESM_RATE_LIMIT", "VOKE_LOGIN_RATE_LIMIT",
                                  "VOKE_LOGIN_ADDRESS_RATE_LIMIT"])
@pytest.mark.parametrize("value", ["banana", "10 per fortnight", "ten per minute"])
def test_a_rate_limit_that_does_not_parse_stops_startup(tmp_path, name, value):
    """A typo must not quietly switch a limit off."""
    message = refusal({name: value}, tmp_path)
    assert message.startswith(f"{name}={value!r} is not a rate limit")
    assert "10 per minute" in message


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_rate_limit_means_the_default(tmp_path, value):
    assert load_settings({"VOKE_ESM_RATE_LIMIT": value}, str(tmp_path))[
        "VOKE_ESM_RATE_LIMIT"] == "10 per minute"


@pytest.mark.parametrize("value", ["foo://x", "redis", "localhost:6379"])
def test_an_unknown_limiter_storage_stops_startup(tmp_path, value):
    message = refusal({"RATELIMIT_STORAGE_URI": value}, tmp_path)
    assert message.startswith("RATELIMIT_STORAGE_URI=") and "redis://" in message


# -- esmApiUrl follows PORT in development; production names it ----------------------------------

@pytest.mark.parametrize("value", [None, "", "  "], ids=["unset", "empty", "blank"])
def test_production_requires_the_internal_url_explicitly(tmp_path, value):
    environ = (without(PRODUCTION, "VOKE_ESM_INTERNAL_URL") if value is None
               else {**PRODUCTION, "VOKE_ESM_INTERNAL_URL": value})
    message = refusal({**environ, "PORT": "4567"}, tmp_path)
    assert message.startswith("VOKE_ESM_INTERNAL_URL is not set")
    assert "VOKE_ESM_INTERNAL_URL=http://127.0.0.1:4410/api/v1/voke-esm" in message


@pytest.mark.parametrize("port, url", [(None, "http://localhost:4410/api/v1/voke-esm"),
                                       ("4567", "http://localhost:4567/api/v1/voke-esm")])
def test_development_derives_the_internal_url_from_port(tmp_path, port, url):
    environ = {} if port is None else {"PORT": port}
    assert load_settings(environ, str(tmp_path))["VOKE_ESM_INTERNAL_URL"] == url


def test_development_takes_an_explicit_internal_url_whatever_the_port(tmp_path):
    settings = load_settings({"PORT": "4567",
                              "VOKE_ESM_INTERNAL_URL": "http://127.0.0.1:9/api/v1/voke-esm"},
                             str(tmp_path))
    assert settings["VOKE_ESM_INTERNAL_URL"] == "http://127.0.0.1:9/api/v1/voke-esm"


# -- development refuses weak secrets set by hand -----------------------------------------------

@pytest.mark.parametrize("name", SECRETS)
def test_development_refuses_a_short_secret_set_by_hand(tmp_path, name):
    message = refusal({name: "tiny-value"}, tmp_path)
    assert message.startswith(f"{name} is shorter than 32 bytes") and "set it to" in message
    assert "tiny-value" not in message


@pytest.mark.parametrize("first, second", [
    ("JWT_SECRET", "SECRET_KEY"), ("JWT_SECRET", "VOKE_ESM_ENCRYPTION_KEY"),
    ("SECRET_KEY", "VOKE_ESM_ENCRYPTION_KEY"),
])
def test_development_refuses_two_equal_secrets_set_by_hand(tmp_path, first, second):
    message = refusal({first: PRODUCTION[first], second: PRODUCTION[first]}, tmp_path)
    assert first in message and second in message and "same value" in message
    assert PRODUCTION[first] not in message


def test_development_refuses_a_secret_equal_to_a_generated_one(tmp_path):
    generated = load_settings({}, str(tmp_path))
    message = refusal({"JWT_SECRET": generated["SECRET_KEY"]}, tmp_path)
    assert "JWT_SECRET and SECRET_KEY are the same value" in message


def test_development_accepts_long_distinct_secrets_set_by_hand(tmp_path):
    environ = {name: PRODUCTION[name] for name in SECRETS}
    settings = load_settings(environ, str(tmp_path))
    assert all(settings[name] == PRODUCTION[name] for name in SECRETS)


@pytest.mark.parametrize("entry", ["cli", "wsgi"])
def test_entry_points_refuse_a_short_development_secret_with_one_line(tmp_path, entry):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "VOKE_ESM_INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "short"}
    result = subprocess.run(ENTRY_POINTS[entry], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"voke-esm: SECRET_KEY is shorter than 32 bytes: set it to a longer random value, "
        f"e.g. $({GENERATE_HINT})"]


# -- the encryption key ring ----------------------------------------------------------------------

NEW_KEY = "new-encryption-key-0123456789abcdef0123456789"
OLD_KEY = PRODUCTION["VOKE_ESM_ENCRYPTION_KEY"]


@pytest.mark.parametrize("value, ring", [
    (OLD_KEY, [OLD_KEY]),
    (f"{NEW_KEY},{OLD_KEY}", [NEW_KEY, OLD_KEY]),
    (f" {NEW_KEY} , {OLD_KEY} ", [NEW_KEY, OLD_KEY]),
])
def test_the_encryption_key_is_a_comma_separated_ring(tmp_path, value, ring):
    settings = load_settings({**PRODUCTION, "VOKE_ESM_ENCRYPTION_KEY": value}, str(tmp_path))
    assert settings["VOKE_ESM_ENCRYPTION_KEYS"] == ring


@pytest.mark.parametrize("environ", [PRODUCTION, {}], ids=["production", "development"])
@pytest.mark.parametrize("value", [f"{NEW_KEY},", f",{NEW_KEY}", f"{NEW_KEY},,{OLD_KEY}"])
def test_an_empty_entry_in_the_key_ring_is_refused(tmp_path, environ, value):
    message = refusal({**environ, "VOKE_ESM_ENCRYPTION_KEY": value}, tmp_path)
    assert message.startswith("VOKE_ESM_ENCRYPTION_KEY has an empty entry")
    assert NEW_KEY not in message


@pytest.mark.parametrize("environ", [PRODUCTION, {}], ids=["production", "development"])
def test_every_key_of_the_ring_is_checked(tmp_path, environ):
    message = refusal({**environ, "VOKE_ESM_ENCRYPTION_KEY": f"{NEW_KEY},short"}, tmp_path)
    assert message.startswith("VOKE_ESM_ENCRYPTION_KEY (key 2 of the list) is shorter")
    message = refusal({**environ, "VOKE_ESM_ENCRYPTION_KEY": f"{NEW_KEY},{NEW_KEY}"}, tmp_path)
    assert "key 1 of the list" in message and "key 2 of the list" in message
    message = refusal({**environ, "JWT_SECRET": PRODUCTION["JWT_SECRET"],
                       "VOKE_ESM_ENCRYPTION_KEY": f"{NEW_KEY},{PRODUCTION['JWT_SECRET']}"},
                      tmp_path)
    assert "JWT_SECRET and VOKE_ESM_ENCRYPTION_KEY (key 2 of the list)" in message
