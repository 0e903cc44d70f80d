"""Publication dates: read from a document's header, and the date bounds of ``since:``/``until:``.

Only dates that name a year are taken. A dateline such as ``January 29, 13:50`` has none, and guessing one
(this year? the year of the file?) would put the document in the wrong place in every date filter and
digest, so such documents stay undated rather than wrongly dated.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from bot.errors import UserError

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        ("january", "jan", "января", "январь", "янв"),
        ("february", "feb", "февраля", "февраль", "фев"),
        ("march", "mar", "марта", "март", "мар"),
        ("april", "apr", "апреля", "апрель", "апр"),
        ("may", "мая", "май"),
        ("june", "jun", "июня", "июнь", "июн"),
        ("july", "jul", "июля", "июль", "июл"),
        ("august", "aug", "августа", "август", "авг"),
        ("september", "sep", "sept", "сентября", "сентябрь", "сен"),
        ("october", "oct", "октября", "октябрь", "окт"),
        ("november", "nov", "ноября", "ноябрь", "ноя"),
        ("december", "dec", "декабря", "декабрь", "дек"),
    ],
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _num

_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_YEAR = r"(?P<y>(?:19|20)\d\d)"

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # 2024-10-31, 1987-02-26T15:01:01
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"),
    # 31.10.2024, 31/10/2024 (day first, as in Europe and Russia)
    re.compile(r"\b(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./]" + _YEAR + r"\b"),
    # 09 February 2022, 14 марта 2026 г.
    re.compile(r"\b(?P<d>\d{1,2})\s+(?P<mon>" + _MONTH_RE + r")\.?,?\s+" + _YEAR + r"\b", re.IGNORECASE),
    # December 5, 2024
    re.compile(
        r"\b(?P<mon>" + _MONTH_RE + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b",
        re.IGNORECASE,
    ),
)

HEADER_LINES = 6  # the publication date of an article sits in its first lines, event dates further down


def _build(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first complete date (with a year) in a piece of text, or None."""
    best: tuple[int, date] | None = None
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = int(groups["m"]) if groups.get("m") else _MONTHS.get(groups["mon"].lower().rstrip("."), 0)
            found = _build(int(groups["y"]), month, int(groups["d"]))
            if found and (best is None or m.start() < best[0]):
                best = (m.start(), found)
            if found:
                break
    return best[1] if best else None


def publication_date(text: str) -> date | None:
    """The date of a document: the first dated line among its first non-empty lines."""
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_LINES]
    for line in lines:
        found = find_date(line)
        if found:
            return found
    return None


class DateBoundError(UserError, ValueError):
    """A ``since:``/``until:`` value that is not a date."""


def parse_bound(value: str, *, upper: bool) -> date:
    """``2024``, ``2024-01`` or ``2024-01-31`` as the first (or, for ``until:``, last) day it covers."""
    m = re.fullmatch(r"((?:19|20)\d\d)(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value.strip())
    if not m:
        raise DateBoundError("date.not_a_date", value=value)
    y = int(m.group(1))
    mo = int(m.group(2)) if m.group(2) else (12 if upper else 1)
    if not 1 <= mo <= 12:
        raise DateBoundError("date.no_such_month", value=value, month=mo)
    last_day = calendar.monthrange(y, mo)[1]
    d = int(m.group(3)) if m.group(3) else (last_day if upper else 1)
    found = _build(y, mo, d)
    if found is None:
        raise DateBoundError("date.no_such_day", value=value)
    return found
