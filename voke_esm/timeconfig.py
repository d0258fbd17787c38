"""The one time-config validator, shared by the trading API, the admin API, the UI and the CLI."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass

MAX_BLOCKS = 96
FIELDS = ("from", "to", "pBatMax", "pBatMin", "socMax", "socMin")
NUMBER_FIELDS = FIELDS[2:]
HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")  # ASCII digits only, not \d
_FIELD_SET = frozenset(FIELDS)
# Every time HHMM accepts, and its minute of the day: one lookup checks and converts.
_MINUTE_OF = {f"{minute // 60:02d}:{minute % 60:02d}": minute for minute in range(24 * 60)}
_NUMBER_TYPES = (int, float)  # matched by exact type: bool is an int subclass
_LARGEST = sys.float_info.max
DEFAULT_BLOCKS = ({"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50,
                   "socMax": 90, "socMin": 20},)


@dataclass(frozen=True)
class Problem:
    """One violation: which block (None for the list itself), which field, what is wrong."""

    index: int | None
    field: str | None
    message: str

    def path(self, root: str = "timeConfigs") -> str:
        path = root if self.index is None else f"{root}[{self.index}]"
        return f"{path}.{self.field}" if self.field else path

    def detail(self, root: str = "timeConfigs") -> str:
        return f"{self.path(root)}: {self.message}"


def default_time_configs() -> list[dict]:
    return [dict(block) for block in DEFAULT_BLOCKS]


def is_number(value: object) -> bool:
    """A finite JSON number: booleans, strings, NaN and Infinity are not."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond any float, e.g. 10**400
        return False


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def hhmm(minute: int) -> str:
    """The inverse of `minutes`: 420 -> '07:00'."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def validate_time_configs(blocks: object) -> list[Problem]:
    """Every violation of CONTRACT.md §2's block rules, in input order; empty when valid."""
    if not isinstance(blocks, list):
        return [Problem(None, None, f"must be a list of 1 to {MAX_BLOCKS} blocks")]
    if not 1 <= len(blocks) <= MAX_BLOCKS:
        return [Problem(None, None, f"must have 1 to {MAX_BLOCKS} blocks, got {len(blocks)}")]
    problems: list[Problem] = []
    windows: list[tuple[int, int, int]] = []
    for index, block in enumerate(blocks):
        window = _valid_window(block)
        if window is not None:
            windows.append((*window, index))
            continue
        block_problems = _validate_block(index, block)
        problems.extend(block_problems)
        if isinstance(block, dict) and not any(p.field in ("from", "to") for p in block_problems):
            windows.append((minutes(block["from"]), minutes(block["to"]), index))
    problems.extend(_overlaps(windows, blocks))
    return sorted(problems, key=lambda p: (p.index if p.index is not None else -1))


def _valid_window(block: object) -> tuple[int, int] | None:
    """(from, to) in minutes of a block that breaks no rule of its own; None when it may break
    one, and `_validate_block` says which. Most blocks are valid: this answers for them at a
    fraction of the cost of collecting problems field by field."""
    if type(block) is not dict or block.keys() != _FIELD_SET:
        return None
    start, end = block["from"], block["to"]
    if type(start) is not str or type(end) is not str:
        return None
    start, end = _MINUTE_OF.get(start), _MINUTE_OF.get(end)
    if start is None or end is None or start >= end:
        return None
    p_max, p_min = block["pBatMax"], block["pBatMin"]
    soc_max, soc_min = block["socMax"], block["socMin"]
    if (type(p_max) in _NUMBER_TYPES and type(p_min) in _NUMBER_TYPES
            and type(soc_max) in _NUMBER_TYPES and type(soc_min) in _NUMBER_TYPES
            # Chained comparisons are False for NaN; the bounds keep out infinities and ints
            # beyond any float.
            and 0 <= p_max <= _LARGEST and -_LARGEST <= p_min <= 0
            and 0 <= soc_min <= soc_max <= 100):
        return start, end
    return None


def _validate_block(index: int, block: object) -> list[Problem]:
    if not isinstance(block, dict):
        return [Problem(index, None, "must be an object")]
    problems = [Problem(index, str(key), "unknown field") for key in block if key not in FIELDS]
    problems += [Problem(index, field, "is required") for field in FIELDS if field not in block]
    for field in ("from", "to"):
        value = block.get(field)
        if field in block and not (isinstance(value, str) and HHMM.fullmatch(value)):
            problems.append(Problem(index, field, "must be a time HH:MM from 00:00 to 23:59"))
    times_ok = not any(p.field in ("from", "to") for p in problems)
    if times_ok and minutes(block["from"]) >= minutes(block["to"]):
        problems.append(Problem(index, "to", "must be after from"))
    # Each number is checked on its own, so one bad field does not hide another's problem.
    numbers = {field: block[field] for field in NUMBER_FIELDS
               if field in block and is_number(block[field])}
    for field in NUMBER_FIELDS:
        if field in block and field not in numbers:
            problems.append(Problem(index, field, "must be a finite number"))
    if "pBatMax" in numbers and numbers["pBatMax"] < 0:
        problems.append(Problem(index, "pBatMax", "must be >= 0"))
    if "pBatMin" in numbers and numbers["pBatMin"] > 0:
        problems.append(Problem(index, "pBatMin", "must be <= 0"))
    for field in ("socMin", "socMax"):
        if field in numbers and not 0 <= numbers[field] <= 100:
            problems.append(Problem(index, field, "must be between 0 and 100"))
    if "socMin" in numbers and "socMax" in numbers and numbers["socMin"] > numbers["socMax"]:
        problems.append(Problem(index, "socMin", "must be <= socMax"))
    return problems


def _overlaps(windows: list[tuple[int, int, int]], blocks: list) -> list[Problem]:
    """Blocks may touch (one's `to` is the next one's `from`) but not overlap."""
    problems = []
    reach: tuple[int, int] | None = None  # (end, index) of the block reaching furthest so far
    for start, end, index in sorted(windows):
        if reach is not None and start < reach[0]:
            other = blocks[reach[1]]
            problems.append(Problem(index, "from", f"overlaps timeConfigs[{reach[1]}] "
                                                   f"({other['from']}-{other['to']})"))
        if reach is None or end > reach[0]:
            reach = (end, index)
    return problems
