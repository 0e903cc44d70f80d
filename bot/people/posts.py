"""A Russian post phrase carried to English for ``/who``'s role matching: "генсек ОДКБ" is the post the
documents write "Secretary General, CSTO".

Title words need no dictionary: ``role_key`` already reads "генсек", "генеральный секретарь" and
"министр иностранных дел" as English titles (``model._RU_TITLE_KEYS``), but only in the forms it lists, so
an inflected title ("генсеком") is tried again as its lemma. The other words of a post, the
organisation or country it is of ("ОДКБ", "Казахстана"), go through the English–Russian lexicon of
``bot.search.translate``, whose keys are the search index's (folded, stemmed): for acronyms and names
("csto", "kazahstan") they are what ``role_key`` makes of the English word too.

Only a query that holds a title is carried over (``PeopleIndex.find``): a surname that happens to be a
dictionary word ("Лебедь", a swan) stays a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from bot.people.model import is_ru_title_word
from bot.search.translate import Lexicon
from bot.textnorm import Analyzer, is_cyrillic


@cache
def _analyzer() -> Analyzer:
    return Analyzer()


def lemma(word: str) -> str:
    """A Russian word's most likely dictionary form ("генсеком" -> "генсек"); other words as they are."""
    if not is_cyrillic(word):
        return word
    parses = _analyzer().morph.parse(word)
    return str(parses[0].normal_form) if parses else word.lower()


def title_form(word: str) -> str | None:
    """The form of a Russian word ``role_key`` reads as a title word (as typed, else its lemma), or None."""
    for form in (word, lemma(word)):
        if is_ru_title_word(form):
            return form
    return None


def english_post_words(words: Sequence[str]) -> list[str]:
    """``words`` with each Russian title word in a form ``role_key`` knows and each other Russian word
    (or run of them the lexicon holds as a phrase, longest first) as its first English translation; a
    Russian word the lexicon lacks, and every other word, is kept as it is."""
    lexicon = Lexicon.load()
    out: list[str] = []
    k = 0
    while k < len(words):
        word = words[k]
        if not is_cyrillic(word):
            out.append(word)
            k += 1
            continue
        titled = title_form(word)
        if titled is not None:
            out.append(titled)
            k += 1
            continue
        for size in range(min(lexicon.max_phrase_words, len(words) - k), 0, -1):
            run = words[k : k + size]
            if not all(is_cyrillic(w) and title_form(w) is None for w in run):
                continue
            found = lexicon.translate_ru(" ".join(lemma(w) for w in run))
            if found:
                out.extend(found[0][0].split())
                k += size
                break
        else:
            out.append(word)
            k += 1
    return out
