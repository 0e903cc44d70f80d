"""Whether a person is another one written differently: the score ``/who`` of one person's name gives
the other, computed against that one person (``name_score``), and ``Identities``: which of many names a
person is, looked up per person through the names' words instead of one ``/who`` per name.

What a person follow needs (``bot/follows/matcher.py``): a follow is of an identity, not of one cluster
of the people index, and the index keeps a name in Cyrillic apart from its Latin spelling when no
document joins them. Asking ``/who`` for each followed name costs milliseconds a name, every time the
index changes; here each person of an arriving document is checked once (remembered by its key, name and
spellings), and only against the followed names sharing a close word with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from bot.people.index import SOUND_SCORE, _initials, _name_tokens, _query_variants, _token_matches, name_words
from bot.people.model import Person
from bot.people.names import _sound_key
from bot.textnorm import is_cyrillic

MIN_FUZZY_LETTERS = 4  # as ``_token_matches``: a shorter query word matches only itself or a prefix
FUZZY_CUTOFF = 80
MIN_PREFIX_LETTERS = 3


def name_score(query: str, person: Person) -> float:
    """The score ``PeopleIndex.find`` gives ``person`` for the name ``query`` (0 when it would not list
    it): each word's best match among the person's name words (equal, typo-close, begun, sounding alike
    for a Cyrillic word, or an initial), averaged; every word must match."""
    words = name_words(query)
    if not words:
        return 0.0
    tokens = _name_tokens(person)
    vocab = sorted(tokens)
    known = {t: {person.key} for t in tokens}
    initials = _initials(person)
    total = 0.0
    for k, word in enumerate(words):
        best: float | None = None
        for variant in _query_variants(word):
            found = _token_matches(variant, vocab, known, last=k == len(words) - 1)
            sound = _sound_key(variant)
            if is_cyrillic(word) and len(sound) >= 3:
                found += [(t, SOUND_SCORE) for t in vocab if _sound_key(t) == sound]
            for _, score in found:
                best = max(best or 0.0, score)
            if best is None and len(words) > 1 and variant[:1] in initials:
                best = 70.0  # as find: "Roza" for "R. Otunbayeva"
        if best is None:
            return 0.0
        total += best
    return total / len(words)


class Identities:
    """Names (by an id each) and which of them a person is: ``of(person)`` is the ids whose name scores
    ``threshold`` or more for that person. A name word can only match a person's name word that is
    equal, typo-close, begun by it or (Cyrillic) sounds alike, so only the names with such a word are
    scored; the answer is remembered per person (key, name and spellings: a person gaining a spelling is
    asked again)."""

    def __init__(self, names: Iterable[tuple[int, str]], threshold: float) -> None:
        self._names = dict(names)
        self._threshold = threshold
        self._by_variant: dict[str, set[int]] = defaultdict(set)
        self._by_sound: dict[str, set[int]] = defaultdict(set)
        for name_id, name in self._names.items():
            for word in name_words(name):
                for variant in _query_variants(word):
                    self._by_variant[variant].add(name_id)
                    sound = _sound_key(variant)
                    if is_cyrillic(word) and len(sound) >= 3:
                        self._by_sound[sound].add(name_id)
        self._fuzzy = [v for v in self._by_variant if len(v) >= MIN_FUZZY_LETTERS]
        self._memo: dict[tuple[str, str, tuple[str, ...]], frozenset[int]] = {}

    def of(self, person: Person) -> frozenset[int]:
        key = (person.key, person.name, person.aliases)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = frozenset(
                name_id
                for name_id in self._candidates(person)
                if name_score(self._names[name_id], person) >= self._threshold
            )
        return found

    def _candidates(self, person: Person) -> set[int]:
        out: set[int] = set()
        for token in _name_tokens(person):
            out.update(self._by_variant.get(token, ()))
            for i in range(MIN_PREFIX_LETTERS, len(token)):
                out.update(self._by_variant.get(token[:i], ()))
            if self._fuzzy and len(token) >= 2:
                for variant, _, _ in process.extract(
                    token, self._fuzzy, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
                ):
                    out.update(self._by_variant[variant])
            sound = _sound_key(token)
            if len(sound) >= 3:
                out.update(self._by_sound.get(sound, ()))
        return out
