"""The htmx admin UI under /platform."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint

from ..auth.guards import require_superadmin
from .forms import show_number

bp = Blueprint("platform", __name__, url_prefix="/platform")
bp.before_request(require_superadmin)


@bp.app_template_filter("when")
def format_when(value: datetime | None, utc_suffix: bool = True) -> str:
    """A stored UTC time as people read it: 2025-01-31 14:05 UTC."""
    if value is None:
        return "—"
    shown = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return f"{shown} UTC" if utc_suffix else shown


@bp.app_template_filter("number")
def format_number(value: object) -> str:
    return show_number(value)


from . import (  # noqa: E402, F401 - routes on bp
    api_views,
    organization_views,
    plant_views,
    sandbox_views,
)
