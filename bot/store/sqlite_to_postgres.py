"""``python -m bot migrate-store --to URL``: a SQLite store copied into an empty PostgreSQL database, every
row with its id, the kept original files into ``original_files``, then checked by counts and content hashes.

The copy is one transaction (all of it, or nothing), table by table in foreign-key order with ``COPY``;
each SQLite value is turned into its PostgreSQL column's type (ISO text into DATE and TIMESTAMPTZ). The
identity of ``documents`` then continues after the highest id SQLite ever gave (its ``sqlite_sequence``),
so no id is reused. The store id and generation come along in ``meta``: a search-index snapshot of the
SQLite store is valid for the copy, which holds the same documents.

The check reads both sides again: per table the number of rows and a SHA-256 over the sorted hashes of its
rows in one canonical form (so neither side's order or collation matters); for the original files, that
each file's bytes hash to the name it is stored under.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from psycopg import sql

from bot.errors import StoreError
from bot.store.postgres import PostgresStore
from bot.store.postgres_base import Connection, refusals, where
from bot.store.postgres_migrations import PG_ONLY_TABLES
from bot.store.sqlite import SqliteStore

_BATCH = 2000
_FILE_RE = r"^[0-9a-f]/[0-9a-f]{64}\.[a-z]{2,4}$"  # as bot.ingest.originals names them


@dataclass(frozen=True)
class TableCheck:
    """One table on both sides: rows and content hash in the SQLite store, then in PostgreSQL."""

    table: str
    source_rows: int
    target_rows: int
    source_hash: str
    target_hash: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_hash == self.target_hash


@dataclass
class CopyReport:
    tables: list[TableCheck] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)  # originals referenced but not on disk
    next_id: int = 1

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and not self.missing_files


def copy_sqlite_to_postgres(
    sqlite_path: Path, originals_dir: Path, url: str, progress: Callable[[str], None] | None = None
) -> CopyReport:
    """Copy the SQLite store at ``sqlite_path`` (its kept originals under ``originals_dir``) into the
    PostgreSQL database at ``url``, which must hold no Dossier data yet (``StoreError`` otherwise), then
    check both sides."""
    SqliteStore(sqlite_path).close()  # integrity checked and migrated to the latest schema first
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    target = PostgresStore(url)
    try:
        db = target.connect()
        try:
            with refusals():
                _refuse_non_empty(db, url)
                tables = _tables_in_fk_order(db)
                report = CopyReport()
                with db.transaction():
                    for table in tables:
                        if progress:
                            progress(table)
                        _copy_table(source, db, table)
                    if progress:
                        progress("original_files")
                    report.missing_files = _copy_files(source, db, originals_dir)
                    report.next_id = _continue_ids(source, db)
                with db.transaction():  # one snapshot of the target for all the checks
                    report.tables += [_check_table(source, db, table) for table in tables]
                    report.tables.append(_check_files(source, db, originals_dir))
        finally:
            db.close()
    finally:
        source.close()
        target.close()
    return report


def _refuse_non_empty(db: Connection, url: str) -> None:
    """Nothing but a fresh schema: every table empty, meta holding only generation 0."""
    for table in _tables_in_fk_order(db) + sorted(PG_ONLY_TABLES - {"schema_version"}):
        query: sql.SQL | sql.Composed = sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table))
        if table == "meta":
            query = sql.SQL("SELECT 1 FROM meta WHERE NOT (key = 'generation' AND value = '0') LIMIT 1")
        if db.execute(query).fetchone():
            raise StoreError("store.target_not_empty", where=where(url), table=table)


def _tables_in_fk_order(db: Connection) -> list[str]:
    """Dossier's tables (those SQLite has too), each after the tables its foreign keys refer to."""
    names = [
        str(r[0])
        for r in db.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    names = [n for n in names if n not in PG_ONLY_TABLES]
    refers: dict[str, set[str]] = {n: set() for n in names}
    for child, parent in db.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    ):
        if child in refers and parent != child:
            refers[child].add(parent)
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refers[n] <= set(ordered)]
        if not ready:
            raise StoreError("store.constraint", reason="circular foreign keys")
        ordered.extend(ready)
    return ordered


def _columns(db: Connection, table: str) -> list[tuple[str, str]]:
    """(name, PostgreSQL type) of a table's columns, in order."""
    rows = db.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def _convert(value: Any, pg_type: str) -> Any:
    """A SQLite value as its PostgreSQL column's Python type."""
    if value is None:
        return None
    if pg_type == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if pg_type.startswith("timestamp"):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if pg_type == "bytea":
        return bytes(value)
    if pg_type in ("bigint", "integer", "smallint"):
        return int(value)
    if pg_type in ("double precision", "real", "numeric"):
        return float(value)
    return str(value)


def _source_rows(
    source: sqlite3.Connection, table: str, columns: Sequence[tuple[str, str]]
) -> Iterator[tuple[Any, ...]]:
    names = ", ".join(f'"{name}"' for name, _ in columns)
    cur = source.execute(f'SELECT {names} FROM "{table}"')
    while rows := cur.fetchmany(_BATCH):
        for row in rows:
            yield tuple(_convert(v, t) for v, (_, t) in zip(row, columns, strict=True))


def _copy_table(source: sqlite3.Connection, db: Connection, table: str) -> None:
    columns = _columns(db, table)
    if table == "meta":
        db.execute("DELETE FROM meta")  # the fresh schema's generation row: SQLite's comes instead
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    )
    with db.cursor() as cur, cur.copy(query) as copy:
        for row in _source_rows(source, table, columns):
            copy.write_row(row)


def _referenced_files(source: sqlite3.Connection) -> list[str]:
    return sorted(str(r[0]) for r in source.execute("SELECT DISTINCT file FROM originals"))


def _copy_files(source: sqlite3.Connection, db: Connection, originals_dir: Path) -> list[str]:
    """Every original a document refers to, into ``original_files``; the names missing from the folder."""
    missing: list[str] = []
    with db.cursor() as cur, cur.copy("COPY original_files (file, data) FROM STDIN") as copy:
        for name in _referenced_files(source):
            path = originals_dir / name
            if not re.match(_FILE_RE, name) or not path.is_file():
                missing.append(name)
                continue
            copy.write_row((name, path.read_bytes()))
    return missing


def _continue_ids(source: sqlite3.Connection, db: Connection) -> int:
    """Make new rows' ids continue after every id SQLite gave (deleted ones included): documents, follows
    and follow hits (a hit's seq orders a chat's alerts); the next document id."""
    nexts: dict[str, int] = {}
    for table, column in (("documents", "id"), ("follows", "id"), ("follow_hits", "seq")):
        given = source.execute(
            f"SELECT MAX(n) FROM (SELECT COALESCE(MAX({column}), 0) AS n FROM {table}"
            " UNION ALL SELECT seq FROM sqlite_sequence WHERE name = ?)",
            (table,),
        ).fetchone()
        top = int(given[0] or 0) if given else 0
        if top:
            db.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, true)", (table, column, top))
        nexts[table] = top + 1
    return nexts["documents"]


def _canonical(value: Any) -> str:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return repr(value)


def content_hash(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(rows, SHA-256 over the sorted hashes of the rows in canonical form): the same on both sides for
    the same content, whatever order each returns them in."""
    digests = sorted(hashlib.sha256("\x1f".join(map(_canonical, row)).encode()).digest() for row in rows)
    total = hashlib.sha256()
    for digest in digests:
        total.update(digest)
    return len(digests), total.hexdigest()


def _check_table(source: sqlite3.Connection, db: Connection, table: str) -> TableCheck:
    columns = _columns(db, table)
    source_rows, source_hash = content_hash(_source_rows(source, table, columns))
    query = sql.SQL("SELECT {} FROM {}").format(
        sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns), sql.Identifier(table)
    )
    with db.cursor(name=f"check_{table}") as cur:  # a server-side cursor: big tables arrive in batches
        cur.itersize = _BATCH
        target_rows, target_hash = content_hash(cur.execute(query))
    return TableCheck(table, source_rows, target_rows, source_hash, target_hash)


def _check_files(source: sqlite3.Connection, db: Connection, originals_dir: Path) -> TableCheck:
    """The originals: on disk (referenced ones) against ``original_files``, each hashed; a file whose
    bytes do not hash to its name counts as a different row."""
    on_disk = []
    for name in _referenced_files(source):
        path = originals_dir / name
        if path.is_file():
            on_disk.append((name, hashlib.sha256(path.read_bytes()).hexdigest()))
    stored = []
    with db.cursor(name="check_original_files") as cur:
        cur.itersize = 200
        for name, data in cur.execute("SELECT file, data FROM original_files"):
            digest = hashlib.sha256(bytes(data)).hexdigest()
            stored.append((str(name), digest if str(name)[2:].startswith(digest) else "mismatch"))
    source_rows, source_hash = content_hash(on_disk)
    target_rows, target_hash = content_hash(stored)
    return TableCheck("original_files", source_rows, target_rows, source_hash, target_hash)
