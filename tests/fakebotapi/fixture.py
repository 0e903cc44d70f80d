"""The pytest fixture ``botapi``: one started :class:`FakeBotApi` per test, checked at teardown."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakebotapi.server import FakeBotApi


@pytest_asyncio.fixture(name="botapi")
async def botapi_fixture() -> AsyncIterator[FakeBotApi]:
    """A started :class:`FakeBotApi` for one test, stopped at teardown.

    Teardown fails the test if the fake crashed or (``strict``) the bot called an unknown method, because
    PTB turns such 404s into ``InvalidToken`` errors that handlers might swallow.  Make it available with
    ``from tests.fakebotapi import botapi  # noqa: F401`` in a test module or ``conftest.py``.
    """
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
    problems = api.problems()
    if problems:
        raise AssertionError("FakeBotApi problems:\n  " + "\n  ".join(problems) + "\n" + api.report())


botapi = botapi_fixture
"""The same fixture under its own name, for ``from tests.fakebotapi import botapi`` in ``conftest.py``.

In a *test* module import ``botapi_fixture`` instead: ruff reports F811 when a test parameter shadows an
imported name.
"""
