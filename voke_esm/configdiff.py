"""Block-by-block differences between two time configs (pure: no Flask, no database)."""

from __future__ import annotations

from .timeconfig import FIELDS, minutes


def diff_time_configs(old: list[dict], new: list[dict]) -> list[dict]:
    """One entry per block, ordered by start time: `change` is added, removed, changed or
    unchanged; `fields` names what changed; `oldIndex`/`newIndex` point into each list.

    Blocks whose windows overlap are paired, the most alike first (most equal fields, then
    the longest overlap), so a block whose end moved shows as changed, not as removed and
    added; what stays unpaired was added or removed.
    """
    candidates = sorted(
        ((i, j) for i in range(len(old)) for j in range(len(new))
         if _overlap(old[i], new[j]) > 0),
        key=lambda pair: (-_alike(old[pair[0]], new[pair[1]]), -_overlap(old[pair[0]],
                                                                         new[pair[1]]), pair))
    pairs: list[tuple[int, int]] = []
    paired_old: set[int] = set()
    paired_new: set[int] = set()
    for i, j in candidates:
        if i not in paired_old and j not in paired_new:
            pairs.append((i, j))
            paired_old.add(i)
            paired_new.add(j)
    entries = [_entry(old, new, i, j) for i, j in pairs]
    entries += [_entry(old, new, i, None) for i in range(len(old)) if i not in paired_old]
    entries += [_entry(old, new, None, j) for j in range(len(new)) if j not in paired_new]
    return sorted(entries, key=_start)


def _alike(a: dict, b: dict) -> int:
    return sum(a.get(name) == b.get(name) for name in FIELDS)


def _overlap(a: dict, b: dict) -> int:
    """Minutes two windows share beyond a touching end (blocks may touch without overlapping)."""
    return min(minutes(a["to"]), minutes(b["to"])) - max(minutes(a["from"]), minutes(b["from"]))


def summarize(entries: list[dict]) -> dict:
    counts = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
    for entry in entries:
        counts[entry["change"]] += 1
    return counts


def _entry(old: list[dict], new: list[dict], i: int | None, j: int | None) -> dict:
    before = old[i] if i is not None else None
    after = new[j] if j is not None else None
    if before is None or after is None:
        change, fields = ("added" if before is None else "removed"), []
    else:
        fields = [name for name in FIELDS if before.get(name) != after.get(name)]
        change = "changed" if fields else "unchanged"
    return {"change": change, "fields": fields, "oldIndex": i, "newIndex": j,
            "old": before, "new": after}


def _start(entry: dict) -> tuple[int, int]:
    block = entry["new"] or entry["old"]
    return minutes(block["from"]), 0 if entry["old"] is not None else 1
