"""The OpenAPI 3.1 document: valid, served, complete for every /api/ route, examples that fit."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.conftest import base_env
from tests.ui_support import admin_client
from voke_esm import create_app, openapi
from voke_esm.openapi import OPENAPI_PATH, openapi_path
from voke_esm.openapi.qa import qa_paths

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def doc_app(tmp_path_factory):
    """The document needs no database: one app for the module."""
    folder = tmp_path_factory.mktemp("openapi")
    return create_app(base_env(folder, f"sqlite:///{folder / 'unused.sqlite3'}"), TESTING=True)


@pytest.fixture(scope="module")
def document(doc_app):
    response = doc_app.test_client().get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    validate(document)  # raises on the first problem


def test_flask_rules_become_openapi_paths():
    assert openapi_path("/a/<org_id>/b/<int(max=9):version>/c") == "/a/{org_id}/b/{version}/c"


def test_every_api_route_is_documented_and_nothing_else(doc_app, document):
    """A new route under /api/ fails here until paths.py documents it (and schemathesis then
    checks its answers against that documentation)."""
    routes = {(method.lower(), openapi_path(rule.rule))
              for rule in doc_app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods if method.lower() in METHODS}
    documented = {(method, path) for path, item in document["paths"].items()
                  for method in item if method in METHODS}
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented operations the app does not serve"


def test_every_operation_documents_its_bodies_and_errors(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("operationId") and operation.get("summary"), where
            for status, response in operation["responses"].items():
                if "$ref" in response or status == "204":
                    continue
                assert "application/json" in response.get("content", {}), (where, status)
            if method in {"post", "patch"} and not path.endswith(("/enable", "/disable",
                                                                  "/restore", "/reset")):
                assert operation["requestBody"]["content"], where
            if path.startswith("/api/v1/voke-esm/admin") or path.startswith(
                    "/api/v1/organizations"):
                assert operation["security"] == [{"adminBearer": []}], where
                assert {"401", "403"} <= set(operation["responses"]), where


def test_the_envelope_and_the_shapes_are_components(document):
    schemas = document["components"]["schemas"]
    for name in ("Error", "Plant", "TimeConfigBlock", "Organization", "PageMeta"):
        assert name in schemas
    assert schemas["Error"]["required"] == ["statusCode", "error", "code", "message"]
    for response in document["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}


def examples(document):
    for name, schema in document["components"]["schemas"].items():
        if "example" in schema:
            yield name, {"$ref": f"#/components/schemas/{name}"}, schema["example"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "example" in media:
                    yield f"{method} {path}", media["schema"], media["example"]


def test_every_example_fits_its_schema(document):
    found = list(examples(document))
    assert len(found) >= 8
    for where, schema, example in found:
        validator = Draft202012Validator({**schema, "components": document["components"]})
        problems = [error.message for error in validator.iter_errors(example)]
        assert problems == [], where


def test_the_product_pages_examples_are_included(document):
    schemas = document["components"]["schemas"]
    create = schemas["PlantCreate"]["example"]
    assert create["clientId"] == "acme-client-id" and create["name"] == "Acme Site A"
    assert [block["from"] for block in create["timeConfigs"]] == ["00:00", "07:00"]
    assert schemas["ConfigUpdateRequest"]["example"]["configUpdateReqCode"] == "req-abc123"
    assert schemas["PlantConfig"]["example"]["esiState"] == "PLC_READY"


def test_the_second_server_is_the_configured_internal_url(tmp_path):
    env = base_env(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}",
                   VOKE_ESM_INTERNAL_URL="http://127.0.0.1:4999/api/v1/voke-esm")
    document = create_app(env).test_client().get(OPENAPI_PATH).json
    assert document["servers"][1]["url"] == "http://127.0.0.1:4999"


def test_the_api_page_is_for_superadmins_and_links_the_document(app, client):
    anonymous = client.get("/platform/api")
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["Location"]
    page = admin_client(app).get("/platform/api")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="{OPENAPI_PATH}" download="openapi.json"' in html
    assert f'data-openapi-url="{OPENAPI_PATH}"' in html
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert '<a href="/platform/api"\n           aria-current="page">API</a>' in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'; "
                                                              "script-src 'self';")
    assert "<script>" not in html and "style=" not in html


def test_qa_operations_are_listed_once_served_and_valid_before():
    """The QA controls (CONTRACT §6) land on their own branches: their documentation is valid
    now and appears as soon as the app serves their routes."""
    everything = openapi.document("http://127.0.0.1:4410/api/v1/voke-esm")
    validate(everything)
    assert set(qa_paths()) <= set(everything["paths"])
    for where, schema, example in examples(everything):
        validator = Draft202012Validator({**schema, "components": everything["components"]})
        assert list(validator.iter_errors(example)) == [], where
    nothing_served = openapi.document("http://127.0.0.1:4410/api/v1/voke-esm", served=set())
    assert not set(qa_paths()) & set(nothing_served["paths"])


def response_schema(document: dict, method: str, path: str, status: str) -> dict:
    response = document["paths"][path][method]["responses"][status]
    return response["content"]["application/json"]["schema"]


def test_real_answers_match_their_documented_schemas(app, client, sandbox, document):
    """Fuzzing rarely guesses an existing id; these are the 200s of a real sandbox."""
    from tests.admin_support import make_user, user_token
    from tests.test_oauth2_token import GRANT, basic, post_form

    acme = sandbox.enabled()
    plant_id = sandbox.plant(acme.client_id, "PLANT-002", description="Battery storage + PV")
    admin = {"Authorization": f"Bearer {user_token(app, make_user(app, 'root@voke.test'))}"}
    trading = sandbox.headers(acme)
    admin_api = "/api/v1/voke-esm/admin"
    calls = [
        ("post", "/api/v1/voke-esm/trading/token", "200",
         post_form(client, GRANT, basic(acme.client_id, acme.client_secret))),
        ("get", "/api/v1/voke-esm/trading/plant/list", "200",
         client.get("/api/v1/voke-esm/trading/plant/list", headers=trading)),
        ("get", "/api/v1/voke-esm/trading/plant/config", "200",
         client.get("/api/v1/voke-esm/trading/plant/config?plantId=PLANT-002", headers=trading)),
        ("get", "/api/v1/organizations", "200", client.get("/api/v1/organizations",
                                                           headers=admin)),
        ("get", f"{admin_api}/status", "200",
         client.get(f"{admin_api}/status?orgId={acme.org_id}", headers=admin)),
        ("get", f"{admin_api}/plants", "200", client.get(f"{admin_api}/plants", headers=admin)),
        ("get", f"{admin_api}/plants/{{plant_id}}", "200",
         client.get(f"{admin_api}/plants/{plant_id}", headers=admin)),
        ("get", f"{admin_api}/journal", "200", client.get(f"{admin_api}/journal",
                                                          headers=admin)),
        ("get", f"{admin_api}/clock", "200",
         client.get(f"{admin_api}/clock?clientId={acme.client_id}", headers=admin)),
        ("patch", f"{admin_api}/plants/{{plant_id}}", "200",
         client.patch(f"{admin_api}/plants/{plant_id}", headers=admin, json={
             "timeConfigs": [{"from": "00:00", "to": "12:00", "pBatMax": 5, "pBatMin": -5,
                              "socMax": 80, "socMin": 10}], "applyDelaySeconds": 0})),
        ("get", f"{admin_api}/plants/{{plant_id}}/revisions", "200",
         client.get(f"{admin_api}/plants/{plant_id}/revisions", headers=admin)),
        ("get", f"{admin_api}/plants/{{plant_id}}/revisions/diff", "200",
         client.get(f"{admin_api}/plants/{plant_id}/revisions/diff?from=1&to=2",
                    headers=admin)),
        ("post", f"{admin_api}/plants/{{plant_id}}/revisions/{{version}}/restore", "200",
         client.post(f"{admin_api}/plants/{plant_id}/revisions/1/restore", headers=admin)),
    ]
    exported = client.get(f"{admin_api}/export?clientId={acme.client_id}", headers=admin)
    calls += [("get", f"{admin_api}/export", "200", exported),
              ("post", f"{admin_api}/import", "200",
               client.post(f"{admin_api}/import", json=exported.json, headers=admin)),
              ("post", f"{admin_api}/faults", "201",
               client.post(f"{admin_api}/faults", headers=admin, json={
                   "clientId": acme.client_id, "effect": {"type": "latency", "ms": 0}})),
              ("post", f"{admin_api}/faults/presets/{{name}}", "201",
               client.post(f"{admin_api}/faults/presets/flaky-partner", headers=admin,
                           json={"clientId": acme.client_id})),
              ("get", f"{admin_api}/faults", "200", client.get(f"{admin_api}/faults",
                                                               headers=admin)),
              ("post", f"{admin_api}/reset", "200",
               client.post(f"{admin_api}/reset?orgId={acme.org_id}", headers=admin))]
    for method, path, status, response in calls:
        assert response.status_code == int(status), (path, response.json)
        schema = response_schema(document, method, path, status)
        validator = Draft202012Validator({**schema, "components": document["components"]})
        assert [e.message for e in validator.iter_errors(response.json)] == [], path
