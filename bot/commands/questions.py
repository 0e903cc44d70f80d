"""Questions in plain words, in English and Russian: telling one from a search, and the words that carry it.

"Кто генсек ОДКБ?", "who is the CSTO secretary general?", "what did Zas say at Valdai?": a question is
what ends in a question mark or starts with a question word. Its question words (who, when, кто, когда)
and the grammar around them (is, the, did, такой, в, на) say what kind of answer is wanted, never what it
is about, so they are dropped before anything is looked up: left in, "who" and "the" would be search
terms, and in an English corpus a Russian "кто" would be a word that matched nothing.
"""

from __future__ import annotations

from dataclasses import replace

from bot.search.query import Query
from bot.textnorm import WORD_RE


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that ask: a line starting with one of these is a question even without its question mark.
QUESTION_WORDS: frozenset[str] = _word_set(
    "who whom whose what when where which why how "
    "кто кого кому кем ком что чего чему чем когда где куда откуда зачем почему отчего как какой какая "
    "какое какие каков какова каковы чей чья чьё чье чьи сколько"
)

# The grammar around them, dropped from a question (only from one: "The Hague" searched as a search
# keeps its article). English auxiliaries and articles; Russian particles, pronouns and prepositions,
# which an English corpus would report as words that matched nothing.
_QUESTION_GLUE: frozenset[str] = _word_set(
    "is are was were am be been being do does did done has have had will would can could should shall may "
    "might must the a an there tell me us about please of in on at to for from by with "
    "ли же это этот эта эти такой такая такое такие таков разве неужели скажи скажите расскажи "
    "расскажите о об обо про в во на с со у к ко по из за для от до и а но"
)

# Verbs that join a name to a post ("when did Masadykov become secretary general", "когда Масадыков стал
# генсеком"): a question made of a name, a post and these is about the person.
PERSON_LINKS: frozenset[str] = _word_set(
    "become became becomes becoming appointed named elected served serve serves hold holds held "
    "стал стала стали становился становилась назначен назначена назначили избран избрана был была были "
    "является являлся являлась работает работал работала"
)

DROPPED: frozenset[str] = QUESTION_WORDS | _QUESTION_GLUE


def is_question(text: str) -> bool:
    """A line asked as a question: it ends with "?" or begins with a question word, and asks about
    something (``/search who`` looks for the word "who")."""
    stripped = text.strip()
    if not stripped or stripped.startswith("/") or not content_words(stripped):
        return False
    if stripped.endswith("?"):
        return True
    first = WORD_RE.search(stripped)
    return first is not None and first.group().lower() in QUESTION_WORDS


def content_words(text: str) -> list[str]:
    """A question's words that say what it is about, as typed: "Кто генсек ОДКБ?" -> [генсек, ОДКБ]."""
    return [w for w in WORD_RE.findall(text) if w.lower() not in DROPPED]


def without_question_words(query: Query) -> Query:
    """A parsed question with its question words and their grammar taken out of its free words, so they
    never decide the ranking (a question of nothing else, "who is it?", is left with no words to search).
    """
    return replace(query, words=tuple(w for w in query.words if w not in DROPPED))
