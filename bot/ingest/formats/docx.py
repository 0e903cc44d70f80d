"""Word .docx: the body's paragraphs, read with the standard library."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

from bot.ingest.formats.archive import read_member
from bot.ingest.formats.detect import DEFAULT_LIMITS, Limits, open_zip
from bot.ingest.prepare import IngestError


def docx_text(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    """The body's paragraphs, one per line, tables and text boxes included, in reading order.

    Read with the standard library from ``word/document.xml``: python-docx would add lxml (15 MB) and
    skips text boxes and content controls. Headers, footers, footnotes and deleted tracked changes are
    left out.
    """
    archive = open_zip(data, "ingest.docx_damaged")
    try:
        info = archive.getinfo("word/document.xml")
    except KeyError:
        raise IngestError("ingest.docx_no_body") from None
    xml = read_member(archive, info, limits)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:  # Word never writes these; entity tricks do
        raise IngestError("ingest.docx_damaged")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise IngestError("ingest.docx_damaged") from None
    return "\n".join(_docx_paragraphs(root))


def _local(tag: str) -> str:
    """``{namespace}name`` to ``name``: transitional and strict OOXML use different namespaces."""
    return tag.rsplit("}", 1)[-1]


def _docx_paragraphs(root: ElementTree.Element) -> Iterator[str]:
    """Every ``w:p`` in document order, skipping ``mc:Fallback`` (a second copy of text boxes)."""
    stack = [root]
    while stack:
        element = stack.pop()
        name = _local(element.tag)
        if name == "Fallback":
            continue
        if name == "p":
            text = _docx_paragraph_text(element).strip()
            if text:
                yield text
        stack.extend(reversed(element))


_DOCX_RUN_TEXT = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


def _docx_paragraph_text(paragraph: ElementTree.Element) -> str:
    """A paragraph's own text: ``w:t`` runs, tabs and breaks, not the paragraphs nested in its text boxes
    (those are read on their own) and not deleted text (``w:delText``) or field codes (``w:instrText``)."""
    parts: list[str] = []
    stack = list(reversed(paragraph))
    while stack:
        element = stack.pop()
        name = _local(element.tag)
        if name in ("p", "Fallback"):
            continue
        if name == "t":
            parts.append(element.text or "")
        elif name in _DOCX_RUN_TEXT:
            parts.append(_DOCX_RUN_TEXT[name])
        stack.extend(reversed(element))
    return "".join(parts)
