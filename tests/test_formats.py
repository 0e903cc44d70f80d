"""Uploaded files of every supported kind, and the broken, hostile and misnamed ones, built in the tests."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pytest
from pypdf import PdfReader, PdfWriter

from bot.ingest import IngestError, prepare_text
from bot.ingest.formats import DEFAULT_LIMITS, Extracted, Limits, Skipped, detect, extract

# --- sample builders -----------------------------------------------------------------------------------


def make_pdf(*pages: str | None) -> bytes:
    """A valid PDF written by hand: each page is lines of Helvetica text, or None for a page that is only
    an image (what a scanner produces)."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream",
    }
    kids = []
    for number, page in enumerate(pages):
        page_obj, content_obj = 5 + 2 * number, 6 + 2 * number
        if page is None:
            content = b"q 200 0 0 200 100 400 cm /Im1 Do Q"
        else:
            shown = [b"(" + _pdf_string(line) + b") Tj T*" for line in page.split("\n")]
            content = b"\n".join([b"BT /F1 12 Tf 72 720 Td 14 TL", *shown, b"ET"])
        objects[content_obj] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
        objects[page_obj] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> >>" % content_obj
        )
        kids.append(b"%d 0 R" % page_obj)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    xref, size = out.tell(), max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    out.write(b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size)))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def _pdf_string(line: str) -> bytes:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def encrypt_pdf(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def make_docx(body_xml: str) -> bytes:
    """A minimal Word document: the parts Word itself needs, with ``body_xml`` inside ``w:body``."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:mc="{MC}"><w:body>{body_xml}</w:body></w:document>'
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    return make_zip([("[Content_Types].xml", content_types), ("word/document.xml", document)])


def para(*runs: str) -> str:
    return (
        "<w:p>" + "".join(f"<w:r><w:t xml:space='preserve'>{escape(r)}</w:t></w:r>" for r in runs) + "</w:p>"
    )


def make_zip(members: Sequence[tuple[str, str | bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def placeholder(raw: bytes, letter: str) -> str:
    """An ASCII member name as long as ``raw``, to be swapped for it by ``with_raw_name``."""
    return letter * (len(raw) - 4) + ".txt"


def with_raw_name(archive: bytes, placeholder: str, raw: bytes) -> bytes:
    """Put raw bytes where ``placeholder`` names a member, without the UTF-8 flag, as old Windows
    archivers do (``zipfile`` itself always writes non-ASCII names as flagged UTF-8)."""
    encoded = placeholder.encode("ascii")
    assert len(encoded) == len(raw) and archive.count(encoded) == 2  # local header + central directory
    return archive.replace(encoded, raw)


def lie_about_size(archive: bytes, member: str, declared: int) -> bytes:
    """Rewrite a member's uncompressed size in both its local header and the central directory."""
    data = bytearray(archive)
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        pos = data.find(signature)
        while pos != -1:
            if data[pos + name_at : pos + name_at + len(member)] == member.encode():
                struct.pack_into("<I", data, pos + size_at, declared)
            pos = data.find(signature, pos + 4)
    return bytes(data)


def only(outcomes: list[Extracted | Skipped]) -> Extracted:
    assert len(outcomes) == 1 and isinstance(outcomes[0], Extracted), outcomes
    return outcomes[0]


def worded(outcomes: list[Extracted | Skipped]) -> list[Extracted | tuple[str, str]]:
    """Each member left out as its source and its reason's English (a reason is a code and its params,
    and as a ``str`` its English); each member read as it is."""
    return [(o.source, str(o.reason)) if isinstance(o, Skipped) else o for o in outcomes]


def refused(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    with pytest.raises(IngestError) as caught:
        extract(name, data, limits=limits)
    return str(caught.value)


# --- plain text ----------------------------------------------------------------------------------------


def test_text_and_markdown_are_decoded() -> None:
    cp1251 = "Заседание Совета коллективной безопасности ОДКБ\n14 марта 2026 г.\n".encode("cp1251")
    doc = only(extract("news.txt", cp1251))
    assert (doc.kind, doc.source) == ("text", "news.txt")
    assert doc.text.startswith("Заседание Совета")
    assert only(extract("notes.md", b"# A heading of a note\n\nBody text")).kind == "markdown"


def test_empty_whitespace_and_binary_files_are_refused() -> None:
    assert refused("a.txt", b"") == "the file is empty"
    assert refused("a.txt", b" \n\t \r\n ") == "the document has no text"
    junk = bytes(range(256)) * 64
    assert "binary, not text" in refused("notes.txt", junk)


def test_unsupported_and_legacy_formats_say_what_to_do() -> None:
    assert ".csv files are not read" in refused("table.csv", b"a,b,c\n1,2,3\n")
    assert "save it as .docx" in refused("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "image" in refused("scan.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)


# --- PDF -----------------------------------------------------------------------------------------------

REPORT = "Collective Security Treaty Organization report\n31.10.2024\nThe Council met (in Moscow) and agreed."


def test_pdf_text_layer_is_read_page_by_page() -> None:
    doc = only(extract("report.pdf", make_pdf(REPORT, "Second page of the report")))
    assert doc.kind == "pdf"
    assert doc.text.splitlines()[:3] == REPORT.splitlines()
    assert doc.text.endswith("\n\nSecond page of the report")
    prepared = prepare_text(doc.source, doc.text)  # the title and date logic of ingest work on it
    assert prepared.title == "Collective Security Treaty Organization report"
    assert prepared.published is not None and prepared.published.isoformat() == "2024-10-31"


def test_content_wins_over_the_name() -> None:
    assert only(extract("report.txt", make_pdf(REPORT))).kind == "pdf"
    assert detect("page", b"<!DOCTYPE html><html><body><p>Hi there</p></body></html>") == "html"


def test_encrypted_pdf_is_refused_unless_it_opens_without_a_password() -> None:
    pdf = make_pdf(REPORT)
    assert (
        refused("secret.pdf", encrypt_pdf(pdf, "secret")) == "the PDF is encrypted (protected by a password)"
    )
    # Only an owner password (printing or copying restricted): every viewer opens it, so do we.
    assert only(extract("restricted.pdf", encrypt_pdf(pdf, ""))).text.startswith("Collective Security")


def test_scanned_pdf_has_no_text_layer() -> None:
    reason = refused("scan.pdf", make_pdf(None, None))
    assert reason == "the PDF has no text layer (scanned pages); OCR is not done"


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n" + bytes(range(256)) * 20, make_pdf(REPORT)[:300], b"%PDF-1.4\n%%EOF\n"],
    ids=["junk after the header", "cut short", "header only"],
)
def test_damaged_pdf(data: bytes) -> None:
    assert refused("broken.pdf", data) == "the PDF is damaged or unreadable"


def test_file_named_pdf_that_is_not_one() -> None:
    assert refused("report.pdf", b"<html><body>404 Not Found</body></html>") == (
        "the file is named .pdf but is not a PDF"
    )


def test_pdf_page_limit() -> None:
    assert "more than 2 pages" in refused(
        "long.pdf", make_pdf("a b c", "d e f", "g h i"), Limits(max_pdf_pages=2)
    )


# --- Word ----------------------------------------------------------------------------------------------


def test_docx_paragraphs_tables_and_text_boxes_in_reading_order() -> None:
    textbox = (
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><w:txbxContent>"
        f"{para('Text box line')}</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>"
        f"<w:txbxContent>{para('Text box line')}</w:txbxContent></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    body = (
        para("Statement by the ", "Secretary General")
        + para("   ")
        + "<w:p><w:r><w:t>Kept</w:t></w:r><w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del>"
        + "<w:r><w:tab/><w:t>after a tab</w:t><w:br/><w:t>next line &amp; more</w:t></w:r></w:p>"
        + f"<w:tbl><w:tr><w:tc>{para('Cell one')}</w:tc><w:tc>{para('Cell two')}</w:tc></w:tr></w:tbl>"
        + textbox
        + para("Последний абзац")
    )
    doc = only(extract("statement.docx", make_docx(body)))
    assert doc.kind == "docx"
    assert doc.text.split("\n") == [
        "Statement by the Secretary General",
        "Kept\tafter a tab",
        "next line & more",
        "Cell one",
        "Cell two",
        "Text box line",
        "Последний абзац",
    ]


def test_docx_that_is_not_a_zip() -> None:
    reason = refused("letter.docx", b"Dear colleagues, this is plain text saved as .docx")
    assert reason == "the file is named .docx but is not a Word document (it is not a zip archive)"


def test_docx_without_a_document_and_other_office_files() -> None:
    assert "word/document.xml is missing" in refused("empty.docx", make_zip([("readme.txt", "hi")]))
    xlsx = make_zip([("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")])
    assert "only Word .docx files are read" in refused("sheet.xlsx", xlsx)


def test_docx_with_broken_or_hostile_xml() -> None:
    broken = make_zip([("word/document.xml", "<w:document><w:body><w:p>")])
    assert refused("broken.docx", broken) == "the .docx file is damaged or unreadable"
    laughs = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;&a;</x>'
    assert refused("laughs.docx", make_zip([("word/document.xml", laughs)])) == (
        "the .docx file is damaged or unreadable"
    )


def test_docx_with_no_text() -> None:
    assert refused("blank.docx", make_docx(para(" ") + "<w:p/>")) == "the document has no text"


# --- HTML ----------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>CSTO chief warns of instability near borders - World | TASS</title>
<style>body { color: red } .lead::before { content: "STYLE TEXT" }</style>
<script>var tracking = "SCRIPT TEXT";</script>
</head><body>
<div class="cookie-banner">We use cookies. Accept all cookies</div>
<header><a href="/">TASS</a><nav><a href="/world">World</a> <a href="/politics">Politics</a></nav></header>
<main>
<article>
<h1>Instability hotbeds approaching CSTO borders raise particular concern</h1>
<div class="share-buttons"><a href="#">Share on Telegram</a></div>
<p class="lead">MOSCOW, January 29. /TASS/. Secretary General   Taalatbek Masadykov
told reporters that Research &amp; Development matters.</p>
<p>To embed code, write <code>&lt;script&gt;alert(1)&lt;/script&gt;</code> on the page.</p>
<!-- an HTML comment that is not text -->
<p>Last paragraph of the article.<br>Read more in <a href="/x">our archive</a> of statements.</p>
<div class="related"><h2>Read also</h2><ul><li><a href="/1">Another story about drills</a></li></ul></div>
</article>
<aside><h3>Most read</h3><a href="/m">Oil prices rise</a></aside>
</main>
<footer>© 2025 TASS. All rights reserved. <a href="/about">About us</a></footer>
<script>document.write("LATE SCRIPT")</script>
</body></html>
"""


def test_html_article_without_page_furniture() -> None:
    doc = only(extract("article.html", PAGE.encode()))
    assert doc.kind == "html"
    assert doc.text.split("\n") == [
        "Instability hotbeds approaching CSTO borders raise particular concern",
        "MOSCOW, January 29. /TASS/. Secretary General Taalatbek Masadykov told reporters that Research & "
        "Development matters.",
        "To embed code, write <script>alert(1)</script> on the page.",
        "Last paragraph of the article.",
        "Read more in our archive of statements.",
    ]


def test_html_without_h1_takes_the_title_without_the_site_name() -> None:
    page = (
        "<html><head><title>Statement on the situation in the region | CSTO</title></head><body>"
        "<div id='menu'><a href='/'>Main</a> | <a href='/news'>News</a></div>"
        "<div>The Secretary General expresses deep concern.<br><br>He calls for restraint.</div>"
        "</body></html>"
    )
    assert only(extract("statement.htm", page.encode())).text.split("\n") == [
        "Statement on the situation in the region",
        "The Secretary General expresses deep concern.",
        "He calls for restraint.",
    ]


def test_html_in_a_declared_legacy_charset() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><p>Москва, ОДКБ</p></body></html>'
    assert only(extract("ru.html", page.encode("cp1251"))).text == "Москва, ОДКБ"


def test_html_page_saved_as_txt_is_read_as_html() -> None:
    doc = only(extract("saved.txt", PAGE.encode()))
    assert doc.kind == "html" and "SCRIPT TEXT" not in doc.text


def test_html_with_only_furniture_has_no_text() -> None:
    page = "<html><body><nav><a href='/'>Home</a></nav><script>x()</script><footer>(c)</footer></body></html>"
    assert refused("empty.html", page.encode()) == "the document has no text"


# --- zip -----------------------------------------------------------------------------------------------


def test_zip_reports_every_member_and_reads_each_by_its_type() -> None:
    cyrillic = "Отчёт о встрече.txt"
    oem, latin = cyrillic.encode("cp866"), "Café.txt".encode("cp437")  # as DOS code pages write them
    archive = make_zip(
        [
            ("Новости/статья.md", "# Заголовок статьи здесь\nТекст статьи."),  # UTF-8, flagged
            (placeholder(oem, "Q"), "Встреча прошла в Москве."),
            (placeholder(latin, "Z"), "Café au lait, s'il vous plaît."),
            ("docs/report.pdf", make_pdf(REPORT)),
            ("docs/statement.docx", make_docx(para("Statement text"))),
            ("page.html", PAGE),
            ("inner.zip", make_zip([("a.txt", "inner text")])),
            ("junk.txt", bytes(range(256)) * 8),
            ("empty.txt", b""),
            ("docs/", b""),
            ("__MACOSX/docs/._report.pdf", b"\x00\x05\x16\x07"),
            (".DS_Store", b"\x00\x00\x00\x01Bud1"),
            ("docs/.hidden.txt", "hidden"),
        ]
    )
    archive = with_raw_name(
        with_raw_name(archive, placeholder(oem, "Q"), oem), placeholder(latin, "Z"), latin
    )
    outcomes = extract("upload.zip", archive)
    summary = {o.source: (o.kind if isinstance(o, Extracted) else o.reason) for o in outcomes}
    assert summary == {
        "upload.zip/Новости/статья.md": "markdown",
        f"upload.zip/{cyrillic}": "text",
        "upload.zip/Café.txt": "text",
        "upload.zip/docs/report.pdf": "pdf",
        "upload.zip/docs/statement.docx": "docx",
        "upload.zip/page.html": "html",
        "upload.zip/inner.zip": "nested archives are not opened",
        "upload.zip/junk.txt": "the file is binary, not text",
        "upload.zip/empty.txt": "the file is empty",
    }
    texts = {o.source: o.text for o in outcomes if isinstance(o, Extracted)}
    assert texts[f"upload.zip/{cyrillic}"] == "Встреча прошла в Москве."


def test_zip_member_names_in_utf8_without_the_flag() -> None:
    name = "Справка.txt"
    raw = name.encode("utf-8")
    archive = with_raw_name(make_zip([(placeholder(raw, "X"), "Текст справки")]), placeholder(raw, "X"), raw)
    assert only(extract("a.zip", archive)).source == f"a.zip/{name}"


@pytest.mark.parametrize(
    "member", ["../../x.txt", "/etc/passwd", "C:\\x.txt", "docs/../../evil.txt", "\\\\srv\\x"]
)
def test_unsafe_member_paths_are_reported_and_left_out(member: str) -> None:
    outcomes = extract("evil.zip", make_zip([(member, "owned"), ("fine.txt", "A fine text")]))
    assert worded(outcomes)[0] == (f"evil.zip/{member}", "unsafe path (absolute or with ..); left out")
    assert only(outcomes[1:]).text == "A fine text"


def test_zip_bomb_by_ratio_is_skipped() -> None:
    outcomes = extract(
        "bomb.zip", make_zip([("bomb.txt", b"0" * (4 * 1024 * 1024)), ("ok.txt", "Fine text")])
    )
    assert isinstance(outcomes[0], Skipped) and "likely zip bomb" in outcomes[0].reason
    assert isinstance(outcomes[1], Extracted)


def test_zip_limits_on_members_sizes_and_totals() -> None:
    limits = Limits(max_file_bytes=10_000, max_total_bytes=25_000, max_members=5)
    big = make_zip([("big.txt", "word " * 3000), ("ok.txt", "Fine text")])
    assert worded(extract("a.zip", big, limits=limits))[0] == (
        "a.zip/big.txt",
        "the file is too big (15 KB; the limit is 10 KB)",
    )
    many = make_zip([(f"{n}.txt", "text") for n in range(6)])
    assert refused("many.zip", many, limits) == "the archive has 6 entries; the limit is 5"
    total = make_zip([(f"{n}.txt", "word " * 1900) for n in range(3)])  # 3 x 9.5 KB declared
    assert refused("total.zip", total, limits) == "the archive unpacks to 28 KB; the limit is 24 KB"
    assert "too big" in refused("huge.txt", b"x" * 10_001, limits)


def test_member_whose_header_lies_about_its_size_is_cut_off() -> None:
    archive = make_zip([("liar.txt", b"a" * (30 * 1024 * 1024)), ("ok.txt", "Fine text")])
    outcomes = extract("liar.zip", lie_about_size(archive, "liar.txt", 1000))
    assert worded(outcomes)[0] == (
        "liar.zip/liar.txt",
        "the file is damaged (its content does not match its header)",
    )
    assert only(outcomes[1:]).text == "Fine text"


def test_damaged_empty_and_junk_only_archives() -> None:
    assert refused("a.zip", b"PK\x03\x04" + b"\x00" * 100) == "the zip archive is damaged"
    assert refused("a.zip", b"just text") == "the file is named .zip but is not a zip archive"
    assert refused("a.zip", make_zip([])) == "the archive has no files in it"
    assert (
        refused("a.zip", make_zip([("__MACOSX/._a", b"x"), ("d/", b"")])) == "the archive has no files in it"
    )


def test_encrypted_member_is_skipped() -> None:
    archive = bytearray(make_zip([("secret.txt", "hidden text")]))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
        pos = archive.find(signature)
        archive[pos + flags_at] |= 0x1
    assert worded(extract("a.zip", bytes(archive))) == [
        ("a.zip/secret.txt", "the file is encrypted (protected by a password)")
    ]


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_ratio"):
        Limits(max_ratio=0)
