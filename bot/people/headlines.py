"""Extraction from all-caps wire headlines: "LAWSON SAYS ..." and "BOESKY AIDE ...", weak mentions
the index only attaches to persons known from elsewhere."""

from __future__ import annotations

import re

from bot.people.lexicon import (
    _HEADLINE_SAYS_RE,
    _LOWER_RE,
    DETERMINERS,
    ORG_ADJECTIVES,
    ORG_HEADS,
    ORG_NOUNS,
    PLACE_PREPOSITIONS,
    _words,
)
from bot.people.model import HEADLINE, WEAK
from bot.people.words import ACRONYM, CONN, MOD, NAME, ORG, _classify, _info, _singular


def _headline_speakers(text: str) -> list[tuple[int, int, str, str]]:
    """ "LAWSON SAYS HE FAVOURS ...": the word before a speech verb of an all-caps first line, as a weak
    mention (the index attaches it to a known person with that surname, or drops it)."""
    out: list[tuple[int, int, str, str]] = []
    head_end = text.find("\n")
    for m in _HEADLINE_SAYS_RE.finditer(text, 0, head_end if head_end >= 0 else len(text)):
        base = _info(m.group(1))[1]
        word = base.title()
        if len(base) < 3 or _classify(word) != NAME or not re.search("[AEIOUY]", base):
            continue
        out.append((m.start(1), m.start(1) + len(base), word, WEAK))
    said = {x[0] for x in out}
    alone = _headline_surnames(text, head_end if head_end >= 0 else len(text))
    out.extend(x for x in alone if x[0] not in said)
    return out


_HEAD_TOKEN_RE = re.compile(r"[A-Z0-9][A-Z0-9'’.&/-]*|[<>(),;:\"&]")
_HEAD_NAME_RE = re.compile(r"[A-Z]+(?:-[A-Z]+)*")
_HEAD_JOINERS = _words("and of &")
MAX_COMPANY_LOOKAHEAD = 6  # "BAKER, FENTRESS AND CO <BKFR>", "CHAMBERS DEVELOPMENT CO INC"


def _headline_surnames(text: str, head_end: int) -> list[tuple[int, int, str, str]]:
    """ "BOESKY AIDE DAVIDOFF CONSENTS TO SEC PENALTIES": a word of an all-caps first line that reads as a
    surname standing alone, as a ``HEADLINE`` mention (many Reuters items are a headline and nothing else).

    Only in an item without a body (no lowercase text after the headline): a story names its people in
    the body, where the rules above judge them, and the words of its headline are often places and
    companies the body spells out ("... IN PHONE PACT WITH CHINA"). Alone: not next to another name-like
    word ("BAKER HUGHES"), not after "in" or "the" (as in a body), an initial ("H.J. HEINZ") or a name and
    "and" ("JOHNSON AND JOHNSON"), and not the start of a company's name, that is a run of name-like
    words that reaches an organisation word or a ticker ("BAKER COMMUNICATIONS INC", "DUPONT <DD>",
    "CASEY'S GENERAL STORES"). After one name-like word the two are a full name ("AGAINST IVAN BOESKY").
    The index joins these only to a person well established elsewhere (``_attach_headlines``)."""
    if _LOWER_RE.search(text, head_end):
        return []  # a story: it names its people in the body
    head, rest = text[:head_end], text[head_end:]
    found = list(_HEAD_TOKEN_RE.finditer(head))
    if not found:
        return []
    tokens = [t.group() for t in found]
    starts = [t.start() for t in found]
    infos = [_info(t) for t in tokens]
    kinds = [
        CONN
        if t.lower() in _HEAD_JOINERS
        else (_classify(i[1].title()) if _HEAD_NAME_RE.fullmatch(i[1]) else ("" if len(t) == 1 else ACRONYM))
        for t, i in zip(tokens, infos, strict=True)
    ]
    out: list[tuple[int, int, str, str]] = []
    depth = 0
    for k, (_, base, possessive) in enumerate(infos):
        depth += (tokens[k] == "<") - (tokens[k] == ">")
        low = base.lower()
        if kinds[k] != NAME or depth > 0 or len(base) < 3 or not re.search("[AEIOUY]", base):
            continue
        if low in ORG_NOUNS or _singular(low) in ORG_NOUNS or f"{low}s" in ORG_HEADS:
            continue  # "BOESKY FIRMS", "FINANCIAL SYSTEM"
        if _company_follows(tokens, kinds, k):
            continue
        if not possessive and k + 1 < len(tokens):
            nxt = infos[k + 1][1].lower()
            if kinds[k + 1] == NAME or nxt in ORG_ADJECTIVES or nxt in ORG_HEADS:
                continue  # "BAKER HUGHES", "BAKER INTERNATIONAL", "WARNER COMMUNICATIONS"
            if (kinds[k + 1] == ACRONYM and "." in nxt) or (
                kinds[k + 1] == CONN and k + 2 < len(tokens) and kinds[k + 2] == NAME
            ):
                continue  # "HOWARD B. WOLF INC", "SIMON AND SCHUSTER"
        first, name = k, base.title()
        if k > 0 and kinds[k - 1] == NAME and not infos[k - 1][2]:
            first, name = k - 1, f"{infos[k - 1][1].title()} {name}"
        prev = infos[first - 1][1].lower() if first > 0 else ""
        if prev in DETERMINERS or prev in PLACE_PREPOSITIONS:
            continue
        if first > 0 and ((kinds[first - 1] == ACRONYM and "." in prev) or kinds[first - 1] == CONN):
            continue  # "H.J. HEINZ", "JOHNSON AND JOHNSON", "BANK OF ..."
        if first < k and first > 0 and kinds[first - 1] == NAME and not infos[first - 1][2]:
            continue  # three name-like words
        if base in rest:
            continue  # the rest (all capitals: a table, a signature) writes it: no headline of its own
        out.append((starts[first], starts[k] + len(base), name, HEADLINE))
    return out


def _company_follows(tokens: list[str], kinds: list[str], k: int) -> bool:
    """Do the headline words after word ``k`` run on (names, modifiers, "and", commas) into an
    organisation word or a ticker, making it the start of a company's name? After a comma only through an
    "and" ("BAKER, FENTRESS AND CO"): "..., COURT CLERK SAYS" is the next clause."""
    comma = False
    for j in range(k + 1, min(len(tokens), k + 1 + MAX_COMPANY_LOOKAHEAD)):
        token, kind = tokens[j], kinds[j]
        if token in ("<", "(") or kind == ORG or token.lower() in ORG_NOUNS:
            return not comma
        if token == ",":
            comma = True
        elif kind == CONN:
            comma = False
        elif kind not in (NAME, MOD):
            return False
    return False
