"""Seed files over the admin API: export one organization, import a document."""

from __future__ import annotations

from flask import request

from ..errors import NotFound, ValidationError
from ..http import json_body, query_arg
from ..services import organizations, seeds
from .guards import admin_blueprint

bp = admin_blueprint("admin_seeds", __name__, "/api/v1/voke-esm/admin")


@bp.get("/export")
def export():
    client_id = query_arg("clientId", required=True)
    organization = organizations.organization_of_client(client_id)
    if organization is None:
        raise NotFound(f"No organization has clientId {client_id!r}")
    filename = f"{organization.slug}.json"
    return (seeds.export_organization(organization), 200,
            {"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/import")
def import_():
    replace = request.args.get("replace", "false")
    if replace not in ("true", "false"):
        raise ValidationError(["replace: must be true or false"])
    return seeds.import_seed(json_body(), replace=replace == "true", source="import").as_json()
