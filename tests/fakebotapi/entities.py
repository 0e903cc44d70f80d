"""Text as Telegram sees it: ``bot_command`` entities, and the plain text a ``parse_mode`` message renders
to (HTML, MarkdownV2, legacy Markdown), with Telegram's ``can't parse entities`` errors."""

from __future__ import annotations

import html
import re
from typing import Final

from tests.fakebotapi.values import ApiError, JSONDict

_COMMAND_RE: Final = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![^\s])")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JSONDict]:
    """``bot_command`` entities for every ``/command`` or ``/command@bot`` in ``text``, as Telegram sends.

    Offsets and lengths are in UTF-16 code units (Telegram's unit).  PTB's ``CommandHandler`` only fires
    when the first entity is a ``bot_command`` at offset 0 whose length covers ``@botname``.
    """
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND_RE.finditer(text)
    ]


def _entities_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_HTML_ENTITY_RE: Final = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")


def _render_html(text: str) -> str:
    """Plain text of an HTML-formatted message, raising Telegram's errors for markup it would reject."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match:
                out.append(html.unescape(match.group()))
                i = match.end()
                continue
        if char != "<":
            out.append(char)
            i += 1
            continue
        offset = _byte_offset(text, i)
        if text.startswith("</", i):
            end = text.find(">", i)
            if end == -1:
                raise _entities_error(f"Unclosed end tag at byte offset {offset}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _entities_error(f'Unexpected end tag "{name}" at byte offset {offset}')
            if stack[-1] != name:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
        else:
            # Like Telegram: the tag name runs to the first space or ">", so "a < b" is an empty tag name.
            name_match = re.compile(r"[^\s>]*").match(text, i + 1)
            assert name_match is not None
            name = name_match.group().lower()
            if name_match.end() >= len(text):
                raise _entities_error(f"Unclosed start tag at byte offset {offset}")
            if name not in _HTML_TAGS:
                raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
            end = text.find(">", name_match.end())
            if end == -1:
                raise _entities_error(f"Unclosed start tag at byte offset {offset}")
            attributes = text[name_match.end() : end]
            if name == "span" and "tg-spoiler" not in attributes:
                raise _entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
            stack.append(name)
        i = end + 1
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


_MDV2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES: Final = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
    "![": "CustomEmoji",
}


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape_mdv2(text: str) -> str:
    return re.sub(r"\\([\x01-\x7e])", r"\1", text)


def _render_markdown_v2(text: str) -> str:
    """Plain text of a MarkdownV2 message; unescaped reserved characters fail like on Telegram."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    in_expandable_quote = False
    line_start = True
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        offset = _byte_offset(text, i)
        at_line_start, line_start = line_start, False
        if char == "\\" and i + 1 < n and 1 <= ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            close = _find_unescaped(text, fence, i + len(fence))
            if close == -1:
                name = "Pre" if fence == "```" else "Code"
                raise _entities_error(f"Can't find end of {name} entity at byte offset {offset}")
            content = text[i + len(fence) : close]
            if fence == "```" and "\n" in content:
                first, rest = content.split("\n", 1)
                if re.fullmatch(r"[\w+#.-]*", first):
                    content = rest
            out.append(_unescape_mdv2(content))
            i = close + len(fence)
            continue
        if char == "[" or text.startswith("![", i):
            marker = "[" if char == "[" else "!["
            stack.append((marker, offset))
            i += len(marker)
            continue
        if char == "]" and stack and stack[-1][0] in ("[", "!["):
            marker, _ = stack.pop()
            if text.startswith("(", i + 1):
                close = _find_unescaped(text, ")", i + 2)
                if close == -1:
                    where = _byte_offset(text, i + 1)
                    raise _entities_error(f"Can't find end of a URL at byte offset {where}")
                i = close + 1
            elif marker == "![":
                raise _entities_error(f"Custom emoji needs a tg://emoji URL at byte offset {offset}")
            else:
                i += 1
            continue
        if at_line_start and text.startswith("**>", i):
            in_expandable_quote = True
            i += 3
            continue
        if at_line_start and char == ">":
            i += 1
            continue
        if text.startswith("||", i) and in_expandable_quote and not any(m == "||" for m, _ in stack):
            following = text[i + 2 : i + 3]
            if following in ("", "\n"):
                in_expandable_quote = False
                i += 2
                continue
        marker = ""
        if text.startswith("__", i):
            # "___" after "_italic __underline": close underline then italic; "__" inside italic opens.
            closes_italic = (
                stack
                and stack[-1][0] == "_"
                and (text.startswith("___", i) or any(m == "__" for m, _ in stack))
            )
            marker = "_" if closes_italic else "__"
        elif text.startswith("||", i):
            marker = "||"
        elif char in "*_~":
            marker = char
        if marker:
            if stack and stack[-1][0] == marker:
                stack.pop()
            elif any(m == marker for m, _ in stack):
                name = _MDV2_NAMES[marker]
                opened = next(o for m, o in reversed(stack) if m == marker)
                raise _entities_error(f"Can't find end of {name} entity at byte offset {opened}")
            else:
                stack.append((marker, offset))
            i += len(marker)
            continue
        if char in _MDV2_RESERVED:
            raise _entities_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(char)
        line_start = char == "\n"
        if char == "\n" and in_expandable_quote and not text.startswith(">", i + 1):
            in_expandable_quote = False
        i += 1
    if stack:
        marker, opened = stack[-1]
        raise _entities_error(f"Can't find end of {_MDV2_NAMES[marker]} entity at byte offset {opened}")
    return "".join(out)


def _render_markdown(text: str) -> str:
    """Plain text of a legacy-Markdown message (no nesting; only ``_*`[`` are special)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if char in "_*`[":
            fence = "```" if text.startswith("```", i) else ("]" if char == "[" else char)
            start = i + (3 if fence == "```" else 1)
            close = text.find(fence, start)
            if close == -1:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[start:close])
            i = close + len(fence)
            if fence == "]" and text.startswith("(", i):
                end = text.find(")", i)
                i = n if end == -1 else end + 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def render_text(text: str, parse_mode: str | None) -> str:
    """The plain text Telegram stores for ``text`` sent with ``parse_mode``.

    Raises :class:`ApiError` (400 ``can't parse entities: ...``) for markup Telegram would reject -- an
    unescaped ``.`` in MarkdownV2 or a bare ``<`` in HTML are classic production bugs.  The checks follow
    Telegram's documented rules; the error wording after ``can't parse entities:`` is approximate.
    """
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    if mode == "markdown":
        return _render_markdown(text)
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
