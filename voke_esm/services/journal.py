"""The request journal: what Voke sent to the trading API and what it got back, for QA."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

import sqlalchemy as sa
from flask import current_app

from ..credentials import SECRET_PREFIX
from ..errors import NotFound
from ..extensions import db
from ..models import JournalEntry, StoredJSON, dump_json, utcnow
from ..prepared import PreparedInsert, PreparedWrite
from ..sqlite import one_writer
from ..validation import is_valid_unicode
from .journal_buffer import buffer_for

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
REDACTED = "[redacted]"
_COLUMNS = [column.key for column in JournalEntry.__table__.columns if column.key != "id"]
_COLUMN_SET = frozenset(_COLUMNS)
_INSERT = PreparedInsert(JournalEntry.__table__, _COLUMNS)
_ENTRIES = JournalEntry.__table__
# Bounded on both sides: PostgreSQL without statistics on the table (a new database, a server
# without autovacuum) estimates `id <= cut` at a third of the rows and scanned the whole table
# on every flush, dead rows included; a range between two bounds it reads through the index.
_PRUNE = PreparedWrite(sa.delete(_ENTRIES).where(
    _ENTRIES.c.id >= sa.select(sa.func.min(_ENTRIES.c.id)).scalar_subquery(),
    _ENTRIES.c.id <= sa.select(sa.func.max(_ENTRIES.c.id)).scalar_subquery()
    - sa.bindparam("keep")))
SECRET_KEY_WORDS = ("secret", "password", "token")
# Shapes, whatever the key or place: a client secret (credentials.py) and a JWT (its header
# is base64url JSON, so it starts with "eyJ").
SECRET_SHAPES = re.compile(re.escape(SECRET_PREFIX) + r"[A-Za-z0-9_-]*"
                           r"|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# Anything in a body's text that may need the walk, lower-cased: secret-like names or values
# (also percent-encoded) and NUL. Looked for in lower-cased text, as the walk compares names.
_SUSPECT = (*SECRET_KEY_WORDS, SECRET_PREFIX[:-1].lower(), "eyj", "%", "\x00")
_ANY_SUSPECT = re.compile("|".join(map(re.escape, _SUSPECT)))  # one scan of a short text


# ... and in a body's text as sent: an escape can spell any name or character, and NaN and
# Infinity are JSON to Python but not to PostgreSQL.
_SUSPECT_IN_TEXT = tuple(word.encode() for word in (*_SUSPECT, "\\", "nan", "infinity"))
# Every digit made 0, to find the numbers Python reads as an infinite float: an exponent
# (after lower-casing, "0e") or 309 digits before the point.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


def safe_body(body: object, sent: bytes | None = None) -> object:
    """The body as the journal may keep it: fields named like secrets and anything shaped like
    a client secret redacted at any depth; numbers and text that JSONB cannot hold made text.
    `sent`, the bytes `body` was parsed from, is kept as it is (not serialised again) when a
    scan of it finds nothing that could need a change: most bodies."""
    text = _plain_text(sent) if sent is not None else None
    if text is not None:
        return StoredJSON(text)
    return body if _needs_nothing(body) else _walk(body)


def _plain_text(sent: bytes) -> str | None:
    """`sent` as text if it is an ASCII JSON object or array (json.loads also reads UTF-16, a
    BOM, and letters that lower-case to ASCII) with no word, character or number that the walk
    might change; else None."""
    if not sent.isascii():
        return None
    lowered = sent.lower()
    if not lowered.lstrip().startswith((b"{", b"[")) \
            or any(word in lowered for word in _SUSPECT_IN_TEXT):
        return None
    digits = lowered.translate(_DIGITS_AS_ZERO)
    if b"0e" in digits or b"0" * 309 in digits:
        return None
    return sent.decode("ascii")


def _needs_nothing(body: object) -> bool:
    """Whether the walk would keep the body as it is. Most bodies (a day of time-config
    blocks, say) hold nothing it changes: one pass collects their names and strings, and a few
    substring scans of them at C speed spare the walk (and a JSON dump, twice as slow)."""
    texts: list[str] = []
    stack = [body]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict:
            texts.extend(value)
            stack.extend(value.values())
        elif kind is str:
            texts.append(value)
        elif kind is list:
            stack.extend(value)
        elif kind is float:
            if not math.isfinite(value):
                return False
        elif kind is not int and kind is not bool and value is not None:
            return False
    try:
        text = "\x01".join(texts)  # a separator in no word: no match spans two strings
    except TypeError:  # a name that is not text
        return False
    lowered = text.lower()
    return not any(word in lowered for word in _SUSPECT) and is_valid_unicode(text)


def _walk(body: object) -> object:
    if isinstance(body, dict):
        return {clean(str(key)): REDACTED if _secret_key(key) else _walk(value)
                for key, value in body.items()}
    if isinstance(body, list):
        return [_walk(item) for item in body]
    if isinstance(body, str):
        return clean(body)
    if isinstance(body, float) and not math.isfinite(body):
        return str(body)
    return body


def clean(text: str, length: int | None = None) -> str:
    """Text safe to journal: anything shaped like a secret or a token redacted, also when it
    was percent-encoded (the text is then kept decoded); NUL dropped; lone surrogates escaped."""
    if text.isascii() and "%" not in text and "\x00" not in text and (
            ("eyJ" not in text and SECRET_PREFIX not in text)  # what every shape starts with
            or not SECRET_SHAPES.search(text)):
        return text[:length]  # most text: nothing to decode, redact, drop or escape
    decoded = _decoded(text)
    if SECRET_SHAPES.search(decoded):
        text = SECRET_SHAPES.sub(REDACTED, decoded)
    text = text.replace("\x00", "")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:length]


def clean_query(query: str, length: int | None = None) -> str | None:
    """A query string safe to journal: values of secret-like names and secret-shaped values
    redacted (see clean); None when empty."""
    if not query:
        return None
    if query.isascii() and not _ANY_SUSPECT.search(query.lower()):
        return query[:length] or None  # most queries: nothing that could need a change
    return _clean_pairs(query, length)


def _clean_pairs(query: str, length: int | None) -> str | None:
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        pairs.append(name + equals + (REDACTED if _secret_key(_decoded(name)) else value))
    return clean("&".join(pairs), length) or None


# Headers the detail view shows, by their WSGI environ key; the rest (cookies among them) is
# not kept at all.
KEPT_HEADERS = {name: "HTTP_" + name.upper().replace("-", "_") if name not in (
    "Content-Type", "Content-Length") else name.upper().replace("-", "_") for name in (
    "Host", "User-Agent", "Accept", "Content-Type", "Content-Length", "Authorization",
    "X-Request-Id", "X-Forwarded-For", "Forwarded", "X-Real-Ip")}


_KEPT_KEYS = tuple(KEPT_HEADERS.values())
_AUTHORIZATION = list(KEPT_HEADERS).index("Authorization")


def safe_headers(environ: dict) -> StoredJSON:
    """The request headers QA needs to see (from the WSGI environ), Authorization reduced to
    its scheme, serialised for storage."""
    sent = list(map(environ.get, _KEPT_KEYS))
    authorization = sent[_AUTHORIZATION]
    if authorization is not None:  # the scheme alone
        sent[_AUTHORIZATION] = authorization.split(None, 1)[0] if authorization.strip() else ""
    return _stored_headers(tuple(sent))


@lru_cache(maxsize=512)
def _stored_headers(sent: tuple[str | None, ...]) -> StoredJSON:
    """Cleaned and serialised once per distinct set: a caller sends the same headers on every
    call. The key holds no credentials (the Authorization scheme alone)."""
    kept = {}
    for name, value in zip(KEPT_HEADERS, sent, strict=True):
        if value is None:
            continue
        if name == "Authorization":
            value = f"{value} {REDACTED}".strip()
        kept[name] = clean(value, 500)
    return StoredJSON(dump_json(kept))


def safe_answer(response) -> str | None:
    """The answer's body as sent (JSON only, up to MAX_BODY_BYTES), tokens redacted."""
    if not response.is_json or response.direct_passthrough:
        return None
    data = response.get_data()
    if len(data) > MAX_BODY_BYTES:
        return None
    text = data.decode("utf-8", "replace")
    # Most answers (a day of blocks, say) hold no token, secret or escape: three scans at C
    # speed spare them the decoding and redaction of `clean`.
    if "eyJ" in text or SECRET_PREFIX[:-1] in text or "%" in text:
        return clean(text)
    return text


def _decoded(text: str) -> str:
    """Percent-encoding undone, repeatedly: encoding twice must hide nothing either."""
    for _ in range(3):
        decoded = unquote(text.replace("+", " "))
        if decoded == text:
            break
        text = decoded
    return text


def _secret_key(key: object) -> bool:
    return any(word in str(key).lower() for word in SECRET_KEY_WORDS)


def record(**fields) -> None:
    """Queue one entry; the process's journal writer stores it within a second (see
    journal_buffer). Never fails the request and never waits for the database."""
    row = fields if fields.keys() >= _COLUMN_SET else dict.fromkeys(_COLUMNS) | fields
    row["created_at"] = row["created_at"] or utcnow()
    buffer_for(current_app._get_current_object(), _write).add(row)


def flush() -> None:
    """Store what this process has queued, so that a reader sees its own writes."""
    buffer_for(current_app._get_current_object(), _write).flush()


def _write(rows: list[dict]) -> None:
    """Store queued entries and prune what lies beyond VOKE_ESM_JOURNAL_KEEP, in one
    transaction; a journal failure is logged, never raised. Ids only grow, so the cut is the
    newest id minus the number kept: the DELETE reads no more than the rows it removes, and
    pruning costs the same per call whether the table holds five thousand rows or a million."""
    keep = current_app.config["VOKE_ESM_JOURNAL_KEEP"]
    engine = db.engine
    try:
        connection = engine.raw_connection()
    except Exception:  # noqa: BLE001 - the journal is a diagnostic, never a failure
        log.warning("Could not write the request journal", exc_info=True)
        return
    try:
        values = _INSERT.bind(engine.dialect, rows)  # outside the lock: others write
        with one_writer(engine):
            cursor = connection.cursor()
            if engine.dialect.name == "postgresql":
                # A diagnostic need not wait for its WAL flush; a crash may lose the last few.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            _INSERT.write(cursor, engine.dialect, values)
            _PRUNE.execute(cursor, engine.dialect, {"keep": keep})
            cursor.close()
            connection.commit()
    except Exception:  # noqa: BLE001 - the journal is a diagnostic, never a failure
        connection.rollback()
        log.warning("Could not write the request journal", exc_info=True)
    finally:
        connection.close()


TRADING_PATH = "/api/v1/voke-esm/trading/"
ENDPOINTS = ("token", "plant/list", "plant/config", "plant/config/update")
STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx")


@dataclass(frozen=True)
class Filters:
    """What QA narrows the journal to; every field optional."""

    plant_id: str | None = None
    endpoint: str | None = None  # one of ENDPOINTS
    status_class: str | None = None  # one of STATUS_CLASSES
    faulted: bool = False  # only calls on which a fault rule fired

    def conditions(self) -> list:
        conditions = []
        if self.plant_id:
            conditions.append(JournalEntry.plant_id == self.plant_id)
        if self.endpoint:
            conditions.append(JournalEntry.path == TRADING_PATH + self.endpoint)
        if self.status_class:
            low = int(self.status_class[0]) * 100
            conditions.append(JournalEntry.status.between(low, low + 99))
        if self.faulted:
            # JSON columns hold "no rule fired" as SQL NULL or as JSON null / [].
            conditions += [JournalEntry.faults.is_not(None),
                           sa.cast(JournalEntry.faults, sa.Text).not_in(["null", "[]"])]
        return conditions


def recent(client_id: str | None = None, limit: int = 50, filters: Filters | None = None,
           after_id: int | None = None) -> list[JournalEntry]:
    """The newest calls first (with `after_id`, only entries stored after that one); this
    process's queued entries are stored first, so a reader sees its own writes. Each worker
    stores its own queue, so ids follow the order of storing and the time of the call orders
    the list; `after_id` still finds every entry stored since (ids only grow)."""
    flush()
    query = (sa.select(JournalEntry)
             .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc()).limit(limit))
    if client_id is not None:
        query = query.where(JournalEntry.client_id == client_id)
    if after_id is not None:
        query = query.where(JournalEntry.id > after_id)
    if filters is not None:
        query = query.where(*filters.conditions())
    return list(db.session.scalars(query))


def newest_id(entries: list[JournalEntry]) -> int:
    """The id of the last entry stored among these (0 for none): what a follower or a poll
    has already seen."""
    return max((entry.id for entry in entries), default=0)


def latest_id() -> int:
    """The id of the newest entry (0 when there is none): where a follower starts."""
    return db.session.scalar(sa.select(sa.func.max(JournalEntry.id))) or 0


def get_entry(client_id: str, entry_id: int) -> JournalEntry:
    """One entry of this client's calls; another client's is not found."""
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None or entry.client_id != client_id:
        raise NotFound("No such call in this organization's journal")
    return entry
