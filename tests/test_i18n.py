"""The Russian catalog stays complete and correct, and each reader gets their language.

The catalog checks read the ``.po`` as translators leave it, the ``.mo`` the bot loads and the messages
the code marks, so a message added in the code and not translated, a placeholder lost in translation or a
``.mo`` not recompiled fails here, naming the message (``pybabel extract && pybabel update && pybabel
compile`` from the repository root refreshes the catalog).
"""

from __future__ import annotations

import html
import string
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot import texts
from bot.i18n import (
    LOCALE_DIR,
    NATIVE_NAMES,
    SUPPORTED,
    Language,
    Plural,
    catalog_path,
    choose_language,
    format_date,
    format_datetime,
    format_period,
    language_of_code,
    parse_language,
    translator,
)
from bot.settings import SettingsError, load_settings
from tests.conftest import REPO

PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "dossier.po"
POT = LOCALE_DIR / "dossier.pot"
RUSSIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


RU = read_catalog(PO)
MESSAGES = [m for m in RU if m.id]


def ids(m: Message) -> list[str]:
    """A message's English: its id, and its plural id if it has one (read_mo gives lists)."""
    return [str(x) for x in m.id] if isinstance(m.id, tuple | list) else [m.id]


def key(m: Message) -> str:
    """How a failure names a message: its context and (singular) id."""
    return f"{m.context}|{ids(m)[0]}" if m.context else ids(m)[0]


def forms(m: Message) -> list[str]:
    """A message's Russian text, one string per plural form."""
    return list(m.string) if isinstance(m.string, tuple | list) else [m.string or ""]


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message (a stray brace raises ValueError)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# ----------------------------------------------------------------- the catalog is complete
def test_the_russian_catalog_has_russian_plural_forms() -> None:
    headers = dict(RU.mime_headers)
    assert headers["Language"] == "ru"
    assert headers["Plural-Forms"] == RUSSIAN_PLURALS
    assert RU.num_plurals == 3


def test_every_message_has_a_russian_translation() -> None:
    assert len(MESSAGES) >= 25
    missing = []
    for m in MESSAGES:
        wanted = RU.num_plurals if m.pluralizable else 1
        texts_ = forms(m)
        if m.fuzzy or len(texts_) != wanted or not all(t.strip() for t in texts_):
            missing.append(key(m) + (" (fuzzy)" if m.fuzzy else ""))
    assert not missing, f"untranslated in {PO.name}: {missing}"


def test_every_translation_keeps_exactly_the_placeholders_of_its_message() -> None:
    wrong = []
    for m in MESSAGES:
        # Russian uses each form for many numbers (form 0 for 1 and 21), so each keeps every field of
        # the general (plural) English form.
        english = ids(m)
        expected = placeholders(english[-1])
        if not placeholders(english[0]) <= expected:
            wrong.append(f"{key(m)}: the singular has fields the plural lacks")
        wrong += [f"{key(m)}: {t!r}" for t in forms(m) if placeholders(t) != expected]
    assert not wrong, wrong


def test_messages_use_one_placeholder_style_braces() -> None:
    percent = [key(m) for m in MESSAGES if "python-format" in m.flags]
    assert not percent, f"use {{name}} placeholders, not %: {percent}"


def test_translations_are_plain_text_with_russian_quotes() -> None:
    """Templates are escaped by the HTML renderer, so a translation brings no markup of its own; Russian
    quotes are «ёлочки» where English has “curly” ones."""
    wrong = []
    for m in MESSAGES:
        english = "".join(ids(m))
        for t in forms(m):
            if html.escape(t, quote=False) != t and html.escape(english, quote=False) == english:
                wrong.append(f"{key(m)}: markup {t!r}")
            if "“" in english and ("«" not in t or "“" in t or "”" in t):
                wrong.append(f"{key(m)}: quotes {t!r}")
    assert not wrong, wrong


def test_the_compiled_catalog_is_the_po_compiled() -> None:
    """The ``.mo`` the bot loads holds exactly the ``.po``'s translations (``pybabel compile`` skips
    fuzzy ones), and the same plural rule."""
    with catalog_path("ru").open("rb") as fp:
        compiled = read_mo(fp)

    def table(catalog: Catalog) -> dict[tuple[str | None, str], tuple[str, ...]]:
        return {
            (m.context, key(m)): tuple(forms(m)) for m in catalog if m.id and not m.fuzzy and any(forms(m))
        }

    assert table(compiled) == table(RU), "run: pybabel compile"
    assert dict(compiled.mime_headers)["Plural-Forms"] == RUSSIAN_PLURALS


def marked_in_code() -> dict[tuple[str | None, str], str | None]:
    """Every message ``pybabel extract`` finds in bot/ and handlers/ with the project's settings:
    (context, id) to its plural id."""
    config = PYPROJECT["tool"]["babel"]["extract_messages"]
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(config["keywords"])}
    found: dict[tuple[str | None, str], str | None] = {}
    for folder in config["input-paths"]:
        for _, _, message, _, context in extract_from_dir(
            REPO / folder, method_map=[("**.py", "python")], keywords=keywords
        ):
            ids = message if isinstance(message, tuple) else (message,)
            found[(context, ids[0])] = ids[1] if len(ids) > 1 else None
    return found


def test_the_catalog_holds_exactly_the_messages_the_code_marks() -> None:
    code = marked_in_code()
    for catalog in (read_catalog(POT), RU):
        held = {(m.context, ids(m)[0]): (ids(m)[1] if m.pluralizable else None) for m in catalog if m.id}
        assert held == code, "run: pybabel extract && pybabel update && pybabel compile"


def test_the_compiled_catalogs_ship_in_the_package() -> None:
    """``pip install .`` copies what ``[tool.setuptools.package-data]`` names: the ``.mo`` must match."""
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["bot"]
    for lang in SUPPORTED:
        if lang == "en":
            continue
        relative = PurePosixPath(catalog_path(lang).relative_to(REPO / "bot").as_posix())
        assert any(relative.match(p) for p in patterns), relative


# ----------------------------------------------------------------- Russian grammar
@pytest.mark.parametrize(
    ("message", "n", "expected"),
    [
        (texts.RESULTS, 1, "1 результат"),
        (texts.RESULTS, 2, "2 результата"),
        (texts.RESULTS, 5, "5 результатов"),
        (texts.RESULTS, 0, "0 результатов"),
        (texts.DOCUMENTS, 21, "21 документ"),
        (texts.DOCUMENTS, 11, "11 документов"),
        (texts.DOCUMENTS, 12, "12 документов"),
        (texts.DOCUMENTS, 22, "22 документа"),
        (texts.DOCUMENTS, 111, "111 документов"),
        (texts.NEW_DOCUMENTS, 1, "1 новый документ"),
        (texts.NEW_DOCUMENTS, 3, "3 новых документа"),
        (texts.NEW_DOCUMENTS, 14, "14 новых документов"),
        (texts.MORE_POSTS, 2, "…и ещё 2 должности"),
    ],
)
def test_russian_plural_forms(message: Plural, n: int, expected: str) -> None:
    assert translator("ru").ngettext(*message, n).format(n=n) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "1 result"), (2, "2 results"), (0, "0 results")])
def test_english_is_the_message_ids_themselves(n: int, expected: str) -> None:
    assert translator("en").ngettext(*texts.RESULTS, n).format(n=n) == expected
    assert translator("en").gettext(texts.NOTHING_FOUND) == "Nothing found for “{query}”."


def test_a_template_is_escaped_then_filled_with_html() -> None:
    """The convention the HTML renderer follows: the number in bold, the query escaped once."""
    t = translator("ru")
    results = html.escape(t.ngettext(*texts.RESULTS, 5)).format(n="<b>5</b>")
    header = html.escape(t.gettext(texts.RESULTS_FOR)).format(results=results, query=html.escape("<b>"))
    assert header == "<b>5</b> результатов по запросу «&lt;b&gt;»"


def test_translators_are_loaded_once_per_language() -> None:
    assert translator("ru") is translator("ru")
    assert translator("ru").gettext("Cancel") == "Отмена"
    assert translator("ru").gettext("not in the catalog") == "not in the catalog"
    with pytest.raises(ValueError, match="unsupported language"):
        translator("de")  # type: ignore[arg-type]


# ----------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 14), "14 марта 2026"),
        (date(2026, 1, 1), "1 января 2026"),
        (date(2025, 5, 9), "9 мая 2025"),
        (date(2024, 8, 23), "23 августа 2024"),
    ],
)
def test_russian_dates_name_the_month_in_the_genitive(day: date, expected: str) -> None:
    assert format_date(day, "ru") == expected


def test_english_dates_are_written_as_today() -> None:
    assert format_date(date(2026, 3, 14), "en") == "2026-03-14"
    assert format_date(datetime(2026, 3, 14, 23, 59), "en") == "2026-03-14"
    assert format_date(None, "en") == "undated"
    assert format_date(None, "ru") == "без даты"


def test_moments_are_shown_in_the_teams_time_zone() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    moment = datetime(2026, 3, 14, 6, 5, tzinfo=UTC)
    assert format_datetime(moment, "en", moscow) == "2026-03-14 09:05"
    assert format_datetime(moment, "en", moscow, zone=True) == "2026-03-14 09:05 MSK"
    assert format_datetime(moment, "ru", moscow) == "14 марта 2026, 09:05"
    assert format_datetime(moment, "ru", UTC, zone=True) == "14 марта 2026, 06:05 UTC"


def test_the_english_digest_period_is_byte_for_byte_todays() -> None:
    """As handlers/render.py writes the digest header from a period already in the team's zone."""
    moscow = ZoneInfo("Europe/Moscow")
    start = datetime(2026, 3, 13, 6, 0, tzinfo=UTC).astimezone(moscow)
    end = datetime(2026, 3, 14, 6, 30, tzinfo=UTC).astimezone(moscow)
    today = f"{start.strftime('%Y-%m-%d %H:%M')} – {end.strftime('%Y-%m-%d %H:%M %Z')}"
    assert format_period(start, end, "en", moscow) == today == "2026-03-13 09:00 – 2026-03-14 09:30 MSK"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2026, 3, 14, 6), datetime(2026, 3, 14, 15), "14 марта 2026, 09:00–18:00 MSK"),
        (datetime(2026, 3, 13, 6), datetime(2026, 3, 14, 6), "13 марта, 09:00 — 14 марта 2026, 09:00 MSK"),
        (
            datetime(2025, 12, 31, 6),
            datetime(2026, 1, 1, 6),
            "31 декабря 2025, 09:00 — 1 января 2026, 09:00 MSK",
        ),
    ],
)
def test_the_russian_digest_period_names_what_both_ends_share_once(
    start: datetime, end: datetime, expected: str
) -> None:
    moscow = ZoneInfo("Europe/Moscow")
    got = format_period(start.replace(tzinfo=UTC), end.replace(tzinfo=UTC), "ru", moscow)
    assert got == expected


# ----------------------------------------------------------------- who gets which language
@pytest.mark.parametrize(
    ("user", "chat", "code", "group", "default", "expected"),
    [
        # 1. the user's own /lang choice first, in a group too, whatever Telegram says
        ("en", "ru", "ru", True, "ru", "en"),
        ("ru", None, "en-US", False, "en", "ru"),
        # 2. in a group, the language an administrator set for the chat, over the asker's Telegram
        (None, "ru", "en", True, "en", "ru"),
        (None, "en", "ru", True, "en", "en"),
        # ... but not in a private chat (there the user's own choice is the chat's)
        (None, "ru", "en", False, "en", "en"),
        # 3. Telegram's language_code: ru and its regional tags are Russian, en English
        (None, None, "ru", False, "en", "ru"),
        (None, None, "ru-RU", True, "en", "ru"),
        (None, None, "RU", False, "en", "ru"),
        (None, None, "en-GB", False, "ru", "en"),
        # 4. the default for every other code, and for none
        (None, None, "de", False, "en", "en"),
        (None, None, "uk", False, "ru", "ru"),
        (None, None, "rue", False, "en", "en"),
        (None, None, None, False, "ru", "ru"),
        (None, None, "", True, "en", "en"),
    ],
)
def test_choose_language_precedence(
    user: Language | None,
    chat: Language | None,
    code: str | None,
    group: bool,
    default: Language,
    expected: Language,
) -> None:
    got = choose_language(
        user_choice=user, chat_choice=chat, language_code=code, chat_is_group=group, default=default
    )
    assert got == expected


def test_language_codes_and_names() -> None:
    assert language_of_code("ru_RU") == "ru" and language_of_code("fr") is None
    assert [parse_language(x) for x in ("ru", " RU ", "русский", "English", "fr")] == [
        "ru",
        "ru",
        "ru",
        "en",
        None,
    ]
    assert set(NATIVE_NAMES) == set(SUPPORTED)


# ----------------------------------------------------------------- DOSSIER_DEFAULT_LANGUAGE
def test_default_language_setting() -> None:
    assert load_settings().default_language == "en"
    assert load_settings(DOSSIER_DEFAULT_LANGUAGE=" RU ").default_language == "ru"
    with pytest.raises(SettingsError) as err:
        load_settings(DOSSIER_DEFAULT_LANGUAGE="de")
    assert str(err.value) == (
        "DOSSIER_DEFAULT_LANGUAGE: not a language the bot speaks (use en or ru) (got 'de')"
    )
