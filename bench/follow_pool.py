"""Draw the sample that judges read to score follows by reading, not by Reuters' incomplete labels.

    python bench/follow_pool.py [--reuters FILE] [--seed 2000] [--batch 500] [--sample-seed 20]
                                [--labelled 8] [--mentioned 16]

For each of bench/follow_bench.py's 40 follows, over its arrivals (the same replay), two strata that do
not depend on how follows match:
  L+  arrivals carrying the follow's label (``people`` or ``topics`` annotation);
  M   arrivals without it that mention the followed thing liberally: a person's annotated surname as a
      word (ASCII-folded, any case), a topic's English word(s) by their Snowball stem (the project's
      stemmer), and, for both, every document the current matcher alerted on.
The remaining arrivals are taken as not relevant. A seeded sample of up to ``--labelled`` from L+ and
``--mentioned`` from M per follow (all of a smaller stratum) is written, shuffled across follows and
strata, for blind judging:
  bench/follow-judge-items.jsonl       item, follow (plain English), doc_id, text -- nothing else;
  bench/follow-judge-items-{1,2,3}.jsonl  the same items in three consecutive parts, one per judge;
  bench/follow-judge-key.jsonl         item -> follow, stratum, doc_id, stratum size, sample size;
  bench/follow-judge-strata.json       follow -> stratum -> member document ids (frozen: the scoring
                                       weights by them, whatever the matcher does later).
bench/follow-judging.md says how to judge; bench/follow_bench.py scores the judgements.

    python bench/follow_pool.py --extend --sample-seed 21 --labelled 8 --mentioned 16

draws a further sample for the topic follows from the frozen strata (``extend``).

    python bench/follow_pool.py --census ALERTS.jsonl

judges every document of the topic follows' cells where the wrong alerts and the misses hide, as a
census rather than a sample (``census``; ALERTS from ``follow_bench.py --dump-alerts``).

    python bench/follow_pool.py --census-people ALERTS.jsonl

does the same for every document the person follows missed (``census_people``).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import Stemmer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from follow_bench import (
    BENCH,
    CENSUS_FILE,
    CENSUS_PEOPLE_FILE,
    HELD_PERSONS,
    HELD_TOPICS,
    KEY,
    KEY_CENSUS,
    KEY_CENSUS_PEOPLE,
    KEY_EXT,
    PERSONS,
    REPO,
    STRATA_FILE,
    TOPICS,
    Doc,
    alerted,
    load,
    replay,
    split,
)

from bot.textnorm import to_ascii

OUT = REPO / "bench"
ITEMS = OUT / "follow-judge-items.jsonl"
PARTS = 3

# What a judge reads as the follow: who the annotated person is in 1987, what the topic covers.
DESCRIBED = {
    "james-baker": "James Baker, the US Treasury Secretary",
    "reagan": "Ronald Reagan, the US President",
    "volcker": "Paul Volcker, Chairman of the US Federal Reserve",
    "yeutter": "Clayton Yeutter, the US Trade Representative",
    "nakasone": "Yasuhiro Nakasone, the Prime Minister of Japan",
    "lawson": "Nigel Lawson, the British Chancellor of the Exchequer",
    "miyazawa": "Kiichi Miyazawa, the Japanese Finance Minister",
    "stoltenberg": "Gerhard Stoltenberg, the West German Finance Minister",
    "lyng": "Richard Lyng, the US Agriculture Secretary",
    "greenspan": "Alan Greenspan, the economist (named to succeed Volcker as Fed Chairman in June 1987)",
    "sumita": "Satoshi Sumita, Governor of the Bank of Japan",
    "balladur": "Edouard Balladur, the French Finance Minister",
    "ongpin": "Jaime Ongpin, the Philippine Finance Secretary",
    "poehl": "Karl Otto Poehl, President of the Bundesbank",
    "conable": "Barber Conable, President of the World Bank",
    "thatcher": "Margaret Thatcher, the British Prime Minister",
    "subroto": "Subroto, the Indonesian Minister of Mines and Energy",
    "herrington": "John Herrington, the US Energy Secretary",
    "sarney": "Jose Sarney, the President of Brazil",
    "chirac": "Jacques Chirac, the French Prime Minister",
    "coffee": "the coffee market/commodity",
    "cocoa": "the cocoa market/commodity",
    "sugar": "the sugar market/commodity",
    "gold": "the gold market/commodity (prices, trading, mining, reserves)",
    "copper": "the copper market/commodity",
    "tin": "the tin market/commodity",
    "zinc": "the zinc market/commodity",
    "rubber": "the natural rubber market/commodity",
    "cotton": "the cotton market/commodity",
    "rice": "the rice market/commodity",
    "barley": "the barley market/commodity",
    "wheat": "the wheat market/commodity",
    "jobs": "employment and unemployment (jobless figures, the labour market)",
    "palm-oil": "the palm oil market/commodity",
    "rapeseed": "the rapeseed (canola) market/commodity",
    "silver": "the silver market/commodity",
    "sorghum": "the sorghum market/commodity",
    "alum": "the aluminium market/commodity",
    "nickel": "the nickel market/commodity",
    "platinum": "the platinum market/commodity",
}
# A liberal mention: a person's surname words beyond the annotation's last part; a topic's English words
# or phrases (each word matched by its stem).
SURNAMES = {"poehl": ("poehl", "pohl")}
TOPIC_WORDS = {
    "jobs": ("unemployment", "jobless"),
    "palm-oil": ("palm oil",),
    "rapeseed": ("rapeseed", "canola"),
    "alum": ("aluminium", "aluminum"),
}
WORD = re.compile(r"[^\W_]+")
_stemmer = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Tokens:
    words: frozenset[str]  # ASCII-folded, lowercased
    stems: tuple[str, ...]  # in order, for phrases


def tokens(doc: Doc) -> Tokens:
    ws = [to_ascii(w) for w in WORD.findall(doc.text.lower())]
    return Tokens(frozenset(ws), tuple(str(_stemmer.stemWord(w)) for w in ws))


def mentions(kind: str, annotation: str, t: Tokens) -> bool:
    """Liberal, method-independent: the surname as a word, or a topic word's stem (phrases in order)."""
    if kind == "person":
        return bool(set(SURNAMES.get(annotation, (annotation.split("-")[-1],))) & t.words)
    for phrase in TOPIC_WORDS.get(annotation, (annotation,)):
        want = tuple(str(_stemmer.stemWord(to_ascii(w))) for w in phrase.split())
        n = len(want)
        if n == 1 and want[0] in t.stems:
            return True
        if n > 1 and any(t.stems[i : i + n] == want for i in range(len(t.stems) - n + 1)):
            return True
    return False


def strata(
    kind: str, annotation: str, arrivals: list[Doc], hits: set[str], toks: dict[str, Tokens]
) -> tuple[dict[str, list[str]], int]:
    """The follow's L+ and M, and how many of M only the matcher put there."""
    field = "people" if kind == "person" else "topics"
    labelled = [d.id for d in arrivals if annotation in getattr(d, field)]
    have = set(labelled)
    mentioned, only_hit = [], 0
    for d in arrivals:
        if d.id in have:
            continue
        said = mentions(kind, annotation, toks[d.id])
        if said or d.id in hits:
            mentioned.append(d.id)
            only_hit += not said
    return {"L+": labelled, "M": mentioned}, only_hit


def sample_rows(follow: str, stratum: str, members: list[str], sample: list[str]) -> list[dict[str, object]]:
    """The key rows of one stratum's sample (the item id comes when the rows are shuffled)."""
    return [
        {
            "follow": follow,
            "stratum": stratum,
            "doc_id": doc_id,
            "stratum_size": len(members),
            "sample_size": len(sample),
        }
        for doc_id in sorted(sample)
    ]


def write_sample(
    drawn: list[dict[str, object]], text_of: dict[str, str], prefix: str, key: Path, items: Path
) -> int:
    """Number the (shuffled) rows ``<prefix>001``..., write their key and the judges' items (nothing but
    item, follow, doc_id, text), and the items again in PARTS consecutive parts (``<items>-1.jsonl``...),
    one per judge; the size of a part."""
    width = len(str(len(drawn)))
    key_lines, item_lines = [], []
    for n, row in enumerate(drawn, 1):
        item = f"{prefix}{n:0{width}d}"
        key_lines.append(json.dumps({"item": item, **row}))
        follow, doc_id = str(row["follow"]), str(row["doc_id"])
        item_lines.append(
            json.dumps(
                {"item": item, "follow": DESCRIBED[follow], "doc_id": doc_id, "text": text_of[doc_id]},
                ensure_ascii=False,
            )
        )
    key.write_text("\n".join(key_lines) + "\n", encoding="utf-8")
    items.write_text("\n".join(item_lines) + "\n", encoding="utf-8")
    size = -(-len(item_lines) // PARTS)
    for part in range(PARTS):
        path = items.with_name(f"{items.stem}-{part + 1}{items.suffix}")
        path.write_text("\n".join(item_lines[part * size : (part + 1) * size]) + "\n", encoding="utf-8")
    return size


def extend(args: argparse.Namespace) -> int:
    """A further blind sample from the frozen strata of the topic follows (labelled and held out alike),
    no document drawn twice: a follow's estimate rests on the judged items of each stratum, and a few
    items standing for eighty documents (gold's unlabelled alerts: 6) say little. Its key is
    bench/follow-judge-key-ext.jsonl (item ids ``e...``), its items bench/follow-judge-items-ext*.jsonl,
    judged into the same judgements file as before."""
    if KEY_EXT.exists():
        raise SystemExit(f"{KEY_EXT.name} exists: judge that sample, do not draw another over it")
    first = [json.loads(line) for line in KEY.read_text(encoding="utf-8").splitlines() if line.strip()]
    frozen = json.loads(STRATA_FILE.read_text(encoding="utf-8"))
    seen = {(r["follow"], r["doc_id"]) for r in first}
    text_of = {d.id: d.text.strip() for d in load(args.reuters)}
    rng = random.Random(args.sample_seed)
    sizes = {"L+": args.labelled, "M": args.mentioned}
    drawn: list[dict[str, object]] = []
    for follow in [*TOPICS, *HELD_TOPICS]:
        for name, members in frozen[follow].items():
            left = sorted(d for d in members if (follow, d) not in seen)
            sample = rng.sample(left, min(sizes[name], len(left)))
            drawn.extend(sample_rows(follow, name, members, sample))
    rng.shuffle(drawn)
    size = write_sample(drawn, text_of, "e", KEY_EXT, OUT / "follow-judge-items-ext.jsonl")
    print(f"{len(drawn)} more items for {len(TOPICS) + len(HELD_TOPICS)} topic follows ({size} a part)")
    return 0


CENSUS_MAX_CELL = 100  # an unlabelled-miss cell this large is left to the samples (gold's, wheat's)


Cells = dict[str, set[str]]  # stratum -> the documents of it a census judges


def census(args: argparse.Namespace) -> int:
    """Every document of the topic follows' cells where the errors hide, judged: a few random items
    standing for eighty documents misstate a follow (gold's unlabelled alerts: 1 relevant of 13 judged
    while the 82 include the London fixings). The cells, by the alerts of the matcher at hand
    (``follow_bench.py --dump-alerts``): the unlabelled alerts (M, alerted), the labelled misses (L+,
    not alerted) and the unlabelled misses (M, not alerted) where that cell holds under
    ``CENSUS_MAX_CELL`` documents. The documents already judged for the follow are not drawn again; the
    cells' documents are written to bench/follow-judge-census.json (the scoring counts them exactly
    and weights the samples' other items up to the rest), the new items keyed ``c...`` in
    bench/follow-judge-key-census.jsonl."""

    def cells(labelled: set[str], mentioned: set[str], hit: set[str]) -> Cells:
        unlabelled_misses = mentioned - hit
        return {
            "L+": labelled - hit,
            "M": (mentioned & hit)
            | (unlabelled_misses if len(unlabelled_misses) < CENSUS_MAX_CELL else set()),
        }

    follows = [*TOPICS, *HELD_TOPICS]
    drawn, size = draw_census(args, args.census, follows, cells, "c", KEY_CENSUS, CENSUS_FILE)
    print(f"{drawn} census items for {len(follows)} topic follows ({size} a part)")
    return 0


def census_people(args: argparse.Namespace) -> int:
    """Every document of the person follows' misses, judged: the labelled misses (L+, not alerted) and
    the unlabelled ones (M, not alerted), whatever their size. Reagan's 177 unlabelled misses (mostly
    "the Reagan administration") rested on 3 judged items, 2 relevant, which put his recall at 0.71.
    Written as ``census`` writes (items ``p...``) to bench/follow-judge-key-census-people.jsonl and
    bench/follow-judge-census-people.json."""

    def cells(labelled: set[str], mentioned: set[str], hit: set[str]) -> Cells:
        return {"L+": labelled - hit, "M": mentioned - hit}

    follows = [*PERSONS, *HELD_PERSONS]
    drawn, size = draw_census(
        args, args.census_people, follows, cells, "p", KEY_CENSUS_PEOPLE, CENSUS_PEOPLE_FILE
    )
    print(f"{drawn} census items for {len(follows)} person follows ({size} a part)")
    return 0


def draw_census(
    args: argparse.Namespace,
    alerts_file: Path,
    follows: list[str],
    cells_of: Callable[[set[str], set[str], set[str]], Cells],
    prefix: str,
    key: Path,
    census_file: Path,
) -> tuple[int, int]:
    """A census of ``follows``: by the alerts in ``alerts_file`` (``follow_bench.py --dump-alerts``),
    each follow's cells (``cells_of(labelled, mentioned, alerted)``) are written to ``census_file`` and
    their documents not judged before become items ``<prefix>...``, keyed in ``key``, their texts in
    ``follow-judge-items-<key's suffix>.jsonl``. Refused when ``key`` exists (that census is being judged).
    The number of items and the size of a part."""
    if key.exists():
        raise SystemExit(f"{key.name} exists: judge that census, do not draw another over it")
    frozen = json.loads(STRATA_FILE.read_text(encoding="utf-8"))
    alerts = {
        str(r["follow"]): set(r["alerted"])
        for line in alerts_file.read_text(encoding="utf-8").splitlines()
        if line.strip() and (r := json.loads(line))
    }
    seen = {
        (r["follow"], r["doc_id"])
        for path in (KEY, KEY_EXT)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and (r := json.loads(line))
    }
    text_of = {d.id: d.text.strip() for d in load(args.reuters)}
    covered: dict[str, dict[str, list[str]]] = {}
    drawn: list[dict[str, object]] = []
    for follow in follows:
        cells = cells_of(set(frozen[follow]["L+"]), set(frozen[follow]["M"]), alerts[follow])
        covered[follow] = {name: sorted(docs) for name, docs in cells.items()}
        for name, docs in cells.items():
            new = sorted(d for d in docs if (follow, d) not in seen)
            drawn.extend(
                {**row, "census": True} for row in sample_rows(follow, name, frozen[follow][name], new)
            )
    random.Random(args.sample_seed).shuffle(drawn)
    items = OUT / key.name.replace("follow-judge-key-", "follow-judge-items-")
    size = write_sample(drawn, text_of, prefix, key, items)
    census_file.write_text(json.dumps(covered, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return len(drawn), size


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuters", type=Path, default=BENCH / "reuters21578.jsonl.gz")
    parser.add_argument("--seed", type=int, default=2000, help="as bench/follow_bench.py")
    parser.add_argument("--batch", type=int, default=500, help="as bench/follow_bench.py")
    parser.add_argument("--sample-seed", type=int, default=20, help="the random sample's seed")
    parser.add_argument("--labelled", type=int, default=8, help="items drawn from L+ per follow")
    parser.add_argument("--mentioned", type=int, default=16, help="items drawn from M per follow")
    parser.add_argument(
        "--extend",
        action="store_true",
        help="draw a further sample (--labelled/--mentioned more per stratum, a new --sample-seed) for the "
        "topic follows from the frozen strata, keyed apart (follow-judge-key-ext.jsonl)",
    )
    parser.add_argument(
        "--census",
        type=Path,
        metavar="ALERTS",
        help="judge every document of the topic follows' error cells by these alerts (follow_bench.py "
        "--dump-alerts), keyed apart (follow-judge-key-census.jsonl)",
    )
    parser.add_argument(
        "--census-people",
        type=Path,
        metavar="ALERTS",
        help="judge every document the person follows missed by these alerts, keyed apart "
        "(follow-judge-key-census-people.jsonl)",
    )
    args = parser.parse_args()
    if args.census_people:
        return census_people(args)
    if args.census:
        return census(args)
    if args.extend:
        return extend(args)
    assert set(DESCRIBED) == set(PERSONS) | set(TOPICS) | set(HELD_PERSONS) | set(HELD_TOPICS)
    logging.disable(logging.INFO)
    docs = load(args.reuters)
    seed, arrivals, _, _ = split(docs, args.seed, args.batch, 0)
    print(f"Reuters-21578: {len(docs)} documents; {len(arrivals)} arrivals after the first {len(seed)}")
    with tempfile.TemporaryDirectory(prefix="dossier-pool-") as tmp:
        dossier, follows, held, _ = replay(Path(tmp), seed, arrivals, args.batch)
        every = follows | held
        got = alerted(dossier, every, arrivals)
        dossier.close()
    text_of = {d.id: d.text.strip() for d in arrivals}
    toks = {d.id: tokens(d) for d in arrivals}
    rng = random.Random(args.sample_seed)
    frozen: dict[str, dict[str, list[str]]] = {}
    drawn: list[dict[str, object]] = []
    print("\n   follow         L+ size  M size  sampled L+  M   (M: of which matcher-only)")
    for fid, (kind, _, annotation) in every.items():
        parts, only_hit = strata(kind, annotation, arrivals, got[fid], toks)
        frozen[annotation] = parts
        sizes = {"L+": args.labelled, "M": args.mentioned}
        taken = {}
        for name, members in parts.items():
            sample = rng.sample(members, min(sizes[name], len(members)))
            taken[name] = len(sample)
            drawn.extend(sample_rows(annotation, name, members, sample))
        print(
            f"   {annotation:12s} {len(parts['L+']):7d} {len(parts['M']):7d} "
            f"{taken['L+']:10d} {taken['M']:3d}   ({only_hit})"
        )
    rng.shuffle(drawn)
    size = write_sample(drawn, text_of, "i", KEY, ITEMS)
    STRATA_FILE.write_text(json.dumps(frozen, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"\n   {len(drawn)} items for {len(every)} follows -> {ITEMS.relative_to(REPO)} "
        f"(and -1..-{PARTS}, {size} a part), {KEY.relative_to(REPO)}, {STRATA_FILE.relative_to(REPO)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
