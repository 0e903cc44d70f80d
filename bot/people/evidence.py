"""Extraction: the evidence for and against one candidate (titles before it, appositions and speech
verbs after it, organisation and place cues that veto it)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from bot.people.document import _Cand, _DocCtx, _Run, _sentence_bounds
from bot.people.lexicon import (
    _ACRONYM_DEF_RE,
    _ACRONYM_PAREN_RE,
    _AFTER_FIRST,
    _AFTER_RE,
    _AS_FIRST,
    _AS_ROLE_RE,
    _CLAUSE_END_MARKS,
    _CLAUSE_END_RE,
    _CLOSING_QUOTES,
    _FIRM_AFTER_RE,
    _FULL_STOP_RE,
    _NEXT_WORD_RE,
    _SPEECH_WORDS,
    _SYNDICATE_AFTER_RE,
    _SYNDICATE_BEFORE_RE,
    _TITLE_THEN_NAME_RE,
    _WHO_AFTER_RE,
    CLAUSE_OPENERS,
    DETERMINERS,
    FIRM_STAFF,
    FIRM_TAILS,
    HONORIFICS,
    LEADING_ORG_WORDS,
    MAX_CLAUSE_WORDS,
    MAX_TITLE_OFFSET,
    MAX_WINDOW_WORDS,
    NAME_ADJECTIVES,
    OBJECT_PRONOUNS,
    ORG_HEADS,
    ORG_NOUNS,
    PERSON_PRONOUNS,
    PLACE_PREPOSITIONS,
    ROLE_MODIFIERS,
)
from bot.people.model import Role
from bot.people.places import is_country
from bot.people.roles import _parse_role, _plural_title, _role_from, _title_span
from bot.people.words import (
    COMMON,
    CONN,
    HON,
    INITIAL,
    MOD,
    NAME,
    ORG,
    ROLE,
    _is_role_word,
    _singular,
    _text_words,
    _Word,
)


def _judge(ctx: _DocCtx, cand: _Cand, run: _Run, i: int, j: int, floor: int) -> None:
    """Collect the evidence for and against one candidate, cheapest first."""
    infos = run.infos
    nxt = j
    while nxt < len(infos) and infos[nxt][0] == CONN and infos[nxt][1] == "and":
        nxt += 1  # "Morgan Stanley and Co"
    if (
        nxt < len(infos)
        and (infos[nxt][0] == ORG or infos[nxt][1].lower() in ORG_HEADS)
        and not cand.possessive
        # after "and", not another title's organisation: "Gerhard Stoltenberg and Bundesbank President
        # Karl Otto Poehl", "George Bush and Senate Minority Leader Robert Dole"
        and (nxt == j or infos[nxt][1].lower().rstrip(".") in FIRM_TAILS or ROLE not in run.kinds[nxt + 1 :])
    ):
        cand.vetoed = cand.firm = True  # "Crocus City Hall", "Astana Declaration", "Russian Academy"
        return
    if (
        i > 0
        and infos[i - 1][0] == ORG
        and (i == 1 or j - i == 1 or infos[i - 1][1].lower() in LEADING_ORG_WORDS)
        and ROLE not in run.kinds[:i]
    ):
        # But "Minister of Social Affairs Louw de Graaf" (a title's organisation) and "Securities and
        # Exchange Commission John Shad said" (the organisation's name ends, the name of its head follows).
        cand.vetoed = cand.firm = True  # "Banca Nazionale del Lavoro", "Bank Leumi": the rest of its name
        return
    if i > 0 and infos[i - 1][1].lower() in NAME_ADJECTIVES:
        cand.vetoed = True  # "New York", "United Auto Workers": the rest of a place's or union's name
        return
    if (
        len(cand.words) == 1
        and ctx.text[cand.start - 1 : cand.start] == "("
        and _after_org_head(ctx.text, cand.start - 1)
    ):
        # "the Federation of Economic Organizations (Keidanren)": its short name (but "Central Asia (K.
        # Imnadze)" is a person)
        cand.vetoed = True
        return
    # "Japan said", "Belgium is current president": a country, whatever the evidence (judged all the same,
    # for "Jordan expects" after "Jerry Jordan" in the same text).
    cand.place = is_country(" ".join(cand.words))
    text = ctx.text
    if (
        (text.startswith(",", cand.end) and _firm_goes_on(text, cand.end))
        # The patterns only where "manager" is near: most names are nowhere near one.
        or (
            "anager" in text[max(0, cand.start - 40) : cand.start]
            and _SYNDICATE_BEFORE_RE.search(text, max(0, cand.start - 40), cand.start)
        )
        or ("anager" in text[cand.end : cand.end + 60] and _SYNDICATE_AFTER_RE.match(text, cand.end))
    ):
        cand.vetoed = cand.firm = True  # "Smith Barney, Harris Upham and Co", "lead manager Morgan Stanley"
        return
    if len(cand.words) >= 2 and INITIAL in cand.kinds:
        cand.strong = True  # "R. Otunbayeva", "James A. Baker"
    role = _role_before(ctx, cand, run, i, floor)
    if role is not None:
        cand.role, cand.strong = role, True
    elif i > 0 and infos[i - 1][0] == HON:
        cand.strong = True
    elif i == 0:
        word, punct = ctx.prev_of(run)
        low = word.lower()
        if (not punct and (low in DETERMINERS or low in PLACE_PREPOSITIONS)) or (punct and punct in '“"«'):
            cand.vetoed = True  # "the Golan Heights", "in Mangistau", “National Defense”
            return
        cand.employer = low == "of" and not punct  # "Zimmer of Merrill Lynch said": not the speaker
        if low in HONORIFICS and not punct:
            cand.strong = True
        elif run.honorific:
            cand.strong = cand.courtesy = True
    elif infos[i - 1][1].lower() in DETERMINERS or infos[i - 1][1].lower() in PLACE_PREPOSITIONS:
        cand.vetoed = not cand.strong  # "In London, ..."
        return
    elif infos[i - 1][1] == "of":
        cand.employer = True  # the same inside one capitalised run: "Zimmer of Merrill Lynch said"
    if not cand.employer:
        m = _TITLE_THEN_NAME_RE.match(ctx.text, cand.end)
        cand.employer = m is not None and _is_role_word(m.group(1))
        if cand.employer and m is not None and m.group(1) in FIRM_STAFF:
            cand.vetoed = cand.firm = True  # "Dean Witter analyst Karen Gibbs": a firm's analyst
            return
    if j == len(infos) or infos[j][0] == COMMON:
        _judge_after(ctx, cand, run, i)
    if not cand.role and ctx.text[cand.start - 1 : cand.start] == "(" and ctx.text.startswith(")", cand.end):
        _judge_parenthesised(ctx, cand)


def _after_org_head(text: str, pos: int) -> bool:
    """Does the text before ``pos`` end with an organisation's head word ("... Organizations")?"""
    before = text[max(0, pos - 40) : pos].split()
    if not before:
        return False
    low = before[-1].strip(",.;:").lower()
    return low in ORG_HEADS or _singular(low) in ORG_HEADS


def _firm_goes_on(text: str, end: int) -> bool:
    """Is the name before ``end`` the start of a firm's ("Goldman, Sachs and Co")? Not when a title follows
    the firm, and no name after it: then the firm is an apposition ("Thomas McKiernan, McKiernan and Co
    chairman", against "Smith Barney, Harris Upham and Co analyst Edward Atorino")."""
    m = _FIRM_AFTER_RE.match(text, end)
    if m is None:
        return False
    after = _NEXT_WORD_RE.match(text, m.end())
    if after is None or not _is_role_word(after.group(1).lower()):
        return True
    then = _NEXT_WORD_RE.match(text, after.end())
    return then is not None and then.group(1)[0].isupper()


def _role_before(ctx: _DocCtx, cand: _Cand, run: _Run, i: int, floor: int) -> Role | None:
    """A title in front of the name, in its run ("CSTO Secretary General Taalatbek Masadykov") or just
    before it ("Bundesbank president Karl Otto Poehl", "Editor-in-Chief of the magazine “National Defense”
    Igor Korotchenko", "The president of Kazakhstan, Kassym-Jomart Tokayev,")."""
    if i == 0 and run.title is not None:
        return _with_acronym(ctx, run.title)  # "Sen. Bob Dole", "Wisconsin Rep. Toby Roth"
    word, punct = ctx.prev_of(run)
    lookback: list[_Word] = []
    # Only for the run's first name (floor 0): a title before the run belongs to that name, not a later one.
    if floor == 0 and ((punct and punct in _CLOSING_QUOTES) or (not punct and _titlish(word.lower()))):
        lookback = _lookback_words(ctx.text, run.start)
    before = run.infos[floor:i]
    if lookback or (before and any(x[0] == ROLE for x in before)):  # else no title here
        words = lookback + [_Word(info[1], info[0], info[2]) for info in before]
        role = _parse_role(words, tail="name")
        if role is not None:
            return _dated(ctx, _with_acronym(ctx, role))
    if i == 0 and punct == ",":
        return _role_before_comma(ctx, run.start, one_word=len(cand.words) == 1)
    return None


@lru_cache(maxsize=50_000)
def _titlish(low: str) -> bool:
    """Can a lowercase word end a title phrase before a name ("president", "former", "ministry")?"""
    return _is_role_word(low) or low in ROLE_MODIFIERS or low in ORG_NOUNS


def _clause_start(fragment: str) -> int:
    """Where the last clause of ``fragment`` starts: after its last clause-ending mark, else 0."""
    return max(map(fragment.rfind, _CLAUSE_END_MARKS)) + 1


def _lookback_words(text: str, run_start: int) -> list[_Word]:
    """Words before a run that may belong to its title phrase: back to a clause boundary, or a lowercase
    word that is neither a title, a connector nor an organisation noun, or an "and" that joins it to an
    earlier title ("Alexander Shpakovsky and Editor-in-Chief of ...")."""
    fragment = text[max(0, run_start - 200) : run_start]
    cut = _clause_start(fragment)
    words = _text_words(fragment[cut:])
    keep: list[_Word] = []
    for w in reversed(words):
        if w.low == "and" and (not keep or keep[-1].kind in (ROLE, MOD) or not w.text.islower()):
            break
        if w.text[0].islower() and w.kind not in (ROLE, MOD, CONN) and w.low not in ORG_NOUNS:
            break
        keep.append(w)
        if len(keep) >= MAX_WINDOW_WORDS:
            break
    keep.reverse()
    return keep if any(w.kind == ROLE for w in keep) else []


def _role_before_comma(ctx: _DocCtx, run_start: int, one_word: bool = False) -> Role | None:
    """ "The president of Kazakhstan, Kassym-Jomart Tokayev, declared": a title clause, a comma, the name."""
    text = ctx.text
    k = text.rfind(",", max(0, run_start - 4), run_start)
    fragment = text[max(0, k - 200) : k]
    cut = _clause_start(fragment)
    words = _text_words(fragment[cut:])
    if not words or len(words) > MAX_WINDOW_WORDS or not any(w.kind == ROLE for w in words):
        return None
    plural = next((k for k, w in enumerate(words) if w.kind == ROLE and _plural_title(w.low)), None)
    if plural is not None and (
        one_word or (words[-1].text[:1].isupper() and any(w.low == "of" for w in words[plural + 1 :]))
    ):
        # "Finance ministers of Britain, Canada, France", "The governors of Sao Paulo, Rio de Janeiro and
        # Minas Gerais": a list of places, not one holder
        return None
    role = _parse_role(words, tail="name", strict_pre=True)
    return _dated(ctx, _with_acronym(ctx, role)) if role is not None else None


def _judge_after(ctx: _DocCtx, cand: _Cand, run: _Run, i: int) -> None:
    """Evidence after the name: an apposition, "as"/"becomes" + title, a speech verb, ", who"."""
    text, end = ctx.text, cand.end
    if cand.possessive:
        return
    if text.startswith(",", end):
        clause = _clause_after(text, end + 1)
        role = None
        if clause and clause[0].low not in CLAUSE_OPENERS:
            role = _parse_role(clause[:MAX_CLAUSE_WORDS], tail="any")
        if (
            role is not None
            and _title_offset(clause) <= MAX_TITLE_OFFSET
            and not _heads_a_clause(text, end + 1)
        ):
            cand.role = cand.role or _dated(ctx, _with_acronym(ctx, role))
            cand.strong = True
            return
        if _WHO_AFTER_RE.match(text, end):
            cand.medium = True
        elif i == 0 and _said_before(ctx, run):
            cand.medium = True  # "..., said Paul Volcker, chairman" / "according to Zas,"
        return
    after = _NEXT_WORD_RE.match(text, end)
    following = after.group(1).lower() if after is not None else ""
    m = _AS_ROLE_RE.match(text, end) if following in _AS_FIRST else None
    if m is not None:
        clause = _clause_after(text, m.end())
        role = _parse_role(clause[:MAX_CLAUSE_WORDS], tail="any") if clause else None
        if role is not None and _title_offset(clause) <= 3:
            cand.role = cand.role or _dated(ctx, _with_acronym(ctx, role))
            cand.strong = True
            return
    # The long alternations are matched only when the word after the name can start them.
    m = _AFTER_RE.match(text, end) if following in _AFTER_FIRST else None
    if m is not None:
        pronoun = (m.group(1) or "").lower()
        if pronoun in OBJECT_PRONOUNS and not cand.strong:
            cand.vetoed = cand.firm = True  # "Merrill Lynch said it would ...": an organisation speaks
        elif pronoun in PERSON_PRONOUNS and not cand.employer:  # "Zimmer of Merrill Lynch said she"
            # But "Traders said he raised ..." beside "traders said" is the common noun, "he" another man.
            one_common = len(cand.words) == 1 and ctx.written_lowercase(cand.words[0])
            cand.strong, cand.medium = not one_common, one_common
        else:
            cand.medium = True
    elif i == 0 and text[end : end + 1] in (".", ";", "\n", "") and _said_before(ctx, run):
        cand.medium = True


def _heads_a_clause(text: str, pos: int) -> bool:
    """ "questions from Reuters, the Henley spokesman said ...", "an interview with Reuters, chairman G.
    Robert Durham said": the title after the comma is the subject of what follows (its own speech verb, or
    the name it is the title of), not an apposition of the name before the comma. Line breaks do not end
    the clause here: wire copy breaks its lines anywhere."""
    fragment = text[pos : pos + 160]
    cut = min((k for k in map(fragment.find, ",;:!?()") if k >= 0), default=len(fragment))
    end = _FULL_STOP_RE.search(fragment, 0, cut)
    words = _text_words(fragment[: end.start() if end else cut])
    k = _title_offset(words)
    while k + 1 < len(words) and words[k + 1].kind in (ROLE, MOD):
        k += 1
    if k + 1 >= len(words):
        return False
    following = words[k + 1]
    if _is_speech_verb(following) or following.kind in (NAME, INITIAL, HON):
        return True
    # ", chairman of both Michael Miles said": further on, a name with its own speech verb
    rest = words[k + 1 :]
    return any(w.kind == NAME and _is_speech_verb(nxt) for w, nxt in pairwise(rest))


def _is_speech_verb(word: _Word) -> bool:
    return word.low.rstrip(".") in _SPEECH_WORDS  # "said." at a sentence's end


def _said_before(ctx: _DocCtx, run: _Run) -> bool:
    word, punct = ctx.prev_of(run)
    if punct:
        return False
    low = word.lower()
    if low in ("said", "says", "told", "quoted", "сказал", "заявил"):
        return True
    return low == "to" and ctx.text[max(0, run.start - 14) : run.start].lower().rstrip().endswith(
        "according to"
    )


def _title_offset(words: Sequence[_Word]) -> int:
    return next((k for k, w in enumerate(words) if w.kind == ROLE), len(words))


def _clause_after(text: str, pos: int) -> list[_Word]:
    fragment = text[pos : pos + 200]
    m = _CLAUSE_END_RE.search(fragment, 1)
    return _text_words(fragment[: m.start()] if m else fragment)


def _with_acronym(ctx: _DocCtx, role: Role) -> Role:
    """Prefer the acronym a document defines for an organisation: "Collective Security Treaty Organization
    (CSTO)" is stored as "CSTO", so the roles of different documents compare."""
    if role.org is None:
        return role
    if ctx.acronyms is None:
        ctx.acronyms = {}
        # The definition pattern is slow over a whole text; most texts have no "(ABC)" to define at all.
        for m in _ACRONYM_DEF_RE.finditer(ctx.text) if _ACRONYM_PAREN_RE.search(ctx.text) else ():
            ctx.acronyms[" ".join(m.group(1).split()).lower()] = m.group(2)
    org = role.org.lower()
    acronym = ctx.acronyms.get(org) or next((a for lf, a in ctx.acronyms.items() if lf.endswith(org)), None)
    return Role(role.title, acronym, role.date, role.former) if acronym else role


def _judge_parenthesised(ctx: _DocCtx, cand: _Cand) -> None:
    """ "the Special Representatives of the UN Secretary-General on Afghanistan (R. Otunbayeva) and Central
    Asia (K. Imnadze)": the first title before the parentheses covers the coordinated ones too."""
    sentence_start, _ = _sentence_bounds(ctx, cand.start, cand.end)
    for pos, role in reversed(ctx.paren_roles):
        if pos >= sentence_start:
            cand.role, cand.strong = role, True
            ctx.paren_roles.append((cand.start, role))
            return
    words = _text_words(ctx.text[max(sentence_start, cand.start - 160) : cand.start - 1])[-14:]
    for k, w in enumerate(words):
        if w.kind == ROLE:
            lo, hi = _title_span(words, k)
            found = _role_from(words[lo:], 0, hi - lo, tail="any", strict_pre=False)
            if found is not None:
                cand.role, cand.strong = _dated(ctx, found), True
                ctx.paren_roles.append((cand.start, cand.role))
            return


def _dated(ctx: _DocCtx, role: Role) -> Role:
    return Role(role.title, role.org, ctx.published, role.former)
