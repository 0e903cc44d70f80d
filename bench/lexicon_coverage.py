"""How much of Reuters-21578 the shipped English–Russian lexicon covers, in both directions.

1. English -> Russian: of the N most frequent content-word stems of Reuters (title and body, keyed by the
   index's Analyzer), the share that has a Russian translation.
2. Russian -> English: of a list of common Russian news words (written here, not taken from the lexicon),
   the share whose lemma translates to at least one English stem that occurs in Reuters.

    python bench/lexicon_coverage.py [--top 300] [--bench-dir DIR]

The data is read from ``--bench-dir``, else ``$DOSSIER_BENCH_DIR``, else ``<repo>/../shared/bench``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.search.translate import Lexicon  # noqa: E402
from bot.textnorm import STOP_WORDS, WORD_RE, Analyzer  # noqa: E402


def _words(text: str) -> list[str]:
    return text.split()


# English function words beyond the index's short stop list: they are not "content words" to translate.
FUNCTION_WORDS = STOP_WORDS | frozenset(
    _words(
        "about above after again against all also although am any because before being below between both "
        "can could did do does doing down during each few further here how however just may might more most "
        "much must no nor not now off once only other out over own same should some such then there these "
        "those through too under until up very while whom why would yet its it's s t said says say "
        "one two three four five six seven eight nine ten first last new year years per vs"
    )
)

# Common words of Russian news, economic and political, in the forms a reader would type them.
RU_NEWS_WORDS = _words(
    "нефть цена рынок банк ставка процент доллар валюта курс экспорт импорт торговля пошлина "
    "правительство министр президент выборы парламент переговоры соглашение договор санкции "
    "компания акция акционер прибыль убыток выручка дивиденд сделка слияние поглощение кредит долг "
    "облигация инфляция безработица бюджет дефицит налог рост снижение производство добыча урожай "
    "пшеница зерно сахар кофе золото медь сталь газ завод рабочий забастовка экономика инвестиции "
    "безопасность армия учения граница соседний"
)
# More news words, none of them in supplement.tsv: these measure the dictionary alone.
RU_DICTIONARY_WORDS = _words(
    "город страна война мир власть суд закон решение встреча визит посол жертва взрыв погибнуть "
    "полиция задержать угроза ракета самолет корабль порт поставка запасы резерв рекорд падение "
    "повышение спрос предложение потребитель покупатель продажа покупка стоимость оценка отчет"
)


def reuters_stems(analyzer: Analyzer, bench: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    with gzip.open(bench / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for word in WORD_RE.findall(f"{doc.get('title', '')} {doc.get('body', '')}".lower()):
                if word.isdigit() or not word.isascii() or word in FUNCTION_WORDS or len(word) < 2:
                    continue
                keys = analyzer.keys(word)
                if keys:
                    counts[keys[0]] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=300)
    parser.add_argument("--bench-dir", type=Path)
    parser.add_argument("--lexicon", type=Path, help="a lexicon file other than the shipped one")
    args = parser.parse_args()
    env = os.environ.get("DOSSIER_BENCH_DIR")
    bench = args.bench_dir or (Path(env) if env else REPO.parent / "shared" / "bench")
    analyzer = Analyzer()
    lex = Lexicon.load()
    if args.lexicon is not None:
        lex = Lexicon.from_text(gzip.decompress(args.lexicon.read_bytes()).decode("utf-8"))
    stems = reuters_stems(analyzer, bench)

    top = [s for s, _n in stems.most_common(args.top)]
    covered = [s for s in top if lex.translate_en(s)]
    missing = [s for s in top if not lex.translate_en(s)]
    print(f"EN->RU: {len(covered)}/{len(top)} = {len(covered) / len(top):.1%} of Reuters' top content stems")
    print("  without translation:", " ".join(missing))
    for s in top[:15]:
        print(f"  {s}: {', '.join(t for t, _w in lex.translate_en(s)[:4])}")

    for name, words in (
        ("common news words", RU_NEWS_WORDS),
        ("words not in the supplement", RU_DICTIONARY_WORDS),
    ):
        hits, misses = 0, []
        for word in words:
            lemmas = dict.fromkeys(p.normal_form for p in analyzer.morph.parse(word)[:3])
            found = [
                en
                for lemma in lemmas
                for en, _w in lex.translate_ru(lemma)
                if all(stems[part] > 0 for part in en.split())
            ]
            if found:
                hits += 1
            else:
                misses.append(word)
            print(f"  {word}: {', '.join(found[:4]) or '-'}")
        n = len(words)
        print(f"RU->EN: {hits}/{n} = {hits / n:.1%} of {name} reach a stem found in Reuters")
        print("  missed:", " ".join(misses))


if __name__ == "__main__":
    main()
