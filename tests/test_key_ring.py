"""The encryption key ring and `voke-esm rotate-encryption-key` (CONTRACT §5): the first key
encrypts, every key decrypts, and a stored copy no key opens is reported as unreadable."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.admin_support import ADMIN_URL, Admin
from tests.conftest import app_for, base_env
from tests.live import run_cli
from tests.ui_support import admin_client, text
from voke_esm import vault
from voke_esm.extensions import db
from voke_esm.models import Organization
from voke_esm.services import sandbox

OLD = "old-encryption-key-0123456789abcdef0123456789"
NEW = "new-encryption-key-0123456789abcdef0123456789"
OTHER = "other-encryption-key-0123456789abcdef01234567"
UNREADABLE = "Credentials unreadable — re-enable to issue new ones."


def test_the_first_key_encrypts_and_every_key_decrypts():
    org = uuid.uuid4()
    old, new = vault.derive_keys([OLD]), vault.derive_keys([NEW, OLD])
    sealed_old = vault.encrypt_credentials(old, org, {"clientId": "x"})
    assert vault.open_credentials(new, org, sealed_old) == ({"clientId": "x"}, 1)
    sealed_new = vault.encrypt_credentials(new, org, {"clientId": "y"})
    assert vault.open_credentials(vault.derive_keys([NEW]), org, sealed_new)[1] == 0
    with pytest.raises(vault.DecryptionError):
        vault.decrypt_credentials(old, org, sealed_new)
    with pytest.raises(vault.DecryptionError):  # the ring never unbinds a row
        vault.decrypt_credentials(new, uuid.uuid4(), sealed_old)


@pytest.fixture
def world(tmp_path, database_url):
    """Two organizations enabled under the OLD key; `env(key)` is the same setup on `key`."""
    def env(key: str) -> dict:
        return base_env(tmp_path, database_url, VOKE_ESM_ENCRYPTION_KEY=key)

    with app_for(env(OLD)) as app:
        admin = Admin(app, app.test_client())
        issued = {}
        for slug in ("acme", "beta"):
            org_id = admin.create_org(slug)["id"]
            issued[slug] = (org_id, admin.enable(org_id))
    return env, issued


def api_status(env: dict, org_id: str) -> dict:
    with app_for(env) as app:
        admin = Admin(app, app.test_client(), email=f"{uuid.uuid4().hex[:8]}@voke.test")
        response = admin.get(f"{ADMIN_URL}/status", query_string={"orgId": org_id})
    assert response.status_code == 200
    return response.json


def stored(env: dict, org_id: str) -> dict:
    with app_for(env) as app, app.app_context():
        return sandbox.stored_credentials(db.session.get(Organization, uuid.UUID(org_id)))


def rotate(env: dict, *args: str) -> tuple[str, str]:
    result = run_cli(env, "rotate-encryption-key", *args)
    return result.stdout, result.stderr


def test_a_dropped_key_makes_the_stored_credentials_unreadable_everywhere(world):
    env, issued = world
    org_id, credentials = issued["acme"]
    status = api_status(env(NEW), org_id)
    assert (status["status"], status["enabled"]) == ("ENABLED", True)  # §3 fields intact
    assert (status["credentials"], status["hasEsmCredentials"]) == ("unreadable", False)
    cli_status = json.loads(run_cli(env(NEW), "status", "--org", "acme").stdout)
    assert cli_status["credentials"] == "unreadable"
    with app_for(env(NEW), WTF_CSRF_ENABLED=False) as app:
        page = admin_client(app).get(f"/platform/voke-esm?org={org_id}")
    assert page.status_code == 200 and UNREADABLE in text(page)
    assert credentials["clientSecret"] not in text(page)
    # The same copy read with the key ring that still holds the old key: present, no notice.
    assert api_status(env(f"{NEW},{OLD}"), org_id)["credentials"] == "present"
    with app_for(env(f"{NEW},{OLD}"), WTF_CSRF_ENABLED=False) as app:
        page = admin_client(app, "second@example.com").get(f"/platform/voke-esm?org={org_id}")
    assert page.status_code == 200 and UNREADABLE not in text(page)


def test_rotation_re_encrypts_every_stored_credential_once(world):
    env, issued = world
    ring = env(f"{NEW},{OLD}")
    stdout, stderr = rotate(ring)
    assert stdout == ("Re-encrypted 2 stored credentials with the first key; 0 already used it; "
                      "0 unreadable.\n")
    assert "Re-encrypting stored credentials" in stderr
    for org_id, credentials in issued.values():
        assert stored(env(NEW), org_id) == credentials  # the old key is no longer needed
        assert api_status(env(NEW), org_id)["credentials"] == "present"
        assert credentials["clientSecret"] not in stdout + stderr
    again, _ = rotate(ring, "--json")
    assert json.loads(again) == {"reencrypted": 0, "current": 2, "unreadable": 0,
                                 "unreadableOrgs": []}


def test_rotation_reports_what_no_key_opens_and_leaves_it(world):
    env, issued = world
    stdout, stderr = rotate(env(f"{NEW},{OTHER}"), "--json")
    assert json.loads(stdout) == {"reencrypted": 0, "current": 0, "unreadable": 2,
                                  "unreadableOrgs": ["acme", "beta"]}
    _, stderr = rotate(env(f"{NEW},{OTHER}"))
    assert "No key opens the stored credentials of acme, beta: re-enable them" in stderr
    org_id, credentials = issued["acme"]
    assert stored(env(OLD), org_id) == credentials  # untouched: the right key still opens it


def test_re_enabling_replaces_unreadable_credentials(world):
    env, issued = world
    org_id, _ = issued["acme"]
    with app_for(env(NEW)) as app:
        admin = Admin(app, app.test_client(), email="again@voke.test")
        fresh = admin.enable(org_id)
        response = admin.get(f"{ADMIN_URL}/status", query_string={"orgId": org_id})
    assert response.json["credentials"] == "present"
    assert stored(env(NEW), org_id) == fresh


def test_rotation_never_puts_back_a_secret_an_enable_replaced_meanwhile(world):
    env, issued = world
    org_id, old_credentials = issued["acme"]
    with app_for(env(f"{NEW},{OLD}")) as app, app.app_context():
        stale = next(config for config in sandbox.configs_with_stored_credentials()
                     if str(config.organization_id) == org_id)
        stale_ciphertext = stale.encrypted_credentials  # what the rotation read
        with app.app_context():  # meanwhile, another process rotates acme's credentials
            fresh = sandbox.enable(db.session.get(Organization, uuid.UUID(org_id))).as_json()
        assert stale.encrypted_credentials == stale_ciphertext
        assert sandbox.reencrypt_stored_credentials(stale) == "current"
    assert stored(env(NEW), org_id) == fresh != old_credentials
