"""Search: what Dossier needs from a search engine, and what an engine gives back.

``Dossier`` holds a ``SearchEngine``; ``disk.DiskIndex`` is the one it ships with: ``memory.MemoryIndex``'s
analysis and ranking over postings mapped from disk (``segment``, ``postings``). The package's other
modules: ``query`` parses what users type, ``expand`` finds a word's typo neighbours and completions,
``snippets`` cuts the passage shown with a hit. An engine stores no document bodies: the
store has them, and the engine answers with ids. ``tests/test_search_engines.py`` runs the same cases
over every engine it knows, so "replaceable" is checked rather than claimed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, Self

from bot.search.query import Query
from bot.textnorm import WORD_RE, word_list

# One document as an engine indexes it: id, title, text, publication date.
IndexedDoc = tuple[int, str, str, date | None]


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: int
    score: float


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a document's text, and what of the query it matched (nothing: an empty set).

    ``matched`` holds the engine's own names for the query terms this word answers; only their number
    counts (a passage that matches more distinct terms is the better snippet), so any engine can choose
    them: index keys, query words, or the word itself."""

    start: int
    end: int
    matched: frozenset[str]


# Every word of a text, in order, with what each matched: how a snippet finds and marks its passage
# without knowing the engine's analysis (stemming, transliteration, typo expansion).
Highlighter = Callable[[str], list[Word]]


def plain_words(text: str) -> list[Word]:
    """The words of a text, none of them matched (the highlighter of a search that matched nothing)."""
    return [Word(m.start(), m.end(), frozenset()) for m in WORD_RE.finditer(text)]


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    highlighter: Highlighter = plain_words  # marks what this search matched in a hit's text
    suggestion: str | None = None
    stop_words_only: bool = False
    # The query's words that no document matched (in any spelling the engine tries), as typed: a reply
    # says so under the documents that match the rest, rather than a bare "nothing found".
    unmatched_words: tuple[str, ...] = ()
    # No hit has every query word: the hits match most of them (an engine that ranks documents with
    # fewer of the words lower, as MemoryIndex does, still shows them).
    partial: bool = False


def index_words(text: str) -> list[str]:
    """The words of a text as ``SearchEngine.add_many`` takes them precomputed: lowercased, in order."""
    return word_list(text)


class SearchEngine(Protocol):
    """What Dossier needs from a search engine. Calls are serialised by the caller (one writer, no
    concurrent reads), so an engine need not be thread-safe."""

    @classmethod
    def open(cls, path: Path, stamp: str) -> Self | None:
        """The engine saved at ``path`` by ``save(path, stamp)`` with this very ``stamp``, or None (no
        snapshot, another stamp, an unreadable or older format): then the caller rebuilds from the store.
        An engine that keeps its index elsewhere (a server) may ignore ``path``."""

    @classmethod
    def saved_stamp(cls, path: Path) -> str | None:
        """The stamp the index at ``path`` was saved with, without loading it; None when there is none
        or it cannot be read. The caller may then open an index saved a few store changes ago and apply
        those changes, rather than rebuild everything after a crash skipped the last save."""

    def save(self, path: Path, stamp: str) -> None:
        """Keep this index at ``path`` for a later ``open(path, stamp)``. ``stamp`` names the store state
        the index reflects. A crash while saving must leave the previous snapshot readable."""

    def empty(self) -> Self:
        """A new, empty engine configured like this one: a rebuild fills it aside, then swaps it in."""

    def add_many(self, docs: Iterable[IndexedDoc], words: Sequence[list[str]] | None = None) -> None:
        """Index documents, replacing earlier versions with the same ids (within a batch the later one
        wins). ``words``, when given, are ``index_words`` of each text, worked out already (by a scan's
        worker process): an engine may use them or tokenise the text itself."""

    def remove(self, doc_id: int) -> None:
        """Forget a document (no error if it is not indexed)."""

    def warm(self) -> None:
        """Build or load now what queries need and would otherwise make on first use (after a bulk
        build or a load, before queries come): a user's first query then costs what any other does."""

    def search(self, query: Query, limit: int = 10, offset: int = 0) -> SearchResult:
        """Ranked hits ``offset`` to ``offset + limit``, the number of all matches, and how to mark them."""

    def __len__(self) -> int:
        """The number of documents indexed."""

    def __contains__(self, doc_id: int) -> bool:
        """Whether a document is indexed."""
