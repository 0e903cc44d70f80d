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
