"""Extraction: decisions within one document. Each candidate is kept or not on its evidence, and a
bare surname is attributed to the full name the same document gives it."""

from __future__ import annotations

from collections import defaultdict

from bot.people.document import _Cand, _DocCtx, _sentence
from bot.people.model import _STRENGTH, SPEECH, STATED, WEAK, Mention, role_key
from bot.people.names import _same_in_text, _surname_key, english_first_name
from bot.people.places import is_country
from bot.people.words import NAME


def _resolve(
    ctx: _DocCtx,
    cands: list[_Cand],
    caps_words: list[tuple[int, str]],
    weak_caps: list[tuple[int, int, str, str]],
) -> list[Mention]:
    """Decide each candidate, then attribute bare surnames to the full names the document gives them.

    A one-word name needs strong evidence; two words a speech verb will do, except in a Title Case
    headline. A name seen anywhere in the document with an organisation cue ("Merrill Lynch Capital
    Markets") gets no benefit of the doubt from a speech verb elsewhere.
    """
    vetoed = {" ".join(c.words) for c in cands if c.vetoed}
    firm_starts = {c.words[0] for c in cands if c.firm}  # "Mr. Jax said" beside "Mr. Jax Fashions Inc"
    accepted: list[_Cand] = []
    weak: set[int] = set()
    for c in cands:
        c.name = " ".join(c.words)
        if c.vetoed or c.place:  # a country is at most the surname of a full name, below
            continue
        if c.strong and not (c.courtesy and (c.name in vetoed or c.words[0] in firm_starts)):
            accepted.append(c)
        elif c.medium and not c.employer and c.name not in vetoed:
            if len(c.words) >= 2 and not ctx.in_title_line(c.start):
                accepted.append(c)
            elif len(c.words) >= 2 or not ctx.written_lowercase(c.words[0]):
                weak.add(id(c))  # but "Traders said ..." next to "traders expect" is the common noun
        elif c.given and c.name not in vetoed:
            # "cases involving Ivan Boesky, Dennis Levine and others", "the nomination of Alan Greenspan":
            # no evidence here, but the shape of a full name. Weak: it never starts a person, only joins
            # one that other documents establish (so "analysts of Morgan Stanley" makes nobody).
            weak.add(id(c))
    full: dict[str, list[_Cand]] = defaultdict(list)
    for c in accepted:
        full[_surname_key(c.surname)].append(c)
    targets = [(c, _fullest(c, full)) for c in accepted]
    level: dict[str, str] = {}
    for c, target in targets:
        mine = STATED if c.strong else SPEECH
        for name in (target, c.name):
            if _STRENGTH[mine] > _STRENGTH[level.get(name, WEAK)]:
                level[name] = mine
    chosen = [(c, target, level[target]) for c, target in targets]
    taken = {id(c) for c in accepted}
    family = {_surname_key(f.given[0]) for f in accepted if f.given}  # first words of the full names
    for c in cands if full else ():  # without a full name in the document, only the weak ones are kept
        if id(c) in taken:
            continue
        options = full.get(_surname_key(c.surname))
        # A fuller name is not folded into a bare one: "President Reagan" does not make "Nancy Reagan" him.
        options = [f for f in options or () if f.given or not c.given]
        if options and any(_same_in_text(c.given, f.given) for f in options):
            target = _fullest(c, full)
            # "Masadikov emphasized", "the Reagan administration"; but "Canada's" does not follow from
            # "Statistics Canada said": a bare surname needs a stated name or a speech verb of its own.
            # A country's name too, once the text gives it as a surname: "Jerry Jordan ... Jordan expects".
            if level[target] == STATED or id(c) in weak or c.name == target or (c.place and c.medium):
                chosen.append((c, target, level[target]))
        elif (
            len(c.words) == 1
            and _surname_key(c.words[0]) in family
            and (target := _fullest(c, full)) != c.name
            and level[target] == STATED
        ):
            chosen.append((c, target, level[target]))  # "Zhao said", after "Premier Zhao Ziyang"
        elif id(c) in weak:
            chosen.append((c, c.name, WEAK))
    if not full:
        chosen.extend((c, c.name, WEAK) for c in cands if id(c) in weak)
        caps_words = []
    for pos, word in caps_words:
        key = _surname_key(word.title())
        if len(word) >= 2 and (key in full or key in family):
            probe = _Cand([word.title()], [NAME], pos, pos + len(word))
            target = _fullest(probe, full)  # a surname of the text, or a family name written first
            if target == probe.name and not (len(word) >= 3 and key in full):
                continue
            if level[target] == STATED:
                chosen.append((probe, target, STATED))
    for s, e, word, evidence in weak_caps:
        if is_country(word):
            continue  # "JAPAN SAYS ..."
        if not any(c.start <= s < c.end for c, _, _ in chosen):
            chosen.append((_Cand([word], [NAME], s, e), word, evidence))
    return _mentions(ctx, chosen)


def _fullest(c: _Cand, full: dict[str, list[_Cand]]) -> str:
    """The fullest compatible name of the same surname in the document (one stated in the same post, if the
    mention states one): the nearest one before the mention, else the first after it."""
    options = [f for f in full.get(_surname_key(c.surname), ()) if _same_in_text(c.given, f.given)]
    if not options and len(c.words) == 1 and len(c.words[0]) >= 2 and c.words[0].isalpha():
        # "Chinese Premier Zhao Ziyang said ... Zhao said": a family name written first (not "Lee", which
        # is also an English first name, and only if one full name of the text starts so).
        key = _surname_key(c.words[0])
        options = [
            f
            for fs in full.values()
            for f in fs
            if f.given and _surname_key(f.given[0]) == key and not english_first_name(f.given[0])
        ]
        if len({f.name for f in options}) != 1:
            return c.name
    if not options:
        return c.name
    if c.role is not None:
        # "Treasury Secretary Baker" is the Baker the text calls Treasury Secretary, not the nearer Howard.
        title = role_key(c.role.title)
        same = [f for f in options if f.given and f.role is not None and role_key(f.role.title) == title]
        options = same or options

    def richness(f: _Cand) -> int:
        return len([g for g in f.given if not g.endswith(".")]) * 2 + len(f.given)

    best = max(richness(f) for f in options)
    options = [f for f in options if richness(f) == best]
    before = [f for f in options if f.start <= c.start]
    return (before[-1] if before else options[0]).name


def _mentions(ctx: _DocCtx, chosen: list[tuple[_Cand, str, str]]) -> list[Mention]:
    chosen.sort(key=lambda x: (x[0].start, -x[0].end))
    out: list[Mention] = []
    last_end = -1
    for c, name, evidence in chosen:
        if c.start < last_end:
            continue
        last_end = c.end
        out.append(
            Mention(
                name=name,
                surface=ctx.text[c.start : c.end],
                start=c.start,
                end=c.end,
                sentence=_sentence(ctx, c.start, c.end) if ctx.want_sentences else "",
                role=c.role,
                evidence=evidence,
            )
        )
    return out
