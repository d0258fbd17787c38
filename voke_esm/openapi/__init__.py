"""The OpenAPI 3.1 document of every route under /api/, served at /api/v1/voke-esm/openapi.json.

Built from small pieces: schemas.py holds the wire shapes, paths.py the operations. A test
compares the document with the app's routes, so a new route without documentation fails.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app

from . import faults, history, qa
from .paths import RESPONSES, SECURITY_SCHEMES, admin_paths, meta_paths, trading_paths
from .schemas import SCHEMAS

OPENAPI_PATH = "/api/v1/voke-esm/openapi.json"
bp = Blueprint("openapi", __name__)

DESCRIPTION = """A loopback partner ESM for exercising Voke's trading integration against fake
plants. The trading API answers loopback callers only and is rate limited per client; the admin
API needs a SuperAdmin. Every error is the JSON envelope `Error` (CONTRACT §1), except the RFC
6749 answers of a form token request."""


def document(internal_url: str, served: set[str] | None = None) -> dict:
    """The whole document; `internal_url` (VOKE_ESM_INTERNAL_URL) names the second server.
    QA operations are listed only when their path is in `served` (the app's routes)."""
    origin = internal_url.split("/api/", 1)[0]
    every_qa_path = {**qa.qa_paths(), **history.history_paths(), **faults.fault_paths()}
    qa_paths = {path: item for path, item in every_qa_path.items()
                if served is None or path in served}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Voke ESM Sandbox API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/", "description": "This server"},
                    {"url": origin, "description": "VOKE_ESM_INTERNAL_URL"}],
        "tags": [{"name": "Trading (what Voke calls)"}, {"name": "Authentication"},
                 {"name": "Admin (SuperAdmin)"}, {"name": "Meta"}],
        "paths": {**trading_paths(), **admin_paths(), **qa_paths, **meta_paths()},
        "components": {"schemas": {**SCHEMAS, **qa.SCHEMAS, **history.SCHEMAS,
                                   **faults.SCHEMAS},
                       "responses": RESPONSES, "securitySchemes": SECURITY_SCHEMES},
    }


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /x/<org_id> and /x/<int:version> -> /x/{org_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


@bp.get(OPENAPI_PATH)
def openapi_json():
    served = {openapi_path(rule.rule) for rule in current_app.url_map.iter_rules()}
    return document(current_app.config["VOKE_ESM_INTERNAL_URL"], served)
