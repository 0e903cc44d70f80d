"""Adding and removing documents, /reindex and /stats: who may upload, what a file becomes, and the
answers of the admin commands."""

from __future__ import annotations

from bot.commands.caller import Caller
from bot.commands.replies import ConfirmDeleteReply, IngestReply, Reply, TextReply
from bot.commands.search import doc_number
from bot.core import Dossier
from bot.ingest import Limits
from bot.ingest.originals import clean_name
from bot.models import Progress
from bot.settings import Settings

NOT_UPLOADER = "Sorry, only the bot's admins can add documents. Nothing was downloaded."


def admins_only(command: str) -> TextReply:
    """The answer to a non-admin using an admin command (``handle`` checks the registry's ``admin_only``;
    a /delete confirm button, which anyone in a group can press, checks again)."""
    return TextReply.of(f"Sorry, /{command} is for the bot's admins only.", error=True)


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
            return TextReply.of(NOT_UPLOADER, error=True)
        limit = self.settings.max_upload_mb
        if size is not None and size > self.settings.max_upload_bytes:
            return TextReply.of(
                f"{clean_name(name)} is {size / 2**20:.1f} MB; the limit is {limit} MB, so it was not "
                "downloaded.",
                "Split it (a .zip of smaller files works too), or raise DOSSIER_MAX_UPLOAD_MB with a "
                "self-hosted Bot API server.",
                error=True,
            )
        if size == 0:
            return TextReply.of(f"{clean_name(name)} is empty: nothing to add.", error=True)
        return None

    def ingest_upload(
        self, name: str, data: bytes, caller: Caller, progress: Progress | None = None
    ) -> Reply:
        """A downloaded file through the ingest pipeline; the reply is its ingest report."""
        if not self.may_upload(caller):
            return TextReply.of(NOT_UPLOADER, error=True)
        who = f"{caller.transport}:{caller.user_id}" if caller.user_id is not None else caller.transport
        report = self.dossier.ingest_upload(name, data, who, progress, self.upload_limits)
        return IngestReply(report)

    def add_hint(self, caller: Caller) -> Reply:
        if caller.transport == "console":
            return TextReply.of("Add files from the shell: python -m bot ingest PATH...")
        where = "with the caption /add" if caller.chat_type == "group" else "here (any caption or none)"
        return TextReply.of(
            f"Send a file {where}: .txt, .md, .html, .pdf, .docx, or a .zip of them, up to "
            f"{self.settings.max_upload_mb} MB."
        )

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
            return TextReply.of(f"There is no document #{parsed}.", error=True)
        return ConfirmDeleteReply(doc)

    def delete_confirmed(self, doc_id: int, caller: Caller) -> TextReply:
        if not caller.is_admin:  # a confirm button can be pressed by anyone in a group
            return admins_only("delete")
        doc = self.dossier.delete_document(doc_id)
        if doc is None:
            return TextReply.of(f"There is no document #{doc_id} (already deleted?).", error=True)
        return TextReply.of(
            f"Deleted #{doc_id} “{doc.title}”: the document, its search entries and everything stored "
            "with it."
        )

    def reindex(self, progress: Progress | None = None) -> Reply:
        """Everything rebuilt from the stored originals (admins only: ``handle`` has checked)."""
        report = self.dossier.reindex(self.settings.corpus_dir, progress, self.upload_limits)
        lines = [
            f"Reindexed {report.documents} documents in {report.seconds:.1f} s: {report.reread} read again "
            f"from their originals, {report.changed} came out different; search index rebuilt."
        ]
        if report.unused_removed:
            lines.append(f"{report.unused_removed} kept files no document used (left by a crash) removed.")
        if report.kept:
            lines.append(f"{len(report.kept)} kept as stored:")
            lines += [f"#{doc_id}: {why}" for doc_id, why in report.kept[:20]]
            if len(report.kept) > 20:
                lines.append(f"…and {len(report.kept) - 20} more.")
        return TextReply.of(*lines)

    def stats(self) -> Reply:
        s = self.dossier.stats()
        subs = s.subscribers
        lines = [
            f"Documents: {s.documents} ({s.near_duplicates} flagged as near-duplicates)",
            _people_line(s.people, s.people_failure),
            f"Subscribers: {sum(subs.values())} ({subs.get('user', 0)} private chats, "
            f"{subs.get('group', 0)} groups)",
            f"Store: {_size(s.database_bytes + s.originals_bytes)} (database {_size(s.database_bytes)}, "
            f"originals {_size(s.originals_bytes)})",
        ]
        last = s.last_ingest
        if last:
            lines.append(
                f"Last ingest: {last['at'].replace('T', ' ')} by {last['by']}: {last['name']} — "
                f"{last['added']} added, {last['duplicates']} already stored, {last['skipped']} skipped"
            )
        else:
            lines.append("Last ingest: none since this store was created")
        return TextReply.of(*lines)


def _people_line(people: int | None, failure: str | None) -> str:
    if failure is not None:  # not "People: 0": the people index could not be built
        return f"People: unknown, the people index could not be built: {failure}"
    return f"People: {people}" if people is not None else "People: not indexed in this version"


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 2**20:.1f} MB"
