from __future__ import annotations

from datetime import date

import pytest

from bot.dates import DateBoundError, find_date, parse_bound, publication_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09 February 2022", date(2022, 2, 9)),
        ("31.10.2024", date(2024, 10, 31)),
        ("On December 5, 2024, at the CSTO Secretariat", date(2024, 12, 5)),
        ("14 марта 2026", date(2026, 3, 14)),
        ("Москва, 1 сентября 2025 г.", date(2025, 9, 1)),
        ("1987-02-26T15:01:01", date(1987, 2, 26)),
        ("Sept. 3rd, 2021", date(2021, 9, 3)),
    ],
)
def test_formats_in_the_wild(text: str, expected: date) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize("text", ["World January 29, 13:50", "32.13.2024", "in November 2024", "no date"])
def test_no_year_or_impossible_dates_are_not_guessed(text: str) -> None:
    assert find_date(text) is None


def test_publication_date_reads_the_header_not_the_body() -> None:
    body = "\n".join(f"Paragraph {i}." for i in range(10))
    text = f"Title of the piece\nWorld January 29, 13:50\n\n{body}\nOn 3 December 2024 something happened."
    assert publication_date(text) is None
    assert publication_date("Title\n09 February 2022\n\nOn 3 December 2024 x") == date(2022, 2, 9)


def test_bounds() -> None:
    assert parse_bound("2024", upper=False) == date(2024, 1, 1)
    assert parse_bound("2024", upper=True) == date(2024, 12, 31)
    assert parse_bound("2024-02", upper=True) == date(2024, 2, 29)
    assert parse_bound("2024-12-31", upper=True) == date(2024, 12, 31)
    for bad in ("yesterday", "2024-13", "2024-02-30", ""):
        with pytest.raises(DateBoundError):
            parse_bound(bad, upper=False)
