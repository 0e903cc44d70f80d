from __future__ import annotations

from datetime import date

import pytest

from bot.dates import DateBoundError
from bot.query import MAX_TERMS, parse_query


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


def test_bad_date_bound_is_an_error() -> None:
    with pytest.raises(DateBoundError):
        parse_query("nato since:yesterday")
