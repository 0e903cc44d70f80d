"""Adding and removing documents, /reindex and /stats: who may upload, what a file becomes, and the
answers of the admin commands."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import texts
from bot.commands.caller import Caller
from bot.commands.replies import ConfirmDeleteReply, IngestReply, Reply, TextReply
from bot.commands.search import NO_SUCH_DOCUMENT, doc_number
from bot.core import Dossier
from bot.i18n import N_, NP_, Bytes, Msg
from bot.ingest import Limits
from bot.ingest.originals import clean_name
from bot.models import Progress
from bot.settings import Settings

NOT_UPLOADER = N_("Sorry, only the bot's admins can add documents. Nothing was downloaded.")
ADMINS_ONLY = N_("Sorry, /{command} is for the bot's admins only.")
# TRANSLATORS: {size} is a size with its unit ("12.5 MB"); {limit} a whole number of megabytes.
TOO_BIG = N_("{name} is {size}; the limit is {limit} MB, so it was not downloaded.")
SPLIT_IT = N_(
    "Split it (a .zip of smaller files works too), or raise DOSSIER_MAX_UPLOAD_MB with a "
    "self-hosted Bot API server."
)
EMPTY_FILE = N_("{name} is empty: nothing to add.")
ADD_FROM_SHELL = N_("Add files from the shell: python -m bot ingest PATH...")
SEND_IN_GROUP = N_(
    "Send a file with the caption /add: .txt, .md, .html, .pdf, .docx, or a .zip of them, up to {mb} MB."
)
SEND_IN_PRIVATE = N_(
    "Send a file here (any caption or none): .txt, .md, .html, .pdf, .docx, or a .zip of them, up to {mb} MB."
)
ALREADY_DELETED = N_("There is no document #{id} (already deleted?).")
DELETED = N_("Deleted #{id} “{title}”: the document, its search entries and everything stored with it.")
# TRANSLATORS: {seconds} has one decimal ("3.2").
REINDEXED = NP_(
    "Reindexed {n} document in {seconds:.1f} s: {reread} read again from their originals, {changed} came "
    "out different; search index rebuilt.",
    "Reindexed {n} documents in {seconds:.1f} s: {reread} read again from their originals, {changed} came "
    "out different; search index rebuilt.",
)
UNUSED_REMOVED = N_("{n} kept files no document used (left by a crash) removed.")
KEPT_AS_STORED = N_("{n} kept as stored:")
KEPT_ONE = N_("#{id}: {why}")
STATS_DOCUMENTS = N_("Documents: {n} ({near} flagged as near-duplicates)")
STATS_PEOPLE = N_("People: {n}")
STATS_NO_PEOPLE = N_("People: not indexed in this version")
STATS_PEOPLE_FAILED = N_("People: unknown, the people index could not be built: {failure}")
STATS_SUBSCRIBERS = N_("Subscribers: {n} ({users} private chats, {groups} groups)")
STATS_STORE = N_("Store: {total} (database {database}, originals {originals})")
# TRANSLATORS: {at} is a moment, {by} who ingested ("telegram:123", "console"), {name} the file's name.
STATS_LAST_INGEST = N_(
    "Last ingest: {at} by {by}: {name} — {added} added, {duplicates} already stored, {skipped} skipped"
)
STATS_NO_INGEST = N_("Last ingest: none since this store was created")
# TRANSLATORS: who made the last ingest, in "Last ingest: {at} by {by}: {name}" of /stats: the scan of
# the corpus folder (uploads show as telegram:<user id>, the command line as cli).
BY_CORPUS_FOLDER = N_("corpus folder")


def admins_only(command: str) -> TextReply:
    """The answer to a non-admin using an admin command (``handle`` checks the registry's ``admin_only``;
    a /delete confirm button, which anyone in a group can press, checks again)."""
    return TextReply.of(Msg(ADMINS_ONLY, command=command), error=True)


class AdminCommands:
    def __init__(self, dossier: Dossier, settings: Settings) -> None:
        self.dossier = dossier
        self.settings = settings

    @property
    def upload_limits(self) -> Limits:
        return Limits(max_file_bytes=self.settings.max_upload_bytes)

    def may_upload(self, caller: Caller) -> bool:
        """Admins anywhere; in a group also its administrators, when the settings allow it."""
        if caller.is_admin:
            return True
        return caller.chat_type == "group" and self.settings.group_admins_can_upload and caller.is_chat_admin

    def upload_refusal(self, caller: Caller, name: str, size: int | None) -> TextReply | None:
        """Why a file must not even be downloaded, or None. Asked before the download, from what
        Telegram says about the file."""
        if not self.may_upload(caller):
            return TextReply.of(Msg(NOT_UPLOADER), error=True)
        limit = self.settings.max_upload_mb
        if size is not None and size > self.settings.max_upload_bytes:
            return TextReply.of(
                Msg(TOO_BIG, name=clean_name(name), size=Bytes(size), limit=limit), Msg(SPLIT_IT), error=True
            )
        if size == 0:
            return TextReply.of(Msg(EMPTY_FILE, name=clean_name(name)), error=True)
        return None

    def ingest_upload(
        self, name: str, data: bytes, caller: Caller, progress: Progress | None = None
    ) -> Reply:
        """A downloaded file through the ingest pipeline; the reply is its ingest report."""
        if not self.may_upload(caller):
            return TextReply.of(Msg(NOT_UPLOADER), error=True)
        who = f"{caller.transport}:{caller.user_id}" if caller.user_id is not None else caller.transport
        report = self.dossier.ingest_upload(name, data, who, progress, self.upload_limits)
        return IngestReply(report)

    def add_hint(self, caller: Caller) -> Reply:
        if caller.transport == "console":
            return TextReply.of(Msg(ADD_FROM_SHELL))
        send = SEND_IN_GROUP if caller.chat_type == "group" else SEND_IN_PRIVATE
        return TextReply.of(Msg(send, mb=self.settings.max_upload_mb))

    def delete(self, args: str, caller: Caller) -> Reply:
        """``/delete 3`` asks to confirm (a button in Telegram); ``/delete 3 yes`` deletes at once
        (the console's way of pressing the button)."""
        words = args.split()
        parsed = doc_number(words[0] if words else "", "delete")
        if isinstance(parsed, TextReply):
            return parsed
        if len(words) > 1 and words[1].lower() in ("yes", "confirm"):
            return self.delete_confirmed(parsed, caller)
        doc = self.dossier.document(parsed)
        if doc is None:
            return TextReply.of(Msg(NO_SUCH_DOCUMENT, id=parsed), error=True)
        return ConfirmDeleteReply(doc)

    def delete_confirmed(self, doc_id: int, caller: Caller) -> TextReply:
        if not caller.is_admin:  # a confirm button can be pressed by anyone in a group
            return admins_only("delete")
        doc = self.dossier.delete_document(doc_id)
        if doc is None:
            return TextReply.of(Msg(ALREADY_DELETED, id=doc_id), error=True)
        return TextReply.of(Msg(DELETED, id=doc_id, title=doc.title))

    def reindex(self, progress: Progress | None = None) -> Reply:
        """Everything rebuilt from the stored originals (admins only: ``handle`` has checked)."""
        report = self.dossier.reindex(self.settings.corpus_dir, progress, self.upload_limits)
        lines = [
            Msg(
                REINDEXED,
                n=report.documents,
                seconds=report.seconds,
                reread=report.reread,
                changed=report.changed,
            )
        ]
        if report.unused_removed:
            lines.append(Msg(UNUSED_REMOVED, n=report.unused_removed))
        if report.kept:
            lines.append(Msg(KEPT_AS_STORED, n=len(report.kept)))
            lines += [Msg(KEPT_ONE, id=doc_id, why=why) for doc_id, why in report.kept[:20]]
            if len(report.kept) > 20:
                lines.append(Msg(texts.AND_MORE, n=len(report.kept) - 20))
        return TextReply.of(*lines)

    def stats(self) -> Reply:
        s = self.dossier.stats()
        subs = s.subscribers
        lines = [
            Msg(STATS_DOCUMENTS, n=s.documents, near=s.near_duplicates),
            _people_line(s.people, s.people_failure),
            Msg(
                STATS_SUBSCRIBERS,
                n=sum(subs.values()),
                users=subs.get("user", 0),
                groups=subs.get("group", 0),
            ),
            Msg(
                STATS_STORE,
                total=Bytes(s.database_bytes + s.originals_bytes),
                database=Bytes(s.database_bytes),
                originals=Bytes(s.originals_bytes),
            ),
        ]
        last = s.last_ingest
        if last:
            lines.append(
                Msg(
                    STATS_LAST_INGEST,
                    at=_moment(str(last["at"]), self.settings.tz),
                    by=_ingested_by(str(last["by"])),
                    name=last["name"],
                    added=last["added"],
                    duplicates=last["duplicates"],
                    skipped=last["skipped"],
                )
            )
        else:
            lines.append(Msg(STATS_NO_INGEST))
        return TextReply.of(*lines)


def _moment(at: str, tz: ZoneInfo) -> datetime | str:
    """A stored UTC moment on the reader's clock (``DOSSIER_TIMEZONE``), worded as their dates are; a
    value that does not read as one is shown as it is."""
    try:
        return datetime.fromisoformat(at).astimezone(tz)
    except ValueError:
        return at


def _ingested_by(by: str) -> str:
    """Who ingested, as ``bot.ingest.pipeline.record_ingest`` keeps it: the corpus folder in the reader's
    words; ``cli`` and ``telegram:<user id>`` are ids an admin looks up, shown as they are."""
    return Msg(BY_CORPUS_FOLDER) if by == "corpus folder" else by


def _people_line(people: int | None, failure: str | None) -> Msg:
    if failure is not None:  # not "People: 0": the people index could not be built
        return Msg(STATS_PEOPLE_FAILED, failure=failure)
    return Msg(STATS_PEOPLE, n=people) if people is not None else Msg(STATS_NO_PEOPLE)
