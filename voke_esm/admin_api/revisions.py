"""A plant's config history: revisions, the diff between two versions, restoring one."""

from __future__ import annotations

from ..params import MAX_PAGE, page_and_limit, required_whole_numbers
from ..representations import plant_json, revision_json
from ..services import plants, revisions
from .guards import admin_blueprint

bp = admin_blueprint("admin_revisions", __name__, "/api/v1/voke-esm/admin/plants")


@bp.get("/<plant_id>/revisions")
def index(plant_id: str):
    plant = plants.get_plant(plant_id)
    page, limit = page_and_limit()
    result = revisions.list_revisions(plant, page, limit)
    return {"data": [revision_json(revision) for revision in result["items"]],
            "meta": {"page": result["page"], "limit": result["limit"],
                     "total": result["total"], "totalPages": result["total_pages"]}}


@bp.get("/<plant_id>/revisions/diff")
def diff(plant_id: str):
    plant = plants.get_plant(plant_id)
    old, new = required_whole_numbers("from", "to")
    return revisions.diff_versions(plant, old, new)


@bp.post("/<plant_id>/revisions/<int(max=" + str(MAX_PAGE) + "):version>/restore")
def restore(plant_id: str, version: int):
    plant = plants.get_plant(plant_id)
    return plant_json(revisions.restore_version(plant, version, source="admin"))
