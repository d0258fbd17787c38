"""The sandbox page's seed file buttons (download, upload) and its reset."""

from __future__ import annotations

import json

from flask import Response, current_app, flash, request, url_for

from ..auth.guards import redirect_to
from ..errors import ValidationError
from ..services import organizations, seeds
from ..services.reset import reset_sandbox
from . import bp
from .fragments import render, wants_fragment
from .sandbox_views import PAGE, page_context

SHOWN_PROBLEMS = 8


@bp.get("/voke-esm/<org_id>/export")
def export_seed(org_id: str):
    """The organization's seed file, as a download."""
    organization = organizations.get_organization(org_id)
    text = current_app.json.dumps(seeds.export_organization(organization), indent=2) + "\n"
    return Response(text, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{organization.slug}.json"'})


@bp.post("/voke-esm/<org_id>/import")
def import_seed(org_id: str):
    """Upsert an uploaded seed file, then show the organization it names."""
    here = organizations.get_organization(org_id)
    upload = request.files.get("seed")
    try:
        if upload is None or not upload.filename:
            raise ValidationError(["seed: choose a seed file (.json) to upload"])
        try:
            document = json.loads(upload.read())
        except ValueError:
            raise ValidationError([f"{upload.filename}: is not a JSON document"]) from None
        report = seeds.import_seed(document, replace=request.form.get("replace") == "on")
    except ValidationError as error:
        shown = error.details[:SHOWN_PROBLEMS]
        more = len(error.details) - len(shown)
        flash(f"{error.message}: " + "; ".join(shown)
              + (f"; and {more} more" if more > 0 else ""), "error")
        return redirect_to(url_for(".sandbox_page", org=here.id))
    counts = ", ".join(f"{count} {kind}" for kind, count in report.plants.items())
    flash(f"Seed imported into {report.slug}: organization {report.organization}; plants: "
          f"{counts}; fault rules {report.fault_rules}." if report.changed else
          f"Nothing changed: {report.slug} and its {report.plants['unchanged']} plants are "
          f"already as in the file.", "success")
    imported = organizations.get_organization_by_slug(report.slug)
    return redirect_to(url_for(".sandbox_page", org=imported.id))


@bp.post("/voke-esm/<org_id>/reset")
def reset(org_id: str):
    """Plants, revisions, journal, fault rules and clock back to what enable creates."""
    organization = organizations.get_organization(org_id)
    removed = reset_sandbox(organization)
    flash(f"{organization.name} reset: {removed['plants']} plants, {removed['revisions']} "
          f"revisions, {removed['journalEntries']} journal entries and {removed['faultRules']} "
          f"fault rules removed; the clock is back to real time and PLANT-001 is the default "
          f"plant again. The credentials still work.", "success")
    if wants_fragment():
        return render(PAGE, "panel", **page_context(organization))
    return redirect_to(url_for(".sandbox_page", org=organization.id))
