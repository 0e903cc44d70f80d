"""The search index with its postings on disk: mapped, not loaded, ranked exactly as ``MemoryIndex``.

``DiskIndex`` is ``MemoryIndex`` (the same analysis, expansion, BM25 per expansion, proximity and title
boosts: the ranking code is shared, not copied) with its per-document storage moved out of the heap:

- The *base* segment (``segment.py``): postings, token sequences (for proximity and phrases) and the
  document table as .npy files mapped read-only. Pages a search touches sit in the OS cache, so serving
  memory stays flat as documents grow, and a restart maps files instead of reading them.
- The *tail*: documents added since the base was written, in memory as ``MemoryIndex`` holds them
  (postings as a few small key-sorted runs, ``postings.py``).
- The vocabulary (words, keys, folded spellings and their deletion index) stays in memory: it grows
  with the vocabulary, not with the documents.

Saving writes the tail, the vocabulary and the live/removed flags to a small data-only snapshot
(``snapshot.py``) and switches a manifest file over in one rename; the base is rewritten only when the
tail or the removed documents have grown to a share of it (a compaction, which also drops removed
documents). An upload or a delete therefore costs a small write, not a rewrite of the index, and a
crash at any point leaves the manifest naming files that are whole.

Layout: ``<path>`` is the manifest (JSON: format, stamp, base segment name and its files' checks, state
file); the files live in ``<path>.d/``.
"""

from __future__ import annotations

import bisect
import json
import logging
import time
from array import array
from collections.abc import Iterator, MutableMapping, MutableSequence, Sequence
from pathlib import Path
from typing import Any, Self, overload

import numpy as np

from bot.durable import switch_manifest
from bot.search import postings, segment, snapshot
from bot.search.crosslang import Translator
from bot.search.expander import restored_surfaces, saved_surfaces
from bot.search.memory import MemoryIndex
from bot.search.phrases import SlotArray, Tokens, joined_rows, span_rows
from bot.search.postings import FloatArray, IntArray, OffArray, Run
from bot.search.segment import Base
from bot.textnorm import Analyzer

log = logging.getLogger(__name__)

FORMAT = 1
MAX_RUNS = 32  # tail runs before they are merged into one
COMPACT_SHARE = 0.25  # the tail's postings, or the removed documents, as a share of the base's
_VOCABULARY = (
    "_key_id",
    "_keys",
    "_word_num",
    "_word_primary",
    "_word_surface",
    "_word_count",
    "_capitals",
    "_word_extra",
    "_word_has_extra",
    "_deletes",
    "_live",
    "_total_len",
)
_NO_SLOTS: IntArray = np.empty(0, dtype=np.int32)
_NO_TF: FloatArray = np.empty(0, dtype=np.float32)
_NO_COUNTS: OffArray = np.empty(0, dtype=np.int64)


def files_of(path: Path) -> Path:
    """The folder holding the files of the index whose manifest is ``path``."""
    return path.with_name(path.name + ".d")


class _DocIds(MutableSequence[int]):
    """Document id per slot: the base's mapped column, then the tail's list."""

    def __init__(self, base: Base, tail: list[int] | None = None) -> None:
        self.base, self.n_base = base.ids, base.n_docs
        self.tail = tail if tail is not None else []

    @overload
    def __getitem__(self, slot: int) -> int: ...
    @overload
    def __getitem__(self, slot: slice) -> MutableSequence[int]: ...
    def __getitem__(self, slot: int | slice) -> int | MutableSequence[int]:
        if isinstance(slot, slice):
            raise TypeError("slots are read one at a time")
        return int(self.base[slot]) if slot < self.n_base else self.tail[slot - self.n_base]

    @overload
    def __setitem__(self, slot: int, value: int) -> None: ...
    @overload
    def __setitem__(self, slot: slice, value: Any) -> None: ...
    def __setitem__(self, slot: int | slice, value: Any) -> None:
        raise TypeError("a slot's document never changes")

    def __delitem__(self, slot: int | slice) -> None:
        raise TypeError("slots are never removed")

    def __len__(self) -> int:
        return self.n_base + len(self.tail)

    def insert(self, index: int, value: int) -> None:
        if index != len(self):
            raise TypeError("slots are only appended")
        self.tail.append(value)


class _TailTokens:
    """The tail's token sequences: the key ids of a batch's documents in one array, with where each
    document's begin. An array per batch rather than per document: a million documents' tokens are
    then four bytes each, not an object each, and are written into a new base a batch at a time."""

    def __init__(self) -> None:
        self.parts: list[tuple[IntArray, OffArray]] = []  # (tokens, offsets: one more than documents)
        self._firsts: list[int] = []  # the first document of each part
        self.n_docs = 0

    @classmethod
    def of(cls, seqs: Sequence[array[int]]) -> _TailTokens:
        out = cls()
        if seqs:
            lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
            out.append(np.concatenate([np.asarray(s, dtype=np.int32) for s in seqs]), lengths)
        return out

    def append(self, tokens: IntArray, lengths: OffArray) -> None:
        if len(lengths):
            off = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=off[1:])
            self.parts.append((tokens, off))
            self._firsts.append(self.n_docs)
            self.n_docs += len(lengths)

    def __len__(self) -> int:
        return self.n_docs

    def __getitem__(self, doc: int) -> array[int]:
        part = bisect.bisect_right(self._firsts, doc) - 1
        tokens, off = self.parts[part]
        at = doc - self._firsts[part]
        out = array("i")
        out.frombytes(tokens[int(off[at]) : int(off[at + 1])].tobytes())
        return out

    def counts(self, docs: SlotArray) -> OffArray:
        """How many tokens each of ``docs`` (ascending) has."""
        parts = (off[rows + 1] - off[rows] for _, off, rows in self._rows(docs))
        return np.concatenate([_NO_COUNTS, *parts])

    def joined(self, docs: SlotArray) -> IntArray:
        """``phrases.Tokens.joined`` of ``docs`` (ascending): each batch's documents gathered at once."""
        return np.concatenate([_NO_SLOTS, *(joined_rows(*row) for row in self._rows(docs))])

    def span(self, lo: int, hi: int) -> tuple[IntArray, OffArray] | None:
        """``phrases.Tokens.span`` of documents ``lo .. hi - 1`` when they are of one batch."""
        if not self.parts or lo < 0:
            return None
        part = bisect.bisect_right(self._firsts, lo) - 1
        first = self._firsts[part]
        tokens, off = self.parts[part]
        return span_rows(tokens, off, lo - first, hi - first) if hi - first < len(off) else None

    def _rows(self, docs: SlotArray) -> Iterator[tuple[IntArray, OffArray, SlotArray]]:
        """Per batch with some of ``docs`` (ascending): its tokens, its offsets and those documents' rows."""
        cuts = np.searchsorted(docs, [*self._firsts, self.n_docs]).tolist()
        for (tokens, off), first, a, b in zip(self.parts, self._firsts, cuts, cuts[1:], strict=False):
            if b > a:
                yield tokens, off, docs[a:b] - first

    def saved(self) -> list[array[int]]:
        """One array per document, as a snapshot keeps them."""
        return [self[doc] for doc in range(self.n_docs)]


class _Seqs(MutableSequence["array[int]"]):
    """Key ids of each document's tokens: read from the mapped base, kept in memory for the tail. A
    removed document's tokens stay until the next base leaves it out (it never matches again, so they
    are never read)."""

    def __init__(self, base: Base, tail: _TailTokens) -> None:
        self.base, self.n_base = base, base.n_docs
        self.tail = tail

    @overload
    def __getitem__(self, slot: int) -> array[int]: ...
    @overload
    def __getitem__(self, slot: slice) -> MutableSequence[array[int]]: ...
    def __getitem__(self, slot: int | slice) -> array[int] | MutableSequence[array[int]]:
        if isinstance(slot, slice):
            raise TypeError("slots are read one at a time")
        return self.base.tokens(slot) if slot < self.n_base else self.tail[slot - self.n_base]

    @overload
    def __setitem__(self, slot: int, value: array[int]) -> None: ...
    @overload
    def __setitem__(self, slot: slice, value: Any) -> None: ...
    def __setitem__(self, slot: int | slice, value: Any) -> None:
        """Only ever a removed document's tokens emptied: they are kept (see the class)."""

    def __delitem__(self, slot: int | slice) -> None:
        raise TypeError("slots are never removed")

    def __len__(self) -> int:
        return self.n_base + len(self.tail)

    def insert(self, index: int, value: array[int]) -> None:
        raise TypeError("tail tokens are added a batch at a time (DiskIndex._add_slots)")

    def counts(self, slots: SlotArray) -> OffArray:
        """``phrases.Tokens.counts``: from the base's offsets, then the tail's."""
        at = int(np.searchsorted(slots, self.n_base))
        off, base = self.base.seq_off, slots[:at]
        return np.concatenate([off[base + 1] - off[base], self.tail.counts(slots[at:] - self.n_base)])

    def joined(self, slots: SlotArray) -> IntArray:
        """``phrases.Tokens.joined``: the base's documents gathered from its mapped file, then the tail's."""
        at = int(np.searchsorted(slots, self.n_base))
        base = joined_rows(self.base.seq, self.base.seq_off, slots[:at])
        return np.concatenate([base, self.tail.joined(slots[at:] - self.n_base)])

    def span(self, lo: int, hi: int) -> tuple[IntArray, OffArray] | None:
        """``phrases.Tokens.span``: of the base's mapped tokens, or of a batch of the tail's."""
        if hi <= self.n_base:
            return span_rows(self.base.seq, self.base.seq_off, lo, hi)
        return self.tail.span(lo - self.n_base, hi - self.n_base) if lo >= self.n_base else None


class _SlotMap(MutableMapping[int, int]):
    """Document id -> slot: the tail's dict first, then the base's sorted id column. A base slot is
    answered even when its document was removed: every caller checks the slot's live flag."""

    def __init__(self, base: Base, tail: dict[int, int] | None = None) -> None:
        self.base, self.tail = base, tail if tail is not None else {}

    def __getitem__(self, doc_id: int) -> int:
        slot = self.tail.get(doc_id)
        if slot is None:
            slot = self.base.slot_of(doc_id)
        if slot is None:
            raise KeyError(doc_id)
        return slot

    def __setitem__(self, doc_id: int, slot: int) -> None:
        self.tail[doc_id] = slot

    def __delitem__(self, doc_id: int) -> None:
        if self.tail.pop(doc_id, None) is None and self.base.slot_of(doc_id) is None:
            raise KeyError(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        if doc_id in self.tail:
            return True
        if not self.base.n_docs or not isinstance(doc_id, int | np.integer):
            return False
        return self.base.slot_of(int(doc_id)) is not None

    def __iter__(self) -> Iterator[int]:
        raise TypeError("the slot map is looked up, not listed")

    def __len__(self) -> int:
        return self.base.n_docs + len(self.tail)


class DiskIndex(MemoryIndex):
    """``MemoryIndex`` whose postings and token sequences live in mapped files (see the module)."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        super().__init__(analyzer)
        self._attach(Base.empty())
        self._folder: Path | None = None  # where the base's files are, once saved
        self._base_name = ""
        self._checks: dict[str, list[int]] = {}

    def _attach(
        self,
        base: Base,
        runs: list[Run] | None = None,
        tail_ids: list[int] | None = None,
        tail_tokens: _TailTokens | None = None,
        tail_slots: dict[int, int] | None = None,
    ) -> None:
        self._base = base
        self._runs: list[Run] = runs or []
        self._tail_ids: list[int] = tail_ids if tail_ids is not None else []
        self._tail_tokens = tail_tokens if tail_tokens is not None else _TailTokens()
        self._tail_slots: dict[int, int] = tail_slots if tail_slots is not None else {}
        self._doc_ids = _DocIds(base, self._tail_ids)
        self._seqs = self._disk_seqs = _Seqs(base, self._tail_tokens)
        self._slot_of = _SlotMap(base, self._tail_slots)

    def _add_slots(self, ids: list[int], seq: IntArray, seq_len: OffArray) -> None:
        first = len(self._doc_ids)
        self._tail_ids.extend(ids)
        self._tail_slots.update(zip(ids, range(first, first + len(ids)), strict=True))
        self._tail_tokens.append(seq, seq_len)

    # ----------------------------------------------------------------- postings
    def _merge(self) -> None:
        """Pending documents become one more tail run (one sort of the new postings only)."""
        if not self._pending:
            return
        pending, self._pending, self._pending_pairs = self._pending, [], 0
        self._runs.append(postings.from_pending(pending, len(self._keys)))
        if len(self._runs) > MAX_RUNS:
            self._runs = [postings.merge(self._runs, len(self._keys))]

    def _postings(self, kid: int) -> tuple[IntArray, FloatArray]:
        self._merge()
        parts = [p for p in (self._base.postings.get(kid), *(r.get(kid) for r in self._runs)) if len(p[0])]
        if not parts:
            return _NO_SLOTS, _NO_TF
        if len(parts) == 1:
            return parts[0]
        return np.concatenate([s for s, _ in parts]), np.concatenate([t for _, t in parts])

    def _postings_of(self, kids: Sequence[int]) -> tuple[IntArray, FloatArray, OffArray]:
        """The postings of several keys, base and tail runs each read in one gather: the counts of the
        base's blocks, then of each run's (``ranking.PostingsOf``)."""
        self._merge()
        wanted = np.array(kids, dtype=np.int64)
        parts = [self._base.postings.gather(wanted), *(r.gather(wanted) for r in self._runs)]
        if len(parts) == 1:
            return parts[0]
        return (
            np.concatenate([s for s, _, _ in parts]),
            np.concatenate([t for _, t, _ in parts]),
            np.concatenate([c for _, _, c in parts]),
        )

    def _df(self, kid: int) -> int:
        self._merge()
        return self._base.postings.df(kid) + sum(r.df(kid) for r in self._runs)

    def _tokens(self) -> Tokens:
        return self._disk_seqs

    # ----------------------------------------------------------------- saving and opening
    def save(self, path: Path, stamp: str) -> None:
        """Write the tail and the vocabulary, compacting into a new base when it is due, and switch the
        manifest at ``path`` over to them in one rename."""
        self._merge()
        folder = files_of(path)
        folder.mkdir(parents=True, exist_ok=True)
        generation = f"{time.time_ns():x}"
        if self._compaction_due(folder):
            self._compact(folder, f"base-{generation}")
        state_name = f"state-{generation}.snap"
        snapshot.write(folder / state_name, self._state(), stamp)
        manifest = {
            "format": FORMAT,
            "stamp": stamp,
            "base": self._base_name,
            "files": self._checks,
            "state": state_name,
        }
        keep = {state_name} | {f"{self._base_name}.{part}.npy" for part in segment.FILES}
        switch_manifest(path, manifest, folder, keep)

    def _compaction_due(self, folder: Path) -> bool:
        if self._folder != folder or not self._base_name:
            return True
        base = len(self._base.postings)
        tail = sum(len(r) for r in self._runs)
        removed = self._base.n_docs - int(np.count_nonzero(self._np_alive_base()))
        return tail > COMPACT_SHARE * base or removed > COMPACT_SHARE * max(self._base.n_docs, 1)

    def _np_alive_base(self) -> np.ndarray[Any, np.dtype[np.uint8]]:
        return np.frombuffer(self._alive, dtype=np.uint8, count=self._base.n_docs)

    def _compact(self, folder: Path, name: str) -> None:
        """A new base of every live document (base and tail), renumbered; the tail emptied."""
        started = time.perf_counter()
        alive = np.frombuffer(bytes(self._alive), dtype=np.uint8).astype(bool)
        ids = np.concatenate([np.asarray(self._base.ids, np.int64), np.array(self._tail_ids, np.int64)])
        doclen = np.frombuffer(self._doclen, dtype=np.float32)
        dates = np.frombuffer(self._dates, dtype=np.int32)
        base, checks = segment.write(
            folder,
            name,
            [self._base.postings, *self._runs],
            len(self._keys),
            alive,
            self._base,
            self._tail_tokens.parts,
            ids,
            doclen,
            dates,
        )
        self._attach(base)
        self._folder, self._base_name, self._checks = folder, name, checks
        self._alive = bytearray(b"\x01" * base.n_docs)
        self._doclen = array("f", base.doclen.tobytes())
        self._dates = array("i", base.dates.tobytes())
        self._total_len = float(np.sum(base.doclen, dtype=np.float64))
        self._reset_caches()
        log.info("index base written: %d documents in %.1f s", base.n_docs, time.perf_counter() - started)

    def _state(self) -> dict[str, Any]:
        n_base = self._base.n_docs
        self._deletes.compact()  # hashed now, not by the first search after the restart (0.35 s)
        state: dict[str, Any] = {name: getattr(self, name) for name in _VOCABULARY}
        surfaces = self._surfaces
        state["_surfaces"] = saved_surfaces(surfaces)
        state["_sound_spellings"] = self._sounds.saved(surfaces)
        state["alive"] = bytes(self._alive)
        state["tail_ids"] = list(self._tail_ids)
        state["tail_seqs"] = self._tail_tokens.saved()
        state["tail_doclen"] = np.frombuffer(self._doclen, dtype=np.float32)[n_base:].copy()
        state["tail_dates"] = np.frombuffer(self._dates, dtype=np.int32)[n_base:].copy()
        state["runs"] = [[r.off, r.slots, r.tf] for r in self._runs]
        return {"format": FORMAT, "index": state}

    @classmethod
    def saved_stamp(cls, path: Path) -> str | None:
        try:
            stamp = json.loads(path.read_bytes()).get("stamp")
        except (OSError, ValueError, AttributeError):
            return None
        return stamp if isinstance(stamp, str) else None

    @classmethod
    def open(cls, path: Path, stamp: str) -> Self | None:
        """The index saved at ``path`` for this very ``stamp``, its base mapped; None when there is none,
        it is of another store state, or a file is damaged or missing (the caller rebuilds)."""
        try:
            manifest = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("index manifest %s not used (%s); rebuilding from the store", path, exc)
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            log.warning("index manifest %s is of another format; rebuilding from the store", path)
            return None
        if manifest.get("stamp") != stamp:
            log.info("index %s is of another store state: rebuilding", path)
            return None
        folder = files_of(path)
        try:
            base = Base.open(folder, manifest["base"], manifest["files"])
            saved = snapshot.read(folder / manifest["state"], stamp)
            if saved is None or saved.get("format") != FORMAT:
                return None
            index = cls.__new__(cls)
            index._restore(base, saved["index"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("index %s not used (%s); rebuilding from the store", path, exc)
            return None
        index._folder, index._base_name, index._checks = folder, manifest["base"], manifest["files"]
        return index

    def _restore(self, base: Base, state: dict[str, Any]) -> None:
        for name in _VOCABULARY:
            setattr(self, name, state[name])
        self._surfaces = restored_surfaces(state["_surfaces"])
        self.analyzer = Analyzer()
        self._translator = Translator(self.analyzer)
        self._restore_spellings(state.get("_sound_spellings"))
        self._post_slots = [_NO_SLOTS] * len(self._keys)  # unused here: ``_key_of`` appends to them
        self._post_tf = [_NO_TF] * len(self._keys)
        self._pending, self._pending_pairs = [], 0
        alive = bytearray(state["alive"])
        tail_ids: list[int] = state["tail_ids"]
        n_base = base.n_docs
        if len(alive) != n_base + len(tail_ids):
            raise ValueError("live flags and documents disagree")
        tail_slots = {doc_id: n_base + i for i, doc_id in enumerate(tail_ids) if alive[n_base + i]}
        runs = [
            Run(np.asarray(o, np.int64), np.asarray(s, np.int32), np.asarray(t, np.float32))
            for o, s, t in state["runs"]
        ]
        for run in runs:
            run.check()
        self._attach(base, runs, tail_ids, _TailTokens.of(state["tail_seqs"]), tail_slots)
        self._alive = alive
        self._doclen = array("f", base.doclen.tobytes() + state["tail_doclen"].tobytes())
        self._dates = array("i", base.dates.tobytes() + state["tail_dates"].tobytes())
        self._reset_caches()
