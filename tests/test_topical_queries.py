"""The topical query sets of bench/topical_bench.py are well formed and the held-out set is disjoint.

Relevance counts need the shared Reuters data and are checked by the benchmark itself (it warns about
any need with fewer than 10 relevant documents); what is checked here needs only the repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
MAIN, HELDOUT = BENCH / "topical-queries.jsonl", BENCH / "topical-queries-heldout.jsonl"
LABEL_KINDS = {"topics", "places", "orgs"}
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def needs(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def label_key(need: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(sorted(need["labels"].get(k, ()))) for k in sorted(LABEL_KINDS))


@pytest.mark.parametrize(("path", "at_least"), [(MAIN, 50), (HELDOUT, 25)])
def test_each_need_is_asked_in_english_and_russian_and_judged_by_labels(path: Path, at_least: int) -> None:
    items = needs(path)
    assert len(items) >= at_least
    assert len({n["qid"] for n in items}) == len(items)
    for n in items:
        assert set(n) == {"qid", "en", "ru", "labels"}
        assert n["en"].strip() and not CYRILLIC.search(n["en"])
        assert CYRILLIC.search(n["ru"])
        assert n["labels"] and set(n["labels"]) <= LABEL_KINDS
        assert all(isinstance(v, list) and v for v in n["labels"].values())


def test_the_heldout_set_asks_other_needs() -> None:
    main, held = needs(MAIN), needs(HELDOUT)
    assert not {n["qid"] for n in main} & {n["qid"] for n in held}
    assert not {label_key(n) for n in main} & {label_key(n) for n in held}
    for lang in ("en", "ru"):
        assert not {n[lang].lower() for n in main} & {n[lang].lower() for n in held}
