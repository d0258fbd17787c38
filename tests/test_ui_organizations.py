"""/platform/organizations: the paginated list and the create form."""

from __future__ import annotations

import re

import pytest

from tests.ui_support import HX, admin_client, text
from voke_esm.services import organizations

PAGE = "/platform/organizations"


@pytest.fixture
def admin(app):
    return admin_client(app)


def test_empty_list_invites_to_create(admin):
    response = admin.get(PAGE)
    assert response.status_code == 200 and "HX-Request" in response.vary
    html = text(response)
    assert "No organizations yet" in html
    for name in ("name", "slug", "description"):
        assert f'<label for="org-{name}"' in html


def test_list_is_paginated_and_pages_swap_in(admin, sandbox):
    for index in range(23):
        sandbox.org(f"org-{index:02d}")
    first = text(admin.get(PAGE))
    assert "Page 1 of 2 · 23 organizations" in first and "Org-19" in first
    assert "Org-20" not in first
    assert 'hx-get="/platform/organizations?page=2"' in first and 'hx-push-url="true"' in first
    response = admin.get(f"{PAGE}?page=2", headers=HX)
    assert response.status_code == 200
    second = text(response)
    assert "<html" not in second and second.lstrip().startswith('<div id="org-table">')
    assert "Org-22" in second and "Org-00" not in second and "Page 2 of 2" in second
    assert "Page 2 of 2" in text(admin.get(f"{PAGE}?page=99"))
    assert admin.get(f"{PAGE}?page=abc").status_code == 400  # a clear 4xx, not page 1


def test_list_shows_each_organizations_sandbox_status(admin, sandbox):
    sandbox.org("plain")
    sandbox.enabled("live")
    html = text(admin.get(PAGE))
    assert "Not configured" in html and "Enabled" in html


def test_create_redirects_303_to_the_new_organization(app, admin):
    response = admin.post(PAGE, data={"name": "Acme Energy", "slug": "acme-energy",
                                      "description": "  "})
    assert response.status_code == 303
    with app.app_context():
        org = organizations.get_organization_by_slug("acme-energy")
        assert org.description is None
    assert response.headers["Location"] == f"/platform/voke-esm?org={org.id}"
    page = text(admin.get(response.headers["Location"]))
    assert "Organization Acme Energy created." in page and "Not configured" in page


def test_create_over_htmx_navigates_with_hx_redirect(admin):
    response = admin.post(PAGE, data={"name": "Acme", "slug": "acme"}, headers=HX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/platform/voke-esm?org=")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "A", "slug": "acme"}, "name", "must be 2 to 100 characters"),
    ({"name": "Acme", "slug": "Acme Energy"}, "slug", "must be lowercase letters and digits"),
    ({"name": "Acme", "slug": ""}, "slug", "must be 2 to 50 characters"),
    ({"name": "Acme", "slug": "acme", "description": "x" * 501}, "description",
     "must be 0 to 500 characters"),
])
def test_invalid_organization_is_422_with_the_error_on_the_field(admin, data, field, message):
    response = admin.post(PAGE, data=data, headers=HX)
    assert response.status_code == 422
    html = text(response)
    assert "<html" not in html and html.lstrip().startswith('<form id="create-org"')
    errors = re.search(rf'id="org-{field}-error">(.*?)</ul>', html).group(1)
    assert message in errors
    assert f'value="{data["name"]}"' in html


def test_duplicate_slug_is_an_error_on_the_slug(admin, sandbox):
    sandbox.org("acme")
    response = admin.post(PAGE, data={"name": "Other Acme", "slug": "acme"})
    assert response.status_code == 422
    html = text(response)
    assert "<html" in html
    assert re.search(r'id="org-slug-error"><li>An organization with slug &#39;acme&#39; already '
                     r"exists", html)
