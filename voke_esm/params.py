"""Query parameters every entry point reads alike: page, limit and search text."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import request

from .errors import ValidationError
from .http import query_arg
from .validation import is_valid_unicode

WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_PAGE = 2**31 - 1  # keeps the offset inside a 64-bit integer on every backend
MAX_SEARCH = 200


def page_and_limit(default_limit: int = 20, max_limit: int = 100) -> tuple[int, int]:
    """`?page=` (>= 1) and `?limit=` (1 to max_limit); one details line per bad value."""
    details: list[str] = []
    page = _whole_number("page", 1, 1, MAX_PAGE, details)
    limit = _whole_number("limit", default_limit, 1, max_limit, details)
    if details:
        raise ValidationError(details)
    return page, limit


def page_number() -> int:
    """`?page=` alone, for pages whose size is fixed."""
    details: list[str] = []
    page = _whole_number("page", 1, 1, MAX_PAGE, details)
    if details:
        raise ValidationError(details)
    return page


def search_text(name: str = "q") -> str:
    """Search text as typed, trimmed; '' when absent. NUL, lone surrogates (which no database
    can compare) and overlong text are a validation error, before anything is read or written."""
    value = (query_arg(name) or "").strip()
    problem = None
    if not is_valid_unicode(value):
        problem = f"{name}: must be valid Unicode"
    elif len(value) > MAX_SEARCH:
        problem = f"{name}: must be at most {MAX_SEARCH} characters"
    if problem:
        raise ValidationError([problem])
    return value


def _whole_number(name: str, default: int, low: int, high: int, details: list[str]) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if WHOLE_NUMBER.fullmatch(raw) and low <= int(raw) <= high:
        return int(raw)
    details.append(f"{name}: must be a whole number from {low} to {high}")
    return default


def paged_json(result: dict, shape: Callable[[object], dict]) -> dict:
    """A page from services.page_of as the contract's `{"data": [...], "meta": {...}}`."""
    return {"data": [shape(item) for item in result["items"]],
            "meta": {"page": result["page"], "limit": result["limit"],
                     "total": result["total"], "totalPages": result["total_pages"]}}


def required_whole_numbers(*names: str) -> list[int]:
    """Required whole-number query parameters (config versions, say), all checked at once."""
    details: list[str] = []
    values = []
    for name in names:
        if request.args.get(name) is None:
            details.append(f"{name}: is required")
        values.append(_whole_number(name, 0, 1, MAX_PAGE, details))
    if details:
        raise ValidationError(details)
    return values


def choice(name: str, choices: tuple[str, ...]) -> str | None:
    """One of `choices`, or None when absent or empty (a form's "Any")."""
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        raise ValidationError([f"{name}: must be one of {', '.join(choices)}"])
    return value


def optional_whole_number(name: str) -> int | None:
    """A whole number from 0 that may be absent."""
    details: list[str] = []
    value = _whole_number(name, -1, 0, MAX_PAGE, details)
    if details:
        raise ValidationError(details)
    return None if value < 0 else value
