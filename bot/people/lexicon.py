"""The word lists and patterns the extractor reads text with.

The lists are of *kinds of words* (titles, organisation heads, function words), never of names: a person
nobody listed is found by the evidence around the name (see ``bot.people``). Each list says why it exists;
they stay in Python, next to their reasons, because they are short.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
