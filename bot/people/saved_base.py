"""The saved persons' large part: every base person's documents and roles as NumPy arrays, mapped.

A person's name, spellings and counts are few (a person table of thousands of rows, read into memory);
their documents and dated roles grow with the corpus (at a million documents, about half a million of
each). Those live in one *base*: ``.npy`` files, one column each, person ``i``'s rows between
``*_off[i]`` and ``*_off[i + 1]``, opened with ``mmap_mode="r"``: a restart reads none of it until
``/who`` shows a person, and then only that person's pages. The person table (``saved.py``) says which
base row is whose. A base is written once and never changed: a later save that changes a few persons
writes those persons beside it (``saved.py``), and a new base only when they have grown to a share of it.

Each file's size and CRC-32 (of the whole file: a few MB at a million documents, read in milliseconds)
are in the manifest; a file that differs, or whose offsets do not cover its rows, is refused and the
persons are rebuilt from the stored mentions.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.people.model import Person, RoleRecord

# Column name -> dtype. ``doc_off`` and ``role_off`` have one row more than the base has persons.
COLUMNS: dict[str, type[np.generic]] = {
    "docs": np.int64,
    "doc_off": np.int64,
    "role_title": np.int32,  # into the base's title strings
    "role_org": np.int32,  # into its organisation strings, -1: none stated
    "role_date": np.int32,  # proleptic ordinal, 0: undated
    "role_doc": np.int64,
    "role_former": np.int8,
    "role_off": np.int64,
}
CHUNK = 1 << 20


@dataclass
class Base:
    """A written base, mapped: person ``i``'s documents and roles (``i`` is the base's row, not a key)."""

    arrays: dict[str, npt.NDArray[Any]]
    titles: list[str]
    orgs: list[str]

    @property
    def size(self) -> int:
        return len(self.arrays["doc_off"]) - 1

    @property
    def rows(self) -> int:
        """Documents and roles together: what a share of changed persons is measured against."""
        return len(self.arrays["docs"]) + len(self.arrays["role_doc"])

    def documents(self, i: int) -> tuple[int, ...]:
        off = self.arrays["doc_off"]
        return tuple(self.arrays["docs"][int(off[i]) : int(off[i + 1])].tolist())

    def roles(self, i: int) -> tuple[RoleRecord, ...]:
        a, b = int(self.arrays["role_off"][i]), int(self.arrays["role_off"][i + 1])
        columns = zip(
            self.arrays["role_title"][a:b].tolist(),
            self.arrays["role_org"][a:b].tolist(),
            self.arrays["role_date"][a:b].tolist(),
            self.arrays["role_doc"][a:b].tolist(),
            self.arrays["role_former"][a:b].tolist(),
            strict=True,
        )
        return tuple(
            RoleRecord(
                self.titles[title],
                self.orgs[org] if org >= 0 else None,
                date.fromordinal(day) if day else None,
                doc,
                bool(former),
            )
            for title, org, day, doc, former in columns
        )

    def counts(self, i: int) -> tuple[int, int]:
        """How many documents and roles person ``i`` has, without reading them."""
        doc_off, role_off = self.arrays["doc_off"], self.arrays["role_off"]
        return int(doc_off[i + 1] - doc_off[i]), int(role_off[i + 1] - role_off[i])

    def same(self, i: int, person: Person) -> bool:
        """Whether base row ``i`` holds exactly ``person``'s documents and roles."""
        if self.counts(i) != (len(person.documents), len(person.roles)):
            return False
        return self.documents(i) == person.documents and self.roles(i) == person.roles

    @classmethod
    def open(cls, folder: Path, name: str, checks: dict[str, list[int]], strings: dict[str, Any]) -> Base:
        """The base ``name`` of ``folder``; ValueError (or OSError) when a file is missing, differs from
        the one the manifest names, or its rows do not fit together."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        for column, dtype in COLUMNS.items():
            path = folder / f"{name}.{column}.npy"
            size, crc = checks[column]
            if path.stat().st_size != size or _crc(path) != crc:
                raise ValueError(f"{path.name} is not the file the manifest names")
            arr = np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)
            if arr.dtype != dtype or arr.ndim != 1:
                raise ValueError(f"{path.name} holds {arr.dtype} of {arr.ndim} dimensions")
            arrays[column] = arr
        base = cls(arrays, list(strings["titles"]), list(strings["orgs"]))
        base._check()
        return base

    def _check(self) -> None:
        a = self.arrays
        for off, rows in (("doc_off", ("docs",)), ("role_off", ("role_title", "role_org", "role_date"))):
            column = a[off]
            if len(column) < 1 or column[0] != 0 or np.any(np.diff(column) < 0):
                raise ValueError(f"{off} out of order")
            if any(int(column[-1]) != len(a[r]) for r in rows):
                raise ValueError(f"{off} does not cover its rows")
        if len(a["doc_off"]) != len(a["role_off"]):
            raise ValueError("documents and roles of different persons")
        n_roles = len(a["role_title"])
        if (
            not len(a["role_org"])
            == len(a["role_date"])
            == len(a["role_doc"])
            == len(a["role_former"])
            == n_roles
        ):
            raise ValueError("role columns of different lengths")
        if n_roles and (
            int(a["role_title"].min()) < 0
            or int(a["role_title"].max()) >= len(self.titles)
            or int(a["role_org"].min()) < -1
            or int(a["role_org"].max()) >= len(self.orgs)
        ):
            raise ValueError("a role names a string the base does not have")


def write(folder: Path, name: str, persons: Sequence[Person]) -> tuple[dict[str, list[int]], dict[str, Any]]:
    """``persons``' documents and roles as base ``name`` (row ``i``: ``persons[i]``), each file synced;
    the files' checks and the base's strings, for the manifest and the person table."""
    titles: dict[str, int] = {}
    orgs: dict[str, int] = {}
    roles = [r for p in persons for r in p.roles]
    columns: dict[str, npt.NDArray[Any]] = {
        "docs": np.fromiter((int(d) for p in persons for d in p.documents), np.int64),
        "doc_off": _offsets(len(p.documents) for p in persons),
        "role_title": np.fromiter((titles.setdefault(r.title, len(titles)) for r in roles), np.int32),
        "role_org": np.fromiter(
            (-1 if r.org is None else orgs.setdefault(r.org, len(orgs)) for r in roles), np.int32
        ),
        "role_date": np.fromiter((r.date.toordinal() if r.date else 0 for r in roles), np.int32),
        "role_doc": np.fromiter((int(r.doc_id) for r in roles), np.int64),
        "role_former": np.fromiter((int(r.former) for r in roles), np.int8),
        "role_off": _offsets(len(p.roles) for p in persons),
    }
    checks: dict[str, list[int]] = {}
    for column, values in columns.items():
        path = folder / f"{name}.{column}.npy"
        with path.open("wb") as fh:
            np.save(fh, values.astype(COLUMNS[column], copy=False), allow_pickle=False)
            fh.flush()
            os.fsync(fh.fileno())
        checks[column] = [path.stat().st_size, _crc(path)]
    return checks, {"titles": list(titles), "orgs": list(orgs)}


def _offsets(counts: Any) -> npt.NDArray[np.int64]:
    sizes = np.fromiter(counts, np.int64)
    out = np.zeros(len(sizes) + 1, np.int64)
    np.cumsum(sizes, out=out[1:])
    return out


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc
