"""What an outside test of the real bot found (issue 16), each case as a test that failed before its fix."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.cli import query_words_last
from bot.commands import Caller, Commands
from bot.commands.replies import SearchReply, TextReply
from bot.core import Dossier
from bot.logsafe import MASK, SecretFilter, mask_secrets
from bot.search.query import parse_query
from handlers.caller import NOT_ALLOWED
from handlers.ratelimit import is_safe_to_retry
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


def test_the_logs_keep_out_per_request_and_dictionary_loading_lines() -> None:
    """At INFO a long poll logged a line every few seconds, and the morphology two at every start."""
    chatty = [logging.getLogger(n) for n in ("", "httpx", "pymorphy3")]
    before = [c.level for c in chatty]
    try:
        logging.getLogger().setLevel(logging.INFO)  # as the bot logs by default
        mask_secrets([], logging.getLogger("tests.chatty"))
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert not logging.getLogger("pymorphy3.opencorpora_dict.wrapper").isEnabledFor(logging.INFO)
        assert logging.getLogger("pymorphy3").isEnabledFor(logging.WARNING)
    finally:
        for c, level in zip(chatty, before, strict=True):
            c.setLevel(level)


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


# ------------------------------------------------------------------ 12. Telegram's 5xx do not lose replies


def test_only_calls_that_cannot_arrive_twice_are_retried() -> None:
    def caused(exc: NetworkError, cause: BaseException | None) -> NetworkError:
        exc.__cause__ = cause
        return exc

    request = httpx.Request("POST", "http://127.0.0.1/")
    server_error = NetworkError("Bad Gateway (502)")
    refused = caused(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused", request=request))
    dropped = caused(NetworkError("httpx.ReadError"), httpx.ReadError("reset", request=request))
    read_timeout = caused(TimedOut(), httpx.ReadTimeout("slow", request=request))
    assert is_safe_to_retry("sendMessage", server_error)
    assert is_safe_to_retry("sendMessage", refused)
    assert not is_safe_to_retry("sendMessage", dropped)  # it may have been delivered
    assert not is_safe_to_retry("sendMessage", read_timeout)
    assert is_safe_to_retry("getFile", read_timeout) and is_safe_to_retry("getFile", dropped)
    assert not is_safe_to_retry("getFile", BadRequest("file is too big"))  # an answer, not a fault


async def test_a_reply_that_meets_5xx_is_sent_once_it_goes_through(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    async with run_bot():
        botapi.fail_next("sendMessage", 502, times=2)
        botapi.user_message("/search zas valdai")
        sent = await botapi.wait_for("sendMessage", lambda call: call.ok, timeout=15)
        assert "004_4c3000b3cf1095f3.txt" in sent.params["text"]
        await botapi.settle()
        assert len([c for c in botapi.sent("sendMessage") if c.ok]) == 1


async def test_an_upload_whose_get_file_meets_a_5xx_is_still_read(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    async with run_bot(DOSSIER_ADMIN_IDS=str(botapi.default_user.id)):
        botapi.fail_next("getFile", 500)
        botapi.user_document(b"Quokka census results\n\nThe quokka count rose.", "quokka.txt")
        status = await botapi.wait_for("sendMessage")
        final = await botapi.wait_for(
            "editMessageText",
            lambda call: not str(call.params.get("text", "")).startswith("Reading "),
            timeout=15,
        )
        assert final.params["message_id"] == status.result["message_id"]
        assert "added" in final.params["text"], final.params["text"]


# ------------------------------------------------------------------ 13. the corpus scan right after a restart


async def test_a_file_added_while_the_bot_was_down_is_found_right_after_a_restart(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    """The default scan interval is five minutes; the file must not wait for it."""
    first = Dossier.open(data_dir)
    first.scan_corpus(big_corpus)
    first.close()
    (big_corpus / "quokka.txt").write_text("Quokka census\n\nThe quokka count rose on Rottnest.\n")
    env = bot_env(botapi, big_corpus, data_dir, DOSSIER_LOG_LEVEL="INFO")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert proc.stderr is not None
    try:

        async def scanned() -> None:
            assert proc.stderr is not None
            while b"corpus scan:" not in (line := await proc.stderr.readline()):
                assert line, "the bot ended before its corpus scan"

        await asyncio.wait_for(scanned(), timeout=30)
        botapi.user_message("/search quokka census")
        sent = await botapi.wait_for("sendMessage", timeout=10)
        assert "quokka.txt" in sent.params["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 0


# ------------------------------------------------------------------ 11. one process per SQLite data folder


async def test_a_second_process_on_one_sqlite_folder_stops_with_one_line_naming_the_first(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    env = bot_env(botapi, big_corpus, data_dir)
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await botapi.wait_for("setMyCommands", timeout=30)
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "search", "csto", cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
        )
        _, err = await asyncio.wait_for(second.communicate(), timeout=30)
        lines = err.decode().strip().splitlines()
        assert second.returncode == 2
        assert len(lines) == 1 and f"in use by process {bot.pid} " in lines[0], lines
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.communicate(), timeout=20)
    # Once the first is gone (however it ended) the folder is free again.
    after = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "search", "csto", cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(after.communicate(), timeout=60)
    assert after.returncode == 0 and b"CSTO" in out


# ------------------------------------------------------------------ 5. an update PTB cannot parse


async def test_an_update_the_library_cannot_read_is_logged_once_and_skipped(
    botapi: FakeBotApi, run_bot: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="handlers.tolerantbot"):
        async with run_bot():
            botapi.queue_update("message", {"message_id": "not a number", "chat": 7}, malformed=True)
            botapi.user_message("/search zas valdai")
            sent = await botapi.wait_for("sendMessage", timeout=10)
            assert "004_4c3000b3cf1095f3.txt" in sent.params["text"]
            botapi.user_message("/doc 1")
            await botapi.wait_for("sendMessage", timeout=10)
    skipped = [r for r in caplog.records if "cannot be read and is skipped" in r.getMessage()]
    assert len(skipped) == 1 and "(message)" in skipped[0].getMessage()


# ------------------------------------------------------------------ 6. crashes on odd input


@pytest.mark.parametrize("text", ["/doc ²", "/doc ①", "/delete ① yes", "/delete ² "])
def test_digits_that_are_not_numbers_are_refused_clearly(
    commands: Commands, console_caller: Caller, text: str
) -> None:
    reply = commands.handle(text, console_caller)
    assert isinstance(reply, TextReply) and reply.error
    assert "is not a document number" in " ".join(reply.lines)


def test_an_unknown_command_of_thousands_of_characters_gets_a_short_answer(
    commands: Commands, console_caller: Caller
) -> None:
    reply = commands.handle("/" + "x" * 4090, console_caller)
    assert isinstance(reply, TextReply) and reply.error
    assert len("\n".join(reply.lines)) < 200


def test_a_query_word_with_a_leading_dash_needs_no_double_dash() -> None:
    assert query_words_last(["search", "csto", "-exercises", "--json"]) == [
        "search",
        "--json",
        "--",
        "csto",
        "-exercises",
    ]
    assert query_words_last(["search", "-csto", "--limit", "3"]) == ["search", "--limit", "3", "--", "-csto"]
    assert query_words_last(["who", "--all"]) == ["who", "--all", "--"]
    assert query_words_last(["ingest", "-x"]) == ["ingest", "-x"]


def test_python_m_bot_search_takes_a_leading_dash_word(env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "search", "-csto", "Masadykov", "--json"],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}, **env},
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["query"] == "-csto Masadykov"


# ------------------------------------------------------------------ 4. access is checked by who acts


async def test_members_only_a_stranger_pressing_buttons_in_the_team_group_gets_nothing(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    team = botapi.group(title="Team", supergroup=True)
    member, stranger = botapi.user("Mia"), botapi.user("Sam")
    botapi.set_member(team, member, "member")
    async with run_bot(DOSSIER_ACCESS="members", DOSSIER_ALLOWED_CHAT_IDS=str(team.id)):
        botapi.user_message("/search csto", user=member, chat=team)
        results = await botapi.wait_for("sendMessage", chat_id=team.id)
        for label in ("Next ›", results.params["reply_markup"]["inline_keyboard"][0][0]["text"]):
            botapi.press_button(results, text=label, user=stranger)
            refused = await botapi.wait_for("answerCallbackQuery")
            assert refused.params["text"] == NOT_ALLOWED
        await botapi.settle()
        assert not botapi.sent("editMessageText") and len(botapi.sent("sendMessage")) == 1
        botapi.press_button(results, text="Next ›", user=member)  # the member's own press still works
        assert "page 2/" in (await botapi.wait_for("editMessageText")).params["text"]


def test_a_search_session_pages_only_in_its_own_chat(commands: Commands) -> None:
    here, there = Caller(user_id=1, chat_id=100), Caller(user_id=2, chat_id=200)
    first = commands.search("csto", page_size=1, caller=here, paged=True)
    assert isinstance(first, SearchReply) and first.session is not None
    assert isinstance(commands.search_page(first.session, 1, here, page_size=1), SearchReply)
    forged = commands.search_page(first.session, 1, there, page_size=1)
    assert isinstance(forged, TextReply) and forged.error


async def test_members_only_a_group_digest_stops_when_its_subscriber_leaves_the_team(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    team, side = botapi.group(title="Team", supergroup=True), botapi.group(title="Side chat")
    member = botapi.user("Mia")
    botapi.set_member(team, member, "member")
    botapi.set_member(side, member, "creator")
    async with run_bot(
        DOSSIER_ACCESS="members", DOSSIER_ALLOWED_CHAT_IDS=str(team.id), DOSSIER_DIGEST_SCHEDULE="every 1s"
    ) as app:
        services = app.bot_data["services"]
        services.members.ttl = 0  # every check asks Telegram: the test changes membership
        botapi.user_message("/subscribe", user=member, chat=side)
        assert "subscribed" in (await botapi.wait_for("sendMessage", chat_id=side.id)).params["text"]
        botapi.set_member(team, member, "left")
        services.dossier.ingest_upload("quokka.txt", b"Quokka census\n\nThe quokka count rose.", "test")
        await botapi.wait_until(
            lambda: len([c for c in botapi.sent("getChatMember") if c.params["user_id"] == member.id]) >= 3
        )
        await botapi.settle()
        assert len(botapi.sent("sendMessage", chat_id=side.id)) == 1  # the subscription reply, no digest
