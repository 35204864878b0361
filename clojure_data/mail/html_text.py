"""HTML mail bodies and archive pages to readable plain text that keeps code intact.

beautifulsoup4 parses; the rendering rules are ours because the usual converters do not fit:
html2text is GPL-3 (this project is EPL-2.0) and markdownify produces Markdown (``*emphasis*``,
``[text](url)``, escaped underscores) that the text passes would then have to undo. What we need
is small and specific:

* ``<pre>`` and multi-line ``<code>`` become fenced code blocks (```` ``` ````), verbatim;
  inline ``<code>`` becomes ```code```. Gmail's way of writing code, runs of ``<div>`` lines in a
  monospace font, becomes one fenced block.
* ``<blockquote>`` becomes ``> `` quoted lines, so quoted replies look like plain-text ones and
  the garbage pass can treat both the same way.
* Block elements separate paragraphs, ``<br>`` breaks lines, other whitespace collapses as a
  browser would collapse it.

Code and quotes are rendered first and swapped in at the end (``_Blocks``), so the whitespace
normalisation of ordinary text never touches them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

__all__ = ["html_to_text", "fence"]

_SKIP = {"script", "style", "head", "title", "meta", "link", "noscript", "template", "button", "form"}
_BLOCK = {
    "address", "article", "aside", "center", "dd", "div", "dl", "dt", "figure", "footer", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "section", "table", "tr", "ul",
}  # fmt: skip
_MONO = re.compile(r"monospace|courier|consolas|menlo|monaco", re.IGNORECASE)
_LANG = re.compile(r"\b(?:lang(?:uage)?-)(\w+)")
_TOKEN = re.compile(r"\x00(\d+)\x00")


def fence(code: str, lang: str = "") -> str:
    """``code`` as a fenced block; the fence is longer than any backtick run inside the code."""
    code = code.replace("\xa0", " ").replace("\r\n", "\n").strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    marker = "`" * max(3, longest + 1)
    return f"{marker}{lang}\n{code}\n{marker}"


class _Blocks:
    """Rendered code/quote blocks, stood in for by ``\\x00n\\x00`` tokens until the end."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def protect(self, text: str) -> str:
        self.items.append(text)
        return f"\n\n\x00{len(self.items) - 1}\x00\n\n"

    def restore(self, text: str) -> str:
        # blocks may hold tokens of blocks rendered inside them (code inside a quote)
        while _TOKEN.search(text):
            text = _TOKEN.sub(lambda m: self.items[int(m.group(1))], text)
        return text


def _is_mono(tag: Tag) -> bool:
    return bool(_MONO.search(str(tag.get("face", "")) + " " + str(tag.get("style", "")))) or tag.name in (
        "tt",
        "code",
        "kbd",
        "samp",
    )


def _is_mono_line(node: object) -> bool:
    """A ``<div>``/``<p>`` whose visible text is all in a monospace font (one line of Gmail code)."""
    if not isinstance(node, Tag) or node.name not in ("div", "p") or not node.get_text(strip=True):
        return False
    if _is_mono(node):
        return True
    for text in node.find_all(string=True):
        if not text.strip():
            continue
        parent = text.parent
        while parent is not None and parent is not node and not _is_mono(parent):
            parent = parent.parent
        if parent is node or parent is None:
            return False
    return True


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    return [value] if isinstance(value, str) else list(value or [])


def _lang(tag: Tag) -> str:
    classes = " ".join([*_classes(tag), *(c for code in tag.find_all("code") for c in _classes(code))])
    match = _LANG.search(classes)
    return match.group(1) if match else ""


class _Renderer:
    def __init__(self, code_pre: Callable[[Tag], bool]) -> None:
        self.blocks = _Blocks()
        self.code_pre = code_pre

    def children(self, tag: Tag) -> str:
        out: list[str] = []
        mono_run: list[Tag] = []
        for child in tag.children:
            if _is_mono_line(child):
                mono_run.append(child)  # type: ignore[arg-type]
                continue
            blank = isinstance(child, NavigableString) and not child.strip()
            if mono_run and (blank or (isinstance(child, Tag) and child.name == "br")):
                continue  # whitespace between two code lines does not end the code block
            if mono_run:
                out.append(self._mono_block(mono_run))
                mono_run = []
            out.append(self.node(child))
        if mono_run:
            out.append(self._mono_block(mono_run))
        return "".join(out)

    def _mono_block(self, lines: list[Tag]) -> str:
        text = "\n".join(line.get_text().rstrip("\n") for line in lines)
        if len(lines) == 1 and "\n" not in text.strip():
            return "\n\n`" + text.strip().replace("\xa0", " ") + "`\n\n"
        return self.blocks.protect(fence(text))

    def node(self, node: object) -> str:
        if isinstance(node, Comment | Declaration | Doctype | ProcessingInstruction):
            return ""
        if isinstance(node, NavigableString):
            return re.sub(r"[ \t\r\n\f]+", " ", str(node).replace("\xa0", " "))
        if not isinstance(node, Tag) or node.name in _SKIP:
            return ""
        name = node.name
        if name == "br":
            return "\n"
        if name == "pre":
            if self.code_pre(node):
                return self.blocks.protect(fence(node.get_text(), _lang(node)))
            return self.blocks.protect(node.get_text().replace("\xa0", " ").strip("\n"))
        if name == "code" or (name in ("tt", "kbd", "samp", "font", "span") and _is_mono(node)):
            text = node.get_text()
            if "\n" in text.strip():
                return self.blocks.protect(fence(text, _lang(node)))
            return f"`{text.strip()}`" if text.strip() else ""
        if name == "blockquote":
            inner = self.blocks.restore(_normalise(self.children(node)))
            quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            return self.blocks.protect(quoted) if inner else ""
        if name == "li":
            return "\n- " + self.children(node).strip()
        if name in ("td", "th"):
            return self.children(node) + " "
        if name == "img":
            alt = str(node.get("alt", "")).strip()
            return f"[{alt}]" if alt else ""
        inner = self.children(node)
        return f"\n\n{inner}\n\n" if name in _BLOCK else inner


def _normalise(text: str) -> str:
    """Trim spaces around line breaks and squeeze blank lines (outside protected blocks)."""
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def html_to_text(html: str | bytes | Tag, code_pre: Callable[[Tag], bool] | None = None) -> str:
    """Render HTML (a document, fragment or parsed ``Tag``) as plain text with fenced code.

    ``code_pre`` decides whether a ``<pre>`` is code (default: always). Mail archives render plain
    text messages inside ``<pre>``; they pass a predicate so those stay ordinary text.
    """
    root = html if isinstance(html, Tag) else BeautifulSoup(html, "html.parser")
    renderer = _Renderer(code_pre or (lambda _tag: True))
    text = _normalise(renderer.children(root))
    return renderer.blocks.restore(text)
