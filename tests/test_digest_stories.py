"""A digest lists a story once: its versions from other outlets are one entry ("+2 more sources"), with a
button to each, in the core, in both languages, and through the real Application on the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core import Dossier
from bot.digest import build_digest
from bot.ingest import prepare_text
from bot.render_text import render as render_console
from handlers.digest import opening_line
from handlers.render import digest_parts
from tests.conftest import Runner
from tests.fakebotapi import FakeBotApi
from tests.test_digest import FAST, digest_calls, eventually, listed_ids, services
from tests.test_story import ACME, BLUE_RIVER, DOCKS

# In id order: a dividend notice, the strike story, another notice on the same template, two more
# versions of the strike story.
WIRE = [("acme.txt", ACME), ("dock-nos.txt", DOCKS[0]), ("blue.txt", BLUE_RIVER)]
WIRE += [("dock-ap.txt", DOCKS[1]), ("dock-rtr.txt", DOCKS[2])]


def add_wire(dossier: Dossier) -> list[int]:
    ids = []
    for name, text in WIRE:
        outcome = dossier.add_prepared(prepare_text(name, text), added_by="test")
        assert outcome.doc_id is not None
        ids.append(outcome.doc_id)
    return ids


def test_one_story_from_three_sources_is_one_entry(dossier: Dossier) -> None:
    sub = dossier.store.subscribe(42, None, "user", 7)
    assert sub is not None
    acme, dock, blue, dock_ap, dock_rtr = add_wire(dossier)
    digest = build_digest(dossier.store, sub, datetime.now(UTC))
    assert digest is not None and digest.total == 5 and digest.unlisted == 0
    assert [e.doc.id for e in digest.entries] == [acme, dock, blue]  # at the story's first version
    strike = digest.entries[1]
    assert [d.id for d in strike.also] == [dock_ap, dock_rtr] and strike.doc_ids == (dock, dock_ap, dock_rtr)
    assert digest.entries[0].also == digest.entries[2].also == ()  # one template, two events

    (part,) = digest_parts(digest)
    html = part.payload.html  # type: ignore[attr-defined]
    assert listed_ids(html) == [acme, dock, blue]
    assert f"<i>+2 more sources: #{dock_ap}, #{dock_rtr}</i>" in html
    labels = [b.text for row in part.payload.keyboard.inline_keyboard for b in row]  # type: ignore[attr-defined]
    assert labels == [f"Open #{i}" for i in (acme, dock, dock_ap, dock_rtr, blue)]
    assert part.last_doc_id == blue  # the last entry's first document
    (ru,) = digest_parts(digest, lang="ru")
    assert f"ещё 2 источника: #{dock_ap}, #{dock_rtr}" in ru.payload.html  # type: ignore[attr-defined]
    console = render_console(digest)
    assert f"   +2 more sources: #{dock_ap}, #{dock_rtr}" in console
    assert console.count("\n#") == 3


def test_a_part_boundary_never_moves_the_cursor_past_a_later_entry(dossier: Dossier) -> None:
    sub = dossier.store.subscribe(42, None, "user", 7)
    assert sub is not None
    acme, dock, blue, dock_ap, dock_rtr = add_wire(dossier)
    digest = build_digest(dossier.store, sub, datetime.now(UTC))
    assert digest is not None
    parts = digest_parts(digest, limit=500)  # room for one entry per part
    assert len(parts) == 3
    # The strike's part carries its later versions' buttons, but the cursor after it stops at its first
    # version: the notice between them (blue) comes in the next part.
    assert [p.last_doc_id for p in parts] == [acme, dock, blue]
    keyboard = parts[1].payload.keyboard.inline_keyboard  # type: ignore[attr-defined]
    assert [b.text for row in keyboard for b in row] == [f"Open #{i}" for i in (dock, dock_ap, dock_rtr)]
    assert opening_line(parts[1].payload.html).startswith(f"#{dock} ")  # type: ignore[attr-defined]


async def test_the_digest_groups_a_story_over_telegram(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe")
        await botapi.wait_for("sendMessage")
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name("digest:all")
        job.enabled = False  # all five in before the next run
        try:
            acme, dock, blue, dock_ap, dock_rtr = add_wire(services(app).dossier)
        finally:
            job.enabled = True
        user = botapi.default_user.id
        await eventually(lambda: services(app).dossier.store.subscription(user).cursor == dock_rtr)  # type: ignore[union-attr]
        (call,) = digest_calls(botapi, user)
        text = call.params["text"]
        assert text.startswith("<b>Digest: 5 new documents</b>")
        assert listed_ids(text) == [acme, dock, blue]
        assert f"+2 more sources: #{dock_ap}, #{dock_rtr}" in text
        labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == [f"Open #{i}" for i in (acme, dock, dock_ap, dock_rtr, blue)]
        botapi.press_button(call, text=f"Open #{dock_rtr}")  # each source opens
        opened = await botapi.wait_for("sendMessage", lambda c: (c.text or "").startswith(f"<b>#{dock_rtr} "))
        assert "Strike halts Rotterdam container terminals" in opened.params["text"]
