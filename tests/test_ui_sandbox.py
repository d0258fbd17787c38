"""/platform/voke-esm: the picker, the panel, enable / rotate / disable, the plant table."""

from __future__ import annotations

import re

import pytest

from tests.factories import TOKEN_URL
from tests.ui_support import HX, admin_client, text

PAGE = "/platform/voke-esm"


@pytest.fixture
def admin(app):
    return admin_client(app)


def enable(admin, org_id: str):
    return admin.post(f"{PAGE}/{org_id}/enable", headers=HX)


def secret_of(response) -> str:
    return re.search(r'id="cred-client-secret"[^>]*value="([^"]+)"', text(response)).group(1)


def test_page_lists_every_organization(admin, sandbox):
    sandbox.org("acme", "Acme Energy")
    sandbox.enabled("beta")
    response = admin.get(PAGE)
    assert response.status_code == 200
    assert "HX-Request" in response.vary
    html = text(response)
    assert "<html" in html and "Acme Energy" in html and "Beta" in html
    assert "Choose an organization" in html
    assert 'hx-push-url="true"' in html
    assert 'id="org-search"' not in html  # two organizations need no search box


def test_picker_offers_active_search_when_there_are_many(admin, sandbox):
    for index in range(8):
        sandbox.org(f"org-{index}")
    html = text(admin.get(PAGE))
    assert 'id="org-search"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    response = admin.get(f"{PAGE}/picker?q=org-3", headers=HX)
    assert response.status_code == 200
    assert "<html" not in text(response) and 'id="org-list"' in text(response)
    assert "Org-3" in text(response) and "Org-4" not in text(response)
    assert "No organization matches" in text(admin.get(f"{PAGE}/picker?q=zzz", headers=HX))


def test_search_boxes_stop_at_the_length_the_server_takes(admin, sandbox):
    """htmx does not show an active search's 400: the box must not let anyone type one."""
    from voke_esm.params import MAX_SEARCH

    for index in range(8):
        sandbox.org(f"org-{index}")
    acme = sandbox.enabled("acme")
    html = text(admin.get(f"{PAGE}?org={acme.org_id}"))
    boxes = re.findall(r'<input id="(org-search|plant-search|journal-plant)"[^>]*>', html)
    limits = re.findall(r'<input id="(?:org-search|plant-search|journal-plant)"[^>]*'
                        r'maxlength="(\d+)"', html)
    assert len(boxes) == 3 and limits == [str(MAX_SEARCH)] * 3
    assert admin.get(f"{PAGE}/picker?q={'x' * MAX_SEARCH}", headers=HX).status_code == 200
    assert admin.get(f"{PAGE}/picker?q={'x' * (MAX_SEARCH + 1)}",
                     headers=HX).status_code == 400


def test_choosing_an_organization_swaps_in_its_panel(admin, sandbox):
    acme = sandbox.enabled("acme")
    response = admin.get(f"{PAGE}?org={acme.org_id}", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.vary
    html = text(response)
    assert "<html" not in html and html.lstrip().startswith('<section id="org-panel"')
    assert acme.client_id in html and acme.esm_api_url in html
    assert "Rotate credentials" in html and "Disable" in html and "PLANT-001" in html
    assert 'id="plant-count">1<' in html


@pytest.mark.parametrize("headers", [{}, {**HX, "HX-History-Restore-Request": "true"},
                                     {**HX, "HX-Boosted": "true"}])
def test_full_page_for_plain_history_restore_and_boosted_requests(admin, sandbox, headers):
    acme = sandbox.enabled("acme")
    response = admin.get(f"{PAGE}?org={acme.org_id}", headers=headers)
    assert "<html" in text(response) and 'aria-current="true"' in text(response)


def test_unknown_and_malformed_organization(admin):
    assert admin.get(f"{PAGE}?org=00000000-0000-0000-0000-000000000000").status_code == 404
    response = admin.get(f"{PAGE}?org=nope")
    assert response.status_code == 400
    assert "orgId must be a UUID" in text(response) and "<html" in text(response)


def test_not_configured_organization_offers_enable_with_a_confirmation(admin, sandbox):
    org_id = sandbox.org("acme", "Acme")
    html = text(admin.get(f"{PAGE}?org={org_id}", headers=HX))
    assert "Not configured" in html and "Rotate credentials" not in html
    assert re.search(r'hx-confirm="Enable Voke ESM for Acme\? New ESM client credentials are '
                     r'issued and shown once, and the default plant PLANT-001 is created\."', html)


def test_enable_shows_the_credentials_once_in_a_dialog(admin, sandbox, client):
    org_id = sandbox.org("acme", "Acme")
    response = enable(admin, org_id)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text(response)
    assert "<html" not in html
    dialog = re.search(r"<dialog.*?</dialog>", html, re.S).group(0)
    assert 'hx-history="false"' in dialog and "shown only now" in dialog
    assert dialog.count("data-copy=") == 3
    secret = secret_of(response)
    assert secret.startswith("vesm_") and html.count(secret) == 1
    client_id = re.search(r'id="cred-client-id"[^>]*value="([^"]+)"', dialog).group(1)
    token = client.post(TOKEN_URL, json={"clientId": client_id, "clientSecret": secret})
    assert token.status_code == 200
    assert "Voke ESM enabled for Acme." in html and 'hx-swap-oob="true"' in html
    assert "Enabled" in html and 'id="plant-count">1<' in html


def test_the_secret_appears_on_no_other_page(admin, sandbox):
    org_id = sandbox.org("acme")
    secret = secret_of(enable(admin, org_id))
    plant_id = re.search(r"/platform/plants/([0-9a-f-]{36})",
                         text(admin.get(f"{PAGE}?org={org_id}"))).group(1)
    pages = [PAGE, f"{PAGE}?org={org_id}", "/platform/organizations",
             f"/platform/plants/{plant_id}", f"{PAGE}/{org_id}/plants",
             f"{PAGE}/{org_id}/plants/new"]
    for path in pages:
        for headers in ({}, HX):
            response = admin.get(path, headers=headers)
            assert response.status_code == 200, path
            assert secret not in text(response), path
            assert "cred-client-secret" not in text(response), path


def test_rotate_issues_a_new_secret_and_revokes_the_old_one(admin, sandbox, client):
    acme = sandbox.enabled("acme")
    html = text(admin.get(f"{PAGE}?org={acme.org_id}", headers=HX))
    assert re.search(r'hx-confirm="Rotate the credentials of Acme\? A new client secret', html)
    response = enable(admin, acme.org_id)
    assert response.headers["Cache-Control"] == "no-store"
    assert secret_of(response) != acme.client_secret
    assert "New credentials issued for Acme" in text(response)
    old = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                       "clientSecret": acme.client_secret})
    assert old.status_code == 401


def test_disable_from_the_panel_revokes_the_client(admin, sandbox, client):
    acme = sandbox.enabled("acme")
    response = admin.post(f"{PAGE}/{acme.org_id}/disable", headers=HX)
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html and "Disabled" in html and ">Enable</button>" in html
    assert "Voke ESM disabled for Acme" in html
    assert acme.client_id in html and "PLANT-001" in html  # plants are kept
    refused = client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                           "clientSecret": acme.client_secret})
    assert refused.status_code == 401


def test_disable_without_htmx_redirects_with_303(admin, sandbox):
    acme = sandbox.enabled("acme")
    response = admin.post(f"{PAGE}/{acme.org_id}/disable")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}?org={acme.org_id}"
    assert "Voke ESM disabled for Acme" in text(admin.get(response.headers["Location"]))


def test_disable_of_a_never_enabled_organization_is_a_clear_error(admin, sandbox):
    org_id = sandbox.org("acme")
    response = admin.post(f"{PAGE}/{org_id}/disable", headers=HX)
    assert response.status_code == 409
    assert "never enabled" in text(response)


def test_plant_table_and_its_active_search(admin, sandbox):
    acme = sandbox.enabled("acme")
    sandbox.plant(acme.client_id, "SITE-B", name="Berlin roof", fvePeakPowerKwp=12.5,
                  capacityKwh=30)
    html = text(admin.get(f"{PAGE}?org={acme.org_id}"))
    for header in ("externalPlantId", "Name", "PV kWp", "Capacity kWh", "Config", "esiState",
                   "Version", "Updated (UTC)"):
        assert f">{header}</th>" in html
    assert ">12.5<" in html and ">30<" in html
    response = admin.get(f"{PAGE}/{acme.org_id}/plants?q=berlin", headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.vary
    rows = text(response)
    assert "<html" not in rows and rows.lstrip().startswith("<tr")
    assert "SITE-B" in rows and "PLANT-001" not in rows
    assert "No plant matches" in text(admin.get(f"{PAGE}/{acme.org_id}/plants?q=zz",
                                                headers=HX))


def test_delete_a_plant_from_the_table(admin, sandbox):
    acme = sandbox.enabled("acme")
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    html = text(admin.get(f"{PAGE}?org={acme.org_id}"))
    assert f'hx-delete="/platform/plants/{plant_id}"' in html
    assert 'hx-confirm="Delete plant SITE-B (SITE-B)?' in html
    response = admin.delete(f"/platform/plants/{plant_id}", headers=HX)
    assert response.status_code == 200
    rows = text(response)
    assert "<html" not in rows and "SITE-B" not in rows.split("<template>")[0]
    assert "PLANT-001" in rows and "Plant SITE-B deleted." in rows
    assert '<dd id="plant-count" hx-swap-oob="true">1</dd>' in rows
    assert admin.get(f"/platform/plants/{plant_id}").status_code == 404


def test_delete_without_htmx_redirects(admin, sandbox):
    acme = sandbox.enabled("acme")
    plant_id = sandbox.plant(acme.client_id, "SITE-B")
    response = admin.delete(f"/platform/plants/{plant_id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}?org={acme.org_id}"


def test_the_panel_shows_recent_calls_from_voke(admin, sandbox):
    acme = sandbox.enabled("acme")
    beta = sandbox.enabled("beta")
    assert "No calls yet" in text(admin.get(f"{PAGE}?org={acme.org_id}"))
    sandbox.client.post(TOKEN_URL, json={"clientId": acme.client_id,
                                         "clientSecret": "vesm_not-the-secret"})
    sandbox.token(beta)

    response = admin.get(f"{PAGE}/{acme.org_id}/journal", headers=HX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html
    assert "POST /token" in html and "UNAUTHORIZED" in html and ">401<" in html
    assert "vesm_not-the-secret" not in html
    assert beta.client_id not in html  # only this organization's calls
    entry = re.search(r'data-journal-entry="(\d+)"', html)[1]
    detail = text(admin.get(f"{PAGE}/{acme.org_id}/journal/{entry}", headers=HX))
    assert "[redacted]" in detail and "vesm_not-the-secret" not in detail
    assert "Recent calls from Voke" in text(admin.get(f"{PAGE}?org={acme.org_id}"))


def test_the_picker_shows_at_most_50_organizations_and_searches_the_rest(admin, sandbox):
    for index in range(55):
        sandbox.org(f"org-{index:02d}")
    html = text(admin.get(PAGE))
    assert html.count("data-org-link") == 50
    assert "Showing 50 of 55: search to find the others." in html
    found = text(admin.get(f"{PAGE}/picker?q=org-54", headers=HX))
    assert found.count("data-org-link") == 1 and "Showing" not in found


def test_the_plant_table_shows_50_plants_a_page(admin, sandbox):
    acme = sandbox.enabled("acme")
    for index in range(2, 61):
        sandbox.plant(acme.client_id, f"SITE-{index:03d}")
    html = text(admin.get(f"{PAGE}?org={acme.org_id}"))
    assert html.count("aria-label=\"Delete plant") == 50
    assert "Plants 1–50 of 60" in html and "SITE-050" in html and "SITE-051" not in html
    rows = text(admin.get(f"{PAGE}/{acme.org_id}/plants?page=2", headers=HX))
    assert "<html" not in rows and rows.count("aria-label=\"Delete plant") == 10
    assert "Plants 51–60 of 60" in rows and "SITE-051" in rows and 'rel="prev"' in rows
    searched = text(admin.get(f"{PAGE}/{acme.org_id}/plants?q=site-06&page=9", headers=HX))
    assert searched.count("aria-label=\"Delete plant") == 1 and "Plants " not in searched
