"""Discourse ``cooked`` HTML -> plain text that keeps code exactly as written.

BeautifulSoup (with lxml) parses the HTML; what is hand-written here is the *rendering*, because
no library renders the way the data policy needs: generic HTML-to-text tools (``get_text``,
html2text, trafilatura) either lose the code-block boundaries and language, or re-wrap and
escape code, or keep quoted replies and link previews. The rules (principle 1, "code is sacred"):

* ``<pre><code class="lang-clojure">`` becomes a fenced block (```` ```clojure ````) with the code
  text untouched; inline ``<code>`` becomes backticks.
* Quoted replies (``aside.quote``, ``blockquote``) are dropped: their text belongs to another
  post (which is in the thread in its own right) or to another site.
* Link previews (``aside.onebox`` and video placeholders) are third-party page excerpts; only the
  link the author pasted is kept. Image wrappers (``div.lightbox-wrapper``) and images are dropped,
  emoji images become their ``:name:`` text.
* Mentions (``a.mention``) become ``@name``; other links keep their text.
* ``<script>``, ``<style>``, ``<template>``, SVG icons and anything hidden (``hidden``,
  ``aria-hidden``, ``display:none``, ``visibility:hidden``) never reach the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction, Script, Stylesheet, TemplateString

__all__ = ["HtmlText", "html_to_text", "markdown_to_text"]

_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "svg",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "source",
        "canvas",
        "img",
        "input",
        "button",
        "select",
        "textarea",
        "form",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "hr",
        "details",
        "summary",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "aside",
        "address",
        "center",
        "main",
        "nav",
    }
)
_SKIPPED_STRINGS = (
    Comment,
    CData,
    ProcessingInstruction,
    Declaration,
    Doctype,
    Script,
    Stylesheet,
    TemplateString,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_NO_LANGUAGE = frozenset({"auto", "nohighlight", "plaintext", "text", "none"})
_BLOCK = object()  # paragraph boundary marker in the token stream


@dataclass
class HtmlText:
    """The text of one post and what the conversion removed (counted, never silently)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)
    mentions: list[str] = field(default_factory=list)
    """Usernames the post mentions (``a.mention``): known identities for the anonymizer."""


class _Marker(str):
    """A list-item marker (``- ``, ``1. ``): the paragraph it starts is a list item."""


@dataclass
class _Code:
    body: str
    language: str


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if isinstance(value, str):
        return value.split()
    return list(value or [])


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


def _code_language(code: Tag | None) -> str:
    for cls in _classes(code) if code is not None else []:
        for prefix in ("lang-", "language-"):
            if cls.startswith(prefix):
                lang = cls[len(prefix) :]
                return "" if lang in _NO_LANGUAGE else lang
    return ""


def _fence(code: _Code) -> str:
    body = code.body[:-1] if code.body.endswith("\n") else code.body
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}{code.language}\n{body}\n{ticks}"


def _inline_code(text: str) -> str:
    text = _SPACES.sub(" ", text)
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


class _Renderer:
    """Walks the parse tree once, emitting inline text, paragraph breaks and code blocks."""

    def __init__(self) -> None:
        self.tokens: list[Any] = []
        self.counts: dict[str, int] = {}
        self.lists: list[list[int]] = []  # one counter per open list; [-1] for <ul>
        self.mentions: list[str] = []

    def count(self, label: str) -> None:
        self.counts[label] = self.counts.get(label, 0) + 1

    def emit(self, text: str) -> None:
        last = self.tokens[-1] if self.tokens else _BLOCK
        if text.startswith(" ") and (
            last is _BLOCK or (isinstance(last, str) and last.endswith((" ", "\n")))
        ):
            text = text.lstrip(" ")
        if text:
            self.tokens.append(text)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                self.element(child)
            elif isinstance(child, NavigableString) and not isinstance(child, _SKIPPED_STRINGS):
                self.emit(_SPACES.sub(" ", str(child)))

    def element(self, tag: Tag) -> None:  # one flat dispatch on tag name and class
        name, classes = tag.name, _classes(tag)
        if name == "img" and "emoji" in classes:
            self.emit(str(tag.get("alt") or ""))
        elif name in _DROP_TAGS or _is_hidden(tag):
            self.count("images_dropped" if name == "img" else "hidden_dropped")
        elif name == "aside" and "quote" in classes or name == "blockquote":
            self.count("quotes_dropped")
        elif (
            "onebox" in classes
            and name != "a"
            or {"lazyYT", "lazy-video-container", "youtube-onebox"} & set(classes)
        ):
            self.onebox(tag)
        elif "lightbox-wrapper" in classes:
            self.count("images_dropped")
        elif name == "pre":
            code = tag.find("code")
            self.tokens.append(_Code(tag.get_text(), _code_language(code if isinstance(code, Tag) else None)))
            self.count("code_blocks")
        elif name == "code":
            self.emit(_inline_code(tag.get_text()))
        elif name == "br":
            self.tokens.append("\n")
        elif name == "a" and ("mention" in classes or "mention-group" in classes):
            handle = tag.get_text().strip().lstrip("@")
            self.emit("@" + handle)
            if "mention" in classes and handle and handle not in self.mentions:
                self.mentions.append(handle)
        elif name in ("ul", "ol"):
            self.lists.append([-1] if name == "ul" else [0])
            self.block(tag)
            self.lists.pop()
        elif name == "li":
            self.list_item(tag)
        elif name in ("td", "th"):
            if tag.find_previous_sibling(("td", "th")) is not None:
                self.emit(" | ")
            self.walk(tag)
        elif name in _BLOCK_TAGS:
            self.block(tag)
        else:
            self.walk(tag)

    def block(self, tag: Tag) -> None:
        self.tokens.append(_BLOCK)
        self.walk(tag)
        self.tokens.append(_BLOCK)

    def list_item(self, tag: Tag) -> None:
        counter = self.lists[-1] if self.lists else [-1]
        if counter[0] >= 0:
            counter[0] += 1
        marker = f"{counter[0]}. " if counter[0] >= 0 else "- "
        self.tokens.append(_BLOCK)
        self.tokens.append(_Marker("  " * min(max(len(self.lists) - 1, 0), 8) + marker))
        self.walk(tag)
        self.tokens.append(_BLOCK)

    def onebox(self, tag: Tag) -> None:
        """Keep the link the author pasted, not the preview of the linked page."""
        self.count("oneboxes_dropped")
        source = tag.get("data-onebox-src")
        if not isinstance(source, str):
            link = tag.find("a", href=True)
            source = link.get("href") if isinstance(link, Tag) else None
        if isinstance(source, str) and source.strip():
            self.tokens.extend([_BLOCK, source.strip(), _BLOCK])

    def text(self) -> str:
        """Join paragraphs with blank lines; consecutive list items only with a line break."""
        out: list[str] = []
        current: list[str] = []
        previous_item = False
        for token in [*self.tokens, _BLOCK]:
            if isinstance(token, str):
                current.append(token)
                continue
            paragraph = _tidy("".join(current))
            if (
                token is _BLOCK
                and current
                and isinstance(current[0], _Marker)
                and paragraph == current[0].strip()
            ):
                current = [current[0]]  # "<li><p>..." : the marker waits for the item's first paragraph
                continue
            if paragraph:
                item = isinstance(current[0], _Marker)
                out.extend(["\n" if item and previous_item else "\n\n", paragraph])
                previous_item = item
            current = []
            if isinstance(token, _Code):
                out.extend(["\n\n", _fence(token)])
                previous_item = False
        return "".join(out[1:])


def _tidy(paragraph: str) -> str:
    """Trim line ends and collapse runs of blank lines (from ``<br><br>``) inside one paragraph."""
    out: list[str] = []
    for line in paragraph.split("\n"):
        line = line.rstrip() if line.strip() else ""
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def html_to_text(html: str) -> HtmlText:
    """Render one post's ``cooked`` HTML as text (see the module docstring for the rules)."""
    soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    renderer = _Renderer()
    renderer.walk(root)
    return HtmlText(renderer.text(), renderer.counts, renderer.mentions)


_QUOTE_BBCODE = re.compile(r"\[quote(?:=[^\]]*)?\].*?\[/quote\]\s*", re.IGNORECASE | re.DOTALL)


def markdown_to_text(raw: str) -> HtmlText:
    """A post's ``raw`` markdown (used only when ``cooked`` is missing): drop ``[quote]`` blocks.

    Markdown keeps fenced code as the author wrote it, so nothing else is changed.
    """
    text, dropped = _QUOTE_BBCODE.subn("", raw)
    counts = {"quotes_dropped": dropped} if dropped else {}
    return HtmlText(text.strip(), counts)
