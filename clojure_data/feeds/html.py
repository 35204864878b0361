"""Blog HTML -> plain text with code kept: feed entry bodies and whole article pages.

The rendering itself is the project's (``clojure_data.mail.html_text.html_to_text``: ``<pre>``
becomes a fenced block with the code verbatim, inline ``<code>`` becomes backticks). This module
adds what blogs need before that renderer sees the tree:

* **nothing invisible leaks**: ``<script>``, ``<style>``, ``<noscript>``, ``<template>``, SVG,
  iframes, forms, and every element hidden with ``display:none``, ``visibility:hidden``, the
  ``hidden`` attribute or ``aria-hidden="true"`` are removed. (feedparser's own HTML sanitizer is
  switched off by the parser because it *drops* ``aria-hidden`` and ``hidden`` markers while
  keeping the hidden text.)
* **the code language survives**: blog engines mark it in many ways (``language-clojure``,
  ``lang-clj``, Pygments' ``highlight-clojure`` wrappers, Pandoc's ``sourceCode clojure``,
  SyntaxHighlighter's ``brush: clojure``, ``data-lang``); ``code_language`` reads them all and
  writes one ``language-X`` class on the ``<pre>``, the form the renderer understands.
* **line-number gutters** (Pygments ``linenos`` tables, ``line-numbers-rows``) are removed, so a
  code block is the code and nothing else; ``<br>`` inside ``<pre>`` becomes a newline.

Article pages (``extract_article``) go through trafilatura, a maintained main-content extractor,
to drop navigation, sidebars and comments. trafilatura re-renders code itself and loses the
language and blank lines inside blocks, so each ``<pre>`` is first swapped for a placeholder
paragraph, and the placeholders in trafilatura's output are replaced with our own verbatim fenced
blocks: trafilatura decides *which* code belongs to the article, we decide *how* it is written.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import AttributeValueList

from ..mail.html_text import fence, html_to_text

__all__ = [
    "HtmlTooDeep",
    "MAX_DEPTH",
    "clean_tree",
    "code_language",
    "entry_text",
    "extract_article",
    "html_fragment_text",
]

MAX_DEPTH = 256
"""Deeper element nesting is refused: real pages stay far below it, and the renderer's cost grows
with depth squared (its recursion would end in ``RecursionError`` after seconds of work)."""

_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
    "form", "button", "select", "textarea", "input", "head",
)  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_GUTTER = re.compile(r"^(?:linenos?|lineno|line-?numbers?(?:-rows)?|gutter|hljs-ln-numbers)$", re.IGNORECASE)
_LANG_PREFIX = re.compile(r"^(?:language|lang|highlight-source|highlight|src|brush:?)-?([a-z][\w+#-]*);?$")
_KNOWN_LANGUAGES = frozenset(
    {"clojure", "clj", "cljs", "cljc", "clojurescript", "edn", "java", "javascript", "js", "python", "bash",
     "shell", "sh", "console", "json", "xml", "html", "css", "sql", "yaml", "toml", "ruby", "scala",
     "haskell", "elisp", "lisp", "scheme", "racket", "rust", "go", "c", "cpp", "typescript", "diff"}
)  # fmt: skip
_ALIASES = {"clj": "clojure", "cljc": "clojure", "cljs": "clojurescript", "js": "javascript", "sh": "bash"}
_NOT_A_LANGUAGE = frozenset({"auto", "nohighlight", "plaintext", "plain", "text", "none", "source", "code"})
_PLACEHOLDER = "CLJDATACODEBLOCK{:05d}X"
_PLACEHOLDER_RE = re.compile(r"(?:(`{3,})[\w+#-]*\n)?CLJDATACODEBLOCK(\d{5})X(?:\n\1)?")


class HtmlTooDeep(ValueError):
    """The HTML nests elements more than ``MAX_DEPTH`` levels deep."""


def _check_depth(root: Tag) -> None:
    stack: list[tuple[Tag, int]] = [(root, 0)]
    while stack:  # iterative: a recursive walk would hit the recursion limit on exactly these inputs
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise HtmlTooDeep(f"elements nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).strip().lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))


def _classes(tag: Tag) -> list[str]:
    value: Any = tag.get("class") or []
    return [value] if isinstance(value, str) else list(value)


def _language_from(tag: Tag) -> str:
    for attr in ("data-lang", "data-language"):
        value = str(tag.get(attr) or "").strip().lower()
        if value:
            return value
    classes = [c.lower() for c in _classes(tag)]
    if "sourcecode" in classes:  # Pandoc: class="sourceCode clojure"
        rest = [c for c in classes if c != "sourcecode"]
        if rest:
            return rest[0]
    for cls in classes:
        match = _LANG_PREFIX.match(cls)
        if match and cls not in ("highlight", "source"):
            return match.group(1)
        if cls in _KNOWN_LANGUAGES:
            return cls
    return ""


def code_language(pre: Tag) -> str:
    """The language a blog engine marked on a ``<pre>`` (itself, its ``<code>``, or two wrappers up)."""
    candidates: list[Tag] = [pre, *pre.find_all("code", limit=1)]
    parent = pre.parent
    for _ in range(2):
        if not isinstance(parent, Tag) or parent.name in ("body", "article", "[document]"):
            break
        candidates.append(parent)
        parent = parent.parent
    for tag in candidates:
        lang = _language_from(tag)
        if lang and lang not in _NOT_A_LANGUAGE:
            return _ALIASES.get(lang, lang)
    return ""


def clean_tree(root: Tag) -> None:
    """Remove what a reader never sees and normalise code blocks, in place (see module docstring)."""
    doomed = [t for t in root.find_all(True) if t.name in _DROP_TAGS or _is_hidden(t)]
    doomed += [t for t in root.find_all(class_=_GUTTER)]
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()
    for pre in root.find_all("pre"):
        if pre.find_parent("pre") is not None:
            continue
        for br in pre.find_all("br"):
            br.replace_with(NavigableString("\n"))
        lang = code_language(pre)
        pre.attrs.pop("class", None)
        if lang:
            pre["class"] = AttributeValueList([f"language-{lang}"])
        for code in pre.find_all("code"):
            code.attrs.pop("class", None)  # the <pre> carries the one language the renderer should use


def _parse(html: str | bytes) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    _check_depth(soup)
    return soup


def html_fragment_text(html: str | bytes) -> str:
    """A feed entry's HTML body as plain text with fenced code and nothing hidden.

    Raises ``HtmlTooDeep`` for absurdly nested HTML.
    """
    soup = _parse(html)
    clean_tree(soup)
    return html_to_text(soup)


def entry_text(value: str, content_type: str) -> str:
    """Text of a feed ``content``/``summary`` value of MIME type ``content_type``."""
    if "html" in content_type or "xml" in content_type:
        return html_fragment_text(value)
    return value.replace("\r\n", "\n").strip()


def extract_article(html: str | bytes, url: str | None = None) -> str:
    """The main text of a whole article page (trafilatura picks it; code blocks are ours, verbatim).

    Returns ``""`` when trafilatura finds no main content; raises ``HtmlTooDeep`` like
    ``html_fragment_text``.
    """
    import trafilatura  # only article pages need it; reading plain feeds does not

    soup = _parse(html)
    clean_tree(soup)
    blocks: list[str] = []
    for pre in soup.find_all("pre"):
        if pre.find_parent("pre") is not None or pre.decomposed:
            continue
        classes = _classes(pre)
        lang = classes[0].removeprefix("language-") if classes else ""
        blocks.append(fence(pre.get_text(), lang))
        holder = soup.new_tag("p")
        holder.string = _PLACEHOLDER.format(len(blocks) - 1)
        pre.replace_with(holder)
    for code in soup.find_all("code"):  # inline code: keep the backticks through trafilatura
        code.replace_with(NavigableString(f"`{code.get_text().strip()}`"))
    extracted = trafilatura.extract(
        str(soup), url=url, output_format="html", include_comments=False, include_tables=True,
        include_images=False, include_links=False, include_formatting=False, deduplicate=False,
    )  # fmt: skip
    if not extracted:
        return ""
    text = html_to_text(_parse(extracted))
    return _PLACEHOLDER_RE.sub(lambda m: blocks[int(m.group(2))], text).strip()
