"""Reading uploaded files: plain text, Markdown, web pages, PDF, Word .docx, and .zip archives of them.

``extract(name, data)`` turns one uploaded file's bytes into texts ready for ``bot.ingest.prepare_text``.
The type comes from ``detect`` (content first, name second); each format has its module: ``pdf``,
``docx``, ``html`` (read in a worker process with a deadline: ``deadline``), ``archive``.

A whole-file failure raises ``IngestError`` with a code, worded for the user when shown. An
archive reports every member on its own (``Extracted`` or ``Skipped``), so one bad file does not hide the
others.

Functions over bytes, like ``bot.ingest.prepare``: no I/O but the web-page worker's pipe.
"""

from __future__ import annotations

from bot.ingest.formats.archive import Member, unpack
from bot.ingest.formats.deadline import read_html
from bot.ingest.formats.detect import (
    DEFAULT_LIMITS,
    DOCUMENT_SUFFIXES,
    KIND_SUFFIX,
    Extracted,
    Extraction,
    Kind,
    Limits,
    Skipped,
    check_size,
    detect,
)
from bot.ingest.formats.docx import docx_text
from bot.ingest.formats.pdf import pdf_text
from bot.ingest.prepare import IngestError, decode
from bot.messages import Coded

__all__ = [
    "DEFAULT_LIMITS",
    "DOCUMENT_SUFFIXES",
    "KIND_SUFFIX",
    "Extracted",
    "Extraction",
    "Kind",
    "Limits",
    "Skipped",
    "detect",
    "extract",
]


def extract(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> list[Extraction]:
    """The texts in one uploaded file: one ``Extracted`` for a document, one outcome per member for a .zip.

    Raises ``IngestError`` when the file as a whole cannot be read (damaged, encrypted, too big, a zip
    bomb, an unsupported type, no text).
    """
    check_size(len(data), limits)
    kind = detect(name, data)
    if kind == "zip":
        return [_extract_member(m, limits) for m in unpack(name, data, limits)]
    return [Extracted(name, _text_of(kind, data, limits), kind, data)]


def _text_of(kind: Kind, data: bytes, limits: Limits) -> str:
    """One document's text, by kind; IngestError when it has none."""
    if kind == "pdf":
        text = pdf_text(data, limits)
    elif kind == "docx":
        text = docx_text(data, limits)
    elif kind == "html":
        text = read_html(data, limits.html_seconds)
    else:
        text = decode(data) if data.strip() else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        raise IngestError("ingest.no_text")
    return text


def _extract_member(unpacked: Skipped | Member, limits: Limits) -> Extraction:
    """An archive member read like a file of its own (but never another archive)."""
    if isinstance(unpacked, Skipped):
        return unpacked
    source, member, content = unpacked
    try:
        kind = detect(member, content)
        if kind == "zip":
            return Skipped(source, Coded("ingest.nested_archive"))
        return Extracted(source, _text_of(kind, content, limits), kind, content)
    except IngestError as exc:
        return Skipped(source, exc.reason)
