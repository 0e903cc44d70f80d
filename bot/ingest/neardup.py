"""Near-duplicate detection: the same story again, reprinted by another outlet, trimmed or re-translated.

Exact copies are already caught by ``bot.ingest.prepare.content_hash``; this catches the rest. A text
becomes the set of its overlapping three-word *shingles* (words as ``WORD_RE`` finds them in
``normalize_for_hash`` text), and two texts are compared by their shared shingles over the geometric
mean of their sizes, ``|A ∩ B| / sqrt(|A| |B|)`` (the Ochiai, or cosine, coefficient of the
two sets). Why this measure:

- Jaccard (shared over union) punishes a reprint that adds a header, a byline or a "read also" list;
  Ochiai less so: a copy with half as much again around it still scores 0.82.
- The overlap coefficient (shared over the smaller set) forgives extra text entirely, but then a long
  article acts as a phrase book that "contains" most of any short text on the same subject. Among the
  20,841 Reuters-21578 articles plus the five seeds, a seed scored 0.26 by overlap against an unrelated
  Reuters story, above the 0.23 of the true pair; by Ochiai the true pair stays first.

Whole shingle sets would cost kilobytes per document, so a text is summarised by a MinHash signature: the
minimum of ``NUM_PERM`` random hash functions over its shingles, of which the low 16 bits are kept (b-bit
MinHash), plus its shingle count. The share of positions at which two signatures agree estimates Jaccard,
and with both counts Jaccard converts to the intersection, ``|A ∩ B| = J (|A| + |B|) / (1 + J)``.

Calibration: seeds 000 (TASS) and 001 (CSTO Allies) are one interview in two translations and score 0.137
(exact; the estimate is 0.15). No other two seeds, all about the same organisation, pass 0.039, and
no seed scores above 0.049 against any Reuters article. ``NEAR_DUP_THRESHOLD`` = 0.10 lies between, about
two standard deviations of the estimate from each side. Two-word shingles match the common phrases of any
two texts on one topic; four- and five-word ones break on re-wording.

What the threshold does not tell: on a news wire, shared wording is as often one template as one story.
Flagged by it alone, half of Reuters-21578 (10,415 of 20,841 articles) had a near-duplicate, and of 181
judged pairs above it, 125 were different events: dividend notices, results tables, money-market
reports (``bench/neardup-pairs.jsonl``). So the signatures only propose candidates, the ``CANDIDATES``
stored documents most alike above ``CANDIDATE_FLOOR``, and ``bot.ingest.story.same_story`` reads both
texts to decide: same story, or same template with other figures and names.

Why our own numpy code and not ``datasketch``: numpy is already a dependency; datasketch pulls in scipy
(about 170 MB installed) for what is 40 lines here, and its LSH index is tuned for high Jaccard
thresholds, whereas a re-worded reprint sits at a Jaccard of 0.05-0.1, where banding makes every pair a
candidate. ``NearDupIndex`` compares one signature with all stored ones in one vectorised pass instead:
about 11 ms for 100,000 documents; only the few candidates it returns are read as text. ``NearDupCache``
keeps that index for the stored documents, loaded on the first upload rather than at start-up.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import threading
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.errors import NoSuchDocument
from bot.ingest import SCAN_BATCH
from bot.ingest.story import NEAR_DUP_THRESHOLD, RULE_VERSION, StoryText, best_story, story_text
from bot.store import Store
from bot.textnorm import WORD_RE, normalize_for_hash

log = logging.getLogger(__name__)

RULE_KEY = "near_dup_rule"  # meta: the ``story.RULE_VERSION`` the stored flags were decided by

NUM_PERM = 512  # signature positions: the estimate's standard deviation at the threshold is ~0.03
SHINGLE_WORDS = 3
CANDIDATE_FLOOR = 0.08  # estimates this far under NEAR_DUP_THRESHOLD (2/3 of a standard deviation) are read
CANDIDATES = 8  # stored documents read per new one: the most alike by wording, which may all be templates

_VERSION = 1  # stored in every blob; bump it when hashing changes, so old signatures are recomputed
_HEADER = struct.Struct("<BI")  # version, shingle count
_BLOB_SIZE = _HEADER.size + 2 * NUM_PERM
_SEED = 0x5EED_D055  # fixed for version 1: signatures are stored and compared across processes
_CHUNK = 2048  # shingles hashed at a time: keeps the (chunk x NUM_PERM) work array at 8 MB
_BLOCK = 64  # signature positions compared per numpy call in ``NearDupIndex.scores``
_NO_SHINGLE = np.uint64(0xFFFF_FFFF)  # above every 32-bit hash: the running minimum's start value

U16 = npt.NDArray[np.uint16]
U64 = npt.NDArray[np.uint64]


def _hash_family() -> tuple[U64, U64]:
    """Parameters of ``NUM_PERM`` multiply-shift hash functions ``((a*x + b) mod 2**64) >> 32`` (``a``
    odd): cheap to vectorise, and min-wise independent enough when ``x`` is itself a good 64-bit hash."""
    rng = np.random.default_rng(_SEED)
    a = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
    return a, b


_A, _B = _hash_family()


def _word_hashes(words: list[str]) -> U64:
    """A stable 64-bit hash per word (blake2b, not ``hash()``, which changes between processes)."""
    vocab = {
        w: int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
        for w in set(words)
    }
    return np.fromiter((vocab[w] for w in words), dtype=np.uint64, count=len(words))


def shingle_hashes(text: str) -> U64:
    """The distinct 64-bit hashes of the text's word shingles; a text shorter than a shingle is one."""
    words = WORD_RE.findall(normalize_for_hash(text))
    if not words:
        return np.empty(0, dtype=np.uint64)
    hashes = _word_hashes(words)
    n = max(1, len(words) - SHINGLE_WORDS + 1)
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(min(SHINGLE_WORDS, len(words))):
            # Multiply-then-xor per position (FNV style) keeps word order: "a b c" differs from "c b a".
            combined = (combined * np.uint64(0x100000001B3)) ^ hashes[offset : offset + n]
    return np.unique(combined)


@dataclass(frozen=True, eq=False)
class Signature:
    """A text's MinHash signature (``NUM_PERM`` 16-bit values) and shingle count."""

    shingles: int
    mins: U16

    def to_bytes(self) -> bytes:
        return _HEADER.pack(_VERSION, self.shingles) + self.mins.astype("<u2").tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Signature:
        """Read a stored blob; a blob of another version or length raises ValueError (recompute it)."""
        if len(blob) != _BLOB_SIZE or blob[0] != _VERSION:
            raise ValueError(f"not a version-{_VERSION} near-duplicate signature; recompute it from the text")
        shingles = _HEADER.unpack_from(blob)[1]
        return cls(shingles, np.frombuffer(blob, dtype="<u2", offset=_HEADER.size).astype(np.uint16))


def _minhash(shingles: U64) -> U16:
    mins = np.full(NUM_PERM, _NO_SHINGLE, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, shingles.size, _CHUNK):
            block = shingles[start : start + _CHUNK, None] * _A[None, :] + _B[None, :]
            np.minimum(mins, (block >> np.uint64(32)).min(axis=0), out=mins)
    # b-bit MinHash: the minimum is taken over 32 bits, only its low 16 are kept. Two different minima then
    # agree by chance once in 65,536 positions, which moves an estimate by less than 0.0001.
    return (mins & np.uint64(0xFFFF)).astype(np.uint16)


def compute(text: str) -> Signature:
    """The signature of a text; a text without words gets one with a count of 0, which matches nothing."""
    shingles = shingle_hashes(text)
    return Signature(int(shingles.size), _minhash(shingles))


def signature(text: str) -> bytes:
    """The text's signature as a blob to store beside the document (1,029 bytes)."""
    return compute(text).to_bytes()


def _as_signature(sig: bytes | Signature) -> Signature:
    return sig if isinstance(sig, Signature) else Signature.from_bytes(sig)


def _ochiai(
    agree: npt.NDArray[np.integer], n_a: int | npt.NDArray[np.integer], n_b: npt.NDArray[np.integer]
) -> npt.NDArray[np.float64]:
    """Estimated ``|A ∩ B| / sqrt(|A| |B|)`` from agreeing positions and shingle counts (0 for no words).

    The intersection is capped at the smaller set, which it can never exceed. Without the cap, one
    position agreeing by chance (b-bit values collide once in 65,536) between a text of 16 shingles and
    an 18 MB page of 2.5 million made the estimate ``(1/512) * 2.5M`` shingles shared, "100%" of the small
    text: the estimate's error grows with the larger set, so between very unequal sizes it is noise."""
    jaccard = agree / NUM_PERM
    shared = np.minimum(jaccard * (n_a + n_b) / (1.0 + jaccard), np.minimum(n_a, n_b))
    score = shared / np.sqrt(np.maximum(n_a * n_b, 1))
    return np.where(n_a * n_b > 0, np.clip(score, 0.0, 1.0), 0.0)


def similarity(sig_a: bytes | Signature, sig_b: bytes | Signature) -> float:
    """How much of their word sequences two texts share, 0..1 (estimated Ochiai coefficient of their
    shingle sets); compare it with ``NEAR_DUP_THRESHOLD``."""
    a, b = _as_signature(sig_a), _as_signature(sig_b)
    agree = np.array([np.count_nonzero(a.mins == b.mins)])
    return float(_ochiai(agree, a.shingles, np.array([b.shingles]))[0])


@dataclass(frozen=True)
class Match:
    """The stored document most like a text, and how alike they are."""

    doc_id: int
    similarity: float

    @property
    def is_near_duplicate(self) -> bool:
        """The wording test alone; a flag also needs ``bot.ingest.story.same_story`` (same story, not
        the same template)."""
        return self.similarity >= NEAR_DUP_THRESHOLD


class NearDupIndex:
    """Stored signatures in one position-major matrix (row k holds every document's k-th value), so a
    lookup is ``NUM_PERM`` comparisons of contiguous vectors instead of N Python calls.

    Memory: 1 KB per document (100 MB for 100,000). Not thread-safe: one writer, as in the store.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._mins = np.zeros((NUM_PERM, capacity), dtype=np.uint16)
        self._counts = np.zeros(capacity, dtype=np.int64)
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._rows: dict[int, int] = {}  # doc id -> column

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def add(self, doc_id: int, sig: bytes | Signature) -> None:
        """Store one document's signature, replacing the one it had."""
        s = _as_signature(sig)
        col = self._rows.get(doc_id)
        if col is None:
            col = len(self._rows)
            self._reserve(col + 1)
            self._rows[doc_id] = col
        self._mins[:, col] = s.mins
        self._counts[col] = s.shingles
        self._ids[col] = doc_id

    def remove(self, doc_id: int) -> None:
        """Forget a document (no error when it is not there); the last column moves into its place."""
        col = self._rows.pop(doc_id, None)
        last = len(self._rows)
        if col is None or col == last:
            return
        self._mins[:, col] = self._mins[:, last]
        self._counts[col] = self._counts[last]
        moved = int(self._ids[last])
        self._ids[col] = moved
        self._rows[moved] = col

    def scores(self, sig: bytes | Signature) -> npt.NDArray[np.float64]:
        """The similarity of ``sig`` to every stored document, in the order of ``ids()``."""
        s = _as_signature(sig)
        n = len(self._rows)
        agree = np.zeros(n, dtype=np.int64)
        # Blocks of positions at a time: one numpy call per block, not per position (half the time
        # on a few thousand documents, where per-call overhead dominates), in a bounded buffer.
        equal = np.empty((_BLOCK, n), dtype=np.bool_)
        for k in range(0, NUM_PERM, _BLOCK):
            np.equal(self._mins[k : k + _BLOCK, :n], s.mins[k : k + _BLOCK, None], out=equal)
            agree += equal.sum(axis=0)
        return _ochiai(agree, s.shingles, self._counts[:n])

    def signature(self, doc_id: int) -> Signature:
        """A stored document's signature (KeyError when it is not stored)."""
        col = self._rows[doc_id]
        return Signature(int(self._counts[col]), self._mins[:, col].copy())

    def ids(self) -> npt.NDArray[np.int64]:
        return self._ids[: len(self._rows)].copy()

    def best(self, sig: bytes | Signature, *, exclude: int | None = None) -> Match | None:
        """The stored document most like ``sig`` (None when there is none to compare with); ``exclude``
        leaves out the document itself when it is already stored."""
        scores = self.scores(sig)
        if exclude is not None and exclude in self._rows:
            scores[self._rows[exclude]] = -1.0
        if scores.size == 0 or scores.max() < 0:
            return None
        col = int(np.argmax(scores))
        return Match(doc_id=int(self._ids[col]), similarity=float(scores[col]))

    def best_many(self, sigs: list[bytes] | list[Signature]) -> list[Match | None]:
        """``best`` for several signatures in one pass over the stored ones: each stored position row is
        read once for all of them instead of once per signature, about three times faster for a batch
        of 64 against 20,000 documents (the scan is bound by memory, not by comparisons)."""
        scores = self._scores_many(sigs)
        if scores is None:
            return [None] * len(sigs)
        cols = np.argmax(scores, axis=1)
        return [
            Match(doc_id=int(self._ids[c]), similarity=float(scores[row, c])) for row, c in enumerate(cols)
        ]

    def candidates_many(
        self,
        sigs: list[bytes] | list[Signature],
        k: int = CANDIDATES,
        floor: float = CANDIDATE_FLOOR,
        before: list[int] | None = None,
    ) -> list[list[Match]]:
        """For each signature, the ``k`` stored documents most like it at ``floor`` or above, most alike
        first: the ones ``bot.ingest.story`` then reads to tell the same story from the same template.
        With ``before`` (one id per signature), only stored documents with a smaller id count: a stored
        document judged again is compared with those stored before it, as at its ingest."""
        scores = self._scores_many(sigs)
        if scores is None:
            return [[] for _ in sigs]
        if before is not None:
            ids = self._ids[: len(self._rows)]
            for row, first in zip(scores, before, strict=True):
                row[ids >= first] = -1.0
        return [self._top(row, k, floor) for row in scores]

    def candidates(
        self, sig: bytes | Signature, k: int = CANDIDATES, floor: float = CANDIDATE_FLOOR
    ) -> list[Match]:
        """``candidates_many`` for one signature."""
        return self._top(self.scores(sig), k, floor)

    def _top(self, row: npt.NDArray[np.float64], k: int, floor: float) -> list[Match]:
        cols = np.flatnonzero(row >= floor)
        if cols.size > k:
            cols = cols[np.argpartition(-row[cols], k - 1)[:k]]
        order = cols[np.argsort(-row[cols], kind="stable")]
        return [Match(doc_id=int(self._ids[c]), similarity=float(row[c])) for c in order]

    def _scores_many(self, sigs: list[bytes] | list[Signature]) -> npt.NDArray[np.float64] | None:
        n = len(self._rows)
        if n == 0 or not sigs:
            return None
        parsed = [_as_signature(s) for s in sigs]
        wanted = np.stack([s.mins for s in parsed])  # (batch, NUM_PERM)
        counts = np.array([s.shingles for s in parsed], dtype=np.int64)[:, None]
        agree = np.zeros((len(parsed), n), dtype=np.int16)
        equal = np.empty((len(parsed), n), dtype=np.bool_)
        for k in range(NUM_PERM):
            np.equal(self._mins[k, None, :n], wanted[:, k, None], out=equal)
            agree += equal
        return _ochiai(agree, counts, self._counts[None, :n])

    def _reserve(self, size: int) -> None:
        capacity = self._ids.size
        if size <= capacity:
            return
        capacity = max(size, 2 * capacity)
        mins = np.zeros((NUM_PERM, capacity), dtype=np.uint16)
        mins[:, : self._ids.size] = self._mins
        self._mins = mins
        self._counts = np.resize(self._counts, capacity)
        self._ids = np.resize(self._ids, capacity)


class NearDupCache:
    """The signatures of every stored document in a ``NearDupIndex``: loaded (and backfilled) on the
    first upload, not at open; changed under the Dossier's lock."""

    def __init__(self, store: Store, lock: threading.RLock) -> None:
        self._store = store
        self._lock = lock
        self._index: NearDupIndex | None = None
        self._stale = False  # documents were stored without signatures (a corpus scan)

    def index(self) -> NearDupIndex:
        """The signatures of every stored document, loaded on first use; documents stored without one
        (from the corpus folder) get theirs computed and stored here."""
        with self._lock:
            if self._index is None:
                index = NearDupIndex(capacity=max(1024, self._store.count_documents() + 64))
                for doc_id, blob in self._store.iter_signatures():
                    with suppress(ValueError):  # another signature version: recomputed below
                        index.add(doc_id, blob)
                self._index, self._stale = index, True
            if self._stale:
                added = self._backfill(self._index)
                self._stale = False
                self.judge(added)  # as ``prepare`` does, here on the first upload's path
            return self._index

    def stories(self, doc_ids: Iterable[int]) -> dict[int, StoryText]:
        """Stored documents read for ``bot.ingest.story.same_story`` (one query; gone ones left out)."""
        docs = self._store.get_many(sorted(set(doc_ids)))
        return {doc_id: story_text(doc.text, doc.published, doc.title) for doc_id, doc in docs.items()}

    def mark_stale(self) -> None:
        """Documents were stored without signatures: they are computed when next needed."""
        self._stale = True

    def reset(self) -> None:
        """Forget the loaded signatures (they changed in the store): reloaded when next needed."""
        with self._lock:
            self._index = None

    def forget(self, doc_id: int) -> None:
        """A deleted document; call with the lock held."""
        if self._index is not None:
            self._index.remove(doc_id)

    def rule_current(self) -> bool:
        """The stored flags were decided by today's ``bot.ingest.story`` rule."""
        return self._store.get_meta(RULE_KEY) == str(RULE_VERSION)

    def prepare(self) -> int:
        """Compute the signatures documents lack (those from the corpus folder) without holding the
        lock, so searches go on meanwhile, then load them all and judge those documents against the
        ones stored before them, as an upload is judged (so /stats counts what ingest reports would
        have said); returns how many signatures were computed. When the stored flags were decided by an
        older rule (``RULE_KEY``), every document is judged again, once. The bot runs this in the
        background after a corpus scan, so the next upload does not wait for it."""
        missing = self._store.documents_without_signature()
        for k in range(0, len(missing), SCAN_BATCH):
            docs = self._store.get_many(missing[k : k + SCAN_BATCH])
            sigs = {doc_id: signature(doc.text) for doc_id, doc in docs.items()}
            with self._store.transaction() as tx:
                for doc_id, blob in sigs.items():
                    with suppress(NoSuchDocument):  # deleted meanwhile
                        self._store.set_signature(tx, doc_id, blob)
        with self._lock:
            if missing or self._index is None:
                self._index = None  # reloaded whole: the rows just stored are not in memory yet
            index = self.index()
            everything = not self.rule_current()
            judged = sorted(index) if everything else missing
        self.judge(judged)
        if everything:
            with self._store.transaction() as tx:
                self._store.set_meta(tx, RULE_KEY, str(RULE_VERSION))
            log.info("near-duplicates judged again by rule %d: %d documents", RULE_VERSION, len(judged))
        return len(missing)

    def judge(self, doc_ids: list[int]) -> int:
        """Decide, for stored documents with signatures, whether each tells the story of one stored
        before it (a smaller id), and store that flag in place of the one they had; returns how many
        are flagged. The candidates are found under the lock, the texts read and compared outside it."""
        flagged = 0
        for k in range(0, len(doc_ids), SCAN_BATCH):
            batch = doc_ids[k : k + SCAN_BATCH]
            with self._lock:
                index = self.index()
                batch = [doc_id for doc_id in batch if doc_id in index]
                blobs = {doc_id: index.signature(doc_id).to_bytes() for doc_id in batch}
                found = index.candidates_many([blobs[i] for i in batch], before=batch)
            stories = self.stories([*batch, *(m.doc_id for cands in found for m in cands)])
            verdicts: dict[int, tuple[int, float] | None] = {}
            for doc_id, cands in zip(batch, found, strict=True):
                if doc_id in stories:
                    verdicts[doc_id] = best_story(stories[doc_id], [m.doc_id for m in cands], stories)
            with self._store.transaction() as tx:
                for doc_id, same in verdicts.items():
                    with suppress(NoSuchDocument):  # deleted meanwhile
                        self._store.clear_signature(tx, doc_id)
                        if same is None:
                            self._store.set_signature(tx, doc_id, blobs[doc_id])
                        else:
                            self._store.set_signature(tx, doc_id, blobs[doc_id], same[0], round(same[1], 3))
                            flagged += 1
        return flagged

    def _backfill(self, index: NearDupIndex) -> list[int]:
        missing = [i for i in self._store.documents_without_signature() if i not in index]
        for k in range(0, len(missing), SCAN_BATCH):
            docs = self._store.get_many(missing[k : k + SCAN_BATCH])
            sigs = {doc_id: signature(doc.text) for doc_id, doc in docs.items()}
            with self._store.transaction() as tx:
                for doc_id, blob in sigs.items():
                    self._store.set_signature(tx, doc_id, blob)
            for doc_id, blob in sigs.items():
                index.add(doc_id, blob)
        if missing:
            log.info("near-duplicate signatures computed for %d documents", len(missing))
        return missing
