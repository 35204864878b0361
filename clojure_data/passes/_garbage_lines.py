"""Lines of a text that know where its code is: the code protection behind the ``garbage`` pass.

``Lines`` is one version of the text being cleaned. Each rule (``_garbage_rules``) finds whole
lines to remove, asks ``Lines.prose`` whether they touch code, and gets the next version from
``Lines.cut``, which carries the code spans of the earlier versions over (see ``Lines``). Kept out
of ``garbage.py`` so the pass module holds the pass and the rules module holds the rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from ..segments import CodeKind, CodeSpans, Segment, segment

__all__ = ["LineStart", "Lines"]


@dataclass(frozen=True)
class LineStart:
    """A pattern anchored at line starts, compiled twice: Python's re searches fast only for a
    pattern that begins with a literal, so lines after the first are found via their newline."""

    at_start: re.Pattern[str]
    after_newline: re.Pattern[str]

    @classmethod
    def of(cls, body: str, flags: int = 0) -> LineStart:
        return cls(re.compile(body, flags), re.compile(rf"\n(?={body})", flags))


_NEWLINE = re.compile(r"\n")


class Lines:
    """A version of the text: its lines and its code, computed on first use.

    Code is what ``segment`` finds in this version plus the code of the versions before it
    (``carried``, moved to this version's offsets): removing prose can change how later text is
    classified (a quote removed between a list item and an indented block makes the block read as
    the item's continuation), and code must stay protected all the same.
    """

    def __init__(self, text: str, carried: list[tuple[int, int, CodeKind | None]] | None = None) -> None:
        self.text = text
        self.carried = carried or []

    @cached_property
    def code(self) -> CodeSpans:
        found = [s for s in segment(self.text) if s.is_code]
        if not self.carried:
            return CodeSpans(found)
        merged: list[Segment] = []
        spans = [(s.start, s.end, s.code_kind) for s in found] + self.carried
        for start, end, kind in sorted(spans, key=lambda span: span[:2]):
            if merged and start < merged[-1].end:  # overlapping: one span
                last = merged.pop()
                start, end, kind = last.start, max(end, last.end), last.code_kind
            merged.append(Segment("code", self.text[start:end], start, kind))
        return CodeSpans(merged)

    def pieces(self) -> list[tuple[bool, str]]:
        """The text as ``(is_code, piece)`` pairs, in order."""
        out, pos = [], 0
        for seg in self.code.segments:
            if seg.start > pos:
                out.append((False, self.text[pos : seg.start]))
            out.append((True, seg.text))
            pos = seg.end
        if pos < len(self.text):
            out.append((False, self.text[pos:]))
        return out

    def rebuild(self, pieces: list[tuple[bool, str]]) -> Lines:
        """The version made of ``pieces`` (code pieces unchanged), carrying their code."""
        carried: list[tuple[int, int, CodeKind | None]] = []
        pos = 0
        for code, piece in pieces:
            if code:
                carried.append((pos, pos + len(piece), None))
            pos += len(piece)
        text = "".join(piece for _, piece in pieces)
        return self if text == self.text else Lines(text, carried)

    @cached_property
    def starts(self) -> list[int]:
        starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        if starts[-1] == len(self.text):
            starts.pop()
        return starts

    def __len__(self) -> int:
        return len(self.starts)

    def next(self, i: int) -> int:
        """Where the line after line ``i`` starts."""
        return self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)

    def line(self, i: int) -> str:
        return self.text[self.starts[i] : self.next(i)].rstrip("\r\n")

    def blank(self, i: int) -> bool:
        return not self.line(i).strip()

    def prose(self, i: int, j: int) -> bool:
        """Whether lines ``[i, j)`` are free of code."""
        return not self.code.touches(self.starts[i], self.next(j - 1))

    def index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def starting(self, rule: LineStart) -> list[int]:
        """Indexes of the lines that start with a match of ``rule``, in order."""
        first = [0] if rule.at_start.match(self.text) else []
        return first + [self.index(m.end()) for m in rule.after_newline.finditer(self.text)]

    def cut(self, ranges: list[tuple[int, int]]) -> Lines:
        """The version without the line ranges ``[i, j)``. Code inside them (quoted code) goes."""
        removed: list[tuple[int, int]] = []
        for i, j in sorted(ranges):
            a, b = self.starts[i], self.next(j - 1)
            if removed and a <= removed[-1][1]:
                removed[-1] = (removed[-1][0], max(b, removed[-1][1]))
            else:
                removed.append((a, b))
        carried: list[tuple[int, int, CodeKind | None]] = []
        k = shift = 0
        for seg in self.code.segments:
            while k < len(removed) and removed[k][1] <= seg.start:
                shift += removed[k][1] - removed[k][0]
                k += 1
            if k == len(removed) or removed[k][0] >= seg.end:
                carried.append((seg.start - shift, seg.end - shift, seg.code_kind))
        out, pos = [], 0
        for a, b in removed:
            out.append(self.text[pos:a])
            pos = b
        out.append(self.text[pos:])
        return Lines("".join(out), carried)
