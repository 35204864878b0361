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
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

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
        spans.extend(_LineBlocks(text, a, b).spans())
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


# -- phase 2: line blocks (indented code, REPL sessions, bare forms) -----------------------------

_INDENTED = re.compile(r"(?: {4,}|\t)[ \t]*\S")
_BLOCK_START = r"(?: {4,}|\t)[ \t]*\S|[ \t]{0,3}(?:\((?=[^\s)])|[\w.*+!?-]*=>(?=[ \t\r]|$))"
_LINE_CANDIDATE = re.compile(_BLOCK_START, re.MULTILINE)  # a line that may start a block
_CANDIDATE = re.compile(rf"\n(?={_BLOCK_START})", re.MULTILINE)  # the newline before one (fast search)
_LIST_ITEM = re.compile(r"[ \t]{0,3}(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+\S")
_PROMPT = re.compile(r"[ \t]{0,3}([\w.*+!?-]*)=>(?=[ \t\r]|$)")
_FORM_START = re.compile(r"[ \t]{0,3}\((?=[^\s)])")
_WEAK_CODE = re.compile(r"[()\[\]{}=;]")
_STRONG_CODE = re.compile(r"[ \t]*(?:[(\[{;#]|[\w.*+!?-]*=>|\$ )")
_OUTPUT = re.compile(
    r"[ \t]*(?:[(\[{#:\"'\\;^@\d-]|nil\b|true\b|false\b|[\w.$]+(?:Exception|Error)\b|"
    r"Execution error|Syntax error|Caused by|at [\w.$]+\(|[\w.*+!?-]*=>|\.\.\.)"
)
_TOKEN = re.compile(
    r"""[^()\[\]{}"\\;\n]+            # plain text
    | \\.                              # character literal or escape
    | "(?:[^"\\\n]|\\.|\n(?![ \t]*\r?\n))*"   # a string, not across a blank line
    | ;[^\n]*                          # a comment
    | \n(?:[ \t]*\r?\n)?               # a newline, or a blank line (ends the scan)
    | .""",
    re.VERBOSE | re.DOTALL,
)
_AFTER_FORM = re.compile(r"[ \t]*(?:;[^\n]*|=>[^\n]*)?(?=\r?\n|$)")
_HEAD = re.compile(r"\(\s*([^\s()\[\]{}\"]+)")
_BODY_SIGNAL = re.compile(r"[\[{]|(?<![\w:])::?[A-Za-z*+!?<>=_-]|#[({\"_]|\^[\w:{]|=>|\\[a-z]")
_HEAD_SIGNAL = re.compile(r"^[.:]|[-/?!*+<>=]|^\S+\.\S")
_NOT_A_HEAD = re.compile(r"^(?:[a-z]\.){1,3}$|^etc\.?$", re.IGNORECASE)
_CORE_HEADS = frozenset(
    {
        "def", "defn", "defmacro", "defprotocol", "defrecord", "deftype", "defmulti", "defmethod",
        "defonce", "ns", "let", "letfn", "fn", "loop", "recur", "cond", "condp", "require", "import",
        "in-ns", "println", "prn", "printf", "str", "inc", "dec", "assoc", "dissoc", "conj", "cons",
        "reduce", "apply", "mapv", "mapcat", "vec", "hash-map", "deref", "atom", "quote", "doseq",
        "dotimes", "juxt", "comp", "partial", "frequencies", "interleave", "concat", "identity",
        "slurp", "spit", "macroexpand", "keyword", "symbol", "meta",
    }
)  # fmt: skip


def _scan_form(text: str, pos: int, end: int) -> tuple[bool, int]:
    """Scan the form opening at ``pos``: ``(True, after_close)`` or ``(False, where_it_gave_up)``."""
    depth = 0
    while pos < end:
        m = _TOKEN.match(text, pos, end)
        assert m is not None  # the last alternative matches any character
        tok = m.group()
        pos = m.end()
        c = tok[0]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth <= 0:
                return True, pos
        elif (c == "\n" and len(tok) > 1) or tok == '"':
            return False, pos  # a blank line or an unterminated string
    return False, pos


def _is_clojure(form: str) -> bool:
    """Whether a balanced bare form reads as Clojure rather than a parenthetical aside."""
    if "(" in form[1:] or _BODY_SIGNAL.search(form):
        return True
    head = _HEAD.match(form)
    if head is None:
        return False
    name = head.group(1)
    return name in _CORE_HEADS or (_HEAD_SIGNAL.search(name) is not None and not _NOT_A_HEAD.match(name))


class _LineBlocks:
    """Finds line-based code blocks inside one prose region ``[a, b)`` of ``text``.

    ``_CANDIDATE`` jumps straight to lines that could start a block, so ordinary prose costs one
    regex search; positions only move forward, and a failed scan skips the lines it covered.
    """

    def __init__(self, text: str, a: int, b: int) -> None:
        self.text, self.a, self.b = text, a, b

    def spans(self) -> list[tuple[int, int, CodeKind]]:
        found: list[tuple[int, int, CodeKind]] = []
        pos = self.a
        while (s := self._candidate(pos)) is not None:
            if _INDENTED.match(self.text, s, self.b):
                if not self._after_blank(s):
                    pos = self._next(s)
                    continue
                pos, end = self._indented(s)
                kind: CodeKind = "indented"
            else:
                pos, end = self._repl(s)
                kind = "repl"
            if end is not None:
                found.append((s, end, kind))
            pos = max(pos, self._next(s))
        return found

    def _candidate(self, pos: int) -> int | None:
        """The start of the next line at or after ``pos`` that may start a block."""
        whole = pos == 0 or (pos > self.a and self.text[pos - 1] == "\n")
        if whole and _LINE_CANDIDATE.match(self.text, pos, self.b):
            return pos
        m = _CANDIDATE.search(self.text, max(pos - 1, self.a), self.b)
        return None if m is None or m.end() >= self.b else m.end()

    # -- line helpers: a line is [start, _eol(start)); ends never pass the region end
    def _eol(self, pos: int) -> int:
        nl = self.text.find("\n", pos, self.b)
        return self.b if nl < 0 else nl

    def _next(self, pos: int) -> int:
        return min(self._eol(pos) + 1, self.b)

    def _content_end(self, pos: int) -> int:
        end = self._eol(pos)
        return end - 1 if end > pos and self.text[end - 1] == "\r" else end

    def _line_start(self, pos: int) -> int:
        return max(self.text.rfind("\n", self.a, pos) + 1, self.a)

    def _line(self, pos: int) -> str:
        return self.text[pos : self._eol(pos)]

    def _after_blank(self, s: int) -> bool:
        if s == 0:
            return True
        if s <= self.a:
            return False
        return not self.text[self._line_start(s - 1) : s - 1].strip()

    def _indented(self, s: int) -> tuple[int, int | None]:
        """``(next position, end of the block or None when it is not code)``."""
        body: list[str] = []
        pos, last = s, s
        while pos < self.b:
            line = self._line(pos)
            if line.strip():
                if not _INDENTED.match(line):
                    break
                body.append(line)
                last = pos
            pos = self._next(pos)
        end = self._content_end(last)
        if all(ln.lstrip().startswith(">") for ln in body):
            return self._next(last), None
        if self._after_list_item(s):
            ok = _STRONG_CODE.match(body[0]) is not None
        else:
            ok = any(_WEAK_CODE.search(ln) for ln in body)
        return self._next(last), end if ok else None

    def _after_list_item(self, s: int) -> bool:
        e = s - 1  # the newline that ends the previous line
        while e > self.a:
            start = self._line_start(e)
            line = self.text[start:e]
            if line.strip():
                return bool(_LIST_ITEM.match(line)) or line.startswith("  ")
            e = start - 1
        return False

    def _repl(self, s: int) -> tuple[int, int | None]:
        """Prompts, forms and (after a prompt) output from ``s``: ``(next position, end or None)``.

        On failure the next position skips the lines the failed scan covered (linear time).
        """
        pos, prompted, end = s, False, None
        while pos < self.b and (line := self._line(pos)).strip():
            prompt = _PROMPT.match(line)
            if not prompt and prompted and _OUTPUT.match(line):
                end = self._content_end(pos)  # REPL output, which may look like a form: (2 3)
            elif prompt or _FORM_START.match(line):
                got, stop = self._prompt_line(pos, prompt) if prompt else self._bare_forms(pos)
                if got is None:
                    if end is None:
                        return self._line_start(stop - 1), None
                    break
                end, prompted = got, prompted or prompt is not None
                pos = got
            elif end is not None and line.lstrip()[:1] == ";":
                end = self._content_end(pos)  # a comment after a form: ;; => 3
            else:
                break
            pos = self._next(pos)
        return pos, end

    def _forms_from(self, pos: int) -> tuple[int | None, int]:
        """``(end, stop)``: the end of forms from ``pos`` that close at a line end (or None), and
        where the scan stopped."""
        while True:
            ok, pos = _scan_form(self.text, pos, self.b)
            if not ok:
                return None, pos
            while pos < self.b and self.text[pos] in " \t":
                pos += 1
            if pos < self.b and self.text[pos] in "([{":
                continue
            after = _AFTER_FORM.match(self.text, pos, self.b)
            return (after.end() if after else None), pos

    def _prompt_line(self, s: int, prompt: re.Match[str]) -> tuple[int | None, int]:
        rest = s + prompt.end()
        if rest < self._eol(s) and self.text[rest] in "([{":
            end, stop = self._forms_from(rest)
            if end is not None:
                return end, end
        # "user=> x" or an unfinished form: a named prompt is signal enough for its own line
        return (self._content_end(s) if prompt.group(1) else None), self._eol(s)

    def _bare_forms(self, s: int) -> tuple[int | None, int]:
        start = self.text.index("(", s)
        end, stop = self._forms_from(start)
        if end is None or not _is_clojure(self.text[start:end]):
            return None, stop
        return end, end


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
