"""The disk index beyond the conformance suite: the same ranking as the memory index, small saves after
an upload or a delete, compaction, and a crash or a damaged file never served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.search import snapshot
from bot.search.disk import DiskIndex, files_of
from bot.search.memory import MemoryIndex
from bot.search.query import parse_query

TEXTS = [
    "The harbour was closed by the storm and the tanker waited outside",
    "Negotiations on the tanker fleet continued in Geneva",
    "Масадыков прибыл в Москву на переговоры",
    "Cocoa prices rose in Bahia after the harvest",
    "The storm moved north; harbour masters reopened the port",
    "Grain shipments from the harbour rose sharply",
]
QUERIES = [
    "harbour",
    "tanker storm",
    "masadikov",
    "negotiatoins",
    "coco",
    '"harbour masters"',
    "harbour -grain",
]


def filled(engine: type[MemoryIndex], texts: list[str] = TEXTS) -> MemoryIndex:
    ix = engine()
    ix.add_many([(i, f"Doc {i}", text, None) for i, text in enumerate(texts, start=1)])
    return ix


def ranked(ix: MemoryIndex) -> dict[str, list[tuple[int, float]]]:
    return {
        q: [(h.doc_id, round(h.score, 5)) for h in ix.search(parse_query(q), limit=10).hits] for q in QUERIES
    }


def ids(ix: MemoryIndex) -> dict[str, list[int]]:
    return {q: [doc_id for doc_id, _ in hits] for q, hits in ranked(ix).items()}


def manifest(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text()))


def test_ranks_exactly_as_the_memory_index_before_and_after_a_restart(tmp_path: Path) -> None:
    disk = filled(DiskIndex)
    expected = ranked(filled(MemoryIndex))
    assert ranked(disk) == expected
    disk.save(tmp_path / "ix", "1")
    opened = DiskIndex.open(tmp_path / "ix", "1")
    assert opened is not None and ranked(opened) == expected


def test_names_spelled_by_sound_are_found_after_a_restart(tmp_path: Path) -> None:
    """The sound spellings (bot/search/sound.py) are saved with the vocabulary, not lost at a restart."""
    disk = filled(DiskIndex, [*TEXTS, "Prime Minister Margaret Thatcher met Chancellor Lawson"])
    disk.save(tmp_path / "ix", "1")
    opened = DiskIndex.open(tmp_path / "ix", "1")
    assert opened is not None
    for name in ("Тэтчер", "Лоусон"):
        assert [h.doc_id for h in opened.search(parse_query(name), limit=10).hits][:1] == [len(TEXTS) + 1]


def test_an_upload_and_a_delete_are_saved_without_rewriting_the_base(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    ix = filled(DiskIndex, TEXTS * 4)  # a base big enough that one document is a small share of it
    ix.save(path, "1")
    base = manifest(path)["base"]
    ix.add_many([(100, "Late", "a tanker reached the harbour at dawn", None)])
    ix.remove(2)
    ix.save(path, "2")
    assert manifest(path)["base"] == base
    opened = DiskIndex.open(path, "2")
    assert opened is not None
    assert 100 in opened and 2 not in opened and len(opened) == len(TEXTS) * 4
    assert ranked(opened) == ranked(ix)
    opened.add_many([(101, "Later", "the tanker left the harbour", None)])
    assert 101 in {h.doc_id for h in opened.search(parse_query("tanker"), limit=50).hits}


def test_compaction_drops_removed_documents_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    ix = filled(DiskIndex)
    ix.save(path, "1")
    first_base = manifest(path)["base"]
    for doc_id in (1, 2, 5):
        ix.remove(doc_id)
    ix.add_many([(3, "Doc 3", "Масадыков уехал из Москвы", None)])  # replaced: the old version removed
    before = ids(ix)  # the scores change: removed documents no longer count in a word's statistics
    ix.save(path, "2")
    opened = DiskIndex.open(path, "2")
    assert opened is not None and manifest(path)["base"] != first_base
    assert opened._base.n_docs == 3 and len(opened) == 3
    assert ids(opened) == before
    files = {p.name.split(".")[0] for p in files_of(path).iterdir()}
    assert len(files) == 2  # one base and one state: the old ones are gone


def test_a_crash_while_saving_leaves_the_previous_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ix"
    ix = filled(DiskIndex)
    ix.save(path, "1")
    expected = ranked(ix)
    for doc_id in (1, 2, 3):  # enough removals that this save compacts (a new base is written)
        ix.remove(doc_id)

    def crash(*_args: object) -> None:
        raise OSError("killed")

    monkeypatch.setattr(snapshot, "write", crash)
    with pytest.raises(OSError):
        ix.save(path, "2")
    monkeypatch.undo()
    assert DiskIndex.open(path, "2") is None
    opened = DiskIndex.open(path, "1")
    assert opened is not None and ranked(opened) == expected


def test_a_damaged_base_file_is_rebuilt_not_served(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    filled(DiskIndex).save(path, "1")
    postings = next(files_of(path).glob("*.slots.npy"))
    data = bytearray(postings.read_bytes())
    data[-3] ^= 0xFF
    postings.write_bytes(bytes(data))
    assert DiskIndex.open(path, "1") is None
