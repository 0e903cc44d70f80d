"""Web pages: the article as plain text, without the page's furniture."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import TypeGuard

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

from bot.ingest.prepare import decode

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


def decode_html(data: bytes) -> str:
    """UTF-8 when it is; else the charset the page declares (Russian sites still serve windows-1251);
    else what ``bot.ingest.prepare.decode`` detects."""
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
