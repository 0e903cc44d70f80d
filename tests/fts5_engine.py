"""SQLite FTS5 behind ``bot.search.SearchEngine``: a second engine for the conformance suite.

It asks FTS5 what ``bench/anchors.py``'s FTS5 anchor asks (every word a quoted term, OR-ed, the last one
unfinished, ranked by ``bm25()``), adapted to Dossier's query language: phrases must appear, excluded
words must not, ``since:``/``until:`` bound the date, stop words are left out as the memory index leaves
them out. FTS5 has no typo tolerance and no transliteration, which is why Dossier does not use it; the
suite expects exactly those cases to fail here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

from bot.search import Highlighter, Hit, IndexedDoc, SearchResult, Word
from bot.search.query import Query
from bot.textnorm import STOP_WORDS, WORD_RE


def _quoted(words: Sequence[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


class Fts5Engine:
    """An FTS5 table in memory; a snapshot is a copy of the database (``sqlite3.Connection.backup``)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(title, text, day UNINDEXED)")
        self._db.execute("CREATE TABLE IF NOT EXISTS snapshot (stamp TEXT)")

    @classmethod
    def saved_stamp(cls, path: Path) -> str | None:
        if not path.is_file():
            return None
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                row = source.execute("SELECT stamp FROM snapshot").fetchone()
            finally:
                source.close()
        except sqlite3.DatabaseError:
            return None
        return str(row[0]) if row is not None else None

    @classmethod
    def open(cls, path: Path, stamp: str) -> Self | None:
        if not path.is_file():
            return None
        engine = cls()
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                row = source.execute("SELECT stamp FROM snapshot").fetchone()
                if row is None or row[0] != stamp:
                    return None
                source.backup(engine._db)
            finally:
                source.close()
        except sqlite3.DatabaseError:
            return None
        return engine

    def save(self, path: Path, stamp: str) -> None:
        """Copy the database beside ``path``, then rename it over: a crash leaves the old snapshot."""
        with self._db:
            self._db.execute("DELETE FROM snapshot")
            self._db.execute("INSERT INTO snapshot VALUES (?)", (stamp,))
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        target = sqlite3.connect(tmp)
        try:
            self._db.backup(target)
        finally:
            target.close()
        tmp.replace(path)

    def empty(self) -> Self:
        return type(self)()

    def add_many(self, docs: Iterable[IndexedDoc], words: Sequence[list[str]] | None = None) -> None:
        """FTS5 tokenises the text itself, so ``words`` is not needed."""
        with self._db:
            for doc_id, title, text, published in docs:
                self._db.execute("DELETE FROM docs WHERE rowid = ?", (doc_id,))
                day = published.toordinal() if published else None
                self._db.execute(
                    "INSERT INTO docs(rowid, title, text, day) VALUES (?, ?, ?, ?)",
                    (doc_id, title, text, day),
                )

    def remove(self, doc_id: int) -> None:
        with self._db:
            self._db.execute("DELETE FROM docs WHERE rowid = ?", (doc_id,))

    def warm(self) -> None:
        pass  # SQLite reads its pages as queries need them: nothing to build beforehand

    def search(self, query: Query, limit: int = 10, offset: int = 0) -> SearchResult:
        if query.is_empty or not len(self):
            return SearchResult([], 0)
        words = [w for w in query.words if w not in STOP_WORDS]
        phrases = [p for p in query.phrases if any(w not in STOP_WORDS for w in p)]
        if not words and not phrases:
            return SearchResult([], 0, stop_words_only=True)
        terms = [_quoted([w]) for w in words]
        if terms and not query.phrases:
            terms[-1] += "*"  # the last word may be unfinished, as in the anchor
        parts = ["(" + " OR ".join(terms) + ")"] if terms else []
        parts += [_quoted(p) for p in phrases]
        expression = " AND ".join(parts)
        if query.excluded:
            expression = f"({expression}) NOT ({' OR '.join(_quoted([w]) for w in query.excluded)})"
        where = "docs MATCH ?"
        args: list[object] = [expression]
        if query.since or query.until:
            where += " AND day BETWEEN ? AND ?"
            args += [
                query.since.toordinal() if query.since else 1,
                query.until.toordinal() if query.until else 10**9,
            ]
        total = int(self._db.execute(f"SELECT count(*) FROM docs WHERE {where}", args).fetchone()[0])
        rows = self._db.execute(
            f"SELECT rowid, bm25(docs) FROM docs WHERE {where} ORDER BY bm25(docs), rowid LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        hits = [Hit(int(rowid), -float(rank)) for rowid, rank in rows]
        last = words[-1] if words and not query.phrases else None
        exact = frozenset(words) | {w for p in phrases for w in p}
        return SearchResult(hits, total, _highlighter(exact, last))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def __contains__(self, doc_id: int) -> bool:
        return self._db.execute("SELECT 1 FROM docs WHERE rowid = ?", (doc_id,)).fetchone() is not None


def _highlighter(exact: frozenset[str], prefix: str | None) -> Highlighter:
    """A word matches as FTS5 matched it: equal to a query word, or beginning with the unfinished one."""

    def words(text: str) -> list[Word]:
        out: list[Word] = []
        for m in WORD_RE.finditer(text):
            word = m.group().lower()
            hit = word if word in exact else (prefix if prefix and word.startswith(prefix) else None)
            out.append(Word(m.start(), m.end(), frozenset({hit}) if hit else frozenset()))
        return out

    return words
