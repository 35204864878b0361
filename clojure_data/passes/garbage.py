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

This module holds the pass and its settings; the rules with their regexes are in
``_garbage_rules``, the line/code bookkeeping they share (``Lines``) in ``_garbage_lines``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from ..record import Document
from ..registry import register_pass
from ._garbage_lines import Lines
from ._garbage_rules import (
    FOOTERS,
    compile_footers,
    strip_footers,
    strip_headers,
    strip_html,
    strip_quotes,
    strip_signatures,
    tidy,
)
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
    lines = Lines(text)
    if config.strip_headers:
        lines = strip_headers(lines, counts)
    if config.strip_quotes:
        lines = strip_quotes(lines, counts)
    if config.strip_footers:
        footers = [*FOOTERS, *((None, p) for p in compile_footers(config.extra_footers))]
        lines = strip_footers(lines, footers, counts)
    if config.strip_signatures:
        lines = strip_signatures(lines, config.max_signature_lines, counts)
    if config.strip_html and ("<" in lines.text or "&" in lines.text):  # last: a removed <br> or
        # </p> makes a line break, which must not turn "</p>> x" into a quote line or "-- " into a
        # signature delimiter that takes code with it
        lines = lines.rebuild([(code, p if code else strip_html(p, counts)) for code, p in lines.pieces()])
    return (tidy(lines) if lines.text != text else text), counts
