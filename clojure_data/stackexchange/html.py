"""A post's ``Body`` (Stack Exchange's rendered HTML) -> Markdown-like text with code intact.

beautifulsoup4 (``html.parser``: in the standard library, lenient with broken markup, and the same
everywhere, so outputs stay byte-identical across machines) parses; the rendering is ours because
Stack Exchange HTML has its own conventions that generic converters get wrong for code:

* ``<pre><code>`` becomes a fenced block with the code text untouched (a longer fence when the
  code itself holds backticks), always starting at the beginning of a line: inside a list item or
  a quote it is not indented or ``> ``-prefixed, which would change the code. The language comes
  from ``class="lang-clj"`` on ``<pre>``, ``class="language-clojure"`` on ``<code>`` or the
  ``<!-- language: lang-clj -->`` hint before the block (older posts). Inline ``<code>`` becomes
  backticks.
* Block quotes stay as ``> `` lines (on Stack Overflow they quote error messages and docs, which
  belong to the post), lists as ``-``/``1.`` items, headings as ``#``, rules as ``---``,
  links as ``[text](url)`` and images as ``![alt](url)``, the way the author wrote them in Markdown.
* Emphasis, ``<kbd>``, ``<sup>`` and other inline tags keep their text only.

markdownify would escape ``_`` and ``*`` in prose (mangling ``clojure.core/some_fn``), html2text
is GPL-3; neither knows the language hints. ``BodyError`` is raised for markup too deeply nested to
walk (a rejection reason for the reader, never a crash).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

__all__ = ["BodyError", "body_to_text"]

_SKIP_STRINGS = (CData, Declaration, Doctype, ProcessingInstruction)
_DROP = frozenset({"script", "style", "head", "title", "meta", "link", "template", "iframe", "object", "svg"})
_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "main",
        "nav",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "details",
        "summary",
        "center",
        "address",
        "table",
        "thead",
        "tbody",
        "tfoot",
    }
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_NAMES = frozenset([*_BLOCK, *_HEADINGS, "pre", "ul", "ol", "li", "blockquote", "hr", "tr"])
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_LANG_CLASS = re.compile(r"^(?:lang|language)-(.+)$")
_LANG_HINT = re.compile(r"^\s*language(?:-all)?\s*:\s*(?:lang-)?(\S+)\s*$")
_NO_LANGUAGE = frozenset({"none", "default", "text", "plaintext", "auto", "nohighlight"})
_TOKEN_LINE = re.compile(r"^[^\n\x00]*\x00(\d+)\x00[^\n]*$", re.MULTILINE)
MAX_DEPTH = 200


class BodyError(ValueError):
    """The HTML could not be rendered (nested deeper than ``MAX_DEPTH``)."""


def _fence(code: str, language: str) -> str:
    code = code[1:] if code.startswith("\n") else code  # HTML ignores a newline right after <pre>
    code = code.rstrip("\n")
    ticks = "```"
    while ticks in code:
        ticks += "`"
    return f"{ticks}{language}\n{code}\n{ticks}"


def _inline_code(text: str) -> str:
    text = text.replace("\n", " ")
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _language(pre: Tag, hint: str) -> str:
    code = pre.find("code")
    for tag in (pre, code if isinstance(code, Tag) else None):
        classes = tag.get("class") if tag is not None else None
        for cls in classes if isinstance(classes, list) else str(classes or "").split():
            match = _LANG_CLASS.match(cls)
            if match and match[1] not in _NO_LANGUAGE:
                return match[1]
    return "" if hint in _NO_LANGUAGE else hint


class _Renderer:
    def __init__(self) -> None:
        self.hint = ""  # language from the last <!-- language: ... --> comment
        self.code: list[str] = []  # fenced blocks, swapped in for their _TOKEN at the very end

    def blocks(self, node: Tag, depth: int = 0) -> list[str]:
        """The blocks (paragraphs, code, lists...) of ``node``'s children."""
        if depth > MAX_DEPTH:
            raise BodyError(f"HTML nested deeper than {MAX_DEPTH} elements")
        out: list[str] = []
        inline: list[str] = []
        for child in node.children:
            if isinstance(child, Comment):
                match = _LANG_HINT.match(str(child))
                self.hint = match[1] if match else self.hint
            elif isinstance(child, NavigableString):
                if not isinstance(child, _SKIP_STRINGS):
                    _append_text(inline, _SPACES.sub(" ", str(child)))
            elif isinstance(child, Tag) and child.name in _DROP:
                continue
            elif isinstance(child, Tag) and (self._is_block(child) or _wraps_blocks(child)):
                # an inline tag wrapping blocks (broken markup: <b><pre>...) is walked as a block so the
                # code inside keeps its fence
                _flush(inline, out)
                out.extend(self.block(child, depth + 1))
            elif isinstance(child, Tag):
                _append_text(inline, self.inline(child, depth + 1))
        _flush(inline, out)
        return out

    @staticmethod
    def _is_block(tag: Tag) -> bool:
        return tag.name in _BLOCK_NAMES

    def block(self, tag: Tag, depth: int) -> list[str]:
        name = tag.name
        if name == "pre":
            language, self.hint = _language(tag, self.hint), ""
            self.code.append(_fence(tag.get_text(), language))
            return [f"\x00{len(self.code) - 1}\x00"]
        if name in ("ul", "ol"):
            return [self.list_items(tag, depth, ordered=name == "ol")]
        if name == "blockquote":
            inner = "\n\n".join(self.blocks(tag, depth))
            return ["\n".join(f"> {line}".rstrip() for line in inner.split("\n"))] if inner else []
        if name in _HEADINGS:
            text = " ".join(self.blocks(tag, depth)).replace("\n", " ")
            return [f"{'#' * _HEADINGS[name]} {text}"] if text else []
        if name == "hr":
            return ["---"]
        if name == "tr":
            cells = [
                " ".join(self.blocks(cell, depth)) for cell in tag.find_all(["td", "th"], recursive=False)
            ]
            return [" | ".join(cells)] if any(cells) else []
        return self.blocks(tag, depth)  # p, div, li outside a list, ...

    def list_items(self, tag: Tag, depth: int, ordered: bool) -> str:
        items: list[str] = []
        for child in tag.children:
            if not isinstance(child, Tag):
                continue
            marker = f"{len(items) + 1}. " if ordered else "- "
            body = "\n\n".join(
                self.blocks(child, depth + 1) if child.name == "li" else self.block(child, depth + 1)
            )
            indent = " " * len(marker)
            lines = body.split("\n") or [""]
            items.append(
                marker + lines[0] + "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:])
            )
        return "\n".join(items)

    def inline(self, tag: Tag, depth: int) -> str:
        if depth > MAX_DEPTH:
            raise BodyError(f"HTML nested deeper than {MAX_DEPTH} elements")
        name = tag.name
        if name == "code":
            return _inline_code(tag.get_text())
        if name == "br":
            return "\n"
        if name == "img":
            return f"![{tag.get('alt') or ''}]({tag.get('src') or ''})"
        text = "".join(
            self.inline(child, depth + 1)
            if isinstance(child, Tag)
            else ""
            if isinstance(child, (Comment, *_SKIP_STRINGS))
            else _SPACES.sub(" ", str(child))
            for child in tag.children
        )
        href = tag.get("href") if name == "a" else None
        if isinstance(href, str) and href.strip() and text.strip():
            return f"[{text.strip()}]({href.strip()})"
        return text


def _wraps_blocks(tag: Tag) -> bool:
    # a plain loop: bs4's find() compiles its match rules on every call, 30% of the conversion time
    return any(isinstance(d, Tag) and d.name in _BLOCK_NAMES for d in tag.descendants)


def _flush(inline: list[str], out: list[str]) -> None:
    """Close the paragraph collected so far: trim each line, drop blank ones at the ends."""
    if not inline:
        return
    lines = [line.strip() for line in "".join(inline).split("\n")]
    text = "\n".join(lines).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    if text:
        out.append(text)
    inline.clear()


def _append_text(inline: list[str], text: str) -> None:
    """Add inline text; a space after a space collapses, as a browser shows it."""
    if text.startswith(" ") and (not inline or inline[-1].endswith((" ", "\n"))):
        text = text[1:]
    if text:
        inline.append(text)


def body_to_text(html: str) -> str:
    """Render one post body; see the module docstring for the rules."""
    soup = BeautifulSoup(html.replace("\x00", ""), "html.parser")
    renderer = _Renderer()
    try:
        text = "\n\n".join(renderer.blocks(soup))
    except RecursionError as exc:  # bs4's own tree walks on pathological nesting
        raise BodyError("HTML nested too deeply to render") from exc
    # a code block replaces its whole line, list indentation and "> " included: code stays verbatim
    return _TOKEN_LINE.sub(lambda m: renderer.code[int(m[1])], text)
