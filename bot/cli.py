"""``python -m bot``: the bot, the local console, search from the shell, and the benchmark contract.

Bare ``python -m bot`` runs the Telegram bot when ``TELEGRAM_BOT_TOKEN`` is set and the local console
otherwise, so a newcomer gets something to talk to with no setup at all.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from bot.commands import Caller, Commands
from bot.commands.replies import TextReply
from bot.core import Dossier
from bot.datalock import DataFolderBusy, lock_data_folder
from bot.errors import StoreError
from bot.health import Health
from bot.i18n import N_, SUPPORTED, Language, script_language, translator
from bot.logsafe import mask_secrets
from bot.metrics import Metrics
from bot.metrics_server import serving
from bot.models import Progress
from bot.render_text import render, search_json, who_json
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")


def _progress_bar(label: str) -> Progress | None:
    """A one-line progress bar on a terminal; on anything else progress goes to the log instead."""
    if not sys.stderr.isatty():
        return lambda done, total, name: log.info("%s: %d/%d", label, done, total) if done == total else None

    def show(done: int, total: int, name: str) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def open_dossier(
    settings: Settings, scan: bool = True, metrics: Metrics | None = None, beside: bool = False
) -> Dossier:
    """The Dossier for these settings, with the corpus folder scanned for new and changed files (always
    when ``scan``, else only when the store is still empty: a first start should not answer "nothing").

    The data folder is taken for this process (``bot.datalock``), unless ``beside``: a process that only
    adds documents (``python -m bot ingest``) may run beside the bot, which applies what it stores to its
    indexes within a second or two (``Dossier.catch_up``; SQLite's WAL lets the two write in turn). Such a
    process takes the folder when it is free; when a bot holds it, it writes no index files there (the
    bot owns them: two processes writing one folder's index files collide).

    ``metrics``: where it counts its work (the running bot's, served on ``DOSSIER_METRICS_PORT``)."""
    settings.check_paths()
    bot_beside = False
    if not beside:
        lock_data_folder(settings.data_dir)
    else:  # taken when free, so that the index this process builds is kept for the next start
        try:
            lock_data_folder(settings.data_dir)
        except DataFolderBusy:
            bot_beside = True
    dossier = Dossier.open(
        settings.data_dir,
        progress=_progress_bar("Building the index"),
        db_path=settings.db_path,
        database_url=settings.store_url,
        metrics=metrics,
        writes_snapshots=not bot_beside,  # the running bot owns the folder's index files
    )
    if scan or not len(dossier):
        report = dossier.scan_corpus(settings.corpus_dir, progress=_progress_bar("Reading the corpus"))
        if report.outcomes:
            log.info("corpus scan: %s", report.summary())
    return dossier


def cli_language(commands: Commands, args: argparse.Namespace, words: str = "") -> Language:
    """The language of a CLI command's output, chosen as for every reply (``Commands.language_for``):
    ``--lang``, else the language of the query's words (``who Масадыков`` answers in Russian), else
    ``DOSSIER_DEFAULT_LANGUAGE``."""
    caller = Caller(transport="cli", language=getattr(args, "lang", None), written_in=script_language(words))
    return commands.language_for(caller)


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    dossier = open_dossier(settings)
    text = " ".join(args.query)
    commands = Commands(dossier, settings)
    reply = commands.search(text, page_size=args.limit)
    lang = cli_language(commands, args, text)
    if args.json:
        print(json.dumps(search_json(reply, text, lang), ensure_ascii=False, indent=2))
    else:
        print(render(reply, lang, color=sys.stdout.isatty()))
    return 0


def cmd_who(settings: Settings, args: argparse.Namespace) -> int:
    """``who QUERY`` or ``who --all``: people as text or JSON, through the command layer."""
    text = " ".join(args.query)
    if args.all == bool(text):
        print("dossier: give a name or a role, or --all (not both)", file=sys.stderr)
        return 2
    commands = Commands(open_dossier(settings), settings)
    reply = commands.who_all() if args.all else commands.who(text)
    lang = cli_language(commands, args, text)
    if args.json:
        print(json.dumps(who_json(reply, None if args.all else text, lang), ensure_ascii=False, indent=2))
    else:
        print(render(reply, lang))
    return 1 if isinstance(reply, TextReply) and reply.error else 0


def cmd_console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_console

    return run_console(open_dossier(settings), settings, lang=getattr(args, "lang", None))


BotRunner = Callable[[Settings, Dossier], int]
"""Runs the Telegram bot over a Dossier until it stops. bot/ never imports Telegram: the composition root,
bot/__main__.py, passes the one in handlers.app to :func:`main`."""


def cmd_run(settings: Settings, args: argparse.Namespace, run_bot: BotRunner) -> int:
    if not settings.token:
        print("dossier: TELEGRAM_BOT_TOKEN is not set (see README: Connecting to Telegram)", file=sys.stderr)
        return 2
    metrics, health = Metrics(), Health()
    # /healthz answers "starting" (503) while the index loads, then asks the store (bot/metrics_server.py).
    with serving(settings, metrics.registry, health):
        # On a restart the corpus folder is scanned by a job once the bot is up, so it answers at once.
        dossier = open_dossier(settings, scan=False, metrics=metrics)
        health.ready(dossier)
        return run_bot(settings, dossier)


MORE_NOT_ADDED = N_("…and {n} more not added or flagged.")
# TRANSLATORS: the last line of python -m bot ingest; {summary} is "3 added, 1 duplicate" and so on.
INGEST_TOTALS = N_("{summary} in {seconds} s ({rate} documents/s)")


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    """Files, folders and archives through the upload pipeline, with a progress bar and a summary."""
    from bot.ingest import Limits
    from bot.render_text import report_lines, report_summary, result_line

    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"dossier: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    dossier = open_dossier(settings, scan=False, beside=True)
    try:
        report = dossier.ingest_paths(
            paths,
            "cli",
            progress=_progress_bar("Ingesting"),
            limits=Limits(max_file_bytes=settings.max_upload_bytes),
        )
    finally:
        dossier.close()
    rate = report.stored / report.seconds if report.seconds > 0 else 0.0
    if args.json:
        summary = {
            "added": report.count("added"),
            "updated": report.count("updated"),
            "near_duplicates": report.near_duplicates,
            "duplicates": report.count("duplicate"),
            "skipped": report.count("skipped"),
            "seconds": round(report.seconds, 3),
            "docs_per_s": round(rate, 1),
        }
        print(json.dumps(summary))
        return 0
    lang = args.lang or settings.default_language  # no words to tell a language by
    t = translator(lang)
    if len(report.outcomes) <= CLI_REPORT_ALL:
        lines = report_lines(report, lang)[1:]
    else:  # a big run: only what needs a look
        notable = [r for r in report.outcomes if r.status != "added" or r.similar_to is not None]
        lines = [line for r in notable[:CLI_REPORT_ALL] for line in result_line(r, lang)]
        if len(notable) > CLI_REPORT_ALL:
            lines.append(t.gettext(MORE_NOT_ADDED).format(n=len(notable) - CLI_REPORT_ALL))
    print("\n".join(lines))
    totals = report_summary(report, lang)
    print(
        t.gettext(INGEST_TOTALS).format(summary=totals, seconds=f"{report.seconds:.1f}", rate=f"{rate:.0f}")
    )
    return 0


CLI_REPORT_ALL = 50  # runs with more documents list only the duplicates, skipped and flagged ones

# TRANSLATORS: python -m bot migrate-store, after the per-table counts and hashes.
MIGRATED = N_(
    "Copied and checked: every row and original file is in {where}; the next document gets #{next_id}."
)
MIGRATION_MISMATCH = N_("The copy in {where} differs from the SQLite store (see above): do not switch to it.")
MISSING_ORIGINALS = N_("{n} original files the store refers to are missing from {folder}: {names}")


def cmd_migrate_store(settings: Settings, args: argparse.Namespace) -> int:
    """The SQLite store of DOSSIER_DATA_DIR copied into an empty PostgreSQL database, then checked."""
    from bot.store.postgres_base import where
    from bot.store.sqlite_to_postgres import copy_sqlite_to_postgres

    if not settings.db_path.is_file():
        print(f"dossier: no SQLite store at {settings.db_path} to copy", file=sys.stderr)
        return 2
    lock_data_folder(settings.data_dir)  # the bot must not write to it meanwhile
    mask_secrets(database_secrets(args.to))
    report = copy_sqlite_to_postgres(
        settings.db_path,
        settings.data_dir / "originals",
        args.to,
        progress=lambda table: log.info("copying %s", table),
    )
    t = translator(args.lang or settings.default_language)
    width = max(len(check.table) for check in report.tables)
    for check in report.tables:
        mark = "ok" if check.ok else "DIFFERS"
        print(
            f"{check.table:<{width}}  rows {check.source_rows} -> {check.target_rows}  "
            f"sha256 {check.source_hash[:16]} -> {check.target_hash[:16]}  {mark}"
        )
    if report.missing_files:
        names = ", ".join(report.missing_files[:5]) + (" …" if len(report.missing_files) > 5 else "")
        folder = settings.data_dir / "originals"
        print(t.gettext(MISSING_ORIGINALS).format(n=len(report.missing_files), folder=folder, names=names))
    if not report.ok:
        print(t.gettext(MIGRATION_MISMATCH).format(where=where(args.to)), file=sys.stderr)
        return 1
    print(t.gettext(MIGRATED).format(where=where(args.to), next_id=report.next_id))
    return 0


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    """Index every *.txt of a folder into a throwaway store and run a query file: the benchmark contract."""
    from bot.search.query import parse_query

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"dossier: {corpus} is not a folder", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="dossier-eval-") as tmp:
        started = time.perf_counter()
        dossier = Dossier.open(Path(tmp), people=False)  # the contract measures search alone
        dossier.scan_corpus(corpus)
        print(
            json.dumps({"build_s": round(time.perf_counter() - started, 3), "docs": len(dossier)}),
            file=sys.stderr,
            flush=True,
        )
        sources = {doc.id: doc.source for doc in dossier.store.iter_documents()}
        out = sys.stdout
        with open(args.queries, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                item = json.loads(line)
                t0 = time.perf_counter()
                ids = dossier.search_ids(parse_query(item["query"]), limit=10)
                ms = (time.perf_counter() - t0) * 1000
                hits = [sources[i].rsplit("/", 1)[-1].removesuffix(".txt") for i in ids]
                out.write(json.dumps({"qid": item["qid"], "hits": hits, "ms": round(ms, 3)}) + "\n")
        dossier.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    p = sub.add_parser("console", help="talk to the bot in this terminal, or pipe commands in")
    _lang_option(p)
    p = sub.add_parser("search", help="search the corpus once and print the results")
    _lang_option(p)
    p.add_argument("query", nargs="+")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    p = sub.add_parser("ingest", help="add files, folders and .zip archives through the upload pipeline")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print only a JSON summary")
    _lang_option(p)
    p = sub.add_parser("who", help="a person (any spelling) or a role's holders; --all lists everyone")
    p.add_argument("query", nargs="*")
    p.add_argument("--all", action="store_true", help="every person in the corpus")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _lang_option(p)
    p = sub.add_parser(
        "migrate-store", help="copy the SQLite store into an empty PostgreSQL database, then check the copy"
    )
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host/database")
    _lang_option(p)
    p = sub.add_parser("eval", help="benchmark contract: index a folder of .txt, run a JSONL query file")
    p.add_argument("--corpus", required=True)
    p.add_argument("--queries", required=True)
    return parser


# The options of the commands that take query words; every other word, "-csto" included, is the query.
_QUERY_OPTIONS = {
    "search": {"--json": False, "--limit": True, "--lang": True},
    "who": {"--json": False, "--all": False, "--lang": True},
}


def query_words_last(argv: Sequence[str]) -> list[str]:
    """``search csto -exercises --json`` as ``search --json -- csto -exercises``: a query word that starts
    with a dash (the query language's "leave out") is a word, not an unknown option to refuse."""
    args = list(argv)
    if not args or args[0] not in _QUERY_OPTIONS or "--" in args or {"-h", "--help"} & set(args):
        return args
    known = _QUERY_OPTIONS[args[0]]
    options: list[str] = []
    words: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        name = arg.split("=", 1)[0]
        if name in known:
            options.append(arg)
            if known[name] and "=" not in arg:
                options.append(next(rest, ""))
        else:
            words.append(arg)
    return [args[0], *options, "--", *words]


def _lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        choices=SUPPORTED,
        type=str.lower,
        help="the language to answer in (default: the language of the query, else DOSSIER_DEFAULT_LANGUAGE)",
    )


def database_secrets(url: str | None) -> list[str]:
    """What of DOSSIER_DATABASE_URL never reaches the log: its password (and the URL that holds it)."""
    if not url:
        return []
    try:
        password = urlsplit(url).password
    except ValueError:
        return [url]
    return [url, password] if password else []


def main(argv: Sequence[str] | None = None, *, run_bot: BotRunner) -> int:
    args = build_parser().parse_args(query_words_last(sys.argv[1:] if argv is None else argv))
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"dossier: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    mask_secrets(
        [
            *(s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret) if s),
            *database_secrets(settings.store_url),
        ]
    )
    commands = {
        "run": lambda s, a: cmd_run(s, a, run_bot),
        "console": cmd_console,
        "search": cmd_search,
        "ingest": cmd_ingest,
        "who": cmd_who,
        "eval": cmd_eval,
        "migrate-store": cmd_migrate_store,
    }
    name = args.command or ("run" if settings.token else "console")
    try:
        return commands[name](settings, args)
    except SettingsError as exc:
        print(f"dossier: configuration error: {exc}", file=sys.stderr)
        return 2
    except DataFolderBusy as exc:
        print(f"dossier: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:  # a damaged or newer store: one line saying what to do, no traceback
        print(f"dossier: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
