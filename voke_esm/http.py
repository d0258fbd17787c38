"""Request and response plumbing shared by the blueprints: JSON in and out, headers, errors."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from json.decoder import WHITESPACE, JSONObject

from flask import Flask, current_app, g, render_template, request
from flask.globals import request_ctx
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .errors import (
    DomainError,
    ValidationError,
    domain_error_response,
    envelope,
    http_error_response,
)
from .extensions import db
from .validation import is_valid_unicode

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# For every answer that carries a secret or a token: no cache may keep it.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# Production is served over HTTPS only (its session cookie is `__Host-` and Secure).
HSTS = "max-age=31536000; includeSubDomains"


_COMPACT = {"separators": (",", ":")}  # what DefaultJSONProvider.response passes out of debug


class ApiJSONProvider(DefaultJSONProvider):
    """ISO 8601 UTC times and UUIDs as strings; keys keep the order they were stored in."""

    sort_keys = False

    def __init__(self, app: Flask):
        super().__init__(app)
        # json.dumps builds an encoder per call whenever it is given options; every answer is
        # compact, so one encoder serves them all. Answers are never circular (models.py).
        self._compact = json.JSONEncoder(default=self.default, ensure_ascii=self.ensure_ascii,
                                         sort_keys=self.sort_keys, separators=(",", ":"),
                                         check_circular=False)

    def dumps(self, obj, **kwargs) -> str:
        if kwargs == _COMPACT:
            return self._compact.encode(obj)
        return super().dumps(obj, **kwargs)

    @staticmethod
    def default(o):
        if isinstance(o, datetime):
            return o.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if isinstance(o, uuid.UUID):
            return str(o)
        return DefaultJSONProvider.default(o)


def is_api_request() -> bool:
    path = re.sub("/{2,}", "/", request.path)  # //api/v1 is the API too, answered as such
    return path == "/api" or path.startswith("/api/")


def _parsed_body() -> tuple[object, Exception | None]:
    """The body parsed as JSON once per request: (value, None), or (None, why it failed)."""
    if "parsed_body" not in g:
        try:
            value, g.sent_members = loads_keeping_members(request.get_data(cache=True))
            g.parsed_body = (value, None)
        except (ValueError, RecursionError, HTTPException) as error:  # deep nesting recurses
            g.parsed_body = (None, error)
    return g.parsed_body


def sent_member(name: str) -> str | None:
    """The JSON text of the body's top-level member `name`, exactly as it was sent, when the
    body is an ASCII JSON object that has one (see loads_keeping_members)."""
    return g.get("sent_members", {}).get(name) if _parsed_body()[1] is None else None


_SCAN_ONCE = json.JSONDecoder().scan_once  # json.loads' own scanner (in C)


def loads_keeping_members(raw: bytes) -> tuple[object, dict[str, str]]:
    """json.loads(raw), and, when `raw` is an ASCII JSON object (as Voke sends), the text each
    of its members' values had (the last one, as json.loads keeps, when a name repeats): an
    update's blocks are stored as sent and answered verbatim (CONTRACT §2), not serialised
    again. The object's own level is read by the json module's Python reader of objects, which
    asks the C scanner for each value and so learns where each one ends; the values are
    parsed once, in C, as json.loads parses them."""
    if not raw.isascii() or b"\x00" in raw:  # (another encoding, or not JSON at all)
        return json.loads(raw), {}
    text = raw.decode("ascii")
    start = WHITESPACE.match(text).end()
    if not text.startswith("{", start):
        return json.loads(text), {}
    spans: list[tuple[int, int]] = []

    def scan_once(string: str, index: int) -> tuple[object, int]:
        value, end = _SCAN_ONCE(string, index)
        spans.append((index, end))
        return value, end

    pairs, end = JSONObject((text, start + 1), True, scan_once, None, list, {})
    end = WHITESPACE.match(text, end).end()
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return dict(pairs), {name: text[first:last] for (name, _), (first, last)
                         in zip(pairs, spans, strict=True)}


def request_json() -> object:
    """The body as JSON, or None: for readers that must not fail (rate-limit keys, journal)."""
    return _parsed_body()[0]


def json_body() -> dict:
    """The request's JSON object, or the contract's 415/400/413 for anything else."""
    if request.mimetype != "application/json":
        raise DomainError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
    data, error = _parsed_body()
    if isinstance(error, HTTPException):  # too large, or the client went away
        raise error
    if error is not None:
        raise DomainError("BAD_REQUEST", "The request body is not valid JSON") from error
    # A lone surrogate escape ("\ud800") parses, but no database can store it.
    if _may_hold_surrogates(request.get_data(cache=True)) and not is_valid_unicode(
            json.dumps(data, ensure_ascii=False)):
        raise DomainError("BAD_REQUEST", "The JSON body contains invalid Unicode")
    if not isinstance(data, dict):
        raise DomainError("BAD_REQUEST", "The JSON body must be an object")
    return data


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _may_hold_surrogates(raw: bytes) -> bool:
    """False when the JSON text cannot hold a surrogate: plain ASCII (so read as UTF-8) with
    no \\uD800-\\uDFFF escape. Saves dumping a whole 96-block body again to look."""
    return not raw.isascii() or b"\x00" in raw or _SURROGATE_ESCAPE.search(raw) is not None


def query_arg(name: str, required: bool = False) -> str | None:
    """A query parameter that every backend can compare (no NUL); None when absent."""
    value = request.args.get(name) or None
    if value is None and required:
        raise ValidationError([f"{name}: is required"])
    if value is not None and "\x00" in value:
        raise ValidationError([f"{name}: must not contain NUL characters"])
    return value


def bearer_token(call=None) -> str | None:
    """The bearer token sent with `call` (default: this request; scheme and token split on
    any whitespace); None when no bearer credentials were sent; "" for `Bearer` with nothing
    after it, which is a malformed token."""
    environ = (call or request).environ
    scheme, *rest = environ.get("HTTP_AUTHORIZATION", "").split(None, 1) or [""]
    if scheme.lower() != "bearer":
        return None
    return rest[0].strip() if rest else ""


@lru_cache(maxsize=1024)
def is_loopback(address: str | None) -> bool:
    """Whether the TCP peer is on loopback: 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
HOST = re.compile(r"(\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::[0-9]{1,5})?")


def is_trusted_host(host: str, extra: tuple[str, ...] = ()) -> bool:
    """Whether a Host header names this server: loopback (any port) or a configured name."""
    match = HOST.fullmatch(host)
    return bool(match) and match[1].lower() in LOOPBACK_HOSTS + extra


def register_request_guards(app: Flask) -> None:
    """Checks every request meets before anything else: a trusted Host, and no OPTIONS under
    /api (the API serves no browser preflight; the envelope's 405 says what is allowed)."""
    # Without this, /api//v1/x would be redirected to an absolute URL built from Host.
    app.url_map.merge_slashes = False
    app.before_request_funcs.setdefault(None, []).insert(0, _check_request)


def _check_request() -> None:
    host = request.environ.get("HTTP_HOST")
    if host is not None and not is_trusted_host(host, current_app.config["TRUSTED_HOST_NAMES"]):
        # Nothing may build a URL from the name sent, not even the error page's links.
        request.host = "localhost"
        request_ctx.url_adapter = current_app.url_map.bind(
            "localhost", script_name=request.root_path or "/", url_scheme=request.scheme)
        raise DomainError("BAD_REQUEST", "This server does not answer for that host name")
    if request.method == "OPTIONS" and is_api_request() and request.url_rule is not None:
        raise MethodNotAllowed(valid_methods=request_ctx.url_adapter.allowed_methods())


def register_security_headers(app: Flask) -> None:
    headers = dict(SECURITY_HEADERS)
    if app.config["VOKE_ENV"] == "production":
        headers["Strict-Transport-Security"] = HSTS

    @app.after_request
    def add_security_headers(response):
        present = {name.lower() for name, _ in response.headers}  # one pass, not one per name
        response.headers.extend([(name, value) for name, value in headers.items()
                                 if name.lower() not in present])
        return response


def register_error_handlers(app: Flask) -> None:
    """Every failure as the JSON envelope under /api, as a page in the layout elsewhere."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if is_api_request():
            return domain_error_response(error)
        # A page has no `details` list: the lines themselves are the message people read.
        message = "; ".join(error.details) if error.details else error.message
        return _error_page(error.status, message, error.headers)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        if is_api_request():
            return envelope(403, "FORBIDDEN", "CSRF token missing or invalid")
        return _error_page(400, "This form has expired. Reload the page and try again.",
                           template="errors/csrf.html")

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if is_api_request():
            return http_error_response(error)
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return _error_page(error.code or 500, error.description or "", headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return envelope(500, "INTERNAL_SERVER_ERROR", "Internal server error")
        return _error_page(500, "Something went wrong on our side.")


def _error_page(status: int, message: str, headers: dict | None = None,
                template: str = "errors/error.html"):
    return render_template(template, status=status, message=message), status, headers or {}
