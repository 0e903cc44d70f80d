"""The bot's two languages, English and Russian: which one a reply is rendered in, its words, and dates.

Message catalogs are gettext's (``.po`` for translators, compiled ``.mo`` shipped in the package under
``bot/locale/<lang>/LC_MESSAGES/dossier.mo``), kept with Babel; the standard library's ``gettext`` reads
them at run time. English needs no catalog: a message id *is* the English text, so an English reply is
byte for byte what the code says. The catalog is refreshed from the code by one command, run from the
repository root (its settings are the ``[tool.babel.*]`` tables of ``pyproject.toml``)::

    pybabel extract && pybabel update && pybabel compile

``tests/test_i18n.py`` fails while a message lacks a Russian translation, a translation is fuzzy or drops a
placeholder, the ``.mo`` lags behind the ``.po``, or the code marks a message the catalog does not hold.

Why gettext and Babel rather than Fluent: the issue prefers them, and they cover everything this bot
needs. Two languages, a few hundred short messages whose grammar varies only by number: gettext's plural
forms handle Russian's three (1 результат, 2 результата, 5 результатов) through the catalog, where
Fluent's selectors would give each message its own branches to keep in step. ``pybabel extract`` finds the
messages in the code, so a message never exists only in a catalog; ``.po`` files are what translators and
their tools know; and the standard library reads the compiled catalogs, so nothing but Babel is added
(which the bot needs anyway for CLDR's month names: "14 марта 2026", the genitive case). Fluent's
strengths (gender and case selectors, messages that reorder whole sentences) answer problems these
messages do not have, at the price of a second syntax and a runtime with no ``.po`` tooling.

Conventions for the code that renders replies:

- **One placeholder style: ``{name}``, filled with ``str.format``.** Never ``%`` or an f-string inside a
  message id: an f-string is formatted before it is looked up, so it would never be translated. Names say
  what they hold (``{query}``, ``{id}``, ``{n}``), so a translator may reorder them.
- **Messages are plain text.** The Telegram renderer escapes the *translated template*, then fills it
  with HTML values: ``esc(t.gettext(NOTHING_FOUND)).format(query=esc(q))``; a placeholder may carry
  markup (``{n}`` as ``<b>5</b>``) while the plural form is still chosen by the number.
- **Whole phrases, not fragments glued by the code**, except where a list is set after a label
  (``"People:"`` then the names) or a counted phrase fills a placeholder of a sentence (``{results}``
  in the search header), with a ``TRANSLATORS:`` note saying so.
- Message ids declared at module level are marked with ``N_`` (a plural pair with ``NP_``) so extraction
  finds them; they are translated where they are rendered: ``translator(lang).gettext(ROLES)``,
  ``translator(lang).ngettext(*RESULTS, n).format(n=n)``. A comment starting ``TRANSLATORS:`` on the line
  before a message goes into the catalog.
- Document text, titles and names are never translated.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Final, Literal, NamedTuple, Protocol, Self, get_args

from babel.dates import format_date as _cldr_date
from babel.numbers import format_decimal

Language = Literal["en", "ru"]
SUPPORTED: Final[tuple[Language, ...]] = get_args(Language)
SOURCE_LANGUAGE: Final[Language] = "en"  # the language message ids are written in: it needs no catalog
DOMAIN: Final = "dossier"
LOCALE_DIR: Final = Path(__file__).parent / "locale"
NATIVE_NAMES: Final[dict[Language, str]] = {"en": "English", "ru": "Русский"}  # for /lang buttons


class Plural(NamedTuple):
    """A message with a plural form, declared before the number is known: ``ngettext(*p, n)``."""

    singular: str
    plural: str


def N_(message: str) -> str:
    """Mark a message id declared at module level for extraction; it is translated where rendered."""
    return message


def NP_(singular: str, plural: str) -> Plural:
    """Mark a plural message id declared at module level (``pybabel`` keyword ``NP_:1,2``)."""
    return Plural(singular, plural)


class Msg(str):
    """A message a reply model carries: its id (a ``Plural`` for a counted one, the count in ``n``) and
    its params, worded in the reader's language only when rendered (``say``, ``say_html``).

    As a ``str`` it is its English, the message id filled in: that is what logs and tests read, and what
    the English renderers produce anyway. A param may be another ``Msg`` (a sentence inside a sentence,
    worded in the same language) or a plain value; strings that are not ``Msg`` (titles, names, queries)
    are never translated."""

    message: str | Plural
    params: Mapping[str, object]

    def __new__(cls, message: str | Plural, /, **params: object) -> Self:
        self = super().__new__(cls, _fill(message, params, "en", html_out=False))
        self.message = message
        self.params = params
        return self

    def say(self, lang: Language) -> str:
        return _fill(self.message, self.params, lang, html_out=False)

    def html(self, lang: Language) -> str:
        """The message in ``lang`` as Telegram HTML: the translated template escaped, then filled with
        escaped values."""
        return _fill(self.message, self.params, lang, html_out=True)


def _fill(message: str | Plural, params: Mapping[str, object], lang: Language, *, html_out: bool) -> str:
    t = translator(lang)
    if isinstance(message, Plural):
        n = params["n"]
        assert isinstance(n, int)
        template = t.ngettext(message.singular, message.plural, n)
    else:
        template = t.gettext(message)
    if not html_out:
        return template.format(**{k: _value(v, lang, say) for k, v in params.items()})
    return html.escape(template, quote=False).format(
        **{k: _value(v, lang, say_html) for k, v in params.items()}
    )


def _value(v: object, lang: Language, word: Callable[[str, Language], str]) -> object:
    """A param as ``lang`` writes it: a message worded, a moment or a day as the reader's dates (a moment
    in its own zone, named), numbers as the template's format spec says, with the reader's separators."""
    if isinstance(v, str):
        return word(v, lang)
    if isinstance(v, datetime):
        return format_datetime(v, lang, v.tzinfo or UTC, zone=True)
    if isinstance(v, date):
        return format_date(v, lang)
    if isinstance(v, Bytes):
        return format_bytes(v, lang)
    if lang == "ru" and isinstance(v, int | float) and not isinstance(v, bool):
        return _RussianNumber(v)
    return v


class Bytes(int):
    """A size in bytes, as a message's param: written for the reader when the message is worded
    (``format_bytes``), so the code that measures a file never writes "MB" itself."""


KILOBYTES = N_("{n} KB")
MEGABYTES = N_("{n} MB")
_MEBIBYTE = 1024 * 1024


def format_bytes(size: int, lang: Language) -> str:
    """A size for people: ``512 KB`` and ``20.0 MB`` in English, ``512 КБ`` and ``20,0 МБ`` in Russian.
    Kilobytes whole below a megabyte, else megabytes to one decimal; the number in the reader's locale
    by Babel (CLDR's decimal sign and grouping: ``1,024.0 MB``, ``1 024,0 МБ``), the unit from the
    catalog."""
    if size < _MEBIBYTE:
        number, unit = format_decimal(size / 1024, "#,##0", locale=lang), KILOBYTES
    else:
        number, unit = format_decimal(size / _MEBIBYTE, "#,##0.0", locale=lang), MEGABYTES
    return translator(lang).gettext(unit).format(n=number)


class _RussianNumber:
    """A number formatted by the template's spec (``{seconds:.1f}``, ``{n:,}``), then written as Russian
    writes numbers: a decimal comma (``3,2 с``), a no-break space between thousands (``1 000``); a
    decimal point means thousands to a Russian reader."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec).replace(",", "\u00a0").replace(".", ",")

    def __str__(self) -> str:
        return format(self, "")


def say(text: str, lang: Language) -> str:
    """A message in ``lang``; a plain string (a title, a name) as it is."""
    return text.say(lang) if isinstance(text, Msg) else text


def say_html(text: str, lang: Language) -> str:
    """A message in ``lang`` as escaped HTML; a plain string escaped."""
    return text.html(lang) if isinstance(text, Msg) else html.escape(text, quote=False)


class Translator(Protocol):
    """What a reply is translated with: the standard library's gettext interface."""

    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...
    def pgettext(self, context: str, message: str, /) -> str: ...
    def npgettext(self, context: str, singular: str, plural: str, n: int, /) -> str: ...


def catalog_path(lang: Language) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def translator(lang: Language) -> Translator:
    """The messages of ``lang``, loaded once per language. English returns every message id as it is
    (``ngettext`` picks the singular for 1, the plural otherwise). A missing catalog is an error, not a
    quiet fall back to English: the ``.mo`` files ship in the package."""
    return _load(lang)


@cache  # (a cached function's own signature is lost to the type checker, hence the typed wrapper)
def _load(lang: str) -> Translator:
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r} (use one of {', '.join(SUPPORTED)})")
    with catalog_path(lang).open("rb") as fp:
        return gettext.GNUTranslations(fp)


# ----------------------------------------------------------------- which language a reply is in
def language_of_code(language_code: str | None) -> Language | None:
    """The language for Telegram's ``language_code`` (an IETF tag such as ``ru``, ``ru-RU``, ``en-GB``):
    its primary subtag if we speak it, else None. ``rue`` (Rusyn) is not ``ru``."""
    if not language_code:
        return None
    primary = language_code.strip().replace("_", "-").split("-", 1)[0].lower()
    return next((lang for lang in SUPPORTED if lang == primary), None)


def choose_language(
    *,
    user_choice: Language | None,
    chat_choice: Language | None,
    language_code: str | None,
    chat_is_group: bool,
    written_in: Language | None = None,
    default: Language = "en",
) -> Language:
    """The language of a reply, first rule that applies:

    1. the asking user's own choice: ``/lang`` in Telegram, ``--lang`` in the console and the CLI;
    2. in a group, the chat's language set by one of its administrators;
    3. Telegram's ``language_code`` of the person asking: ``ru``/``ru-*`` is Russian, ``en``/``en-*`` English;
    4. the language the message is written in (``written_in``, see ``script_language``): a question typed
       in Cyrillic is answered in Russian. It decides in the console and the CLI, which know no one's
       language, and for people whose Telegram sends no language or one the bot does not speak. A
       pressed button counts as written in the language of the message it came with, so the answer to a
       press goes on in the language of what was pressed;
    5. ``default`` (``DOSSIER_DEFAULT_LANGUAGE``): when nothing above tells (``/help`` from someone whose
       Telegram is set to German).

    A chat's choice does not apply in a private chat, where the user's own choice is the chat's. A digest
    to a group passes the chat's choice and no user; to a private chat, its user's choice."""
    if user_choice is not None:
        return user_choice
    if chat_is_group and chat_choice is not None:
        return chat_choice
    return language_of_code(language_code) or written_in or default


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z\u00c0-\u024f]", re.IGNORECASE)


def script_language(words: str) -> Language | None:
    """The language words are written in, as far as their letters tell: Russian when at least half the
    letters are Cyrillic, English when the rest are Latin, None without letters (``3``, ``08:30``). Words
    with a colon are the query language's (``since:2024``, ``digest:``) and are not counted.

    The script is all a few words show, and it is enough here: the bot speaks the one language written in
    Cyrillic and the one written in Latin letters. A name in Latin letters counts as English: a Russian
    reader who searches ``Masadykov`` and wants Russian says so once (``/lang ru``, ``--lang ru``)."""
    counted = " ".join(w for w in words.split() if ":" not in w)
    cyrillic = len(_CYRILLIC.findall(counted))
    latin = len(_LATIN.findall(counted))
    if cyrillic and cyrillic >= latin:
        return "ru"
    return "en" if latin else None


_NAMES: Final[dict[str, Language]] = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "английский": "en",
    "англ": "en",
    "ru": "ru",
    "rus": "ru",
    "russian": "ru",
    "русский": "ru",
    "рус": "ru",
}


def parse_language(text: str) -> Language | None:
    """A language as a user names it after ``/lang`` (``ru``, ``RU``, ``русский``, ``English``), else None."""
    return _NAMES.get(text.strip().lower())


# ----------------------------------------------------------------- dates as each language writes them
UNDATED = N_("undated")
_RU_DAY = "d MMMM y"  # CLDR's month names in the genitive: 14 марта 2026
_RU_DAY_NO_YEAR = "d MMMM"


def format_date(d: date | None, lang: Language) -> str:
    """A document's or a role's day: ``2026-03-14`` in English (as every reply writes it today),
    ``14 марта 2026`` in Russian; a missing date is "undated" in the reader's language. A datetime is
    taken as its own day."""
    if d is None:
        return translator(lang).gettext(UNDATED)
    if isinstance(d, datetime):
        d = d.date()
    if lang == "ru":
        return _cldr_date(d, _RU_DAY, locale="ru")
    return d.isoformat()


def _local(dt: datetime, tz: tzinfo) -> datetime:
    """``dt`` on the wall clock of ``tz``; a naive datetime is taken as already there."""
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt.astimezone(tz)


def format_datetime(dt: datetime, lang: Language, tz: tzinfo = UTC, *, zone: bool = False) -> str:
    """A moment in ``tz`` (``DOSSIER_TIMEZONE``): ``2026-03-14 09:00`` in English, ``14 марта 2026, 09:00``
    in Russian; ``zone`` adds the zone's abbreviation (``UTC``, ``MSK``) as ``%Z`` writes it."""
    local = _local(dt, tz)
    suffix = local.strftime(" %Z") if zone else ""
    if lang == "ru":
        return f"{_cldr_date(local.date(), _RU_DAY, locale='ru')}, {local:%H:%M}{suffix}"
    return f"{local:%Y-%m-%d %H:%M}{suffix}"


def format_period(start: datetime, end: datetime, lang: Language, tz: tzinfo = UTC) -> str:
    """A digest's period in ``tz``, the zone named once at its end.

    English, as the digest header writes it today: ``2026-03-13 09:00 – 2026-03-14 09:00 UTC``.
    Russian, without repeating what both ends share: ``14 марта 2026, 09:00–18:00 UTC`` within a day,
    ``13 марта, 09:00 — 14 марта 2026, 09:00 UTC`` within a year, both years otherwise."""
    a, b = _local(start, tz), _local(end, tz)
    if lang != "ru":
        return f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M %Z}"
    zone = b.strftime("%Z")
    if a.date() == b.date():
        return f"{_cldr_date(b.date(), _RU_DAY, locale='ru')}, {a:%H:%M}–{b:%H:%M} {zone}"
    first = _RU_DAY_NO_YEAR if a.year == b.year else _RU_DAY
    return (
        f"{_cldr_date(a.date(), first, locale='ru')}, {a:%H:%M} — "
        f"{_cldr_date(b.date(), _RU_DAY, locale='ru')}, {b:%H:%M} {zone}"
    )
