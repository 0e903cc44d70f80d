"""Hostile and misleading files (issue 16, items 3 and 6): each is answered quickly with a clear reason,
and what looks like one format but is another is read as what it is."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from bot.ingest.formats import Extracted, Limits, extract
from bot.ingest.formats.html import MAX_DEPTH
from tests.test_formats import make_pdf, only, refused, worded

# --- web pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 100, 10_000, 100_000])
def test_a_page_nested_too_deep_is_refused(depth: int) -> None:
    page = "<html><body>" + "<div>" * depth + "deep" + "</div>" * depth + "</body></html>"
    reason = refused("nested.html", page.encode())
    assert reason == f"this page is too deeply nested to read (more than {MAX_DEPTH} levels)"


def test_millions_of_unclosed_tags_are_refused() -> None:
    assert "too deeply nested" in refused("bold.html", b"<html><body>" + b"<b>" * 3_000_000)


def test_a_page_nested_within_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 10
    page = "<html><body>" + "<div>" * depth + "Deep text here" + "</div>" * depth + "</body></html>"
    assert only(extract("nested.html", page.encode())).text == "Deep text here"


def test_unclosed_paragraphs_and_items_are_siblings_not_nesting() -> None:
    # Old hand-written pages never close <p> or <li>: thousands of them are a long page, not a deep one.
    paragraphs = "".join(f"<p>Paragraph {n}" for n in range(2000))
    items = "<ul>" + "".join(f"<li>Item {n}" for n in range(2000)) + "</ul>"
    doc = only(extract("old.html", f"<html><body>{paragraphs}{items}</body></html>".encode()))
    lines = doc.text.split("\n")
    assert lines[:2] == ["Paragraph 0", "Paragraph 1"] and lines[-1] == "Item 1999" and len(lines) == 4000


@pytest.mark.parametrize(
    "page",
    [
        b"<a " * 20_000,  # the standard parser's quadratic path: 38 s without a deadline
        b"<html><body>" + b"<b>x</b>" * 2_400_000,  # 19 MB of elements: a minute and gigabytes
    ],
    ids=["unterminated-tags", "19MB-of-elements"],
)
def test_a_page_too_slow_to_read_is_refused_at_the_deadline(page: bytes) -> None:
    limits = Limits(html_seconds=2)
    assert refused("slow.html", page, limits) == "this page is too complex to read in time (over 2 seconds)"
    # The worker killed at the deadline is replaced: the next page is read.
    after = extract("next.html", b"<p>After the slow one</p>", limits=limits)
    assert only(after).text == "After the slow one"


def test_a_slow_page_in_an_archive_is_skipped_and_the_others_kept() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("slow.html", "<a " * 20_000)
        zf.writestr("fine.html", "<html><body><p>A page that reads fine</p></body></html>")
    outcomes = extract("pages.zip", buf.getvalue(), limits=Limits(html_seconds=2))
    assert worded(outcomes) == [
        ("pages.zip/slow.html", "this page is too complex to read in time (over 2 seconds)"),
        Extracted("pages.zip/fine.html", "A page that reads fine", "html"),
    ]


# --- misleading signatures -----------------------------------------------------------------------------


def test_a_page_that_mentions_the_pdf_header_near_its_top_is_a_page() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>File signatures</title></head><body>"
        b"<p>Every PDF file starts with the bytes %PDF-1.7 and ends with %%EOF.</p></body></html>"
    )
    doc = only(extract("signatures.html", page))
    assert doc.kind == "html" and "starts with the bytes %PDF-1.7" in doc.text
    fragment = b"<div><p>The header %PDF-1.4 comes first; then 1 0 obj ... endobj.</p></div>"
    assert only(extract("fragment.php", fragment)).kind == "html"


def test_a_pdf_after_some_junk_is_still_a_pdf() -> None:
    pdf = make_pdf("Quarterly report on the region")
    doc = only(extract("report.pdf", b"HTTP/1.1 200 OK\r\n\r\n" + pdf))
    assert doc.kind == "pdf" and "Quarterly report on the region" in doc.text


def test_a_symlink_in_an_archive_is_left_out() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        link = zipfile.ZipInfo("secrets.txt")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("notes.txt", "Real notes about the meeting")
    assert worded(extract("links.zip", buf.getvalue())) == [
        ("links.zip/secrets.txt", "a symbolic link, not a file; left out"),
        Extracted("links.zip/notes.txt", "Real notes about the meeting", "text"),
    ]
