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
    strata: Mapping[str, set[str]], judged: Iterable[tuple[str, str, bool]], hits: set[str]
) -> Estimate | None:
    """One follow: ``strata`` stratum -> its member document ids; ``judged`` (stratum, doc id, relevant)
    for the judged sample items; ``hits`` the method's hits among the arrivals. None when a non-empty
    stratum has no judged item yet (nothing to weight it by)."""
    by_cell: dict[tuple[str, bool], list[bool]] = {}
    by_stratum: dict[str, list[bool]] = {}
    count = 0
    for stratum, doc, relevant in judged:
        if doc not in strata.get(stratum, set()):
            raise ValueError(f"judged document {doc} is not in stratum {stratum}")
        by_cell.setdefault((stratum, doc in hits), []).append(relevant)
        by_stratum.setdefault(stratum, []).append(relevant)
        count += 1
    relevant_all = relevant_hits = 0.0
    for stratum, members in strata.items():
        if not members:
            continue
        seen = by_stratum.get(stratum)
        if not seen:
            return None
        hit_members = len(members & hits)
        for is_hit, size in ((True, hit_members), (False, len(members) - hit_members)):
            cell = by_cell.get((stratum, is_hit)) or seen
            share = sum(cell) / len(cell)
            relevant_all += size * share
            if is_hit:
                relevant_hits += size * share
    inside = set().union(*strata.values()) if strata else set()
    return Estimate(relevant_all, relevant_hits, len(hits), len(hits - inside), count)


def estimates(
    key: list[KeyItem],
    judgements: Mapping[str, bool],
    strata: Mapping[str, Mapping[str, set[str]]],
    hits: Mapping[str, set[str]],
) -> dict[str, Estimate | None]:
    """Every follow of ``hits`` (annotation -> hit document ids): its estimate from the judged items."""
    known = {k.item for k in key}
    unknown = set(judgements) - known
    if unknown:
        raise ValueError(f"judgements for items not in the key: {sorted(unknown)[:5]}")
    per_follow: dict[str, list[tuple[str, str, bool]]] = {}
    for k in key:
        if k.item in judgements:
            per_follow.setdefault(k.follow, []).append((k.stratum, k.doc_id, judgements[k.item]))
    return {
        follow: estimate(strata.get(follow, {}), per_follow.get(follow, []), found)
        for follow, found in hits.items()
    }


def load_strata(path: Path) -> dict[str, dict[str, set[str]]]:
    """follow -> stratum -> member document ids, as ``bench/follow_pool.py`` froze them."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {follow: {s: set(ids) for s, ids in strata.items()} for follow, strata in raw.items()}
