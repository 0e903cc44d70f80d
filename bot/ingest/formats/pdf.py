"""PDF: the text layer of every page (pypdf; no OCR)."""

from __future__ import annotations

import io
import logging

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from bot.ingest.formats.detect import DEFAULT_LIMITS, Limits
from bot.ingest.prepare import IngestError

log = logging.getLogger(__name__)


def pdf_text(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text layer of every page, pages separated by a blank line (pypdf; no OCR)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _unlock(reader):
            raise IngestError("ingest.pdf_encrypted")
        if len(reader.pages) > limits.max_pdf_pages:
            raise IngestError("ingest.pdf_pages", n=limits.max_pdf_pages)
        pages = [page.extract_text() for page in reader.pages]
    except IngestError:
        raise
    except Exception as exc:  # a third-party parser on untrusted bytes: anything it raises means "damaged"
        log.debug("unreadable PDF", exc_info=True)
        raise IngestError("ingest.pdf_damaged") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise IngestError("ingest.pdf_no_text_layer")
    return text


def _unlock(reader: PdfReader) -> bool:
    """Open a PDF that is encrypted with an empty user password (only copying or printing restricted,
    which every viewer opens without asking). AES needs the optional ``cryptography`` package."""
    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except DependencyError:
        return False
