"""Reasons and notes are codes: each raised or recorded with a stable code and its params, worded in the
reader's language when shown (``bot.messages``), and counted by its family (``bot.ingest.report``)."""

from __future__ import annotations

import re
import string

from bot.ingest.report import REFUSAL_FAMILIES, REFUSAL_FAMILY
from bot.messages import ENGLISH, Coded
from tests.conftest import REPO

# The values of dossier_documents_refused_total{reason} that dashboards were built on.
DASHBOARD_LABELS = (
    "duplicate",
    "empty",
    "not_text",
    "unsupported_format",
    "misnamed",
    "damaged",
    "encrypted",
    "no_text_layer",
    "too_big",
    "over_limit",
    "zip_bomb",
    "unsafe_member",
    "disk_full",
    "missing",
    "interrupted",
    "other",
)
# A template that only passes words through (the operating system's): nothing to translate.
PASS_THROUGH = {"ingest.os_error"}
_CODE_RE = re.compile(r"""["']((?:ingest|reindex|query)\.[a-z_]+)["']""")


def sample(code: str) -> Coded:
    """The code's message with every placeholder filled: a number where the template formats one
    (``{n:,}``), else the field's name."""
    fields = {name: spec for _, name, spec, _ in string.Formatter().parse(ENGLISH[code]) if name}
    return Coded(code, **{name: 1000 if spec else f"<{name}>" for name, spec in fields.items()})


def test_every_refusal_code_has_words_in_both_languages_and_a_metric_label() -> None:
    refusals = [code for code in ENGLISH if code.startswith("ingest.")]
    assert len(refusals) >= 40
    assert set(REFUSAL_FAMILY) == set(refusals)  # no code without a family, no family for a code not worded
    assert REFUSAL_FAMILIES == DASHBOARD_LABELS  # every label kept, in its order, "other" last
    for code in refusals:
        said = sample(code)
        assert str(said) == said.say("en") and str(said).strip(), code
        if code not in PASS_THROUGH:
            assert said.say("ru") != str(said) and re.search("[а-яё]", said.say("ru")), code


def test_reindex_and_query_codes_have_words_in_both_languages() -> None:
    for code in (c for c in ENGLISH if c.startswith(("reindex.", "query."))):
        said = sample(code)
        assert said.say("ru") != str(said) and re.search("[а-яё]", said.say("ru")), code
    # A reason inside a reason is worded in the same language.
    kept = Coded("reindex.unreadable", reason=Coded("ingest.pdf_damaged"))
    assert str(kept) == "original no longer reads (the PDF is damaged or unreadable)"
    assert kept.say("ru").startswith("оригинал больше не читается (") and "PDF" in kept.say("ru")


def test_every_code_the_code_raises_or_records_is_worded() -> None:
    used = {
        code
        for path in (REPO / "bot").rglob("*.py")
        for code in _CODE_RE.findall(path.read_text(encoding="utf-8"))
    }
    assert {"ingest.too_big", "query.long_word", "reindex.now_archive"} <= used
    assert used <= set(ENGLISH), sorted(used - set(ENGLISH))
