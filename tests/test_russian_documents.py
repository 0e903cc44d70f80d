"""The Russian news texts in tests/data/russian (written for these tests) ingest and are found in Russian.

They are the documents the English -> Russian direction of cross-language search is to be tested on
(issue 18): an English query such as "OPEC oil output" should later find ``opec-output.txt``. Here only
the ground is checked: each is ingested next to the seed corpus and a Russian query finds it first.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import Dossier
from bot.search.query import parse_query

RUSSIAN_DOCS = Path(__file__).resolve().parent / "data" / "russian"
FILES = ("opec-output.txt", "central-bank-rate.txt", "grain-harvest.txt")


@pytest.fixture
def with_russian(corpus_dir: Path, data_dir: Path) -> Iterator[Dossier]:
    for name in FILES:
        shutil.copy(RUSSIAN_DOCS / name, corpus_dir / name)
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    yield d
    d.close()


def test_the_folder_holds_the_three_documents() -> None:
    assert sorted(p.name for p in RUSSIAN_DOCS.glob("*.txt")) == sorted(FILES)


def test_each_is_ingested_with_its_russian_title(with_russian: Dossier) -> None:
    titles = {d.source: d.title for d in with_russian.store.iter_documents() if d.source in FILES}
    assert titles == {
        "opec-output.txt": "ОПЕК+ сохранила квоты на добычу нефти до конца квартала",
        "central-bank-rate.txt": "Центральный банк снизил ключевую ставку до 15 процентов",
        "grain-harvest.txt": "Урожай пшеницы в южных регионах превысил прогноз",
    }


@pytest.mark.parametrize(
    ("query", "source"),
    [
        ("квоты ОПЕК на добычу нефти", "opec-output.txt"),
        ("ключевая ставка центробанка", "central-bank-rate.txt"),
        ("урожай пшеницы", "grain-harvest.txt"),
    ],
)
def test_a_russian_query_finds_it_first(with_russian: Dossier, query: str, source: str) -> None:
    hits = with_russian.search(parse_query(query)).hits
    assert hits and hits[0].doc.source == source
