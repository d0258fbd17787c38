"""The htmx admin UI under /platform."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint

from ..auth.guards import require_superadmin
from ..fault_rules import describe, describe_trigger
from ..params import MAX_SEARCH
from ..services.journal import ENDPOINTS, STATUS_CLASSES
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


@bp.app_template_filter("duration")
def format_duration(seconds: int) -> str:
    """Seconds as people read them, to the two largest units: 42 s, 2 min, 1 h 1 min, 1 d."""
    parts, rest = [], max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size} {unit}")
            rest %= size
    return " ".join(parts[:2]) or "0 s"


bp.add_app_template_global(ENDPOINTS, "journal_endpoints")
bp.add_app_template_global(STATUS_CLASSES, "journal_status_classes")
# Search boxes stop where the server would refuse (an htmx search does not show a 400).
bp.add_app_template_global(MAX_SEARCH, "max_search")
bp.add_app_template_filter(describe, "fault_effect")
bp.add_app_template_filter(describe_trigger, "fault_trigger")


@bp.app_template_filter("number")
def format_number(value: object) -> str:
    return show_number(value)


from . import (  # noqa: E402, F401 - routes on bp
    api_views,
    clock_views,
    fault_views,
    history_views,
    journal_views,
    organization_views,
    plant_views,
    sandbox_views,
    seed_views,
)
