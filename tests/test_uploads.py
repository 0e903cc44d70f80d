"""Admins adding documents through Telegram: the real bot against the fake Bot API server, files built in
the tests (no fixtures on disk, no network)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.commands.admin import NOT_UPLOADER
from handlers import progress as progress_handlers
from tests.conftest import SEED_CORPUS, Runner, both_backends, doc_id
from tests.fakebotapi import Call, FakeBotApi, FakeChat, FakeUser
from tests.test_formats import encrypt_pdf, lie_about_size, make_docx, make_pdf, make_zip, para

ORIGINAL_RE = re.compile(r"^[0-9a-f]/[0-9a-f]{64}\.[a-z]{2,4}$")


def rows(data_dir: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def documents(data_dir: Path) -> list[tuple[Any, ...]]:
    """Every stored document as (id, sha256, text): what "nothing already stored touched" compares."""
    return rows(data_dir, "SELECT id, sha256, text FROM documents ORDER BY id")


def all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def is_final(call: Call) -> bool:
    """The edit that turns the status message into the answer (progress edits say "Reading …")."""
    return not str(call.params.get("text", "")).startswith(("Reading ", "Reindexing"))


async def upload(
    botapi: FakeBotApi,
    content: bytes,
    name: str,
    *,
    user: FakeUser | None = None,
    chat: FakeChat | None = None,
    caption: str | None = None,
) -> str:
    """Send a file and return the bot's final answer (its edited status message)."""
    botapi.user_document(content, name, user=user, chat=chat, caption=caption)
    status = await botapi.wait_for("sendMessage")
    assert status.params["text"].startswith("Received "), status.params["text"]
    final = await botapi.wait_for("editMessageText", is_final)
    assert final.params["message_id"] == status.result["message_id"]  # one message, edited
    return str(final.params["text"])


def admin_settings(botapi: FakeBotApi, **extra: str) -> dict[str, str]:
    return {"DOSSIER_ADMIN_IDS": str(botapi.default_user.id), **extra}


ARTICLE_HTML = (
    "<!doctype html><html><head><title>Zanzibar ferry strike ends | Coast News</title>"
    "<script>var tracking = 'zzscriptword';</script></head><body>"
    "<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
    "<article><h1>Zanzibar ferry strike ends after talks</h1>"
    "<p>The ferry workers of Zanzibar returned to work on 14 March 2025 after the port agreed.</p></article>"
    "<footer>Copyright menufooterword</footer></body></html>"
)


async def test_admin_uploads_each_format(botapi: FakeBotApi, run_bot: Runner, data_dir: Path) -> None:
    async with run_bot(**admin_settings(botapi)):
        before = documents(data_dir)
        text_reply = await upload(
            botapi, "Quokka census on Rottnest Island\n\nRangers counted quokkas.\n".encode("cp1251"), "q.txt"
        )
        assert re.search(r"✓ #\d+ Quokka census on Rottnest Island — undated · q\.txt", text_reply)
        md = await upload(botapi, b"# Marmot watch in the Alps\n\nMarmots whistle at hikers.\n", "m.md")
        assert "Marmot watch in the Alps" in md
        html_reply = await upload(botapi, ARTICLE_HTML.encode(), "ferry.html")
        assert "Zanzibar ferry strike ends after talks — 2025-03-14 · ferry.html" in html_reply
        pdf = make_pdf("Narwhal tusks explained by biologists", "Narwhals use tusks to sense water.")
        assert "✓" in (pdf_reply := await upload(botapi, pdf, "narwhal.pdf")), pdf_reply
        docx = make_docx(para("Axolotl regeneration study") + para("Axolotls regrow limbs in weeks."))
        assert "Axolotl regeneration study" in await upload(botapi, docx, "axolotl.docx")
        archive = make_zip(
            [
                ("pangolin.txt", "Pangolin scales and their trade\n\nPangolins roll up."),
                (
                    "docs/okapi.html",
                    "<html><body><h1>Okapi in the Ituri forest</h1><p>Okapis hide.</p></body>",
                ),
            ]
        )
        zip_reply = await upload(botapi, archive, "animals.zip")
        assert "animals.zip: 2 added" in zip_reply
        assert "animals.zip/pangolin.txt" in zip_reply and "Okapi in the Ituri forest" in zip_reply
        # Searchable at once, by words from each format; menus and scripts of the page are not indexed.
        expected = {
            "quokkas": "Quokka census",
            "marmots": "Marmot watch",
            "ferry workers": "Zanzibar ferry strike",
            "narwhals": "Narwhal tusks",
            "axolotls": "Axolotl regeneration",
            "pangolins": "Pangolin scales",
            "okapis": "Okapi in the Ituri",
        }
        for words, title in expected.items():
            botapi.user_message(f"/search {words}")
            found = await botapi.wait_for("sendMessage")
            first_hit = found.params["text"].split("\n\n")[1]
            assert title in first_hit, (words, found.params["text"])
        botapi.user_message("/search zzscriptword menufooterword")
        assert "Nothing found" in (await botapi.wait_for("sendMessage")).params["text"]
    after = documents(data_dir)
    assert after[: len(before)] == before and len(after) == len(before) + 7
    originals = rows(data_dir, "SELECT file, kind FROM originals ORDER BY doc_id")
    assert [kind for _, kind in originals] == ["text", "markdown", "html", "pdf", "docx", "text", "html"]
    for file, _ in originals:
        assert ORIGINAL_RE.match(file) and (data_dir / "originals" / file).is_file()
    assert (data_dir / "originals" / originals[3][0]).read_bytes() == pdf  # the original, byte for byte


async def test_non_admin_is_refused_and_nothing_is_downloaded(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot(**admin_settings(botapi, DOSSIER_GROUP_ADMINS_CAN_UPLOAD="true")):
        before = documents(data_dir)
        eve = botapi.user("Eve")
        botapi.user_document(b"Some text to add here", "eve.txt", user=eve)
        refusal = await botapi.wait_for("sendMessage")
        assert refusal.params["text"] == NOT_UPLOADER
        group = botapi.group()
        botapi.set_member(group, eve, "member")
        botapi.user_document(b"Group text to add", "g.txt", user=eve, chat=group, caption="/add")
        assert (await botapi.wait_for("sendMessage")).params["text"] == NOT_UPLOADER
        botapi.user_document(b"Just sharing a file", "share.txt", user=eve, chat=group)  # no /add: not for us
        botapi.user_message("/delete 1", user=eve)
        assert "for the bot's admins only" in (await botapi.wait_for("sendMessage")).params["text"]
        await botapi.settle()
        assert len(botapi.sent("sendMessage", chat_id=group.id)) == 1  # the refusal; the shared file: silence
        assert len(botapi.sent("sendMessage")) == 3
        assert not botapi.sent("getFile") and not botapi.sent("downloadFile")
    assert documents(data_dir) == before


async def test_group_admin_may_upload_only_when_enabled(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    bob = botapi.user("Bob")
    group = botapi.group(supergroup=True)
    botapi.set_member(group, bob, "administrator")
    content = b"Harbour seals return to the Wadden Sea\n\nCounts rose again."
    async with run_bot(**admin_settings(botapi)):
        botapi.user_document(content, "seals.txt", user=bob, chat=group, caption="/add")
        assert (await botapi.wait_for("sendMessage")).params["text"] == NOT_UPLOADER
    async with run_bot(**admin_settings(botapi, DOSSIER_GROUP_ADMINS_CAN_UPLOAD="true")):
        reply = await upload(botapi, content, "seals.txt", user=bob, chat=group, caption="/add")
        assert "Harbour seals return to the Wadden Sea" in reply
        checks = len(botapi.sent("getChatMember"))
        # Cached briefly: a second upload does not ask Telegram again.
        again = await upload(botapi, content, "seals-again.txt", user=bob, chat=group, caption="/add")
        assert "already stored as #" in again and len(botapi.sent("getChatMember")) == checks
        sent = len(botapi.sent("sendMessage"))
        botapi.user_document(b"For another bot", "other.txt", user=bob, chat=group, caption="/add@other_bot")
        await botapi.settle()
        assert len(botapi.sent("sendMessage")) == sent and len(botapi.sent("getFile")) == 2
    assert rows(data_dir, "SELECT added_by FROM documents WHERE source = 'seals.txt'") == [
        (f"telegram:{bob.id}",)
    ]


async def test_bad_input_gets_a_clear_reply_and_changes_nothing(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path, tmp_path: Path
) -> None:
    scanned = make_pdf(None)
    fine = ("fine.txt", "A perfectly fine text about lemurs")
    cases: list[tuple[str, bytes, str]] = [
        ("junk.txt", bytes(range(256)) * 40, "the file is binary, not text"),
        (
            "broken.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage",
            "the PDF is damaged or unreadable",
        ),
        ("secret.pdf", encrypt_pdf(make_pdf("Top secret words"), "pw"), "the PDF is encrypted"),
        ("scan.pdf", scanned, "the PDF has no text layer (scanned pages); OCR is not done"),
        ("report.docx", b"This is plain text, not a Word file", "is named .docx but is not a Word document"),
        ("blank.txt", b"   \n\t\n   \r\n", "the document has no text"),
        (
            "many.zip",
            make_zip([(f"{n}.txt", "x") for n in range(1001)]),
            "has 1001 entries; the limit is 1000",
        ),
        (
            "bomb.zip",
            lie_about_size(make_zip([("big.txt", b"0" * 1000)]), "big.txt", 300 * 2**20),
            "the archive unpacks to 300.0 MB; the limit is 100.0 MB",
        ),
        ("ratio.zip", make_zip([("zeros.txt", b"0" * (4 * 2**20))]), "likely zip bomb"),
        ("nested.zip", make_zip([("inner.zip", make_zip([fine]))]), "nested archives are not opened"),
        ("evil.zip", make_zip([("../../x.txt", "owned"), ("/etc/evil.txt", "owned")]), "unsafe path"),
    ]
    async with run_bot(**admin_settings(botapi)):
        before = documents(data_dir)
        for name, content, expected in cases:
            reply = await upload(botapi, content, name)
            assert expected in reply, (name, reply)
            assert ": 0 added" in reply, (name, reply)
        # Refused before downloading: empty, and over the 20 MB limit.
        botapi.user_document(b"", "empty.txt")
        assert "is empty" in (await botapi.wait_for("sendMessage")).params["text"]
        botapi.user_document(b"a" * (21 * 2**20), "huge.txt")
        too_big = (await botapi.wait_for("sendMessage")).params["text"]
        assert "21.0 MB; the limit is 20 MB, so it was not downloaded" in too_big
        await botapi.settle()
        assert len(botapi.sent("getFile")) == len(cases)  # not for the empty or the huge one
        assert documents(data_dir) == before
    # Nothing was written outside the data dir, and no original inside it either.
    names = {p.name for p in all_files(tmp_path)}
    assert "x.txt" not in names and "evil.txt" not in names
    assert all_files(data_dir / "originals") == []


async def test_names_in_other_scripts_are_kept_and_cleaned(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot(**admin_settings(botapi)):
        reply = await upload(
            botapi, "Встреча в Бишкеке прошла успешно\n\nТекст.".encode(), "Отчёт о встрече.txt"
        )
        assert "Встреча в Бишкеке прошла успешно — undated · Отчёт о встрече.txt" in reply
        tricky = await upload(botapi, b"Some words about gazelles here", "\u202egnp.txt\x07")
        assert "gnp.txt" in tricky and "\u202e" not in tricky and "\x07" not in tricky
        cjk = await upload(botapi, "熊猫保护区的新报告 发布了".encode(), "报告.md")
        assert "报告.md" in cjk and "✓" in cjk
    assert doc_id(data_dir, "Отчёт о встрече.txt") > 0


async def test_duplicates_and_near_duplicates(
    botapi: FakeBotApi, run_bot: Runner, big_corpus: Path, data_dir: Path
) -> None:
    (big_corpus / "001_e3fd5c041af71694.txt").unlink()  # so 001 arrives as an upload
    async with run_bot(**admin_settings(botapi)):
        first = doc_id(data_dir, "000_dee57ec397d11e84.txt")
        same = (SEED_CORPUS / "000_dee57ec397d11e84.txt").read_bytes()
        dup = await upload(botapi, same.replace(b"\n", b"\r\n") + b"\n\n", "tass-copy.txt")
        assert f"= tass-copy.txt: already stored as #{first}" in dup and ": 0 added" in dup
        near = await upload(botapi, (SEED_CORPUS / "001_e3fd5c041af71694.txt").read_bytes(), "allies.txt")
        assert "1 added, 1 of them near-duplicates" in near
        assert re.search(rf"near-duplicate: resembles #{first}, 1\d% of the wording shared", near), near
        unrelated = await upload(botapi, b"Marmots and their burrows in the high Alps", "marmots.txt")
        assert "near-duplicate" not in unrelated
    new = doc_id(data_dir, "allies.txt")
    assert rows(data_dir, "SELECT near_dup_of FROM signatures WHERE doc_id = ?", new) == [(first,)]


@both_backends
async def test_zip_progress_edits_one_status_message(
    botapi: FakeBotApi, run_bot: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_handlers, "PROGRESS_EVERY", 0.0)
    members = [
        (f"n{k:03d}.txt", f"Bulletin {k} on river levels\n\nGauge {k} read {k * 7} cm.") for k in range(120)
    ]
    async with run_bot(**admin_settings(botapi)):
        final = await upload(botapi, make_zip(members), "bulletins.zip")
        assert final.startswith("<b>bulletins.zip: 120 added")
        status = next(c for c in botapi.sent("sendMessage") if c.params["text"].startswith("Received "))
        edits = botapi.sent("editMessageText")
        assert {e.params["message_id"] for e in edits} == {status.result["message_id"]}
        progress = [e.params["text"] for e in edits if e.params["text"].startswith("Reading ")]
        counts = [int(re.search(r": (\d+)/120 files", t).group(1)) for t in progress]  # type: ignore[union-attr]
        assert len(counts) >= 2 and counts == sorted(counts) and len(set(counts)) == len(counts)


async def test_delete_asks_to_confirm_with_a_button(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot(**admin_settings(botapi)):
        await upload(botapi, b"Ibex on the cliffs of Gran Paradiso", "ibex.txt")
        target = doc_id(data_dir, "ibex.txt")
        (original,) = rows(data_dir, "SELECT file FROM originals WHERE doc_id = ?", target)[0]
        botapi.user_message(f"/delete {target}")
        question = await botapi.wait_for("sendMessage")
        assert f"Delete #{target} “Ibex on the cliffs of Gran Paradiso”" in question.params["text"]
        # Someone else in the chat cannot press it for the admin.
        eve = botapi.user("Eve")
        botapi.press_button(question, text=f"Delete #{target}", user=eve)
        assert "Only the bot's admins" in (await botapi.wait_for("answerCallbackQuery")).params["text"]
        botapi.press_button(question, text="Cancel")
        assert "Kept" in (await botapi.wait_for("editMessageText")).params["text"]
        assert doc_id(data_dir, "ibex.txt") == target
        botapi.user_message(f"/delete #{target}")
        question = await botapi.wait_for("sendMessage")
        botapi.press_button(question, text=f"Delete #{target}")
        done = await botapi.wait_for("editMessageText")
        assert done.params["text"].startswith(f"Deleted #{target}")
        botapi.user_message(f"/doc {target}")
        assert "There is no document" in (await botapi.wait_for("sendMessage")).params["text"]
        botapi.user_message("/search ibex paradiso")
        assert "Nothing found" in (await botapi.wait_for("sendMessage")).params["text"]
        botapi.user_message("/delete 999999")
        assert "There is no document #999999" in (await botapi.wait_for("sendMessage")).params["text"]
    assert rows(data_dir, "SELECT COUNT(*) FROM originals WHERE doc_id = ?", target) == [(0,)]
    assert rows(data_dir, "SELECT COUNT(*) FROM signatures WHERE doc_id = ?", target) == [(0,)]
    assert not (data_dir / "originals" / original).exists()


async def test_reindex_rebuilds_from_originals_with_progress(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_handlers, "PROGRESS_EVERY", 0.0)
    async with run_bot(**admin_settings(botapi)):
        await upload(
            botapi, make_docx(para("Capybara herds of the Pantanal") + para("Capybaras swim.")), "c.docx"
        )
    target = doc_id(data_dir, "c.docx")
    # Damage what is stored (as an older, worse extractor might have): reindex reads the original again.
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    db.execute("UPDATE documents SET text = 'garbled', title = 'garbled' WHERE id = ?", (target,))
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
    db.commit()
    db.close()
    async with run_bot(**admin_settings(botapi)):
        botapi.user_message("/search capybaras")
        assert "Nothing found" in (await botapi.wait_for("sendMessage")).params["text"]
        botapi.user_message("/reindex")
        status = await botapi.wait_for("sendMessage")
        assert status.params["text"] == "Reindexing…"
        final = await botapi.wait_for("editMessageText", is_final, timeout=30)
        count = len(documents(data_dir))
        assert final.params["text"].startswith(f"Reindexed {count} documents")
        assert "1 came out different" in final.params["text"]
        assert any(e.params["text"].startswith("Reindexing: ") for e in botapi.sent("editMessageText"))
        botapi.user_message("/search capybaras")
        assert "1</b> result" in (await botapi.wait_for("sendMessage")).params["text"]
    assert rows(data_dir, "SELECT title FROM documents WHERE id = ?", target) == [
        ("Capybara herds of the Pantanal",)
    ]


async def test_stats_and_help_for_admins_and_others(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot(**admin_settings(botapi)):
        await upload(botapi, b"Tapir footprints in the Amazon mud", "tapir.txt")
        botapi.user_message("/subscribe")
        await botapi.wait_for("sendMessage")
        botapi.user_message("/stats")
        stats = (await botapi.wait_for("sendMessage")).params["text"]
        assert f"Documents: {len(documents(data_dir))}" in stats
        assert "Subscribers: 1 (1 private chats, 0 groups)" in stats
        assert re.search(r"Store: [\d.]+ (KB|MB) \(database", stats)
        assert f"by telegram:{botapi.default_user.id}: tapir.txt — 1 added" in stats
        botapi.user_message("/help")
        admin_help = (await botapi.wait_for("sendMessage")).params["text"]
        assert "/delete &lt;id&gt;" in admin_help and "(admins)" in admin_help
        eve = botapi.user("Eve")
        botapi.user_message("/help", user=eve)
        other_help = (await botapi.wait_for("sendMessage")).params["text"]
        assert "/delete" not in other_help and "/reindex" not in other_help and "/search" in other_help
        botapi.user_message("/stats", user=eve)
        assert "for the bot's admins only" in (await botapi.wait_for("sendMessage")).params["text"]
        menu = botapi.commands()
        assert "delete" not in {c["command"] for c in menu}


async def test_a_raised_limit_without_a_local_bot_api_server_is_explained(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot(**admin_settings(botapi, DOSSIER_MAX_UPLOAD_MB="50")):
        before = documents(data_dir)
        botapi.user_document(b"word " * (5 * 2**20), "big.txt")  # 25 MB: over what api.telegram.org serves
        await botapi.wait_for("sendMessage")
        failed = await botapi.wait_for("editMessageText")
        assert failed.params["text"] == (
            "Telegram would not hand big.txt over (it is too big for bots to download); nothing was added."
        )
        assert not botapi.sent("downloadFile")
    assert documents(data_dir) == before
