"""The disk index's base segment: its postings, token sequences and document table as mapped .npy files.

A segment is written once, under a new name, and never changed: a compaction writes the next one beside
it and the manifest (``disk.py``) is switched over in one rename, so a crash leaves the old segment whole
and named. Reading maps the files (``np.load(mmap_mode="r")``): a restart reads no postings, and the pages
a search touches are the operating system's cache, shared and evictable, not the process's heap.

What is checked when a segment is opened, without reading it whole (a million documents' files are about
a gigabyte; hashing them would cost the restart it saves): every file's size, a CRC-32 of its first and
last MiB, and every offsets array (they are what a search slices with, so damage there could read out
of bounds). Damage in the middle of the postings goes unnoticed until it changes a score.
"""

from __future__ import annotations

import os
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.postings import IntArray, OffArray, Run, merged

FloatArray = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]
SAMPLE = 1 << 20  # bytes of each end of a file covered by its check
FILES = ("off", "slots", "tf", "seq", "seq_off", "ids", "doclen", "dates", "by_id", "by_id_slot")


def _sample_crc(path: Path) -> int:
    size = path.stat().st_size
    with path.open("rb") as fh:
        crc = zlib.crc32(fh.read(SAMPLE))
        if size > SAMPLE:
            fh.seek(max(size - SAMPLE, SAMPLE))
            crc = zlib.crc32(fh.read(SAMPLE), crc)
    return crc


@dataclass
class Base:
    """Documents ``0 .. n_docs - 1`` (slots) and their postings, read-only."""

    postings: Run
    seq: IntArray  # every document's key ids in order, one after another
    seq_off: OffArray  # document ``s``'s tokens: ``seq[seq_off[s]:seq_off[s + 1]]``
    ids: IdArray  # document id per slot
    doclen: FloatArray
    dates: IntArray
    by_id: IdArray  # ``ids`` sorted, for looking a document up by id
    by_id_slot: IntArray  # the slot of each of ``by_id``

    @classmethod
    def empty(cls) -> Base:
        i32, i64 = np.empty(0, np.int32), np.empty(0, np.int64)
        return cls(Run.empty(), i32, np.zeros(1, np.int64), i64, np.empty(0, np.float32), i32, i64, i32)

    @property
    def n_docs(self) -> int:
        return len(self.ids)

    def tokens(self, slot: int) -> array[int]:
        out = array("i")
        out.frombytes(self.seq[int(self.seq_off[slot]) : int(self.seq_off[slot + 1])].tobytes())
        return out

    def slot_of(self, doc_id: int) -> int | None:
        at = int(np.searchsorted(self.by_id, doc_id))
        if at < len(self.by_id) and int(self.by_id[at]) == doc_id:
            return int(self.by_id_slot[at])
        return None

    @classmethod
    def open(cls, folder: Path, name: str, checks: dict[str, list[int]]) -> Base:
        """The segment ``name`` of ``folder``; ValueError (or OSError) when a file is missing or damaged."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        for part in FILES:
            path = folder / f"{name}.{part}.npy"
            size, crc = checks[part]
            if path.stat().st_size != size or _sample_crc(path) != crc:
                raise ValueError(f"{path.name} is not the file the manifest names")
            # A plain array over the mapped pages: np.memmap's subclass hooks cost a search more than
            # its arithmetic on small postings.
            arrays[part] = np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)
        base = cls(
            Run(np.array(arrays["off"]), arrays["slots"], arrays["tf"]),
            arrays["seq"],
            np.array(arrays["seq_off"]),
            arrays["ids"],
            arrays["doclen"],
            arrays["dates"],
            arrays["by_id"],
            arrays["by_id_slot"],
        )
        base.postings.check()
        n = base.n_docs
        if len(base.seq_off) != n + 1 or base.seq_off[0] != 0 or base.seq_off[-1] != len(base.seq):
            raise ValueError("token offsets do not cover the tokens")
        if np.any(np.diff(base.seq_off) < 0):
            raise ValueError("token offsets out of order")
        if not len(base.doclen) == len(base.dates) == len(base.by_id) == len(base.by_id_slot) == n:
            raise ValueError("document table columns of different lengths")
        return base


def write(
    folder: Path,
    name: str,
    runs: Sequence[Run],
    n_keys: int,
    alive: npt.NDArray[np.bool_],
    base: Base,
    tail_tokens: Sequence[tuple[IntArray, OffArray]],
    ids: IdArray,
    doclen: FloatArray,
    dates: IntArray,
) -> tuple[Base, dict[str, list[int]]]:
    """Write the live documents of ``base`` and the tail (slots from ``base.n_docs`` on) as segment
    ``name``, renumbered densely; the new segment, mapped, and its files' checks for the manifest.

    ``runs`` are the postings of base and tail in slot order, ``alive`` says which slots stay, ``ids``,
    ``doclen`` and ``dates`` are per slot (base and tail)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def create(part: str, dtype: type[np.generic], length: int) -> _Npy:
        path = folder / f"{name}.{part}.npy"
        written.append(path)
        return _Npy(path, dtype, length)

    def save(part: str, dtype: type[np.generic], values: npt.NDArray[Any]) -> None:
        with create(part, dtype, len(values)) as out:
            out.write(values)

    new_slot = np.full(len(alive), -1, dtype=np.int32)
    new_slot[alive] = np.arange(int(alive.sum()), dtype=np.int32)
    off, blocks = merged(runs, n_keys, new_slot)
    with create("slots", np.int32, int(off[-1])) as slots, create("tf", np.float32, int(off[-1])) as tf:
        for block_slots, block_tf in blocks:
            slots.write(block_slots)
            tf.write(block_tf)
    save("off", np.int64, off)
    _write_tokens(create, alive, base, tail_tokens)
    order = np.argsort(ids[alive], kind="stable")
    save("ids", np.int64, ids[alive])
    save("doclen", np.float32, doclen[alive])
    save("dates", np.int32, dates[alive])
    save("by_id", np.int64, ids[alive][order])
    save("by_id_slot", np.int32, order.astype(np.int32))
    checks: dict[str, list[int]] = {}
    for path in written:
        checks[path.name.removeprefix(f"{name}.").removesuffix(".npy")] = [
            path.stat().st_size,
            _sample_crc(path),
        ]
    return Base.open(folder, name, checks), checks


class _Npy:
    """A .npy file written front to back through the file, then flushed to disk. Not through a mapping:
    pages written to a file are the operating system's cache, where a mapping's count towards the
    writing process's memory (a million documents' base is about a gigabyte)."""

    def __init__(self, path: Path, dtype: type[np.generic], length: int) -> None:
        self.dtype, self.length, self.written = np.dtype(dtype), length, 0
        self.fh = path.open("wb")
        header = {
            "descr": np.lib.format.dtype_to_descr(self.dtype),
            "fortran_order": False,
            "shape": (length,),
        }
        np.lib.format.write_array_header_1_0(self.fh, header)

    def write(self, values: npt.NDArray[Any]) -> None:
        self.fh.write(np.ascontiguousarray(values, dtype=self.dtype).data)
        self.written += len(values)

    def __enter__(self) -> _Npy:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                if self.written != self.length:
                    raise ValueError(f"{self.fh.name}: {self.written} values written of {self.length}")
                self.fh.flush()
                os.fsync(self.fh.fileno())
        finally:
            self.fh.close()


def _write_tokens(
    create: Callable[[str, type[np.generic], int], _Npy],
    alive: npt.NDArray[np.bool_],
    base: Base,
    tail_tokens: Sequence[tuple[IntArray, OffArray]],
) -> None:
    """The token sequences of the live documents, base then tail, one after another. ``tail_tokens``:
    the tail's, a batch of documents at a time (their tokens one after another, and their offsets)."""
    n_base = base.n_docs
    base_len = np.diff(base.seq_off)
    tail_len = [np.diff(off) for _, off in tail_tokens]
    lengths = np.concatenate([base_len, *tail_len])[alive]
    seq_off = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=seq_off[1:])
    with create("seq", np.int32, int(seq_off[-1])) as flat:
        a = 0
        step = 100_000
        while a < n_base:  # the base's live documents, a slice at a time
            b = min(a + step, n_base)
            part = np.asarray(base.seq[int(base.seq_off[a]) : int(base.seq_off[b])])
            flat.write(part[np.repeat(alive[a:b], base_len[a:b])])
            a = b
        for (tokens, _), part_len in zip(tail_tokens, tail_len, strict=True):
            flat.write(tokens[np.repeat(alive[a : a + len(part_len)], part_len)])
            a += len(part_len)
    with create("seq_off", np.int64, len(seq_off)) as out:
        out.write(seq_off)
