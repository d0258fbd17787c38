"""The sandbox page's live journal: filtered rows, polled, and the detail of one call."""

from __future__ import annotations

from flask import Response, request

from ..errors import NotFound
from ..params import choice, optional_whole_number, search_text
from ..services import journal, organizations
from ..services.journal import Filters
from . import bp
from .fragments import render_partial

JOURNAL_ROWS = 15


@bp.get("/voke-esm/<org_id>/journal")
def journal_rows(org_id: str):
    """The newest calls Voke made with this organization's credentials, filtered; for the
    poll, 204 when the newest one is still the one the page shows."""
    organization = organizations.get_organization(org_id)
    filters = Filters(search_text("plant") or None, choice("endpoint", journal.ENDPOINTS),
                      choice("status", journal.STATUS_CLASSES), request.args.get("faults") == "1")
    known = optional_whole_number("known")
    client = organization.esm_client
    entries = journal.recent(client.client_id, JOURNAL_ROWS, filters) if client else []
    if known is not None and known == journal.newest_id(entries):
        return Response(status=204)
    return render_partial("platform/_journal.html", organization=organization,
                          journal=entries, journal_filtered=filters != Filters())


@bp.get("/voke-esm/<org_id>/journal/<int:entry_id>")
def journal_entry(org_id: str, entry_id: int):
    """One call as received: what was sent, what it got, how long it took, which fault fired."""
    organization = organizations.get_organization(org_id)
    if organization.esm_client is None:
        raise NotFound("No such call in this organization's journal")
    entry = journal.get_entry(organization.esm_client.client_id, entry_id)
    return render_partial("platform/_journal_detail.html", entry=entry)
