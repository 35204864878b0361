"""The ``garbage`` pass's rules, in the order ``clean_text`` applies them, with their regexes.

What each rule removes, and why it is a regex rather than a library, is in ``garbage.py``'s
docstring. Each line rule takes a ``Lines`` version of the text and the pass's counts, removes only
lines that are prose (``Lines.prose``), and returns the next version; ``strip_html`` works on one
prose piece at a time and ``tidy`` gives back the final text.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from ._garbage_lines import Lines, LineStart

__all__ = [
    "FOOTERS",
    "compile_footers",
    "strip_footers",
    "strip_headers",
    "strip_html",
    "strip_quotes",
    "strip_signatures",
    "tidy",
]

# -- 1. pasted headers ----------------------------------------------------------------------------

_HEADER = re.compile(
    r"[ \t]*[*_]{0,2}(From|Sent|To|Cc|Bcc|Date|Subject|Reply-To|De|Envoyé|Para|À|Objet|Asunto|Enviado|"
    r"Fecha|Von|Gesendet|An|Betreff|Datum|Kopie)[*_]{0,2}[ \t]*:[*_]{0,2}[ \t]*\S",
    re.IGNORECASE,
)
_FROM_KEYS = frozenset({"from", "de", "von"})
_FROM_LINE = LineStart.of(r"[ \t]*[*_]{0,2}(?:From|De|Von)[*_]{0,2}[ \t]*:", re.IGNORECASE)
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


def strip_headers(lines: Lines, counts: Counter[str]) -> Lines:
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


def _continues(lines: Lines, j: int, first: int) -> bool:
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


def strip_quotes(lines: Lines, counts: Counter[str]) -> Lines:
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


def _is_leadin(lines: Lines, i: int, strict: bool = False, prefix: str = "") -> bool:
    line = (prefix + lines.line(i)).strip()
    if len(line) > 500 or (strict and not _LEADIN_START.match(line)):
        return False
    return _LEADIN.fullmatch(line) is not None


def _leadin_above(lines: Lines, i: int, quoted: list[bool], counts: Counter[str]) -> int:
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


def compile_footers(sources: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(rf"^[ \t]*(?:{source})", re.MULTILINE | re.IGNORECASE) for source in sources]


FOOTERS: list[tuple[str | None, re.Pattern[str]]] = [
    (k, compile_footers([src])[0]) for k, src in _FOOTER_SOURCES
]


def _is_separator(line: str) -> bool:
    return line.strip() in ("", "--", "---")


def strip_footers(
    lines: Lines, patterns: list[tuple[str | None, re.Pattern[str]]], counts: Counter[str]
) -> Lines:
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
_SIG_LINE = LineStart.of(r"-- ?\r?(?:\n|\Z)")
_MOBILE_LINE = LineStart.of(r"[ \t]*(?:Sent|Get|Envoyé|Von|Enviado)\b", re.IGNORECASE)
_MOBILE = re.compile(
    r"(?:Sent from my [\w .-]{1,40}|Sent from (?:Yahoo Mail|Mail for Windows|Outlook|my mobile)[\w .-]{0,40}|"
    r"Get Outlook for [\w .-]{1,20}|Sent via [\w .-]{1,40}|Envoyé de mon [\w .-]{1,30}|"
    r"Von meinem [\w .-]{1,30} gesendet|Enviado desde mi [\w .-]{1,30})\.?",
    re.IGNORECASE,
)


def strip_signatures(lines: Lines, max_lines: int, counts: Counter[str]) -> Lines:
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


def strip_html(text: str, counts: Counter[str]) -> str:
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


def tidy(lines: Lines) -> str:
    """Collapse blank-line runs left by removals; trim blank edges. Prose only."""
    parts = [(code, p if code else _BLANK_RUN.sub(_collapse, p)) for code, p in lines.pieces()]
    if parts and not parts[0][0]:
        parts[0] = (False, _LEADING_BLANKS.sub("", parts[0][1]))
    if parts and not parts[-1][0]:
        parts[-1] = (False, parts[-1][1].rstrip())
    return "".join(p for _, p in parts)
