"""The ``anonymize`` pass: replace the thread's known participants with consistent pseudonyms.

Known identities first (DESIGN.md principle 2): the builder says who took part
(``_participants``, schema in ``clojure_data.privacy.identities``; message authors are added
automatically), and every occurrence of those people in the whole record is replaced before any
statistical NER runs:

* ``messages[i].author`` becomes the pseudonym's full name, ``messages[i].author_id`` its
  ``author_id`` (16 hex digits of the HMAC: messages stay groupable by person, the source's own
  id, often a plain hash of the e-mail address, is gone); a post's ``author`` likewise;
* in ``text``, ``title`` and every message text: full names (any case, line-wrapped, "Last,
  First"), the first name alone when no other participant shares it, ``@handles`` and bare
  handles, e-mail addresses and opaque user ids (Slack ``U024BE7LH``);
* code is sacred: first names, single-word names and handles are replaced in prose and inside
  code's string literals and comments only (``@state`` in code is a deref, ``map`` a function).
  E-mail addresses, opaque ids and full names (two or more words: never a symbol) are replaced
  in code too; the stand-ins (``amara.okafor@example.org``, ``amara_okafor``, "Amara
  Okafor") use only ``[a-z0-9._@]``, letters, hyphens and spaces, so literals keep their syntax,
  and changed code segments are parsed with tree-sitter Clojure before and after
  (``code_parse_broken`` counts failures; it stays 0).

Single-word names are replaced only when safe: 3+ letters, exact case, and not a common word
or Clojure term (``privacy.wordlists.COMMON_WORDS``), so a participant named "Map" or "Clojure"
keeps their address and handle replaced but not every "Map" in the thread.

Allowlist (``allowlist``, default ``privacy.wordlists.DEFAULT_ALLOWLIST``): library authors are
discussed by name, so their names are never replaced in prose, also when a participant's first
name would otherwise match ("Alex Miller" survives a participant "Alex Jones"). When an
allowlisted author takes part, their name stays as ``author`` too (it is public and in the
rendered text anyway), but their e-mail address and handle are replaced and ``author_id`` is
the HMAC, like everyone's.

Pseudonyms need the secret salt (``salt_file`` or ``$CLOJURE_DATA_SALT`` /
``$CLOJURE_DATA_SALT_FILE``): without one, creating the pass raises a one-line
``ClojureDataError`` saying how to set it. The stand-ins written are left in the private key
``_pseudonyms`` so a later NER pass can recognise them instead of replacing them again.

Counts: ``participants_mapped``, ``participants_allowlisted``, ``authors``, and replacements in
``text`` by kind (``name``, ``first_name``, ``handle``, ``email``, ``id``), ``allowlist_kept``,
``code_blocks_changed``, ``code_parse_broken``, ``participants_malformed``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from ..privacy.identities import PARTICIPANTS_KEY, PSEUDONYMS_KEY, Participant, ThreadIdentities
from ..privacy.literals import parse_checker, rewrite_segments
from ..privacy.pseudonyms import SALT_ENV, SALT_FILE_ENV, SAMPLE_SALT, Pseudonymizer
from ..privacy.records import text_fields
from ..privacy.wordlists import DEFAULT_ALLOWLIST
from ..record import Document
from ..registry import register_pass
from .base import CHANGED, KEEP, Outcome, Pass, PassConfig

__all__ = ["AnonymizeConfig", "AnonymizePass", "participants_of"]


@dataclass
class AnonymizeConfig(PassConfig):
    salt_file: str | None = None
    """File holding the secret salt; unset: $CLOJURE_DATA_SALT_FILE, then $CLOJURE_DATA_SALT."""
    allowlist: list[str] = field(default_factory=lambda: list(DEFAULT_ALLOWLIST))
    """Full names never replaced in prose (library authors)."""
    first_names: bool = True
    """Also replace a participant's first name alone when no other participant shares it."""


def participants_of(doc: Document, counts: Counter[str] | None = None) -> list[Participant]:
    """The record's ``_participants`` plus message/post authors no entry describes."""
    raw = doc.metadata.get(PARTICIPANTS_KEY) or []
    if not isinstance(raw, list):
        raw = []
        if counts is not None:
            counts["participants_malformed"] += 1
    people = [p for p in (Participant.from_value(v) for v in raw) if p is not None]
    if counts is not None:
        counts["participants_malformed"] += len(raw) - len(people)
    for author, author_id in _authors(doc):
        if not _described(people, author, author_id):
            extra = Participant.from_value({"name": author, "id": author_id})
            if extra is not None:
                people.append(extra)
    return people


def _authors(doc: Document) -> list[tuple[str | None, str | None]]:
    found = []
    messages = doc.metadata.get("messages")
    for m in messages if isinstance(messages, list) else []:
        if isinstance(m, dict) and (m.get("author") or m.get("author_id")):
            found.append((_str(m.get("author")), _str(m.get("author_id"))))
    if isinstance(doc.metadata.get("author"), str) and doc.metadata["author"]:
        found.append((doc.metadata["author"], None))
    return found


def _str(value: Any) -> str | None:
    return str(value) if value is not None and str(value).strip() else None


def _described(people: list[Participant], author: str | None, author_id: str | None) -> bool:
    key = (author or "").strip().casefold()
    return any(
        (author_id is not None and p.id == author_id)
        or (key and key in {n.casefold() for n in p.names} | {p.email or "", (p.handle or "").casefold()})
        for p in people
    )


@register_pass("anonymize")
class AnonymizePass(Pass):
    """Replaces known participants everywhere in a record with their pseudonyms."""

    Config = AnonymizeConfig

    def __init__(self, config: PassConfig | None = None, **settings: Any) -> None:
        super().__init__(config, **settings)
        cfg = cast(AnonymizeConfig, self.config)
        self.pseudonymizer: Pseudonymizer | None = None
        if cfg.enabled:  # fail at construction, before any data is read, when no salt is set
            self.pseudonymizer = Pseudonymizer.from_environment(cfg.salt_file, cfg.allowlist)

    def process(self, doc: Document) -> Outcome:
        config = cast(AnonymizeConfig, self.config)
        assert self.pseudonymizer is not None
        counts: Counter[str] = Counter()
        people = participants_of(doc, counts)
        if not people:
            self._report(counts)
            return KEEP
        ids = ThreadIdentities(people, self.pseudonymizer, config.allowlist, config.first_names)
        changed = self._rewrite_texts(doc, ids, counts)
        changed = self._rewrite_authors(doc, ids, counts) or changed
        allowlisted = sum(ids.allowlisted(p) for p in ids.people)
        counts["participants_mapped"] += len(ids.people) - allowlisted
        counts["participants_allowlisted"] += allowlisted
        doc.metadata[PSEUDONYMS_KEY] = ids.stand_ins()
        self._report(counts)
        return CHANGED if changed else KEEP

    @staticmethod
    def _rewrite_texts(doc: Document, ids: ThreadIdentities, counts: Counter[str]) -> bool:
        changed = False
        kind = doc.metadata.get("kind")
        for label, text, set_text in text_fields(doc):
            ids.counts.clear()
            segments_kind = kind if label == "text" else None
            result = rewrite_segments(text, segments_kind, ids.replace_prose, ids.replace_code)
            if result.text != text:
                set_text(result.text)
                changed = True
            if label == "text":  # messages and title repeat the rendered text: count it once
                counts.update(ids.counts)
                counts["code_blocks_changed"] += result.code_changed
            counts["code_parse_broken"] += result.parse_broken
        return changed

    @staticmethod
    def _rewrite_authors(doc: Document, ids: ThreadIdentities, counts: Counter[str]) -> bool:
        changed = False
        messages = doc.metadata.get("messages")
        targets = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
        for m in targets:
            i = ids.find(_str(m.get("author")), _str(m.get("author_id")))
            if i is None:
                continue
            pseudonym, keep = ids.pseudonyms[i], ids.allowlisted(ids.people[i])
            author = m.get("author") if keep or m.get("author") is None else pseudonym.full
            new = (author, pseudonym.author_id)
            if new != (m.get("author"), m.get("author_id")):
                m["author"], m["author_id"] = new
                counts["authors"] += 1
                changed = True
        author = doc.metadata.get("author")
        if isinstance(author, str) and author:
            i = ids.find(author, None)
            if i is not None and not ids.allowlisted(ids.people[i]):
                doc.metadata["author"] = ids.pseudonyms[i].full
                counts["authors"] += 1
                changed = True
        return changed

    def _report(self, counts: Counter[str]) -> None:
        for label, n in sorted(counts.items()):
            self.count(label, n)

    def backend(self) -> str | None:
        version = self.pseudonymizer.table_version if self.pseudonymizer else "disabled"
        checker = parse_checker() or "no parse check (tree-sitter not installed)"
        demo = " (PUBLIC sample salt: reversible, demo only)" if _uses_sample_salt() else ""
        pseudonyms = f"HMAC-SHA256 pseudonyms{demo}, name tables {version}"
        return f"known identities; {pseudonyms}; code checked with {checker}"


def _uses_sample_salt() -> bool:
    return os.environ.get(SALT_ENV) == SAMPLE_SALT and not os.environ.get(SALT_FILE_ENV)
