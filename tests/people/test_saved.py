"""The persons saved at close answer /who after a restart while the people index is rebuilt."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.core import PEOPLE_FILE, Dossier, snapshot_stamp
from bot.people import saved
from bot.people.service import PeopleService

QUERIES = ("Masadikov", "Масадыкову", "secretary general", "Tokayev", "Otunbayeva", "Zasypkin")


def answers(dossier: Dossier) -> dict[str, list[tuple[str, float, str]]]:
    return {q: [(m.person.name, m.score, m.kind) for m in dossier.who(q)] for q in QUERIES}


def test_who_answers_from_the_saved_persons_while_the_index_is_rebuilt(
    dossier: Dossier, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = answers(dossier)
    cards = {p.key: p for p in dossier.all_people()}
    dossier.close()
    release = threading.Event()
    build = PeopleService._build

    def held_build(service: PeopleService) -> None:
        release.wait(30)
        build(service)

    monkeypatch.setattr(PeopleService, "_build", held_build)
    again = Dossier.open(data_dir)
    try:
        assert answers(again) == before  # the build is held: these come from the saved persons
        assert all(again.person(key) == person for key, person in cards.items())
        release.set()
        assert answers(again) == before and len(again.all_people()) == len(cards)
    finally:
        release.set()
        again.close()


def test_saved_persons_of_another_store_state_are_not_used(dossier: Dossier, data_dir: Path) -> None:
    dossier.close()
    again = Dossier.open(data_dir)
    try:
        stamp = snapshot_stamp(again.store, again.store.generation())
        assert saved.load(data_dir / PEOPLE_FILE, stamp) is not None
        assert saved.load(data_dir / PEOPLE_FILE, stamp + "1") is None
    finally:
        again.close()
