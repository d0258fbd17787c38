"""/platform/organizations: the paginated list and the create form."""

from __future__ import annotations

from flask import flash, request, url_for

from ..auth.guards import redirect_to
from ..errors import Conflict, ValidationError
from ..params import page_number
from ..services import organizations
from . import bp
from .forms import OrganizationForm
from .fragments import render

PAGE = "platform/organizations.html"
PER_PAGE = 20


def page_context(page: int, form: OrganizationForm) -> dict:
    listing = organizations.list_organizations(page, PER_PAGE)
    if listing["total_pages"] and page > listing["total_pages"]:
        listing = organizations.list_organizations(listing["total_pages"], PER_PAGE)
    return {"listing": listing, "form": form}


@bp.get("/organizations")
def organizations_page():
    return render(PAGE, "org_table",
                  **page_context(page_number(), OrganizationForm()))


@bp.post("/organizations")
def create_organization():
    form = OrganizationForm.submitted(request.form)
    try:
        organization = organizations.create_organization(form.body())
    except (ValidationError, Conflict) as error:
        form.add_error(error)
        return render(PAGE, "create_form", 422, **page_context(1, form))
    flash(f"Organization {organization.name} created. Enable Voke ESM for it here.", "success")
    return redirect_to(url_for(".sandbox_page", org=organization.id))
