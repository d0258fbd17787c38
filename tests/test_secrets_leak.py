"""The client secret leaves the server once, in enable's answer: never in another column,
response or log line, and Voke's encrypted copy only opens for its own organization."""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
import uuid

import pytest
import sqlalchemy as sa

from tests.admin_support import (
    ADMIN_URL,
    ORGS_URL,
    PASSWORD,
    PLANTS_URL,
    Admin,
    assert_error,
)
from tests.factories import TOKEN_URL
from tests.live import live_server
from voke_esm import credentials, vault
from voke_esm.extensions import db
from voke_esm.models import Organization
from voke_esm.services import sandbox

TRADING = "/api/v1/voke-esm/trading"
# The only two places allowed to hold anything derived from the secret.
HASH_COLUMN = ("voke_esm_clients", "secret_hash")
CIPHERTEXT_COLUMN = ("trading_partner_configs", "encrypted_credentials")


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


def forms_of(secret: str) -> list[str]:
    """The secret and the encodings a careless copy might use."""
    body = secret.removeprefix(credentials.SECRET_PREFIX)
    return [secret, body, base64.b64encode(secret.encode()).decode(),
            base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
            secret.encode().hex()]


def assert_free_of(text: str, secret: str, where: str) -> None:
    for form in forms_of(secret):
        assert form not in text, f"the client secret appears in {where}"


def every_cell(app):
    """(table, column, value) for every cell of every table, read through reflection."""
    with app.app_context():
        metadata = sa.MetaData()
        metadata.reflect(bind=db.engine)
        with db.engine.connect() as connection:
            for table in metadata.sorted_tables:
                for row in connection.execute(sa.select(table)).mappings():
                    for column, value in row.items():
                        yield table.name, column, value


def test_no_other_column_holds_the_secret(app, admin):
    org_id = admin.create_org("acme")["id"]
    first = admin.enable(org_id)["clientSecret"]
    secret = admin.enable(org_id)["clientSecret"]  # after a rotation, neither is stored
    cells = list(every_cell(app))
    assert {(table, column) for table, column, _ in cells} >= {HASH_COLUMN, CIPHERTEXT_COLUMN}
    for table, column, value in cells:
        for leaked in (secret, first):
            assert_free_of(str(value), leaked, f"{table}.{column}")
    stored = {(table, column): value for table, column, value in cells}
    assert credentials.verify_secret(secret, stored[HASH_COLUMN])
    assert not credentials.verify_secret(first, stored[HASH_COLUMN])
    with app.app_context():
        key = sandbox.vault_keys()
        plain = vault.decrypt_credentials(key, uuid.UUID(org_id), stored[CIPHERTEXT_COLUMN])
    assert plain["clientSecret"] == secret


def test_no_other_response_and_no_log_line_holds_the_secret(app, client, admin, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="voke_esm")
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # statements and parameters
    org_id = admin.create_org("acme")["id"]
    issued = admin.enable(org_id)
    secret = issued["clientSecret"]
    plant = admin.post(PLANTS_URL, json={"clientId": issued["clientId"],
                                         "externalPlantId": "PLANT-002", "name": "Two"}).json
    token = client.post(TOKEN_URL, json={"clientId": issued["clientId"],
                                         "clientSecret": secret}).json["accessToken"]
    esm = {"Authorization": f"Bearer {token}"}
    responses = [
        admin.get(f"{ADMIN_URL}/status", query_string={"orgId": org_id}),
        admin.get(ORGS_URL), admin.get(f"{ORGS_URL}/{org_id}"),
        admin.get(PLANTS_URL), admin.get(f"{PLANTS_URL}/{plant['id']}"),
        admin.patch(f"{PLANTS_URL}/{plant['id']}", json={"name": "Renamed"}),
        client.get(f"{TRADING}/plant/list", headers=esm),
        client.get(f"{TRADING}/plant/config", query_string={"plantId": "PLANT-001"},
                   headers=esm),
        client.post(f"{TRADING}/plant/config/update", headers=esm, json={
            "plantId": "PLANT-001", "configUpdateReqCode": "req-1",
            "timeConfigs": [{"from": "00:00", "to": "23:59", "pBatMax": 1, "pBatMin": 0,
                             "socMax": 90, "socMin": 20}]}),
        client.post("/api/v1/auth/login", json={"email": admin.email, "password": secret}),
        # Failures must not echo the secret either.
        client.post(TOKEN_URL, json={"clientId": "someone-else", "clientSecret": secret}),
        client.post(TOKEN_URL, json={"clientId": issued["clientId"], "clientSecret": [secret]}),
        admin.post(f"{ADMIN_URL}/disable", query_string={"orgId": org_id}),
        client.post(TOKEN_URL, json={"clientId": issued["clientId"], "clientSecret": secret}),
        admin.get(f"{ADMIN_URL}/status", query_string={"orgId": org_id}),
    ]
    assert [r.status_code for r in responses] == [200] * 9 + [401, 401, 400, 200, 401, 200]
    for response in responses:
        assert_free_of(response.get_data(as_text=True), secret, response.request.path)
        assert_free_of(str(response.headers), secret, f"headers of {response.request.path}")
    messages = [record.getMessage() for record in caplog.records]
    # The check below would prove nothing if these were not logged at all.
    assert "Voke ESM: applied config for PLANT-001" in messages
    assert "Sign-in refused" in messages
    assert any("voke_esm_clients" in message for message in messages)
    for record in caplog.records:
        assert_free_of(record.getMessage() + repr(record.__dict__), secret, "the log")
        assert PASSWORD not in record.getMessage()


def test_ciphertext_moved_to_another_org_does_not_decrypt(app, admin):
    acme_id = admin.create_org("acme")["id"]
    beta_id = admin.create_org("beta")["id"]
    admin.enable(acme_id)
    admin.enable(beta_id)
    with app.app_context():
        table = db.metadata.tables["trading_partner_configs"]
        acme_ciphertext = db.session.scalar(sa.select(table.c.encrypted_credentials).where(
            table.c.organization_id == uuid.UUID(acme_id)))
        db.session.execute(sa.update(table).where(table.c.organization_id == uuid.UUID(beta_id))
                           .values(encrypted_credentials=acme_ciphertext))
        db.session.commit()
        key = sandbox.vault_keys()
        with pytest.raises(vault.DecryptionError):
            vault.decrypt_credentials(key, uuid.UUID(beta_id), acme_ciphertext)
        beta = db.session.get(Organization, uuid.UUID(beta_id))
        with pytest.raises(vault.DecryptionError):
            sandbox.stored_credentials(beta)
        # It still opens where it belongs, so the failure above is the binding, not damage.
        acme = db.session.get(Organization, uuid.UUID(acme_id))
        assert sandbox.stored_credentials(acme)["clientId"].startswith("voke-esm-acme-")


def test_status_answers_even_when_the_ciphertext_is_foreign(app, admin):
    """A moved ciphertext does not break status: it says the credentials are unreadable."""
    acme_id = admin.create_org("acme")["id"]
    admin.enable(acme_id)
    with app.app_context():
        table = db.metadata.tables["trading_partner_configs"]
        db.session.execute(sa.update(table).values(encrypted_credentials="v1:AAAA"))
        db.session.commit()
    response = admin.get(f"{ADMIN_URL}/status", query_string={"orgId": acme_id})
    assert response.status_code == 200
    assert (response.json["hasEsmCredentials"], response.json["credentials"]) == (
        False, "unreadable")


def test_the_served_log_never_holds_the_secret(app, env, tmp_path):
    """Through gunicorn, with its access log, as `make run` serves it."""
    Admin(app, app.test_client(), email="live@voke.test")  # the account the server signs in
    log_path = tmp_path / "server.log"
    with live_server(env, log_path=log_path) as base_url:
        token = call(base_url, "POST", "/api/v1/auth/login",
                     {"email": "live@voke.test", "password": PASSWORD})["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        org = call(base_url, "POST", ORGS_URL, {"name": "Acme", "slug": "acme"}, headers)
        issued = call(base_url, "POST", f"{ADMIN_URL}/enable?orgId={org['id']}", None, headers)
        call(base_url, "POST", TOKEN_URL, {"clientId": issued["clientId"],
                                           "clientSecret": issued["clientSecret"]})
        with pytest.raises(urllib.error.HTTPError) as refused:
            call(base_url, "POST", TOKEN_URL, {"clientId": "nobody",
                                               "clientSecret": issued["clientSecret"]})
        with refused.value:
            assert refused.value.code == 401
            assert_free_of(refused.value.read().decode(), issued["clientSecret"], "a 401")
    log = log_path.read_text()
    assert "/api/v1/voke-esm/admin/enable" in log  # the access log did record the calls
    assert_free_of(log, issued["clientSecret"], "the server log")
    assert PASSWORD not in log


def call(base_url, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_scan_sees_a_secret_where_there_is_one(admin):
    """The enable answer itself does carry the secret (so the scans above can see one)."""
    org_id = admin.create_org("acme")["id"]
    response = admin.post(f"{ADMIN_URL}/enable", query_string={"orgId": org_id})
    secret = response.json["clientSecret"]
    with pytest.raises(AssertionError):
        assert_free_of(response.get_data(as_text=True), secret, "enable's answer")
    assert_error(admin.post(f"{ADMIN_URL}/enable", query_string={"orgId": "x"}), 400,
                 "INVALID_UUID")
