"""What an outside test of the real bot found (issue 16), each case as a test that failed before its fix."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import sys
import zipfile
from pathlib import Path

from bot.core import Dossier
from bot.logsafe import MASK, SecretFilter
from bot.search.query import parse_query
from handlers.render import MESSAGE_LIMIT, document, inline_summary, split_html, tg_len
from tests.conftest import REPO, Runner, bot_env
from tests.fakebotapi import TOKEN, FakeBotApi

# ------------------------------------------------------------------ 1. the token never reaches the log


def test_the_secret_filter_masks_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretFilter([TOKEN]))
    logger = logging.getLogger("tests.secret")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("HTTP Request: POST %s", f"http://127.0.0.1/bot{TOKEN}/getUpdates")
        logger.warning("url-encoded: /bot%s/x", TOKEN.replace(":", "%3A"))
        try:
            raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert TOKEN not in out and TOKEN.replace(":", "%3A") not in out
    assert out.count(MASK) == 3 and "Traceback" in out


async def test_a_real_run_at_debug_level_never_logs_the_token(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    """The real entry point at the most talkative level: requests are made (and were logged with the
    token in their URL at INFO before), the log has lines, and none of them holds the token."""
    env = bot_env(botapi, big_corpus, data_dir, DOSSIER_LOG_LEVEL="DEBUG")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await botapi.wait_for("setMyCommands", timeout=30)
        botapi.user_message("/search zas valdai")
        await botapi.wait_for("sendMessage", timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    log = stderr.decode()
    assert proc.returncode == 0, log
    assert len(log.splitlines()) > 20  # the level really was DEBUG: PTB said what it did
    assert TOKEN not in log and TOKEN.replace(":", "%3A") not in log


# ------------------------------------------------------------------ 2. /doc never hangs on a long label


def test_split_html_ends_and_fits_whatever_the_prefix() -> None:
    for prefix in ("&" * 900, "x" * 5000, "😀" * 3000, ""):
        parts = split_html("Body " * 3000 + "\n" + "😀" * 5000, MESSAGE_LIMIT, first_prefix=prefix)
        assert parts and all(0 < tg_len(p) <= MESSAGE_LIMIT for p in parts)


def test_split_html_counts_emoji_as_telegram_does() -> None:
    parts = split_html("😀" * 3000, MESSAGE_LIMIT)  # 3,000 characters, 6,000 UTF-16 units
    assert len(parts) == 2 and all(tg_len(p) <= MESSAGE_LIMIT for p in parts)


def zip_with_member(member: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, text)
    return buffer.getvalue()


def test_a_document_with_a_label_of_thousands_of_characters_renders_within_limits(
    dossier: Dossier,
) -> None:
    for member in ("a" * 3950 + ".txt", "&" * 900 + ".txt"):
        report = dossier.ingest_upload(
            "long.zip", zip_with_member(member, f"Label test {member[:5]}\n\nBody text."), "test"
        )
        assert report.count("added") == 1
    docs = [d for d in dossier.store.iter_documents() if d.source.startswith("long.zip/")]
    assert len(docs) == 2
    for doc in docs:
        rendered = document(doc)
        assert rendered.messages and all(tg_len(m.html) <= MESSAGE_LIMIT for m in rendered.messages)
        assert "Body text." in rendered.messages[-1].html


async def test_doc_and_the_open_button_answer_for_a_document_with_a_huge_label(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot() as app:
        dossier = app.bot_data["services"].dossier
        dossier.ingest_upload("long.zip", zip_with_member("&" * 900 + ".txt", "Amp test\n\nBody."), "test")
        doc = next(d for d in dossier.store.iter_documents() if d.source.startswith("long.zip/"))
        botapi.user_message(f"/doc {doc.id}")
        sent = await botapi.wait_for("sendMessage", timeout=10)
        assert "Body." in sent.params["text"]
        assert tg_len(sent.params["text"]) <= MESSAGE_LIMIT


def test_an_inline_answer_stays_under_the_limit(dossier: Dossier) -> None:
    dossier.ingest_upload("long.zip", zip_with_member("&" * 900 + ".txt", "Amp test\n\nBody."), "test")
    hits = dossier.search(parse_query("amp test")).hits
    assert hits
    assert all(tg_len(inline_summary(hit)) <= MESSAGE_LIMIT for hit in hits)
