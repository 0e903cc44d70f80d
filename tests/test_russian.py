"""Russian documents are first-class: found across scripts and inflections, dates read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core import Dossier
from bot.search.query import parse_query

RUSSIAN = """Генсек ОДКБ провёл встречу в Ташкенте
14 марта 2026

Генеральный секретарь ОДКБ Таалатбек Масадыков встретился с министром обороны Узбекистана.
Стороны обсудили ситуацию на таджикско-афганской границе. Масадыкову вручили памятную медаль,
а переговоры с Масадыковым продлились два часа. В Ташкенте также прошли консультации экспертов.
"""


@pytest.fixture
def ru(tmp_path: Path) -> Dossier:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ru.txt").write_text(RUSSIAN, encoding="utf-8")
    (corpus / "en.txt").write_text("Talks in Tashkent\n\nA delegation visited Tashkent for talks.\n", "utf-8")
    (corpus / "other.txt").write_text("Unrelated\n\nA story about fisheries in Norway.\n", encoding="utf-8")
    d = Dossier.open(tmp_path / "data")
    d.scan_corpus(corpus)
    return d


def sources(d: Dossier, query: str) -> list[str]:
    return [h.doc.source for h in d.search(parse_query(query)).hits]


@pytest.mark.parametrize("query", ["Масадыков", "Масадыкову", "Масадыковым", "Masadykov", "masadikov"])
def test_person_found_in_any_script_and_case(ru: Dossier, query: str) -> None:
    assert sources(ru, query) == ["ru.txt"]


def test_latin_place_name_finds_cyrillic_text_and_back(ru: Dossier) -> None:
    assert set(sources(ru, "Tashkent")) == {"ru.txt", "en.txt"}
    assert set(sources(ru, "Ташкенте")) == {"ru.txt", "en.txt"}


def test_inflected_common_noun(ru: Dossier) -> None:
    assert sources(ru, "границы") == ["ru.txt"]  # the text has "границе"


def test_russian_date_is_read(ru: Dossier) -> None:
    doc = next(d for d in ru.store.iter_documents() if d.source == "ru.txt")
    assert doc.published == date(2026, 3, 14)
    assert doc.title == "Генсек ОДКБ провёл встречу в Ташкенте"
