"""GET/POST /api/v1/organizations and GET /api/v1/organizations/<id>."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.admin_support import MISSING_UUID, ORGS_URL, Admin, assert_error

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def admin(app, client):
    return Admin(app, client)


def test_create_returns_the_organization_and_its_location(admin):
    response = admin.post(ORGS_URL, json={"name": "Acme Energy", "slug": "acme",
                                          "description": "Test partner"})
    assert response.status_code == 201
    body = response.json
    assert list(body) == ["id", "name", "slug", "description", "createdAt", "updatedAt"]
    assert uuid.UUID(body["id"])
    assert (body["name"], body["slug"], body["description"]) == (
        "Acme Energy", "acme", "Test partner")
    assert ISO_UTC.fullmatch(body["createdAt"]) and ISO_UTC.fullmatch(body["updatedAt"])
    assert response.headers["Location"] == f"{ORGS_URL}/{body['id']}"
    assert admin.get(response.headers["Location"]).json == body


def test_description_is_optional(admin):
    assert admin.create_org("acme")["description"] is None


def test_duplicate_slug_is_409(admin):
    admin.create_org("acme")
    response = admin.post(ORGS_URL, json={"name": "Acme Two", "slug": "acme"})
    assert_error(response, 409, "CONFLICT")


@pytest.mark.parametrize("body, detail", [
    ({"slug": "acme"}, "name: is required"),
    ({"name": "Acme"}, "slug: is required"),
    ({"name": "A", "slug": "acme"}, "name: must be 2 to 100 characters"),
    ({"name": "A" * 101, "slug": "acme"}, "name: must be 2 to 100 characters"),
    ({"name": "Acme", "slug": "a"}, "slug: must be 2 to 50 characters"),
    ({"name": "Acme", "slug": "a" * 51}, "slug: must be 2 to 50 characters"),
    ({"name": "Acme", "slug": "Acme"}, "slug: must be lowercase letters and digits in words "
                                       "joined by single hyphens"),
    ({"name": "Acme", "slug": "ac--me"}, "slug: must be lowercase letters and digits in "
                                         "words joined by single hyphens"),
    ({"name": "Acme", "slug": "-acme"}, "slug: must be lowercase letters and digits in words "
                                        "joined by single hyphens"),
    ({"name": "Acme", "slug": "acme", "description": "d" * 501},
     "description: must be 0 to 500 characters"),
    ({"name": "Ac\x00me", "slug": "acme"}, "name: must not contain NUL characters"),
    ({"name": 42, "slug": "acme"}, "name: must be a string"),
    ({"name": "Acme", "slug": "acme", "owner": "x"}, "owner: unknown field"),
])
def test_create_validation(admin, body, detail):
    assert_error(admin.post(ORGS_URL, json=body), 400, "VALIDATION_ERROR", detail)
    assert admin.get(ORGS_URL).json["meta"]["total"] == 0


def test_every_problem_is_reported_at_once(admin):
    body = assert_error(admin.post(ORGS_URL, json={"name": "", "slug": "-"}), 400,
                        "VALIDATION_ERROR")
    assert len(body["details"]) == 2


def test_create_needs_a_json_object(admin):
    assert_error(admin.post(ORGS_URL, data="name=Acme", content_type="text/plain"), 415,
                 "UNSUPPORTED_MEDIA_TYPE")
    assert_error(admin.post(ORGS_URL, data="{oops", content_type="application/json"), 400,
                 "BAD_REQUEST")
    assert_error(admin.post(ORGS_URL, json=["acme"]), 400, "BAD_REQUEST")


def test_list_is_paginated_by_name(admin):
    for slug in ("delta", "alpha", "charlie", "bravo", "echo"):
        admin.create_org(slug)
    response = admin.get(ORGS_URL, query_string={"page": 2, "limit": 2})
    assert response.status_code == 200
    body = response.json
    assert [o["slug"] for o in body["data"]] == ["charlie", "delta"]
    assert body["meta"] == {"page": 2, "limit": 2, "total": 5, "totalPages": 3}
    assert list(body["data"][0]) == ["id", "name", "slug", "description", "createdAt",
                                     "updatedAt"]


def test_list_defaults_and_bounds(admin):
    for n in range(3):
        admin.create_org(f"org-{n}")
    assert admin.get(ORGS_URL).json["meta"] == {"page": 1, "limit": 20, "total": 3,
                                               "totalPages": 1}
    assert admin.get(ORGS_URL, query_string={"limit": 100}).json["meta"]["limit"] == 100
    beyond = admin.get(ORGS_URL, query_string={"page": 9}).json
    assert beyond["data"] == [] and beyond["meta"]["total"] == 3


def test_empty_list(admin):
    assert admin.get(ORGS_URL).json == {
        "data": [], "meta": {"page": 1, "limit": 20, "total": 0, "totalPages": 0}}


@pytest.mark.parametrize("query, detail", [
    ({"page": "0"}, "page: must be a whole number from 1 to 2147483647"),
    ({"page": "-1"}, "page: must be a whole number from 1 to 2147483647"),
    ({"page": "abc"}, "page: must be a whole number from 1 to 2147483647"),
    ({"page": "1.5"}, "page: must be a whole number from 1 to 2147483647"),
    ({"page": ""}, "page: must be a whole number from 1 to 2147483647"),
    ({"page": "99999999999999999999"}, "page: must be a whole number from 1 to 2147483647"),
    ({"limit": "0"}, "limit: must be a whole number from 1 to 100"),
    ({"limit": "101"}, "limit: must be a whole number from 1 to 100"),
    ({"limit": "ten"}, "limit: must be a whole number from 1 to 100"),
    ({"limit": " 5"}, "limit: must be a whole number from 1 to 100"),
])
def test_list_validation(admin, query, detail):
    assert_error(admin.get(ORGS_URL, query_string=query), 400, "VALIDATION_ERROR", detail)


def test_list_reports_page_and_limit_together(admin):
    body = assert_error(admin.get(ORGS_URL, query_string={"page": "x", "limit": "y"}), 400,
                        "VALIDATION_ERROR")
    assert [line.split(":")[0] for line in body["details"]] == ["page", "limit"]


def test_highest_page_is_served(admin):
    admin.create_org("acme")
    response = admin.get(ORGS_URL, query_string={"page": 2147483647, "limit": 100})
    assert response.status_code == 200
    assert response.json["data"] == []


def test_get_one(admin):
    created = admin.create_org("acme")
    response = admin.get(f"{ORGS_URL}/{created['id']}")
    assert response.status_code == 200
    assert response.json == created


@pytest.mark.parametrize("bad_id", ["nope", "1234", "00000000-0000-4000-8000-00000000000g"])
def test_get_malformed_id_is_400(admin, bad_id):
    assert_error(admin.get(f"{ORGS_URL}/{bad_id}"), 400, "INVALID_UUID")


def test_get_unknown_is_404(admin):
    admin.create_org("acme")
    assert_error(admin.get(f"{ORGS_URL}/{MISSING_UUID}"), 404, "NOT_FOUND")


def test_unknown_method_is_405_envelope(admin):
    created = admin.create_org("acme")
    assert_error(admin.delete(f"{ORGS_URL}/{created['id']}"), 405, "METHOD_NOT_ALLOWED")
