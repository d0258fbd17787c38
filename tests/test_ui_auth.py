"""Sign-in, sign-out and who may see /platform."""

from __future__ import annotations

import re

import pytest

from tests.ui_support import HX, PASSWORD, admin_client, make_user, sign_in, text


def same_page(html: str, email_prefix: str) -> str:
    """The page without what legitimately differs: the typed email and the CSRF token."""
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', "", html.replace(email_prefix, ""))


def test_root_goes_to_the_sandbox_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/platform/voke-esm"


def test_login_page_has_a_labelled_form(client):
    response = client.get("/login?next=/platform/organizations")
    assert response.status_code == 200
    html = text(response)
    assert '<label for="email">' in html and '<label for="password">' in html
    assert 'name="next" value="/platform/organizations"' in html


@pytest.mark.parametrize("path", ["/platform/voke-esm", "/platform/organizations",
                                  "/platform/voke-esm?org=abc"])
def test_anonymous_pages_redirect_to_login_with_next(client, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=")
    assert "%2Fplatform%2F" in response.headers["Location"]


def test_anonymous_htmx_request_redirects_through_hx_redirect(client):
    response = client.get("/platform/voke-esm/picker?q=a", headers={
        **HX, "HX-Current-URL": "http://localhost/platform/voke-esm?org=x"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=%2Fplatform%2Fvoke-esm%3Forg%3Dx"


def test_anonymous_htmx_from_another_site_gets_no_next(client):
    response = client.get("/platform/voke-esm", headers={
        **HX, "HX-Current-URL": "https://evil.example/platform/voke-esm"})
    assert response.headers["HX-Redirect"] == "/login"


def test_sign_in_sets_a_safe_session_cookie_and_follows_next(app, client):
    make_user(app)
    response = sign_in(client, "Admin@Example.com", next="/platform/organizations?page=2")
    assert response.status_code == 303
    assert response.headers["Location"] == "/platform/organizations?page=2"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/platform/voke-esm")
    assert page.status_code == 200
    assert "admin@example.com" in text(page) and "Signed in as admin@example.com." in text(page)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)", "platform"])
def test_next_must_stay_on_this_site(app, client, target):
    make_user(app)
    response = sign_in(client, "admin@example.com", next=target)
    assert response.headers["Location"] == "/platform/voke-esm"


def test_unknown_account_and_wrong_password_look_the_same(app, client):
    make_user(app)
    wrong = sign_in(client, "admin@example.com", "wrong password!")
    unknown = sign_in(client, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 422
    assert "Invalid email or password" in text(wrong)
    assert same_page(text(wrong), "admin@") == same_page(text(unknown), "nobody@")
    assert 'value="admin@example.com"' in text(wrong)


def test_sign_in_is_throttled_with_a_friendly_page(app, client):
    make_user(app)
    for _ in range(5):
        assert sign_in(client, "admin@example.com", "wrong password!").status_code == 422
    response = sign_in(client, "admin@example.com", PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in text(response)
    assert "<form" in text(response)


def test_sign_out_ends_the_session_on_the_server(app):
    client = admin_client(app)
    cookie = client.get_cookie("session")
    response = client.post("/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert "You are signed out." in text(client.get("/login"))
    replayed = app.test_client()
    replayed.set_cookie("session", cookie.value)
    assert replayed.get("/platform/voke-esm").status_code == 303


def test_signed_in_superadmin_skips_the_login_form(app):
    client = admin_client(app)
    response = client.get("/login?next=/platform/organizations")
    assert response.status_code == 302
    assert response.headers["Location"] == "/platform/organizations"


@pytest.mark.parametrize("path", ["/platform/voke-esm", "/platform/organizations"])
def test_non_superadmin_gets_a_clear_403_page(app, client, path):
    make_user(app, "viewer@example.com", superadmin=False)
    assert sign_in(client, "viewer@example.com").status_code == 303
    response = client.get(path)
    assert response.status_code == 403
    html = text(response)
    assert "viewer@example.com is not one" in html
    assert "Not allowed" in html and 'action="/logout"' in html
    assert '<nav class="site-nav"' not in html


def test_non_superadmin_post_is_refused_too(app, sandbox, client):
    org_id = sandbox.org()
    make_user(app, "viewer@example.com", superadmin=False)
    sign_in(client, "viewer@example.com")
    response = client.post(f"/platform/voke-esm/{org_id}/enable", headers=HX)
    assert response.status_code == 403
    assert "clientSecret" not in text(response)
