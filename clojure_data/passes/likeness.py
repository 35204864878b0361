"""The ``likeness`` pass: redact what someone says about their looks and their family (policy 4.7).

Rule set (regular expressions over prose sentences; code segments are never read or changed). A
sentence that matches is replaced whole by ``[redacted: appearance]`` or ``[redacted: family]``:
the sentence, not the phrase, because the rest of it usually carries the detail ("my daughter
starts school in Utrecht next week").

``family``
    * ``my``/``our`` + a relative: wife, husband, spouse, partner (not "partner company/API"),
      girlfriend, boyfriend, fiancé(e), son, daughter, kid(s), children, baby, toddler, newborn,
      twins, mom/mum/mother, dad/father, parents, brother, sister, sibling(s), grandma/grandpa/
      grandmother/grandfather/grandparents, grandson/granddaughter, niece, nephew, cousin, aunt,
      uncle, in-laws, family (not "family of ..."); a possessive ("my wife's") counts too;
    * "I have/I've got <number> kids/children/sons/daughters", "I'm a dad/mom/father/mother/
      parent", "my <N>-year-old", "our first child", "expecting a baby".
    Not family: ``child``/``parent``/``sibling`` followed by a technical word (``my parent
    component``, ``our child process``, ``my sister project``), and "baby steps".
``appearance``
    * "I have <colour> eyes/hair", "my eyes/hair/skin/beard are/is <descriptor>", "I'm/I am
      <height>" (``5'10``, ``1.80 m``, ``180 cm``, ``six feet``), "I weigh <n> kg/lbs",
      "I'm bald/blonde/short/tall/overweight/skinny", "I have a beard/tattoos/freckles".

Measured false-positive rate on the real samples in ``../shared/realdata`` (Slack, Discourse,
Stack Exchange, mbox): see docs/privacy-benchmarks.md.

Counts: ``family`` and ``appearance`` (sentences redacted, from ``text`` only) and
``records_with_likeness``. Never the sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from ..privacy.literals import segments_for
from ..privacy.records import text_fields
from ..record import Document
from ..registry import register_pass
from .base import CHANGED, KEEP, Outcome, Pass, PassConfig

__all__ = ["LikenessConfig", "LikenessPass", "RULES", "redact_likeness"]

_TECH_AFTER = (
    r"(?!['’]?s?\s+(?:component|node|process|element|thread|namespace|ns|map|vector|class|view|window|widget|"
    r"project|repo|module|company|api|key|entity|table|record|div|task|pom|span|item|dir|directory|folder|"
    r"of\b|tree|type|frame|issue|branch|commit|job|pid|object|context|scope|function|fn|state|route|layout))"
)
_RELATIVE = (
    r"(?:wife|husband|spouse|girlfriend|boyfriend|fianc[ée]e?|sons?|daughters?|kids?|children|babies|baby|"
    r"toddlers?|newborn|twins|mom|mum|mommy|mother|dad|daddy|father|parents|brothers?|sisters?|siblings?|"
    r"grand(?:ma|pa|mother|father|parents|son|daughter|kids|children)|nieces?|nephews?|cousins?|aunt|uncle|"
    r"in-laws|family|partner|child|parent)"
)
_NUMBER = r"(?:\d+|one|two|three|four|five|six|a couple of|several)"
_COLOUR = r"(?:green|blue|brown|hazel|grey|gray|black|blonde?|red|dark|light|auburn|curly|straight|long|short|white)"  # noqa: E501
_HEIGHT = r"(?:\d['’]\s?\d{1,2}(?:\"|”|'')?|\d(?:[.,]\d{1,2})?\s?m\b|\d{3}\s?cm|(?:five|six|seven)\s+(?:feet|foot|ft))"  # noqa: E501

RULES: dict[str, list[re.Pattern[str]]] = {
    "family": [
        re.compile(
            rf"(?i)\b(?:my|our)\s+(?:(?:\w+[- ])?year[- ]old\s+|little\s+|baby\s+|eldest\s+|youngest\s+|older\s+|"  # noqa: E501
            rf"younger\s+|oldest\s+|first\s+|second\s+|new(?:born)?\s+|two\s+|three\s+)?{_RELATIVE}\b{_TECH_AFTER}"
        ),
        re.compile(
            rf"(?i)\bI(?:\s+have|['’]ve\s+got|\s+have\s+got)\s+{_NUMBER}\s+(?:kids|children|sons|daughters|grandchildren)\b"
        ),
        re.compile(
            r"(?i)\bI['’]?\s*a?m\s+(?:a\s+)?(?:new\s+|single\s+|stay-at-home\s+)?(?:dad|mom|mum|father|mother|parent)\b(?!\s+(?:process|node|component))"
        ),
        re.compile(r"(?i)\bmy\s+\d{1,2}[- ](?:year|month|week)[- ]old\b"),
        re.compile(
            r"(?i)\b(?:we['’]re|we\s+are|I['’]m|I\s+am)\s+expecting\s+(?:a\s+baby|twins|our\s+first)\b"
        ),
    ],
    "appearance": [
        re.compile(
            rf"(?i)\bI\s+(?:have|['’]ve\s+got)\s+(?:(?:really|very|naturally)\s+)?{_COLOUR}(?:[- ]\w+)?\s+(?:eyes|hair)\b"  # noqa: E501
        ),
        re.compile(
            rf"(?i)\bmy\s+(?:eyes|hair|skin|beard)\s+(?:is|are|was|were|has|have|turned|got)\s+(?:\w+\s+)?(?:{_COLOUR}|going|grey|gray|thinning|falling|pale|tanned|freckled)\b"
        ),
        re.compile(rf"(?i)\bI['’]?\s*a?m\s+(?:about\s+|around\s+|only\s+)?{_HEIGHT}(?:\s+tall)?"),
        re.compile(r"(?i)\bI\s+weigh\s+(?:about\s+|around\s+)?\d{2,3}\s?(?:kg|kilos?|lbs?|pounds)\b"),
        re.compile(
            r"(?i)\bI['’]?\s*a?m\s+(?:(?:quite|very|rather|pretty|a\s+bit|kind\s+of)\s+)?(?:bald|blonde?|brunette|redhead|overweight|obese|skinny|chubby|short|tall)\b(?!\s+(?:on|of|for)\b)"
        ),
        re.compile(
            r"(?i)\bI\s+(?:have|['’]ve\s+got)\s+(?:a\s+)?(?:beard|moustache|mustache|tattoos?|freckles|piercings?|glasses)\b"
        ),
        re.compile(r"(?i)\bmy\s+(?:height|weight)\s+(?:is|was)\b"),
    ],
}
_SPEAKER = re.compile(r"\s*[^\s:][^:\n]{0,40}:[ \t]+(?=\S)")
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+(?=\s|$)|\n|$)")


@dataclass
class LikenessConfig(PassConfig):
    categories: list[str] = field(default_factory=lambda: ["family", "appearance"])
    """Which rule sets to apply (family, appearance)."""


def redact_likeness(text: str, categories: list[str], counts: Counter[str] | None = None) -> str:
    """``text`` (prose) with every sentence that matches a rule replaced by its marker."""
    rules = [(name, RULES[name]) for name in categories]
    if not any(p.search(text) for _, patterns in rules for p in patterns):
        return text
    out = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        label = next((name for name, patterns in rules if any(p.search(sentence) for p in patterns)), None)
        if label is None or not sentence.strip():
            out.append(sentence)
            continue
        if counts is not None:
            counts[label] += 1
        speaker = _SPEAKER.match(sentence)  # "alice: my son ..." in a rendered thread keeps "alice: "
        lead = speaker.group() if speaker else sentence[: len(sentence) - len(sentence.lstrip())]
        tail = sentence[len(sentence.rstrip()) :]
        out.append(f"{lead}[redacted: {label}]{tail}")
    return "".join(out)


@register_pass("likeness")
class LikenessPass(Pass):
    """Replaces sentences about a person's appearance or family with a marker; never drops."""

    Config = LikenessConfig

    def __init__(self, config: PassConfig | None = None, **settings: object) -> None:
        super().__init__(config, **settings)
        unknown = set(cast(LikenessConfig, self.config).categories) - set(RULES)
        if unknown:
            from ..errors import ClojureDataError

            raise ClojureDataError(
                f"likeness: unknown categories {sorted(unknown)}; known: {', '.join(RULES)}"
            )

    def process(self, doc: Document) -> Outcome:
        categories = cast(LikenessConfig, self.config).categories
        counts: Counter[str] = Counter()
        changed = False
        for label, text, set_text in text_fields(doc):
            if not any(p.search(text) for name in categories for p in RULES[name]):
                continue  # the common case: nothing to segment, nothing touched
            field_counts: Counter[str] = Counter()
            kind = doc.metadata.get("kind") if label == "text" else None
            pieces = [
                s.text if s.is_code else redact_likeness(s.text, categories, field_counts)
                for s in segments_for(text, kind)
            ]
            new = "".join(pieces)
            if new != text:
                set_text(new)
                changed = True
            if label == "text":
                counts.update(field_counts)
        for label, n in sorted(counts.items()):
            self.count(label, n)
        if counts:
            self.count("records_with_likeness")
        return CHANGED if changed else KEEP

    def backend(self) -> str | None:
        return "rule set (regex over prose sentences): " + ", ".join(
            cast(LikenessConfig, self.config).categories
        )
