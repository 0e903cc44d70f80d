"""The persons saved at close answer /who after a restart while the people index is rebuilt."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core import PEOPLE_FILE, Dossier, snapshot_stamp
from bot.people import saved, saved_base
from bot.people.service import PeopleService
from bot.search import snapshot
from tests.conftest import seed_id

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


UPLOAD = (
    "CSTO talks in Astana\n2024-05-20\n\n"
    "CSTO Secretary General Taalatbek Masadykov met Kazakh President Kassym-Jomart Tokayev in Astana. "
    "Foreign Minister Murat Nurtleu said the talks were useful."
)


def reopened_while_held(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Dossier, threading.Event]:
    """The Dossier opened again with its people build held: its reads come from the saved persons."""
    release = threading.Event()
    build = PeopleService._build

    def held_build(service: PeopleService) -> None:
        release.wait(30)
        build(service)

    monkeypatch.setattr(PeopleService, "_build", held_build)
    return Dossier.open(data_dir), release


def who_all(
    dossier: Dossier,
) -> dict[str, list[tuple[str, float, str, tuple[object, ...], tuple[object, ...]]]]:
    """Every answer in full: the persons' documents and the roles a post query matched."""
    return {
        q: [(m.person.name, m.score, m.kind, m.person.documents, m.roles) for m in dossier.who(q)]
        for q in (*QUERIES, "Nurtleu", "foreign minister")
    }


def test_who_after_a_restart_answers_as_before_it_after_an_upload_and_a_delete(
    dossier: Dossier, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier.ingest_upload("astana.txt", UPLOAD.encode(), "console")
    gone = seed_id(dossier, "001_")
    assert dossier.delete_document(gone) is not None
    before = who_all(dossier)
    assert before["Nurtleu"] and all(gone not in docs for *_, docs, _ in before["Masadikov"])
    cards = {p.key: p for p in dossier.all_people()}
    dossier.close()
    again, release = reopened_while_held(data_dir, monkeypatch)
    try:
        assert who_all(again) == before  # from the saved persons: the build is held
        assert all(again.person(key) == person for key, person in cards.items())
        release.set()
        assert who_all(again) == before
    finally:
        release.set()
        again.close()


def files(data_dir: Path) -> set[str]:
    return {p.name for p in saved.files_of(data_dir / PEOPLE_FILE).iterdir()}


def test_an_upload_and_a_delete_write_the_changed_persons_beside_the_base(
    dossier: Dossier, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(saved, "COMPACT_SHARE", 1.0)  # the seed corpus is small: one upload is a share
    dossier.save_people()
    first = files(data_dir)
    base = {name for name in first if name.startswith("base-")}
    assert len(base) == len(saved_base.COLUMNS)
    dossier.ingest_upload("astana.txt", UPLOAD.encode(), "console")
    dossier.save_people()
    assert dossier.delete_document(seed_id(dossier, "001_")) is not None
    before = who_all(dossier)
    dossier.save_people()
    after = files(data_dir)
    assert base <= after and len(after - base) == 1  # the same base files, a new state file
    manifest = json.loads((data_dir / PEOPLE_FILE).read_text())
    state = snapshot.read(saved.files_of(data_dir / PEOPLE_FILE) / manifest["state"], manifest["stamp"])
    assert state is not None and 0 < state["row"].count(-1) < len(state["row"]) / 2
    dossier.close()
    again, release = reopened_while_held(data_dir, monkeypatch)
    try:
        assert who_all(again) == before
    finally:
        release.set()
        again.close()


def damage_base(data_dir: Path) -> None:
    """One byte of the persons' documents flipped, in the middle of the file (size unchanged)."""
    folder = saved.files_of(data_dir / PEOPLE_FILE)
    path = next(folder.glob("base-*.docs.npy"))
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01
    path.write_bytes(bytes(data))


def truncate_state(data_dir: Path) -> None:
    path = next(saved.files_of(data_dir / PEOPLE_FILE).glob("state-*.snap"))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def remove_base_file(data_dir: Path) -> None:
    next(saved.files_of(data_dir / PEOPLE_FILE).glob("base-*.role_off.npy")).unlink()


def garble_manifest(data_dir: Path) -> None:
    (data_dir / PEOPLE_FILE).write_text('{"format": 2, "stamp"')


@pytest.mark.parametrize("damage", [damage_base, truncate_state, remove_base_file, garble_manifest])
def test_damaged_saved_persons_are_not_served_and_who_waits_for_the_rebuild(
    dossier: Dossier, data_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[Path], None]
) -> None:
    before = who_all(dossier)
    dossier.close()
    damage(data_dir)
    stamp_dossier = Dossier.open(data_dir, people=False)
    stamp = snapshot_stamp(stamp_dossier.store, stamp_dossier.store.generation())
    stamp_dossier.close()
    assert saved.load(data_dir / PEOPLE_FILE, stamp) is None
    again = Dossier.open(data_dir)  # /who waits for the persons rebuilt from the stored mentions
    try:
        assert who_all(again) == before
    finally:
        again.close()
    assert saved.load(data_dir / PEOPLE_FILE, stamp) is not None  # saved whole again at close


def test_a_save_cut_short_leaves_the_previous_persons_whole(
    dossier: Dossier, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = who_all(dossier)
    dossier.save_people()
    stamp = snapshot_stamp(dossier.store, dossier.store.generation())
    dossier.ingest_upload("astana.txt", UPLOAD.encode(), "console")

    def crash(*args: object) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(snapshot, "write", crash)  # after the new base, before the manifest
    monkeypatch.setattr(saved, "COMPACT_SHARE", 0.0)  # a new base is written first
    with pytest.raises(OSError):
        dossier.save_people()
    monkeypatch.undo()
    loaded = saved.load(data_dir / PEOPLE_FILE, stamp)
    assert loaded is not None
    assert {q: [(m.person.name, m.score, m.kind) for m in loaded.find(q)] for q in QUERIES} == {
        q: [(n, s, k) for n, s, k, _, _ in found] for q, found in before.items() if q in QUERIES
    }
    dossier.close()
