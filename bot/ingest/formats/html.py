"""Web pages: the article as plain text, without the page's furniture."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any, TypeGuard

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

from bot.ingest.prepare import IngestError, decode

# Browsers stop nesting at 512 levels too (Chromium's parser); real pages stay under 100.
MAX_DEPTH = 512

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
# Start tags that close an open element of these names first, as browsers do (HTML's "implied end tags"):
# ``<p>one<p>two`` and ``<li>one<li>two`` are siblings, not ever deeper nesting.
_IMPLIED_END: dict[str, frozenset[str]] = {
    "p": frozenset({"p"}),
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "tr": frozenset({"td", "th", "tr"}),
    "option": frozenset({"option"}),
}


def html_text(html: str) -> str:
    """The article of a web page as plain text: the title (``<h1>``, else ``<title>`` without the site
    name) on the first line, then one paragraph per line, without menus, scripts, styles, navigation,
    sidebars, footers, cookie banners and "read also" link lists.

    BeautifulSoup with the standard library's parser and our own rules: readability-lxml drops the ``<h1>``
    and keeps menus of short pages; trafilatura extracts best but installs 69 MB in 16 packages.
    """
    soup = _Soup(html, "html.parser")
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


class _Soup(BeautifulSoup):
    """The parse tree, with unclosed paragraphs and list items closed as browsers close them, and refused
    (``ingest.html_too_deep``) once elements nest deeper than ``MAX_DEPTH``: the steps after parsing walk
    ancestors, and 10,000 nested ``<div>``s took minutes."""

    def handle_starttag(self, name: str, *args: Any, **kwargs: Any) -> Tag | None:
        closes = _IMPLIED_END.get(name)
        if closes is not None:
            self.endData()
            while self.currentTag is not None and self.currentTag.name in closes:
                self.popTag()
        if len(self.tagStack) > MAX_DEPTH:
            raise IngestError("ingest.html_too_deep", limit=MAX_DEPTH)
        return super().handle_starttag(name, *args, **kwargs)


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
    """Furniture removed, parents first (what is inside removed furniture is not looked at). One walk,
    with what ``_is_furniture`` asks of ancestors and descendants worked out on the way, so the cost grows
    with the page, not with the page times its depth."""
    holds_h1 = _holding_h1(root)
    in_article = root.name == "article" or root.find_parent("article") is not None
    stack = [(tag, in_article) for tag in reversed(root.contents) if isinstance(tag, Tag)]
    while stack:
        tag, in_article = stack.pop()
        if _is_furniture(tag, in_article, id(tag) in holds_h1):
            tag.decompose()
            continue
        inner = in_article or tag.name == "article"
        stack.extend((child, inner) for child in reversed(tag.contents) if isinstance(child, Tag))


def _holding_h1(root: Tag) -> set[int]:
    """The ids of the tags under ``root`` (and ``root``) with an ``<h1>`` somewhere inside."""
    holding: set[int] = set()
    for h1 in root.find_all("h1"):
        parent = h1.parent
        while parent is not None and id(parent) not in holding:
            holding.add(id(parent))
            if parent is root:
                break
            parent = parent.parent
    return holding


def _is_furniture(tag: Tag, in_article: bool, holds_h1: bool) -> bool:
    if tag.name in _FURNITURE_TAGS:
        return True
    if tag.name == "header":
        return not in_article
    if tag.get("role") in _FURNITURE_ROLES or tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE_RE.search(str(tag.get("style", ""))):
        return True
    if tag.name in ("article", "main", "body", "h1"):
        return False
    marks = " ".join([*tag.get_attribute_list("class"), str(tag.get("id") or "")])
    # A wrapper whose class says "sidebar" but that holds the headline is a layout class, not furniture.
    return bool(marks.strip()) and _FURNITURE_CLASS_RE.search(marks) is not None and not holds_h1


def _blocks(root: Tag) -> Iterator[str]:
    """Text blocks in document order, each squashed to one line; link-dense ones are dropped."""
    current: Tag | None = None
    parts: list[str] = []
    link_chars = 0
    for node, block, in_link in _walk(root):
        if isinstance(node, Tag):
            if node.name in _BLOCK_TAGS:  # a block starts: what came before it is a block of its own
                yield _flush(parts, link_chars)
                parts, link_chars, current = [], 0, node
            continue
        if not _is_text(node):
            continue
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
        if in_link:
            link_chars += len(node.strip())
    yield _flush(parts, link_chars)


def _walk(root: Tag) -> Iterator[tuple[PageElement, Tag | None, bool]]:
    """``root.descendants`` in document order, each with its nearest block ancestor and whether a link
    holds it, carried down the walk rather than looked up the ancestors of every node."""
    block = root if root.name in _BLOCK_TAGS else _block_of(root)
    in_link = root.name == "a" or root.find_parent("a") is not None
    stack = [(node, block, in_link) for node in reversed(root.contents)]
    while stack:
        node, block, in_link = stack.pop()
        yield node, block, in_link
        if isinstance(node, Tag):
            inner = node if node.name in _BLOCK_TAGS else block
            linked = in_link or node.name == "a"
            stack.extend((child, inner, linked) for child in reversed(node.contents))


def _is_text(node: PageElement) -> TypeGuard[NavigableString]:
    """Visible text: not a comment, doctype or CDATA, nor the body of a script or style."""
    skipped = (PreformattedString, Script, Stylesheet, TemplateString)
    return isinstance(node, NavigableString) and not isinstance(node, skipped)


def _block_of(node: PageElement) -> Tag | None:
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
