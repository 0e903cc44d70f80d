"""What the people tests share: a console caller, a /who card, an index of small texts (a conftest, so that
pytest rewrites the asserts in them)."""

from __future__ import annotations

from datetime import date

from bot.commands import Caller, Commands
from bot.commands.replies import WhoReply
from bot.people import PeopleIndex, extract


def caller() -> Caller:
    return Caller(transport="console")


def card(commands: Commands, query: str) -> WhoReply:
    reply = commands.handle(f"/who {query}", caller())
    assert isinstance(reply, WhoReply) and reply.kind == "person", (query, reply)
    return reply


def index_by_day(docs: list[tuple[int, str]]) -> PeopleIndex:
    """An index of small texts, document ``k`` published on 1987-03-``k``."""
    index = PeopleIndex()
    for doc_id, text in docs:
        index.add_document(doc_id, date(1987, 3, doc_id), extract(text, date(1987, 3, doc_id)))
    return index
