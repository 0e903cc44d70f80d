"""The best passage of a document for a query, with the matched words marked.

Transport-neutral: a snippet is text plus the character spans to highlight; Telegram renders them as
``<b>``, the console as bold, JSON as offsets. Nothing here escapes or formats.

Engine-neutral too: it works from the text's words as the engine marked them (``SearchResult.highlighter``),
so it needs neither the engine's analyzer nor its keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.search import Word

WINDOW_WORDS = 30
MAX_CHARS = 260


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) character spans in ``text``
    leading_cut: bool = False
    trailing_cut: bool = False

    def marked(self, open_mark: str = "**", close_mark: str = "**") -> str:
        """The snippet with each highlight wrapped in marks (for plain-text transports)."""
        out: list[str] = []
        pos = 0
        for start, end in self.highlights:
            out.append(self.text[pos:start])
            out.append(open_mark + self.text[start:end] + close_mark)
            pos = end
        out.append(self.text[pos:])
        return ("… " if self.leading_cut else "") + "".join(out) + (" …" if self.trailing_cut else "")


def make_snippet(text: str, tokens: Sequence[Word]) -> Snippet:
    """The window of WINDOW_WORDS words holding the most distinct matched terms (ties: the earliest).
    ``tokens`` are the words of ``text`` with what each matched, from ``SearchResult.highlighter``."""
    if not tokens:
        return Snippet(text[:MAX_CHARS], ())
    hits = [i for i, tok in enumerate(tokens) if tok.matched]
    best_start = 0
    if hits:
        best_score = -1
        for i in hits:
            start = max(0, i - 3)
            window = tokens[start : start + WINDOW_WORDS]
            distinct = {k for tok in window for k in tok.matched}
            count = sum(1 for tok in window if tok.matched)
            score = len(distinct) * 100 + count
            if score > best_score:
                best_score, best_start = score, start
    window = tokens[best_start : best_start + WINDOW_WORDS]
    begin = window[0].start
    end = window[-1].end
    if end - begin > MAX_CHARS:
        end = begin + MAX_CHARS
        window = [t for t in window if t.end <= end] or window[:1]
        end = window[-1].end
    passage = text[begin:end]
    # Line breaks inside a snippet only waste a chat message's height.
    flat = " ".join(passage.split())
    spans: list[tuple[int, int]] = []
    # Recompute spans on the flattened text by walking the same tokens.
    offset_map = _flatten_map(passage)
    for tok in window:
        if tok.matched:
            s, e = tok.start - begin, tok.end - begin
            spans.append((offset_map[s], offset_map[e - 1] + 1))
    return Snippet(flat, tuple(spans), leading_cut=begin > 0, trailing_cut=end < len(text.rstrip()))


def _flatten_map(passage: str) -> list[int]:
    """For each character of ``passage``, its position once whitespace runs are collapsed and stripped."""
    out: list[int] = []
    pos = -1
    in_space = True  # leading whitespace is dropped
    for ch in passage:
        if ch.isspace():
            if not in_space:
                pos += 1
                in_space = True
            out.append(max(pos, 0))
        else:
            pos += 1
            in_space = False
            out.append(pos)
    return out
