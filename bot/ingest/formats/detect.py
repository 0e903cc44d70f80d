"""What a file is, from its content first and its name second, and the types every reader shares.

The type is read from the content (magic bytes) before the name, because uploads are often misnamed: a
``.txt`` that is really a PDF is read as a PDF. A name that promises a format the content does not have
(a ``.docx`` that is not a zip) is refused rather than indexed as garbage.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal

from bot.i18n import Bytes
from bot.ingest.prepare import IngestError
from bot.messages import Coded

_MB = 1024 * 1024

Kind = Literal["text", "markdown", "html", "pdf", "docx", "zip"]
# Files of one document each, read from the corpus folder (archives there are left to the ingest CLI).
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
# An original is kept under a name ending in its kind's suffix, which is all ``detect`` needs to read it
# again.
KIND_SUFFIX: dict[str, str] = {
    "text": ".txt",
    "markdown": ".md",
    "html": ".html",
    "pdf": ".pdf",
    "docx": ".docx",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits for one upload. The defaults fit Telegram (bots download at most 20 MB) and a small
    server; a caller with other needs passes its own."""

    max_file_bytes: int = 20 * _MB  # one file, and one archive member once uncompressed
    max_total_bytes: int = 100 * _MB  # all members of one archive, uncompressed
    max_members: int = 1000  # entries in one archive, directories included
    max_ratio: int = 100  # uncompressed:compressed, per member; text rarely passes 10:1
    max_pdf_pages: int = 2000
    html_seconds: int = 10  # one web page's reading, wall clock (``deadline.read_html``)

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value <= 0:
                raise ValueError(f"Limits.{name} must be positive, not {value}")


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Extracted:
    """A document's text. ``source`` is the file name, or ``archive.zip/folder/member.txt``."""

    source: str
    text: str
    kind: Kind
    # The bytes the text came from (the file, or the archive member): what is kept as the original.
    data: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class Skipped:
    """An archive member that gave no document, and why (an ``ingest.`` code and its params, worded for
    the user when shown)."""

    source: str
    reason: Coded


Extraction = Extracted | Skipped  # what reading one file (or one archive member) gives


_TEXT_SUFFIXES: dict[str, Kind] = {
    "": "text",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip
# Formats we recognise but do not read, each refused with a reason that says what the user can do about it.
_REFUSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ingest.old_office"),
    (b"{\\rtf", "ingest.rtf"),
    (b"\x1f\x8b", "ingest.gzip"),
    (b"7z\xbc\xaf\x27\x1c", "ingest.seven_zip"),
    (b"Rar!\x1a\x07", "ingest.rar"),
    (b"\x89PNG\r\n\x1a\n", "ingest.image"),
    (b"\xff\xd8\xff", "ingest.image"),
    (b"GIF8", "ingest.image"),
)
# Names that promise a format the content does not have.
_MISNAMED: dict[str, str] = {".pdf": "ingest.not_pdf", ".docx": "ingest.not_docx", ".zip": "ingest.not_zip"}
_HTML_START_RE = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|meta)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG_RE = re.compile(rb"<(?:p|div|span|article|section|table|h[1-6]|br|ul|li|a\s)\b", re.IGNORECASE)


def detect(name: str, data: bytes) -> Kind:
    """The file's type, from its content first and its name second; IngestError for what is not read."""
    if not data:
        raise IngestError("ingest.empty")
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if _is_pdf(data):
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(suffix, data)
    for magic, code in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise IngestError(code)
    if suffix in _MISNAMED:
        raise IngestError(_MISNAMED[suffix], suffix=suffix)
    head = data[:4096]
    if suffix in _HTML_SUFFIXES or _HTML_START_RE.match(head):
        return "html"
    if suffix in _TEXT_SUFFIXES:
        return _TEXT_SUFFIXES[suffix]
    if head.lstrip().startswith(b"<") and _HTML_TAG_RE.search(head):  # a saved page named .php, .aspx…
        return "html"
    raise IngestError("ingest.unsupported", suffix=suffix)


def _is_pdf(data: bytes) -> bool:
    """A PDF header at the start; or after some junk within the first kilobyte, as viewers accept, but
    then only in what is not a web page (a page that mentions ``%PDF-`` near its top is a page) and has
    the objects a PDF is made of."""
    at = data.find(b"%PDF-", 0, 1024)
    if at <= 0:
        return at == 0
    junk = data[:at]
    if _HTML_START_RE.match(data[:4096]) or (junk.lstrip().startswith(b"<") and _HTML_TAG_RE.search(junk)):
        return False
    return b"endobj" in data


def _zip_kind(suffix: str, data: bytes) -> Kind:
    """A zip is a .docx when it holds a Word body, another Office file when it has their manifest."""
    damaged = "ingest.docx_damaged" if suffix == ".docx" else "ingest.zip_damaged"
    names = set(open_zip(data, damaged).namelist())
    if "word/document.xml" in names:
        return "docx"
    if suffix == ".docx":
        raise IngestError("ingest.docx_no_body")
    if "[Content_Types].xml" in names or "mimetype" in names:
        raise IngestError("ingest.office_not_docx")
    return "zip"


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise IngestError("ingest.too_big", size=Bytes(size), limit=Bytes(limits.max_file_bytes))


def open_zip(data: bytes, damaged: str) -> zipfile.ZipFile:
    """The archive, or ``IngestError(damaged)``: the code that says what it was meant to be."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise IngestError(damaged) from None
