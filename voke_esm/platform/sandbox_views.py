"""/platform/voke-esm: pick an organization; enable, rotate or disable; its plants."""

from __future__ import annotations

from flask import flash, request, url_for

from ..auth.guards import redirect_to
from ..http import NO_STORE
from ..models import Organization
from ..params import page_number, search_text
from ..services import clock, journal, organizations, plants, sandbox, simulation
from ..services.sandbox import Credentials
from . import bp
from .fault_views import faults_context
from .fragments import render, wants_fragment
from .journal_views import JOURNAL_ROWS

PAGE = "platform/voke_esm.html"
SEARCH_FROM = 6  # the picker offers a search box once there are more organizations than this
PICKER_ROWS = 50  # the picker shows at most this many; a search finds the others
PLANT_ROWS = 50  # plants a page in the plant table


def page_context(organization: Organization | None, plant_search: str = "",
                 credentials: Credentials | None = None, plant_page: int = 1,
                 org_search: str = "") -> dict:
    """Everything the page shows; its size does not grow with the database."""
    status = sandbox.status(organization) if organization else None
    client_id = status["clientId"] if status else None
    picker = organizations.list_organizations(1, PICKER_ROWS, org_search)
    listing = plant_page_of(client_id, plant_search, plant_page) if client_id else None
    return {
        "organizations": picker["items"], "org_total": picker["total"],
        "organization": organization, "status": status, "credentials": credentials,
        "plants": listing["items"] if listing else [], "plant_listing": listing,
        "socs": simulation.current_soc(listing["items"] if listing else []),
        "journal": journal.recent(client_id, JOURNAL_ROWS) if client_id else [],
        "clock": clock.clock_json(clock.get_client(client_id)) if client_id else None,
        "plant_search": plant_search, "search_from": SEARCH_FROM, "org_search": org_search,
        **(faults_context(organization, client_id) if client_id else {}),
    }


def plant_page_of(client_id: str, search: str, page: int) -> dict:
    """A page of the plant table; past the last page, the last one."""
    listing = plants.page_of_plants(client_id, search, page, PLANT_ROWS)
    if listing["total_pages"] and page > listing["total_pages"]:
        listing = plants.page_of_plants(client_id, search, listing["total_pages"], PLANT_ROWS)
    return listing


@bp.get("/voke-esm")
def sandbox_page():
    org_id = request.args.get("org")
    organization = organizations.get_organization(org_id) if org_id else None
    return render(PAGE, "panel", **page_context(
        organization, plant_page=page_number()))


@bp.get("/voke-esm/picker")
def organization_picker():
    """Active search in the organization picker."""
    return render(PAGE, "org_list", **page_context(None, org_search=search_text()))


@bp.get("/voke-esm/<org_id>/plants")
def plant_rows(org_id: str):
    """Active search in the organization's plant table, and its pages."""
    organization = organizations.get_organization(org_id)
    context = page_context(organization, search_text(),
                           plant_page=page_number())
    return render(PAGE, "plant_rows", **context)


@bp.post("/voke-esm/<org_id>/enable")
def enable(org_id: str):
    """Enable, or rotate when enabled; the answer carries the secret once and is never stored."""
    organization = organizations.get_organization(org_id)
    rotating = sandbox.status(organization)["enabled"]
    issued = sandbox.enable(organization)
    flash(f"New credentials issued for {organization.name}; the previous secret no longer works."
          if rotating else f"Voke ESM enabled for {organization.name}.", "success")
    return render(PAGE, "panel", headers=NO_STORE,
                  **page_context(organization, credentials=issued))


@bp.post("/voke-esm/<org_id>/disable")
def disable(org_id: str):
    organization = organizations.get_organization(org_id)
    sandbox.disable(organization)
    flash(f"Voke ESM disabled for {organization.name}: its credentials and tokens no longer "
          "work. The plants are kept.", "success")
    if wants_fragment():
        return render(PAGE, "panel", **page_context(organization))
    return redirect_to(url_for(".sandbox_page", org=organization.id))
