"""The journal redacts secrets by their shape, wherever they are and however they are spelled:
the three leaks of the audit, checked where QA reads them (the admin API and the UI page)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.admin_support import bearer, make_user, sign_in_browser, user_token
from voke_esm.models import StoredJSON
from voke_esm.services import journal

TRADING = "/api/v1/voke-esm/trading"
JOURNAL_URL = "/api/v1/voke-esm/admin/journal?limit=100"


@pytest.fixture
def acme(sandbox):
    return sandbox.enabled()


def shown(app, org_id: str) -> str:
    """Everything QA can read: the journal API and the sandbox page with its journal."""
    user_id = make_user(app, "qa@voke.test")
    api = app.test_client().get(JOURNAL_URL, headers=bearer(user_token(app, user_id)))
    assert api.status_code == 200 and api.json
    browser = app.test_client()
    sign_in_browser(app, browser, user_id)
    page = browser.get(f"/platform/voke-esm?org={org_id}")
    rows = browser.get(f"/platform/voke-esm/{org_id}/journal", headers={"HX-Request": "true"})
    assert page.status_code == rows.status_code == 200
    return "\n".join([api.get_data(as_text=True), page.get_data(as_text=True),
                      rows.get_data(as_text=True)])


def secret_parts(secret: str) -> list[str]:
    """The secret and its random part, which must not show in any spelling."""
    return [secret, secret.split("_", 1)[1]]


def test_an_access_token_in_the_query_is_not_journaled(app, client, sandbox, acme):
    token = sandbox.token(acme)
    # The header names the client (so the entry shows on its page); the query leaks.
    response = client.get(f"{TRADING}/plant/list?access_token={token}", headers=bearer(token))
    assert response.status_code == 400
    everything = shown(app, acme.org_id)
    assert "access_token=[redacted]" in everything
    assert token not in everything and token.split(".")[2] not in everything


@pytest.mark.parametrize("body", [
    lambda token: {"plantId": "PLANT-001", "note": token},
    lambda token: {"plantId": "PLANT-001", "meta": {"deep": [{"x": f"Bearer {token}"}]}},
    lambda token: {"plantId": "PLANT-001", token: "as a key"},
], ids=["odd-key", "nested", "as-key"])
def test_a_token_in_the_body_under_any_key_is_not_journaled(app, client, sandbox, acme, body):
    token = sandbox.token(acme)
    response = client.post(f"{TRADING}/plant/config/update", json=body(token),
                           headers=bearer(token))
    assert response.status_code == 400
    everything = shown(app, acme.org_id)
    assert "[redacted]" in everything and "PLANT-001" in everything
    assert token not in everything and token.split(".")[2] not in everything


@pytest.mark.parametrize("spelling", [
    lambda secret: secret.replace("_", "%5F", 1),
    lambda secret: secret.replace("_", "%5f", 1),
    lambda secret: "".join(f"%{ord(ch):02X}" for ch in secret),
    lambda secret: secret.replace("_", "%255F", 1),  # encoded twice
], ids=["%5F", "%5f", "all-encoded", "double"])
def test_a_percent_encoded_secret_in_the_query_is_not_journaled(app, client, acme, spelling):
    query = f"clientId={acme.client_id}&x={spelling(acme.client_secret)}"
    client.post(f"{TRADING}/token?{query}", json={"clientId": acme.client_id,
                                                  "clientSecret": "wrong"})
    everything = shown(app, acme.org_id)
    assert "x=[redacted]" in everything
    assert not any(part in everything for part in secret_parts(acme.client_secret))


def test_secrets_in_the_body_are_redacted_even_percent_encoded(app, client, acme):
    secret = acme.client_secret
    client.post(f"{TRADING}/token", json={
        "clientId": acme.client_id, "clientSecret": "wrong",
        "extra": [{"value": secret.replace("_", "%5F", 1)}, f"prefix {secret} suffix"]})
    everything = shown(app, acme.org_id)
    assert not any(part in everything for part in secret_parts(secret))


def test_an_authorization_header_never_reaches_the_journal(app, client, sandbox, acme):
    token = sandbox.token(acme)
    client.get(f"{TRADING}/plant/list", headers=bearer(token))
    assert token not in shown(app, acme.org_id)


def test_text_that_only_looks_encoded_or_dotted_is_kept_as_sent(app, client, sandbox, acme):
    client.get(f"{TRADING}/plant/config?plantId=SITE%2DA&v=1.2.3&pct=50%25",
               headers=sandbox.headers(acme))
    with app.app_context():
        entry = journal.recent(limit=1)[0]
    assert (entry.query, entry.plant_id) == ("plantId=SITE%2DA&v=1.2.3&pct=50%25", "SITE-A")


@pytest.mark.parametrize("text, kept", [
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "[redacted]"),
    ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "[redacted]"),  # unsigned: still a token
    ("vesm_abc-DEF_123", "[redacted]"),
    ("see vesm%5Fabc and eyJh.eyJz.sig", "see [redacted] and [redacted]"),
    ("a%00b", "a%00b"),  # nothing to redact: kept as sent
    ("a\x00b", "ab"),
    ("version 1.2.3 of eyJ-free text", "version 1.2.3 of eyJ-free text"),
    ("50%", "50%"),
])
def test_clean_redacts_by_shape(text, kept):
    assert journal.clean(text) == kept


# Pieces of queries: names and values that need a redaction or decoding, and plain ones.
QUERY_PIECES = st.lists(st.sampled_from([
    "plantId", "PLANT-002", "=", "&", "%", "%5F", "+", "x", "secret", "Client_Secret", "TOKEN",
    "pass", "word", "vesm_", "vesm", "eyJ", "eyJh.eyJz.sig", "\x00", "caf\u00e9", "1.2.3", "",
]), max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(query=QUERY_PIECES, length=st.sampled_from([None, 5, 500]))
def test_a_query_is_kept_as_sent_only_when_nothing_in_it_needs_a_change(query, length):
    """clean_query's shortcut for plain queries answers what cleaning them pair by pair does."""
    assert journal.clean_query(query, length) == (
        journal._clean_pairs(query, length) if query else None)


def test_a_body_is_walked_at_any_depth(acme):
    body = {"a": [{"b": {"c": acme.client_secret}}], "password": "hunter2",
            "d": "vesm%5Fxyz", "n": 1}
    assert json.dumps(journal.safe_body(body)) == json.dumps(
        {"a": [{"b": {"c": "[redacted]"}}], "password": "[redacted]", "d": "[redacted]",
         "n": 1})


@pytest.mark.parametrize("body, kept", [
    ({"ClientSECRET": "x", "n": 1}, {"ClientSECRET": "[redacted]", "n": 1}),
    ({"x": {"AccessToken": ["a"]}}, {"x": {"AccessToken": "[redacted]"}}),
    ({"s": "see vesm_abc"}, {"s": "see [redacted]"}),
    ({"s": "vesm%5Fabc"}, {"s": "[redacted]"}),
    ({"s": "a\x00b"}, {"s": "ab"}),
    ({"a\x00b": [None, True, 2]}, {"ab": [None, True, 2]}),
    ({"s": "\ud800"}, {"s": "\\ud800"}),
    ({"n": [float("nan"), float("-inf"), 1.5]}, {"n": ["nan", "-inf", 1.5]}),
], ids=["key-any-case", "nested-key", "secret", "encoded-secret", "nul", "nul-in-name",
        "surrogate", "non-finite"])
def test_safe_body_changes_what_the_journal_cannot_keep(body, kept):
    assert journal.safe_body(body) == kept


def test_safe_body_keeps_a_plain_body_as_it_is():
    body = {"plantId": "PLANT-001", "configUpdateReqCode": "Nancy's 100 blocks",
            "timeConfigs": [{"from": "00:00", "to": "23:59", "pBatMax": 1e23}]}
    assert journal.safe_body(body) == body
    plain = {"plantId": "PLANT-001", "timeConfigs": [{"from": "00:00", "to": "23:59"}]}
    assert journal.safe_body(plain) is plain  # not walked: nothing in it needs a change


def test_a_plain_body_is_kept_as_sent_not_serialised_again():
    sent = b'{ "plantId": "PLANT-001",\n  "timeConfigs": [{"from": "00:00", "pBatMax": 12.5}] }'
    kept = journal.safe_body(json.loads(sent), sent)
    assert kept == sent.decode() and json.loads(kept) == json.loads(sent)


@pytest.mark.parametrize("sent", [
    b'{"n": 1e999}', b'{"n": 2E+3}', b'{"n": ' + b"1" * 309 + b'.5}', b'{"n": NaN}',
    b'{"n": [-Infinity]}', b'{"\\u0074oken": "abc"}', b'{"s": "\\u0000"}',
    b'{"s": "vesm_abc"}', b'{"s": "vesm%5Fabc"}', b'{"AccessTOKEN": "a"}',
    '{"s": "caf\u00e9"}'.encode(), '{"\u212aey": 1}'.encode(), b'\xef\xbb\xbf{"n": 1}',
    '{"n": 1}'.encode("utf-16"), b'"text"', b"12",
], ids=["exponent", "exponent-upper", "309-digits", "nan", "infinity", "escaped-name",
        "escaped-nul", "secret", "encoded-secret", "secret-name", "non-ascii", "kelvin-sign",
        "bom", "utf-16", "string", "number"])
def test_a_body_whose_text_may_need_a_change_is_walked(sent):
    """Whatever the scan of the text cannot clear goes the parsed body's way, as without it."""
    body = json.loads(sent)
    assert type(journal.safe_body(body, sent)) is not StoredJSON
    assert json.dumps(journal.safe_body(body, sent)) == json.dumps(journal.safe_body(body))


def test_a_body_of_308_digits_before_the_point_is_kept_as_sent():
    sent = b'{"n": ' + b"1" * 308 + b'.5}'
    assert journal.safe_body(json.loads(sent), sent) == sent.decode()
