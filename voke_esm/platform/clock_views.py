"""The client's sandbox clock in the "Faults & clock" panel: +1 min / +1 h / +1 day / reset."""

from __future__ import annotations

from flask import request

from ..errors import ValidationError
from ..services import clock, organizations
from . import bp
from .fragments import render_partial
from .plant_views import client_of

CLOCK = "platform/_clock.html"


@bp.post("/voke-esm/<org_id>/clock")
def change_clock(org_id: str):
    """Advance (`advance`: seconds) or reset (`reset`) the org's client clock; the clock card."""
    organization = organizations.get_organization(org_id)
    client_id = client_of(organization)
    try:
        if "reset" in request.form:
            client, said = clock.reset(client_id), "Clock reset to real time."
        else:
            seconds = _whole(request.form.get("advance", ""))
            client, said = clock.advance(client_id, seconds), "Clock moved forward."
    except ValidationError as error:
        context = {"clock": clock.clock_json(clock.get_client(client_id)),
                   "clock_error": "; ".join(error.details or [error.message])}
        return render_partial(CLOCK, organization=organization, **context), 422
    return render_partial(CLOCK, organization=organization, clock=clock.clock_json(client),
                          clock_said=said)


def _whole(text: str) -> object:
    """The posted number of seconds; anything else goes to the service, which refuses it."""
    return int(text) if text.strip().isdigit() else text
