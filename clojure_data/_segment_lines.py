"""Phase 2 of ``clojure_data.segments.segment``: code found line by line in prose regions.

These detectors find the ``indented`` blocks (mail/markdown indented code) and the ``repl`` blocks
(REPL sessions and bare Clojure forms pasted into prose); what they accept, and why, is listed in
``segments``' module docstring. They hold the bracket scanner and the heuristics that tell a form
from a parenthetical aside, which is most of the segmenter's code, so they live apart from the
public API. Like the rest of the segmenter, every scan only moves forward (linear time).
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["LineBlocks", "LineKind"]

LineKind = Literal["indented", "repl"]  # the code kinds this phase finds (a subset of CodeKind)

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


class LineBlocks:
    """Finds line-based code blocks inside one prose region ``[a, b)`` of ``text``.

    ``_CANDIDATE`` jumps straight to lines that could start a block, so ordinary prose costs one
    regex search; positions only move forward, and a failed scan skips the lines it covered.
    """

    def __init__(self, text: str, a: int, b: int) -> None:
        self.text, self.a, self.b = text, a, b

    def spans(self) -> list[tuple[int, int, LineKind]]:
        found: list[tuple[int, int, LineKind]] = []
        pos = self.a
        while (s := self._candidate(pos)) is not None:
            if _INDENTED.match(self.text, s, self.b):
                if not self._after_blank(s):
                    pos = self._next(s)
                    continue
                pos, end = self._indented(s)
                kind: LineKind = "indented"
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
