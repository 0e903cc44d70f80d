"""Reply models as Telegram messages: HTML (everything from documents and users escaped), keyboards,
and splitting under Telegram's 4,096-character limit.

Pure functions: the handlers send what these return, and tests check them without a network.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands.replies import (
    ConfirmDeleteReply,
    DocumentReply,
    HelpReply,
    IngestReply,
    PersonEntry,
    Reply,
    SearchReply,
    TextReply,
    WhoReply,
)
from bot.digest import DigestEntry, DigestPart, DigestReply
from bot.models import Document, SearchHit
from bot.people.cards import day
from bot.render_text import (
    ADMIN_MARK,
    CARD_DOCS_SHOWN,
    card_roles,
    confirm_delete_lines,
    holder_text,
    partial_lines,
    person_summary,
    report_header,
    report_lines,
    text_lines,
)
from bot.search.snippets import Snippet
from bot.texts import BEST_ANSWER, DID_YOU_MEAN
from handlers.callbacks import encode_delete, encode_keep, encode_open, encode_page, encode_who

MESSAGE_LIMIT = 4096
DOC_MESSAGES_MAX = 4  # a document longer than this many messages is sent as a file instead
TITLE_MAX_INLINE = 120
TITLE_MAX_HEADER = 300  # characters of a title or a source label heading a document (escaped, at most
SOURCE_MAX_HEADER = 200  # five times as long): the text keeps at least half of every message
CAPTION_LIMIT = 1024


@dataclass(frozen=True)
class OutMessage:
    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class OutFile:
    filename: str
    data: bytes
    caption_html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Rendered:
    messages: list[OutMessage] = field(default_factory=list)
    file: OutFile | None = None


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def snippet_html(snippet: Snippet) -> str:
    out: list[str] = ["… " if snippet.leading_cut else ""]
    pos = 0
    for start, end in snippet.highlights:
        out.append(esc(snippet.text[pos:start]))
        out.append(f"<b>{esc(snippet.text[start:end])}</b>")
        pos = end
    out.append(esc(snippet.text[pos:]))
    out.append(" …" if snippet.trailing_cut else "")
    return "".join(out)


def date_text(doc: Document) -> str:
    return doc.published.isoformat() if doc.published else "undated"


def render(reply: Reply, bot_username: str | None = None) -> Rendered:
    """The Telegram messages for a reply. ``bot_username`` names the bot where a text tells users how
    to reach it (the inline-mode hint in /help)."""
    if isinstance(reply, TextReply):
        return Rendered([OutMessage(esc("\n".join(text_lines(reply))))])
    if isinstance(reply, HelpReply):
        return Rendered([OutMessage(help_html(reply, bot_username))])
    if isinstance(reply, SearchReply):
        return Rendered([search_message(reply)])
    if isinstance(reply, DocumentReply):
        return document(reply.doc)
    if isinstance(reply, DigestReply):
        return Rendered([p.payload for p in digest_parts(reply) if isinstance(p.payload, OutMessage)])
    if isinstance(reply, IngestReply):
        header = f"<b>{esc(report_header(reply.report))}</b>\n"
        body = "\n".join(report_lines(reply.report)[1:])
        return Rendered([OutMessage(part) for part in split_html(body, MESSAGE_LIMIT, first_prefix=header)])
    if isinstance(reply, ConfirmDeleteReply):
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        f"Delete #{reply.doc.id}", callback_data=encode_delete(reply.doc.id)
                    ),
                    InlineKeyboardButton("Cancel", callback_data=encode_keep(reply.doc.id)),
                ]
            ]
        )
        return Rendered([OutMessage(esc("\n".join(confirm_delete_lines(reply))), keyboard)])
    if isinstance(reply, WhoReply):
        return who(reply)
    raise TypeError(f"no Telegram rendering for {type(reply).__name__}")


def help_html(reply: HelpReply, bot_username: str | None = None) -> str:
    lines = [esc(reply.intro), ""]
    for cmd in reply.commands:
        usage = esc(f"/{cmd.name} {cmd.args}".rstrip())
        mark = f"<i>{esc(ADMIN_MARK)}</i>" if cmd.admin_only else ""
        lines.append(f"{usage} — {esc(cmd.summary)}{mark}\n    e.g. <code>/{esc(cmd.example)}</code>")
    lines += ["", *(esc(line) for line in reply.footer)]
    handle = f"@{esc(bot_username)}" if bot_username else "@this_bot"
    lines.append(f"\nIn any chat you can also type <code>{handle} words</code> to pick a document inline.")
    return "\n".join(lines)


def hit_html(hit: SearchHit) -> str:
    doc = hit.doc
    return (
        f"<b>#{doc.id}</b> <b>{esc(doc.title)}</b>\n"
        f"<i>{esc(date_text(doc))} · {esc(doc.source)}</i>\n"
        f"{snippet_html(hit.snippet)}"
    )


def search_message(reply: SearchReply) -> OutMessage:
    page = reply.page
    notes = [f"<i>{esc(note)}</i>" for note in reply.notes]
    query = esc(page.query.label)
    if not page.hits:
        if page.offset:
            return OutMessage("\n".join([*notes, "No more results."]))
        lines = [*notes, f"Nothing found for “{query}”.", *map(esc, partial_lines(page))]
        if page.suggestion:
            lines.append(suggestion_html(page.suggestion))
        return OutMessage("\n".join(lines))
    header = f"<b>{page.total}</b> result{'s' if page.total != 1 else ''} for “{query}”"
    if reply.page_count > 1:
        header += f" · page {reply.page_number}/{reply.page_count}"
    partial = partial_lines(page)
    if partial:
        header += "\n" + "\n".join(f"<i>{esc(line)}</i>" for line in partial)
    blocks = [*notes]
    if reply.answer is not None:
        doc = reply.answer.doc
        title = esc(BEST_ANSWER).format(id=doc.id, title=f"<b>{esc(clip(doc.title, TITLE_MAX_INLINE))}</b>")
        blocks.append(f"{title}\n{snippet_html(reply.answer.snippet)}")
    blocks.append(header)
    blocks += [hit_html(hit) for hit in page.hits]
    if page.suggestion:
        blocks.append(suggestion_html(page.suggestion))
    text = "\n\n".join(blocks)
    if tg_len(text) > MESSAGE_LIMIT:  # only with extreme titles: fall back to titles alone
        blocks = [*notes, header] + [f"<b>#{h.doc.id}</b> {esc(clip(h.doc.title, 200))}" for h in page.hits]
        text = "\n\n".join(pack_blocks(blocks)[:1])
    return OutMessage(text, search_keyboard(reply))


def suggestion_html(suggestion: str) -> str:
    """A "did you mean" as a command to tap."""
    return esc(DID_YOU_MEAN).format(suggestion=f"<code>/search {esc(suggestion)}</code>")


def search_keyboard(reply: SearchReply) -> InlineKeyboardMarkup:
    page = reply.page
    rows = [
        [
            InlineKeyboardButton(f"Open #{hit.doc.id}", callback_data=encode_open(hit.doc.id))
            for hit in page.hits
        ]
    ]
    if reply.session and (reply.has_prev or reply.has_next):
        nav: list[InlineKeyboardButton] = []
        if reply.has_prev:
            prev_offset = max(0, page.offset - reply.page_size)
            nav.append(InlineKeyboardButton("‹ Prev", callback_data=encode_page(reply.session, prev_offset)))
        if reply.has_next:
            next_offset = page.offset + reply.page_size
            nav.append(InlineKeyboardButton("Next ›", callback_data=encode_page(reply.session, next_offset)))
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def document(doc: Document) -> Rendered:
    """A document as messages split at paragraph boundaries, or as a .txt file when very long."""
    header = (
        f"<b>#{doc.id} {esc(clip(doc.title, TITLE_MAX_HEADER))}</b>\n"
        f"<i>{esc(date_text(doc))} · {esc(clip(doc.source, SOURCE_MAX_HEADER))}</i>"
    )
    chunks = split_html(doc.text, MESSAGE_LIMIT, first_prefix=header + "\n\n")
    if len(chunks) > DOC_MESSAGES_MAX:
        caption = f"{header}\n\nThe full text is long, so here it is as a file."
        if tg_len(caption) > CAPTION_LIMIT:
            caption = f"<b>#{doc.id}</b> — the full text as a file."
        data = f"{doc.title}\n{date_text(doc)} · {doc.source}\n\n{doc.text}\n".encode()
        return Rendered(file=OutFile(f"dossier-{doc.id}.txt", data, caption))
    return Rendered([OutMessage(chunk) for chunk in chunks])


def tg_len(text: str) -> int:
    """A text's length as Telegram counts it: in UTF-16 code units, so an emoji or another character
    beyond the Basic Multilingual Plane counts twice. Measured on the HTML sent, which is never shorter
    than the text Telegram counts after parsing entities (``&amp;`` is five characters, then one)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, most: int) -> str:
    """Raw text cut to at most ``most`` characters, with an ellipsis where it was cut: a title or file
    name of thousands of characters must not crowd out the message it heads."""
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


MIN_ROOM = 1024  # the least room for text a computed limit may leave; below it the prefix goes alone


def split_html(text: str, limit: int, first_prefix: str = "") -> list[str]:
    """Escape ``text`` and pack it into messages of at most ``limit`` UTF-16 units, breaking between
    paragraphs, else between words; an entity like ``&amp;`` is never cut.

    Every computed room has a floor: a prefix that would leave less than ``MIN_ROOM`` for the text is
    sent as a message of its own (shortened if it alone is over the limit), so no limit is ever negative
    and the loop below always makes progress."""
    limit = max(limit, MIN_ROOM)
    head: list[str] = []
    if first_prefix and limit - tg_len(first_prefix) < MIN_ROOM:
        head = [_shorten_html(first_prefix.rstrip(), limit)]
        first_prefix = ""
    room = limit - tg_len(first_prefix)
    pieces: list[str] = []
    for para in text.split("\n"):
        escaped = esc(para)
        if tg_len(escaped) <= room:
            pieces.append(escaped)
        else:
            pieces.extend(_split_long(para, room))
    messages: list[str] = list(head)
    current = first_prefix
    for piece in pieces:
        sep = "" if current in ("", first_prefix) else "\n"
        if tg_len(current) + len(sep) + tg_len(piece) > limit:
            if current.strip():
                messages.append(current)
            current = piece
        else:
            current += sep + piece
    if current.strip():
        messages.append(current)
    return messages


def _split_long(paragraph: str, limit: int) -> list[str]:
    limit = max(limit, 12)  # one escaped character (``&amp;``) or a surrogate pair always fits
    out: list[str] = []
    current = ""
    for word in paragraph.split(" "):
        escaped = esc(word)
        while tg_len(escaped) > limit:  # one enormous "word": cut the raw text, then escape
            cut = word[: max(1, limit // 6)]
            out.append(esc(cut))
            word = word[len(cut) :]
            escaped = esc(word)
        candidate = escaped if not current else current + " " + escaped
        if tg_len(candidate) > limit:
            if current:
                out.append(current)
            current = escaped
        else:
            current = candidate
    if current:
        out.append(current)
    return out


def inline_summary(hit: SearchHit) -> str:
    """What a chosen inline result posts: a short, self-contained summary with the #id."""
    doc = hit.doc
    text = (
        f"<b>{esc(clip(doc.title, TITLE_MAX_HEADER))}</b>\n"
        f"<i>{esc(date_text(doc))} · {esc(clip(doc.source, SOURCE_MAX_HEADER))}</i>\n"
        f"{snippet_html(hit.snippet)}\n\nDossier #{doc.id} — <code>/doc {doc.id}</code>"
    )
    if tg_len(text) > MESSAGE_LIMIT:  # only with an extreme snippet: the title and the way to open it
        title = esc(clip(doc.title, TITLE_MAX_HEADER))
        text = f"<b>{title}</b>\n\nDossier #{doc.id} — <code>/doc {doc.id}</code>"
    return text


def digest_entry_html(entry: DigestEntry) -> str:
    doc = entry.doc
    lines = [f"<b>#{doc.id}</b> <b>{esc(doc.title)}</b>", f"<i>{esc(date_text(doc))}</i>"]
    if entry.extract:
        lines.append(esc(entry.extract))
    if entry.people:
        lines.append("<i>People: " + esc(", ".join(entry.people)) + "</i>")
    return "\n".join(lines)


def digest_parts(reply: DigestReply, limit: int = MESSAGE_LIMIT) -> list[DigestPart]:
    """A digest as messages split at document boundaries, each with buttons for its own documents."""
    start = reply.period_start.strftime("%Y-%m-%d %H:%M")
    end = reply.period_end.strftime("%Y-%m-%d %H:%M %Z")
    noun = "document" if reply.total == 1 else "documents"
    title = "Preview of your next digest" if reply.preview else "Digest"
    header = f"<b>{title}: {reply.total} new {noun}</b>\n<i>{start} – {end}</i>"
    footer = ""
    if reply.unlisted:
        since = reply.period_start.strftime("%Y-%m-%d")
        footer = (
            f"…and {reply.unlisted} more. Search them with <code>/search since:{since} your words</code>."
        )
    blocks = [(digest_entry_html(e), e.doc.id) for e in reply.entries]
    parts: list[tuple[list[str], list[int]]] = [([header], [])]
    for html_block, doc_id in blocks:
        texts, ids = parts[-1]
        room = limit - tg_len(footer) - 2
        if texts and tg_len("\n\n".join([*texts, html_block])) > room:
            parts.append(([], []))
            texts, ids = parts[-1]
        texts.append(html_block if tg_len(html_block) <= room else _shorten_html(html_block, room))
        ids.append(doc_id)
    if footer:
        parts[-1][0].append(footer)
    out: list[DigestPart] = []
    for texts, ids in parts:
        buttons = [InlineKeyboardButton(f"Open #{i}", callback_data=encode_open(i)) for i in ids]
        rows = [buttons[k : k + 4] for k in range(0, len(buttons), 4)]
        keyboard = InlineKeyboardMarkup(rows) if rows else None
        out.append(DigestPart(OutMessage("\n\n".join(texts), keyboard), ids[-1] if ids else 0))
    return out


# ----------------------------------------------------------------- /who
CARD_OPEN_BUTTONS = 4


def _pick_keyboard(people: list[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """One button per person (label, key), two to a row."""
    buttons = [InlineKeyboardButton(label[:48], callback_data=encode_who(key)) for label, key in people]
    rows = [buttons[k : k + 2] for k in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows) if rows else None


def who(reply: WhoReply) -> Rendered:
    """A /who answer as messages under the length limit, with buttons to pick a person or open a
    document on the last one."""
    query = esc(reply.query)
    keyboard: InlineKeyboardMarkup | None = None
    if reply.kind == "none":
        blocks = [f"No one called “{query}” in the documents."]
        if reply.suggestions:
            blocks.append("Nearest names: " + ", ".join(f"<b>{esc(p.name)}</b>" for p in reply.suggestions))
            keyboard = _pick_keyboard([(p.name, p.key) for p in reply.suggestions])
    elif reply.kind == "choices":
        blocks = [f"<b>{len(reply.entries)}</b> people match “{query}”. Pick one:"]
        blocks += [f"• <b>{esc(e.person.name)}</b> — {esc(person_summary(e.person))}" for e in reply.entries]
        keyboard = _pick_keyboard([(e.person.name, e.person.key) for e in reply.entries])
    elif reply.kind == "role":
        blocks = [f"Who held “<b>{query}</b>”, oldest first:"]
        if reply.earlier:
            blocks.append(f"<i>{reply.earlier} earlier holder(s) not shown.</i>")
        blocks += [f"• {esc(holder_text(reply, k))}" for k in range(len(reply.entries))]
        keyboard = _pick_keyboard([(e.person.name, e.person.key) for e in reply.entries])
    else:
        entry = reply.entries[0]
        blocks = card_blocks(entry)
        buttons = [
            InlineKeyboardButton(f"Open #{d.id}", callback_data=encode_open(d.id))
            for d in entry.documents[:CARD_OPEN_BUTTONS]
        ]
        rows = [buttons] if buttons else []
        if reply.others:
            blocks.append("<i>Also matching:</i> " + esc(", ".join(p.name for p in reply.others)))
            picks = _pick_keyboard([(p.name, p.key) for p in reply.others[:4]])
            rows += [list(row) for row in picks.inline_keyboard] if picks else []
        keyboard = InlineKeyboardMarkup(rows) if rows else None
    messages = pack_blocks(blocks)
    out = [OutMessage(text) for text in messages[:-1]]
    out.append(OutMessage(messages[-1], keyboard))
    return Rendered(out)


def card_blocks(entry: PersonEntry) -> list[str]:
    person = entry.person
    head = f"<b>{esc(person.name)}</b>"
    if person.aliases:
        head += "\n<i>Also written:</i> " + esc(", ".join(person.aliases))
    blocks = [head]
    if person.roles:
        shown, hidden = card_roles(person.roles)
        lines = [f"• {esc(text)}" for text in shown]
        if hidden:
            lines.append(f"<i>…and {hidden} more posts</i>")
        blocks.append("<b>Roles</b>\n" + "\n".join(lines))
    n = len(entry.documents)
    blocks.append(f"<b>Documents ({n})</b>, newest first:")
    for d in entry.documents[:CARD_DOCS_SHOWN]:
        text = f"<b>#{d.id}</b> <i>{esc(day(d.published))}</i> {esc(d.title)}"
        if d.sentence:
            text += f"\n“{esc(d.sentence)}”"
        blocks.append(text)
    if n > CARD_DOCS_SHOWN:
        blocks.append(f"…and {n - CARD_DOCS_SHOWN} more: <code>/search {esc(person.name)}</code>")
    return blocks


def pack_blocks(blocks: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join HTML blocks with blank lines into as few messages under ``limit`` as they fit in; a block
    too long by itself (a sentence of thousands of characters) is shortened at a tag-free point."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if tg_len(block) > limit:
            block = _shorten_html(block, limit)
        candidate = f"{current}\n\n{block}" if current else block
        if tg_len(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    messages.append(current)
    return messages


def _shorten_html(block: str, limit: int) -> str:
    """Cut an over-long block at the last newline or space before the limit that lies outside a tag and
    an entity, closing nothing: card blocks open and close their tags on one line."""
    cut = block[: limit - 2]
    while tg_len(cut) > limit - 2:  # characters beyond the BMP count twice
        cut = cut[: len(cut) - (tg_len(cut) - (limit - 2) + 1) // 2]
    for sep in ("\n", " "):
        k = cut.rfind(sep)
        if k > limit // 2:
            cut = cut[:k]
            break
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi:
        cut = cut[:amp]
    lt, gt = cut.rfind("<"), cut.rfind(">")
    if lt > gt:
        cut = cut[:lt]
    return cut + " …"
