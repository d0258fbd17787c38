"""Reading fields of a submitted JSON object, one `details` line per problem."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from .errors import DomainError, ValidationError
from .timeconfig import is_number

MISSING = object()


def parse_uuid(value: object, what: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise DomainError("INVALID_UUID", f"{what} must be a UUID") from error


class Fields:
    """Reads a JSON object field by field; `done()` raises one ValidationError for all problems."""

    def __init__(self, data: dict, partial: bool = False):
        self.data = data
        self.partial = partial
        self.details: list[str] = []
        self.values: dict[str, object] = {}

    def _take(self, key: str, attr: str | None, default: object,
              check: Callable[[object], str | None], nullable: bool = False) -> None:
        value = self.data.get(key, MISSING)
        if value is MISSING:
            if self.partial:
                return
            if default is MISSING:
                self.details.append(f"{key}: is required")
                return
            value = default() if callable(default) else default
        elif value is None and nullable:
            pass
        else:
            problem = check(value)
            if problem:
                self.details.append(f"{key}: {problem}")
                return
        self.values[attr or key] = value

    def string(self, key: str, attr: str | None = None, *, max_len: int, min_len: int = 1,
               pattern: re.Pattern | None = None, hint: str = "", default: object = MISSING,
               nullable: bool = False) -> None:
        def check(value: object) -> str | None:
            if not isinstance(value, str):
                return "must be a string"
            if "\x00" in value:
                return "must not contain NUL characters"
            if not is_valid_unicode(value):
                return "must be valid Unicode"
            if not min_len <= len(value) <= max_len:
                return f"must be {min_len} to {max_len} characters"
            if pattern is not None and not pattern.fullmatch(value):
                return hint or f"must match {pattern.pattern}"
            return None
        self._take(key, attr, default, check, nullable)

    def number(self, key: str, attr: str | None = None, *, default: object = MISSING) -> None:
        def check(value: object) -> str | None:
            if not is_number(value):
                return "must be a finite number"
            return "must be >= 0" if value < 0 else None
        self._take(key, attr, default, check)

    def integer(self, key: str, attr: str | None = None, *, low: int, high: int,
                default: object = MISSING) -> None:
        def check(value: object) -> str | None:
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                return None
            return f"must be a whole number from {low} to {high}"
        self._take(key, attr, default, check)

    def boolean(self, key: str, attr: str | None = None, *, default: object = MISSING) -> None:
        self._take(key, attr, default,
                   lambda value: None if isinstance(value, bool) else "must be true or false")

    def custom(self, key: str, attr: str | None, check: Callable[[object], list[str]],
               default: object = MISSING) -> None:
        """A field with its own validator returning full `details` lines."""
        value = self.data.get(key, MISSING)
        if value is MISSING and not self.partial and default is MISSING:
            self.details.append(f"{key}: is required")
        elif value is not MISSING:
            problems = check(value)
            self.details.extend(problems)
            if not problems:
                self.values[attr or key] = value
        elif not self.partial:
            self.values[attr or key] = default() if callable(default) else default

    def reject_unknown(self, allowed: set[str], message: str = "unknown field") -> None:
        self.details.extend(f"{key}: {message}" for key in self.data if key not in allowed)

    def done(self, **extra) -> dict[str, object]:
        if self.details:
            raise ValidationError(self.details, **extra)
        return self.values


def is_valid_unicode(text: str) -> bool:
    """False for lone surrogates, which JSON escapes can carry but no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape `\\`) matching `text` anywhere, its wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
