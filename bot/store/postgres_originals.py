"""The PostgreSQL store's original files: their bytes in the database (``original_files``), which SQLite
deployments keep as files under <data>/originals (a mixin of ``PostgresStore`` in ``bot/store/postgres.py``;
which original each document was read from, ``originals``, is shared: ``bot/store/sql_documents.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.store import OriginalBytes
from bot.store.postgres_base import _Base


class _OriginalFiles(_Base):
    """``bot.store.OriginalBytes``: the original files in the database, by the names ``originals`` uses."""

    def original_bytes(self) -> OriginalBytes:
        return self

    def put_original_bytes(self, files: Sequence[tuple[str, bytes]]) -> set[str]:
        """Store these files (name, bytes) in one committed transaction; the names that were new (a name
        already stored holds the same bytes: names come from the bytes' hash)."""
        if not files:
            return set()
        with self._write() as db, db.cursor() as cur:
            cur.executemany(
                "INSERT INTO original_files (file, data) VALUES (%s, %s) ON CONFLICT (file) DO NOTHING"
                " RETURNING file",
                list(files),
                returning=True,
            )
            new: set[str] = set()
            while True:
                row = cur.fetchone()
                if row is not None:
                    new.add(str(row[0]))
                if not cur.nextset():
                    break
        return new

    def read_original_bytes(self, file: str) -> bytes | None:
        with self._use() as db:
            row = db.execute("SELECT data FROM original_files WHERE file = %s", (file,)).fetchone()
        return bytes(row[0]) if row else None

    def remove_original_bytes(self, file: str) -> None:
        """Delete a file unless a document refers to it (checked in the same statement)."""
        with self._use() as db:
            db.execute(
                "DELETE FROM original_files f WHERE f.file = %s"
                " AND NOT EXISTS (SELECT 1 FROM originals o WHERE o.file = f.file)",
                (file,),
            )

    def remove_unused_original_bytes(self, older_than: float) -> int:
        """Delete files no document refers to, stored more than ``older_than`` seconds ago."""
        with self._use() as db:
            cur = db.execute(
                "DELETE FROM original_files f WHERE f.stored_at < now() - make_interval(secs => %s)"
                " AND NOT EXISTS (SELECT 1 FROM originals o WHERE o.file = f.file)",
                (older_than,),
            )
        return cur.rowcount

    def original_bytes_size(self) -> int:
        with self._use() as db:
            row = db.execute("SELECT pg_total_relation_size('original_files')").fetchone()
        return int(row[0]) if row else 0
