"""Split text into prose and code segments, losslessly, so text passes can leave code alone.

``"".join(s.text for s in segment(text)) == text`` always holds: a pass rewrites prose segments and
reassembles the code segments byte-identical (``map_prose`` does exactly that). Delimiters belong
to their code segment (the backticks, ``<pre>``/``</pre>``), so stripping "HTML" or "markup"
from prose never removes what marks code as code for the next pass.

What counts as code (``Segment.code_kind``), in the order it is recognised:

``fenced``
    A run of three or more backticks up to the next run at least as long, anywhere in a line
    (Slack closes fences mid-line: ```` ```(inc 1)``` ````). An unterminated fence is code to the
    end of the text: a truncated paste is still code.
``pre``
    ``<pre ...>`` up to ``</pre>``, and ``<code>`` up to ``</code>`` when it does not span a blank
    line (kind ``inline`` then). Unterminated tags stay prose: they are usually mentions of HTML.
``indented``
    Mail/markdown indented code: lines indented by 4+ spaces or a tab, after a blank line or at the
    start of the text, with blank lines allowed inside. It must look like code: some line holds
    one of ``()[]{}=;``. After a list item (``- x``, ``1. x``) indentation usually continues the
    item, so there the first line must *start* like code (bracket, ``;``, ``#``, a REPL prompt).
    Lines that all start with ``>`` are quoted text, not code.
``repl``
    Clojure forms and REPL sessions pasted into prose, at most 3 spaces indented: a line starting
    with ``ns=> `` (``user=>``, ``cljs.user=>``) or a line starting with ``(`` whose brackets
    balance (strings, ``\\c`` characters and ``;`` comments understood) before a blank line and
    that ends with nothing but more forms, a ``;`` comment or ``=> value``. A bare form (no prompt)
    also needs a Clojure signal, so a parenthetical aside such as "(see above)" stays prose: a
    nested form, ``[``/``{``, a ``:keyword``, ``#{``/``#(``, ``^Hint``, ``=>``, ``\\c``, or a
    head symbol that is an operator, contains ``-/?!*+<>=`` or is a common core form (``defn``,
    ``ns``, ``let``...). After a prompt line, REPL output lines follow (values, ``nil``,
    exceptions, stack frames, ``;`` comments) until a blank line or a line that reads like prose.
``inline``
    One or two backticks up to the next run of exactly as many, not across a blank line (markdown
    code spans and Slack inline code). An unmatched backtick is prose.
``file``
    Only from ``whole_file_code``: a source file is code from end to end.

Everything is a left-to-right scan with compiled regexes whose searches only move forward
(``_Finder`` caches them), so the cost is linear in the text, including a 1 MB single line.
No markdown library is used: they parse into trees and re-render (not lossless), and none
knows Slack's mid-line fences, mail's indented code or pasted REPL sessions.

The line-by-line detectors of ``indented`` and ``repl`` code (phase 2 of ``segment``) are in
``clojure_data._segment_lines``; this module keeps the API, the fences, tags and inline spans.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from ._segment_lines import LineBlocks

__all__ = ["Segment", "CodeSpans", "segment", "map_prose", "whole_file_code"]

SegmentKind = Literal["prose", "code"]
CodeKind = Literal["fenced", "inline", "indented", "pre", "repl", "file"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A slice of a text: ``text == original[start:end]``."""

    kind: SegmentKind
    text: str
    start: int
    code_kind: CodeKind | None = None  # None for prose

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_code(self) -> bool:
        return self.kind == "code"


def segment(text: str) -> list[Segment]:
    """Split ``text`` into alternating prose and code segments (see the module docstring)."""
    spans: list[tuple[int, int, CodeKind]] = []
    for a, b in _gaps(0, len(text), _block_spans(text, spans)):
        spans.extend(LineBlocks(text, a, b).spans())
    spans.sort()
    inline: list[tuple[int, int, CodeKind]] = []
    finders = _InlineFinders(text)
    for a, b in _gaps(0, len(text), spans):
        inline.extend(finders.spans(a, b))
    return _assemble(text, sorted(spans + inline))


def map_prose(text: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to every prose segment and reassemble; code segments come back byte-identical.

    ``fn`` sees prose pieces one at a time: a sentence interrupted by inline code arrives as two
    calls, so ``fn`` should work on any fragment (substitutions, not whole-document parsing).
    """
    return "".join(fn(seg.text) if seg.kind == "prose" else seg.text for seg in segment(text))


def whole_file_code(text: str) -> list[Segment]:
    """The segmentation of a source file: one ``file`` code segment (none for an empty text)."""
    return [Segment("code", text, 0, "file")] if text else []


class CodeSpans:
    """Answers "does this range of the text touch code?" in O(log n) per query."""

    def __init__(self, segments: Iterable[Segment]) -> None:
        self.segments = [s for s in segments if s.is_code]
        self._starts = [s.start for s in self.segments]

    def overlapping(self, start: int, end: int) -> list[Segment]:
        """Code segments sharing at least one character with ``[start, end)``."""
        i = max(bisect_right(self._starts, start) - 1, 0)
        found = []
        while i < len(self.segments) and self.segments[i].start < end:
            if self.segments[i].end > start:
                found.append(self.segments[i])
            i += 1
        return found

    def touches(self, start: int, end: int) -> bool:
        return bool(self.overlapping(start, end))


# -- plumbing -------------------------------------------------------------------------------------


class _Finder:
    """``pattern.search`` for positions that only grow: reuses the last answer while still valid.

    A match found searching from ``p`` is also the first match from any ``q`` in ``[p, match]``,
    and no match from ``p`` means none from any later ``q``; so each pattern scans the text once.
    """

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self._pattern = pattern
        self._text = text
        self._from = -1
        self._match: re.Match[str] | None = None

    def find(self, pos: int) -> re.Match[str] | None:
        if 0 <= self._from <= pos and (self._match is None or self._match.start() >= pos):
            return self._match
        self._from = pos
        self._match = self._pattern.search(self._text, pos)
        return self._match


def _gaps(start: int, end: int, spans: list[tuple[int, int, CodeKind]]) -> list[tuple[int, int]]:
    """The ranges of ``[start, end)`` not covered by the sorted, disjoint ``spans``."""
    gaps, pos = [], start
    for s, e, _ in spans:
        if s > pos:
            gaps.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        gaps.append((pos, end))
    return gaps


def _assemble(text: str, spans: list[tuple[int, int, CodeKind]]) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for s, e, kind in spans:
        if s > pos:
            out.append(Segment("prose", text[pos:s], pos))
        out.append(Segment("code", text[s:e], s, kind))
        pos = e
    if pos < len(text):
        out.append(Segment("prose", text[pos:], pos))
    return out


# -- phase 1: fences and HTML code tags -----------------------------------------------------------

# Python's re only searches fast for patterns that start with a literal, so each of these starts
# with one (no leading lookbehind, no alternation); runs are matched from their first backtick
# because scanning positions never fall inside a run.
_FENCE_RUN = re.compile(r"````*")
_TAG_OPEN = re.compile(r"<(pre|code)\b[^<>]{0,500}>", re.IGNORECASE)
_PRE_CLOSE = re.compile(r"</pre\s*>", re.IGNORECASE)
_CODE_CLOSE = re.compile(r"</code\s*>", re.IGNORECASE)
_BLANK = re.compile(r"\n[ \t]*\r?\n")


def _block_spans(text: str, spans: list[tuple[int, int, CodeKind]]) -> list[tuple[int, int, CodeKind]]:
    """Append fenced and ``<pre>``/``<code>`` spans to ``spans`` (in order) and return it."""
    if "`" not in text and "<" not in text:
        return spans
    opener, fence, tag = _Finder(_FENCE_RUN, text), _Finder(_FENCE_RUN, text), _Finder(_TAG_OPEN, text)
    pre, code, blank = _Finder(_PRE_CLOSE, text), _Finder(_CODE_CLOSE, text), _Finder(_BLANK, text)
    pos = 0
    while True:
        run, html = opener.find(pos), tag.find(pos)
        if run is not None and (html is None or run.start() < html.start()):
            close = fence.find(run.end())  # closed by the next run at least as long
            while close is not None and len(close.group()) < len(run.group()):
                close = fence.find(close.end())
            end = close.end() if close else len(text)
            spans.append((run.start(), end, "fenced"))
            pos = end
            continue
        if html is None:
            return spans
        kind: CodeKind = "pre" if html.group(1).lower() == "pre" else "inline"
        close = (pre if kind == "pre" else code).find(html.end())
        gap = blank.find(html.end()) if kind == "inline" else None
        if close is None or (gap is not None and gap.start() < close.start()):
            pos = html.end()  # unterminated, or <code> across a blank line: prose
            continue
        spans.append((html.start(), close.end(), kind))
        pos = close.end()


# -- phase 3: inline code spans -------------------------------------------------------------------

_TICK_RUN = re.compile(r"``*")


class _InlineFinders:
    def __init__(self, text: str) -> None:
        self.text = text
        self.ticks = _Finder(_TICK_RUN, text)
        self.close = {n: _Finder(_TICK_RUN, text) for n in (1, 2)}
        self.blank = _Finder(_BLANK, text)

    def spans(self, a: int, b: int) -> list[tuple[int, int, CodeKind]]:
        found: list[tuple[int, int, CodeKind]] = []
        pos = a
        if self.text.find("`", a, b) < 0:
            return found
        while (m := self.ticks.find(pos)) is not None and m.start() < b:
            n = len(m.group())  # 1 or 2: longer runs were all taken by phase 1
            close = self.close[n].find(m.end()) if n <= 2 else None
            while close is not None and len(close.group()) != n and close.start() < b:
                close = self.close[n].find(close.end())
            gap = self.blank.find(m.end())
            if close is None or close.end() > b or (gap is not None and gap.start() < close.start()):
                pos = m.end()  # an unmatched backtick is just a character
                continue
            found.append((m.start(), close.end(), "inline"))
            pos = close.end()
        return found
