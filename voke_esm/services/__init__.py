"""Operations every entry point (trading, admin API, UI, CLI) calls; none of them reads `request`.

Each public function is one unit of work: it validates plain values, changes the database,
commits, and returns models or raises a DomainError.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
