"""Several processes on one store (issue 19): what one adds or deletes is found (or no longer found) by
the others without a restart, a corpus scan by two at once stores each file once, paging buttons work
whichever process made them, and digests go out once across processes.

Two Dossier cores on one store in this test process stand for two processes (each has its own store
connection, indexes and lease holder); ``python -m bot ingest`` beside a running bot is the real thing.
The tests of two whole bots on one store are in ``test_replicas.py``.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from pathlib import Path

from bot.core import SCAN_LEASE, Dossier
from bot.ingest import prepare_text
from bot.search.query import parse_query
from tests.conftest import REPO, bot_env
from tests.fakebotapi import FakeBotApi


def sources(dossier: Dossier, text: str) -> list[str]:
    return [h.doc.source for h in dossier.search(parse_query(text)).hits]


def add(dossier: Dossier, name: str, text: str) -> int:
    outcome = dossier.add_prepared(prepare_text(name, text), added_by="test")
    assert outcome.doc_id is not None
    return outcome.doc_id


def test_a_document_another_process_adds_is_found_after_catch_up(data_dir: Path) -> None:
    mine, theirs = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        doc = add(theirs, "quokka.txt", "Quokka census\n\nRottnest Island counted its quokkas again.")
        assert sources(mine, "quokka census") == []  # not applied yet
        assert mine.catch_up() == 1
        assert sources(mine, "quokka census") == ["quokka.txt"]
        assert mine.catch_up() == 0  # nothing new: one read of the generation
        # Its own documents come back through the feed too, and are skipped (applied when written).
        add(mine, "wombat.txt", "Wombat burrows\n\nWombats dig burrows under the dunes.")
        assert mine.catch_up() == 0 and theirs.catch_up() == 1
        assert sources(theirs, "wombat burrows") == ["wombat.txt"]
        assert theirs.delete_document(doc) is not None
        assert mine.catch_up() == 1
        assert sources(mine, "quokka census") == [] and doc not in mine.index
    finally:
        mine.close()
        theirs.close()


def test_the_people_of_another_process_s_documents_are_found(data_dir: Path) -> None:
    mine, theirs = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        doc = add(
            theirs,
            "minister.txt",
            "Finance minister speaks\n\nFinance Minister Hendrik Vorster said on Monday that taxes stay.",
        )
        assert mine.who("Vorster") == []
        mine.catch_up()
        assert [m.person.name for m in mine.who("Vorster")] == ["Hendrik Vorster"]
        theirs.delete_document(doc)
        mine.catch_up()
        assert mine.who("Vorster") == []
    finally:
        mine.close()
        theirs.close()


def test_a_changed_corpus_file_scanned_by_another_process_is_found_in_its_new_version(
    corpus_dir: Path, data_dir: Path
) -> None:
    (corpus_dir / "note.txt").write_text("Harbour note\n\nThe ferry to Karlsholm sails at noon.\n")
    mine, theirs = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        theirs.scan_corpus(corpus_dir)
        mine.catch_up()
        assert sources(mine, "karlsholm") == ["note.txt"]
        (corpus_dir / "note.txt").write_text("Harbour note\n\nThe ferry to Vesterby sails at dawn now.\n")
        theirs.scan_corpus(corpus_dir)
        mine.catch_up()
        assert sources(mine, "karlsholm") == [] and sources(mine, "vesterby") == ["note.txt"]
    finally:
        mine.close()
        theirs.close()


def test_the_snapshot_saved_after_catching_up_is_used_at_the_next_start(data_dir: Path) -> None:
    mine, theirs = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        add(theirs, "quokka.txt", "Quokka census\n\nRottnest Island counted its quokkas again.")
        mine.save_index()  # applies the other's document first, so the snapshot is current
    finally:
        theirs.close()
        mine.close()
    again = Dossier.open(data_dir)
    try:
        assert again._follower.applied == again.store.generation()
        assert sources(again, "quokka census") == ["quokka.txt"]
    finally:
        again.close()


def test_two_processes_scanning_one_folder_at_once_store_each_file_once(
    tmp_path: Path, data_dir: Path
) -> None:
    corpus_dir = tmp_path / "folder"
    corpus_dir.mkdir()
    for i in range(300):
        (corpus_dir / f"n{i:03d}.txt").write_text(f"Bulletin {i}\n\nNote number {i} about the tides.\n")
    one, two = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        start = threading.Barrier(2)
        reports = []

        def scan(d: Dossier) -> None:
            start.wait()
            reports.append(d.scan_corpus(corpus_dir))

        threads = [threading.Thread(target=scan, args=(d,)) for d in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert one.store.count_documents() == 300
        assert sum(r.count("added") for r in reports) == 300
        assert sum(r.count("duplicate") for r in reports) == 0
        one.catch_up()
        two.catch_up()
        assert len(one) == len(two) == 300
    finally:
        one.close()
        two.close()


def test_a_scan_waits_for_the_process_holding_the_scan(tmp_path: Path, data_dir: Path) -> None:
    corpus_dir = tmp_path / "folder"
    corpus_dir.mkdir()
    (corpus_dir / "a.txt").write_text("Alpha\n\nThe first note of the folder.\n")
    one, two = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        assert one.leases.take(SCAN_LEASE)
        report = two.scan_corpus(corpus_dir)
        assert report.elsewhere and report.outcomes == [] and two.store.count_documents() == 0
        one.leases.release(SCAN_LEASE)
        assert two.scan_corpus(corpus_dir).count("added") == 1
    finally:
        one.close()
        two.close()


def test_a_paging_session_made_by_one_process_is_read_by_another(data_dir: Path) -> None:
    from datetime import timedelta

    mine, theirs = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        session = mine.create_search_session("quokka census", 7, 7, timedelta(minutes=10))
        assert theirs.search_session(session.id) == session
    finally:
        mine.close()
        theirs.close()


async def test_python_m_bot_ingest_beside_the_running_bot_is_searchable_in_the_bot(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path, tmp_path: Path
) -> None:
    """On SQLite one bot holds the data folder; ``python -m bot ingest`` may run beside it, and the bot
    finds what it stored without a restart or /reindex."""
    env = bot_env(botapi, big_corpus, data_dir)
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        await botapi.wait_for("setMyCommands", timeout=30)
        note = tmp_path / "aardvark.txt"
        note.write_text("Aardvark survey\n\nThe aardvark survey of the Karoo found forty burrows.\n")
        ingest = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "ingest",
            str(note),
            cwd=REPO,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(ingest.communicate(), timeout=60)
        assert ingest.returncode == 0, out
        # Searched until found: the bot applies other processes' documents about once a second.
        for _ in range(50):
            botapi.user_message("/search aardvark survey")
            sent = await botapi.wait_for("sendMessage", timeout=10)
            if "aardvark.txt" in sent.params["text"]:
                break
            await asyncio.sleep(0.2)
        assert "aardvark.txt" in sent.params["text"]
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), timeout=20)
    assert bot.returncode == 0


def test_a_lease_of_a_process_elsewhere_is_taken_over_only_once_it_ran_out(data_dir: Path) -> None:
    import time

    from bot.leases import LeaseKeeper

    mine, theirs = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        elsewhere = LeaseKeeper(theirs.store, ttl=0.3, holder="another-host:4242:0000")
        assert elsewhere.take("digest-chat:9", renew=False)  # then that host goes quiet
        assert not mine.leases.take("digest-chat:9")
        time.sleep(0.4)
        assert mine.leases.take("digest-chat:9")
        assert not elsewhere.still_held("digest-chat:9")
    finally:
        mine.close()
        theirs.close()


def test_a_lease_of_a_killed_process_on_this_host_is_taken_over_at_once(data_dir: Path) -> None:
    import socket
    import subprocess

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    holder = f"{socket.gethostname()}:{int(dead.stdout)}:0000"
    mine = Dossier.open(data_dir)
    try:
        assert mine.store.acquire_lease("digest-chat:9", holder, 600)
        other = Dossier.open(data_dir)  # a live holder of this process is never taken over
        try:
            assert other.leases.take("digest-chat:7")
            assert not mine.leases.take("digest-chat:7")
        finally:
            other.close()
        assert mine.leases.take("digest-chat:9")
    finally:
        mine.close()


async def test_a_page_button_made_by_one_bot_works_in_another_running_beside_it(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    """Behind one webhook a button press may reach either replica: the second bot, with its own store
    connection and indexes, pages the first one's search (its state is in the store)."""
    from handlers.app import build_application
    from tests.conftest import make_settings

    settings = make_settings(botapi, big_corpus, data_dir)
    one = Dossier.open(data_dir)
    one.scan_corpus(big_corpus)
    two = Dossier.open(data_dir)
    try:
        async with botapi.running(build_application(settings, one)):
            botapi.user_message("/search csto")
            first = await botapi.wait_for("sendMessage")
            assert "page 1/3" in first.params["text"]
        async with botapi.running(build_application(settings, two)):  # the first is still open
            botapi.press_button(first, text="Next ›")
            edit = await botapi.wait_for("editMessageText")
            assert "page 2/3" in edit.params["text"]
    finally:
        one.close()
        two.close()


def test_an_ingest_beside_a_running_bot_leaves_the_bots_index_files_alone(tmp_path: Path) -> None:
    """``python -m bot ingest`` beside the bot on one SQLite folder stores its documents (the bot catches
    up) but writes no index files there: the bot owns them, and two processes writing one folder's index
    collide. With no bot running it takes the folder and keeps its index for the next start."""
    import fcntl

    from bot.cli import open_dossier
    from bot.core import SNAPSHOT_FILE
    from bot.datalock import LOCK_NAME
    from bot.settings import load_settings

    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    Dossier.open(data).close()  # the bot's index, saved at its close
    manifest = (data / SNAPSHOT_FILE).read_bytes()
    settings = load_settings(DOSSIER_CORPUS_DIR=str(corpus), DOSSIER_DATA_DIR=str(data))
    new = tmp_path / "new.txt"
    new.write_text("Harbour masters reopened the port after the storm.", encoding="utf-8")
    with (data / LOCK_NAME).open("a+", encoding="utf-8") as bot_lock:  # the running bot's hold
        fcntl.flock(bot_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        dossier = open_dossier(settings, scan=False, beside=True)
        try:
            assert dossier.ingest_paths([new], "cli").stored == 1
        finally:
            dossier.close()
        assert (data / SNAPSHOT_FILE).read_bytes() == manifest
    reopened = Dossier.open(data)
    try:
        assert len(reopened) == 1 and reopened.search(parse_query("harbour")).total == 1
    finally:
        reopened.close()
