"""Follows as Telegram messages: /following with its buttons, /follow's choice of persons, an alert, and
the section that leads a digest (``handlers/render.py`` dispatches here)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.commands.replies import FollowListReply, FollowPickReply
from bot.digest import DigestReply
from bot.follows import texts as ft
from bot.follows.alerts import AlertReply
from bot.i18n import Language, translator
from bot.models import Follow
from bot.render_text import person_summary
from handlers.callbacks import encode_follow_pick, encode_open, encode_switch_mode, encode_unfollow
from handlers.render import OutMessage, Rendered, clip, clip_words, date_text, esc, line_blocks, pack_blocks

ALERT_PASSAGE_CHARS = 300
LABEL_CHARS = 80
BUTTON_LABEL_CHARS = 24  # a follow's name on its remove button: two buttons a row stay readable on a phone
DIGEST_FOLLOWS_SHOWN = 5  # follows, and documents of each, in a digest's section (the list below has all)


def _t(lang: Language, message: str) -> str:
    return esc(translator(lang).gettext(message))


def _plain(lang: Language, message: str) -> str:
    return translator(lang).gettext(message)


def follow_line(n: int, follow: Follow, lang: Language) -> str:
    kind = ft.PERSON if follow.kind == "person" else ft.WORDS
    mode = ft.MODE_INSTANT if follow.mode == "instant" else ft.MODE_DIGEST
    label = esc(clip(follow.label, LABEL_CHARS))
    return f"{n}. <b>{label}</b> <i>({_t(lang, kind)}, {_t(lang, mode)})</i>"


def follow_list(reply: FollowListReply, lang: Language = "en") -> Rendered:
    """/following: one line per follow, and under it a row per follow: remove, switch the mode."""
    if not reply.follows:
        blocks = [_t(lang, ft.FOLLOWS_NONE)]
    else:
        lines = [f"<b>{_t(lang, ft.FOLLOWS_HEADER)}</b>"]
        lines += [follow_line(n, f, lang) for n, f in enumerate(reply.follows, start=1)]
        # (50 follows with long labels run past one message: the list goes on in the next one)
        blocks = [*line_blocks(lines), f"<i>{_t(lang, ft.UNFOLLOW_HINT)}</i>"]
    if reply.quiet:
        blocks.append(_t(lang, ft.QUIET_HOURS).format(start=reply.quiet[0], end=reply.quiet[1]))
    rows = [
        [
            InlineKeyboardButton(
                _plain(lang, ft.REMOVE_BUTTON).format(label=clip_words(f.label, BUTTON_LABEL_CHARS)),
                callback_data=encode_unfollow(f.id, lang),
            ),
            InlineKeyboardButton(
                _plain(lang, ft.TO_DIGEST_BUTTON if f.mode == "instant" else ft.TO_INSTANT_BUTTON).format(
                    n=n
                ),
                callback_data=encode_switch_mode(f.id, lang),
            ),
        ]
        for n, f in enumerate(reply.follows, start=1)
    ]
    messages = pack_blocks(blocks)
    out = [OutMessage(text) for text in messages[:-1]]
    out.append(OutMessage(messages[-1], InlineKeyboardMarkup(rows) if rows else None))
    return Rendered(out)


def follow_pick(reply: FollowPickReply, lang: Language = "en") -> Rendered:
    """Several persons carry the name: one button each, and how to follow the words instead."""
    query = esc(reply.query)
    blocks = [_t(lang, ft.WHICH_PERSON).format(query=query)]
    blocks += [f"• <b>{esc(p.name)}</b> — {esc(person_summary(p, lang))}" for p in reply.persons]
    blocks.append(f"<i>{_t(lang, ft.AS_WORDS_HINT).format(query=query)}</i>")
    buttons = [
        InlineKeyboardButton(clip(p.name, 48), callback_data=encode_follow_pick(p.key, lang))
        for p in reply.persons
    ]
    keyboard = InlineKeyboardMarkup([buttons[k : k + 2] for k in range(0, len(buttons), 2)])
    return Rendered([OutMessage("\n".join(blocks), keyboard)])


def alert_message(alert: AlertReply, lang: Language = "en") -> OutMessage:
    """One folded alert: "5 new documents match Masadykov", then each document with the follows it
    matched and the passage that matched, and a button to open each."""
    t = translator(lang)
    if len(alert.labels) == 1:
        header = t.ngettext(*ft.ALERT_MATCH, alert.total).format(n=alert.total, label=alert.labels[0])
    else:
        labels = ", ".join(alert.labels)
        header = t.ngettext(*ft.ALERT_MATCH_MANY, alert.total).format(n=alert.total, labels=labels)
    blocks = [f"<b>{esc(clip(header, 300))}</b>"]
    for entry in alert.entries:
        doc = entry.doc
        lines = [
            f"<b>#{doc.id}</b> <b>{esc(clip(doc.title, 200))}</b>",
            f"<i>{esc(date_text(doc, lang))}</i>",
        ]
        if len(alert.labels) > 1:
            lines.append(f"{_t(lang, ft.MATCHES)} " + esc(clip(", ".join(entry.follows), 200)))
        if entry.passage:
            lines.append(f"<i>{esc(clip(entry.passage, ALERT_PASSAGE_CHARS))}</i>")
        blocks.append("\n".join(lines))
    if alert.unlisted:
        blocks.append(f"<i>{esc(t.ngettext(*ft.ALERT_MORE, alert.unlisted).format(n=alert.unlisted))}</i>")
    text = pack_blocks(blocks)[0]  # entries are clipped: ten of them fit in one message
    open_doc = _plain(lang, texts.OPEN_DOC)
    buttons = [
        InlineKeyboardButton(open_doc.format(id=e.doc.id), callback_data=encode_open(e.doc.id, lang))
        for e in alert.entries
    ]
    rows = [buttons[k : k + 4] for k in range(0, len(buttons), 4)]
    return OutMessage(text, InlineKeyboardMarkup(rows) if rows else None)


def digest_follow_blocks(reply: DigestReply, lang: Language = "en") -> list[str]:
    """The "follows" section of a digest: per follow, its documents with the passage that matched."""
    blocks: list[str] = []
    for label, entries in reply.follows[:DIGEST_FOLLOWS_SHOWN]:
        lines = [f"<b>{_t(lang, ft.DIGEST_FOLLOW).format(label=esc(clip(label, LABEL_CHARS)))}</b>"]
        for e in entries[:DIGEST_FOLLOWS_SHOWN]:
            lines.append(f"• <b>#{e.doc.id}</b> {esc(clip(e.doc.title, 150))}")
            if e.extract:
                lines.append(f"  <i>{esc(clip(e.extract, 200))}</i>")
        blocks.append("\n".join(lines))
    return blocks
