"""/who: a person's card, a role's holders, close matches to pick from, or the nearest names."""

from __future__ import annotations

from bot.commands.replies import PersonEntry, Reply, TextReply, WhoReply
from bot.core import Dossier
from bot.i18n import N_, NP_, Msg
from bot.people import Person, RoleRecord
from bot.people.cards import CLEAR_LEAD, dominates

MAX_WHO_QUERY = 120  # longer than any name with its title: a pasted paragraph, not a question
CARD_SENTENCES = 10  # documents on a person's card that come with the sentence naming them
MAX_CHOICES = 8
MAX_HOLDERS = 12
PEOPLE_BROKEN = N_("The people index could not be built: {failure}.")
PEOPLE_BROKEN_HINT = N_(
    "/who cannot answer until that is repaired; the error is in the bot's log for its admins."
)
WHO_HELP = N_(
    "Ask with a name in any spelling (/who Masadykov, /who Масадыков, /who zas) "
    "or a role (/who secretary general)."
)
WHOM = N_("Whom are you looking for?")
# TRANSLATORS: English writes {n:,} for "1,234"; write {n} (no separator) or {n:,} as you prefer.
TOO_LONG = NP_(
    "That is {n:,} character, too long for a name or a role.",
    "That is {n:,} characters, too long for a name or a role.",
)
NO_LETTERS = N_("“{text}” has no letters, so it names no one.")
ONE_LETTER = N_("One letter could be anyone: give at least two.")


class WhoCommands:
    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier

    def who(self, args: str) -> Reply:
        """``/who <name or role>``: a person's card, a role's holders in date order, a short list of close
        matches, or nobody with the nearest names. Bad input is explained, never searched."""
        query = " ".join(args.split())
        if not query:
            return TextReply.of(Msg(WHOM), Msg(WHO_HELP), error=True)
        if len(query) > MAX_WHO_QUERY:
            return TextReply.of(Msg(TOO_LONG, n=len(query)), Msg(WHO_HELP), error=True)
        letters = sum(ch.isalpha() for ch in query)
        if letters == 0:
            return TextReply.of(Msg(NO_LETTERS, text=query[:40]), Msg(WHO_HELP), error=True)
        if letters < 2:
            return TextReply.of(Msg(ONE_LETTER), Msg(WHO_HELP), error=True)
        broken = self._people_unavailable()
        if broken is not None:
            return broken
        matches = self.dossier.who(query, limit=200)
        if not matches:
            return WhoReply(query, "none", suggestions=tuple(self.dossier.suggest_people(query)))
        if matches[0].kind == "role":
            shown = matches[-MAX_HOLDERS:]  # the latest holders: oldest first, the newest last
            entries = tuple(self._entry(m.person, roles=m.roles) for m in shown)
            return WhoReply(query, "role", entries, earlier=len(matches) - len(shown))
        close = [m for m in matches if matches[0].score - m.score < CLEAR_LEAD][:MAX_CHOICES]
        top = close[0].person
        if len(close) == 1 or dominates(top, close[1].person):
            others = tuple(m.person for m in close[1:])
            return WhoReply(query, "person", (self._entry(top, CARD_SENTENCES),), others=others)
        return WhoReply(query, "choices", tuple(self._entry(m.person) for m in close))

    def who_pick(self, key: str) -> Reply:
        """A pick button (``w:<key>``): that person's card. A key that no longer names a listed person
        (the corpus changed the canonical spelling) is asked again as a name."""
        person = self.dossier.person(key)
        if person is not None:
            return WhoReply(person.name, "person", (self._entry(person, CARD_SENTENCES),))
        return self.who(key.split("#")[0])

    def who_all(self) -> Reply:
        """Every person (``python -m bot who --all``), the most documented first."""
        broken = self._people_unavailable()
        if broken is not None:
            return broken
        return WhoReply("", "choices", tuple(self._entry(p) for p in self.dossier.all_people()))

    def _people_unavailable(self) -> TextReply | None:
        """When the people index could not be built (a damaged store), say so: an empty index would
        answer "No one called …" for everyone, which is wrong and silent."""
        failure = self.dossier.people_failure()
        if failure is None:
            return None
        return TextReply.of(Msg(PEOPLE_BROKEN, failure=failure), Msg(PEOPLE_BROKEN_HINT), error=True)

    def _entry(self, person: Person, sentences: int = 0, roles: tuple[RoleRecord, ...] = ()) -> PersonEntry:
        return PersonEntry(person, tuple(self.dossier.person_documents(person, sentences)), roles)
