"""Spelling by sound: a name written as it sounds, in another script or romanization, finds its usual form.

The Russian press writes foreign names by sound, not letter by letter: "Тэтчер" is Thatcher, "Ширак"
Chirac, "Лоусон" Lawson, "Пёль" Poehl, and Chinese names by Palladius ("Чжао Цзыян", Zhao Ziyang).
Other romanization systems spell one name differently again: German Duden "Ryschkow" and French "Ryjkov"
for Ryzhkov, Wade-Giles "Teng Hsiao-ping" for Deng Xiaoping, Kunrei-shiki "Takesita" for Takeshita,
McCune-Reischauer "No Tae-u" for Roh Tae-woo. Transliteration (``textnorm``) and typo tolerance do not
join these: "tetcher" is two edits from "thatcher", "shirak" three from "chirac".

A *sound key* does: the consonant skeleton of a word's folded spelling after its sounds are merged into
classes the systems disagree on (``RULES``): every hushing or hissing sound one class (ch, sh, zh, j,
ts, z, s, Wade-Giles hs, pinyin x and q, Kunrei si/ti = shi/chi), voiced with voiceless (d/t, b/p, g/k:
Wade-Giles writes pinyin's d as t), c and q as k before a, o, u, ph as f, w as v (as u after a vowel),
final ng as n, h kept only before a vowel (Poehl), vowels dropped. Two spellings with one key are
candidates; of them, those whose *sound spelling* (the same merged letters with their vowels) is most
alike are offered as alternatives of the query word, well below a typo (``memory.py``, only for a word
the corpus does not have as typed).

Keys are made from the corpus's folded spellings, so a spelling costs one pass of ``RULES`` when first
seen; a query word also gets ``QUERY_RULES`` (syllables only another system writes, Wade-Giles "tzu"),
and a Cyrillic one ``TRANSCRIPTION_RULES`` (the letters a foreign language spells a sound with that the
Russian press writes by ear: "Суруй" is Sourrouille). A corpus spelling with an English ch heard as k
(Murdoch: Мердок) is keyed both ways. A Cyrillic word read back through ``READ_BACK_RULES`` letter for
letter to a name the corpus has ("Чампи", Ciampi by the Italian ci) is that name, not a guess at its sound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from bot.textnorm import fold, is_cyrillic, to_ascii

# On a folded spelling (``textnorm.fold``: ASCII, lowercase, x as ks, ph as f, kh as h, ts/tz as c,
# y as i, doubled letters single). Applied in order; "S" is the hushing/hissing class, "H" a kept h.
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"^ks", "S"),  # pinyin x (Xiaoping), folded to ks
        (r"oe", "ö"),  # German oe is ö, Russian ё after a consonant (Poehl: Пёль), not e (Bel: Бель)
        (r"ue", "iu"),  # German ue is ü, Russian ю (Schlueter: Шлютер)
        (r"^hs", "S"),  # Wade-Giles hs (Hsiao)
        (r"dzh|dz|dj|csch|sch|shch|tch|sh|zh|ch|cz|sz|j", "S"),  # Duden sch, French j, Palladius чж/цз
        (r"c(?=[eiS])|q(?=i)", "S"),  # a soft c; pinyin q (Bingqian: Бинцянь)
        (r"ck|c|q", "k"),
        (r"[sz]", "S"),
        (r"ti", "Si"),  # Kunrei-shiki ti is Hepburn chi (Kiiti, Kiichi)
        (r"hu", "fu"),  # Kunrei-shiki hu is Hepburn fu (Huzioka, Fujioka)
        (r"gh", "g"),
        (r"th", "t"),
        (r"(?<=o)w$", "v"),  # German -ow is -ov (Ryschkow, Ryzhkov)
        (r"(?<=[aeiouö])w(?![aeiouö])", "u"),  # Lawson: Лоусон; between vowels a v (Mussawi, Miyazawa)
        (r"w", "v"),
        (r"ng(?![aeiouö])", "n"),  # pinyin -ng, Palladius -н (Ziyang: Цзыян)
        (r"d", "t"),
        (r"b", "p"),
        (r"g", "k"),
        (r"h(?=[aeiouö])", "H"),  # an h before a vowel is heard (Хоук, Hawke); after one it lengthens (Poehl)
        (r"h", ""),
        (r"^i(?=[aeiouö])", ""),  # an initial y glide (Yeltsin: Ельцин, Eltsine)
        (r"(?<=[^aeiouö])e$", ""),  # a mute final e (Eltsine, Hawke)
        (r"(.)(?=\1)", ""),  # a doubled letter single (each dropped where the same letter follows)
    )
)
# Only on a query word as typed, before folding: letters and syllables only another system writes.
QUERY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"[öø]", "oe"),  # folded to o, but heard as German oe (Pöhl, Poehl; Norwegian Øien, Oeien)
        (r"ü", "ue"),
        (r"ä", "ae"),
        (r"^(tz|ts|ss|sz)u$", "zi"),  # Wade-Giles tzu/ssu is pinyin zi/si (Tzu-yang: Ziyang)
        (r"^(tz|ts)u(?=[aeiouy]|ng)", "zi"),
    )
)
# Korean surnames as McCune-Reischauer, Revised Romanization and the bearers' own usual forms write them
# (Roh Tae-woo is No Tae-u in both systems; Chun Doo-hwan is Jeon Du-hwan, Chŏn Tu-hwan). No sound rule
# joins Roh and No, or Lee and Yi: these are a table.
KOREAN_SURNAMES: tuple[tuple[str, ...], ...] = (
    ("roh", "no", "noh"),
    ("chun", "jeon", "chon", "jun"),
    ("lee", "yi", "rhee", "ri"),
    ("park", "pak", "bak"),
    ("kim", "gim"),
    ("choi", "choe"),
    ("chung", "jeong", "jung", "chong"),
    ("kang", "gang"),
    ("cho", "jo"),
    ("yoon", "yun"),
    ("shin", "sin"),
    ("lim", "im", "rim"),
    ("kwon", "gwon"),
    ("ahn", "an"),
    ("moon", "mun"),
    ("baek", "paek", "paik"),
    ("ryu", "yu", "yoo"),
)
# Russian practical transcription read backwards: how the Russian press writes the sounds of a foreign
# name, by the language it comes from, as the letters that language spells them with. Each rule gives a
# Cyrillic query word one more spelling (all of a language's rules together give another); only a word the
# corpus lacks as typed gets them (``expander.py``), and only a spelling the corpus has is ever offered.
# Each rule kept earned its place on the name benchmark, left out one at a time. Tried and left out: English
# ей and э for a (Бейкер, Baker), ер for ur (Мердок), German ай, ой for ei, eu, and Serbo-Croatian ч for c
# (Микулич) reached the name's spelling but moved no query (a dictionary word's share, ``expander.py``,
# buries Baker; the sound rules already reach Murdoch and Mikulic); German х for ch (Кихле, Kiechle) cost
# more than it gained (Хоук is Hawke: the Russian х is also English h).
TRANSCRIPTION_RULES: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    language: tuple((re.compile(pattern), repl) for pattern, repl in rules)
    for language, rules in {
        "fr": (
            (r"у", "ou"),  # French ou (Rousseau: Руссо)
            (r"(?<=[аеиоуэюяaeiou])й$", "ille"),  # French -ille after a vowel, l silent (Marseille: Марсей)
        ),
    }.items()
}
# Letters the Russian press writes a foreign spelling's sound with, read back letter for letter
# (``read_back``): a name of the corpus one of them reaches is the name itself, and the word's other
# sound-alikes count less (``expander.py``). Each language's rules found a name of the name benchmark that
# sounded no more alike than a commoner word or name (Чампи: Ciampi and Zambia; Хоги: Haughey and hog;
# Кихле: Kiechle and Kyle, whose key "kile" is also "killed"'s; Миттеран: Mitterrand and Mediterranee)
# and moved no other query; as sound rules too (``TRANSCRIPTION_RULES``) they moved nothing more.
READ_BACK_RULES: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    language: tuple((re.compile(pattern), repl) for pattern, repl in rules)
    for language, rules in {
        "it": ((r"ч(?=[аоу])", "ci"),),  # Italian ci before a vowel (Ciampi: Чампи)
        "de": ((r"и", "ie"), (r"х", "ch")),  # German ie, ch (Kiechle: Кихле)
        "en": ((r"ог", "augh"), (r"и$", "ey")),  # English augh, final ey (Haughey: Хоги)
        "fr": ((r"(?<=[ае])н$", "nd"),),  # French final -and, d silent (Mitterrand: Миттеран)
    }.items()
}
# English ch heard as k (Murdoch, Christopher, Loch): a corpus spelling with ch also keyed so
_CH_AS_K = re.compile(r"ch(?=r|$)")
_SURNAME_FORMS = {form: group for group in KOREAN_SURNAMES for form in group}
_VOWELS = re.compile(r"[aeiouö]+")
_REPEATED = re.compile(r"(.)(?=\1)")  # a letter the same letter follows
_YO = re.compile(r"(?<=[бвгджзклмнпрстфхцчшщ])ё")  # ё after a consonant: German ö, as oe before folding
_J_VOWEL = re.compile(r"j[aeiou]")
MIN_KEY = 2  # consonants: a key of one ("Чжао") is shared by thousands of spellings


def sound_spelling(folded: str) -> str:
    """A folded spelling with its sounds merged into classes, vowels kept (``RULES``)."""
    out = folded
    for pattern, repl in RULES:
        out = pattern.sub(repl, out)
    return out


def sound_spellings(folded: str) -> tuple[str, ...]:
    """The sound spellings of a corpus spelling: a j before a vowel is heard two ways, as English j
    (James: Джеймс) and as Duden's and Polish y (Jelzin: Yeltsin; Jaruzelski: Ярузельский)."""
    out = [sound_spelling(folded)]
    if _J_VOWEL.match(folded):
        out.append(sound_spelling("i" + folded[1:]))
    if _CH_AS_K.search(folded):
        out.append(sound_spelling(_CH_AS_K.sub("k", folded)))
    return tuple(dict.fromkeys(out))


def query_spellings(word: str, folded: str) -> tuple[str, ...]:
    """The sound spellings of a query word (``sound_spellings``): ``word`` lowercased as typed,
    ``folded`` its folded spelling."""
    if not is_cyrillic(word):
        pre = respelled(word)
        if pre != word:
            folded = fold(to_ascii(pre))
        return sound_spellings(folded)
    if _YO.search(word):
        folded = fold(to_ascii(_YO.sub("oe", word)))
    return sound_spellings(folded)


def transcribed_spellings(word: str) -> tuple[str, ...]:
    """The sound spellings of a Cyrillic query word's ``transcribed`` forms (none for a Latin word)."""
    if not is_cyrillic(word):
        return ()
    out: list[str] = []
    for variant in transcribed(word):
        out.extend(sound_spellings(fold(to_ascii(variant))))
    return tuple(dict.fromkeys(out))


def read_back(word: str) -> tuple[str, ...]:
    """The folded spellings of a Cyrillic query word's ``transcribed`` forms: a corpus spelling among them
    is the name the word transcribes, letter for letter (none for a Latin word)."""
    if not is_cyrillic(word):
        return ()
    variants = transcribed(word) + transcribed(word, READ_BACK_RULES)
    return tuple(dict.fromkeys(fold(to_ascii(variant)) for variant in variants))


def transcribed(
    word: str, table: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = TRANSCRIPTION_RULES
) -> list[str]:
    """The spellings a Cyrillic word may stand for by ``TRANSCRIPTION_RULES`` (or another ``table``):
    each rule alone, then each language's rules together (lowercase, Latin letters where a rule
    applied)."""
    out: list[str] = []
    for rules in table.values():
        together = word
        for pattern, repl in rules:
            alone = pattern.sub(repl, word)
            if alone != word:
                out.append(alone)
            together = pattern.sub(repl, together)
        out.append(together)
    return [v for v in dict.fromkeys(out) if v != word]


def respelled(word: str) -> str:
    """A Latin query word with ``QUERY_RULES`` applied (the word itself when none applies)."""
    for pattern, repl in QUERY_RULES:
        word = pattern.sub(repl, word)
    return word


def sound_key(spelling: str) -> str:
    """The consonant skeleton of a sound spelling."""
    return _REPEATED.sub("", _VOWELS.sub("", spelling))


class SoundIndex:
    """Folded spellings by sound key, and by their key less its last consonant (a final letter the other
    language does not sound: Mitterrand, Миттеран; Delors, Делор). Spellings are listed when added and
    keyed all together by ``compact``."""

    def __init__(self) -> None:
        self._by_key: dict[str, list[str]] = {}
        self._by_stem: dict[str, list[str]] = {}
        self._short: dict[str, list[str]] = {}  # spellings of a key too short to share, by sound spelling
        self._spellings: dict[str, tuple[str, ...]] = {}
        self._pending: list[str] = []

    def add(self, folded: str) -> None:
        self._pending.append(folded)

    def add_many(self, folded: Iterable[str]) -> None:
        self._pending.extend(folded)

    def compact(self) -> None:
        """Key the spellings added since the last call (the index calls it at the end of a batch, so
        keying costs the build, not the first query that needs it)."""
        pending, self._pending = self._pending, []
        for sf in pending:
            if sf not in self._spellings and not sf.isdigit():
                self._register(sf, sound_spellings(sf))

    def saved(self, spellings: Iterable[str]) -> list[str]:
        """The sound spellings of ``spellings`` (in that order, "|" between two), for a snapshot."""
        self.compact()
        return ["|".join(self._spellings.get(sf, ())) for sf in spellings]

    def restore(self, spellings: Iterable[str], saved: Iterable[str]) -> None:
        """Key ``spellings`` by their ``saved`` sound spellings, without working them out again."""
        for sf, joined in zip(spellings, saved, strict=True):
            if joined:
                self._register(sf, tuple(joined.split("|")))

    def _register(self, sf: str, spellings: tuple[str, ...]) -> None:
        self._spellings[sf] = spellings
        for spelling in spellings:
            key = sound_key(spelling)
            if len(key) < MIN_KEY:
                self._short.setdefault(spelling, []).append(sf)
            else:
                self._by_key.setdefault(key, []).append(sf)
                if len(key) > MIN_KEY:
                    self._by_stem.setdefault(key[:-1], []).append(sf)

    def near(self, spellings: Iterable[str], min_similarity: float) -> dict[str, float]:
        """Folded spellings that sound like one of ``spellings`` (``query_spellings``), with the greatest
        similarity of their sound spellings to it (normalised Levenshtein, at least ``min_similarity``)."""
        if self._pending:
            self.compact()
        out: dict[str, float] = {}
        for spelling in spellings:
            for sf, sim in self._near(spelling, min_similarity).items():
                out[sf] = max(sim, out.get(sf, 0.0))
        return out

    def _near(self, spelling: str, min_similarity: float) -> dict[str, float]:
        key = sound_key(spelling)
        if len(key) < MIN_KEY:  # "Чжао", Zhao: only the very same sound spelling
            return dict.fromkeys(self._short.get(spelling, ()), 1.0)
        cands = list(self._by_key.get(key, ()))
        if len(key) > MIN_KEY:
            cands += self._by_stem.get(key, ())
        out: dict[str, float] = {}
        for sf in cands:
            sim = max(Levenshtein.normalized_similarity(spelling, s) for s in self._spellings[sf])
            if sim >= min_similarity:
                out[sf] = max(sim, out.get(sf, 0.0))
        return out


def korean_forms(words: Sequence[str], text: str) -> dict[int, tuple[str, ...]]:
    """Other romanizations of the parts of a Korean name typed as surname and hyphenated given name
    ("No Tae-u"), by position: the surname's other forms (``KOREAN_SURNAMES``), and a given-name syllable
    ending in u also as written with oo (Revised "u", "du" are the usual "woo", "doo")."""
    out: dict[int, tuple[str, ...]] = {}
    for i in range(len(words) - 2):
        if words[i] in _SURNAME_FORMS and f"{words[i + 1]}-{words[i + 2]}" in text:
            out[i] = tuple(f for f in _SURNAME_FORMS[words[i]] if f != words[i])
            for j in (i + 1, i + 2):
                syllable = words[j]
                if syllable == "u":
                    out[j] = ("woo", "oo")
                elif syllable.endswith("u") and not syllable.endswith(("ou", "eu")):
                    out[j] = (syllable[:-1] + "oo",)
    return out
