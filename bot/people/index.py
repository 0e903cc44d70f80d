"""``PeopleIndex``: persons merged from per-document mentions, kept up to date one document at a time,
and how ``/who`` queries (a name in any spelling, or a role) are matched against it."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from datetime import date

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.people.cluster import _cluster_block, _firm_evidence, _Item, _items, _person_of, _Row, _Shared
from bot.people.lexicon import ROLE_HEADS, ROLE_MODIFIERS, TITLE_OF_TAILS, TITLE_TAILS
from bot.people.model import STATED, DocId, Match, Mention, Person, RoleRecord, role_key
from bot.people.names import _sound_key, _split_name, _surname_key
from bot.people.places import country_named
from bot.people.posts import english_post_words, title_form
from bot.people.storage import _stored_rows
from bot.search.sound import SoundIndex, query_spellings, transcribed_spellings
from bot.textnorm import fold, is_cyrillic, to_ascii


class PeopleIndex:
    """Persons merged from per-document mentions, updated one document at a time.

    Mentions are grouped in *blocks* by folded surname; surnames one edit apart, the longer of six letters
    or more, share a block (Tasmagambetov / Tasmagambetv, Volcker / Vocker, Shultz / Schultz). Adding or
    removing a document marks its blocks dirty and the next read re-clusters just those, so ingesting a
    corpus stays linear and the result does not depend on the order documents arrive in: a bare "Baker"
    seen before "James Baker" still ends up with him.
    """

    def __init__(self) -> None:
        self._docs: dict[DocId, list[_Item]] = {}
        self._order = 0
        self._parent: dict[str, str] = {}  # union-find over surname keys
        self._by_first_letter: dict[str, list[str]] = defaultdict(list)  # "m9": keys of 9 letters, in m
        self._block_items: dict[str, list[_Item]] = defaultdict(list)
        self._block_persons: dict[str, list[str]] = {}
        self._dirty: set[str] = set()
        self._persons: MutableMapping[str, Person] = {}
        self._token_persons: dict[str, set[str]] = defaultdict(set)
        self._initial_persons: dict[str, set[str]] = defaultdict(set)
        self._doc_persons: dict[DocId, list[str]] = defaultdict(list)
        self._vocab: list[str] | None = None
        self._firm_docs: Counter[str] = Counter()  # name -> documents that show it to be a firm's
        self._doc_firms: dict[DocId, tuple[str, ...]] = {}
        self._sounds: dict[str, list[str]] | None = None  # sound key -> name words (Cyrillic queries)
        self._heard: SoundIndex | None = None  # name words by the search's sound keys (``_heard_matches``)
        self._first_names: Counter[str] = Counter()  # first names of people with stated evidence
        self._shared = _Shared()  # the items' repeated names, spellings and dates, kept once
        # Saved persons (``read_only``): those who may hold a post of these title words, so that a post
        # query does not make every person of a million documents (every person when None).
        self._post_pool: Callable[[list[str], frozenset[str]], Iterable[Person]] | None = None

    @classmethod
    def read_only(
        cls,
        persons: MutableMapping[str, Person],
        names: Iterable[Person],
        firms: Counter[str],
        first_names: Counter[str],
        post_pool: Callable[[list[str], frozenset[str]], Iterable[Person]] | None = None,
    ) -> PeopleIndex:
        """An index that answers reads from persons clustered earlier (``bot/people/saved.py``), which
        ``persons`` makes when asked for; ``names`` are the same persons, of which only the names and
        spellings are read; ``post_pool`` narrows a post query's persons. It holds no mentions, and no
        list of each document's persons (the writers' and digests' reads wait for the full index): it
        must not be updated."""
        index = cls()
        for person in names:
            index._index_names(person)
        index._persons, index._firm_docs, index._first_names = persons, firms, first_names
        index._post_pool = post_pool
        return index

    def saved_state(self) -> tuple[list[Person], Counter[str], Counter[str]]:
        """Every person (listed or not), and the counts that decide which are listed: what a read-only
        copy needs."""
        self._refresh()
        return list(self._persons.values()), self._firm_docs, self._first_names

    # ---- updates -----------------------------------------------------------------------------------

    def add_document(
        self, doc_id: DocId, published: date | None, mentions: Sequence[Mention], firms: Sequence[str] = ()
    ) -> None:
        """Add one document's mentions (replacing what an earlier call gave for the same ``doc_id``), and
        the names it shows to be firms'."""
        self._add(doc_id, published, [(m.name, m.surface, m.evidence, m.role) for m in mentions], firms)

    def add_stored(self, doc_id: DocId, published: date | None, data: str) -> None:
        """``add_document`` of mentions as stored (``mentions_to_json``), read straight into the index:
        a start-up or a corpus scan reads tens of thousands, and needs no ``Mention`` of them."""
        self._add(doc_id, published, *_stored_rows(data))

    def _add(self, doc_id: DocId, published: date | None, rows: list[_Row], firms: Sequence[str]) -> None:
        if doc_id in self._docs or doc_id in self._doc_firms:
            self.remove_document(doc_id)
        self._order += 1
        items = _items(doc_id, self._order, published, rows, self._shared)
        if items:  # most documents name nobody: not kept (a million empty lists are 100 MB)
            self._docs[doc_id] = items
        if firms:
            self._doc_firms[doc_id] = self._shared(tuple(self._shared(f) for f in firms))
            self._firm_docs.update(_firm_evidence(firms))
        for item in items:
            if item.evidence == STATED and item.first_name:
                self._first_names[item.first_name] += 1
            root = self._block_for(item.skey)
            self._block_items[root].append(item)
            self._dirty.add(root)

    def remove_document(self, doc_id: DocId) -> None:
        self._firm_docs.subtract(_firm_evidence(self._doc_firms.pop(doc_id, ())))
        for item in self._docs.pop(doc_id, []):
            if item.evidence == STATED and item.first_name:
                self._first_names[item.first_name] -= 1
            root = self._root(item.skey)
            block = self._block_items[root]
            block[:] = [x for x in block if x is not item]
            self._dirty.add(root)

    # ---- reads -------------------------------------------------------------------------------------

    def persons(self) -> list[Person]:
        """Every person, the most documented first."""
        self._refresh()
        listed = (p for p in self._persons.values() if self._listed(p))
        return sorted(listed, key=lambda p: (-len(p.documents), p.name))

    def __len__(self) -> int:
        return len(self.persons())

    def persons_in(self, doc_id: DocId) -> list[Person]:
        """The persons a document names, in the order the index knows them."""
        self._refresh()
        persons = (self._persons.get(k) for k in self._doc_persons.get(doc_id, []))
        return [p for p in persons if p is not None and self._listed(p)]

    def _listed(self, person: Person) -> bool:
        """A name known only from speech verbs ("Statistics Canada said", "Merrill Lynch said") is listed
        when its first name is one that people with stated evidence (a title, a role, an apposition) carry
        somewhere in the collection: first names are learned from the documents, not from a list."""
        if self._firm_docs[person.name] >= len(person.documents):
            return False  # "Smith Barney": more often shown to be a firm ("..., Harris Upham and Co")
        if person.evidence == STATED:
            return True
        given = _split_name(person.name)[0]
        return bool(given) and self._first_names[_surname_key(given[0])] > 0

    def person(self, key: str) -> Person | None:
        """The person under ``key`` (what a pick button carries), if it is still listed."""
        self._refresh()
        person = self._persons.get(key)
        return person if person is not None and self._listed(person) else None

    def suggest(self, query: str, limit: int = 3) -> list[Person]:
        """The nearest names for a query that matched no one: rapidfuzz over folded full names and
        surnames, with a low cutoff, so "/who Masodikof" can say "did you mean Taalatbek Masadykov"."""
        folded = " ".join(_surname_key(w) for w in re.split(r"[\s,]+", query.strip()) if w)
        if len(folded) < 2:
            return []
        self._refresh()
        choices: dict[str, str] = {}
        for key, person in self._persons.items():
            if self._listed(person):
                choices[key] = key.split("#")[0]
        best = process.extract(folded, choices, scorer=fuzz.WRatio, score_cutoff=60, limit=limit)
        return [self._persons[key] for _, _, key in best]

    def find(self, query: str, limit: int = 10) -> list[Match]:
        """``/who <name>`` or ``/who <role>``. A query made of title words (plus, at most, one other word
        such as an organisation) is a role query, answered by the holders of that role in date order;
        anything else is a name, matched in any spelling, script or case, its beginning being enough."""
        # Hyphens split too: names are indexed by their parts ("Kassym-Jomart" is "Kassym" and "Jomart").
        words = name_words(query)
        if not words:
            return []
        self._refresh()
        if _is_role_query(words):
            holders = self.holders(query)
            if holders:
                return holders[:limit]
        if any(map(is_cyrillic, words)) and any(map(is_title_word, words)):
            english = english_post_words(words)  # "генсек ОДКБ": "генсек csto", the CSTO's post
            if english != words and _is_role_query(english):
                holders = self.holders(" ".join(english))
                if holders:
                    return holders[:limit]
        return self._find_name(words, limit)

    def holders(self, role_query: str) -> list[Match]:
        """Everyone who held a role matching ``role_query`` ("secretary general", "csto secretary
        general"), oldest first. A role stated only in undated documents sorts after the dated ones: we
        cannot know when, and an undated page in a news collection is usually a recent one."""
        self._refresh()
        country, rest = _asked_country([w for w in re.split(r"[\s,]+", role_query) if w])
        qwords = role_key(" ".join(re.split(r"[\s\-,]+", " ".join(rest)))).split()  # "генсек": two words
        title_words = [w for w in qwords if w in _ROLE_KEYS]
        other = [w for w in qwords if w not in _ROLE_KEYS]
        out: list[Match] = []
        pool = self._persons.values() if self._post_pool is None else self._post_pool(title_words, _HEAD_KEYS)
        for person in pool:
            if not self._listed(person):
                continue
            roles = tuple(r for r in person.roles if _role_matches(r, title_words, other, country))
            if roles:
                out.append(Match(person, 100.0, "role", roles))
        out.sort(key=_timeline_key)
        return out

    # ---- internals: blocks -------------------------------------------------------------------------

    def _root(self, key: str) -> str:
        root = key
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        while self._parent.get(key, key) != root:
            self._parent[key], key = root, self._parent[key]
        return root

    def _block_for(self, skey: str) -> str:
        if skey in self._parent:
            return self._root(skey)
        self._parent[skey] = skey
        if len(skey) >= 5:
            # Keys one edit apart share their first letter here and differ in length by at most one; the
            # longer has six letters or more ("Vocker" is a misspelt Volcker, "Schultz" Shultz). Full names
            # of a block still need close surnames to merge ("Miller" and "Millar" are two) and bare ones
            # of under seven letters the same spelling (``_bare_target``).
            for size in (len(skey) - 1, len(skey), len(skey) + 1):
                bucket = self._by_first_letter.get(skey[0] + str(size))
                if not bucket or max(len(skey), size) < 6:
                    continue
                # In one C call: a bucket holds hundreds of keys, and each new key is compared with them.
                close = process.extract(skey, bucket, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
                for other, _, _ in close:
                    self._union(other, skey)
            self._by_first_letter[skey[0] + str(len(skey))].append(skey)
        return self._root(skey)

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra == rb:
            return
        self._parent[rb] = ra
        self._block_items[ra].extend(self._block_items.pop(rb, []))
        for key in self._block_persons.pop(rb, []):
            self._drop_person(key)
        self._dirty.discard(rb)
        self._dirty.add(ra)

    def _refresh(self) -> None:
        if not self._dirty:
            return
        for root in {self._root(r) for r in self._dirty}:
            for key in self._block_persons.pop(root, []):
                self._drop_person(key)
            keys: list[str] = []
            for cluster in _cluster_block(self._block_items.get(root, [])):
                person = _person_of(cluster.items, self._persons)
                self._add_person(person)
                keys.append(person.key)
            self._block_persons[root] = keys
        self._dirty.clear()
        self._vocab = None
        self._sounds = None
        self._heard = None

    def _add_person(self, person: Person) -> None:
        self._persons[person.key] = person
        self._index_names(person)
        for doc_id in person.documents:
            self._doc_persons[doc_id].append(person.key)

    def _index_names(self, person: Person) -> None:
        for token in _name_tokens(person):
            self._token_persons[token].add(person.key)
        for initial in _initials(person):
            self._initial_persons[initial].add(person.key)

    def _drop_person(self, key: str) -> None:
        person = self._persons.pop(key, None)
        if person is None:
            return
        for index, tokens in (
            (self._token_persons, _name_tokens(person)),
            (self._initial_persons, _initials(person)),
        ):
            for token in tokens:
                keys = index.get(token)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[token]
        for doc_id in person.documents:
            listed = self._doc_persons.get(doc_id)
            if listed is not None and key in listed:
                listed.remove(key)

    # ---- internals: name search --------------------------------------------------------------------

    def _find_name(self, words: list[str], limit: int) -> list[Match]:
        if self._vocab is None:
            self._vocab = list(self._token_persons)
        per_person: dict[str, list[float]] = defaultdict(list)
        for k, word in enumerate(words):
            scores: dict[str, float] = {}
            for variant in _query_variants(word):
                found = _token_matches(variant, self._vocab, self._token_persons, last=k == len(words) - 1)
                if is_cyrillic(word):
                    found += [(token, SOUND_SCORE) for token in self._sound_matches(variant)]
                    found += self._heard_matches(word, variant)
                for token, score in found:
                    for pkey in self._token_persons.get(token, ()):
                        scores[pkey] = max(scores.get(pkey, 0.0), score)
                for pkey in self._initial_persons.get(variant[:1], ()) if len(words) > 1 else ():
                    scores.setdefault(pkey, 70.0)  # "Roza" for "R. Otunbayeva"
            for pkey, score in scores.items():
                per_person[pkey].append(score)
        if len(words) > 1:
            self._given_by_first_sound(words, per_person)
        matches = [
            Match(self._persons[pkey], sum(scores) / len(words), "name")
            for pkey, scores in per_person.items()
            if len(scores) == len(words) and self._listed(self._persons[pkey])
        ]
        matches.sort(key=lambda m: (-round(m.score), -len(m.person.documents), m.person.name))
        return matches[:limit]

    def _given_by_first_sound(self, words: list[str], per_person: dict[str, list[float]]) -> None:
        """A person every other word found, and whose given name a Cyrillic query word could be: the same
        first sound (``_FIRST_SOUNDS``), scored as an initial. Russian writes foreign given names by
        their sound, which letter by letter is often far from the spelling ("Жак" is Jacques, "Жозе"
        José, "Хельмут" Helmut), so "Жак Ширак" finds the Chirac "Ширак" finds."""
        given = [w for w in words[:-1] if is_cyrillic(w)]
        for pkey, scores in per_person.items():
            if len(scores) != len(words) - len(given):  # at least the surname, never empty
                continue
            person = self._persons[pkey]
            firsts = {
                fold(to_ascii(g))[:1] for n in (person.name, *person.aliases) for g in _split_name(n)[0]
            }
            if all(firsts & set(_FIRST_SOUNDS.get(w[:1].lower(), "")) for w in given):
                scores.extend([70.0] * len(given))

    def _sound_matches(self, key: str) -> list[str]:
        """Name words that sound like a Russian query word: "Бейкер" is Baker, "Гринспен" Greenspan,
        "Рейган" Reagan, though letter by letter they are far apart (Russian writes English names as
        they sound)."""
        if self._sounds is None:
            sounds: dict[str, list[str]] = defaultdict(list)
            for token in self._token_persons:
                sounds[_sound_key(token)].append(token)
            self._sounds = dict(sounds)
        sound = _sound_key(key)
        return self._sounds.get(sound, []) if len(sound) >= 3 else []

    def _heard_matches(self, word: str, variant: str) -> list[tuple[str, float]]:
        """Name words that sound like a Russian query word as ``/search`` hears it (``bot.search.sound``:
        every hushing sound one class, the letters French or German spell a sound with): "Ширак" is
        Chirac, which the rough key above keeps apart (sh is not ch). Scored ``SOUND_SCORE`` times the
        likeness of the sound spellings, from ``HEARD_SIMILARITY``: a name, unlike a search word, is
        not guessed at."""
        heard = self._heard
        if heard is None:
            heard = self._heard = SoundIndex()
            heard.add_many(t for t in self._token_persons if not is_cyrillic(t))
        near = heard.near(query_spellings(word.lower(), variant), HEARD_SIMILARITY)
        for token, sim in heard.near(transcribed_spellings(word.lower()), HEARD_SIMILARITY).items():
            near[token] = max(near.get(token, 0.0), sim)
        return [(token, SOUND_SCORE * sim) for token, sim in near.items() if token in self._token_persons]


# The Latin letters a foreign given name written in Cyrillic by its sound may begin with.
_FIRST_SOUNDS = {
    "а": "a", "б": "b", "в": "vw", "г": "gh", "д": "dj", "е": "ejy", "ё": "jy", "ж": "jgz", "з": "zs",
    "и": "iey", "й": "jy", "к": "kcq", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "sc", "т": "t", "у": "uo", "ф": "fp", "х": "hkc", "ц": "ctz", "ч": "ct", "ш": "sc", "щ": "s",
    "э": "ea", "ю": "juy", "я": "jy",
}  # fmt: skip

# A name word that sounds like a Russian query word: nearly as good as the same spelling (100), better than
# a near spelling (80 and up), which letter by letter is often another name ("Бейкер" is "beiker", closer
# to "Beyer" than to "Baker").
SOUND_SCORE = 95.0
HEARD_SIMILARITY = 0.8  # of two sound spellings (normalised Levenshtein) for ``_heard_matches``


_ROLE_KEYS = frozenset(
    role_key(w) for w in ROLE_HEADS | ROLE_MODIFIERS | TITLE_TAILS | TITLE_OF_TAILS
) | frozenset(role_key(p) for w in ROLE_HEADS for p in w.split("-"))


_HEAD_KEYS = frozenset(role_key(w) for w in ROLE_HEADS)


def is_title_word(word: str) -> bool:
    """A word of a post's title ("secretary", "general", "генсек", "генсеком"), in either language."""
    form = title_form(word) if is_cyrillic(word) else word
    keys = role_key(form or word).split()
    return bool(keys) and all(k in _ROLE_KEYS for k in keys)


def _is_role_query(words: list[str]) -> bool:
    _, words = _asked_country(words)  # "president of the united states": a title and a country
    keys = [k for k in role_key(" ".join(words)).split() if k not in _QUERY_GLUE]
    titled = sum(k in _ROLE_KEYS for k in keys)
    return titled > 0 and titled >= len(keys) - 1


def _asked_country(words: list[str]) -> tuple[str | None, list[str]]:
    """The country a role query names by any of its names ("japan", "japanese", "u.s.", "the united
    states", "britain") and the query's other words; the longest naming wins."""
    for size in (3, 2, 1):
        for k in range(len(words) - size + 1):
            found = country_named(" ".join(words[k : k + size]))
            if found is not None:
                return found[0], words[:k] + words[k + size :]
    return None, words


def _role_matches(record: RoleRecord, title_words: list[str], other: list[str], country: str | None) -> bool:
    """Every title head asked for is in the title; a modifier may be in the organisation too, as Russian
    puts it: "министр иностранных дел" is the foreign minister, "Министр" of "иностранных дел". A country
    asked for is the organisation by any of its names ("French" for "france", "U.S." for "united
    states"): the president of Brazil, not of the Brazilian Central Bank."""
    title = record.key.split()
    org = role_key(record.org or "").split()
    if not title_words or not all(w in title or (w not in _HEAD_KEYS and w in org) for w in title_words):
        return False
    if country is not None:
        stated = country_named(record.org) if record.org else None
        return (
            stated is not None
            and stated[0] == country
            and all(w in title for w in other if w not in _QUERY_GLUE)
        )
    return all(w in title or any(_same_place_word(w, x) for x in org) for w in other if w not in _QUERY_GLUE)


_QUERY_GLUE = frozenset(["of", "the", "at", "for", "in", "and", "и"])  # "prime minister of japan"


def _same_place_word(asked: str, stated: str) -> bool:
    """An organisation's word as asked and as stated: the same, or a country and its adjective ("japan"
    and "japanese", "china" and "chinese", "german" and "germany")."""
    if asked == stated:
        return True
    short, long = sorted((asked, stated), key=len)
    return len(short) >= 4 and (long.startswith(short) or (long.startswith(short[:-1]) and len(short) >= 5))


def _timeline_key(match: Match) -> tuple[int, date, int, str]:
    current = [r for r in match.roles if not r.former] or list(match.roles)
    dated = [r.date for r in current if r.date is not None]
    if dated:
        return (0, min(dated), 0, match.person.name)
    return (1, date.max, 0, match.person.name)


def _query_variants(word: str) -> list[str]:
    """Folded spellings to look up for one query word; a Cyrillic word also in the nominative."""
    variants = [fold(to_ascii(word))]
    if is_cyrillic(word):
        variants.append(_surname_key(word))
    return [v for v in dict.fromkeys(variants) if v]


def _token_matches(
    word: str, vocab: list[str], known: dict[str, set[str]], *, last: bool
) -> list[tuple[str, float]]:
    """Name words close to a query word: equal (100), typo-close (their similarity, at least 80), or, for
    the last word of at least three letters, words it begins (up to 90): ``zas``, ``masad``."""
    out: dict[str, float] = {}
    if len(word) >= 4:
        for token, score, _ in process.extract(word, vocab, scorer=fuzz.ratio, score_cutoff=80, limit=30):
            out[token] = float(score)
    if word in known:
        out[word] = 100.0
    if last and len(word) >= 3:
        for token in vocab:
            if token.startswith(word) and token != word:
                out[token] = max(out.get(token, 0.0), 90.0 * min(1.0, 0.5 + len(word) / (2 * len(token))))
    return list(out.items())


def name_words(query: str) -> list[str]:
    """A name query's words: hyphens split too, names are indexed by their parts ("Kassym-Jomart")."""
    return [w for w in re.split(r"[\s,\-‐–]+", query.strip()) if w]


def _name_tokens(person: Person) -> set[str]:
    tokens: set[str] = set()
    for name in (person.name, *person.aliases):
        for part in re.split(r"[\s\-]+", name):
            key = _surname_key(part.rstrip("."))
            if len(key) >= 2:
                tokens.add(key)
        surname = _split_name(name)[1]
        tokens.add(_surname_key(surname.replace(" ", "")))
    tokens.discard("")
    return tokens


def _initials(person: Person) -> set[str]:
    return {
        _surname_key(g)[:1]
        for n in (person.name, *person.aliases)
        for g in _split_name(n)[0]
        if g.endswith(".")
    }


def merge(documents: Iterable[tuple[DocId, date | None, Sequence[Mention]]]) -> list[Person]:
    """Persons of a whole collection at once: ``merge((doc_id, d, extract(text, d)) for ...)``."""
    index = PeopleIndex()
    for doc_id, published, mentions in documents:
        index.add_document(doc_id, published, mentions)
    return index.persons()
