"""The people index's persons saved at close, so that ``/who`` answers right after a restart.

Building the people index means re-clustering every stored mention (about a minute per million
documents), and ``/who`` could not answer meanwhile. What ``/who``, a card and a digest read is only the
persons and what lists them (``PeopleIndex._add_person``): those are saved here, as data only (columns
through ``bot.search.snapshot``: checksummed, bound to the store state by the same stamp as the search
index), and loaded into a *read-only* ``PeopleIndex`` while the full one is built in the background.
Writers still wait for the full build (they need every mention to re-cluster); a snapshot of another
store state, or none, leaves things as they were: ``/who`` waits for the build.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from bot.people.index import PeopleIndex
from bot.people.model import Person, RoleRecord
from bot.search import snapshot

log = logging.getLogger(__name__)

VERSION = 1


def save(index: PeopleIndex, path: Path, stamp: str) -> None:
    """Write the persons of ``index`` (clustered now if need be) for ``load(path, stamp)``."""
    persons, firms, first_names = index.saved_state()
    if any(not isinstance(d, int) for p in persons for d in (*p.documents, *(r.doc_id for r in p.roles))):
        return  # only a store's integer ids are kept (``merge`` of a benchmark may use strings)
    roles = [r for p in persons for r in p.roles]
    state: dict[str, Any] = {
        "version": VERSION,
        "key": [p.key for p in persons],
        "name": [p.name for p in persons],
        "evidence": [p.evidence for p in persons],
        "mentions": [p.mentions for p in persons],
        "aliases": [len(p.aliases) for p in persons],
        "alias": [a for p in persons for a in p.aliases],
        "documents": [tuple(int(d) for d in p.documents) for p in persons],
        "roles": [len(p.roles) for p in persons],
        "title": [r.title for r in roles],
        "org": [r.org or "" for r in roles],
        "has_org": [int(r.org is not None) for r in roles],
        "date": [r.date.toordinal() if r.date else 0 for r in roles],
        "doc": [int(r.doc_id) for r in roles],
        "former": [int(r.former) for r in roles],
        "firms": dict(firms),
        "first_names": dict(first_names),
    }
    snapshot.write(path, state, stamp)


def load(path: Path, stamp: str) -> PeopleIndex | None:
    """A read-only ``PeopleIndex`` of the persons saved at ``path`` for ``stamp``, or None."""
    state = snapshot.read(path, stamp)
    if state is None or state.get("version") != VERSION:
        return None
    try:
        return _restore(state)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        log.warning("saved persons %s not used (%s): /who waits for the people index", path, exc)
        return None


def _restore(state: dict[str, Any]) -> PeopleIndex:
    aliases, roles = (
        iter(state["alias"]),
        iter(
            zip(
                state["title"],
                state["org"],
                state["has_org"],
                state["date"],
                state["doc"],
                state["former"],
                strict=True,
            )
        ),
    )
    persons: list[Person] = []
    for n, key in enumerate(state["key"]):
        records = tuple(
            RoleRecord(
                title, org if has_org else None, date.fromordinal(day) if day else None, doc, bool(former)
            )
            for title, org, has_org, day, doc, former in (next(roles) for _ in range(state["roles"][n]))
        )
        persons.append(
            Person(
                key,
                state["name"][n],
                tuple(next(aliases) for _ in range(state["aliases"][n])),
                records,
                tuple(state["documents"][n]),
                state["mentions"][n],
                state["evidence"][n],
            )
        )
    return PeopleIndex.read_only(persons, Counter(state["firms"]), Counter(state["first_names"]))
