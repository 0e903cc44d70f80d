"""A built index is kept out of the garbage collector's walks (``bot/heap.py``), and a rebuild still frees
the index it replaced."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from bot.core import Dossier


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
