"""The texts of a record that privacy passes rewrite, as (label, text, setter) triples.

``doc.text``, the ``title`` and every ``messages[i].text`` of a thread (the rendered ``text``
repeats the messages, so each must be cleaned on its own). A pass that keeps per-record state
(placeholder numbering, identities) walks them in this order: ``text`` first, so the first
appearance in the rendered conversation numbers a value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..record import Document

__all__ = ["text_fields"]

Setter = Callable[[str], None]


def text_fields(doc: Document) -> Iterator[tuple[str, str, Setter]]:
    """``(label, text, set_text)`` for every rewritable text of ``doc`` that is a non-empty string."""

    def set_text(value: str) -> None:
        doc.text = value

    yield "text", doc.text, set_text
    meta = doc.metadata
    if isinstance(meta.get("title"), str) and meta["title"]:
        yield "title", meta["title"], lambda value: meta.__setitem__("title", value)
    messages = meta.get("messages")
    if isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict) and isinstance(message.get("text"), str) and message["text"]:
                yield "message", message["text"], _setter(message, "text")


def _setter(target: dict[str, Any], key: str) -> Setter:
    return lambda value: target.__setitem__(key, value)
