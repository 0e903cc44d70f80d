"""Turning a file's bytes into a document: decoding, title, date, and the reasons a file is refused.

Pure functions, no I/O beyond what the caller hands in, so uploads, the corpus folder and the CLI share them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from charset_normalizer import from_bytes

from bot.dates import publication_date
from bot.errors import UserError
from bot.messages import Coded
from bot.textnorm import WORD_RE, normalize_for_hash

TEXT_SUFFIXES = (".txt", ".md")
TITLE_MAX = 140
_MIN_TITLE_WORDS = 3  # "Search", "Publications": menu leftovers of scraped pages are not titles


class IngestError(UserError, ValueError):
    """A file that cannot become a document: raised with an ``ingest.`` code and its params
    (``IngestError("ingest.too_big", size=Bytes(26214400), limit=Bytes(20971520))``), worded in
    ``bot.messages``."""

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code, **params)

    @property
    def reason(self) -> Coded:
        """The reason as an outcome records it (``Outcome.reason``, ``Skipped.reason``)."""
        return Coded(self.code, **self.params)


@dataclass(frozen=True)
class Prepared:
    """A document ready to store."""

    source: str
    title: str
    published: date | None
    text: str
    sha256: str


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 when it is (the common case, and exact), else the detected charset."""
    if not data.strip():
        raise IngestError("ingest.empty")
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise IngestError("ingest.binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise IngestError("ingest.unknown_encoding")
    text = str(best)
    if _junk_ratio(text) > 0.05:
        raise IngestError("ingest.binary")
    return text


def _junk_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    junk = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return junk / len(sample)


def title_of(text: str, fallback: str) -> str:
    """The first meaningful line: the first of at least three words, else the first non-empty one."""
    lines = [line.strip().lstrip("#").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    chosen = next((line for line in lines if len(WORD_RE.findall(line)) >= _MIN_TITLE_WORDS), None)
    if chosen is None:
        chosen = lines[0] if lines else fallback
    chosen = re.sub(r"\s+", " ", chosen)
    if len(chosen) > TITLE_MAX:
        cut = chosen[:TITLE_MAX].rsplit(" ", 1)[0]
        chosen = cut.rstrip(",;:") + "…"
    return chosen


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()


def prepare_text(source: str, text: str) -> Prepared:
    """A decoded text as a document, or IngestError when there is nothing to index."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not WORD_RE.search(text):
        raise IngestError("ingest.no_words")
    return Prepared(
        source=source,
        title=title_of(text, source),
        published=publication_date(text),
        text=text,
        sha256=content_hash(text),
    )


def prepare_file(source: str, data: bytes) -> Prepared:
    """A plain-text or Markdown file's bytes as a document."""
    if not source.lower().endswith(TEXT_SUFFIXES):
        raise IngestError("ingest.not_plain_text", source=source)
    return prepare_text(source, decode(data))
