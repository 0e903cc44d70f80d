"""Admin commands through the command layer (the console's way), and the corpus folder read like an
upload."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.commands import Caller, Commands
from bot.commands.replies import ConfirmDeleteReply, HelpReply, TextReply
from bot.core import Dossier
from bot.people.service import PeopleService
from bot.render_text import render
from bot.search.query import parse_query
from tests.conftest import seed_id
from tests.test_formats import make_docx, make_pdf, para


def test_admin_commands_are_refused_to_others(commands: Commands) -> None:
    stranger = Caller(user_id=5, chat_id=5, transport="telegram")
    for line in ("/delete 1 yes", "/reindex", "/stats", "/add"):
        reply = commands.handle(line, stranger)
        assert isinstance(reply, TextReply) and reply.error and "for the bot's admins only" in reply.lines[0]
    assert len(commands.dossier) == 5
    public = commands.handle("/help", stranger)
    assert isinstance(public, HelpReply) and not any(c.admin_only for c in public.commands)


def test_console_delete_asks_then_deletes(
    commands: Commands, console_caller: Caller, dossier: Dossier
) -> None:
    target = seed_id(dossier, "003")
    question = commands.handle(f"/delete {target}", console_caller)
    assert isinstance(question, ConfirmDeleteReply)
    assert f"Type /delete {target} yes to delete it." in render(question)
    assert dossier.document(target) is not None
    done = commands.handle(f"/delete {target} yes", console_caller)
    assert isinstance(done, TextReply) and done.lines[0].startswith(f"Deleted #{target}")
    assert dossier.document(target) is None and len(dossier) == 4
    assert "There is no document" in render(commands.handle(f"/delete {target} yes", console_caller))
    assert "not a document number" in render(commands.handle("/delete abc", console_caller))
    help_text = render(commands.handle("/help", console_caller))
    assert "/delete <id>" in help_text and "(admins)" in help_text


def test_stats_counts_what_is_stored(commands: Commands, console_caller: Caller, dossier: Dossier) -> None:
    report = dossier.ingest_upload("walrus.txt", b"Walrus haul-outs on the Chukotka coast", "console")
    assert report.count("added") == 1
    text = render(commands.handle("/stats", console_caller))
    # The seeds 000/001 (one interview, two translations) came from the corpus folder: judged when their
    # signatures were filled in on this first upload, as an upload of them would have been.
    assert "Documents: 6 (1 flagged as near-duplicates)" in text
    assert "Subscribers: 0" in text and "by console: walrus.txt — 1 added" in text


def test_stats_shows_a_corpus_scan_that_found_something(
    commands: Commands, console_caller: Caller, dossier: Dossier, corpus_dir: Path
) -> None:
    text = render(commands.handle("/stats", console_caller))
    assert f"by corpus folder: {corpus_dir.name} — 5 added, 0 already stored, 0 skipped" in text
    dossier.ingest_upload("walrus.txt", b"Walrus haul-outs on the Chukotka coast", "console")
    dossier.scan_corpus(corpus_dir)  # unchanged: the upload stays the last ingest
    assert "by console: walrus.txt — 1 added" in render(commands.handle("/stats", console_caller))
    (corpus_dir / "narwhal.txt").write_text("Narwhal tusks and Arctic sea ice", encoding="utf-8")
    dossier.scan_corpus(corpus_dir)
    text = render(commands.handle("/stats", console_caller))
    assert f"by corpus folder: {corpus_dir.name} — 1 added" in text


def test_corpus_folder_reads_html_pdf_and_docx(corpus_dir: Path, data_dir: Path) -> None:
    (corpus_dir / "page.html").write_text(
        "<html><body><nav>Menu words</nav><article><h1>Puffin colonies of Iceland</h1>"
        "<p>Puffins nest on cliffs.</p></article></body></html>",
        encoding="utf-8",
    )
    (corpus_dir / "paper.pdf").write_bytes(make_pdf("Beaver dams in Patagonia", "Beavers reshape rivers."))
    (corpus_dir / "memo.docx").write_bytes(make_docx(para("Lemur survey in Madagascar")))
    (corpus_dir / "bundle.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    dossier = Dossier.open(data_dir)
    try:
        report = dossier.scan_corpus(corpus_dir)
        titles = {o.title for o in report.outcomes if o.status == "added"}
        assert {
            "Puffin colonies of Iceland",
            "Beaver dams in Patagonia",
            "Lemur survey in Madagascar",
        } <= titles
        assert report.count("added") == 8 and report.count("skipped") == 0  # archives are not picked up
        # Signatures for near-duplicate checks are computed later, off the scan's path.
        assert dossier.prepare_near_duplicates() == 8
        assert dossier.prepare_near_duplicates() == 0
    finally:
        dossier.close()


def test_a_snapshot_is_not_taken_for_current_after_another_process_wrote(
    corpus_dir: Path, data_dir: Path
) -> None:
    bot = Dossier.open(data_dir)  # e.g. the running bot
    bot.scan_corpus(corpus_dir)
    cli = Dossier.open(data_dir)  # python -m bot ingest meanwhile, in another process
    assert cli.ingest_upload("h.txt", b"Hedgehog hibernation in winter gardens", "cli").stored == 1
    cli.close()
    assert bot.ingest_upload("f.txt", b"Fox cubs born in the spring meadows", "telegram").stored == 1
    bot.save_index()  # at shutdown: its index lacks the hedgehog
    bot.close()
    again = Dossier.open(data_dir)
    try:
        assert again.search_ids(parse_query("hedgehog hibernation"))
        assert again.search_ids(parse_query("fox cubs"))
        assert len(again) == 7
    finally:
        again.close()


def test_writes_while_the_people_index_is_built_at_open_wait_for_it_and_go_through(
    corpus_dir: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload or a deletion right after a restart, while the people index is still being built in
    its thread: both wait for the build and then complete (an upload used to take the core's lock and
    wait for the build, which needed that lock to finish: a deadlock that hung CI)."""
    first = Dossier.open(data_dir)
    first.scan_corpus(corpus_dir)
    first.close()
    backfill = PeopleService._backfill

    def slow_backfill(self: PeopleService) -> int:
        time.sleep(0.5)  # a build long enough for the writes below to arrive during it
        return backfill(self)

    monkeypatch.setattr(PeopleService, "_backfill", slow_backfill)
    again = Dossier.open(data_dir)
    done: list[str] = []

    def writes() -> None:
        report = again.ingest_upload(
            "envoy.txt", b"Envoy in Bishkek\n\nUN envoy Miroslav Jenca met officials in Bishkek.", "cli"
        )
        done.append("upload")
        assert report.outcomes[0].doc_id is not None
        again.delete_document(report.outcomes[0].doc_id)
        done.append("delete")

    writer = threading.Thread(target=writes, daemon=True)
    writer.start()
    assert again.search_ids(parse_query("masadikov"))  # searches answer during the build
    writer.join(timeout=30)
    assert not writer.is_alive(), f"writes stuck behind the people build after {done}"
    assert done == ["upload", "delete"]
    try:
        assert not any(m.person.name == "Miroslav Jenca" for m in again.who("jenca"))
        assert len(again) == 5
    finally:
        again.close()


def test_an_upload_reports_its_people_and_a_delete_forgets_them(
    commands: Commands, console_caller: Caller, dossier: Dossier
) -> None:
    text = (
        b"Envoy visits Dushanbe\n\nUN Special Representative Miroslav Jenca arrived in Dushanbe on Monday. "
        b"Jenca said the talks were useful.\n"
    )
    report = dossier.ingest_upload("jenca.txt", text, "console")
    [result] = report.outcomes
    assert result.status == "added" and result.people == ("Miroslav Jenca",)
    assert "Miroslav Jenca" in render(commands.handle("/who jenca", console_caller))
    before = dossier.people_count()
    assert before is not None and f"People: {before}" in render(commands.handle("/stats", console_caller))
    commands.handle(f"/delete {result.doc_id} yes", console_caller)
    assert "Miroslav Jenca" not in render(commands.handle("/who jenca", console_caller))
    assert dossier.people_count() == before - 1
