"""Follow precision and recall judged by reading: a stratified sample's judgements weighted up to the
arrivals (``bench/follow_pool.py`` draws the sample, ``bench/follow_bench.py --judged`` prints the figures).

Reuters' ``people`` and ``topics`` labels are incomplete (a Contra-aid story about Reagan carries no
people label), so the label-based figures count some right alerts as wrong. This is the second judgement:
per follow the arrivals fall in strata defined without the method under test -- L+ (carries the label) and
M (no label, but mentions the person's surname or the topic's word, or the matcher fired on it when the
sample was drawn) -- and everything else is taken as not relevant. Each stratum is split by whether the
method hit the document (known for every member, so this is post-stratification, not sampling): a cell's
relevant share is its judged items' share, or the stratum's when none of the cell was judged. Relevant =
sum of cell size * share; relevant hits likewise over the hit cells; a hit outside L+ and M is not relevant.
Where a census judged every document of some cells (``follow_pool.py --census``), judged documents count
as judged and only the unjudged rest is weighted, by the random samples' items outside the census.

Lives under tests/ (as tests/faultsuite.py does for the fault suite) so mypy and the tests see it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

STRATA = ("L+", "M")


@dataclass(frozen=True)
class KeyItem:
    """What the judges do not see about one item."""

    item: str
    follow: str  # the annotation: "james-baker", "coffee"
    stratum: str  # "L+" or "M"
    doc_id: str
    stratum_size: int
    sample_size: int


@dataclass(frozen=True)
class Estimate:
    relevant: float  # estimated relevant arrivals
    relevant_hits: float  # estimated relevant among the method's hits
    hits: int
    hits_outside: int  # hits in neither stratum: counted not relevant
    judged: int  # judged items behind the estimate

    @property
    def precision(self) -> float:
        return self.relevant_hits / self.hits if self.hits else 0.0

    @property
    def recall(self) -> float:
        return self.relevant_hits / self.relevant if self.relevant else 0.0


def read_jsonl(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            assert isinstance(row, dict), f"{path}: not an object per line"
            rows.append(row)
    return rows


def load_key(path: Path) -> list[KeyItem]:
    return [
        KeyItem(
            str(r["item"]),
            str(r["follow"]),
            str(r["stratum"]),
            str(r["doc_id"]),
            int(str(r["stratum_size"])),
            int(str(r["sample_size"])),
        )
        for r in read_jsonl(path)
    ]


def load_judgements(path: Path) -> dict[str, bool]:
    """Item id -> relevant. A later line for the same item overrides an earlier one; an item judged but
    unknown to the key is an error (a judge wrote the wrong id)."""
    out: dict[str, bool] = {}
    for r in read_jsonl(path):
        relevant = r["relevant"]
        if not isinstance(relevant, bool):
            raise ValueError(f"{path}: item {r.get('item')!r}: 'relevant' must be true or false")
        out[str(r["item"])] = relevant
    return out


def estimate(
    strata: Mapping[str, set[str]],
    judged: Iterable[tuple[str, str, bool]],
    hits: set[str],
    census: Mapping[str, set[str]] | None = None,
) -> Estimate | None:
    """One follow: ``strata`` stratum -> its member document ids; ``judged`` (stratum, doc id, relevant)
    for the judged items; ``hits`` the method's hits among the arrivals; ``census`` stratum -> the
    documents a census judged every one of (``bench/follow_pool.py --census``). A judged document counts
    as what it was judged; the rest of a cell is weighted by the share of the cell's judged documents
    outside the census (the random samples', which stand for the unjudged), else of the stratum's, else
    of every judged one. Without a census that is the cell's judged share times its size. None when a
    non-empty stratum has no judged item yet (nothing to weight it by)."""
    known: dict[str, dict[str, bool]] = {}
    count = 0
    for stratum, doc, relevant in judged:
        if doc not in strata.get(stratum, set()):
            raise ValueError(f"judged document {doc} is not in stratum {stratum}")
        known.setdefault(stratum, {})[doc] = relevant
        count += 1
    relevant_all = relevant_hits = 0.0
    for stratum, members in strata.items():
        if not members:
            continue
        seen = known.get(stratum)
        if not seen:
            return None
        covered = census.get(stratum, set()) if census else set()
        sampled = [r for doc, r in seen.items() if doc not in covered] or list(seen.values())
        for is_hit in (True, False):
            cell = members & hits if is_hit else members - hits
            judged_here = {doc: r for doc, r in seen.items() if doc in cell}
            standing = [r for doc, r in judged_here.items() if doc not in covered] or sampled
            share = sum(standing) / len(standing)
            found = sum(judged_here.values()) + (len(cell) - len(judged_here)) * share
            relevant_all += found
            if is_hit:
                relevant_hits += found
    inside = set().union(*strata.values()) if strata else set()
    return Estimate(relevant_all, relevant_hits, len(hits), len(hits - inside), count)


def estimates(
    key: list[KeyItem],
    judgements: Mapping[str, bool],
    strata: Mapping[str, Mapping[str, set[str]]],
    hits: Mapping[str, set[str]],
    census: Mapping[str, Mapping[str, set[str]]] | None = None,
) -> dict[str, Estimate | None]:
    """Every follow of ``hits`` (annotation -> hit document ids): its estimate from the judged items
    (``census``: follow -> stratum -> the documents a census covered)."""
    known = {k.item for k in key}
    unknown = set(judgements) - known
    if unknown:
        raise ValueError(f"judgements for items not in the key: {sorted(unknown)[:5]}")
    per_follow: dict[str, list[tuple[str, str, bool]]] = {}
    for k in key:
        if k.item in judgements:
            per_follow.setdefault(k.follow, []).append((k.stratum, k.doc_id, judgements[k.item]))
    return {
        follow: estimate(
            strata.get(follow, {}), per_follow.get(follow, []), found, (census or {}).get(follow)
        )
        for follow, found in hits.items()
    }


def load_strata(path: Path) -> dict[str, dict[str, set[str]]]:
    """follow -> stratum -> member document ids, as ``bench/follow_pool.py`` froze them."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {follow: {s: set(ids) for s, ids in strata.items()} for follow, strata in raw.items()}
