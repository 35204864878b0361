"""The ``pii`` pass: find personal data with presidio + spaCy and replace it, never breaking code.

Detection (``clojure_data.privacy``):

* structured PII with presidio recognizers (``recognizers``: e-mail, phone, card, IBAN, public IP,
  national ids presidio knows; ``prose_recognizers``: social handles, street addresses,
  employer mentions), each in its zone (``pii_detect``): prose, code, or string literals and
  comments inside code;
* person names with the configured spaCy model (``spacy_model``), batched over the prose lines
  of the whole batch that can hold a name (``ner``): the reason this pass is >10x faster than
  presidio's ``AnalyzerEngine`` document by document (``benchmarks/privacy_throughput.py``).

Replacement (``pii_rewrite``): pseudonyms for names, e-mails and handles (the same keyed
function and keys as the anonymize pass), typed placeholders (``<PHONE>``) in prose, same-syntax
values inside code (``REDACTED_PHONE_NUMBER_1``, documentation IPs); a code segment with nothing
to replace is byte-identical, a changed one is parsed with tree-sitter Clojure before and after.

Which texts: ``text``, then ``title`` and every ``messages[i].text`` (``privacy.records``). NER
runs on ``text`` only; the names it found there are replaced in the title and messages too (the
rendered text repeats them), structured recognizers run on each.

Bounded: NER reads at most ``max_ner_chars`` of a record (``ner_truncated_records`` counts the
records where it stopped early; the regex recognizers, person cues included, still read all).

No model: with ``require_ner = true`` (default) a missing model is a one-line
``ClojureDataError`` naming the pip package, raised when the pass is created; with ``false`` the
pass runs its regex recognizers only and ``backend()`` says so (the datasheet shows it).

Counts (never values): one per replacement by type (``PERSON``, ``EMAIL``, ``PHONE``,
``CREDIT_CARD``, ``IBAN``, ``IP_ADDRESS``, ``NATIONAL_ID``, ``ADDRESS``, ``HANDLE``,
``EMPLOYER``), ``allowlist_kept``, ``code_blocks_changed``, ``code_parse_broken``, ``ner_lines``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from ..errors import ClojureDataError
from ..privacy.identities import PSEUDONYMS_KEY, ThreadIdentities
from ..privacy.literals import parse_checker, segments_for
from ..privacy.ner import Piece, candidate_pieces, mask_code, run_ner
from ..privacy.pii_detect import ENTITY_TYPES, Detector, Found
from ..privacy.pii_rewrite import Keep, Replacer, known_stand_ins, rewrite
from ..privacy.presidio_engine import load_ner, missing_model_message, presidio_version, resolve_model
from ..privacy.pseudonyms import Pseudonymizer
from ..privacy.records import text_fields
from ..privacy.wordlists import DEFAULT_ALLOWLIST
from ..record import Document
from ..registry import register_pass
from .anonymize import participants_of
from .base import CHANGED, KEEP, Outcome, Pass, PassConfig

__all__ = ["PiiConfig", "PiiPass", "DEFAULT_DOMAINS", "DEFAULT_HANDLES"]

DEFAULT_DOMAINS = (
    "clojure.org",
    "cognitect.com",
    "googlegroups.com",
    "clojars.org",
    "clojureverse.org",
    "clojurians.net",
    "datomic.com",
    "nubank.com.br",
    "lists.clojure.org",
    "conj.io",
)
DEFAULT_HANDLES = (
    "richhickey",
    "stuarthalloway",
    "puredanger",
    "swannodette",
    "stuartsierra",
    "fogus",
    "chouser",
    "seancorfield",
    "bbatsov",
    "weavejester",
    "ztellman",
    "borkdude",
    "thheller",
    "cgrand",
    "mfikes",
    "technomancy",
    "tonsky",
    "clojure",
    "cognitect",
    "clojurians",
    "clojars",
)


@dataclass
class PiiConfig(PassConfig):
    spacy_model: str = "en_core_web_sm"
    """spaCy model for person names (a package name, an alias such as en_core_web_sm, or a path)."""
    require_ner: bool = True
    """Without the model: true = fail loudly; false = run the regex recognizers only."""
    entities: list[str] = field(default_factory=lambda: list(ENTITY_TYPES))
    """Entity types to replace (PERSON, EMAIL_ADDRESS, PHONE_NUMBER, ... see the docs)."""
    allowlist: list[str] = field(default_factory=lambda: list(DEFAULT_ALLOWLIST))
    """Names never replaced (library authors): the full name, or the surname alone."""
    allow_domains: list[str] = field(default_factory=lambda: list(DEFAULT_DOMAINS))
    """E-mail domains (and their subdomains) of projects and lists: addresses kept."""
    allow_handles: list[str] = field(default_factory=lambda: list(DEFAULT_HANDLES))
    """Handles of library authors and projects: kept."""
    defer_known_identities: bool = True
    """Give the record's participants the anonymize pass's pseudonyms, and never rename the
    stand-ins it wrote; false: participants are treated like anyone else."""
    salt_file: str | None = None
    """File holding the pseudonym salt; unset: $CLOJURE_DATA_SALT_FILE, then $CLOJURE_DATA_SALT."""
    check_code: bool = True
    """Parse changed code segments with tree-sitter Clojure and count any that stop parsing."""
    max_ner_chars: int = 100_000
    """NER reads at most this many characters of one record (the regex recognizers read all)."""


@dataclass
class _Plan:
    """One record between detection and replacement."""

    segments: list[Any]
    found: list[Found]
    pieces: list[Piece]


@register_pass("pii")
class PiiPass(Pass):
    """Replaces personal data with pseudonyms and placeholders; never drops a record."""

    Config = PiiConfig
    batch_size = 64

    def __init__(self, config: PassConfig | None = None, **settings: Any) -> None:
        super().__init__(config, **settings)
        cfg = cast(PiiConfig, self.config)
        unknown = sorted(set(cfg.entities) - set(ENTITY_TYPES))
        if unknown:
            raise ClojureDataError(f"pii: unknown entities {unknown}; known: {', '.join(ENTITY_TYPES)}")
        self.model = resolve_model(cfg.spacy_model)
        self.pseudonymizer: Pseudonymizer | None = None
        if cfg.enabled:  # fail before any data is read: no salt, or no model when one is required
            if self.model is None and cfg.require_ner and "PERSON" in cfg.entities:
                raise ClojureDataError(missing_model_message(cfg.spacy_model))
            self.pseudonymizer = Pseudonymizer.from_environment(cfg.salt_file, cfg.allowlist)
        self.keep = Keep.build(cfg.allowlist, cfg.allow_domains, cfg.allow_handles)
        self._detector: Detector | None = None

    # -- the batch ------------------------------------------------------------------------------
    def process_batch(self, docs: list[Document]) -> list[Outcome]:
        cfg = cast(PiiConfig, self.config)
        if self._detector is None:
            self._detector = Detector(set(cfg.entities))
        plans = [self._plan(i, doc) for i, doc in enumerate(docs)]
        pieces = [p for plan in plans for p in plan.pieces]
        if pieces:
            nlp, _ = load_ner(cfg.spacy_model)
            self.count("ner_lines", len(pieces))
            for doc_index, start, end, _text in run_ner(nlp, pieces):
                plans[doc_index].found.append(Found(start, end, "PERSON"))
        return [self._apply(doc, plan) for doc, plan in zip(docs, plans, strict=True)]

    def _plan(self, index: int, doc: Document) -> _Plan:
        cfg = cast(PiiConfig, self.config)
        segments = segments_for(doc.text, doc.metadata.get("kind"))
        found = self._structured(doc.text, segments)
        pieces: list[Piece] = []
        if self.model is not None and "PERSON" in cfg.entities and any(not s.is_code for s in segments):
            pieces = candidate_pieces(index, mask_code(doc.text, segments))
            budget = cfg.max_ner_chars
            for i, piece in enumerate(pieces):
                budget -= len(piece.text)
                if budget < 0:  # a huge record full of capitalised words: bounded time
                    self.count("ner_truncated_records")
                    pieces = pieces[:i]
                    break
        return _Plan(segments, found, pieces)

    def _structured(self, text: str, segments: list[Any]) -> list[Found]:
        assert self._detector is not None
        found: list[Found] = []
        for seg in segments:
            finder = self._detector.code if seg.is_code else self._detector.prose
            found.extend(finder(seg.text, seg.start))
        return found

    # -- replacing ------------------------------------------------------------------------------
    def _apply(self, doc: Document, plan: _Plan) -> Outcome:
        cfg = cast(PiiConfig, self.config)
        assert self.pseudonymizer is not None
        keep, known = self._known_for(doc)
        replacer = Replacer(self.pseudonymizer, known)
        counts: Counter[str] = Counter()
        names = sorted(
            {doc.text[f.start : f.end] for f in plan.found if f.entity == "PERSON"}, key=len, reverse=True
        )
        changed = False
        for label, text, set_text in text_fields(doc):
            if label == "text":
                segments, found = plan.segments, plan.found
            else:
                segments = segments_for(text, None)
                found = self._structured(text, segments) + _name_occurrences(text, segments, names)
            new, stats = rewrite(text, segments, found, replacer, keep, cfg.check_code)
            if new != text:
                set_text(new)
                changed = True
            if label == "text":  # title and messages repeat the rendered text: count once
                counts.update(stats.counts)
                counts["code_blocks_changed"] += stats.code_changed
            counts["code_parse_broken"] += stats.parse_broken
        for label, n in sorted(counts.items()):
            self.count(label, n)
        return CHANGED if changed else KEEP

    def _known_for(self, doc: Document) -> tuple[Keep, dict[tuple[str, str], str]]:
        """What to keep (the allowlists, stand-ins already written) and the participants'
        stand-ins (``Replacer.known``), with ``defer_known_identities``."""
        cfg = cast(PiiConfig, self.config)
        if not cfg.defer_known_identities:
            return self.keep, {}
        assert self.pseudonymizer is not None
        people = participants_of(doc)
        known = {}
        if people:
            ids = ThreadIdentities(people, self.pseudonymizer, cfg.allowlist, first_names=False)
            known = known_stand_ins(ids)
        stand_ins = [s for s in doc.metadata.get(PSEUDONYMS_KEY) or [] if isinstance(s, str)]
        if not stand_ins:
            return self.keep, known
        names = [s for s in stand_ins if "@" not in s]
        emails = [s for s in stand_ins if "@" in s and not s.startswith("@")]
        handles = [s for s in stand_ins if s.startswith("@")]
        return self.keep.extended(names, emails, handles), known

    def backend(self) -> str | None:
        cfg = cast(PiiConfig, self.config)
        presidio = f"presidio {presidio_version() or '(not installed)'}"
        checker = parse_checker() or "nothing (tree-sitter not installed)"
        if self.model is None or "PERSON" not in cfg.entities:
            return f"{presidio} regex recognizers only (no spaCy model); code checked with {checker}"
        return f"{presidio} + {self.model.describe()} (package {self.model.package}); code checked with {checker}"  # noqa: E501


def _name_occurrences(text: str, segments: list[Any], names: list[str]) -> list[Found]:
    """PERSON spans for the names NER found in the rendered text, in the prose of another field."""
    if not names:
        return []
    pattern = re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w@])")
    found = []
    for seg in segments:
        if not seg.is_code:
            found += [
                Found(seg.start + m.start(), seg.start + m.end(), "PERSON")
                for m in pattern.finditer(seg.text)
            ]
    return found
