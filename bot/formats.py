"""Reading uploaded files: plain text, Markdown, web pages, PDF, Word .docx, and .zip archives of them.

``extract(name, data)`` turns one uploaded file's bytes into texts ready for ``bot.ingest.prepare_text``.
The type is read from the content (magic bytes) before the name, because uploads are often misnamed: a
``.txt`` that is really a PDF is read as a PDF. A name that promises a format the content does not have
(a ``.docx`` that is not a zip) is refused rather than indexed as garbage.

A whole-file failure raises ``IngestError`` with a reason in plain words, shown to the user as is. An
archive reports every member on its own (``Extracted`` or ``Skipped``), so one bad file does not hide the
others. Archives are untrusted: sizes, member counts and compression ratios are checked against ``Limits``
from the headers and again while reading, and nothing is ever written to disk, so a member's name is only a
label and a name such as ``../../etc/passwd`` cannot escape anywhere (it is still reported and left out).

Pure functions over bytes, like ``bot.ingest``: no I/O, no global state.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal, TypeGuard
from xml.etree import ElementTree

from bs4 import BeautifulSoup
from bs4.element import (
    NavigableString,
    PageElement,
    PreformattedString,
    Script,
    Stylesheet,
    Tag,
    TemplateString,
)
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from bot.ingest import IngestError, decode

log = logging.getLogger(__name__)

_MB = 1024 * 1024

Kind = Literal["text", "markdown", "html", "pdf", "docx", "zip"]
SUPPORTED = ".txt, .md, .html, .pdf, .docx or .zip"
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

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value <= 0:
                raise ValueError(f"Limits.{name} must be positive, not {value}")


DEFAULT_LIMITS = Limits()
# The ratio test starts above this size: small files of repeated characters compress far beyond 100:1
# and are harmless, since the size limits hold them anyway.
_RATIO_MIN_BYTES = _MB


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
    """An archive member that gave no document, and why (in plain words, for the user)."""

    source: str
    reason: str


Outcome = Extracted | Skipped


def extract(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> list[Outcome]:
    """The texts in one uploaded file: one ``Extracted`` for a document, one outcome per member for a .zip.

    Raises ``IngestError`` when the file as a whole cannot be read (damaged, encrypted, too big, a zip
    bomb, an unsupported type, no text).
    """
    _check_size(len(data), limits)
    kind = detect(name, data)
    if kind == "zip":
        return _extract_zip(name, data, limits)
    return [Extracted(name, _text_of(kind, data, limits), kind, data)]


# --- detection ---------------------------------------------------------------------------------------

_TEXT_SUFFIXES: dict[str, Kind] = {
    "": "text",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip
# Formats we recognise but do not read, each with what the user can do about it.
_REFUSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Microsoft Office file (.doc, .xls) or a password-protected one; save it as .docx or PDF",
    ),
    (b"{\\rtf", "an RTF file is not read; save it as .docx, PDF or .txt"),
    (b"\x1f\x8b", "a gzip archive is not opened; send a .zip"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive is not opened; send a .zip"),
    (b"Rar!\x1a\x07", "a RAR archive is not opened; send a .zip"),
    (b"\x89PNG\r\n\x1a\n", "an image, not a document (text in images is not read)"),
    (b"\xff\xd8\xff", "an image, not a document (text in images is not read)"),
    (b"GIF8", "an image, not a document (text in images is not read)"),
)
_HTML_START_RE = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|meta)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG_RE = re.compile(rb"<(?:p|div|span|article|section|table|h[1-6]|br|ul|li|a\s)\b", re.IGNORECASE)


def detect(name: str, data: bytes) -> Kind:
    """The file's type, from its content first and its name second; IngestError for what is not read."""
    if not data:
        raise IngestError("the file is empty")
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if b"%PDF-" in data[:1024]:  # the PDF header may follow some junk, as viewers accept
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(suffix, data)
    for magic, reason in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise IngestError(reason)
    named = {".pdf": "a PDF", ".docx": "a Word document (it is not a zip archive)", ".zip": "a zip archive"}
    if suffix in named:
        raise IngestError(f"the file is named {suffix} but is not {named[suffix]}")
    head = data[:4096]
    if suffix in _HTML_SUFFIXES or _HTML_START_RE.match(head):
        return "html"
    if suffix in _TEXT_SUFFIXES:
        return _TEXT_SUFFIXES[suffix]
    if head.lstrip().startswith(b"<") and _HTML_TAG_RE.search(head):  # a saved page named .php, .aspx…
        return "html"
    raise IngestError(f"{suffix} files are not read; send {SUPPORTED}")


def _zip_kind(suffix: str, data: bytes) -> Kind:
    """A zip is a .docx when it holds a Word body, another Office file when it has their manifest."""
    damaged = "the .docx file is damaged or unreadable" if suffix == ".docx" else "the zip archive is damaged"
    names = set(_open_zip(data, damaged).namelist())
    if "word/document.xml" in names:
        return "docx"
    if suffix == ".docx":
        raise IngestError("the .docx file has no document in it (word/document.xml is missing)")
    if "[Content_Types].xml" in names or "mimetype" in names:
        raise IngestError("only Word .docx files are read among office documents; save it as .docx or PDF")
    return "zip"


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise IngestError(f"the file is too big ({_mb(size)}; the limit is {_mb(limits.max_file_bytes)})")


def _mb(size: int) -> str:
    """A size for people: "512 KB", "20.0 MB"."""
    return f"{size / 1024:.0f} KB" if size < _MB else f"{size / _MB:.1f} MB"


def _text_of(kind: Kind, data: bytes, limits: Limits) -> str:
    """One document's text, by kind; IngestError when it has none."""
    if kind == "pdf":
        text = pdf_text(data, limits)
    elif kind == "docx":
        text = docx_text(data, limits)
    elif kind == "html":
        text = html_text(_decode_html(data))
    else:
        text = decode(data) if data.strip() else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        raise IngestError("the document has no text")
    return text


# --- PDF -----------------------------------------------------------------------------------------------


def pdf_text(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text layer of every page, pages separated by a blank line (pypdf; no OCR)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _unlock(reader):
            raise IngestError("the PDF is encrypted (protected by a password)")
        if len(reader.pages) > limits.max_pdf_pages:
            raise IngestError(f"the PDF has more than {limits.max_pdf_pages} pages")
        pages = [page.extract_text() for page in reader.pages]
    except IngestError:
        raise
    except Exception as exc:  # a third-party parser on untrusted bytes: anything it raises means "damaged"
        log.debug("unreadable PDF", exc_info=True)
        raise IngestError("the PDF is damaged or unreadable") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise IngestError("the PDF has no text layer (scanned pages); OCR is not done")
    return text


def _unlock(reader: PdfReader) -> bool:
    """Open a PDF that is encrypted with an empty user password (only copying or printing restricted,
    which every viewer opens without asking). AES needs the optional ``cryptography`` package."""
    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except DependencyError:
        return False


# --- Word .docx ----------------------------------------------------------------------------------------


def docx_text(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    """The body's paragraphs, one per line, tables and text boxes included, in reading order.

    Read with the standard library from ``word/document.xml``: python-docx would add lxml (15 MB) and
    skips text boxes and content controls. Headers, footers, footnotes and deleted tracked changes are
    left out.
    """
    archive = _open_zip(data, "the .docx file is damaged or unreadable")
    try:
        info = archive.getinfo("word/document.xml")
    except KeyError:
        raise IngestError("the .docx file has no document in it (word/document.xml is missing)") from None
    xml = _read_member(archive, info, limits)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:  # Word never writes these; entity tricks do
        raise IngestError("the .docx file is damaged or unreadable")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise IngestError("the .docx file is damaged or unreadable") from None
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


# --- HTML ----------------------------------------------------------------------------------------------

# Never text: removed before anything else.
_NON_TEXT_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "canvas",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "select",
    "button",
    "input",
    "textarea",
    "head",
    "title",
    "meta",
    "link",
)
# Page furniture around an article. A <header> inside an <article> is the article's own (title, date,
# byline) and stays.
_FURNITURE_TAGS = ("nav", "aside", "footer", "menu", "form", "dialog")
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "dialog"}
_FURNITURE_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|sidebar|footer|cookies?|consent|share|sharing|social"
    r"|related|recommended|promo|advert|advertisement|ads?|banner|subscribe|newsletter|comments?|popup"
    r"|modal|pagination|pager|tags)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_TITLE_SEPARATORS_RE = re.compile(r"\s+[|\-–—:·•]+\s+")
_LINK_DENSE = 0.5  # a block whose text is mostly link text is a menu or a "read also" list
_MIN_ROOT_SHARE = 0.25  # an <article>/<main> holding less of the page's text than this is not the article
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


def html_text(html: str) -> str:
    """The article of a web page as plain text: the title (``<h1>``, else ``<title>`` without the site
    name) on the first line, then one paragraph per line, without menus, scripts, styles, navigation,
    sidebars, footers, cookie banners and "read also" link lists.

    BeautifulSoup with the standard library's parser and our own rules: readability-lxml drops the ``<h1>``
    and keeps menus of short pages; trafilatura extracts best but installs 69 MB in 16 packages.
    """
    soup = BeautifulSoup(html, "html.parser")
    page_title = _page_title(soup)
    for tag in soup.find_all(_NON_TEXT_TAGS):
        tag.decompose()
    root = _article_root(soup)
    _remove_furniture(root)
    h1 = root.find("h1")
    title = _squash(h1.get_text(" ")) if isinstance(h1, Tag) else page_title
    if not title and isinstance(h1 := soup.find("h1"), Tag):
        title = _squash(h1.get_text(" "))
    lines = [line for line in _blocks(root) if line]
    if title and title in lines:
        lines.remove(title)
    return "\n".join([title, *lines] if title else lines)


def _decode_html(data: bytes) -> str:
    """UTF-8 when it is; else the charset the page declares (Russian sites still serve windows-1251);
    else what ``bot.ingest.decode`` detects."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET_RE.search(data[:4096])
    if declared:
        try:
            return data.decode(codecs.lookup(declared.group(1).decode("ascii")).name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def _page_title(soup: BeautifulSoup) -> str:
    """``<title>`` without the site's name: "Headline - Section | Site" gives "Headline"."""
    tag = soup.find("title")
    if not isinstance(tag, Tag):
        return ""
    title = _squash(tag.get_text(" "))
    parts = _TITLE_SEPARATORS_RE.split(title)
    longest = max(parts, key=len)
    return longest if len(longest.split()) >= 3 else title


def _article_root(soup: BeautifulSoup) -> Tag:
    """The largest ``<article>``, else ``<main>``, when it holds a fair share of the page's text (listing
    pages wrap every teaser in an ``<article>``); else the whole page, which furniture removal and the
    link-density rule then clean."""
    page: Tag = soup.body if isinstance(soup.body, Tag) else soup
    total = len(page.get_text())
    for found in (
        page.find_all("article"),
        [*page.find_all("main"), *page.find_all(True, attrs={"role": "main"})],
    ):
        tags = [t for t in found if isinstance(t, Tag)]
        if tags:
            best = max(tags, key=lambda t: len(t.get_text()))
            if len(best.get_text()) >= _MIN_ROOT_SHARE * total:
                return best
    return page


def _remove_furniture(root: Tag) -> None:
    for tag in list(root.find_all(True)):
        if tag.decomposed:  # inside furniture removed a moment ago
            continue
        if _is_furniture(tag):
            tag.decompose()


def _is_furniture(tag: Tag) -> bool:
    if tag.name in _FURNITURE_TAGS:
        return True
    if tag.name == "header":
        return tag.find_parent("article") is None
    if tag.get("role") in _FURNITURE_ROLES or tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE_RE.search(str(tag.get("style", ""))):
        return True
    if tag.name in ("article", "main", "body", "h1"):
        return False
    marks = " ".join([*tag.get_attribute_list("class"), str(tag.get("id") or "")])
    # A wrapper whose class says "sidebar" but that holds the headline is a layout class, not furniture.
    return bool(marks.strip()) and _FURNITURE_CLASS_RE.search(marks) is not None and tag.find("h1") is None


def _blocks(root: Tag) -> Iterator[str]:
    """Text blocks in document order, each squashed to one line; link-dense ones are dropped."""
    current: Tag | None = None
    parts: list[str] = []
    link_chars = 0
    for node in root.descendants:
        if isinstance(node, Tag):
            if node.name in _BLOCK_TAGS:  # a block starts: what came before it is a block of its own
                yield _flush(parts, link_chars)
                parts, link_chars, current = [], 0, node
            continue
        if not _is_text(node):
            continue
        block = _block_of(node)
        if block is not current:
            yield _flush(parts, link_chars)
            parts, link_chars, current = [], 0, block
        if block is not None and block.name == "pre" and "\n" in node:
            *done, rest = str(node).split("\n")
            for line in done:
                yield _flush([*parts, line], link_chars)
                parts, link_chars = [], 0
            parts.append(rest)
            continue
        parts.append(str(node))
        if node.find_parent("a") is not None:
            link_chars += len(node.strip())
    yield _flush(parts, link_chars)


def _is_text(node: PageElement) -> TypeGuard[NavigableString]:
    """Visible text: not a comment, doctype or CDATA, nor the body of a script or style."""
    skipped = (PreformattedString, Script, Stylesheet, TemplateString)
    return isinstance(node, NavigableString) and not isinstance(node, skipped)


def _block_of(node: NavigableString) -> Tag | None:
    parent = node.parent
    while parent is not None and parent.name not in _BLOCK_TAGS:
        parent = parent.parent
    return parent


def _flush(parts: list[str], link_chars: int) -> str:
    text = _squash("".join(parts))
    if not text or link_chars > _LINK_DENSE * len(text):
        return ""
    return text


def _squash(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


# --- zip -----------------------------------------------------------------------------------------------


def _extract_zip(name: str, data: bytes, limits: Limits) -> list[Outcome]:
    """Every member on its own, one level deep. The archive as a whole is refused when it is damaged or
    its headers already promise more than the limits allow; each member is then cut off at the size its
    header declared, so what is unpacked in total never exceeds the declared total either."""
    archive = _open_zip(data, "the zip archive is damaged or unreadable")
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise IngestError(f"the archive has {len(infos)} entries; the limit is {limits.max_members}")
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_total_bytes:
        raise IngestError(
            f"the archive unpacks to {_mb(declared)}; the limit is {_mb(limits.max_total_bytes)}"
        )
    outcomes: list[Outcome] = []
    for info in infos:
        member = member_name(info)
        source = f"{name}/{_printable(member)}"
        if _is_unsafe(member):
            outcomes.append(Skipped(source, "unsafe path (absolute or with ..); left out"))
            continue
        if info.is_dir() or _is_junk(member):
            continue
        try:
            content = _read_member(archive, info, limits)
        except IngestError as exc:
            outcomes.append(Skipped(source, str(exc)))
            continue
        outcomes.append(_extract_member(source, member, content, limits))
    if not outcomes:
        raise IngestError("the archive has no files in it")
    return outcomes


def _extract_member(source: str, member: str, content: bytes, limits: Limits) -> Outcome:
    try:
        kind = detect(member, content)
        if kind == "zip":
            return Skipped(source, "nested archives are not opened")
        return Extracted(source, _text_of(kind, content, limits), kind, content)
    except IngestError as exc:
        return Skipped(source, str(exc))


def _open_zip(data: bytes, damaged: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise IngestError(damaged) from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """A member's bytes, refused on its declared size or ratio and cut off when it unpacks to more than
    it declared (``zipfile`` also stops there and then fails the checksum)."""
    if info.flag_bits & 0x1:
        raise IngestError("the file is encrypted (protected by a password)")
    if info.file_size > limits.max_file_bytes:
        raise IngestError(
            f"the file is too big ({_mb(info.file_size)}; the limit is {_mb(limits.max_file_bytes)})"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_MIN_BYTES and ratio > limits.max_ratio:
        raise IngestError(f"the file is compressed {ratio:.0f} to 1, a likely zip bomb; refused")
    cap = info.file_size
    chunks: list[bytes] = []
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(256 * 1024):
                read += len(chunk)
                if read > cap:
                    raise IngestError("the file unpacks to more than its header says; refused")
                chunks.append(chunk)
    except IngestError:
        raise
    except NotImplementedError:
        raise IngestError("the file is compressed with a method that is not supported") from None
    except Exception as exc:  # BadZipFile (checksum), zlib.error, EOFError, …: all mean a damaged member
        raise IngestError("the file is damaged (its content does not match its header)") from exc
    return b"".join(chunks)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it. Names flagged UTF-8 are; others are decoded by
    ``zipfile`` as cp437, the zip standard's default, but Windows archivers write the system's OEM code
    page (cp866 in Russia) and many tools write UTF-8 without the flag, so the raw bytes are re-read: a
    valid UTF-8 name is taken as UTF-8, else whichever of cp866 and cp437 reads more like words."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # cp866 first: on a tie (capitals only, which both code pages read as letters) Russian is likelier here
    return max((raw.decode("cp866"), info.filename), key=_name_plausibility)


_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") | frozenset(
    chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha()
)
_WORD_RE = re.compile(r"[^\W\d_]+")


def _name_plausibility(name: str) -> int:
    """Letters count for; symbols, and words mixing Latin with another script, count against: "Отчёт"
    read as cp437 is "ÄΓτÑæΓ", and "Über" read as cp866 is "Ъber"."""
    letters = sum(ch.isalpha() for ch in name)
    symbols = sum(not (ch.isalnum() or ch in " ._-()[]/") for ch in name)
    mixed = 0
    for word in _WORD_RE.findall(name):
        latin = sum(ch in _LATIN for ch in word)
        mixed += 0 < latin < len(word)
    return letters - 2 * symbols - 3 * mixed


def _is_unsafe(member: str) -> bool:
    """Absolute, drive-letter or parent-directory names: harmless here, since nothing is written to
    disk, but a sign of a malicious archive, so the member is reported and left out."""
    if member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member):
        return True
    return ".." in re.split(r"[/\\]", member)


def _is_junk(member: str) -> bool:
    """macOS resource forks, dotfiles and Windows thumbnails: never documents, never reported."""
    parts = [p for p in member.split("/") if p]
    if not parts or parts[0] == "__MACOSX":
        return True
    return any(p.startswith(".") for p in parts) or parts[-1].lower() in ("thumbs.db", "desktop.ini")


def _printable(member: str) -> str:
    """The name without control characters, safe to show in a chat."""
    return "".join(ch if ch.isprintable() else "?" for ch in member)
