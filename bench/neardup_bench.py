"""Near-duplicate flag against judged pairs, and the share of Reuters-21578 it flags.

    python bench/neardup_bench.py [--bench-dir DIR]

Reads Reuters-21578 from the shared bench folder (``--bench-dir``, else ``$DOSSIER_BENCH_DIR``, else
``<repo>/../shared/bench``), the seeds from ``corpus/``, and the judged pairs from
``bench/neardup-pairs.jsonl``: 313 pairs, each read and judged ``same_story`` (one event retold: a
reprint, a correction, a flash and its story, one trading session updated) or ``different`` (other
events, one template), with a reason. They were drawn in strata:

- 180 pairs the old rule flagged (each document with the earlier one most like it, as ingest finds it),
  30 per band of estimated similarity: 0.10-0.15, 0.15-0.20, 0.20-0.30, 0.30-0.50, 0.50-0.70, 0.70+;
- 50 pairs just below it (0.06-0.10);
- 70 random pairs of Reuters documents sharing a topic label;
- the 10 pairs of seeds and each seed with its most alike Reuters document (3 of 5 have one above 0.04);
- 39 pairs drawn at random (seed 20) from the 893 documents that the same-subject test of rule 2 flags and
  rule 1 did not (each with the earlier document it was flagged beside), stratum ``subject rule only``.

A third of them (by a hash of the two ids; for the last stratum: sha256 of ``"a|b"`` modulo 3 is 0) are
held out: the rules in ``bot.ingest.story`` were chosen on the rest, and the held-out part checks them.

Printed: precision and recall of the flag on the pairs, before (the wording estimate alone at 0.10)
and after (estimate at the candidate floor, then ``same_story``), for each part; then the share of
Reuters-21578 flagged when ingested in file-name order, before and after; and the share the judgments
say is true (per band of the old rule, the judged same-story rate times the documents in that band).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from reuters import REPO

from bot.ingest import neardup
from bot.ingest.prepare import decode, prepare_text
from bot.ingest.story import (
    MAX_DAYS_APART,
    NEAR_DUP_THRESHOLD,
    SKELETON_SHARE,
    StoryText,
    ochiai,
    same_story,
    story_text,
)

PAIRS = Path(__file__).resolve().parent / "neardup-pairs.jsonl"
BANDS = [(0.10, 0.15), (0.15, 0.20), (0.20, 0.30), (0.30, 0.50), (0.50, 0.70), (0.70, 1.01), (0.06, 0.10)]


class Doc:
    def __init__(self, doc_id: str, text: str) -> None:
        p = prepare_text(doc_id + ".txt", text)
        self.id = doc_id
        self.sig = neardup.compute(p.text)
        self.story: StoryText = story_text(p.text, p.published, p.title)
        self.published: date | None = p.published


def load(bench: Path) -> list[Doc]:
    """Reuters in file-name order (as a folder is ingested), then the seeds."""
    records = []
    with gzip.open(bench / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            records.append((r["id"], f"{r['title']}\n{r.get('date') or ''}\n\n{r['body']}\n"))
    records.sort(key=lambda r: r[0] + ".txt")
    docs = [Doc(i, t) for i, t in records]
    for path in sorted((REPO / "corpus").glob("*.txt")):
        docs.append(Doc("seed-" + path.name[:3], decode(path.read_bytes())))
    return docs


def old_flag(a: Doc, b: Doc) -> bool:
    return neardup.similarity(a.sig, b.sig) >= NEAR_DUP_THRESHOLD


def new_flag(a: Doc, b: Doc) -> bool:
    return (
        neardup.similarity(a.sig, b.sig) >= neardup.CANDIDATE_FLOOR
        and same_story(a.story, b.story) is not None
    )


def wording_rule(a: StoryText, b: StoryText) -> bool:
    """Rule 1 alone (wording at least 0.9 of the skeleton's share), without the same-subject test."""
    if a.published and b.published and abs((a.published - b.published).days) > MAX_DAYS_APART:
        return False
    wording = ochiai(a.shingles, b.shingles)
    return wording >= NEAR_DUP_THRESHOLD and wording >= SKELETON_SHARE * ochiai(a.skeleton, b.skeleton)


def scores(pairs: list[dict[str, str]], flag: Callable[[dict[str, str]], bool]) -> str:
    tp = sum(1 for p in pairs if flag(p) and p["label"] == "same_story")
    fp = sum(1 for p in pairs if flag(p) and p["label"] != "same_story")
    fn = sum(1 for p in pairs if not flag(p) and p["label"] == "same_story")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return f"precision {precision:.3f} ({tp}/{tp + fp}), recall {recall:.3f} ({tp}/{tp + fn})"


def ingest_pass(docs: list[Doc]) -> tuple[int, int, int, Counter[tuple[float, float]]]:
    """Documents flagged before and after when ingested one after another, each against all before it
    (as ``python -m bot ingest`` does), of those after how many by the same-subject test alone, and how
    many have their best earlier match in each band."""
    index = neardup.NearDupIndex(capacity=len(docs))
    before = after = by_subject = 0
    bands: Counter[tuple[float, float]] = Counter()
    for k, doc in enumerate(docs):
        found = index.candidates(doc.sig, floor=BANDS[-1][0])  # most alike first, down to 0.06
        if found:
            before += found[0].is_near_duplicate
            bands[next(b for b in BANDS if b[0] <= found[0].similarity < b[1])] += 1
            read = [m for m in found if m.similarity >= neardup.CANDIDATE_FLOOR][: neardup.CANDIDATES]
            same = [m for m in read if same_story(doc.story, docs[m.doc_id].story) is not None]
            after += bool(same)
            by_subject += bool(same) and not any(wording_rule(doc.story, docs[m.doc_id].story) for m in read)
        index.add(k, doc.sig)
    return before, after, by_subject, bands


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir", help="data folder (default: $DOSSIER_BENCH_DIR or <repo>/../shared/bench)")
    args = ap.parse_args()
    bench = Path(args.bench_dir or os.environ.get("DOSSIER_BENCH_DIR") or REPO.parent / "shared" / "bench")
    started = time.perf_counter()
    docs = load(bench)
    by_id = {d.id: d for d in docs}
    reuters = [d for d in docs if not d.id.startswith("seed-")]
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    old = {id(p): old_flag(by_id[p["a"]], by_id[p["b"]]) for p in pairs}
    new = {id(p): new_flag(by_id[p["a"]], by_id[p["b"]]) for p in pairs}
    print(
        f"{datetime.now():%Y-%m-%d %H:%M} {len(reuters)} Reuters documents, {len(pairs)} judged pairs "
        f"({sum(p['label'] == 'same_story' for p in pairs)} same story)"
    )
    # The first 313 pairs were drawn in strata independent of the rule; the last stratum only among what
    # the same-subject test flags, so recall is read on the first, precision on both.
    stratified = [p for p in pairs if p["stratum"] != "subject rule only"]
    for label, sample in (("stratified pairs", stratified), ("all judged pairs", pairs)):
        print(f"  {label}:")
        for part in ("calibration", "held-out", "all"):
            chosen = [p for p in sample if part == "all" or p["split"] == part]
            print(f"  {part:<11} {len(chosen):3d} pairs  before: {scores(chosen, lambda p: old[id(p)])}")
            print(f"  {'':<11} {'':3s}        after:  {scores(chosen, lambda p: new[id(p)])}")
    seeds = [p for p in pairs if p["a"] == "seed-000" and p["b"] == "seed-001"]
    print(f"  seeds 000/001 flagged: before {old[id(seeds[0])]}, after {new[id(seeds[0])]}")
    # What the judgments say is true: per band of the old rule's best earlier match, the judged rate.
    judged: Counter[tuple[float, float]] = Counter()
    same: Counter[tuple[float, float]] = Counter()
    for p in pairs:
        if p["stratum"].startswith(("flagged", "below")):
            band = next(b for b in BANDS if b[0] <= p["old_similarity"] < b[1])
            judged[band] += 1
            same[band] += p["label"] == "same_story"
    before, after, by_subject, in_band = ingest_pass(reuters)
    true_share = sum(in_band[b] * same[b] / judged[b] for b in BANDS if judged[b])
    n = len(reuters)
    print(
        f"  Reuters-21578 flagged: before {before} ({before / n:.1%}), after {after} ({after / n:.1%}); "
        f"judged true about {true_share:.0f} ({true_share / n:.1%})"
    )
    # Of what is flagged, how much the judgments say is right: the wording rule's flags at its judged
    # precision over the stratified pairs, the same-subject test's at its own stratum's.
    strat = [p for p in stratified if new[id(p)] and wording_rule(by_id[p["a"]].story, by_id[p["b"]].story)]
    subj = [p for p in pairs if p["stratum"] == "subject rule only" and new[id(p)]]
    p_word = sum(p["label"] == "same_story" for p in strat) / max(1, len(strat))
    p_subj = sum(p["label"] == "same_story" for p in subj) / max(1, len(subj))
    right = (after - by_subject) * p_word + by_subject * p_subj
    print(
        f"    by the wording rule {after - by_subject} (precision {p_word:.2f} of {len(strat)} pairs), "
        f"by the same-subject test alone {by_subject} ({p_subj:.2f} of {len(subj)}): about {right:.0f} "
        f"({right / n:.1%}) the same story, {right / true_share:.0%} of the judged true"
    )
    for b in BANDS:
        print(
            f"    band {b[0]:.2f}-{min(b[1], 1.0):.2f}: {in_band[b]:5d} documents,"
            f" {same[b]}/{judged[b]} judged same story"
        )
    print(f"  ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
