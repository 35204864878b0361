"""Replacement that keeps code intact: placeholders, span rewriting and the tree-sitter check.

Shared by the privacy passes (secrets, anonymize, pii): they find spans, this module rewrites them.

* ``Placeholders`` numbers redacted values per record: ``REDACTED_AWS_ACCESS_KEY_1``. The same
  value gets the same placeholder everywhere in the record (code that uses a key twice still
  uses one key), and placeholders use only ``[A-Z0-9_]``: valid inside a string, a symbol, a
  keyword, a URL or prose, so replacing a value *inside* a literal never changes its syntax.
  The quotes around a value are never part of a span, so the quoting stays as it was.
* ``rewrite_segments`` runs a rewrite over every prose and code segment of a text (via
  ``clojure_data.segments``) and checks that each code segment that parsed before with the
  tree-sitter Clojure grammar still parses after. Untouched segments are byte-identical.
* ``apply_spans`` replaces non-overlapping spans (leftmost, then longest wins).

tree-sitter is optional: without it ``clojure_parses`` returns ``None`` and the check is skipped
(``parse_checker()`` says which), the rewriting itself does not depend on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..segments import Segment, segment, whole_file_code

__all__ = [
    "Span",
    "Placeholders",
    "apply_spans",
    "segments_for",
    "code_body",
    "clojure_parses",
    "parse_preserved",
    "parse_checker",
    "RewriteResult",
    "rewrite_segments",
    "escape_for_string",
    "literal_spans",
]

PLACEHOLDER_PREFIX = "REDACTED_"
PLACEHOLDER_RE = re.compile(r"REDACTED_[A-Z0-9_]+_\d+")


@dataclass(frozen=True, order=True)
class Span:
    """``text[start:end]`` is a ``label`` (e.g. ``aws_access_key``) to replace."""

    start: int
    end: int
    label: str


@dataclass
class Placeholders:
    """Per-record numbering: the n-th distinct value of a label becomes ``REDACTED_<LABEL>_<n>``."""

    _seen: dict[tuple[str, str], str] = field(default_factory=dict)
    _next: dict[str, int] = field(default_factory=dict)

    def get(self, label: str, value: str) -> str:
        key = (label, value)
        found = self._seen.get(key)
        if found is None:
            n = self._next.get(label, 0) + 1
            self._next[label] = n
            found = self._seen[key] = f"{PLACEHOLDER_PREFIX}{re.sub(r'[^A-Z0-9]+', '_', label.upper())}_{n}"
        return found


def is_placeholder(value: str) -> bool:
    return PLACEHOLDER_RE.fullmatch(value) is not None


def apply_spans(
    text: str, spans: Iterable[Span], replace: Callable[[Span, str], str]
) -> tuple[str, list[Span]]:
    """Replace ``spans`` in ``text`` with ``replace(span, original)``; returns the text and spans used.

    Overlaps are resolved leftmost-first, then longest-first, so one secret is replaced once.
    """
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.end <= span.start or (chosen and span.start < chosen[-1].end):
            continue
        chosen.append(span)
    if not chosen:
        return text, chosen
    parts: list[str] = []
    pos = 0
    for span in chosen:
        parts.append(text[pos : span.start])
        parts.append(replace(span, text[span.start : span.end]))
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts), chosen


def escape_for_string(value: str) -> str:
    """``value`` as the inside of a Clojure/Java string literal (for replacements that need it)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def segments_for(text: str, kind: str | None) -> list[Segment]:
    """Prose/code segments of a record's text: a ``code_file`` record is code from end to end."""
    return whole_file_code(text) if kind == "code_file" else segment(text)


_FENCE_OPEN = re.compile(r"\A`{3,}[^\n`]*\n?")
_FENCE_CLOSE = re.compile(r"\n?`{3,}\s*\Z")
_TAG_OPEN = re.compile(r"\A<(?:pre|code)\b[^>]*>(?:\s*<code\b[^>]*>)?", re.IGNORECASE)
_TAG_CLOSE = re.compile(r"(?:</code\s*>\s*)?</(?:pre|code)\s*>\Z", re.IGNORECASE)
_PROMPT = re.compile(r"^([ \t]*)[\w.*+!?-]*=>[ \t]?", re.MULTILINE)


def code_body(seg: Segment) -> str:
    """The code inside a segment's delimiters (fences, backticks, tags, REPL prompts)."""
    text = seg.text
    if seg.code_kind == "fenced":
        return _FENCE_CLOSE.sub("", _FENCE_OPEN.sub("", text, count=1), count=1)
    if seg.code_kind == "pre":
        return _TAG_CLOSE.sub("", _TAG_OPEN.sub("", text, count=1), count=1)
    if seg.code_kind == "inline":
        if text.startswith("<"):
            return _TAG_CLOSE.sub("", _TAG_OPEN.sub("", text, count=1), count=1)
        return text.strip("`")
    if seg.code_kind == "repl":
        return _PROMPT.sub(r"\1", text)
    return text


@lru_cache(maxsize=1)
def _parser() -> Any:
    try:
        from tree_sitter_language_pack import get_parser
    except ImportError:
        return None
    try:
        return get_parser("clojure")
    except Exception:  # a build without the grammar: same as not installed
        return None


def parse_checker() -> str | None:
    """What checks code after replacement (for the datasheet), or None."""
    return "tree-sitter clojure" if _parser() is not None else None


def clojure_parses(code: str) -> bool | None:
    """Whether ``code`` parses without errors with tree-sitter Clojure (None: no parser)."""
    parser = _parser()
    if parser is None:
        return None
    return not parser.parse(code.encode("utf-8")).root_node.has_error


def parse_preserved(before: str, after: str) -> bool:
    """False only when ``before`` parsed and ``after`` does not (True when no parser is available)."""
    if before == after:
        return True
    return clojure_parses(before) is not True or clojure_parses(after) is not False


_LEX = re.compile(
    r"""\"(?:[^\"\\]|\\.)*\"?            # a string (or regex #"..." literal); unterminated: to the end
    | ;[^\n]*                         # a comment
    | \\(?:newline|space|tab|u[0-9a-fA-F]{4}|.)  # a character literal: \" and \; are not delimiters
    | [^\"\\;]+                       # everything else""",
    re.VERBOSE | re.DOTALL,
)


def literal_spans(code: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the string literals and ``;`` comments of Clojure ``code``: the parts
    that are data or prose, where replacing a word cannot change what the program means."""
    return [m.span() for m in _LEX.finditer(code) if m.group()[0] in '";']


@dataclass
class RewriteResult:
    text: str
    code_changed: int = 0  # code segments that were rewritten
    parse_broken: int = 0  # of which no longer parse (should stay 0: it is reported, not hidden)


def rewrite_segments(
    text: str,
    kind: str | None,
    prose: Callable[[str], str] | None,
    code: Callable[[str], str] | None,
) -> RewriteResult:
    """Apply ``prose`` to prose segments and ``code`` to code segments (None: leave as is).

    Each changed code segment is checked with ``parse_preserved`` on its body (delimiters
    stripped, so a fence's ```` ``` ```` is not read as Clojure syntax-quote).
    """
    if not text:
        return RewriteResult(text)
    out: list[str] = []
    result = RewriteResult(text)
    for seg in segments_for(text, kind):
        fn = code if seg.is_code else prose
        new = fn(seg.text) if fn is not None else seg.text
        if seg.is_code and new != seg.text:
            result.code_changed += 1
            changed = Segment("code", new, seg.start, seg.code_kind)
            if not parse_preserved(code_body(seg), code_body(changed)):
                result.parse_broken += 1
        out.append(new)
    result.text = "".join(out)
    return result
