"""Enable (or rotate), disable and status of the sandbox for one organization."""

from __future__ import annotations

from ..models import Organization
from ..services import organizations, sandbox
from .guards import admin_blueprint
from .params import required_arg

bp = admin_blueprint("admin_sandbox", __name__, "/api/v1/voke-esm/admin")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _organization() -> Organization:
    return organizations.get_organization(required_arg("orgId"))


@bp.post("/enable")
def enable():
    """The only answer that ever carries the client secret."""
    return sandbox.enable(_organization()).as_json(), 201, NO_STORE


@bp.post("/disable")
def disable():
    organization = _organization()
    sandbox.disable(organization)
    return {"message": f"Voke ESM disabled for {organization.slug}"}


@bp.get("/status")
def status():
    return sandbox.status(_organization())
