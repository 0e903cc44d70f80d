"""The people index's persons saved at close, so that ``/who`` answers right after a restart.

Building the people index means re-clustering every stored mention (about a minute per million
documents), and ``/who`` could not answer meanwhile. What ``/who`` and a card read is only the persons:
those are saved here, as data only, bound to the store state by the same stamp as the search index, and
opened as a *read-only* ``PeopleIndex`` while the full one is built in the background. Writers still
wait for the full build (they need every mention to re-cluster); a snapshot of another store state, or a
damaged one, or none, leaves things as they were: ``/who`` waits for the build, never answers "nobody".

Opened, not loaded: a person's documents and roles (what grows with the corpus) sit in a mapped *base*
(``saved_base.py``) and become a ``Person`` only when ``/who`` shows that person; the person table
(names, spellings, counts: thousands of rows) is read into memory. At a million documents the old
single file took 14 s to load into the heap; this opens in a fraction of a second.

Saving is incremental: the persons whose documents and roles are those of a base row keep pointing
there; only the others (an upload's, a deletion's: the persons of the blocks they touched) are written,
in the small state file beside the person table, and a new base is written when those have grown to a
quarter of it. Files are never rewritten in place: new ones are written and synced, then the manifest
is switched to them in one rename, so a crash at any point leaves a manifest naming whole files.

Layout: ``<path>`` is the manifest (JSON: format, stamp, base name and its files' sizes and CRCs, state
file); the files live in ``<path>.d/``. The state file is a ``bot.search.snapshot`` (checksummed).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator, MutableMapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bot.durable import fsync_path, switch_manifest
from bot.people import saved_base
from bot.people.index import PeopleIndex
from bot.people.model import Person, RoleRecord, role_key
from bot.people.saved_base import Base
from bot.search import snapshot

log = logging.getLogger(__name__)

FORMAT = 2
COMPACT_SHARE = 0.25  # persons written beside the base, as a share of its rows, before a new base
CACHE = 512  # persons made from the base and kept for the next read


def files_of(path: Path) -> Path:
    """The folder holding the files of the persons whose manifest is ``path``."""
    return path.with_name(path.name + ".d")


class SavedPersons(MutableMapping[str, Person]):
    """Key -> ``Person`` over the person table and the base: each made when asked for. Read-only (the
    ``MutableMapping`` methods that change it raise), as the index it serves is."""

    def __init__(self, state: dict[str, Any], base: Base) -> None:
        self._base = base
        self._keys: list[str] = list(state["key"])
        self._names: list[str] = state["name"]
        self._evidence: list[str] = state["evidence"]
        self._mentions: list[int] = state["mentions"]
        self._base_row: list[int] = state["row"]
        aliases = iter(state["alias"])
        self._aliases = [tuple(next(aliases) for _ in range(n)) for n in state["aliases"]]
        if not (
            len(self._keys)
            == len(self._names)
            == len(self._evidence)
            == len(self._mentions)
            == len(self._base_row)
            == len(self._aliases)
        ):
            raise ValueError("person table columns of different lengths")
        if any(row >= base.size for row in self._base_row):
            raise ValueError("a person's base row is past the base")
        self._rows = {key: n for n, key in enumerate(self._keys)}  # key -> position in the table
        if len(self._rows) != len(self._keys):
            raise ValueError("a key twice in the person table")
        self._delta = {p.key: p for p in _delta_persons(state, self)}
        self._cache: dict[str, Person] = {}
        self._post_words: tuple[list[set[str]], list[set[str]]] | None = None  # per title, per org

    def post_pool(self, words: list[str], heads: frozenset[str]) -> list[Person]:
        """The persons who may hold a post of all these title ``words`` (``PeopleIndex.holders``): each
        word in one of their titles, or, unless it is a head word, their organisation's name. Found over
        the mapped role columns; only they are made (every person of a million documents took seconds).
        The persons written beside the base are always in."""
        if not words:
            return []
        base, columns = self._base, self._base.arrays
        if self._post_words is None:
            self._post_words = (
                [set(role_key(t).split()) for t in base.titles],
                [set(role_key(o).split()) for o in base.orgs],
            )
        title_words, org_words = self._post_words
        rows: set[int] | None = None
        for word in words:
            hits = np.isin(columns["role_title"], [i for i, ws in enumerate(title_words) if word in ws])
            if word not in heads:
                hits |= np.isin(columns["role_org"], [i for i, ws in enumerate(org_words) if word in ws])
            owners = np.searchsorted(columns["role_off"], np.flatnonzero(hits), side="right") - 1
            found = set(np.unique(owners).tolist())
            rows = found if rows is None else rows & found
        wanted = rows or set()
        return [
            self[key] for key, row in zip(self._keys, self._base_row, strict=True) if row < 0 or row in wanted
        ]

    def light(self) -> Iterator[Person]:
        """Every person without their documents and roles: what the name index is built from."""
        for n, key in enumerate(self._keys):
            yield Person(key, self._names[n], self._aliases[n], (), (), self._mentions[n], self._evidence[n])

    def _make(self, n: int, roles: tuple[RoleRecord, ...], documents: tuple[int, ...]) -> Person:
        return Person(
            self._keys[n],
            self._names[n],
            self._aliases[n],
            roles,
            documents,
            self._mentions[n],
            self._evidence[n],
        )

    def __getitem__(self, key: str) -> Person:
        found = self._cache.get(key)
        if found is not None:
            return found
        n = self._rows[key]  # KeyError for a key nobody has
        row = self._base_row[n]
        person = (
            self._delta[key] if row < 0 else self._make(n, self._base.roles(row), self._base.documents(row))
        )
        if len(self._cache) >= CACHE:
            self._cache.clear()
        self._cache[key] = person
        return person

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __setitem__(self, key: str, value: Person) -> None:
        raise TypeError("saved persons are read-only")

    def __delitem__(self, key: str) -> None:
        raise TypeError("saved persons are read-only")


def _delta_persons(state: dict[str, Any], table: SavedPersons) -> list[Person]:
    """The persons written beside the base (table rows without a base row), in table order."""
    documents = iter(state["d_docs"])
    counts = iter(state["d_roles"])
    roles = iter(
        zip(
            state["d_title"],
            state["d_org"],
            state["d_has_org"],
            state["d_date"],
            state["d_doc"],
            state["d_former"],
            strict=True,
        )
    )
    out: list[Person] = []
    for n, row in enumerate(table._base_row):
        if row >= 0:
            continue
        records = tuple(
            RoleRecord(
                title, org if has_org else None, date.fromordinal(day) if day else None, doc, bool(former)
            )
            for title, org, has_org, day, doc, former in (next(roles) for _ in range(next(counts)))
        )
        out.append(table._make(n, records, tuple(next(documents))))
    if next(documents, None) is not None or next(roles, None) is not None:
        raise ValueError("more persons' rows than persons written beside the base")
    return out


# ----------------------------------------------------------------- saving


def save(index: PeopleIndex, path: Path, stamp: str) -> None:
    """Write the persons of ``index`` (clustered now if need be) for ``load(path, stamp)``: beside the
    base saved last time when most persons are still its, else as a new base."""
    persons, firms, first_names = index.saved_state()
    if any(not isinstance(d, int) for p in persons for d in (*p.documents, *(r.doc_id for r in p.roles))):
        return  # only a store's integer ids are kept (``merge`` of a benchmark may use strings)
    folder = files_of(path)
    folder.mkdir(parents=True, exist_ok=True)
    previous = _open(path, None)
    rows: list[int] = [-1] * len(persons)
    if previous is not None:
        manifest, base, state = previous
        old_rows = {k: r for k, r in zip(state["key"], state["row"], strict=True) if r >= 0}
        for n, person in enumerate(persons):
            row = old_rows.get(person.key)
            if row is not None and base.same(row, person):
                rows[n] = row
        beside = sum(len(p.documents) + len(p.roles) for p, r in zip(persons, rows, strict=True) if r < 0)
        if beside > COMPACT_SHARE * base.rows:
            previous = None
    generation = f"{time.time_ns():x}"
    if previous is None:
        base_name = f"base-{generation}"
        checks, strings = saved_base.write(folder, base_name, persons)
        rows = list(range(len(persons)))
    else:
        base_name, checks, strings = manifest["base"], manifest["files"], state["strings"]
    state_name = f"state-{generation}.snap"
    snapshot.write(folder / state_name, _state(persons, rows, strings, firms, first_names), stamp)
    fsync_path(folder / state_name)
    manifest = {"format": FORMAT, "stamp": stamp, "base": base_name, "files": checks, "state": state_name}
    keep = {state_name} | {f"{base_name}.{column}.npy" for column in saved_base.COLUMNS}
    switch_manifest(path, manifest, folder, keep)


def _state(
    persons: Sequence[Person],
    rows: Sequence[int],
    strings: dict[str, Any],
    firms: Counter[str],
    first_names: Counter[str],
) -> dict[str, Any]:
    beside = [p for p, r in zip(persons, rows, strict=True) if r < 0]
    roles = [r for p in beside for r in p.roles]
    return {
        "format": FORMAT,
        "key": [p.key for p in persons],
        "name": [p.name for p in persons],
        "evidence": [p.evidence for p in persons],
        "mentions": [p.mentions for p in persons],
        "aliases": [len(p.aliases) for p in persons],
        "alias": [a for p in persons for a in p.aliases],
        "row": list(rows),
        "d_docs": [tuple(int(d) for d in p.documents) for p in beside],
        "d_roles": [len(p.roles) for p in beside],
        "d_title": [r.title for r in roles],
        "d_org": [r.org or "" for r in roles],
        "d_has_org": [int(r.org is not None) for r in roles],
        "d_date": [r.date.toordinal() if r.date else 0 for r in roles],
        "d_doc": [int(r.doc_id) for r in roles],
        "d_former": [int(r.former) for r in roles],
        "strings": strings,
        "firms": dict(firms),
        "first_names": dict(first_names),
    }


# ----------------------------------------------------------------- opening


def load(path: Path, stamp: str) -> PeopleIndex | None:
    """A read-only ``PeopleIndex`` of the persons saved at ``path`` for ``stamp``, or None (none saved,
    of another store state, or damaged: the caller waits for the index built from the store)."""
    opened = _open(path, stamp)
    if opened is None:
        return None
    _, base, state = opened
    try:
        persons = SavedPersons(state, base)
    except (KeyError, ValueError, TypeError, IndexError, StopIteration) as exc:
        log.warning("saved persons %s not used (%s): /who waits for the people index", path, exc)
        return None
    return PeopleIndex.read_only(
        persons, persons.light(), Counter(state["firms"]), Counter(state["first_names"]), persons.post_pool
    )


def _open(path: Path, stamp: str | None) -> tuple[dict[str, Any], Base, dict[str, Any]] | None:
    """The manifest, base and state saved at ``path`` (for ``stamp``, or any when None), or None."""
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("saved persons %s not used (%s): /who waits for the people index", path, exc)
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        log.warning("saved persons %s are of another format: /who waits for the people index", path)
        return None
    if stamp is not None and manifest.get("stamp") != stamp:
        log.info("saved persons %s are of another store state: not used", path)
        return None
    folder = files_of(path)
    try:
        state = snapshot.read(folder / manifest["state"], manifest["stamp"])
        if state is None or state.get("format") != FORMAT:
            return None
        base = Base.open(folder, manifest["base"], manifest["files"], state["strings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("saved persons %s not used (%s): /who waits for the people index", path, exc)
        return None
    return manifest, base, state
