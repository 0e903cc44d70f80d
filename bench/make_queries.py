"""A held-out query set, built the way ``../shared/bench/reuters-queries.jsonl`` was, from other documents.

    python bench/make_queries.py OUT.jsonl [--docs 400] [--seed 2]
    python bench/search_bench.py --queries OUT.jsonl

The shared README says how its queries were made: 2-3 distinctive words of a document's title or first
sentence, in six variants (clean, case, prefix, typo1, typo2, translit). Tuning against one set risks
fitting those 2,400 queries rather than the kinds of error, so this writes another set from documents the
shared set does not use, with its own random edits. Figures on it show whether a ranking change helps
the kind of error or only the queries.

"Distinctive": alphabetic words of four letters or more, not stop words, that occur in at most 2% of the
documents; the 2-3 rarest-but-not-unique of a document's title and first sentence are taken in their
order of appearance.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
WORD = re.compile(r"[A-Za-z]+")
SENTENCE = re.compile(r"(?<=[.!?])\s")
_STOP_TEXT = (
    "the and for with from that this said will have been were which their about after would there "
    "also than into more they other over year years last first company corp inc says told"
)
STOP = frozenset(_STOP_TEXT.split())
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Respellings transliteration schemes disagree on (the shared README's list), each way round.
TRANSLIT = [
    ("y", "i"), ("i", "y"), ("ks", "x"), ("x", "ks"), ("ph", "f"), ("f", "ph"), ("kh", "h"), ("ts", "c"),
    ("c", "k"), ("k", "c"), ("ll", "l"), ("ss", "s"), ("tt", "t"), ("l", "ll"), ("s", "ss"),
]  # fmt: skip


def typo(word: str, rng: random.Random) -> str:
    """One edit: a substitution, deletion, insertion or swap of neighbours, never at the first letter."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(["sub", "del", "ins", "swap"])
    if kind == "sub":
        return word[:i] + rng.choice([c for c in LETTERS if c != word[i]]) + word[i + 1 :]
    if kind == "del":
        return word[:i] + word[i + 1 :]
    if kind == "ins":
        return word[:i] + rng.choice(LETTERS) + word[i:]
    if i == len(word) - 1:
        i -= 1
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def translit(word: str, rng: random.Random) -> str | None:
    options = [(a, b) for a, b in TRANSLIT if a in word[1:]]
    if not options:
        return None
    a, b = rng.choice(options)
    at = [m.start() for m in re.finditer(re.escape(a), word) if m.start() > 0]
    i = rng.choice(at)
    return word[:i] + b + word[i + len(a) :]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--bench-dir", default=str(BENCH))
    args = ap.parse_args()
    bench = Path(args.bench_dir)
    rng = random.Random(args.seed)
    with open(bench / "reuters-queries.jsonl", encoding="utf-8") as fh:
        used = {r for line in fh for r in json.loads(line)["relevant"]}
    with gzip.open(bench / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    df: Counter[str] = Counter()
    for d in docs:
        df.update({w.lower() for w in WORD.findall(f"{d.get('title', '')} {d.get('body', '')}")})
    limit = 0.02 * len(docs)
    pool = [d for d in docs if d["id"] not in used and d.get("title")]
    rng.shuffle(pool)
    out = []
    for d in pool:
        first = SENTENCE.split(d.get("body", "") + " ", maxsplit=1)[0]
        lead = f"{d.get('title', '')} {first}"
        seen: list[str] = []
        for w in (w.lower() for w in WORD.findall(lead)):
            if len(w) >= 4 and w not in STOP and 2 <= df[w] <= limit and w not in seen:
                seen.append(w)
        if len(seen) < 2:
            continue
        n = rng.choice([2, 3]) if len(seen) >= 3 else 2
        chosen = sorted(sorted(seen, key=lambda w: df[w])[:n], key=seen.index)
        k = len(out)
        words = list(chosen)
        variants = {"clean": " ".join(words), "case": " ".join(w.capitalize() for w in words)}
        last = words[-1]
        variants["prefix"] = " ".join([*words[:-1], last[: rng.randint(4, min(6, len(last)))]])
        i = rng.randrange(len(words))
        variants["typo1"] = " ".join(typo(w, rng) if j == i else w for j, w in enumerate(words))
        a, b = rng.sample(range(len(words)), 2)
        variants["typo2"] = " ".join(typo(w, rng) if j in (a, b) else w for j, w in enumerate(words))
        order = list(range(len(words)))
        rng.shuffle(order)
        spelled = next(((j, t) for j in order if (t := translit(words[j], rng))), None)
        if spelled is None:
            continue
        variants["translit"] = " ".join(spelled[1] if j == spelled[0] else w for j, w in enumerate(words))
        for kind, query in variants.items():
            out.append({"qid": f"h{k}-{kind}", "query": query, "kind": kind, "relevant": [d["id"]]})
        if len(out) >= 6 * args.docs:
            break
    with open(args.out, "w", encoding="utf-8") as fh:
        for item in out:
            fh.write(json.dumps(item) + "\n")
    print(f"{len(out)} queries from {len(out) // 6} documents -> {args.out}")


if __name__ == "__main__":
    main()
