"""The ``secrets`` pass: replace API keys, tokens, private keys and passwords with placeholders.

Detection is ``clojure_data.privacy.secret_rules`` (detect-secrets' plugins plus Clojure-aware
rules; its docstring lists them). Each secret *value* becomes ``REDACTED_<TYPE>_<n>``: ``n``
numbers distinct values per record, so a key used twice stays one key. Placeholders are made of
``[A-Z0-9_]`` and quotes are never part of a value, so ``{:password "hunter22"}`` becomes
``{:password "REDACTED_PASSWORD_1"}`` and ``https://bob:pw@host`` becomes
``https://bob:REDACTED_BASIC_AUTH_CREDENTIALS_1@host``: the code keeps its syntax. Secrets are
replaced in prose and code alike (a key pasted in chat is as live as one in a config file).

Code is checked: every code segment that changed is parsed with tree-sitter Clojure before and
after; a segment that parsed before and not after is counted as ``code_parse_broken`` (the
redaction is kept: a leaked key is worse than a broken snippet; the count should stay 0 and the
tests hold it there). Text with no secret is not segmented at all and stays byte-identical.

Counts (``count:<label>``): one per replaced value occurrence by type (``aws_access_key``,
``github_token``, ``private_key``, ``password``, ``secret_value``, ``high_entropy_string``...),
``code_blocks_changed`` and ``code_parse_broken``. Never the values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import cast

from ..privacy.literals import Placeholders, Span, apply_spans, parse_checker, rewrite_segments
from ..privacy.records import text_fields
from ..privacy.secret_rules import detect_secrets_version, find_secrets
from ..record import Document
from ..registry import register_pass
from .base import CHANGED, KEEP, Outcome, Pass, PassConfig

__all__ = ["SecretsConfig", "SecretsPass", "redact_secrets"]


@dataclass
class SecretsConfig(PassConfig):
    high_entropy: bool = True
    """Also replace quoted random-looking strings (detect-secrets' entropy plugins)."""
    check_code: bool = True
    """Parse changed code segments with tree-sitter Clojure and count any that stop parsing."""


def redact_secrets(
    text: str,
    placeholders: Placeholders | None = None,
    counts: Counter[str] | None = None,
    high_entropy: bool = True,
) -> str:
    """``text`` with every secret value replaced by its placeholder (no segmenting, no checks)."""
    placeholders = placeholders if placeholders is not None else Placeholders()
    spans = find_secrets(text)
    if not high_entropy:
        spans = [s for s in spans if not s.label.startswith("high_entropy")]

    def replace(span: Span, value: str) -> str:
        if counts is not None:
            counts[span.label] += 1
        return placeholders.get(span.label, value)

    return apply_spans(text, spans, replace)[0] if spans else text


@register_pass("secrets")
class SecretsPass(Pass):
    """Replaces secrets with same-shaped placeholders; never drops a record."""

    Config = SecretsConfig

    def process(self, doc: Document) -> Outcome:
        config = cast(SecretsConfig, self.config)
        placeholders = Placeholders()
        counts: Counter[str] = Counter()
        changed = False
        kind = doc.metadata.get("kind")
        for label, text, set_text in text_fields(doc):
            if not find_secrets(text):  # the common case: no segmenting, nothing touched
                continue
            field_counts: Counter[str] = Counter()

            def redact(piece: str, _counts: Counter[str] = field_counts) -> str:
                return redact_secrets(piece, placeholders, _counts, config.high_entropy)

            if config.check_code:
                result = rewrite_segments(text, kind if label == "text" else None, redact, redact)
                new, broken, blocks = result.text, result.parse_broken, result.code_changed
            else:
                new, broken, blocks = redact(text), 0, 0
            if new != text:
                set_text(new)
                changed = True
            if label == "text":  # messages repeat the rendered text: count secrets once
                counts.update(field_counts)
                counts["code_blocks_changed"] += blocks
            counts["code_parse_broken"] += broken
        for label, n in sorted(counts.items()):
            self.count(label, n)
        return CHANGED if changed else KEEP

    def backend(self) -> str | None:
        checker = parse_checker()
        rules = f"detect-secrets {detect_secrets_version()} plugins + Clojure rules"
        return f"{rules}; code checked with {checker or 'nothing (tree-sitter not installed)'}"
