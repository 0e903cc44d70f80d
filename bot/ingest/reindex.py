"""Reindex: every document read again from its original (an upload's kept file, a corpus document's file
in the folder), then the search index built afresh. For when the readers improved: a better PDF or HTML
extractor, a new date rule."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bot.errors import DuplicateText
from bot.ingest import SCAN_BATCH, neardup
from bot.ingest.formats import DEFAULT_LIMITS, Extracted, Limits, extract
from bot.ingest.pipeline import IngestPipeline
from bot.ingest.prepare import IngestError, Prepared, prepare_text
from bot.messages import Coded
from bot.models import Document, NewDocument, Progress, ReindexReport


def reindex(
    pipeline: IngestPipeline,
    rebuild_index: Callable[[Progress | None], None],
    corpus_dir: Path | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> ReindexReport:
    """Rebuild everything from the stored originals: each document's text, title, date and signature
    read again from its original, then the search index built afresh (``rebuild_index``). A document
    whose original is gone or no longer reads keeps what is stored, and is listed."""
    store = pipeline.store
    report = ReindexReport()
    started = time.perf_counter()
    total = store.count_documents()
    batch: list[tuple[Document, Prepared | None, Coded | None]] = []

    def flush() -> None:
        with pipeline.lock, store.transaction() as tx:
            for doc, p, why in batch:
                if why is not None:
                    report.kept.append((doc.id, why))
                text = p.text if p is not None else doc.text
                if p is not None and (p.sha256, p.title, p.published) != (
                    doc.sha256,
                    doc.title,
                    doc.published,
                ):
                    new = NewDocument(doc.source, p.title, p.published, p.text, p.sha256, doc.added_by)
                    try:
                        store.replace_document(tx, doc.id, new)
                        report.changed += 1
                    except DuplicateText:
                        report.kept.append((doc.id, Coded("reindex.same_text")))
                        text = doc.text
                store.set_signature(tx, doc.id, neardup.signature(text))
        batch.clear()

    for n, doc in enumerate(store.iter_documents(), start=1):
        p, why = _reread(pipeline, doc, corpus_dir, limits or DEFAULT_LIMITS)
        report.reread += p is not None
        batch.append((doc, p, why))
        if len(batch) >= SCAN_BATCH:
            flush()
        if progress and (n % 200 == 0 or n == total):
            progress(n, total, "originals")
    if batch:
        flush()
    report.documents = total
    rebuild_index(lambda done, all_, name: progress(done, all_, "index") if progress else None)
    pipeline.neardup.reset()  # reloaded from the fresh signatures when next needed
    report.unused_removed = pipeline.originals.remove_unused(store.original_files())
    report.seconds = time.perf_counter() - started
    return report


def _reread(
    pipeline: IngestPipeline, doc: Document, corpus_dir: Path | None, limits: Limits
) -> tuple[Prepared | None, Coded | None]:
    """A document prepared again from its original, or None and why not."""
    stored = pipeline.store.original_of(doc.id)
    try:
        if stored is not None:
            file = stored[0]
            data = pipeline.originals.read(file)
            name = f"original{Path(file).suffix}"
        else:
            rel = pipeline.store.corpus_path_of(doc.id)
            if rel is None or corpus_dir is None:
                return None, None  # stored as text only: nothing to read again
            data = (corpus_dir / rel).read_bytes()
            name = rel
        outcomes = extract(name, data, limits=limits)
        if len(outcomes) != 1 or not isinstance(outcomes[0], Extracted):
            return None, Coded("reindex.now_archive")
        return prepare_text(doc.source, outcomes[0].text), None
    except OSError as exc:
        return None, Coded("reindex.unavailable", reason=exc.strerror or str(exc))
    except IngestError as exc:
        return None, Coded("reindex.unreadable", reason=exc.reason)
    except ValueError as exc:
        return None, Coded("reindex.unreadable", reason=str(exc))
