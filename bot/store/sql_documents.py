"""What the stores share of the documents and the rows kept with each: the reads, and the writes whose SQL
both run as written (mixins over ``bot.store.sql``; many ids at once through ``_rows_with``, which each
store's base answers its own way). Each store's module (``bot/store/sqlite.py``, ``bot/store/postgres.py``)
adds what it does its own way: inserting and replacing documents, rows that must belong to a stored
document, the size on disk."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from bot.models import CorpusFile, Document
from bot.store import DocumentHead, Tx
from bot.store.sql import _SqlBase

DOC_COLUMNS = "id, source, title, published, text, sha256, added_at, added_by"


class _Documents(_SqlBase):
    def find_by_hash(self, sha256: str) -> int | None:
        with self._read() as db:
            row = db.execute(self._sql("SELECT id FROM documents WHERE sha256 = ?"), (sha256,)).fetchone()
        return int(row[0]) if row else None

    def get(self, doc_id: int) -> Document | None:
        with self._read() as db:
            row = db.execute(
                self._sql(f"SELECT {DOC_COLUMNS} FROM documents WHERE id = ?"), (doc_id,)
            ).fetchone()
        return self._document(row) if row else None

    def exists(self, doc_id: int) -> bool:
        with self._read() as db:
            sql = self._sql("SELECT 1 FROM documents WHERE id = ?")
            return db.execute(sql, (doc_id,)).fetchone() is not None

    def get_many(self, ids: Sequence[int]) -> dict[int, Document]:
        rows = self._rows_with(f"SELECT {DOC_COLUMNS} FROM documents", "id", ids)
        return {int(r[0]): self._document(r) for r in rows}

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every document in id order, fetched in batches so a big corpus is never all in memory."""
        last = 0
        while True:
            with self._scan() as db:
                rows = db.execute(
                    self._sql(f"SELECT {DOC_COLUMNS} FROM documents WHERE id > ? ORDER BY id LIMIT ?"),
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._document(row)
            last = int(rows[-1][0])

    def count_documents(self) -> int:
        with self._read() as db:
            row = db.execute("SELECT COUNT(*) FROM documents").fetchone()
        return int(row[0]) if row else 0

    def documents_after(self, doc_id: int, limit: int) -> tuple[list[Document], int, int]:
        """The first ``limit`` documents with id above ``doc_id``, how many there are in all, and the
        highest id among them (0 when none)."""
        sql = self._sql
        with self._read() as db:
            head = db.execute(
                sql("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM documents WHERE id > ?"), (doc_id,)
            ).fetchone()
            rows = db.execute(
                sql(f"SELECT {DOC_COLUMNS} FROM documents WHERE id > ? ORDER BY id LIMIT ?"), (doc_id, limit)
            ).fetchall()
        count, top = head if head else (0, 0)
        return [self._document(r) for r in rows], int(count), int(top)

    def document_heads(self, doc_ids: Sequence[int]) -> dict[int, DocumentHead]:
        """(source, title, published) of these documents, without their text: a person's card lists
        hundreds of documents on a big corpus."""
        rows = self._rows_with("SELECT id, source, title, published FROM documents", "id", doc_ids)
        return {int(r[0]): (str(r[1]), str(r[2]), self._dialect.read_day(r[3])) for r in rows}

    def _document(self, row: Sequence[Any]) -> Document:
        return Document(
            id=int(row[0]),
            source=str(row[1]),
            title=str(row[2]),
            published=self._dialect.read_day(row[3]),
            text=str(row[4]),
            sha256=str(row[5]),
            added_at=self._dialect.read_stamp(row[6]),
            added_by=str(row[7]),
        )


class _People(_SqlBase):
    def set_people(self, tx: Tx, doc_id: int, extractor: int, mentions_json: str) -> None:
        """A document's extracted mentions, inside the caller's transaction; replaces earlier ones."""
        self._row_of(
            tx,
            doc_id,
            self._sql(
                "INSERT INTO document_people (doc_id, extractor, mentions)"
                " SELECT id, ?, ? FROM documents WHERE id = ?"
                " ON CONFLICT (doc_id) DO UPDATE SET extractor = excluded.extractor,"
                " mentions = excluded.mentions"
            ),
            (extractor, mentions_json, doc_id),
        )

    def iter_people(self, batch: int = 2000) -> Iterator[tuple[int, date | None, str]]:
        """(doc_id, published, mentions JSON) of every document with stored mentions, in id order."""
        last = 0
        while True:
            with self._scan() as db:
                rows = db.execute(
                    self._sql(
                        "SELECT p.doc_id, d.published, p.mentions FROM document_people p"
                        " JOIN documents d ON d.id = p.doc_id WHERE p.doc_id > ? ORDER BY p.doc_id LIMIT ?"
                    ),
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), self._dialect.read_day(row[1]), str(row[2])
            last = int(rows[-1][0])

    def people_of(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """Stored mentions JSON of these documents (those that have any)."""
        rows = self._rows_with("SELECT doc_id, mentions FROM document_people", "doc_id", doc_ids)
        return {int(r[0]): str(r[1]) for r in rows}

    def documents_without_people(self, extractor: int) -> list[int]:
        """Documents whose mentions are missing (stored before people existed) or from an older extractor."""
        with self._read() as db:
            rows = db.execute(
                self._sql(
                    "SELECT d.id FROM documents d LEFT JOIN document_people p ON p.doc_id = d.id"
                    " WHERE p.doc_id IS NULL OR p.extractor < ? ORDER BY d.id"
                ),
                (extractor,),
            ).fetchall()
        return [int(r[0]) for r in rows]


class _CorpusFiles(_SqlBase):
    def record_corpus_file(self, tx: Tx, entry: CorpusFile) -> None:
        self._row_of(
            tx,
            entry.doc_id,
            self._sql(
                "INSERT INTO corpus_files (path, size, mtime_ns, doc_id)"
                " SELECT ?, ?, ?, ?"
                " WHERE CAST(? AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM documents WHERE id = ?)"
                " ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
                " doc_id = excluded.doc_id"
            ),
            (entry.path, entry.size, entry.mtime_ns, entry.doc_id, entry.doc_id, entry.doc_id),
        )

    def corpus_files(self) -> dict[str, CorpusFile]:
        with self._read() as db:
            rows = db.execute("SELECT path, size, mtime_ns, doc_id FROM corpus_files").fetchall()
        return {r[0]: CorpusFile(r[0], int(r[1]), int(r[2]), r[3]) for r in rows}

    def corpus_path_of(self, doc_id: int) -> str | None:
        with self._read() as db:
            row = db.execute(
                self._sql("SELECT path FROM corpus_files WHERE doc_id = ? ORDER BY path LIMIT 1"),
                (doc_id,),
            ).fetchone()
        return str(row[0]) if row else None


class _Originals(_SqlBase):
    def add_original(self, tx: Tx, doc_id: int, file: str, kind: str, size: int) -> None:
        self._row_of(
            tx,
            doc_id,
            self._sql(
                "INSERT INTO originals (doc_id, file, kind, size)"
                " SELECT id, ?, ?, ? FROM documents WHERE id = ?"
                " ON CONFLICT (doc_id) DO UPDATE SET file = excluded.file, kind = excluded.kind,"
                " size = excluded.size"
            ),
            (file, kind, size, doc_id),
        )

    def original_of(self, doc_id: int) -> tuple[str, str] | None:
        """The stored original's file name and kind, or None (corpus-folder documents have none)."""
        with self._read() as db:
            row = db.execute(
                self._sql("SELECT file, kind FROM originals WHERE doc_id = ?"), (doc_id,)
            ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def original_files(self) -> set[str]:
        with self._read() as db:
            return {str(r[0]) for r in db.execute("SELECT DISTINCT file FROM originals").fetchall()}

    def original_users(self, file: str) -> int:
        with self._read() as db:
            row = db.execute(self._sql("SELECT COUNT(*) FROM originals WHERE file = ?"), (file,)).fetchone()
        return int(row[0]) if row else 0


class _Signatures(_SqlBase):
    def set_signature(
        self,
        tx: Tx,
        doc_id: int,
        sig: bytes,
        near_dup_of: int | None = None,
        similarity: float | None = None,
    ) -> None:
        self._row_of(
            tx,
            doc_id,
            self._sql(
                "INSERT INTO signatures (doc_id, sig, near_dup_of, similarity)"
                " SELECT id, ?, ?, ? FROM documents WHERE id = ?"
                " ON CONFLICT (doc_id) DO UPDATE SET sig = excluded.sig,"
                " near_dup_of = COALESCE(excluded.near_dup_of, signatures.near_dup_of),"
                " similarity = COALESCE(excluded.similarity, signatures.similarity)"
            ),
            (sig, near_dup_of, similarity, doc_id),
        )

    def clear_signature(self, tx: Tx, doc_id: int) -> None:
        self._conn(tx).execute(self._sql("DELETE FROM signatures WHERE doc_id = ?"), (doc_id,))

    def iter_signatures(self, batch: int = 2000) -> Iterator[tuple[int, bytes]]:
        last = 0
        while True:
            with self._scan() as db:
                rows = db.execute(
                    self._sql("SELECT doc_id, sig FROM signatures WHERE doc_id > ? ORDER BY doc_id LIMIT ?"),
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), bytes(row[1])
            last = int(rows[-1][0])

    def documents_without_signature(self) -> list[int]:
        with self._read() as db:
            rows = db.execute(
                "SELECT d.id FROM documents d LEFT JOIN signatures s ON s.doc_id = d.id"
                " WHERE s.doc_id IS NULL ORDER BY d.id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def count_near_duplicates(self) -> int:
        with self._read() as db:
            row = db.execute("SELECT COUNT(*) FROM signatures WHERE near_dup_of IS NOT NULL").fetchone()
        return int(row[0]) if row else 0


class _Meta(_SqlBase):
    def get_meta(self, key: str) -> str | None:
        with self._read() as db:
            row = db.execute(self._sql("SELECT value FROM meta WHERE key = ?"), (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, tx: Tx, key: str, value: str) -> None:
        self._conn(tx).execute(
            self._sql(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            (key, value),
        )
