"""/ask, and every question asked elsewhere (a private chat, the console, /search): the /who answer for a
question about a post or a person, else the documents and the one passage that best answers it.

"Кто генсек ОДКБ?" and "who is the CSTO secretary general?" ask for a post's holders; "кто такой
Масадыков?" and "когда Масадыков стал генсеком?" for a person, whose card says what posts they held and
since when; "what did Zas say at Valdai?" is about something said, which only the documents answer.
The question words never reach the search or the people index (``questions.py``).
"""

from __future__ import annotations

from bot.commands.caller import Caller
from bot.commands.questions import PERSON_LINKS, content_words
from bot.commands.replies import Reply, TextReply
from bot.commands.search import SearchCommands
from bot.commands.who import MAX_WHO_QUERY, WhoCommands
from bot.core import Dossier
from bot.i18n import Msg
from bot.people.index import is_title_word
from bot.texts import ASK_EXAMPLE, ASK_HOW

MAX_NAME_WORDS = 4  # a full name with a patronymic; more words than that ask about something else
SURE_NAME = 85.0  # a /who name score (0-100) that takes the question to be about that person


class AskCommands:
    def __init__(self, dossier: Dossier, search: SearchCommands, who: WhoCommands) -> None:
        self.dossier = dossier
        self.search_commands = search
        self.who_commands = who

    def ask(self, args: str, caller: Caller | None = None, paged: bool = False) -> Reply:
        text = " ".join(args.split())
        if not text:
            return TextReply.of(Msg(ASK_HOW, example=Msg(ASK_EXAMPLE)), error=True)
        words = content_words(text)
        if words and ":" not in text and '"' not in text:  # operators and phrases are for documents
            answer = self._who_answer(words)
            if answer is not None:
                return answer
        return self.search_commands.search(text, caller=caller, paged=paged, question=True)

    def _who_answer(self, words: list[str]) -> Reply | None:
        """The /who answer when the question is about a post (all its words name one: the post's
        holders) or a person (its words are a name, perhaps with a post and "became": their card)."""
        phrase = " ".join(words)
        if len(phrase) > MAX_WHO_QUERY:
            return None
        matches = self.dossier.who(phrase, limit=1)
        if matches and matches[0].kind == "role":
            return self.who_commands.who(phrase)
        names = [w for w in words if w.lower() not in PERSON_LINKS and not is_title_word(w)]
        if not names or len(names) > MAX_NAME_WORDS:
            return None
        name = " ".join(names)
        matches = self.dossier.who(name, limit=1)
        if matches and matches[0].kind == "name" and matches[0].score >= SURE_NAME:
            return self.who_commands.who(name)
        return None
