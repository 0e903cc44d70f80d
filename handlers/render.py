"""Reply models as Telegram messages: HTML (everything from documents and users escaped), keyboards,
and splitting under Telegram's 4,096-character limit, in the reader's language (``lang``).

Words come from the catalog as plain-text templates: each is escaped, then filled with HTML values
(``esc(t.gettext(NOTHING_FOUND)).format(query=esc(q))``), so a translation can never bring markup and a
value is escaped exactly once.

Pure functions: the handlers send what these return, and tests check them without a network.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.commands.replies import (
    ConfirmDeleteReply,
    DocumentReply,
    FollowListReply,
    FollowPickReply,
    HelpReply,
    IngestReply,
    LanguageReply,
    PersonEntry,
    Reply,
    SearchReply,
    TextReply,
    WhoReply,
)
from bot.digest import DigestEntry, DigestPart, DigestReply
from bot.i18n import N_, NATIVE_NAMES, SUPPORTED, Language, format_date, format_period, say_html, translator
from bot.models import Document, SearchHit
from bot.people.cards import day
from bot.render_text import (
    CARD_DOCS_SHOWN,
    admin_mark,
    card_roles,
    confirm_delete_lines,
    holder_text,
    language_lines,
    partial_lines,
    person_summary,
    report_header,
    report_lines,
    text_lines,
)
from bot.search.snippets import Snippet
from handlers.callbacks import encode_delete, encode_keep, encode_lang, encode_open, encode_page, encode_who

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


def date_text(doc: Document, lang: Language = "en") -> str:
    return format_date(doc.published, lang)


def _t(lang: Language, message: str) -> str:
    """A message of ``lang`` as an HTML template: escaped, its ``{fields}`` left to fill."""
    return esc(translator(lang).gettext(message))


def _tn(lang: Language, plural: tuple[str, str], n: int) -> str:
    return esc(translator(lang).ngettext(plural[0], plural[1], n))


def render(reply: Reply, lang: Language = "en", *, bot_username: str | None = None) -> Rendered:
    """The Telegram messages for a reply, in ``lang``. ``bot_username`` names the bot where a text tells
    users how to reach it (the inline-mode hint in /help)."""
    if isinstance(reply, TextReply):
        return Rendered([OutMessage(esc("\n".join(text_lines(reply, lang))))])
    if isinstance(reply, HelpReply):
        return Rendered([OutMessage(part) for part in pack_lines(help_html(reply, lang, bot_username))])
    if isinstance(reply, SearchReply):
        return Rendered([search_message(reply, lang)])
    if isinstance(reply, DocumentReply):
        return document(reply.doc, lang)
    if isinstance(reply, DigestReply):
        return Rendered(
            [p.payload for p in digest_parts(reply, lang=lang) if isinstance(p.payload, OutMessage)]
        )
    if isinstance(reply, IngestReply):
        header = f"<b>{esc(report_header(reply.report, lang))}</b>\n"
        body = "\n".join(report_lines(reply.report, lang)[1:])
        return Rendered([OutMessage(part) for part in split_html(body, MESSAGE_LIMIT, first_prefix=header)])
    if isinstance(reply, ConfirmDeleteReply):
        doc_id = reply.doc.id
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _plain(lang, texts.DELETE_DOC).format(id=doc_id),
                        callback_data=encode_delete(doc_id, lang),
                    ),
                    InlineKeyboardButton(_plain(lang, texts.CANCEL), callback_data=encode_keep(doc_id, lang)),
                ]
            ]
        )
        return Rendered([OutMessage(esc("\n".join(confirm_delete_lines(reply, lang))), keyboard)])
    if isinstance(reply, WhoReply):
        return who(reply, lang)
    if isinstance(reply, LanguageReply):
        return Rendered([OutMessage(esc("\n".join(language_lines(reply, lang))), language_keyboard(lang))])
    if isinstance(reply, FollowListReply | FollowPickReply):
        from handlers import render_follows  # it builds on this module's helpers

        if isinstance(reply, FollowListReply):
            return render_follows.follow_list(reply, lang)
        return render_follows.follow_pick(reply, lang)
    raise TypeError(f"no Telegram rendering for {type(reply).__name__}")


def _plain(lang: Language, message: str) -> str:
    """A message of ``lang`` for a button (plain text, never parsed as HTML)."""
    return translator(lang).gettext(message)


def language_keyboard(lang: Language) -> InlineKeyboardMarkup:
    """/lang's buttons: each language by its own name, and "Automatic" (Telegram's language decides)."""
    row = [
        InlineKeyboardButton(NATIVE_NAMES[code], callback_data=encode_lang(code, lang)) for code in SUPPORTED
    ]
    row.append(InlineKeyboardButton(_plain(lang, texts.AUTOMATIC), callback_data=encode_lang("auto", lang)))
    return InlineKeyboardMarkup([row])


def help_html(reply: HelpReply, lang: Language = "en", bot_username: str | None = None) -> str:
    t = translator(lang)
    lines = [say_html(reply.intro, lang), ""]
    for cmd in reply.commands:
        usage = esc(f"/{cmd.name} {t.gettext(cmd.args) if cmd.args else ''}".rstrip())
        mark = f" <i>{esc(admin_mark(lang).strip())}</i>" if cmd.admin_only else ""
        example = _t(lang, texts.FOR_EXAMPLE).format(example=f"<code>/{esc(t.gettext(cmd.example))}</code>")
        lines.append(f"{usage} — {esc(t.gettext(cmd.summary))}{mark}\n    {example}")
    lines += ["", *(say_html(line, lang) for line in reply.footer)]
    handle = f"@{esc(bot_username)}" if bot_username else "@this_bot"
    example = f"<code>{handle} {_t(lang, texts.WORDS)}</code>"
    lines.append("\n" + _t(lang, texts.INLINE_HINT).format(example=example))
    return "\n".join(lines)


def pack_lines(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """HTML whose lines each open and close their own tags, in as few messages under ``limit`` as it fits
    in (a help in Russian runs longer than in English)."""
    if tg_len(text) <= limit:
        return [text]
    return pack_blocks(text.split("\n\n"), limit)


def hit_html(hit: SearchHit, lang: Language = "en") -> str:
    doc = hit.doc
    return (
        f"<b>#{doc.id}</b> <b>{esc(doc.title)}</b>\n"
        f"<i>{esc(date_text(doc, lang))} · {esc(doc.source)}</i>\n"
        f"{snippet_html(hit.snippet)}"
    )


def search_message(reply: SearchReply, lang: Language = "en") -> OutMessage:
    page = reply.page
    notes = [f"<i>{say_html(note, lang)}</i>" for note in reply.notes]
    query = esc(page.query.label)
    if not page.hits:
        if page.offset:
            return OutMessage("\n".join([*notes, _t(lang, texts.NO_MORE_RESULTS)]))
        # "Nothing found" first: the notes then say why, or what would find something.
        lines = [_t(lang, texts.NOTHING_FOUND).format(query=query), *notes]
        lines += [esc(line) for line in partial_lines(page, lang)]
        if page.suggestion:
            lines.append(suggestion_html(page.suggestion, lang))
        return OutMessage("\n".join(lines))
    results = _tn(lang, texts.RESULTS, page.total).format(n=f"<b>{page.total}</b>")
    header = _t(lang, texts.RESULTS_FOR).format(results=results, query=query)
    if reply.page_count > 1:
        header += " · " + _t(lang, texts.PAGE_OF_SHORT).format(page=reply.page_number, pages=reply.page_count)
    partial = partial_lines(page, lang)
    if partial:
        header += "\n" + "\n".join(f"<i>{esc(line)}</i>" for line in partial)
    blocks = [*notes]
    if reply.answer is not None:
        doc = reply.answer.doc
        title = f"<b>{esc(clip(doc.title, TITLE_MAX_INLINE))}</b>"
        best = _t(lang, texts.BEST_ANSWER).format(id=doc.id, title=title)
        blocks.append(f"{best}\n{snippet_html(reply.answer.snippet)}")
    blocks.append(header)
    blocks += [hit_html(hit, lang) for hit in page.hits]
    if page.suggestion:
        blocks.append(suggestion_html(page.suggestion, lang))
    text = "\n\n".join(blocks)
    if tg_len(text) > MESSAGE_LIMIT:  # only with extreme titles: fall back to titles alone
        blocks = [*notes, header] + [f"<b>#{h.doc.id}</b> {esc(clip(h.doc.title, 200))}" for h in page.hits]
        text = "\n\n".join(pack_blocks(blocks)[:1])
    return OutMessage(text, search_keyboard(reply, lang))


def suggestion_html(suggestion: str, lang: Language = "en") -> str:
    """A "did you mean" as a command to tap."""
    return _t(lang, texts.DID_YOU_MEAN).format(suggestion=f"<code>/search {esc(suggestion)}</code>")


def search_keyboard(reply: SearchReply, lang: Language = "en") -> InlineKeyboardMarkup:
    page = reply.page
    open_doc = _plain(lang, texts.OPEN_DOC)
    rows = [
        [
            InlineKeyboardButton(open_doc.format(id=hit.doc.id), callback_data=encode_open(hit.doc.id, lang))
            for hit in page.hits
        ]
    ]
    if reply.session and (reply.has_prev or reply.has_next):
        nav: list[InlineKeyboardButton] = []
        if reply.has_prev:
            prev_offset = max(0, page.offset - reply.page_size)
            data = encode_page(reply.session, prev_offset, lang)
            nav.append(InlineKeyboardButton(_plain(lang, texts.PREV), callback_data=data))
        if reply.has_next:
            next_offset = page.offset + reply.page_size
            data = encode_page(reply.session, next_offset, lang)
            nav.append(InlineKeyboardButton(_plain(lang, texts.NEXT), callback_data=data))
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


FULL_TEXT_AS_FILE = N_("The full text is long, so here it is as a file.")
# TRANSLATORS: the short caption of a long document sent as a file, after its number ("#12 — ...").
AS_A_FILE = N_("the full text as a file.")


def document(doc: Document, lang: Language = "en") -> Rendered:
    """A document as messages split at paragraph boundaries, or as a .txt file when very long."""
    date = date_text(doc, lang)
    header = (
        f"<b>#{doc.id} {esc(clip(doc.title, TITLE_MAX_HEADER))}</b>\n"
        f"<i>{esc(date)} · {esc(clip(doc.source, SOURCE_MAX_HEADER))}</i>"
    )
    chunks = split_html(doc.text, MESSAGE_LIMIT, first_prefix=header + "\n\n")
    if len(chunks) > DOC_MESSAGES_MAX:
        caption = f"{header}\n\n{_t(lang, FULL_TEXT_AS_FILE)}"
        if tg_len(caption) > CAPTION_LIMIT:
            caption = f"<b>#{doc.id}</b> — {_t(lang, AS_A_FILE)}"
        data = f"{doc.title}\n{date} · {doc.source}\n\n{doc.text}\n".encode()
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


def clip_words(text: str, most: int) -> str:
    """``clip`` for a short label (a button's): cut after the last whole word that fits, when one ends
    past half of it, so "Secretary General Talatbek Masadykov" reads "Secretary General Talatbek…"."""
    if len(text) <= most:
        return text
    cut = text[: most - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space >= most // 2 else cut).rstrip() + "…"


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


def inline_summary(hit: SearchHit, lang: Language = "en") -> str:
    """What a chosen inline result posts: a short, self-contained summary with the #id."""
    doc = hit.doc
    text = (
        f"<b>{esc(clip(doc.title, TITLE_MAX_HEADER))}</b>\n"
        f"<i>{esc(date_text(doc, lang))} · {esc(clip(doc.source, SOURCE_MAX_HEADER))}</i>\n"
        f"{snippet_html(hit.snippet)}\n\nDossier #{doc.id} — <code>/doc {doc.id}</code>"
    )
    if tg_len(text) > MESSAGE_LIMIT:  # only with an extreme snippet: the title and the way to open it
        title = esc(clip(doc.title, TITLE_MAX_HEADER))
        text = f"<b>{title}</b>\n\nDossier #{doc.id} — <code>/doc {doc.id}</code>"
    return text


def digest_entry_html(entry: DigestEntry, lang: Language = "en") -> str:
    doc = entry.doc
    lines = [f"<b>#{doc.id}</b> <b>{esc(doc.title)}</b>", f"<i>{esc(date_text(doc, lang))}</i>"]
    if entry.extract:
        lines.append(esc(entry.extract))
    if entry.people:
        lines.append(f"<i>{_t(lang, texts.PEOPLE)} " + esc(", ".join(entry.people)) + "</i>")
    if entry.also:
        ids = ", ".join(f"#{d.id}" for d in entry.also)
        lines.append(
            "<i>" + _tn(lang, texts.MORE_SOURCES, len(entry.also)).format(n=len(entry.also), ids=ids) + "</i>"
        )
    return "\n".join(lines)


def digest_parts(reply: DigestReply, limit: int = MESSAGE_LIMIT, lang: Language = "en") -> list[DigestPart]:
    """A digest as messages split at entry boundaries, each with buttons for its own documents (an
    entry's other sources each get one too). The period is in the team's zone, as ``build_digest``
    gives it."""
    tz = reply.period_end.tzinfo
    period = format_period(reply.period_start, reply.period_end, lang, tz) if tz else ""
    if not tz:  # (a naive period, from a test: written as it is)
        start, end = reply.period_start, reply.period_end
        period = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M %Z}"
    title = _t(lang, texts.DIGEST_PREVIEW if reply.preview else texts.DIGEST)
    count = _tn(lang, texts.NEW_DOCUMENTS, reply.total).format(n=reply.total)
    header = f"<b>{title}: {count}</b>\n<i>{esc(period)}</i>"
    footer = ""
    if reply.unlisted:
        since = reply.period_start.strftime("%Y-%m-%d")
        command = f"<code>/search since:{since} {_t(lang, texts.YOUR_WORDS)}</code>"
        footer = _t(lang, texts.MORE_IN_DIGEST).format(n=reply.unlisted, command=command)
    blocks = [(digest_entry_html(e, lang), e.doc_ids) for e in reply.entries]
    from handlers.render_follows import digest_follow_blocks  # the follows section leads (bot/follows/)

    # Per part: its blocks, its documents (buttons), and its last entry's first document (the cursor).
    parts: list[tuple[list[str], list[int], int]] = [([header, *digest_follow_blocks(reply, lang)], [], 0)]
    for html_block, doc_ids in blocks:
        chunks, ids, _ = parts[-1]
        room = limit - tg_len(footer) - 2
        if chunks and tg_len("\n\n".join([*chunks, html_block])) > room:
            parts.append(([], [], 0))
            chunks, ids, _ = parts[-1]
        chunks.append(html_block if tg_len(html_block) <= room else _shorten_html(html_block, room))
        ids.extend(doc_ids)
        parts[-1] = (chunks, ids, doc_ids[0])
    if footer:
        parts[-1][0].append(footer)
    out: list[DigestPart] = []
    for chunks, ids, last in parts:
        open_doc = _plain(lang, texts.OPEN_DOC)
        buttons = [
            InlineKeyboardButton(open_doc.format(id=i), callback_data=encode_open(i, lang)) for i in ids
        ]
        rows = [buttons[k : k + 4] for k in range(0, len(buttons), 4)]
        keyboard = InlineKeyboardMarkup(rows) if rows else None
        out.append(DigestPart(OutMessage("\n\n".join(chunks), keyboard), last))
    return out


# ----------------------------------------------------------------- /who
CARD_OPEN_BUTTONS = 4


def _pick_keyboard(people: list[tuple[str, str]], lang: Language) -> InlineKeyboardMarkup | None:
    """One button per person (label, key), two to a row."""
    buttons = [InlineKeyboardButton(label[:48], callback_data=encode_who(key, lang)) for label, key in people]
    rows = [buttons[k : k + 2] for k in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows) if rows else None


def who(reply: WhoReply, lang: Language = "en") -> Rendered:
    """A /who answer as messages under the length limit, with buttons to pick a person or open a
    document on the last one."""
    query = esc(reply.query)
    keyboard: InlineKeyboardMarkup | None = None
    if reply.kind == "none":
        blocks = [_t(lang, texts.NO_ONE_CALLED).format(query=query)]
        if reply.suggestions:
            names = ", ".join(f"<b>{esc(p.name)}</b>" for p in reply.suggestions)
            blocks.append(f"{_t(lang, texts.NEAREST_NAMES)} {names}")
            keyboard = _pick_keyboard([(p.name, p.key) for p in reply.suggestions], lang)
    elif reply.kind == "choices":
        n = len(reply.entries)
        blocks = [_tn(lang, texts.PEOPLE_MATCH_PICK, n).format(n=f"<b>{n}</b>", query=query)]
        blocks += [
            f"• <b>{esc(e.person.name)}</b> — {esc(person_summary(e.person, lang))}" for e in reply.entries
        ]
        keyboard = _pick_keyboard([(e.person.name, e.person.key) for e in reply.entries], lang)
    elif reply.kind == "role":
        blocks = [_t(lang, texts.WHO_HELD).format(query=f"<b>{query}</b>")]
        if reply.earlier:
            earlier = _tn(lang, texts.EARLIER_HOLDERS, reply.earlier).format(n=reply.earlier)
            blocks.append(f"<i>{earlier}.</i>")
        blocks += [f"• {esc(holder_text(reply, k, lang=lang))}" for k in range(len(reply.entries))]
        keyboard = _pick_keyboard([(e.person.name, e.person.key) for e in reply.entries], lang)
    else:
        entry = reply.entries[0]
        blocks = card_blocks(entry, lang)
        open_doc = _plain(lang, texts.OPEN_DOC)
        buttons = [
            InlineKeyboardButton(open_doc.format(id=d.id), callback_data=encode_open(d.id, lang))
            for d in entry.documents[:CARD_OPEN_BUTTONS]
        ]
        rows = [buttons] if buttons else []
        if reply.others:
            also = _t(lang, texts.ALSO_MATCHING)
            blocks.append(f"<i>{also}</i> " + esc(", ".join(p.name for p in reply.others)))
            picks = _pick_keyboard([(p.name, p.key) for p in reply.others[:4]], lang)
            rows += [list(row) for row in picks.inline_keyboard] if picks else []
        keyboard = InlineKeyboardMarkup(rows) if rows else None
    messages = pack_blocks(blocks)
    out = [OutMessage(text) for text in messages[:-1]]
    out.append(OutMessage(messages[-1], keyboard))
    return Rendered(out)


def card_blocks(entry: PersonEntry, lang: Language = "en") -> list[str]:
    person = entry.person
    head = f"<b>{esc(person.name)}</b>"
    if person.aliases:
        head += f"\n<i>{_t(lang, texts.ALSO_WRITTEN)}</i> " + esc(", ".join(person.aliases))
    blocks = [head]
    if person.roles:
        shown, hidden = card_roles(person.roles, lang)
        lines = [f"• {esc(text)}" for text in shown]
        if hidden:
            lines.append(f"<i>{_tn(lang, texts.MORE_POSTS, hidden).format(n=hidden)}</i>")
        blocks.append(f"<b>{_t(lang, texts.ROLES)}</b>\n" + "\n".join(lines))
    n = len(entry.documents)
    documents = _t(lang, texts.DOCUMENTS_COUNT).format(n=n)
    blocks.append(f"<b>{documents}</b>, {_t(lang, texts.NEWEST_FIRST)}:")
    for d in entry.documents[:CARD_DOCS_SHOWN]:
        text = f"<b>#{d.id}</b> <i>{esc(day(d.published, lang))}</i> {esc(d.title)}"
        if d.sentence:
            text += f"\n“{esc(d.sentence)}”"
        blocks.append(text)
    if n > CARD_DOCS_SHOWN:
        command = f"<code>/search {esc(person.name)}</code>"
        blocks.append(_t(lang, texts.MORE_DOCUMENTS).format(n=n - CARD_DOCS_SHOWN, command=command))
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


def line_blocks(lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Lines (each opening and closing its own tags) joined into blocks under ``limit``, for
    ``pack_blocks``: a long list goes on in the next message instead of being cut short."""
    blocks: list[str] = []
    for line in lines:
        if blocks and tg_len(f"{blocks[-1]}\n{line}") <= limit:
            blocks[-1] = f"{blocks[-1]}\n{line}"
        else:
            blocks.append(line)
    return blocks


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
