"""Country names, in English and Russian: a capitalised phrase that names a country is never a person.

The people extractor decides on evidence around a name, and a country collects the same evidence as a
person: "Japan said", "Belgium is current president", "Taiwan, one of the ADB's founders". On
Reuters-21578 that made "Japan" a person of 59 documents. Evidence cannot tell them apart; a list can.
The list is ISO 3166 (current and historic countries) as ``pycountry`` carries it, with its Russian
translations, plus the short forms news copy writes ("Britain", "W. Germany", "South Korea") that the
standard's names ("United Kingdom", "Korea, Republic of") are not.

The cost is a name that is also a country ("Jordan said" about a man called Jordan): such a mention is
lost unless the document gives the full name ("Michael Jordan"), which is no country.
"""

from __future__ import annotations

import gettext
from functools import cache, lru_cache

import pycountry
from countryinfo import CountryInfo

# Short and older forms in news copy that ISO 3166 does not list under these spellings.
_EXTRA_EN = (
    "Britain",
    "Great Britain",
    "England",
    "Scotland",
    "Wales",
    "Holland",
    "Russia",
    "Soviet Union",
    "West Germany",
    "East Germany",
    "W. Germany",
    "E. Germany",
    "South Korea",
    "North Korea",
    "Iran",
    "Syria",
    "Vietnam",
    "Laos",
    "Bolivia",
    "Venezuela",
    "Tanzania",
    "Moldova",
    "Macedonia",
    "Czech Republic",
    "Ivory Coast",
    "Burma",
    "Zaire",
    "Vatican",
    "Palestine",
    "Taiwan",
    "Kirghizia",
    "Turkey",
)
_EXTRA_RU = (
    "Россия",
    "Великобритания",
    "Англия",
    "США",
    "Южная Корея",
    "Северная Корея",
    "Иран",
    "Сирия",
    "Молдавия",
    "Киргизия",
    "Белоруссия",
    "СССР",
    "Кыргызстан",
    "Турция",
)


def place_key(name: str) -> str:
    """The form names are compared in: case, "ё" and spacing do not matter."""
    return " ".join(name.casefold().replace("ё", "е").split())


@cache
def _country_keys() -> frozenset[str]:
    english: set[str] = set(_EXTRA_EN)
    for country in [*pycountry.countries, *pycountry.historic_countries]:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                english.add(value)
                english.add(value.split(",")[0])  # "Korea, Republic of" -> "Korea"
    names = set(english) | set(_EXTRA_RU)
    try:
        russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    except OSError:  # a pycountry build without its translations: English only
        russian = None
    if russian is not None:
        for value in english:
            names.add(russian.gettext(value))
    return frozenset(place_key(n) for n in names)


@lru_cache(maxsize=50_000)
def is_country(name: str) -> bool:
    """Is ``name`` (as written, any case) the name of a country?"""
    return place_key(name) in _country_keys()


# News copy's forms of a country that countryinfo does not list under it: Cold War states, short adjectives.
# (country, nouns, adjectives); a country named here that countryinfo lacks is a country of its own.
_NEWS_FORMS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("United States", ("U.S.", "U.S.A.", "US", "USA", "America"), ("American",)),
    ("United Kingdom", ("U.K.", "UK", "Britain", "England"), ("British",)),
    ("West Germany", ("West Germany", "W. Germany"), ("West German", "W. German")),
    ("East Germany", ("East Germany", "E. Germany"), ("East German", "E. German")),
    ("Soviet Union", ("Soviet Union", "USSR", "U.S.S.R."), ("Soviet",)),
    ("Argentina", (), ("Argentine", "Argentinian")),
    ("Philippines", (), ("Philippine",)),
    ("Saudi Arabia", (), ("Saudi",)),
    ("Netherlands", ("Holland",), ()),
)


@cache
def _country_forms() -> dict[str, tuple[str, bool]]:
    """Each way a country is named (``place_key``), to the country's name and whether it is the adjective:
    "japanese" -> ("Japan", True), "u.s." -> ("United States", False). A form two countries share goes to
    the more populous ("Indian" is India's, not the British Indian Ocean Territory's)."""
    forms: dict[str, tuple[str, bool]] = {}
    for name, nouns, adjectives in _NEWS_FORMS:
        forms.update({place_key(n): (name, False) for n in nouns})
        forms.update({place_key(a): (name, True) for a in adjectives})
    countries = sorted(CountryInfo.all().values(), key=lambda c: -(c.get("population") or 0))
    for country in countries:
        name = country["name"]
        # Codes ("JP", "JPN") are left out: as an organisation "IT" or "AND" is no country.
        alternatives = country.get("altSpellings", ())
        for noun in (name, *(a for a in alternatives if not (a.isupper() and len(a) <= 3))):
            forms.setdefault(place_key(noun), (name, False))
        for adjective in (country.get("demonym") or "").split(","):
            if adjective.strip():
                forms.setdefault(place_key(adjective), (name, True))
    return forms


@lru_cache(maxsize=10_000)
def country_named(name: str) -> tuple[str, bool] | None:
    """The country that ``name`` (a role's organisation as stated) names, and whether it does so by its
    adjective: "Japanese", "Japan" and "Nippon" are all Japan; "U.S." and "United States" one country.
    A card shows "Prime Minister, Japanese" and "Prime Minister, Japan" as one post."""
    return _country_forms().get(place_key(name))
