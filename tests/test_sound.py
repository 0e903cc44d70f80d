"""Spelling by sound (issue 18): names typed as the Russian press writes them, or in another romanization
system, find the usual English form (bot/search/sound.py), over small corpora of our own."""

from __future__ import annotations

import pytest

from bot.search.memory import MemoryIndex
from bot.search.query import parse_query
from bot.search.sound import query_spellings, read_back, sound_key, sound_spelling, transcribed_spellings
from bot.textnorm import fold, to_ascii

NEWS = [
    "Prime Minister Margaret Thatcher said the election would be held in June.",
    "Bundesbank president Karl Otto Poehl said interest rates would not change.",
    "Chancellor of the Exchequer Nigel Lawson presented the budget on Tuesday.",
    "French Prime Minister Jacques Chirac met farmers in Paris.",
    "Chinese Premier Zhao Ziyang said reforms would continue.",
    "Senior leader Deng Xiaoping received the delegation in Beijing.",
    "Soviet Prime Minister Nikolai Ryzhkov visited the plant.",
    "Russian President Boris Yeltsin signed the decree.",
    "Finance Minister Noboru Takeshita spoke in Tokyo.",
    "South Korean presidential candidate Roh Tae-woo promised elections.",
    "President Chun Doo-hwan named a new cabinet.",
    # words that sound or look a little like the names, and must not come first
    "The teacher said the school would open in June.",
    "A pool of buyers said the price of coal would fall.",
    "The lesson of the season: shares rose on Tuesday.",
    "A shirt maker said it would rack up more sales.",
    "Dens of thieves were shown on television.",
    "There was no change in the level of the Tae river.",
    "Jeon Hwan bought a bakery on Main Street.",
]


@pytest.fixture(scope="module")
def index() -> MemoryIndex:
    idx = MemoryIndex()
    idx.add_many([(i, text.split(" said")[0], text, None) for i, text in enumerate(NEWS)])
    return idx


def first(index: MemoryIndex, query: str) -> str:
    hits = index.search(parse_query(query)).hits
    assert hits, query
    return NEWS[hits[0].doc_id]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Тэтчер", "Thatcher"),
        ("Пёль", "Poehl"),
        ("Лоусон", "Lawson"),
        ("Ширак", "Chirac"),
        ("Чжао Цзыян", "Zhao Ziyang"),  # Palladius
        ("Дэн Сяопин", "Deng Xiaoping"),
        ("Рыжков", "Ryzhkov"),
    ],
)
def test_a_name_as_the_russian_press_writes_it_finds_the_english_spelling(
    index: MemoryIndex, query: str, name: str
) -> None:
    assert name in first(index, query)


@pytest.mark.parametrize(
    ("system", "query", "name"),
    [
        ("German Duden", "Jelzin", "Yeltsin"),
        ("German Duden", "Ryschkow", "Ryzhkov"),
        ("German", "Pöhl", "Poehl"),
        ("French", "Ryjkov", "Ryzhkov"),
        ("French", "Eltsine", "Yeltsin"),
        ("Wade-Giles", "Chao Tzu-yang", "Zhao Ziyang"),
        ("Wade-Giles", "Teng Hsiao-ping", "Deng Xiaoping"),
        ("Kunrei-shiki", "Takesita", "Takeshita"),
        ("McCune-Reischauer / Revised", "No Tae-u", "Roh Tae-woo"),
        ("Revised Romanization", "Jeon Du-hwan", "Chun Doo-hwan"),
    ],
)
def test_a_name_in_another_romanization_finds_its_usual_english_form(
    index: MemoryIndex, system: str, query: str, name: str
) -> None:
    assert name in first(index, query), system


def test_sound_keys_join_the_systems_spellings() -> None:
    def key(word: str, typed: str | None = None) -> str:
        return sound_key(query_spellings(typed or word, fold(to_ascii(word)))[0])

    assert key("тэтчер") == key("thatcher")
    assert key("ширак") == key("chirac")
    assert key("лоусон") == key("lawson")
    assert key("takesita") == key("takeshita")
    assert key("huzioka") == key("fujioka")
    assert key("kiiti") == key("kiichi")
    assert sound_key(sound_spelling(fold("ryschkow"))) == sound_key(sound_spelling(fold("ryjkov")))


def test_a_word_the_corpus_has_is_not_replaced_by_sound(index: MemoryIndex) -> None:
    # "teacher" is in the corpus as typed: no sound-alike (Thatcher) is offered for it
    hits = index.search(parse_query("teacher")).hits
    assert [NEWS[h.doc_id] for h in hits] == [NEWS[11]]


def test_a_latin_word_far_from_any_name_stays_unmatched(index: MemoryIndex) -> None:
    # a typed word that only roughly sounds like a name is a typo, not another romanization
    result = index.search(parse_query("thtchrsn"))
    assert result.hits == [] and result.unmatched_words == ("thtchrsn",)


# Names whose sounds the Russian press writes by practical transcription, not letter by letter, beside
# English words their transliteration or a near spelling is.
FOREIGN = [
    "Treasury Secretary James Baker said the dollar was stable.",
    "Publisher Rupert Murdoch said he would buy the newspaper.",
    "Yugoslav Prime Minister Branko Mikulic said prices would be frozen.",
    "Argentine Economy Minister Juan Sourrouille said inflation would fall.",
    "Siemens chairman Heinrich Neumann said orders rose.",
    "Chancellor Helmut Kohl said the coalition would hold.",
    "Italian Foreign Trade Minister Renato Longhi said exports rose.",
    # English words the names sound or are transliterated like
    "The bakery on Main Street sold more bread.",
    "Farmers said the long winter hurt the crop of kol beans.",
    "The long strike ended after a long week of talks.",
    "Oil prices rose on Tuesday as supplies fell.",
]


@pytest.fixture(scope="module")
def foreign() -> MemoryIndex:
    idx = MemoryIndex()
    idx.add_many([(i, text.split(" said")[0], text, None) for i, text in enumerate(FOREIGN)])
    return idx


@pytest.mark.parametrize(
    ("rule", "query", "name"),
    [
        ("English ch heard as k", "Мердок", "Murdoch"),
        ("French ou as у, -ille as й", "Суруй", "Sourrouille"),
    ],
)
def test_a_name_read_back_through_russian_practical_transcription(
    foreign: MemoryIndex, rule: str, query: str, name: str
) -> None:
    hits = foreign.search(parse_query(query)).hits
    assert hits and name in FOREIGN[hits[0].doc_id], rule


def test_a_cyrillic_name_transliterated_as_an_english_word_finds_the_name_first(
    foreign: MemoryIndex,
) -> None:
    # "long" is in the corpus, but only in Latin letters: the transliteration of "Лонги" is one guess at
    # the name among its sound-alikes, and a dictionary word at that, not the word as typed
    hits = foreign.search(parse_query("Лонги")).hits
    assert hits and "Longhi" in FOREIGN[hits[0].doc_id]


def test_a_russian_word_the_lexicon_translates_is_not_read_as_a_name(foreign: MemoryIndex) -> None:
    hits = foreign.search(parse_query("нефть")).hits
    assert hits and "Oil prices" in FOREIGN[hits[0].doc_id]


def test_french_ou_and_silent_ille_read_back_give_the_french_spelling() -> None:
    # Сурруй/Суруй is Sourrouille: у for ou, й for a final -ille whose l is not heard
    assert sound_spelling(fold("sourrouille")) in transcribed_spellings("суруй")
    assert transcribed_spellings("sourrouille") == ()


# Names the Russian press writes by the foreign language's spelling rules, beside words and names that sound
# as much or more alike and are said more often: only reading the word back letter for letter tells them.
READ_BACK = [
    "Italian central bank governor Carlo Ciampi said rates would hold.",
    "Copper exports from Zambia rose, the Zambia kwacha fell and Zambia paid its debts.",
    "Irish Prime Minister Charles Haughey said the budget would be cut.",
    "Live hog futures rose as hog prices and hog supplies climbed.",
    "West German Agriculture Minister Ignaz Kiechle said farm aid would come.",
    "Six miners were killed and three were killed later, the owner Kyle Smith said.",
    "President Francois Mitterrand said France would back the plan.",
    "Club Mediterranee said Club Mediterranee resorts filled and Club Mediterranee paid more.",
]


@pytest.fixture(scope="module")
def read_back_corpus() -> MemoryIndex:
    idx = MemoryIndex()
    idx.add_many([(i, text.split(" said")[0], text, None) for i, text in enumerate(READ_BACK)])
    return idx


@pytest.mark.parametrize(
    ("rule", "query", "name"),
    [
        ("Italian ci before a vowel", "Чампи", "Ciampi"),
        ("English augh, final ey", "Хоги", "Haughey"),
        ("German ie and ch", "Кихле", "Kiechle"),
        ("French final -and", "Миттеран", "Mitterrand"),
    ],
)
def test_a_name_read_back_letter_for_letter_outranks_its_sound_alikes(
    read_back_corpus: MemoryIndex, rule: str, query: str, name: str
) -> None:
    hits = read_back_corpus.search(parse_query(query)).hits
    assert hits and name in READ_BACK[hits[0].doc_id], rule


def test_read_back_gives_the_foreign_spellings() -> None:
    assert "ciampi" in read_back("чампи")
    assert fold("haughey") in read_back("хоги")
    assert fold("kiechle") in read_back("кихле")
    assert fold("mitterrand") in read_back("миттеран")
    assert read_back("ciampi") == ()


def test_once_read_back_to_a_name_the_words_sound_alikes_count_less(read_back_corpus: MemoryIndex) -> None:
    # "Миттеран" reads back as Mitterrand (French -and); Mediterranee only sounds like it, three times over
    hits = read_back_corpus.search(parse_query("Миттеран")).hits
    assert [h.doc_id for h in hits] == [6, 7] and hits[1].score < 0.5 * hits[0].score
