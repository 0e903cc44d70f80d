"""Adding documents, in the order a file travels:

- ``formats/``: a file's bytes to texts (type from the content, one module per format, archives unpacked);
- ``prepare``: a text to a document (title, date, content hash), or the reason it is refused;
- ``originals``: the files kept as they arrived; ``report``: what happened to each document;
- ``pipeline``: the write path (exact and near duplicates, originals fsynced, then the row committed);
- ``scan``: the corpus folder, in batches, read by worker processes when it is big;
- ``reindex``: every document read again from its original; ``neardup``: signatures and their cache.

No Telegram here: the same pipeline serves uploads, ``python -m bot ingest`` and the corpus folder.
"""

from __future__ import annotations

from bot.ingest.formats import DEFAULT_LIMITS, Extracted, Limits, Skipped, extract
from bot.ingest.prepare import IngestError, Prepared, prepare_file, prepare_text

__all__ = [
    "DEFAULT_LIMITS",
    "SCAN_BATCH",
    "Extracted",
    "IngestError",
    "Limits",
    "Prepared",
    "Skipped",
    "extract",
    "prepare_file",
    "prepare_text",
]

# Documents written in one transaction by bulk work (a corpus scan, backfills, a reindex, an index
# rebuild): one commit per document would dominate a scan of 20,000 files.
SCAN_BATCH = 256
