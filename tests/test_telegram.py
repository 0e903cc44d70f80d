"""The Telegram bot as it runs: its real Application polling the fake Bot API server over HTTP."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from handlers.callbacks import encode_open
from handlers.caller import NOT_ALLOWED
from handlers.errors import SORRY
from tests.conftest import Runner, bot_env, both_backends, doc_id
from tests.fakebotapi import BOT_USERNAME, FakeBotApi


async def test_start_help_and_command_menu(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        commands = await botapi.wait_for("setMyCommands")
        assert {c["command"] for c in commands.params["commands"]} >= {"search", "doc", "help"}
        botapi.user_message("/start")
        sent = await botapi.wait_for("sendMessage")
        assert "/search" in sent.params["text"] and "/doc" in sent.params["text"]
        assert sent.params["parse_mode"] == "HTML"
        assert f"<code>@{BOT_USERNAME} words</code>" in sent.params["text"]  # the bot's own name


@both_backends
async def test_search_pages_in_place_and_survives_a_restart(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        botapi.user_message("/search csto")
        first = await botapi.wait_for("sendMessage")
        text = first.params["text"]
        assert "page 1/3" in text and "<b>CSTO</b>" in text
        markup = first.params["reply_markup"]["inline_keyboard"]
        assert len(markup[0]) == 5 and all(b["text"].startswith("Open #") for b in markup[0])
        botapi.press_button(first, text="Next ›")
        edit = await botapi.wait_for("editMessageText")
        assert "page 2/3" in edit.params["text"]
        answered = await botapi.wait_for("answerCallbackQuery")
        assert answered.ok
    # A new process on the same store: the buttons on the old message still work.
    async with run_bot():
        message = botapi.last_message(first.chat_id)
        botapi.press_button(message, text="Next ›")
        edit = await botapi.wait_for("editMessageText")
        assert "page 3/3" in edit.params["text"]
        labels = [b["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row]
        assert "‹ Prev" in labels and "Next ›" not in labels


async def test_expired_stale_and_forged_buttons(botapi: FakeBotApi, run_bot: Runner, data_dir: Path) -> None:
    async with run_bot():
        botapi.user_message("/search csto")
        first = await botapi.wait_for("sendMessage")
        db = sqlite3.connect(data_dir / "dossier.sqlite3")
        db.execute("UPDATE search_sessions SET expires_at = '2000-01-01T00:00:00+00:00'")
        db.commit()
        db.close()
        botapi.press_button(first, text="Next ›")
        expired = await botapi.wait_for("answerCallbackQuery")
        assert "expired" in expired.params["text"]
        botapi.press_button(first, data="s:nope:5", check=False)  # unknown (purged) session
        assert "expired" in (await botapi.wait_for("answerCallbackQuery")).params["text"]
        for forged in ("v1|page|2", "d:abc", "s:" + "x" * 60, "s:abcd:-1"):
            botapi.press_button(first, data=forged, check=False)
            answered = await botapi.wait_for("answerCallbackQuery")
            assert "no longer works" in answered.params["text"]
        await botapi.settle()
        assert not botapi.sent("editMessageText")


async def test_open_button_and_doc_command(botapi: FakeBotApi, run_bot: Runner, data_dir: Path) -> None:
    async with run_bot():
        botapi.user_message("/search Tasmagambetv")
        results = await botapi.wait_for("sendMessage")
        wanted = doc_id(data_dir, "002_eca40e1e4d17962e.txt")
        botapi.press_button(results, data=encode_open(wanted, "en"))
        parts = await botapi.wait_for_all("sendMessage", count=3)  # 10,000 characters: three messages
        assert parts[0].params["text"].startswith(f"<b>#{wanted} On December 5, 2024")
        assert "2024-12-05" in parts[0].params["text"]
        botapi.user_message(f"/doc {wanted}")
        again = await botapi.wait_for_all("sendMessage", count=3)
        assert [p.params["text"] for p in again] == [p.params["text"] for p in parts]


async def test_html_in_documents_is_escaped(botapi: FakeBotApi, run_bot: Runner, data_dir: Path) -> None:
    async with run_bot():
        botapi.user_message(f"/doc {doc_id(data_dir, 'html_trap.txt')}")
        sent = await botapi.wait_for("sendMessage")
        text = sent.params["text"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "AT&amp;T" in text
        assert "<script>" not in text and "<b>fake bold</b>" not in text
        botapi.user_message("/search ampersands <script>")
        found = await botapi.wait_for("sendMessage")
        assert "<script>" not in found.params["text"]
        assert "&lt;script&gt;" in found.params["text"]


async def test_long_document_is_split_and_huge_one_sent_as_file(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot():
        botapi.user_message(f"/doc {doc_id(data_dir, 'long_doc.txt')}")
        parts = await botapi.wait_for_all("sendMessage", count=3)  # three paragraphs fit in a message
        assert all(len(p.params["text"]) <= 4096 for p in parts)
        joined = "\n".join(p.params["text"] for p in parts)
        assert joined.count("Paragraph about the Zanzibar archive.") == 9 * 30
        for p in parts[1:]:
            assert p.params["text"][0].isdigit()  # each part starts at a paragraph boundary
        botapi.user_message(f"/doc {doc_id(data_dir, 'huge_doc.txt')}")
        upload = await botapi.wait_for("sendDocument")
        filename = upload.files["document"].filename
        assert filename is not None and filename.endswith(".txt")
        assert b"A huge Zanzibar almanac" in upload.files["document"].content


async def test_groups_threads_and_silence(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        group = botapi.group(forum=True)
        botapi.user_message("just chatting about csto", chat=group)
        botapi.user_message("/unknowncmd", chat=group)
        asked = botapi.user_message(f"/search@{BOT_USERNAME} zas valdai", chat=group, thread_id=42)
        sent = await botapi.wait_for("sendMessage")
        assert sent.params["message_thread_id"] == 42
        assert sent.params["reply_parameters"]["message_id"] == asked["message_id"]
        assert "004_4c3000b3cf1095f3.txt" in sent.params["text"]
        botapi.user_message("/search zas", chat=botapi.group(title="Plain group"))
        await botapi.wait_for("sendMessage")
        await botapi.settle()
        assert len(botapi.sent("sendMessage")) == 2  # nothing for the chatter or the unknown command


async def test_private_unknown_command_and_plain_text(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        botapi.user_message("/frobnicate now")
        pointer = await botapi.wait_for("sendMessage")
        assert "/frobnicate" in pointer.params["text"] and "/help" in pointer.params["text"]
        botapi.user_message("Масадыков")
        found = await botapi.wait_for("sendMessage")
        assert "000_dee57ec397d11e84.txt" in found.params["text"]


async def test_bad_input_in_chat(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        for text, expected in [
            ("/search", "Tell me what to look for"),
            ("/doc", "Which document?"),
            ("/doc twelve", "is not a document number"),
            ("/doc 99999", "There is no document #99999"),
            ("/search " + "x" * 4000, "Left out a word of 1,000 letters"),
        ]:
            botapi.user_message(text)
            sent = await botapi.wait_for("sendMessage")
            assert expected in sent.params["text"], text
        message = botapi.user_message("/search zas")
        await botapi.wait_for("sendMessage")
        botapi.user_edit(message, "/search masadykov")
        botapi.channel_post("/search csto")
        await botapi.settle()
        assert not botapi.sent("sendMessage", chat_id=botapi.channel().id)
        assert len(botapi.sent("sendMessage")) == 6  # the edit and the channel post got no answer


async def test_inline_mode(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        botapi.inline_query("masadikov")
        answer = await botapi.wait_for("answerInlineQuery")
        results = answer.params["results"]
        assert len(results) == 2 and all(r["type"] == "article" for r in results)
        assert "#" in results[0]["description"]
        assert "Dossier #" in results[0]["input_message_content"]["message_text"]
        assert answer.params["is_personal"] is True  # in the asker's language: not cached for others
        botapi.inline_query("")
        empty = await botapi.wait_for("answerInlineQuery")
        assert empty.params["results"] == [] and empty.params["button"]["start_parameter"] == "help"
        botapi.inline_query(("csto " * 52)[:256])  # 256 characters: the most Telegram sends
        long = await botapi.wait_for("answerInlineQuery")
        assert long.ok and long.params["results"]
        botapi.inline_query("csto", offset="")
        paged = await botapi.wait_for("answerInlineQuery")
        assert len(paged.params["results"]) >= 10


async def test_rate_limit_is_waited_out(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        await botapi.wait_for("setMyCommands")
        botapi.fail_next("sendMessage", status=429, retry_after=0.05)
        botapi.user_message("/search zas")
        sent = await botapi.wait_for("sendMessage", ok=True)
        assert "004" in sent.params["text"]
        assert len(botapi.sent("sendMessage", ok=False)) == 1


async def test_a_crash_in_a_handler_is_reported_and_the_bot_lives_on(
    botapi: FakeBotApi, run_bot: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.commands import Commands

    original = Commands.handle

    def explode(self: Commands, text: str, caller: Any) -> Any:
        if "boom" in text:
            raise RuntimeError("simulated bug")
        return original(self, text, caller)

    monkeypatch.setattr(Commands, "handle", explode)
    async with run_bot() as app:
        botapi.user_message("/search boom")
        sorry = await botapi.wait_for("sendMessage")
        assert sorry.params["text"] == SORRY
        await botapi.wait_until(lambda: bool(botapi.handler_errors))
        assert isinstance(botapi.handler_errors[0], RuntimeError)
        botapi.handler_errors.clear()
        botapi.user_message("/search zas")
        fine = await botapi.wait_for("sendMessage")
        assert "004" in fine.params["text"]
        assert app.running


async def test_blocked_user_does_not_crash_the_bot(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        await botapi.wait_for("setMyCommands")
        botapi.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
        botapi.user_message("/search zas")
        await botapi.wait_for("sendMessage", ok=False)
        await botapi.wait_until(lambda: bool(botapi.handler_errors))
        botapi.handler_errors.clear()
        botapi.user_message("/search zas")
        await botapi.wait_for("sendMessage", ok=True)


async def test_members_only_access(botapi: FakeBotApi, run_bot: Runner) -> None:
    team = botapi.group(title="Team", supergroup=True)
    member = botapi.user("Mia")
    stranger = botapi.user("Sam")
    botapi.set_member(team, member, "member")
    botapi.set_member(team, stranger, "left")
    async with run_bot(DOSSIER_ACCESS="members", DOSSIER_ALLOWED_CHAT_IDS=str(team.id)):
        botapi.user_message("/search zas", user=stranger)
        refused = await botapi.wait_for("sendMessage")
        assert refused.params["text"] == NOT_ALLOWED
        botapi.user_message("/search zas", user=stranger, chat=botapi.group(title="Elsewhere"))
        botapi.inline_query("zas", user=stranger)
        inline = await botapi.wait_for("answerInlineQuery")
        assert inline.params["results"] == [] and inline.params["is_personal"] is True
        assert inline.params.get("cache_time") == 0  # no cached answer for the next person to ask
        botapi.user_message("/search zas", user=member)
        allowed = await botapi.wait_for("sendMessage")
        assert "004" in allowed.params["text"]
        botapi.inline_query("zas", user=member)
        personal = await botapi.wait_for("answerInlineQuery")
        assert personal.params["results"] and personal.params["is_personal"] is True
        assert personal.params.get("cache_time") == 0
        botapi.user_message("/search zas", user=stranger, chat=team)  # in the team group itself
        in_team = await botapi.wait_for("sendMessage")
        assert "004" in in_team.params["text"]
        await botapi.settle()
        assert len(botapi.sent("sendMessage")) == 3  # nothing in "Elsewhere"


async def test_a_slow_chat_does_not_hold_up_another(botapi: FakeBotApi, run_bot: Runner) -> None:
    slow_user, quick_user = botapi.user("Slow"), botapi.user("Quick")
    async with run_bot():
        await botapi.wait_for("setMyCommands")
        botapi.delay("sendMessage", 1.5, chat_id=slow_user.id)
        botapi.user_message("/search zas", user=slow_user)
        botapi.user_message("/search zas", user=quick_user)
        first = await botapi.wait_for("sendMessage", timeout=5)
        assert first.chat_id == quick_user.id
        second = await botapi.wait_for("sendMessage", timeout=5)
        assert second.chat_id == slow_user.id


async def test_python_m_bot_run_serves_telegram(botapi: FakeBotApi, big_corpus: Path, data_dir: Path) -> None:
    """The real entry point, as a subprocess with run_polling: start-up, one answer, clean stop."""
    import asyncio
    import signal
    import sys

    from tests.conftest import REPO

    env = bot_env(botapi, big_corpus, data_dir)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await botapi.wait_for("setMyCommands", timeout=30)
        botapi.user_message("/search zas valdai")
        sent = await botapi.wait_for("sendMessage", timeout=10)
        assert "004_4c3000b3cf1095f3.txt" in sent.params["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 0, stderr.decode()


async def test_ask_and_questions_in_a_private_chat(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    holders = ["Stanislav Zas", "Imangali Tasmagambetov", "Taalatbek Masadykov"]
    async with run_bot():
        commands = await botapi.wait_for("setMyCommands")
        assert "ask" in {c["command"] for c in commands.params["commands"]}
        botapi.user_message("/ask Кто генсек ОДКБ?")
        text = (await botapi.wait_for("sendMessage")).params["text"]
        assert [text.index(name) for name in holders] == sorted(text.index(name) for name in holders)
        botapi.user_message("what did Zas say at Valdai?")  # plain words in a private chat
        answer = (await botapi.wait_for("sendMessage")).params["text"]
        valdai = doc_id(data_dir, "004_4c3000b3cf1095f3.txt")
        assert answer.startswith(f"The best answer, from #{valdai} <b>CSTO says NATO’s build-up")
        assert "Stanislav <b>Zas</b> said at the <b>Valdai</b> international" in answer.split("\n")[1]
        botapi.user_message("/search Masadykov зяблик")  # a word no document has in any language
        partial = (await botapi.wait_for("sendMessage")).params["text"]
        assert "<i>No document has all your words; these match most of them.</i>" in partial
        assert "<i>Nothing matched: зяблик</i>" in partial and "Did you mean" not in partial
