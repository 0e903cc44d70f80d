from __future__ import annotations

from datetime import date

import pytest

from bot.dates import DateBoundError
from bot.search.query import MAX_TERMS, parse_query


def test_words_phrases_exclusions_and_dates() -> None:
    q = parse_query('Masadykov "secretary general" -zas since:2024-01 until:2024-12-31')
    assert q.words == ("masadykov",)
    assert q.phrases == (("secretary", "general"),)
    assert q.excluded == ("zas",)
    assert q.since == date(2024, 1, 1) and q.until == date(2024, 12, 31)


def test_odd_input_is_read_as_words_not_errors() -> None:
    q = parse_query("C++: what? <script>alert(1)</script> ' OR 1=1; -- foo:bar \"unclosed")
    assert "script" in q.words and "foo" in q.words and "bar" in q.words and "unclosed" in q.words
    assert not q.excluded


def test_single_quoted_word_is_a_plain_word() -> None:
    assert parse_query('"zas"').words == ("zas",)


@pytest.mark.parametrize("text", ["", "   ", "!!! ??? ...", "-"])
def test_no_words(text: str) -> None:
    assert parse_query(text).is_empty


def test_long_query_is_truncated_with_a_note() -> None:
    q = parse_query("word " * 1000)
    assert len(q.words) == MAX_TERMS and q.truncated and q.notes


def test_pasted_junk_is_cut_by_characters_and_overlong_words_are_left_out() -> None:
    q = parse_query("a" * 5000)
    assert q.is_empty and q.truncated  # it would fold to "a" and match every document
    assert q.notes == (
        "Your query was long: only its first 1,000 characters were used.",
        "Left out a word of 1,000 letters: no word is that long.",
    )
    q = parse_query('masadykov "csto ' + "x" * 61 + '" ' + "y" * 61)
    assert q.words == ("masadykov",) and q.phrases == () and not q.truncated
    assert parse_query("pneumonoultramicroscopicsilicovolcanoconiosis").words  # 45 letters: a word


def test_label_repeats_a_long_query_cut() -> None:
    assert parse_query("masadykov zas").label == "masadykov zas"
    label = parse_query("csto " * 100).label
    assert len(label) == 80 and label.endswith("…") and label.startswith("csto csto")


def test_bad_date_bound_is_an_error() -> None:
    with pytest.raises(DateBoundError):
        parse_query("nato since:yesterday")
