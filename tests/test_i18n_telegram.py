"""The bot in Russian and English through the real Application and the fake Bot API: who is answered in
which language (Telegram's language_code, /lang in private and in a group), the Russian menu, a Russian
/who card and digest, Russian plurals and dates in real replies."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.commands import Caller, Commands
from bot.commands.replies import SearchReply
from bot.core import Dossier
from bot.i18n import format_bytes
from bot.settings import Settings
from handlers.render import render
from tests.conftest import Runner
from tests.fakebotapi import BOT_USERNAME, FakeBotApi
from tests.test_digest import FAST, add_docs_between_runs, listed_ids, services
from tests.test_follows import add, labels
from tests.test_formats import lie_about_size, make_zip

NBSP = "\u00a0"
RU_DATE = re.compile(
    r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря) \d{4}"
)


async def test_a_russian_user_is_answered_in_russian(botapi: FakeBotApi, run_bot: Runner) -> None:
    ivan = botapi.user("Иван", language_code="ru")
    async with run_bot():
        botapi.user_message("/start", user=ivan)
        helped = await botapi.wait_for("sendMessage")
        text = helped.params["text"]
        assert text.startswith("Dossier отвечает на вопросы по ") and "Поиск прощает опечатки" in text
        assert f"<code>@{BOT_USERNAME} слова</code>" in text and "например: <code>/search " in text
        assert "/lang &lt;ru | en | auto&gt; — язык бота" in text
        botapi.user_message("/search csto", user=ivan)
        found = await botapi.wait_for("sendMessage")
        text = found.params["text"]
        assert re.search(r"<b>\d+</b> результат(а|ов)? по запросу «csto» · стр\. 1/3", text), text
        assert RU_DATE.search(text), text  # each hit's date as Russians write it
        labels = [b["text"] for row in found.params["reply_markup"]["inline_keyboard"] for b in row]
        assert all(label.startswith("Открыть #") for label in labels[:5]) and "Далее ›" in labels
        botapi.press_button(found, text="Далее ›", user=ivan)
        edit = await botapi.wait_for("editMessageText")
        assert "стр. 2/3" in edit.params["text"]
        botapi.user_message("/who", user=ivan)
        asked = await botapi.wait_for("sendMessage")
        assert asked.params["text"].startswith("Кого вы ищете?")
        botapi.user_message("/nonsense", user=ivan)
        unknown = await botapi.wait_for("sendMessage")
        assert (
            unknown.params["text"] == "Не знаю команды /nonsense. Отправьте /help, чтобы узнать, что я умею."
        )


async def test_an_english_user_is_answered_in_english(botapi: FakeBotApi, run_bot: Runner) -> None:
    for code in ("en", "de", None):  # English, and every language the bot does not speak
        user = botapi.user("Hans", language_code=code)
        async with run_bot():
            botapi.user_message("/search csto", user=user)
            found = await botapi.wait_for("sendMessage")
            assert re.search(r"<b>\d+</b> results for “csto” · page 1/3", found.params["text"])
            assert re.search(r"<i>\d{4}-\d{2}-\d{2} · ", found.params["text"])


async def test_the_default_language_setting_answers_unknown_codes(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    hans = botapi.user("Hans", language_code="de")
    async with run_bot(DOSSIER_DEFAULT_LANGUAGE="ru"):
        botapi.user_message("/who", user=hans)
        asked = await botapi.wait_for("sendMessage")
        assert asked.params["text"].startswith("Кого вы ищете?")


async def test_lang_in_a_private_chat_is_kept_across_restarts(botapi: FakeBotApi, run_bot: Runner) -> None:
    ivan = botapi.user("Иван", language_code="ru")
    async with run_bot():
        botapi.user_message("/lang", user=ivan)
        shown = await botapi.wait_for("sendMessage")
        assert shown.params["text"].startswith("Ваш язык: Русский (по настройкам Telegram).")
        labels = [b["text"] for row in shown.params["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == ["English", "Русский", "Автоматически"]
        botapi.press_button(shown, text="English", user=ivan)
        edit = await botapi.wait_for("editMessageText")
        assert edit.params["text"].startswith("Language set: English.")
        assert [b["text"] for b in edit.params["reply_markup"]["inline_keyboard"][0]][-1] == "Automatic"
    async with run_bot():  # a new process: the choice was kept
        botapi.user_message("/who", user=ivan)
        asked = await botapi.wait_for("sendMessage")
        assert asked.params["text"].startswith("Whom are you looking for?")
        botapi.user_message("/lang ru", user=ivan)
        chosen = await botapi.wait_for("sendMessage")
        assert chosen.params["text"].startswith("Язык интерфейса: Русский.")
        botapi.user_message("/lang klingon", user=ivan)
        bad = await botapi.wait_for("sendMessage")
        assert bad.params["text"].startswith("Выбор: /lang ru или /lang en")
        botapi.user_message("/lang auto", user=ivan)
        auto = await botapi.wait_for("sendMessage")
        assert auto.params["text"].startswith("Язык теперь выбирается по настройкам Telegram: Русский.")


async def test_lang_in_a_group_is_set_by_its_administrators(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Аналитики", supergroup=True)
    boss, member = botapi.user("Boss", language_code="en"), botapi.user("Member", language_code="en")
    botapi.set_member(group, boss, "administrator")
    botapi.set_member(group, member, "member")
    async with run_bot():
        botapi.user_message("/lang ru", user=member, chat=group)
        refused = await botapi.wait_for("sendMessage")
        assert refused.params["text"].startswith("Only the group's administrators can set its language.")
        botapi.user_message("/lang ru", user=boss, chat=group)
        done = await botapi.wait_for("sendMessage")
        assert done.params["text"].startswith("Язык этой группы теперь — Русский.")
        botapi.user_message("/who", user=member, chat=group)  # an English member, answered in the group's
        asked = await botapi.wait_for("sendMessage")
        assert asked.params["text"].startswith("Кого вы ищете?")
        botapi.user_message("/lang en", user=member, chat=group)
        refused = await botapi.wait_for("sendMessage")
        assert refused.params["text"].startswith("Язык группы могут задать только её администраторы.")
        botapi.user_message("/who", user=member)  # in private the member's own language still rules
        private = await botapi.wait_for("sendMessage")
        assert private.params["text"].startswith("Whom are you looking for?")
        botapi.user_message("/lang", user=member, chat=group)
        shown = await botapi.wait_for("sendMessage")
        assert shown.params["text"].startswith("Язык этой группы: Русский (задан администраторами).")
        botapi.press_button(shown, text="English", user=member)  # a member's press is refused too
        answered = await botapi.wait_for("answerCallbackQuery")
        assert answered.params["text"].startswith("Язык группы могут задать только")
        assert answered.params.get("show_alert") is True


async def test_the_command_menu_in_both_languages(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        menus = await botapi.wait_for_all("setMyCommands", count=2)
    default, russian = sorted(menus, key=lambda c: "language_code" in c.params)
    assert "language_code" not in default.params and russian.params["language_code"] == "ru"
    english = {c["command"]: c["description"] for c in default.params["commands"]}
    ru = {c["command"]: c["description"] for c in russian.params["commands"]}
    assert list(english) == list(ru) and "lang" in ru
    assert not {"add", "delete", "reindex", "stats"} & set(ru)  # admin commands stay out of both
    assert english["search"] == "find documents; typos and other spellings are fine"
    assert ru["search"] == "найти документы; опечатки и другие написания не помеха"
    assert ru["help"] == "этот список"


async def test_a_russian_who_card(botapi: FakeBotApi, run_bot: Runner) -> None:
    ivan = botapi.user("Иван", language_code="ru")
    async with run_bot():
        botapi.user_message("/who masadykov", user=ivan)
        card = await botapi.wait_for("sendMessage")
    text = card.params["text"]
    assert "<b>Должности</b>" in text and re.search(r"<b>Документы \(\d+\)</b>, сначала новые:", text), text
    assert "<i>Другие написания:</i> " in text and "без даты" in text  # (these documents carry no date)
    assert "Secretary General, CSTO — " in text  # the documents' own words stay as they are
    labels = [b["text"] for row in card.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels and labels[0].startswith("Открыть #")


async def test_a_russian_digest(botapi: FakeBotApi, run_bot: Runner) -> None:
    ivan = botapi.user("Иван", language_code="ru")
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe", user=ivan)
        confirm = await botapi.wait_for("sendMessage")
        assert (
            confirm.params["text"].startswith("Вы подписаны.")
            and "Следующий дайджест — " in confirm.params["text"]
        )
        new = add_docs_between_runs(app, 3)
        # A part is posted as its opening line, then edited into the whole part (exactly once across kills).
        digest = await botapi.wait_for(
            "editMessageText", lambda c: "Дайджест: 3 новых документа" in (c.text or ""), timeout=10
        )
    text = digest.params["text"]
    assert listed_ids(text) == new
    period = text.split("\n")[1]
    assert re.fullmatch(
        r"<i>\d{1,2} [а-я]+( \d{4})?, \d\d:\d\d(–\d\d:\d\d| — \d{1,2} [а-я]+ \d{4}, \d\d:\d\d) UTC</i>",
        period,
    ), period
    labels = [b["text"] for row in digest.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [f"Открыть #{i}" for i in new]


async def test_a_private_digest_keeps_the_language_it_subscribed_in(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    """A digest has no one asking: a private chat's comes in its user's /lang, else the language it
    subscribed in, never the server's default."""
    ivan = botapi.user("Иван", language_code="ru")
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe", user=ivan)
        await botapi.wait_for("sendMessage")
        add_docs_between_runs(app, 1)
        await botapi.wait_for(  # a part is its opening line, then edited whole: the edit is the digest
            "editMessageText", lambda c: "Дайджест: 1 новый документ" in (c.text or ""), timeout=10
        )
        botapi.user_message("/lang en", user=ivan)
        await botapi.wait_for("sendMessage", lambda c: "Дайджест" not in (c.text or ""))
        add_docs_between_runs(app, 2)
        await botapi.wait_for("editMessageText", lambda c: "<b>Digest: " in (c.text or ""), timeout=10)


async def test_a_press_goes_on_in_the_language_of_the_message_pressed(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    """Someone whose Telegram sends no language is answered in the language they write in; a press of a
    button has no words, so it goes on in the language of the message it came with: the next page, the
    person picked, the document opened from a digest that comes in the chat's language."""
    ivan = botapi.user("Иван", language_code=None)
    async with run_bot(**FAST) as app:
        botapi.user_message("/search ОДКБ", user=ivan)
        found = await botapi.wait_for("sendMessage")
        assert "стр. 1/" in found.params["text"] and "Далее ›" in labels(found)
        botapi.press_button(found, text="Далее ›", user=ivan)
        page = await botapi.wait_for("editMessageText")
        assert "стр. 2/" in page.params["text"] and "‹ Назад" in labels(page), page.params["text"]
        assert all(label.startswith("Открыть #") for label in labels(page)[:-2])

        dossier = services(app).dossier
        for role, first in (("Treasury Secretary", "James"), ("Senator", "Howard")):
            for i in range(3):
                add(
                    dossier,
                    f"Baker news {first} {i}",
                    f"{role} {first} Baker said on day {i} that all was well.",
                )
        botapi.user_message("/follow Бейкер", user=ivan)
        choices = await botapi.wait_for("sendMessage", lambda c: "нескольких" in (c.text or ""))
        botapi.press_button(choices, text="Howard Baker", user=ivan)
        picked = await botapi.wait_for("sendMessage", lambda c: "Howard Baker" in (c.text or ""))
        assert picked.params["text"].startswith("Слежу за: Howard Baker"), picked.params["text"]

        botapi.user_message("/lang ru", user=ivan)  # subscribed in Russian: the chat's digests are
        await botapi.wait_for("sendMessage", lambda c: "Язык" in (c.text or ""))
        botapi.user_message("/subscribe", user=ivan)
        await botapi.wait_for("sendMessage", lambda c: "подписаны" in (c.text or ""))
        botapi.user_message("/lang auto", user=ivan)  # ...and stay Russian with no choice of his own
        await botapi.wait_for("sendMessage", lambda c: "auto" in (c.text or "").lower())
        (new,) = add_docs_between_runs(app, 1)
        digest = await botapi.wait_for(
            "editMessageText", lambda c: "Дайджест: 1 новый документ" in (c.text or ""), timeout=10
        )
        botapi.press_button(digest, text=f"Открыть #{new}", user=ivan)
        opened = await botapi.wait_for("sendMessage", lambda c: f"<b>#{new} " in (c.text or ""))
        assert "без даты" in opened.params["text"], opened.params["text"]


async def test_sizes_in_russian_upload_refusals(botapi: FakeBotApi, run_bot: Runner) -> None:
    """A refused file's size and the limit as a Russian reads them: a decimal comma, a no-break space
    between thousands, МБ (and КБ: ``format_bytes``); before the download and after it (an archive that
    unpacks too big, a member over the limit)."""
    ivan = botapi.user("Иван", language_code="ru")
    async with run_bot(DOSSIER_ADMIN_IDS=str(ivan.id), DOSSIER_MAX_UPLOAD_MB="1"):
        botapi.user_document(b"a" * (2 * 2**20 + 2**19), "huge.txt", user=ivan)
        too_big = await botapi.wait_for("sendMessage")
        assert "Размер huge.txt — 2,5 МБ при пределе 1 МБ" in too_big.params["text"], too_big.params["text"]
        bomb = lie_about_size(make_zip([("big.txt", b"0" * 1000), ("ok.txt", b"1")]), "big.txt", 1500 * 2**20)
        botapi.user_document(bomb, "bomb.zip", user=ivan)
        refused = await botapi.wait_for(
            "editMessageText", lambda c: "1500" in (c.text or "").replace(NBSP, "")
        )
        assert "архив распаковывается в 1\u00a0500,0 МБ; предел — 100,0 МБ" in refused.params["text"]
        member = make_zip([("big.txt", b"word " * 300_000)])  # 1.4 MB of words: over 1 MB once unpacked
        botapi.user_document(member, "member.zip", user=ivan)
        refused = await botapi.wait_for(
            "editMessageText", lambda c: "предел" in (c.text or "") and "member.zip" in (c.text or "")
        )
        text = refused.params["text"]
        assert "member.zip/big.txt: файл слишком большой (1,4 МБ; предел — 1,0 МБ)" in text, text


def test_sizes_are_written_as_each_language_writes_them() -> None:
    sizes = [15 * 1024, 25 * 2**20, 1500 * 2**20]
    assert [format_bytes(n, "en") for n in sizes] == ["15 KB", "25.0 MB", "1,500.0 MB"]
    assert [format_bytes(n, "ru") for n in sizes] == ["15 КБ", "25,0 МБ", f"1{NBSP}500,0 МБ"]


@pytest.mark.parametrize(
    ("n", "header"),
    [
        (1, "<b>1</b> результат по запросу «csto»"),
        (2, "<b>2</b> результата по запросу «csto»"),
        (5, "<b>5</b> результатов по запросу «csto»"),
        (21, "<b>21</b> результат по запросу «csto»"),
        (11, "<b>11</b> результатов по запросу «csto»"),
    ],
)
def test_russian_plurals_in_a_real_search_reply(
    dossier: Dossier, settings: Settings, n: int, header: str
) -> None:
    reply = Commands(dossier, settings).search("csto", page_size=100)
    assert isinstance(reply, SearchReply)
    counted = SearchReply(replace(reply.page, total=n), reply.page_size, reply.notes)
    assert render(counted, "ru").messages[0].html.startswith(header)


def test_a_russian_message_is_split_under_telegrams_limit(dossier: Dossier, settings: Settings) -> None:
    """A long help or card in Russian stays under 4,096 UTF-16 units a message, escaped."""
    from handlers.render import MESSAGE_LIMIT, tg_len

    commands = Commands(dossier, settings)
    admin = Caller(is_admin=True, transport="telegram")
    for reply in (commands.help(admin), commands.who("masadykov"), commands.search("csto <b>")):
        for message in render(reply, "ru").messages:
            assert tg_len(message.html) <= MESSAGE_LIMIT and "<b>csto" not in message.html


def test_language_choices_are_kept_and_follow_a_migrated_group(dossier: Dossier) -> None:
    store = dossier.store
    assert store.language_choices(7, -1) == (None, None)
    store.set_language_choice("user", 7, "ru", 7)
    store.set_language_choice("chat", -1, "en", 7)
    assert store.language_choices(7, -1) == ("ru", "en")
    store.subscribe(-1, None, "group", 7)
    assert store.migrate_chat(-1, -1009)
    assert store.language_choices(7, -1) == ("ru", None) and store.language_choices(None, -1009) == (
        None,
        "en",
    )
    store.set_language_choice("user", 7, None, 7)  # /lang auto
    assert store.language_choices(7, None) == (None, None)
