"""The plant editor's config history: compare two versions, restore one."""

from __future__ import annotations

from flask import flash, request, url_for

from ..auth.guards import redirect_to
from ..errors import DomainError
from ..services import plants, revisions
from . import bp
from .forms import PlantForm
from .fragments import render
from .plant_views import EDITOR, editor_context, organization_of

WHOLE = range(1, 2**31)


@bp.get("/plants/<plant_id>/diff")
def config_diff(plant_id: str):
    """Block by block, what changed between two versions (the editor's compare form)."""
    plant = plants.get_plant(plant_id)
    diff, problem = None, None
    try:
        old, new = (_version(request.args.get(name)) for name in ("from", "to"))
        diff = revisions.diff_versions(plant, old, new)
    except (ValueError, DomainError) as error:
        problem = error.message if isinstance(error, DomainError) else \
            "Choose two versions of this plant to compare."
    context = editor_context(organization_of(plant), plant, PlantForm.of(plant))
    return render(EDITOR, "config_diff", 422 if problem else 200,
                  **context, diff=diff, diff_problem=problem)


@bp.post("/plants/<plant_id>/revisions/<int:version>/restore")
def restore_revision(plant_id: str, version: int):
    """Make an earlier version current again, as a new version (source `ui`)."""
    plant = plants.get_plant(plant_id)
    before = plant.config_version
    revisions.restore_version(plant, version, source="ui")
    if plant.config_version == before:
        flash(f"Version {version} is already the current config; nothing changed.", "info")
    else:
        flash(f"Version {version} restored as config version {plant.config_version}.",
              "success")
    return redirect_to(url_for(".edit_plant", plant_id=plant.id))


def _version(raw: str | None) -> int:
    if raw is None or not raw.isascii() or not raw.isdigit() or int(raw) not in WHOLE:
        raise ValueError(raw)
    return int(raw)
