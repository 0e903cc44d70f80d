"""How a ``MemoryIndex`` is saved and read back: its state as a snapshot of data (``bot/search/snapshot.py``)
with the postings as three whole arrays and the spellings as plain lists, and the spellings' derived parts
rebuilt on opening (a mixin of ``MemoryIndex`` in ``bot/search/memory.py``; ``DiskIndex`` saves its own
way but restores its spellings here too)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from bot.search import snapshot
from bot.search.crosslang import Translator
from bot.search.expand import DeleteIndex
from bot.search.expander import Surface, restored_surfaces, saved_surfaces
from bot.search.sound import SoundIndex
from bot.textnorm import Analyzer, is_cyrillic

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]

SNAPSHOT_VERSION = 5  # 5: data only (bot/search/snapshot.py), no longer a pickle

_EMPTY_SLOTS: IntArray = np.empty(0, dtype=np.int32)
_EMPTY_TF: FloatArray = np.empty(0, dtype=np.float32)


class MemorySnapshot:
    """The snapshot side of ``MemoryIndex``: ``save``, ``open`` and the state they write and read."""

    analyzer: Analyzer
    _translator: Translator
    _surfaces: dict[str, Surface]
    _post_slots: list[IntArray]
    _post_tf: list[FloatArray]
    _sounds: SoundIndex
    _cyrillic_surfaces: set[str]
    _cyrillic_deletes: DeleteIndex

    def _merge(self) -> None:
        raise NotImplementedError

    def _reset_caches(self) -> None:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        self._merge()
        state = self.__dict__.copy()
        # Plain lists and whole arrays unpickle several times faster than 40,000 small objects.
        surfaces = self._surfaces
        state["_surfaces"] = saved_surfaces(surfaces)
        lengths = np.fromiter((len(p) for p in self._post_slots), dtype=np.int64, count=len(self._post_slots))
        state["_post_slots"] = (
            lengths,
            np.concatenate([_EMPTY_SLOTS, *self._post_slots]),
            np.concatenate([_EMPTY_TF, *self._post_tf]),
        )
        del state["_post_tf"]
        state["_sound_spellings"] = self._sounds.saved(surfaces)
        for name in (
            "analyzer",
            "_translator",
            "_np_surface_counts",
            "_np_doclen",
            "_np_norms",
            "_np_alive",
            "_np_dates",
            "_candidates",
            "_expander",
            "_sounds",
            "_cyrillic_surfaces",
            "_cyrillic_deletes",
        ):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["_surfaces"] = restored_surfaces(state["_surfaces"])
        lengths, slots, tfs = state["_post_slots"]
        cuts = np.cumsum(lengths)[:-1]
        state["_post_slots"] = np.split(slots, cuts) if len(lengths) else []
        state["_post_tf"] = np.split(tfs, cuts) if len(lengths) else []
        state.setdefault("_pending_pairs", 0)
        sound_spellings = state.pop("_sound_spellings", None)
        if "_capitals" not in state:  # a snapshot from before capitals were counted: rebuild
            raise KeyError("_capitals")
        self.__dict__.update(state)
        self.analyzer = Analyzer()
        self._translator = Translator(self.analyzer)
        self._restore_spellings(sound_spellings)
        self._reset_caches()

    def _restore_spellings(self, sound_spellings: Any) -> None:
        """What a snapshot keeps of the spellings beyond the surfaces themselves: the Cyrillic ones and
        their delete index (derived) and the sound spellings (saved; computed again from a snapshot made
        before them)."""
        self._cyrillic_surfaces = {sf for sf, e in self._surfaces.items() if is_cyrillic(e.display)}
        self._cyrillic_deletes = DeleteIndex()
        for sf in self._cyrillic_surfaces:
            self._cyrillic_deletes.add(sf)
        self._cyrillic_deletes.compact()
        self._sounds = SoundIndex()
        if sound_spellings is not None and len(sound_spellings) == len(self._surfaces):
            self._sounds.restore(self._surfaces, sound_spellings)
        else:  # a snapshot from before sound keys
            self._sounds.add_many(self._surfaces)
            self._sounds.compact()

    def save(self, path: Path, stamp: str) -> None:
        """Write a snapshot (data only, checksummed, atomic: ``bot/search/snapshot.py``)."""
        snapshot.write(path, {"version": SNAPSHOT_VERSION, "index": self.__getstate__()}, stamp)

    @classmethod
    def open(cls, path: Path, stamp: str) -> Self | None:
        """The snapshot at ``path`` if it is whole and was written for this exact store state, else None
        (the caller rebuilds from the store)."""
        saved = snapshot.read(path, stamp)
        if saved is None or saved.get("version") != SNAPSHOT_VERSION:
            return None
        index = cls.__new__(cls)
        try:
            index.__setstate__(saved["index"])
        except (KeyError, ValueError, TypeError) as exc:  # a snapshot of another shape: rebuild
            log.warning("index snapshot %s not used (%s); rebuilding from the store", path, exc)
            return None
        return index

    @classmethod
    def saved_stamp(cls, path: Path) -> str | None:
        return snapshot.stamp_of(path)
