"""Who may see the admin UI, and where to send everyone else."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Response, abort, redirect, request, url_for

from .identity import current_user

DEFAULT_NEXT = "/platform/voke-esm"


def safe_next(target: object) -> str | None:
    """`target` if it is a path on this site (no scheme, no host, no `//`), else None."""
    if not isinstance(target, str) or not target.startswith("/"):
        return None
    if target.startswith(("//", "/\\")) or any(ch in target for ch in "\\\r\n\t"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def redirect_to(url: str) -> Response:
    """Navigate after a request: 303 for a page, HX-Redirect for an htmx request."""
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, code=303)


def login_url_for_this_page() -> str:
    """/login?next=<the page the browser shows>, so signing in returns there."""
    here = request.full_path.rstrip("?") if request.method == "GET" else None
    if is_htmx():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        same_site = current.netloc == request.host
        here = (current.path + (f"?{current.query}" if current.query else "")
                if same_site else None)
    here = safe_next(here)
    return url_for("auth.login") + (f"?{urlencode({'next': here})}" if here else "")


def require_superadmin() -> Response | None:
    """Anonymous: off to the sign-in page. Signed in without SuperAdmin: a 403 page."""
    user = current_user()
    if user is None:
        return redirect_to(login_url_for_this_page())
    if not user.is_superadmin:
        abort(403, f"The admin UI is for SuperAdmin accounts, and {user.email} is not one. "
                   "Sign out and sign in with a SuperAdmin account.")
    return None
