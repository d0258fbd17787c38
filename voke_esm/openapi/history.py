"""Config history (revisions, diff, restore) and seed files (export, import) as operations."""

from __future__ import annotations

from .paths import (
    ADMIN,
    ADMIN_ERRORS,
    BODY_ERRORS,
    HEADER_TEXT,
    PAGE,
    SUPER_ADMIN,
    answer,
    json_content,
    limit,
    operation,
    path_id,
    query,
    refs,
    required,
)
from .schemas import (
    DATE_TIME,
    NULLABLE_STRING,
    ORGANIZATION_CREATE,
    PLANT_FIELDS,
    PRODUCT_PAGE_BLOCKS,
    STRING,
    obj,
    page_of,
    ref,
)

NULLABLE_INDEX = {"type": ["integer", "null"], "minimum": 0}
NULLABLE_BLOCK = {"oneOf": [ref("TimeConfigBlock"), {"type": "null"}]}
VERSION = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

REVISION = obj({
    "version": {"type": "integer"},
    "status": {"type": "string", "enum": ["applied", "pending", "failed", "superseded"]},
    "source": STRING, "configUpdateReqCode": NULLABLE_STRING, "createdAt": DATE_TIME,
    "dueAt": {"type": ["string", "null"], "format": "date-time",
              "description": "When a pending revision applies, on the client's clock"},
    "timeConfigs": {"type": "array", "items": ref("TimeConfigBlock")},
}, ("version", "status", "source", "configUpdateReqCode", "createdAt", "dueAt", "timeConfigs"))
BLOCK_CHANGE = obj({
    "change": {"type": "string", "enum": ["added", "removed", "changed", "unchanged"]},
    "fields": {"type": "array", "items": STRING}, "oldIndex": NULLABLE_INDEX,
    "newIndex": NULLABLE_INDEX, "old": NULLABLE_BLOCK, "new": NULLABLE_BLOCK,
}, ("change", "fields", "oldIndex", "newIndex", "old", "new"))
COUNT = {"type": "integer", "minimum": 0}
CONFIG_DIFF = obj({
    "plantId": STRING, "from": {"type": "integer"}, "to": {"type": "integer"},
    "summary": obj({"added": COUNT, "removed": COUNT, "changed": COUNT, "unchanged": COUNT},
                   ("added", "removed", "changed", "unchanged")),
    "blocks": {"type": "array", "items": ref("BlockChange")},
}, ("plantId", "from", "to", "summary", "blocks"))
SEED = obj({
    "format": {"const": "voke-esm-seed"}, "version": {"const": 1}, "exportedAt": DATE_TIME,
    "organization": obj(ORGANIZATION_CREATE["properties"], ("name", "slug")),
    "plants": {"type": "array",
               "items": obj({k: v for k, v in PLANT_FIELDS.items() if k != "clientId"},
                            ("externalPlantId", "name"))},
}, ("format", "version", "organization", "plants"),
    description="One organization and its plants; never credentials or the journal",
    example={"format": "voke-esm-seed", "version": 1,
             "organization": {"name": "Acme", "slug": "acme", "description": None},
             "plants": [{"externalPlantId": "PLANT-001", "name": "Acme Site A",
                         "description": "Battery storage + PV", "fvePeakPowerKwp": 120.0,
                         "capacityKwh": 200.0, "timeConfigs": PRODUCT_PAGE_BLOCKS}]})
CHANGE_KIND = {"type": "string", "enum": ["created", "updated", "unchanged"]}
IMPORT_REPORT = obj({
    "slug": STRING, "organization": CHANGE_KIND,
    "plants": obj({"created": COUNT, "updated": COUNT, "unchanged": COUNT, "deleted": COUNT},
                  ("created", "updated", "unchanged", "deleted")),
    "changed": {"type": "boolean"},
}, ("slug", "organization", "plants", "changed"))

SCHEMAS = {"Revision": REVISION, "RevisionPage": page_of("Revision"),
           "BlockChange": BLOCK_CHANGE, "ConfigDiff": CONFIG_DIFF, "Seed": SEED,
           "ImportReport": IMPORT_REPORT}


def history_paths() -> dict:
    plant_id = path_id("plant_id", "The plant's id (UUID)")
    plants = "/api/v1/voke-esm/admin/plants/{plant_id}"
    return {
        f"{plants}/revisions": {"get": operation(
            ADMIN, "listRevisions", "A plant's config history, newest first", {
                "200": answer("A page of revisions", ref("RevisionPage")),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[plant_id, PAGE, limit(20, 100)])},
        f"{plants}/revisions/diff": {"get": operation(
            ADMIN, "diffRevisions", "Block by block, what changed between two versions", {
                "200": answer("The diff", ref("ConfigDiff")),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[plant_id, query("from", VERSION, "The older version", True, 1),
                        query("to", VERSION, "The newer version", True, 2)])},
        f"{plants}/revisions/{{version}}/restore": {"post": operation(
            ADMIN, "restoreRevision", "Make a version's blocks current again, as a new version", {
                "200": answer("The plant", ref("Plant")),
                **refs("BadRequest", "NotFound", "Conflict", *ADMIN_ERRORS)},
            security=SUPER_ADMIN,
            parameters=[plant_id, {"name": "version", "in": "path", "required": True,
                                   "schema": VERSION, "example": 1}])},
        "/api/v1/voke-esm/admin/export": {"get": operation(
            ADMIN, "exportSeed", "One organization and its plants as a seed file", {
                "200": answer("The seed document", ref("Seed"),
                              {"Content-Disposition": required(HEADER_TEXT)}),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[query("clientId", {"type": "string"}, "The organization's clientId",
                              True, "voke-esm-acme-1a2b3c4d")])},
        "/api/v1/voke-esm/admin/import": {"post": operation(
            ADMIN, "importSeed", "Upsert a seed file's organization and plants (idempotent)", {
                "200": answer("What changed", ref("ImportReport")),
                **refs(*BODY_ERRORS, "Conflict", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[query("replace", {"type": "string", "enum": ["true", "false"]},
                              "true: also delete the plants the seed does not list")],
            body=json_content(ref("Seed")))},
    }
