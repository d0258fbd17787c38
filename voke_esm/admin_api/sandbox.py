"""Enable (or rotate), disable and status of the sandbox for one organization."""

from __future__ import annotations

from ..http import NO_STORE, query_arg
from ..models import Organization
from ..params import page_and_limit
from ..representations import journal_entry_json
from ..services import journal, organizations, sandbox
from ..services.reset import reset_sandbox
from .guards import admin_blueprint

bp = admin_blueprint("admin_sandbox", __name__, "/api/v1/voke-esm/admin")


def _organization() -> Organization:
    return organizations.get_organization(query_arg("orgId", required=True))


@bp.post("/enable")
def enable():
    """The only answer that ever carries the client secret."""
    return sandbox.enable(_organization()).as_json(), 201, NO_STORE


@bp.post("/disable")
def disable():
    organization = _organization()
    sandbox.disable(organization)
    return {"message": f"Voke ESM disabled for {organization.slug}"}


@bp.post("/reset")
def reset():
    """Plants, revisions, journal, fault rules and clock back to what enable creates."""
    organization = _organization()
    removed = reset_sandbox(organization)
    return {"message": f"Voke ESM sandbox reset for {organization.slug}", "removed": removed}


@bp.get("/status")
def status():
    return sandbox.status(_organization())


@bp.get("/journal")
def request_journal():
    """The newest trading calls as received (secrets redacted), optionally of one client."""
    _, limit = page_and_limit(default_limit=50, max_limit=500)
    entries = journal.recent(query_arg("clientId"), limit)
    return [journal_entry_json(entry) for entry in entries]
