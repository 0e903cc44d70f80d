"""What the SQLite and PostgreSQL stores share: the aggregates whose SQL both run as written, over a small
``Dialect`` (placeholders, ``MAX`` or ``GREATEST``, how a time is stored) and ``_SqlBase``, the connection
and transaction handling each store's base gives them (``bot/store/sqlite_base.py``,
``bot/store/postgres_base.py``).

Shared SQL is written with SQLite's ``?`` placeholders and a literal ``%`` never appears in it: the
PostgreSQL dialect turns each ``?`` into ``%s``. A method whose SQL or handling differs stays in its
store's own module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from bot.models import InFlightPart
from bot.store import Tx


class Cursor(Protocol):
    """The part of a DB-API cursor the shared aggregates use (``sqlite3`` and ``psycopg`` both have it)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def executemany(self, sql: str, params_seq: Any, /) -> Any: ...

    def close(self) -> Any: ...


class Connection(Protocol):
    """The part of a DB-API connection the shared aggregates use."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...

    def cursor(self) -> Cursor: ...


@dataclass(frozen=True)
class Dialect:
    """What differs in the SQL text and the values of the two stores."""

    mark: str  # the placeholder: "?" (SQLite) or "%s" (PostgreSQL)
    greatest: str  # the larger of two values: MAX(a, b) in SQLite, GREATEST(a, b) in PostgreSQL
    stamp: Callable[[datetime], object]  # a time as the store keeps it
    read_stamp: Callable[[Any], datetime]  # and back
    read_day: Callable[[Any], date | None]  # a stored DATE (or NULL) as a date
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def sql(self, text: str) -> str:
        """``text`` (written with ``?``) in this dialect's placeholders."""
        if self.mark == "?":
            return text
        out = self._cache.get(text)
        if out is None:
            out = self._cache[text] = text.replace("?", self.mark)
        return out


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _iso_day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _same(value: Any) -> Any:
    return value


SQLITE = Dialect(mark="?", greatest="MAX", stamp=_iso, read_stamp=datetime.fromisoformat, read_day=_iso_day)
# psycopg sends and reads ``timestamptz`` as aware datetimes and ``date`` as dates.
POSTGRES = Dialect(mark="%s", greatest="GREATEST", stamp=_same, read_stamp=_same, read_day=_same)


class _SqlBase:
    """What a shared aggregate needs of its store: the dialect, and the ways to the connection."""

    _dialect: Dialect

    def _sql(self, text: str) -> str:
        """Shared SQL (written with ``?``) in this store's dialect."""
        return self._dialect.sql(text)

    @classmethod
    def _conn(cls, tx: Tx) -> Connection:
        """The connection of a caller's transaction (``TypeError`` for another store's)."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Connection]:
        """The connection, for reads (under the store's lock)."""
        raise NotImplementedError

    def _scan(self) -> AbstractContextManager[Connection]:
        """The connection for reading every row of a table in batches (the builds at start)."""
        raise NotImplementedError

    def _row_of(self, tx: Tx, doc_id: int | None, statement: str, params: tuple[object, ...]) -> None:
        """A row that belongs to document ``doc_id`` (the statement writes nothing when the document is
        not stored): ``NoSuchDocument`` then, the transaction still usable."""
        raise NotImplementedError

    def _rows_with(self, select: str, column: str, ids: Sequence[int]) -> list[Any]:
        """The rows of ``select`` (a SELECT with no WHERE) whose ``column`` is one of ``ids``."""
        raise NotImplementedError

    def _statement(self) -> AbstractContextManager[Connection]:
        """The connection, for one write statement (atomic on its own)."""
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Connection]:
        """One write transaction of several statements: all of it is committed, or none of it."""
        raise NotImplementedError

    def _inflight(self, select: str, chat_id: int) -> InFlightPart | None:
        """The message in flight to ``chat_id`` (a digest part, an alert) that ``select`` reads: its chat,
        how far it goes, its message id (NULL before Telegram answered) and since when; None if none."""
        with self._read() as db:
            row = db.execute(self._sql(select), (chat_id,)).fetchone()
        if row is None:
            return None
        message_id = int(row[2]) if row[2] is not None else None
        return InFlightPart(int(row[0]), int(row[1]), message_id, self._dialect.read_stamp(row[3]))
