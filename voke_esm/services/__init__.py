"""Operations every entry point (trading, admin API, UI, CLI) calls; none of them reads `request`.

Each public function is one unit of work: it validates plain values, changes the database,
commits, and returns models or raises a DomainError.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from ..extensions import db


@contextmanager
def conflict_on_duplicate(message: str) -> Iterator[None]:
    """A unique constraint hit inside (at flush or commit, e.g. by a concurrent request) is a
    409 Conflict with `message`, never a 500; the session is rolled back."""
    try:
        yield
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(message) from error


def page_of(query: sa.Select, page: int, limit: int) -> dict:
    """One page of an ordered query, with the totals an API `meta` block reports."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(limit).offset((page - 1) * limit)).all()
    return {"items": items, "page": page, "limit": limit, "total": total,
            "total_pages": math.ceil(total / limit) if total else 0}
