"""The name-variant and real-misspelling query set (``bench/name-queries.jsonl``), judged by documents.

    python bench/make_name_queries.py MISSPELLINGS.txt [--out bench/name-queries.jsonl]
    python bench/name_bench.py

Four kinds of query, each judged by Reuters-21578's own annotations (``../shared/bench/README.md``):

* ``clean``: a person of the collection's ``people`` labels, spelled as Reuters spells them ("Poehl",
  "Zhao Ziyang"). Relevant: every document labelled with that person.
* ``romanized``: the same person as another documented romanization system or the person's own
  language writes them, only where they really are written so: German (Duden transliteration of
  Russian, "Ryschkow"; German press forms, "Chomeini", "Mussawi"; the umlaut of a German or Danish name,
  "Pöhl", "Schlüter"), French ("Ryjkov", "Moussavi", "Hicham Nazer"), Wade-Giles ("Chao Tzu-yang",
  "Teng Hsiao-ping", as newspapers printed it, without apostrophes), Kunrei-shiki ("Takesita",
  "Huzioka", "Kiiti"), Indonesian's old spelling ("Soeharto"), Turkish and Croatian diacritics ("Özal",
  "Mikulić"). Relevant: as for clean. (No Korean person carries a label in Reuters-21578; McCune-
  Reischauer and Revised Romanization are covered by tests/test_sound.py instead.)
* ``cyrillic``: the person as the Russian press writes them, by sound ("Тэтчер", "Пёль", "Лоусон",
  "Ширак", Palladius "Чжао Цзыян", "Дэвид Лонги" for David Lange). Relevant: as for clean.
* ``misspelled``: a clean known-item query of ``../shared/bench/reuters-queries.jsonl`` with one word
  replaced by a misspelling people really write, from Wikipedia's "Lists of common misspellings/For
  machines" (the machine-readable list of misspellings collected from Wikipedia's articles, CC BY-SA;
  a snapshot of it ships as ``data/wikipedia_common_misspellings.txt`` in github.com/bwignall/typochecker,
  4,279 pairs, the file this was built from); only pairs with one single-word correction. Relevant: the
  query's source document. ``misspelled-source`` holds the same queries unmisspelled, the ceiling.

The names were written down before the sound rules were tuned and were not changed after.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

from search_bench import bench_dir_from

HERE = Path(__file__).resolve().parent
OUT = HERE / "name-queries.jsonl"

# label -> (clean, [(system, romanized)], cyrillic or "")
NAMES: dict[str, tuple[str, list[tuple[str, str]], str]] = {
    "thatcher": ("Thatcher", [], "Тэтчер"),
    "poehl": ("Poehl", [("german", "Pöhl")], "Пёль"),
    "lawson": ("Lawson", [], "Лоусон"),
    "chirac": ("Chirac", [], "Ширак"),
    "zhao-ziyang": ("Zhao Ziyang", [("wade-giles", "Chao Tzu-yang")], "Чжао Цзыян"),
    "deng-xiaoping": ("Deng Xiaoping", [("wade-giles", "Teng Hsiao-ping")], "Дэн Сяопин"),
    "wang-bingqian": ("Wang Bingqian", [("wade-giles", "Wang Ping-chien")], "Ван Бинцянь"),
    "reagan": ("Reagan", [], "Рейган"),
    "volcker": ("Volcker", [], "Волкер"),
    "james-baker": ("James Baker", [], "Джеймс Бейкер"),
    "nakasone": ("Nakasone", [], "Накасонэ"),
    "miyazawa": ("Kiichi Miyazawa", [("kunrei", "Kiiti Miyazawa")], "Кийти Миядзава"),
    "takeshita": ("Noboru Takeshita", [("kunrei", "Noboru Takesita")], "Нобору Такэсита"),
    "fujioka": ("Masao Fujioka", [("kunrei", "Masao Huzioka")], "Масао Фудзиока"),
    "sumita": ("Satoshi Sumita", [("kunrei", "Satosi Sumita")], "Сатоси Сумита"),
    "tamura": ("Hajime Tamura", [("kunrei", "Hazime Tamura")], "Хадзимэ Тамура"),
    "stoltenberg": ("Stoltenberg", [], "Штольтенберг"),
    "greenspan": ("Greenspan", [], "Гринспен"),
    "balladur": ("Balladur", [], "Балладюр"),
    "kohl": ("Kohl", [], "Коль"),
    "delors": ("Delors", [], "Делор"),
    "mitterrand": ("Mitterrand", [], "Миттеран"),
    "ryzhkov": ("Ryzhkov", [("german", "Ryschkow"), ("french", "Ryjkov")], "Рыжков"),
    "jaruzelski": ("Jaruzelski", [], "Ярузельский"),
    "khomeini": ("Khomeini", [("german", "Chomeini")], "Хомейни"),
    "mousavi": ("Mousavi", [("german", "Mussawi"), ("french", "Moussavi")], "Мусави"),
    "hisham-nazer": ("Hisham Nazer", [("french", "Hicham Nazer")], "Хишам Назер"),
    "von-weizsaecker": ("Weizsaecker", [("german", "Weizsäcker")], "Вайцзеккер"),
    "schlueter": ("Schlueter", [("danish", "Schlüter")], "Шлютер"),
    "mulroney": ("Mulroney", [], "Малруни"),
    "hawke": ("Hawke", [], "Хоук"),
    "gandhi": ("Gandhi", [], "Ганди"),
    "suharto": ("Suharto", [("indonesian-old", "Soeharto")], "Сухарто"),
    "aquino": ("Aquino", [], "Акино"),
    "papandreou": ("Papandreou", [], "Папандреу"),
    "ozal": ("Ozal", [("turkish", "Özal")], "Озал"),
    "murdoch": ("Murdoch", [], "Мердок"),
    "icahn": ("Icahn", [], "Айкан"),
    "boesky": ("Boesky", [], "Боски"),
    "sarney": ("Sarney", [], "Сарней"),
    "camdessus": ("Camdessus", [], "Камдессю"),
    "duisenberg": ("Duisenberg", [], "Дёйзенберг"),
    "conable": ("Conable", [], "Конейбл"),
    "herrington": ("Herrington", [], "Херрингтон"),
    "de-clercq": ("De Clercq", [], "Де Клерк"),
    "kiechle": ("Kiechle", [], "Кихле"),
    "king-fahd": ("King Fahd", [], "король Фахд"),
    "ciampi": ("Ciampi", [], "Чампи"),
    "goria": ("Goria", [], "Гориа"),
    "cossiga": ("Cossiga", [], "Коссига"),
    "martens": ("Martens", [], "Мартенс"),
    "lange": ("David Lange", [], "Дэвид Лонги"),
    "haughey": ("Haughey", [], "Хоги"),
    "alfonsin": ("Alfonsin", [], "Альфонсин"),
    "babangida": ("Babangida", [], "Бабангида"),
    "mikulic": ("Mikulic", [("croatian", "Mikulić")], "Микулич"),
    "sourrouille": ("Sourrouille", [], "Суруй"),
    "de-larosiere": ("De Larosiere", [("french", "de Larosière")], "де Ларозьер"),
    "leigh-pemberton": ("Leigh-Pemberton", [], "Ли-Пембертон"),
}


def labelled(corpus: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            for person in record["people"]:
                out[person].append(record["id"])
    return out


def misspellings(path: Path) -> dict[str, list[str]]:
    """correct word -> the misspellings of it the list gives (single-word, single-correction lines)."""
    out: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        wrong, _, right = line.partition("->")
        if not right or "," in right or " " in right.strip() or not wrong.isalpha():
            continue
        out[right.strip().lower()].append(wrong.strip().lower())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("misspellings", type=Path, help="Wikipedia's 'For machines' list (wrong->right lines)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--bench-dir", help="data folder (default: $DOSSIER_BENCH_DIR or <repo>/../shared/bench)")
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()
    bench_dir = bench_dir_from(args.bench_dir)
    docs = labelled(bench_dir / "reuters21578.jsonl.gz")
    rows: list[dict[str, object]] = []
    for label, (clean, others, cyrillic) in NAMES.items():
        relevant = sorted(docs[label])
        if not relevant:
            raise SystemExit(f"no document is labelled {label}")
        rows.append({"qid": f"n-{label}-clean", "query": clean, "kind": "clean", "relevant": relevant})
        for system, text in others:
            qid = f"n-{label}-{system}"
            rows.append(
                {"qid": qid, "query": text, "kind": "romanized", "system": system, "relevant": relevant}
            )
        if cyrillic:
            rows.append({"qid": f"n-{label}-ru", "query": cyrillic, "kind": "cyrillic", "relevant": relevant})
    wrong_of = misspellings(args.misspellings)
    rng = random.Random(args.seed)
    with (bench_dir / "reuters-queries.jsonl").open(encoding="utf-8") as fh:
        known = [json.loads(line) for line in fh if line.strip()]
    for q in known:
        if q["kind"] != "clean":
            continue
        words = q["query"].split()
        hits = [i for i, w in enumerate(words) if w.lower() in wrong_of]
        if not hits:
            continue
        i = rng.choice(hits)
        wrong = rng.choice(sorted(wrong_of[words[i].lower()]))
        base = q["qid"].removesuffix("-clean")
        text = " ".join([*words[:i], wrong, *words[i + 1 :]])
        rows.append(
            {"qid": f"{base}-misspelled", "query": text, "kind": "misspelled", "relevant": q["relevant"]}
        )
        rows.append(
            {
                "qid": f"{base}-source",
                "query": q["query"],
                "kind": "misspelled-source",
                "relevant": q["relevant"],
            }
        )
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = defaultdict(int)
    for row in rows:
        kinds[str(row["kind"])] += 1
    print(f"{args.out}: {dict(kinds)}")


if __name__ == "__main__":
    main()
