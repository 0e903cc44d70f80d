"""The store's conformance suite: every method of ``bot.store``'s protocols, run against each store
implementation through one fixture, ``open_again`` (SQLite, and PostgreSQL on the session's embedded
server). Then the Dossier over a real store: dedup, ids kept across restarts, stale snapshots.
SQLite's own behaviour (WAL, its schema version, damaged files) is in ``test_store_sqlite.py``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Dossier
from bot.errors import DuplicateText, NoSuchDocument, StoreError
from bot.ingest import prepare_text
from bot.models import CorpusFile, NewDocument, NewFollowHit
from bot.search.query import parse_query
from bot.store import Store, open_store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore

OpenStore = Callable[[], Store]


def _sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    return lambda: SqliteStore(tmp_path / "s.sqlite3")


def _postgres(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    url: str = request.getfixturevalue("pg_url")  # a new database on the session's server
    return lambda: PostgresStore(url)


IMPLEMENTATIONS: dict[str, Callable[[pytest.FixtureRequest, Path], OpenStore]] = {
    "sqlite": _sqlite,
    "postgres": _postgres,
}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def open_again(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Opens the one store under test (a new connection each call: a restart, or another process);
    every store it opened is closed at the end."""
    opened: list[Store] = []
    make = IMPLEMENTATIONS[request.param](request, tmp_path)

    def open_one() -> Store:
        opened.append(make())
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(open_again: OpenStore) -> Store:
    return open_again()


def new_doc(text: str, source: str = "a.txt", published: date | None = None) -> NewDocument:
    sha = hashlib.sha256(text.encode()).hexdigest()
    return NewDocument(source, f"Title of {source}", published, text, sha, "test")


def insert(store: Store, text: str, source: str = "a.txt", published: date | None = None) -> int:
    with store.transaction() as tx:
        return store.insert_document(tx, new_doc(text, source, published))


# ----------------------------------------------------------------- transactions
def test_a_transaction_commits_all_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.insert_document(tx, new_doc("one"))
        store.insert_document(tx, new_doc("two", "b.txt"))
        raise RuntimeError("crash")
    assert store.count_documents() == 0
    with store.transaction() as tx:
        store.insert_document(tx, new_doc("one"))
        store.insert_document(tx, new_doc("two", "b.txt"))
    assert store.count_documents() == 2


def test_what_is_committed_is_there_after_a_restart(open_again: OpenStore) -> None:
    first = open_again()
    doc_id = insert(first, "kept", published=date(1987, 3, 2))
    first.close()
    again = open_again()
    doc = again.get(doc_id)
    assert doc is not None and doc.text == "kept" and doc.published == date(1987, 3, 2)
    assert insert(again, "next") == doc_id + 1


def test_one_store_serves_many_threads(store: Store) -> None:
    """The bot calls the store from worker threads: writes and reads at once, nothing lost or mixed."""
    import threading

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(15):
                doc_id = insert(store, f"thread {n} text {k}", f"{n}-{k}.txt")
                got = store.get(doc_id)
                assert got is not None and got.text == f"thread {n} text {k}"
                store.create_search_session(f"q{n}", n, None, timedelta(minutes=1))
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    before = store.generation()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_documents() == 60 and store.generation() == before + 60
    assert len({d.text for d in store.iter_documents()}) == 60


# ----------------------------------------------------------------- documents
def test_documents_are_stored_and_read_back(store: Store) -> None:
    before = store.generation()
    a = insert(store, "alpha text", "a.txt", date(1987, 1, 5))
    b = insert(store, "beta text", "b.txt")
    assert store.generation() == before + 2
    doc = store.get(a)
    assert doc is not None
    assert (doc.id, doc.source, doc.title, doc.published, doc.text, doc.added_by) == (
        a,
        "a.txt",
        "Title of a.txt",
        date(1987, 1, 5),
        "alpha text",
        "test",
    )
    assert doc.sha256 == new_doc("alpha text").sha256 and doc.added_at.tzinfo is not None
    assert store.get(b + 100) is None
    assert store.exists(a) and not store.exists(b + 100)
    assert set(store.get_many([a, b, b + 100])) == {a, b}
    assert store.get_many([]) == {}
    assert store.count_documents() == 2
    assert store.find_by_hash(new_doc("beta text").sha256) == b
    assert store.find_by_hash("0" * 64) is None
    assert store.document_heads([a, b]) == {
        a: ("a.txt", "Title of a.txt", date(1987, 1, 5)),
        b: ("b.txt", "Title of b.txt", None),
    }


def test_documents_are_iterated_in_id_order_across_batches(store: Store) -> None:
    ids = [insert(store, f"text {n}", f"{n}.txt") for n in range(7)]
    assert [d.id for d in store.iter_documents(batch=3)] == ids
    assert set(store.get_many(ids)) == set(ids)


def test_documents_after_a_cursor(store: Store) -> None:
    ids = [insert(store, f"text {n}", f"{n}.txt") for n in range(5)]
    docs, total, top = store.documents_after(ids[1], limit=2)
    assert [d.id for d in docs] == ids[2:4] and total == 3 and top == ids[4]
    assert store.documents_after(ids[4], limit=2) == ([], 0, 0)


def test_the_same_text_twice_is_a_duplicate_text(store: Store) -> None:
    insert(store, "same text")
    with pytest.raises(DuplicateText), store.transaction() as tx:
        store.insert_document(tx, new_doc("same text", "copy.txt"))
    assert store.count_documents() == 1
    assert issubclass(DuplicateText, StoreError)


def test_replace_keeps_the_id_and_refuses_another_documents_text(store: Store) -> None:
    a = insert(store, "old text")
    b = insert(store, "other text", "b.txt")
    before = store.generation()
    with store.transaction() as tx:
        store.replace_document(tx, a, new_doc("new text", "a2.txt", date(1990, 1, 1)))
    doc = store.get(a)
    assert doc is not None
    assert (doc.text, doc.source, doc.published) == ("new text", "a2.txt", date(1990, 1, 1))
    assert store.generation() == before + 1
    with pytest.raises(DuplicateText), store.transaction() as tx:
        store.replace_document(tx, a, new_doc("other text"))
    assert store.get(a) == doc and store.find_by_hash(new_doc("other text").sha256) == b


def test_delete_takes_everything_stored_with_the_document(store: Store) -> None:
    a = insert(store, "doomed")
    with store.transaction() as tx:
        store.set_people(tx, a, 1, "[]")
        store.add_original(tx, a, "f.pdf", "pdf", 10)
        store.set_signature(tx, a, b"sig")
        store.record_corpus_file(tx, CorpusFile("a.txt", 6, 1, a))
    before = store.generation()
    with store.transaction() as tx:
        assert store.delete_document(tx, a)
    with store.transaction() as tx:
        assert not store.delete_document(tx, a)
    assert store.generation() == before + 1  # a delete of nothing changes nothing
    assert store.get(a) is None and store.people_of([a]) == {} and store.original_of(a) is None
    assert list(store.iter_signatures()) == [] and store.original_files() == set()
    assert store.corpus_files()["a.txt"].doc_id is None  # the file is still known, read as no document


# ----------------------------------------------------------------- people
def test_people_are_stored_replaced_and_found_missing(store: Store) -> None:
    a = insert(store, "alpha", published=date(1987, 2, 3))
    b = insert(store, "beta", "b.txt")
    c = insert(store, "gamma", "c.txt")
    with store.transaction() as tx:
        store.set_people(tx, a, 1, '["old"]')
        store.set_people(tx, b, 2, '["b"]')
    with store.transaction() as tx:
        store.set_people(tx, a, 2, '["new"]')
    assert list(store.iter_people(batch=1)) == [(a, date(1987, 2, 3), '["new"]'), (b, None, '["b"]')]
    assert store.people_of([a, c]) == {a: '["new"]'}
    assert store.people_of([]) == {}
    assert store.documents_without_people(2) == [c]
    assert store.documents_without_people(3) == [a, b, c]
    with pytest.raises(NoSuchDocument), store.transaction() as tx:
        store.set_people(tx, c + 100, 2, "[]")


# ----------------------------------------------------------------- corpus files
def test_corpus_files_are_recorded_and_updated(store: Store) -> None:
    a = insert(store, "alpha")
    with store.transaction() as tx:
        store.record_corpus_file(tx, CorpusFile("x/a.txt", 5, 100, a))
        store.record_corpus_file(tx, CorpusFile("junk.bin", 3, 100, None))
    with store.transaction() as tx:
        store.record_corpus_file(tx, CorpusFile("x/a.txt", 6, 200, a))
    assert store.corpus_files() == {
        "x/a.txt": CorpusFile("x/a.txt", 6, 200, a),
        "junk.bin": CorpusFile("junk.bin", 3, 100, None),
    }
    assert store.corpus_path_of(a) == "x/a.txt"
    assert store.corpus_path_of(a + 1) is None


# ----------------------------------------------------------------- originals
def test_originals_are_recorded_and_counted(store: Store) -> None:
    a = insert(store, "alpha")
    b = insert(store, "beta", "b.txt")
    with store.transaction() as tx:
        store.add_original(tx, a, "shared.zip", "zip", 100)
        store.add_original(tx, b, "shared.zip", "zip", 100)
    assert store.original_of(a) == ("shared.zip", "zip")
    assert store.original_of(b + 1) is None
    assert store.original_files() == {"shared.zip"}
    assert store.original_users("shared.zip") == 2 and store.original_users("none") == 0
    with store.transaction() as tx:
        store.add_original(tx, b, "own.pdf", "pdf", 5)  # replaces b's
    assert store.original_of(b) == ("own.pdf", "pdf") and store.original_users("shared.zip") == 1
    with pytest.raises(NoSuchDocument), store.transaction() as tx:
        store.add_original(tx, b + 100, "x", "pdf", 1)


# ----------------------------------------------------------------- signatures
def test_signatures_are_stored_and_near_duplicates_counted(store: Store) -> None:
    a = insert(store, "alpha")
    b = insert(store, "beta", "b.txt")
    c = insert(store, "gamma", "c.txt")
    with store.transaction() as tx:
        store.set_signature(tx, a, b"A")
        store.set_signature(tx, b, b"B", near_dup_of=a, similarity=0.5)
    with store.transaction() as tx:
        store.set_signature(tx, b, b"B2")  # a recomputed signature keeps what b was found to resemble
    assert list(store.iter_signatures(batch=1)) == [(a, b"A"), (b, b"B2")]
    assert store.documents_without_signature() == [c]
    assert store.count_near_duplicates() == 1
    with store.transaction() as tx:
        store.clear_signature(tx, b)
    assert store.documents_without_signature() == [b, c] and store.count_near_duplicates() == 0
    with pytest.raises(NoSuchDocument), store.transaction() as tx:
        store.set_signature(tx, c + 100, b"X")


def test_a_refused_row_leaves_the_rest_of_the_transaction(store: Store) -> None:
    """A signature for a document deleted meanwhile is skipped; the others in its batch commit."""
    a = insert(store, "alpha")
    with store.transaction() as tx:
        with pytest.raises(NoSuchDocument):
            store.set_signature(tx, a + 1, b"gone")
        store.set_signature(tx, a, b"A")
    assert list(store.iter_signatures()) == [(a, b"A")]


# ----------------------------------------------------------------- subscriptions
def test_a_subscription_starts_after_the_newest_document(store: Store) -> None:
    newest = insert(store, "before")
    sub = store.subscribe(42, 7, "user", 9)
    assert sub is not None
    assert (sub.chat_id, sub.thread_id, sub.kind, sub.subscribed_by, sub.cursor, sub.digest_time) == (
        42,
        7,
        "user",
        9,
        newest,
        None,
    )
    assert store.subscribe(42, None, "user", 9) is None  # already subscribed
    assert store.subscription(42) == sub
    store.subscribe(-5, None, "group", 9)
    assert [s.chat_id for s in store.subscriptions()] == [-5, 42]
    assert store.count_subscriptions() == {"user": 1, "group": 1}
    assert store.unsubscribe(42) and not store.unsubscribe(42)
    assert store.subscription(42) is None


def test_a_subscription_on_an_empty_store_starts_at_zero(store: Store) -> None:
    sub = store.subscribe(1, None, "user", 1)
    assert sub is not None and sub.cursor == 0


def test_digest_time_cursor_and_last_run(store: Store) -> None:
    store.subscribe(42, None, "user", 1)
    assert store.set_digest_time(42, "08:30") and not store.set_digest_time(43, "08:30")
    store.advance_cursor(42, 10)
    store.advance_cursor(42, 4)  # never backwards
    at = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    store.mark_run(42, at)
    sub = store.subscription(42)
    assert sub is not None and (sub.digest_time, sub.cursor, sub.last_run_at) == ("08:30", 10, at)
    assert store.set_digest_time(42, None)
    assert store.subscription(42).digest_time is None  # type: ignore[union-attr]


def test_a_migrated_group_keeps_its_subscription(store: Store) -> None:
    store.subscribe(-1, None, "group", 1)
    store.advance_cursor(-1, 3)
    assert store.migrate_chat(-1, -1001)
    moved = store.subscription(-1001)
    assert store.subscription(-1) is None and moved is not None and moved.cursor == 3
    assert not store.migrate_chat(-2, -1002)  # nothing to move
    store.subscribe(-3, None, "group", 1)
    assert not store.migrate_chat(-3, -1001)  # the new chat has one already: the old one goes
    assert store.subscription(-3) is None and store.subscription(-1001) == moved


def test_a_migrated_group_keeps_its_follows_hits_and_quiet_hours(store: Store) -> None:
    doc = insert(store, "one")
    mine, _ = store.add_follow(-1, None, "query", "coffee", "coffee", "instant", 7)
    start = store.follow_cursor()
    assert store.record_hits(start, doc, [NewFollowHit(-1, doc, mine.id, "instant", "coffee")])
    store.set_quiet_hours(-1, ("22:00", "08:00"))
    store.migrate_chat(-1, -1001)
    assert [(f.id, f.chat_id) for f in store.follows(-1001)] == [(mine.id, -1001)] and not store.follows(-1)
    assert [h.follow_id for h in store.unsent_hits(-1001, 10)] == [mine.id]
    assert store.alert_chats() == [-1001]
    assert store.quiet_hours(-1001) == ("22:00", "08:00")
    # The new id already follows "tin" (made there before the move was known): one "tin" stays.
    store.add_follow(-2, None, "query", "tin", "tin", "instant", 7)
    kept, _ = store.add_follow(-1002, None, "query", "tin", "tin", "digest", 7)
    store.migrate_chat(-2, -1002)
    assert [f.id for f in store.follows(-1002)] == [kept.id]


# ----------------------------------------------------------------- search sessions
def test_follows_are_made_once_listed_changed_and_removed(store: Store) -> None:
    first = insert(store, "one")
    follow, created = store.add_follow(5, 9, "person", "james baker", "James Baker", "instant", 7)
    assert created and follow.after_id == first and follow.thread_id == 9 and follow.created_by == 7
    again, created = store.add_follow(5, None, "person", "james baker", "James Baker", "digest", 7)
    assert not created and again.id == follow.id
    query, _ = store.add_follow(5, None, "query", "coffee -futures", "coffee -futures", "digest", 7)
    other, _ = store.add_follow(6, None, "query", "coffee -futures", "coffee -futures", "instant", 8)
    assert [f.id for f in store.follows(5)] == [follow.id, query.id]
    assert [f.id for f in store.follows()] == [follow.id, query.id, other.id]
    assert store.set_follow_mode(5, query.id, "instant") and not store.set_follow_mode(6, query.id, "digest")
    store.set_follow_target(follow.id, "james a. baker")
    assert [f.target for f in store.follows(5)] == ["james a. baker", "coffee -futures"]
    assert store.remove_follow(6, follow.id) is None  # another chat's follow
    assert store.remove_follow(5, follow.id) == replace(follow, target="james a. baker")
    assert [f.id for f in store.follows(5)] == [query.id]


def test_a_query_follow_becomes_a_person_follow_once_and_never_twice_for_a_chat(store: Store) -> None:
    words, _ = store.add_follow(5, None, "query", "John Herington", "John Herington", "instant", 7)
    twice, _ = store.add_follow(5, None, "query", "J Herrington", "J Herrington", "instant", 7)
    assert store.follow_person(words.id, "john herrington", "John Herrington")
    assert not store.follow_person(words.id, "john herrington", "John Herrington")  # a person's now
    assert not store.follow_person(twice.id, "john herrington", "John Herrington")  # the chat has him
    assert [(f.id, f.kind, f.target, f.label) for f in store.follows(5)] == [
        (words.id, "person", "john herrington", "John Herrington"),
        (twice.id, "query", "J Herrington", "J Herrington"),
    ]


def test_hits_are_recorded_once_with_the_cursor_and_alerts_confirmed_in_order(store: Store) -> None:
    before = insert(store, "before")
    instant, _ = store.add_follow(5, None, "query", "x", "x", "instant", 7)
    digest, _ = store.add_follow(5, None, "query", "y", "y", "digest", 7)
    assert store.follow_cursor() == before  # at first: the newest stored, nothing old is matched
    a, b = insert(store, "a", "a.txt"), insert(store, "b", "b.txt")
    hits = [
        NewFollowHit(5, a, instant.id, "instant", "passage a"),
        NewFollowHit(5, a, digest.id, "digest", "passage a"),
        NewFollowHit(5, b, instant.id, "instant", "passage b"),
    ]
    assert store.record_hits(before, b, hits)
    assert not store.record_hits(before, b, hits)  # another replica got there first: nothing written
    assert store.follow_cursor() == b
    assert store.record_hits(b, b, hits[:1])  # the same hit again is not recorded twice
    unsent = store.unsent_hits(5, 10)
    assert [(h.doc_id, h.label, h.passage) for h in unsent] == [(a, "x", "passage a"), (b, "x", "passage b")]
    assert [h.doc_id for h in store.digest_hits(5, before, b)] == [a]
    assert store.digest_hits(5, a, b) == []
    assert store.alert_chats() == [5]
    now = datetime.now(UTC)
    assert store.alert_opening(5, unsent[0].seq, now - timedelta(minutes=2))
    assert not store.alert_opening(5, unsent[1].seq, now - timedelta(minutes=2))  # another's claim
    assert store.alert_inflight(5) is not None and store.alert_inflight(5).message_id is None  # type: ignore[union-attr]
    assert store.alert_opening(5, unsent[0].seq, now + timedelta(seconds=1))  # a claim that old: a kill
    store.alert_opened(5, unsent[0].seq, 77)
    assert store.alert_inflight(5).message_id == 77  # type: ignore[union-attr]
    store.alert_delivered(5, unsent[0].seq)
    assert store.alert_inflight(5) is None
    assert [h.doc_id for h in store.unsent_hits(5, 10)] == [b]
    store.alert_delivered(5, unsent[1].seq)
    store.alert_delivered(5, unsent[0].seq)  # never backwards
    assert store.unsent_hits(5, 10) == [] and store.alert_chats() == []
    with store.transaction() as tx:  # a deleted document takes its hits with it
        store.delete_document(tx, a)
    assert store.digest_hits(5, before, b) == []


def test_quiet_hours_and_the_alert_topic(store: Store) -> None:
    assert store.quiet_hours(5) is None
    store.set_quiet_hours(5, ("22:00", "08:00"))
    assert store.quiet_hours(5) == ("22:00", "08:00")
    store.add_follow(5, 42, "query", "x", "x", "instant", 7)
    assert store.quiet_hours(5) == ("22:00", "08:00") and store.follow_thread(5) == 42
    store.set_quiet_hours(5, None)
    assert store.quiet_hours(5) is None


def test_search_sessions_live_until_they_expire(store: Store) -> None:
    session = store.create_search_session("zanzibar", 7, -5, timedelta(minutes=10))
    assert len(session.id) == 8
    assert store.get_search_session(session.id) == session
    assert store.get_search_session("nope") is None
    other = store.create_search_session("x", None, None, timedelta(minutes=1))
    assert other.id != session.id and other.user_id is None and other.chat_id is None
    assert store.purge_search_sessions(datetime.now(UTC)) == 0
    assert store.purge_search_sessions(datetime.now(UTC) + timedelta(minutes=5)) == 1
    assert store.get_search_session(other.id) is None and store.get_search_session(session.id) is not None


# ----------------------------------------------------------------- meta
def test_meta_values_and_size(store: Store) -> None:
    assert store.schema_version >= 1
    assert store.get_meta("last_ingest") is None
    with store.transaction() as tx:
        store.set_meta(tx, "last_ingest", "{}")
    with store.transaction() as tx:
        store.set_meta(tx, "last_ingest", '{"n": 1}')
    assert store.get_meta("last_ingest") == '{"n": 1}'
    assert store.size_bytes() >= 0


# ----------------------------------------------------------------- several processes on one store
def test_every_document_change_is_in_the_feed_with_its_writer(open_again: OpenStore) -> None:
    mine, other = open_again(), open_again()
    assert mine.writer_id != other.writer_id
    start = mine.generation()
    assert mine.changes_since(start) == []
    a = insert(mine, "mine")
    b = insert(other, "theirs", "b.txt")  # another process
    changes = mine.changes_since(start)
    assert [(c.doc_id, c.writer) for c in changes] == [(a, mine.writer_id), (b, other.writer_id)]
    assert [c.seq for c in changes] == [start + 1, start + 2] and changes[-1].seq == mine.generation()
    assert other.changes_since(start + 1) == changes[1:]
    assert mine.changes_since(mine.generation()) == []


def test_a_document_s_last_change_replaces_its_earlier_ones(open_again: OpenStore) -> None:
    mine, other = open_again(), open_again()
    doc = insert(mine, "first version")
    kept = insert(mine, "another", "b.txt")
    start = mine.generation()
    with other.transaction() as tx:
        other.replace_document(tx, doc, new_doc("second version"))
    with other.transaction() as tx:
        assert other.delete_document(tx, doc)
    changes = mine.changes_since(0)
    # One entry per id: the deletion (the document is gone) by the other writer, after ``kept``.
    assert [(c.doc_id, c.writer) for c in changes] == [(kept, mine.writer_id), (doc, other.writer_id)]
    assert changes[-1].seq == start + 2 == mine.generation() and mine.get(doc) is None
    with other.transaction() as tx:
        assert not other.delete_document(tx, doc)  # nothing deleted, nothing recorded
    assert mine.changes_since(start + 2) == []


def test_changes_come_in_pages(store: Store) -> None:
    ids = [insert(store, f"text {i}", f"{i}.txt") for i in range(5)]
    first = store.changes_since(0, limit=2)
    rest = store.changes_since(first[-1].seq, limit=10)
    assert [c.doc_id for c in first + rest] == ids


def test_a_lease_is_held_by_one_holder_until_released_or_expired(open_again: OpenStore) -> None:
    mine, other = open_again(), open_again()
    assert mine.acquire_lease("digest-chat:5", "A", 60)
    assert not other.acquire_lease("digest-chat:5", "B", 60)  # A's runs
    assert mine.acquire_lease("digest-chat:5", "A", 60)  # A again: extended
    assert other.acquire_lease("digest-chat:6", "B", 60)  # another name is another lease
    assert mine.renew_lease("digest-chat:5", "A", 60)
    assert not other.renew_lease("digest-chat:5", "B", 60)  # not B's to renew
    other.release_lease("digest-chat:5", "B")  # not B's to release either
    assert not other.acquire_lease("digest-chat:5", "B", 60)
    assert other.lease_holder("digest-chat:5") == "A" and other.lease_holder("nothing") is None
    mine.release_lease("digest-chat:5", "A")
    assert other.lease_holder("digest-chat:5") is None
    assert other.acquire_lease("digest-chat:5", "B", 60)
    assert not mine.renew_lease("digest-chat:5", "A", 60)  # lost: B holds it now


def test_an_expired_lease_is_taken_over(open_again: OpenStore) -> None:
    mine, other = open_again(), open_again()
    assert mine.acquire_lease("corpus-scan", "A", -1)  # held by a process that stopped renewing
    assert other.lease_holder("corpus-scan") is None
    assert other.acquire_lease("corpus-scan", "B", 60)
    assert not mine.renew_lease("corpus-scan", "A", 60)
    assert not mine.acquire_lease("corpus-scan", "A", 60)


def test_open_store_gives_a_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "deep" / "d.sqlite3")
    assert store.count_documents() == 0
    store.close()


# ----------------------------------------------------------------- through the Dossier
def test_same_content_is_stored_once(tmp_path: Path) -> None:
    d = Dossier.open(tmp_path)
    first = d.add_prepared(prepare_text("a.txt", "Hello   World\nagain"), added_by="test")
    second = d.add_prepared(prepare_text("b.txt", "hello world again"), added_by="test")
    assert first.status == "added"
    assert second.status == "duplicate" and second.doc_id == first.doc_id
    assert d.store.count_documents() == 1
    doc = d.document(first.doc_id or 0)
    assert doc is not None and doc.added_by == "test" and len(doc.sha256) == 64


def test_the_store_file_is_where_the_settings_put_it(tmp_path: Path) -> None:
    d = Dossier.open(tmp_path / "data", db_path=tmp_path / "elsewhere" / "my.sqlite3")
    d.add_prepared(prepare_text("a.txt", "Hello"), added_by="test")
    d.close()
    assert (tmp_path / "elsewhere" / "my.sqlite3").is_file()
    assert not (tmp_path / "data" / "dossier.sqlite3").exists()


def test_restart_keeps_ids_and_does_not_reread_unchanged_files(corpus_dir: Path, data_dir: Path) -> None:
    d = Dossier.open(data_dir)
    first = d.scan_corpus(corpus_dir)
    ids = {doc.source: doc.id for doc in d.store.iter_documents()}
    d.close()
    assert first.count("added") == 5

    d2 = Dossier.open(data_dir)
    again = d2.scan_corpus(corpus_dir)
    assert again.unchanged == 5 and again.outcomes == []
    assert {doc.source: doc.id for doc in d2.store.iter_documents()} == ids
    assert len(d2) == 5  # index came back (from its snapshot)
    d2.close()


def test_changed_file_keeps_its_id_and_new_file_gets_the_next(corpus_dir: Path, data_dir: Path) -> None:
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    ids = {doc.source: doc.id for doc in d.store.iter_documents()}
    target = corpus_dir / "004_4c3000b3cf1095f3.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "\nAn added line about Zanzibar.\n", encoding="utf-8"
    )
    (corpus_dir / "005_new.md").write_text("# New report\n\nNothing about Zanzibar.\n", encoding="utf-8")
    report = d.scan_corpus(corpus_dir)
    assert report.count("updated") == 1 and report.count("added") == 1
    new_ids = {doc.source: doc.id for doc in d.store.iter_documents()}
    assert new_ids["004_4c3000b3cf1095f3.txt"] == ids["004_4c3000b3cf1095f3.txt"]
    assert new_ids["005_new.md"] == max(ids.values()) + 1

    found = {h.doc.id for h in d.search(parse_query("zanzibar")).hits}
    assert found == {new_ids["004_4c3000b3cf1095f3.txt"], new_ids["005_new.md"]}


def test_stale_index_snapshot_is_rebuilt(corpus_dir: Path, data_dir: Path) -> None:
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    # A document committed to the store without the snapshot being saved, as after a crash.
    d.add_prepared(prepare_text("late.txt", "Late arrival about Zanzibar"), added_by="test")
    d.close()
    d2 = Dossier.open(data_dir)

    assert [h.doc.source for h in d2.search(parse_query("zanzibar")).hits] == ["late.txt"]


def test_a_scan_read_by_a_worker_process_stores_what_a_serial_scan_stores(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import bot.ingest.scan

    (corpus_dir / "junk.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    (corpus_dir / "empty.md").write_bytes(b"")

    def scan(parallel_from: int, where: str) -> tuple[list[object], list[tuple[str, str]], list[str]]:
        monkeypatch.setattr(bot.ingest.scan, "PARALLEL_FROM", parallel_from)
        d = Dossier.open(tmp_path / where)
        report = d.scan_corpus(corpus_dir)
        docs: list[object] = [(doc.id, doc.source, doc.title, doc.sha256) for doc in d.store.iter_documents()]
        people = sorted(d.store.iter_people(), key=lambda row: row[0])  # people extracted by the workers
        docs += people
        outcomes: list[tuple[str, str]] = sorted((o.source, o.status) for o in report.outcomes)
        names = [p.name for p in d.all_people()]
        found = [h.doc.id for h in d.search(parse_query("masadikov")).hits]
        d.close()
        return docs, outcomes, [*names, *map(str, found)]

    # An earlier test's background thread (a people index rebuild, a closing executor) may still be
    # ending: let it, since a scan in a process with threads stays in process and compares nothing.
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(timeout=30)
    assert threading.active_count() == 1, threading.enumerate()
    assert scan(1, "forked") == scan(10**9, "serial")
    assert ("junk.txt", "skipped") in scan(1, "again")[1]
