"""The ``garbage`` pass: strip mail and markup debris from prose, never touching code.

Rules, in order, each switchable in the policy (details and examples: ``docs/passes.md``):

1. ``strip_headers``: ``From:``/``Sent:``/``To:``/``Subject:`` blocks (3+ lines, with their
   ``-----Original Message-----``-style marker) pasted by forwards and Outlook replies.
2. ``strip_quotes``: ``>`` lines (nested too) and the lead-in above them ("On ... wrote:", also
   wrapped, French, German, Spanish, Gmail's "2015-11-15 23:43 GMT+01:00 Name <a@b>:"). A lead-in
   goes only with a quote below it (or when it ends the text), so prose saying "wrote:" stays.
3. ``strip_footers``: Google Groups, Mailman and pipermail footers and ``extra_footers``, with the
   ``--``/``---`` separators around them.
4. ``strip_signatures``: ``-- `` (or ``--``) and the at most ``max_signature_lines`` short lines
   after it, up to a blank line; "Sent from my iPhone" lines.
5. ``strip_html``: HTML element tags (a regex limited to real element names with ``name=value``
   attributes: an HTML parser would also eat ``<user@example.com>``, Slack's ``<https://x|y>``
   and prose such as ``a <b and c> d``), ``<script>``/``<style>``/``<head>`` with their content,
   comments; then entities via ``html.unescape``, only those ending in ``;`` (its legacy
   ``&copy`` decoding would turn ``?a=1&copy=2`` in a URL into ``?a=1©=2``). It runs last, so
   the line breaks it makes cannot create quote or signature lines.
6. Only if something was removed: blank-line runs in prose collapse, blank edges are trimmed.

Code is sacred: a match that touches a code segment (``clojure_data.segments``) is skipped, so
code comes back byte-identical. One deliberate exception: code lying entirely on ``>`` lines goes
with its quote, being a copy of an earlier message.

Threads: each message's ``text`` is cleaned, messages left empty are dropped
(``count:empty_messages``), and ``doc.text`` is cleaned directly with the same function rather
than re-rendered (the pass does not know each builder's rendering). Rules are line-local or stop
at blank lines, so they cannot reach across messages of the rendered text. Counts come from
``doc.text`` only (nothing is counted twice). A thread with no message left, or a text shorter
than ``min_chars``, is dropped as ``empty_after_cleaning``. ``code_file`` records are kept as is.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from ..record import Document
from ..registry import register_pass
from ..segments import CodeKind, CodeSpans, Segment, segment
from .base import CHANGED, KEEP, Outcome, Pass, PassConfig, drop

__all__ = ["GarbageConfig", "GarbagePass", "clean_text"]


@dataclass
class GarbageConfig(PassConfig):
    strip_html: bool = True
    """Remove leftover HTML tags and decode entities in prose."""
    strip_headers: bool = True
    """Remove From:/Sent:/To:/Subject: blocks of forwarded and Outlook-style replies."""
    strip_quotes: bool = True
    """Remove '>' quoted lines and their 'On ... wrote:' lead-in. Off for Q&A sources, where a quote
    cites documentation or an error message instead of repeating a previous message."""
    strip_footers: bool = True
    """Remove Google Groups / Mailman / pipermail footers."""
    strip_signatures: bool = True
    """Remove '-- ' signature blocks and 'Sent from my iPhone' lines."""
    max_signature_lines: int = 6
    """A block after '-- ' longer than this is not treated as a signature."""
    min_chars: int = 1
    """Drop a record whose cleaned text has fewer non-blank-edged characters than this."""
    extra_footers: list[str] = field(default_factory=list)
    """More footer regexes (Python syntax, multiline mode, matched from a line start)."""

    def __post_init__(self) -> None:
        for pattern in self.extra_footers:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"extra_footers: invalid regex {pattern!r}: {exc}") from exc


@register_pass("garbage")
class GarbagePass(Pass):
    """Strips quotes, signatures, list footers, pasted headers and leftover HTML from prose."""

    Config = GarbageConfig

    def process(self, doc: Document) -> Outcome:
        config = cast(GarbageConfig, self.config)
        meta = doc.metadata
        if meta.get("kind") == "code_file":
            return KEEP
        text, counts = clean_text(doc.text, config)
        changed = text != doc.text
        messages = meta.get("messages")
        all_empty = False
        if meta.get("kind") == "thread" and isinstance(messages, list) and messages:
            kept = self._clean_messages(messages, config)
            counts["empty_messages"] += len(messages) - len(kept)
            changed = changed or kept != messages
            meta["messages"] = kept
            all_empty = not kept
        for label, n in sorted(counts.items()):
            self.count(label, n)
        doc.text = text
        if all_empty or len(text.strip()) < max(config.min_chars, 1):
            return drop("empty_after_cleaning")
        return CHANGED if changed else KEEP

    @staticmethod
    def _clean_messages(messages: list[Any], config: GarbageConfig) -> list[Any]:
        kept = []
        for message in messages:
            if not isinstance(message, dict) or not isinstance(message.get("text"), str):
                kept.append(message)  # not ours to judge; the schema check reports it
                continue
            cleaned, _ = clean_text(message["text"], config)
            if cleaned.strip():
                kept.append({**message, "text": cleaned} if cleaned != message["text"] else message)
        return kept


def clean_text(text: str, config: GarbageConfig | None = None) -> tuple[str, Counter[str]]:
    """Apply the enabled rules to ``text``; returns the cleaned text and what was removed."""
    config = config or GarbageConfig()
    counts: Counter[str] = Counter()
    lines = _Lines(text)
    if config.strip_headers:
        lines = _strip_headers(lines, counts)
    if config.strip_quotes:
        lines = _strip_quotes(lines, counts)
    if config.strip_footers:
        footers = [*_FOOTERS, *((None, p) for p in _compile(config.extra_footers))]
        lines = _strip_footers(lines, footers, counts)
    if config.strip_signatures:
        lines = _strip_signatures(lines, config.max_signature_lines, counts)
    if config.strip_html and ("<" in lines.text or "&" in lines.text):  # last: a removed <br> or
        # </p> makes a line break, which must not turn "</p>> x" into a quote line or "-- " into a
        # signature delimiter that takes code with it
        lines = lines.rebuild([(code, p if code else _strip_html(p, counts)) for code, p in lines.pieces()])
    return (_tidy(lines) if lines.text != text else text), counts


@dataclass(frozen=True)
class _LineStart:
    """A pattern anchored at line starts, compiled twice: Python's re searches fast only for a
    pattern that begins with a literal, so lines after the first are found via their newline."""

    at_start: re.Pattern[str]
    after_newline: re.Pattern[str]

    @classmethod
    def of(cls, body: str, flags: int = 0) -> _LineStart:
        return cls(re.compile(body, flags), re.compile(rf"\n(?={body})", flags))


# -- lines with their code map --------------------------------------------------------------------

_NEWLINE = re.compile(r"\n")


class _Lines:
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

    def rebuild(self, pieces: list[tuple[bool, str]]) -> _Lines:
        """The version made of ``pieces`` (code pieces unchanged), carrying their code."""
        carried: list[tuple[int, int, CodeKind | None]] = []
        pos = 0
        for code, piece in pieces:
            if code:
                carried.append((pos, pos + len(piece), None))
            pos += len(piece)
        text = "".join(piece for _, piece in pieces)
        return self if text == self.text else _Lines(text, carried)

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

    def starting(self, rule: _LineStart) -> list[int]:
        """Indexes of the lines that start with a match of ``rule``, in order."""
        first = [0] if rule.at_start.match(self.text) else []
        return first + [self.index(m.end()) for m in rule.after_newline.finditer(self.text)]

    def cut(self, ranges: list[tuple[int, int]]) -> _Lines:
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
        return _Lines("".join(out), carried)


# -- 1. pasted headers ----------------------------------------------------------------------------

_HEADER = re.compile(
    r"[ \t]*[*_]{0,2}(From|Sent|To|Cc|Bcc|Date|Subject|Reply-To|De|Envoyé|Para|À|Objet|Asunto|Enviado|"
    r"Fecha|Von|Gesendet|An|Betreff|Datum|Kopie)[*_]{0,2}[ \t]*:[*_]{0,2}[ \t]*\S",
    re.IGNORECASE,
)
_FROM_KEYS = frozenset({"from", "de", "von"})
_FROM_LINE = _LineStart.of(r"[ \t]*[*_]{0,2}(?:From|De|Von)[*_]{0,2}[ \t]*:", re.IGNORECASE)
_WHEN_KEYS = frozenset(
    {"sent", "date", "subject", "envoyé", "objet", "asunto", "enviado", "fecha", "gesendet", "betreff",
     "datum"}
)  # fmt: skip
_FWD_MARKER = re.compile(
    r"[ \t]*(?:-{2,}\s*(?:Original Message|Forwarded message|Mensaje original|Message d'origine|"
    r"Message transféré|Ursprüngliche Nachricht|Weitergeleitete Nachricht)\s*-{2,}|"
    r"Begin forwarded message:|_{10,})[ \t]*",
    re.IGNORECASE,
)


def _strip_headers(lines: _Lines, counts: Counter[str]) -> _Lines:
    cut: list[tuple[int, int]] = []
    done = 0
    for i in lines.starting(_FROM_LINE):
        first = _HEADER.match(lines.line(i)) if i >= done else None
        if first is None or first.group(1).lower() not in _FROM_KEYS:
            continue
        keys, j = set(), i
        while j < len(lines) and ((m := _HEADER.match(lines.line(j))) or _continues(lines, j, i)):
            if m:
                keys.add(m.group(1).lower())
            j += 1
        start = i
        above = i - 1 if i > 0 and lines.blank(i - 1) else i  # one blank line between marker and block
        if above > 0 and _FWD_MARKER.fullmatch(lines.line(above - 1)):
            start = above - 1
        if j - i >= 3 and keys & _WHEN_KEYS and lines.prose(start, j):
            cut.append((start, j))
            counts["header_blocks"] += 1
        done = j
    return lines.cut(cut) if cut else lines


def _continues(lines: _Lines, j: int, first: int) -> bool:
    """A wrapped header value (a long To: list): an indented line inside the block."""
    return j > first and lines.line(j)[:1] in (" ", "\t") and not lines.blank(j)


# -- 2. quoted replies ----------------------------------------------------------------------------

_VERB = (
    r"(?:wrote|writes|said|a\s+écrit|schrieb|geschrieben|escribió|escribio|ha\s+scritto|escreveu|"
    r"schreef|skrev|kirjoitti|napisał|napsal|написал[аи]?)"
)
_LEADIN = re.compile(
    rf"(?:.{{0,300}}\b{_VERB}\b.{{0,150}}?|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b.{{0,300}}?|"
    r"Quoting\s.{1,300}?|\*\s.{1,200}\[\d{4}-\d{2}-\d{2}[^\]]{0,40}\])\s*:\s*",
    re.IGNORECASE,
)
_LEADIN_END = re.compile(r":\s*\Z")  # a text ending in a lead-in ends with a colon
_LEADIN_START = re.compile(
    r"(?:On|Le|Am|El|Il|Em|Op|På|Den|W dniu|Dne|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4})\b", re.IGNORECASE
)


def _strip_quotes(lines: _Lines, counts: Counter[str]) -> _Lines:
    text = lines.text
    if not (text.startswith(">") or "\n>" in text or _LEADIN_END.search(text[-600:])):
        return lines
    quoted = [text.startswith(">", s) for s in lines.starts]
    ok_code: dict[int, bool] = {}  # code segment start -> lies entirely on quoted lines

    def removable(i: int) -> bool:
        for seg in lines.code.overlapping(lines.starts[i], lines.next(i)):
            if seg.start not in ok_code:
                a, b = lines.index(seg.start), lines.index(seg.end - 1)
                ok_code[seg.start] = all(quoted[a : b + 1])
            if not ok_code[seg.start]:
                return False
        return True

    cut: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if not (quoted[i] and removable(i)):
            i += 1
            continue
        j = i
        while j < len(lines) and quoted[j] and removable(j):
            j += 1
        start, end = lines.starts[i], lines.next(j - 1)
        if any(seg.start < start or seg.end > end for seg in lines.code.overlapping(start, end)):
            i = j  # quoted code running past this block (next to unquoted code): leave it all
            continue
        counts["quote_lines"] += j - i
        cut.append((_leadin_above(lines, i, quoted, counts), j))
        i = j
    last = len(lines) - 1
    while last >= 0 and lines.blank(last):
        last -= 1
    if last >= 0 and not quoted[last] and lines.prose(last, last + 1) and _is_leadin(lines, last, True):
        cut.append((last, last + 1))
        counts["quote_leadins"] += 1
    return lines.cut(cut) if cut else lines


def _is_leadin(lines: _Lines, i: int, strict: bool = False, prefix: str = "") -> bool:
    line = (prefix + lines.line(i)).strip()
    if len(line) > 500 or (strict and not _LEADIN_START.match(line)):
        return False
    return _LEADIN.fullmatch(line) is not None


def _leadin_above(lines: _Lines, i: int, quoted: list[bool], counts: Counter[str]) -> int:
    """The first line to cut for the quote starting at line ``i``: its lead-in, if any."""
    k = i - 1
    while k >= 0 and lines.blank(k):
        k -= 1
    if k < 0 or quoted[k] or not lines.prose(k, k + 1):
        return i
    first = k - 1  # a lead-in wrapped over two lines: "On ... Name <" + "a@b.c> wrote:"
    if first >= 0 and not lines.blank(first) and not quoted[first] and lines.prose(first, k):
        head = lines.line(first)
        if _LEADIN_START.match(head.strip()) and _is_leadin(lines, k, prefix=head + " "):
            counts["quote_leadins"] += 1
            return first
    if _is_leadin(lines, k):
        counts["quote_leadins"] += 1
        return k
    return i


# -- 3. list footers ------------------------------------------------------------------------------

# (keyword, regex): a footer regex runs only when its lower-case keyword occurs in the text
_FOOTER_SOURCES = [
    ("received this", r"You\s+received\s+this\s+(?:message|topic)\s+because\s+you\s+are\s+subscribed\s+to\s+"
     r"(?:a\s+topic\s+in\s+)?the\s+Google\s+Groups?\s+\"[^\"\n]{1,100}\"\s+group\."),
    ("post to this group", r"To\s+post\s+to\s+this\s+group,\s+send\s+(?:an\s+)?e-?mail\s+to\s*\S+@\S+"),
    ("unsubscribe", r"To\s+unsubscribe\s+from\s+this\s+(?:group|topic)[^,\n]{0,80}(?:\n[^,\n]{0,80})?,\s+"
     r"(?:send\s+(?:an\s+)?e-?mail\s+to|visit)\s*\S+"),
    ("more options", r"For\s+more\s+options,\s+visit\s+(?:this\s+group\s+at\s+)?\S+"),
    ("this discussion", r"To\s+view\s+this\s+discussion\s+(?:on\s+the\s+web\s+)?(?:visit|at)\s+\S+"),
    ("visit this group", r"Visit\s+this\s+group\s+at\s+\S+"),
    ("new members", r"Note\s+that\s+posts\s+from\s+new\s+members\s+are\s+moderated\s*[-\u2013\u2014]+\s*"
     r"please\s+be\s+patient\s+with\s+your\s+first\s+post\.?"),
    ("mailing list", r"_{20,}[ \t]*\r?\n[^\n]{1,100}\bmailing\s+list\b[^\n]*\r?\n(?:[^\n]*\r?\n){0,2}?"
     r"[^\n]*https?://\S+"),
    ("next part", r"-{5,}\s*next\s+part\s*-{5,}(?:[ \t]*\r?\n(?:An?\s+(?:HTML|non-text)\s+attachment\s+"
     r"was\s+scrubbed\.\.\.|(?:Name|Type|Size|Desc|URL)\s*:[^\n]*))+"),
]  # fmt: skip


def _compile(sources: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(rf"^[ \t]*(?:{source})", re.MULTILINE | re.IGNORECASE) for source in sources]


_FOOTERS: list[tuple[str | None, re.Pattern[str]]] = [(k, _compile([src])[0]) for k, src in _FOOTER_SOURCES]


def _is_separator(line: str) -> bool:
    return line.strip() in ("", "--", "---")


def _strip_footers(
    lines: _Lines, patterns: list[tuple[str | None, re.Pattern[str]]], counts: Counter[str]
) -> _Lines:
    lower = lines.text.lower()
    found = sorted(
        (lines.index(m.start()), lines.index(max(m.end() - 1, m.start())) + 1)
        for keyword, pattern in patterns
        if keyword is None or keyword in lower
        for m in pattern.finditer(lines.text)
    )
    blocks: list[tuple[int, int]] = []
    for i, j in found:  # merge matches separated only by blank lines and -- / --- separators
        if blocks and all(_is_separator(lines.line(k)) for k in range(blocks[-1][1], i)):
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], j))
        else:
            blocks.append((i, j))
    cut = []
    for i, j in blocks:
        while i > 0 and _is_separator(lines.line(i - 1)):
            i -= 1
        if lines.prose(i, j):
            cut.append((i, j))
            counts["footers"] += 1
    return lines.cut(cut) if cut else lines


# -- 4. signatures --------------------------------------------------------------------------------

_SIG_DELIMITER = re.compile(r"-- ?")
_SIG_LINE = _LineStart.of(r"-- ?\r?(?:\n|\Z)")
_MOBILE_LINE = _LineStart.of(r"[ \t]*(?:Sent|Get|Envoyé|Von|Enviado)\b", re.IGNORECASE)
_MOBILE = re.compile(
    r"(?:Sent from my [\w .-]{1,40}|Sent from (?:Yahoo Mail|Mail for Windows|Outlook|my mobile)[\w .-]{0,40}|"
    r"Get Outlook for [\w .-]{1,20}|Sent via [\w .-]{1,40}|Envoyé de mon [\w .-]{1,30}|"
    r"Von meinem [\w .-]{1,30} gesendet|Enviado desde mi [\w .-]{1,30})\.?",
    re.IGNORECASE,
)


def _strip_signatures(lines: _Lines, max_lines: int, counts: Counter[str]) -> _Lines:
    text = lines.text
    candidates = {*lines.starting(_MOBILE_LINE), *(lines.starting(_SIG_LINE) if "--" in text else ())}
    if not candidates:
        return lines
    stripped = text.rstrip()
    last = lines.index(len(stripped) - 1) if stripped else -1  # the last non-blank line
    cut: list[tuple[int, int]] = []
    done = 0
    for i in sorted(candidates):
        line = lines.line(i)
        if i < done:
            continue
        if _MOBILE.fullmatch(line.strip()) and lines.prose(i, i + 1):
            cut.append((i, i + 1))
            counts["signatures"] += 1
        elif _SIG_DELIMITER.fullmatch(line):
            j = i + 1
            while j < len(lines) and not lines.blank(j) and j - i <= max_lines:
                j += 1
            short = all(len(lines.line(k)) <= 120 for k in range(i + 1, j))
            ends = j == len(lines) or lines.blank(j)
            if (j > i + 1 or j > last) and ends and short and lines.prose(i, j):
                cut.append((i, j))
                counts["signatures"] += 1
                done = j
    return lines.cut(cut) if cut else lines


# -- 5. HTML --------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a", "abbr", "b", "big", "blockquote", "body", "br", "center", "cite", "dd", "del", "dfn", "div",
        "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html", "i", "img", "ins", "kbd",
        "li", "ol", "p", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "title", "tr", "tt", "u", "ul", "wbr",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {"blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p"}
    | {"table", "title", "tr", "ul"}
)
_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]{0,9})"
    r"((?:\s+[A-Za-z_:][-\w:.]*\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'=<>`]+))*)\s*/?>"
)
_ANCHOR = re.compile(
    r"<a\s[^<>]{0,500}?\bhref\s*=\s*[\"']([^\"'<>]+)[\"'][^<>]{0,500}>([^<]{0,500})</a\s*>", re.IGNORECASE
)
_HIDDEN = re.compile(r"<(script|style|head)\b[^<>]{0,500}>", re.I)
_HIDDEN_CLOSE = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "head")}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _strip_html(text: str, counts: Counter[str]) -> str:
    if "<" in text:
        text = _drop_hidden(_drop_between(text, "<!--", "-->", counts), counts)

        def anchor(m: re.Match[str]) -> str:
            counts["html_tags"] += 2
            href, label = m.group(1), m.group(2)
            return label if not href.startswith(("http:", "https:")) or href in label else f"{label} ({href})"

        def tag(m: re.Match[str]) -> str:
            name = m.group(2).lower()
            if name not in _HTML_TAGS:
                return m.group()
            counts["html_tags"] += 1
            return "\n" if name in _BLOCK_TAGS else ""

        text = _TAG.sub(tag, _ANCHOR.sub(anchor, text))

    def entity(m: re.Match[str]) -> str:
        decoded = html.unescape(m.group())
        if decoded == m.group():
            return decoded
        counts["html_entities"] += 1
        return decoded.replace("\xa0", " ")

    return _ENTITY.sub(entity, text) if "&" in text else text


def _drop_hidden(text: str, counts: Counter[str]) -> str:
    """Remove ``<script>``/``<style>``/``<head>`` elements with their content."""
    out, pos, unclosed = [], 0, set()
    while (m := _HIDDEN.search(text, pos)) is not None:
        name = m.group(1).lower()
        close = None if name in unclosed else _HIDDEN_CLOSE[name].search(text, m.end())
        if close is None:
            unclosed.add(name)  # no later one can close either: keeps this linear
            out.append(text[pos : m.end()])
        else:
            out.append(text[pos : m.start()])
            counts["html_tags"] += 2
        pos = m.end() if close is None else close.end()
    out.append(text[pos:])
    return "".join(out)


def _drop_between(text: str, opener: str, closer: str, counts: Counter[str]) -> str:
    out, pos = [], 0
    while (start := text.find(opener, pos)) >= 0 and (end := text.find(closer, start + len(opener))) >= 0:
        out.append(text[pos:start])
        pos = end + len(closer)
        counts["html_tags"] += 1
    out.append(text[pos:])
    return "".join(out)


# -- 6. tidy --------------------------------------------------------------------------------------

_BLANK_RUN = re.compile(r"(?:[ \t]*\r?\n){3,}")
_LEADING_BLANKS = re.compile(r"\A(?:[ \t]*\r?\n)+")


def _collapse(m: re.Match[str]) -> str:
    return "\r\n\r\n" if "\r" in m.group() else "\n\n"


def _tidy(lines: _Lines) -> str:
    """Collapse blank-line runs left by removals; trim blank edges. Prose only."""
    parts = [(code, p if code else _BLANK_RUN.sub(_collapse, p)) for code, p in lines.pieces()]
    if parts and not parts[0][0]:
        parts[0] = (False, _LEADING_BLANKS.sub("", parts[0][1]))
    if parts and not parts[-1][0]:
        parts[-1] = (False, parts[-1][1].rstrip())
    return "".join(p for _, p in parts)
