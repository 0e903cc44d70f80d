"""Tests of the fake's text handling (entities.py): ``bot_command`` entities and parse_mode rendering."""

from __future__ import annotations

import string

import pytest
from telegram.helpers import escape_markdown

from tests.fakebotapi import (
    BOT_USERNAME,
    ApiError,
    command_entities,
    render_text,
)


def test_command_entities_use_utf16_offsets() -> None:
    assert command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities(f"/start@{BOT_USERNAME} go") == [
        {"type": "bot_command", "offset": 0, "length": 7 + len(BOT_USERNAME)}
    ]
    assert command_entities("👋 /help") == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert command_entities("see http://x/y and a/b") == []


@pytest.mark.parametrize(
    ("text", "mode", "plain"),
    [
        ("<b>bold</b> &lt;tag&gt; &amp; <a href='https://x'>link</a>", "HTML", "bold <tag> & link"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "HTML", "st"),
        ("*bold \\*text*", "MarkdownV2", "bold *text"),
        (
            "__underline__ ~strike~ ||spoiler|| [link](http://example.com/a_(b\\))",
            "MarkdownV2",
            "underline strike spoiler link",
        ),
        (
            "*bold _italic bold ~strike~ __underline italic bold___ bold*",
            "MarkdownV2",
            "bold italic bold strike underline italic bold bold",
        ),
        ("```python\nprint('x.y')\n```", "MarkdownV2", "print('x.y')\n"),
        (">quote\n**>expandable\n>more||", "MarkdownV2", "quote\nexpandable\nmore"),
        ("*bold* _it_ `code` [link](http://x.y)", "Markdown", "bold it code link"),
        ("plain < text.", None, "plain < text."),
    ],
)
def test_render_text_accepts_valid_markup(text: str, mode: str | None, plain: str) -> None:
    assert render_text(text, mode) == plain


@pytest.mark.parametrize(
    ("text", "mode", "error"),
    [
        ("a < b", "HTML", 'Unsupported start tag ""'),
        ("<blink>x</blink>", "HTML", 'Unsupported start tag "blink"'),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
        ("<b>x", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("Done.", "MarkdownV2", "Character '.' is reserved"),
        ("1-2", "MarkdownV2", "Character '-' is reserved"),
        ("*unclosed", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("`code", "MarkdownV2", "Can't find end of Code entity"),
        ("*bad", "Markdown", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_render_text_rejects_invalid_markup(text: str, mode: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        render_text(text, mode)
    assert caught.value.status == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in caught.value.description


def test_escape_markdown_output_is_valid_markdown_v2() -> None:
    text = string.printable
    assert render_text(escape_markdown(text, version=2), "MarkdownV2") == text
