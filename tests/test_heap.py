"""A built index has built what its first queries need (``SearchEngine.warm``) and is kept out of the
garbage collector's walks (``bot/heap.py``); a rebuild still frees the index it replaced."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from bot.core import Dossier
from bot.search.memory import MemoryIndex
from bot.search.query import parse_query


def test_an_opened_index_is_out_of_the_collectors_walks(dossier: Dossier) -> None:
    tracked = {id(obj) for obj in gc.get_objects()}
    assert gc.get_freeze_count() > 0
    assert id(dossier.index) not in tracked
    assert id(dossier.index.__dict__) not in tracked


def test_a_rebuild_frees_the_index_it_replaced(corpus_dir: Path, data_dir: Path) -> None:
    d = Dossier.open(data_dir)
    try:
        d.scan_corpus(corpus_dir)
        old = weakref.ref(d.index)
        assert gc.is_tracked(d.index)
        d.rebuild_index(people=False)
        # The old index holds itself in cycles (its expander keeps its bound methods): only the
        # collector frees it, frozen or not.
        assert old() is None
        assert len(d.index) == len(list(d.store.iter_documents()))
    finally:
        d.close()


def test_an_opened_index_has_built_what_its_first_query_needs(dossier: Dossier) -> None:
    index = dossier.index
    assert isinstance(index, MemoryIndex)
    candidates = index._candidates
    assert candidates._sorted is not None and candidates._by_length is not None
    assert index._np_surface_counts is not None and index._np_doclen is not None


def test_warming_changes_no_answer(dossier: Dossier) -> None:
    # A cold copy of the same documents (nothing built beforehand) answers the same.
    cold = MemoryIndex()
    cold.add_many([(d.id, d.title, d.text, d.published) for d in dossier.store.iter_documents()])
    for text in ["CSTO exercises", "Крокус Сити Холл", "генсек ОДКБ", "secretery generl", "masad"]:
        query = parse_query(text)
        warm_hits = [(h.doc_id, round(h.score, 5)) for h in dossier.index.search(query).hits]
        assert warm_hits == [(h.doc_id, round(h.score, 5)) for h in cold.search(query).hits], text
