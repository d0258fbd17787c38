"""Organizations: paginated list, create, get."""

from __future__ import annotations

from flask import url_for

from ..http import json_body
from ..params import page_and_limit, paged_json
from ..representations import organization_json
from ..services import organizations
from .guards import admin_blueprint

bp = admin_blueprint("admin_organizations", __name__, "/api/v1/organizations")


@bp.get("")
def index():
    page, limit = page_and_limit()
    return paged_json(organizations.list_organizations(page, limit), organization_json)


@bp.post("")
def create():
    organization = organizations.create_organization(json_body())
    return (organization_json(organization), 201,
            {"Location": url_for(".show", org_id=organization.id)})


@bp.get("/<org_id>")
def show(org_id: str):
    return organization_json(organizations.get_organization(org_id))
