"""Full page or one block of it, chosen by the htmx request headers."""

from __future__ import annotations

from flask import Response, get_flashed_messages, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx request that swaps part of the page (not a boost, not a history restore)."""
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def render(template: str, block: str, status_code: int = 200, headers: dict | None = None,
           **context) -> Response:
    """The whole page, or for an htmx request just `block` plus any flash messages out of band."""
    if wants_fragment():
        body = render_block(template, block, **context) + oob_flashes()
    else:
        body = render_template(template, **context)
    response = Response(body, status_code, headers or {})
    response.vary.add("HX-Request")
    return response


def render_partial(template: str, **context) -> Response:
    """A fragment-only answer (a table row, an out-of-band update) plus flash messages."""
    response = Response(render_template(template, **context) + oob_flashes())
    response.vary.add("HX-Request")
    return response


def oob_flashes() -> str:
    """Pending flash messages as an out-of-band swap of #flashes (in a <template> so that it
    parses next to table rows too). After a change, stale messages are cleared even when there
    is nothing new to say; a plain read leaves them alone."""
    if not get_flashed_messages() and request.method == "GET":
        return ""
    return render_template("_flashes.html", oob=True)
