"""Reading the admin API's query parameters, with the contract's validation errors."""

from __future__ import annotations

import re

from flask import request

from ..errors import ValidationError

WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_PAGE = 2**31 - 1  # keeps the offset inside a 64-bit integer on every backend


def page_and_limit(default_limit: int = 20, max_limit: int = 100) -> tuple[int, int]:
    """`?page=` (>= 1) and `?limit=` (1 to max_limit); one details line per bad value."""
    details: list[str] = []
    page = _whole_number("page", 1, 1, MAX_PAGE, details)
    limit = _whole_number("limit", default_limit, 1, max_limit, details)
    if details:
        raise ValidationError(details)
    return page, limit


def _whole_number(name: str, default: int, low: int, high: int, details: list[str]) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if WHOLE_NUMBER.fullmatch(raw) and low <= int(raw) <= high:
        return int(raw)
    details.append(f"{name}: must be a whole number from {low} to {high}")
    return default


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
