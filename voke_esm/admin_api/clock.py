"""The sandbox clock and token lifetime of one ESM client (CONTRACT §6.2)."""

from __future__ import annotations

from ..http import json_body, query_arg
from ..services import clock
from .guards import admin_blueprint

bp = admin_blueprint("admin_clock", __name__, "/api/v1/voke-esm/admin/clock")


@bp.get("")
def show():
    return clock.clock_json(clock.get_client(query_arg("clientId", required=True)))


@bp.post("")
def change():
    """Advance, reset or set the token lifetime; answers the clock as GET shows it."""
    return clock.clock_json(clock.change(json_body()))
