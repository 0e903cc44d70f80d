"""Storage form: mentions as compact JSON, and ``EXTRACTOR_VERSION``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache

from bot.people.cluster import _Row
from bot.people.extract import extract
from bot.people.model import Mention, Role

# Bumped whenever ``extract`` changes what it finds, so stores re-extract documents stored by an older one.
# 2: weak full names kept; sentences at display time; 3: a full name after "of"; 4: headline surnames,
# Russian title order, "chief of staff", "aide", no name out of "Analysts of Morgan Stanley"; 7: firms'
# names stored; 8: dotted titles ("Sen. Bob Dole", "Mr. Smith"), banks' names, a firm's analysts.
EXTRACTOR_VERSION = 9


def mentions_to_json(mentions: Sequence[Mention], firms: Sequence[str] = ()) -> str:
    """Mentions as compact JSON for the store: one array per mention, the sentence stored once per
    document and referred to by position (a sentence often names several people); and the names the
    document shows to be firms' (``extract(firms=...)``), if any."""
    sentences: dict[str, int] = {}
    rows: list[list[object]] = []
    for m in mentions:
        k = sentences.setdefault(m.sentence, len(sentences))
        role = (
            [m.role.title, m.role.org, m.role.date.isoformat() if m.role.date else None, int(m.role.former)]
            if m.role is not None
            else None
        )
        rows.append([m.name, m.surface, m.start, m.end, k, m.evidence, role])
    out: dict[str, object] = {"s": list(sentences), "m": rows}
    if firms:
        out["o"] = list(firms)
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def extract_json(
    text: str, published: date | None = None, extractor: Callable[..., list[Mention]] | None = None
) -> str:
    """``extract`` as stored: the mentions without sentences, and the firms. ``extractor`` stands in for
    ``extract`` (the people benchmark swaps in others through the core)."""
    firms: list[str] = []
    mentions = (extractor or extract)(text, published, sentences=False, firms=firms)
    return mentions_to_json(mentions, firms)


def extract_json_many(docs: Sequence[tuple[str, date | None]]) -> list[str]:
    """``extract`` of many documents, as stored JSON: what a worker process returns (strings pickle fast)."""
    return [extract_json(text, published) for text, published in docs]


def mentions_from_json(data: str, *, sentences: bool = True) -> list[Mention]:
    """The inverse of ``mentions_to_json``. ``sentences=False`` leaves them out: the index does not need
    them, and a large corpus's sentences would otherwise sit in memory for nothing."""
    raw = json.loads(data)
    texts: list[str] = raw["s"] if sentences else []
    out: list[Mention] = []
    for name, surface, start, end, k, evidence, role in raw["m"]:
        out.append(
            Mention(
                name=name,
                surface=surface,
                start=start,
                end=end,
                sentence=texts[k] if sentences else "",
                role=Role(role[0], role[1], date.fromisoformat(role[2]) if role[2] else None, bool(role[3]))
                if role is not None
                else None,
                evidence=evidence,
            )
        )
    return out


def _stored_rows(data: str) -> tuple[list[_Row], tuple[str, ...]]:
    """The index's view of stored mentions (see ``mentions_to_json``), without building ``Mention``s,
    and the document's firms."""
    raw = json.loads(data)
    rows: list[_Row] = [
        (name, surface, evidence, None if role is None else _stored_role(*role))
        for name, surface, _start, _end, _k, evidence, role in raw["m"]
    ]
    return rows, tuple(raw.get("o", ()))


@lru_cache(maxsize=20_000)
def _stored_role(title: str, org: str | None, day: str | None, former: int) -> Role:
    return Role(title, org, date.fromisoformat(day) if day else None, bool(former))
