"""/platform/api: the OpenAPI document, browsable, with a download link."""

from __future__ import annotations

from flask import render_template

from ..openapi import OPENAPI_PATH
from . import bp


@bp.get("/api")
def api_page():
    return render_template("platform/api.html", openapi_url=OPENAPI_PATH)
