"""The stores' change feed: what other processes changed in the documents (a mixin of ``SqliteStore`` and
``PostgresStore``, over ``bot.store.sql``; the contract is ``bot.store.ChangeFeed``)."""

from __future__ import annotations

from bot.store import DocumentChange
from bot.store.sql import _SqlBase


class _Changes(_SqlBase):
    _writer: str  # this store's ``ChangeFeed.writer_id``

    @property
    def writer_id(self) -> str:
        """This store's random id, recorded with its own document changes."""
        return self._writer

    def changes_since(self, seq: int, limit: int = 1000) -> list[DocumentChange]:
        """The documents changed after generation ``seq``, oldest change first. A change's number is
        drawn under the generation row's lock (SQLite: its one writer's), held until its transaction
        commits, so a later number never becomes visible before an earlier one."""
        with self._read() as db:
            rows = db.execute(
                self._sql(
                    "SELECT seq, doc_id, writer FROM document_changes WHERE seq > ? ORDER BY seq LIMIT ?"
                ),
                (seq, limit),
            ).fetchall()
        return [DocumentChange(int(r[0]), int(r[1]), str(r[2])) for r in rows]
