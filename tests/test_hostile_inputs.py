"""Hostile input on every route: a 4xx that changes nothing, never a 5xx (CONTRACT §1, §5).

The route list is read from app.url_map, so a new route is covered without editing this file
(a new kind of path variable only needs a valid value in VALID_PATH_VALUES).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.admin_support import bearer, make_user, sign_in_browser, user_token
from tests.factories import assert_envelope
from tests.ui_support import HX, admin_client
from voke_esm.extensions import db
from voke_esm.models import JournalEntry, Plant
from voke_esm.services import faults
from voke_esm.validation import is_valid_unicode

HOSTILE = {
    "nul": "\x00",
    "surrogate": "\ud800",
    "long": "x" * 10_000,
    "huge": "9" * 30,
    "negative": "-1",
    "pct00": "%00",  # sent as is: the server decodes it to NUL
}
QUERY_NAMES = ("q", "page", "limit", "orgId", "clientId", "plantId", "org", "next", "from", "to",
               "date", "replace")
FORM_NAMES = ("email", "password", "next", "name", "slug", "description", "externalPlantId",
              "fvePeakPowerKwp", "capacityKwh", "esiState", "configEnabled", "plantWithLoad",
              "tc-from", "tc-to", "tc-pBatMax", "tc-pBatMin", "tc-socMax", "tc-socMin",
              "applyDelaySeconds", "applyOutcome", "advance", "endpoint", "type", "mode",
              "label", "plantId", "details")
JSON_NAMES = ("email", "password", "name", "slug", "description", "clientId", "clientSecret",
              "externalPlantId", "fvePeakPowerKwp", "capacityKwh", "configEnabled",
              "plantWithLoad", "esiState", "plantId", "configUpdateReqCode", "validateOnly",
              "applyDelaySeconds", "applyOutcome", "advanceSeconds", "reset", "tokenTtlSeconds",
              "endpoint", "effect", "trigger", "expiresAt", "label")
AS_HTMX = ("nul", "long", "negative")
TRADING = "/api/v1/voke-esm/trading"
PATH_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")
HUGE = "9" * 30


def encode(value: str) -> str:
    """A value as it travels in a URL: `%00` raw, anything else percent-encoded (a lone
    surrogate as the bytes a careless client would send)."""
    if value == "%00":
        return value
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def json_text(value: str) -> str:
    """Every field hostile; the 30-digit and negative values as JSON numbers."""
    value = int(value) if value in (HUGE, "-1") else value
    body = {name: value for name in JSON_NAMES}
    body["timeConfigs"] = [{"from": value, "to": value, "pBatMax": value, "pBatMin": value,
                            "socMax": value, "socMin": value}]
    return json.dumps(body)  # ensure_ascii: a lone surrogate travels as the "\ud800" escape


def form_text(value: str) -> str:
    return "&".join(f"{name}={encode(value)}" for name in FORM_NAMES)


def dump(app) -> dict:
    """Every row of every table but the journal (which records refused calls by design)."""
    with app.app_context():
        tables = {table.name: [dict(row) for row in db.session.execute(
            sa.select(table).order_by(*table.primary_key.columns)).mappings()]
            for table in db.metadata.sorted_tables if table.name != JournalEntry.__tablename__}
        db.session.rollback()
    return tables


def restore(app, rows: dict) -> None:
    """Put the world back after a request that was allowed to change it (logout, enable...)."""
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name in rows]
        for table in reversed(tables):
            db.session.execute(table.delete())
        for table in tables:
            if rows[table.name]:
                db.session.execute(table.insert(), rows[table.name])
        db.session.commit()


def strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def hostile_rows(tables: dict) -> list[str]:
    """Rows of a dump holding text no database should: NUL or a lone surrogate."""
    return [f"{name}: {str(row)[:200]}" for name, rows in tables.items() for row in rows
            if any("\x00" in text or not is_valid_unicode(text) for text in strings(row))]


def journal_rows(app) -> dict:
    with app.app_context():
        rows = [dict(row) for row in db.session.execute(
            sa.select(JournalEntry.__table__)).mappings()]
        db.session.rollback()
    return {JournalEntry.__tablename__: rows}


def fill(rule, values: dict) -> str:
    """The rule's path with each variable (any converter) replaced by values[name]."""
    return PATH_VARIABLE.sub(lambda match: values[match[1]], rule.rule)


@pytest.fixture
def world(app, sandbox):
    acme = sandbox.enabled()
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    with app.app_context():
        rule_id = str(faults.add_rule({"clientId": acme.client_id, "endpoint": "token",
                                       "effect": {"type": "latency", "ms": 1},
                                       "trigger": {"mode": "always"}}).id)
    user_id = make_user(app, "root@voke.test")
    cookie_client = app.test_client()
    sign_in_browser(app, cookie_client, user_id)
    return {
        "cookie": (cookie_client, cookie_client.get_cookie(app.config["SESSION_COOKIE_NAME"])),
        "paths": {"org_id": acme.org_id, "plant_id": plant_id, "filename": "css/app.css",
                  "version": "1", "rule_id": rule_id, "name": "flaky-partner",
                  "entry_id": "1"},  # the token call sandbox.headers makes is journaled
        "identities": {
            "anonymous": (app.test_client(), {}, {}),
            "session": (cookie_client, {}, {}),
            "bearer": (app.test_client(), bearer(user_token(app, user_id)),
                       sandbox.headers(acme)),
        },
    }


def requests_for(rule, valid_paths: dict):
    """(method, url, hostile value's name): the value in every query parameter, with valid
    path variables and, when the rule has any, with the value in each of them too."""
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        for name, value in HOSTILE.items():
            query = "&".join(f"{key}={encode(value)}" for key in QUERY_NAMES)
            paths = [fill(rule, {key: quote(str(valid_paths[key]), safe="/")
                                 for key in rule.arguments})]
            if rule.arguments:
                paths.append(fill(rule, dict.fromkeys(rule.arguments, encode(value))))
            for path in paths:
                yield method, f"{path}?{query}", name


def send(client, method: str, url: str, value: str, headers: dict):
    if method in ("GET", "DELETE"):
        return client.open(url, method=method, headers=headers)
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers, data=json_text(value),
                           content_type="application/json")
    return client.open(url, method=method, headers=headers, data=form_text(value),
                       content_type="application/x-www-form-urlencoded")


def test_every_route_answers_hostile_input_without_5xx_or_change(app, world):
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 30  # the map really was read
    baseline = dump(app)
    failures, count, changed_by_success, signed_in_pages = [], 0, 0, 0
    cookie_client, cookie = world["cookie"]
    for rule in rules:
        unknown = rule.arguments - world["paths"].keys()
        assert not unknown, f"add a valid value for {unknown} of {rule.rule}"
        for method, url, name in requests_for(rule, world["paths"]):
            for who, (client, headers, trading_headers) in world["identities"].items():
                sent = trading_headers if url.startswith(TRADING) else headers
                if name in AS_HTMX:  # the other half renders whole pages
                    sent = {**sent, **HX}
                response = send(client, method, url, HOSTILE[name], sent)
                response.close()  # a static file answer holds the file open until closed
                count += 1
                signed_in_pages += who == "session" and response.status_code == 200
                where = f"{who} {method} {url[:120]} [{name}] -> {response.status_code}"
                if response.status_code >= 500:
                    failures.append(where)
                if url.startswith("/api/") and response.status_code != 204 \
                        and response.mimetype != "application/json":
                    failures.append(f"{where}: {response.mimetype} under /api/")
                after = dump(app)
                if after == baseline:
                    continue
                if response.status_code >= 400:
                    failures.append(f"{where}: refused, but the database changed")
                failures += [f"{where}: stored {row}" for row in hostile_rows(after)]
                changed_by_success += 1
                restore(app, baseline)
                # Sign-out also cleared the cookie: the restored session needs it back.
                cookie_client.set_cookie(cookie.key, cookie.value)
    failures += hostile_rows(journal_rows(app))
    assert not failures, "\n".join(failures)
    # The map was covered, signed-in pages were reached, and enable, sign-out... ran (undone).
    assert count > 800 and signed_in_pages > 50 and changed_by_success > 0


def test_options_never_fails_and_is_the_405_envelope_under_the_api(app, world):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        path = fill(rule, {key: str(value) for key, value in world["paths"].items()})
        response = client.open(path, method="OPTIONS")
        response.close()
        assert response.status_code < 500, path
        if path.startswith("/api/"):
            assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
            allowed = {method.strip() for method in response.headers["Allow"].split(",")}
            assert rule.methods - {"OPTIONS"} <= allowed and "OPTIONS" not in allowed, path


# -- the findings of the audit, one by one -------------------------------------------------------

def plant_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Plant.id)))


@pytest.fixture
def ui(app):
    return admin_client(app)


def test_a_nul_in_the_sign_in_email_is_a_refused_sign_in(client, app):
    make_user(app, "root@voke.test")
    response = client.post("/login", data={"email": "root@voke.test\x00",
                                           "password": "correct horse battery staple"})
    assert response.status_code == 422
    assert "Invalid email or password" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/platform/voke-esm/picker?q=%00",
                                  "/platform/voke-esm/{org}/plants?q=%00",
                                  "/platform/voke-esm/picker?q=" + "x" * 10_000])
def test_bad_search_text_is_a_400_page(ui, sandbox, path):
    response = ui.get(path.format(org=sandbox.enabled().org_id), headers=HX)
    assert response.status_code == 400
    assert "q: must" in response.get_data(as_text=True)


def test_a_plant_delete_with_a_bad_search_deletes_nothing(app, ui, sandbox):
    acme = sandbox.enabled()
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    before = plant_count(app)
    response = ui.delete(f"/platform/plants/{plant_id}?q=%00", headers=HX)
    assert response.status_code == 400
    assert plant_count(app) == before
    assert ui.get(f"/platform/plants/{plant_id}").status_code == 200


@pytest.mark.parametrize("query", [f"page={HUGE}", "page=-1", "page=0", "page=two",
                                   "page=1.5", "page=%00", "page="])
def test_a_bad_page_of_the_organization_list_is_a_400_page(ui, query):
    response = ui.get(f"/platform/organizations?{query}")
    assert response.status_code == 400
    assert "page: must be a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/api/v1/organizations", "/api/v1/voke-esm/admin/journal"])
@pytest.mark.parametrize("query", [f"page={HUGE}", f"limit={HUGE}", "page=-3", "limit=-1",
                                   "limit=abc", "page=%00"])
def test_a_bad_page_or_limit_of_an_api_list_is_a_validation_error(app, client, url, query):
    headers = bearer(user_token(app, make_user(app, "root@voke.test")))
    response = client.get(f"{url}?{query}", headers=headers)
    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"
    assert response.json["details"][0].split(":")[0] in ("page", "limit")
