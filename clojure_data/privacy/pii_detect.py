"""Where each PII recognizer runs, cheaply: prose, code, or only the literals inside code.

The presidio way is to run every recognizer over every document. Here each recognizer has a
*zone* and a *prefilter*:

================  ================================  ===========================================
zone              recognizers                       why
================  ================================  ===========================================
everywhere        e-mail, public IP, card, IBAN,    specific shapes with checksums or validation:
                  disguised e-mail (in code only    as safe on code as on prose
                  ``(at)``/``[at]``/``-AT-``/``jo...@``)
prose + literals  phone (strict shapes), national   digit groups that code also has (numbers,
                  ids                               ids): in code only inside string literals and
                                                    ``;`` comments
prose only        phone (loose shapes), handles,    ``@state`` is a deref, ``123 Main`` may be
                  street addresses, employer, NER   data, NER reads code as names
================  ================================  ===========================================

A prefilter is a cheap test (a character or a short regex) that must hold before a recognizer
runs at all; most chat messages hold no digit run, no ``@`` and no street word, so most
recognizers never run on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .ner import not_names
from .obfuscated_email import OBFUSCATED_SHAPE, ObfuscatedEmailRecognizer
from .prose_recognizers import (
    EmployerRecognizer,
    PersonCueRecognizer,
    SocialHandleRecognizer,
    StreetAddressRecognizer,
)
from .recognizers import (
    CardRecognizer,
    ChatPhoneRecognizer,
    OfflineEmailRecognizer,
    PublicIpRecognizer,
    national_id_recognizers,
)

__all__ = ["Found", "Detector", "ENTITY_TYPES", "literal_zones"]

# entity type -> the label its counts and placeholders use
ENTITY_TYPES: dict[str, str] = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "NATIONAL_ID": "NATIONAL_ID",
    "STREET_ADDRESS": "ADDRESS",
    "SOCIAL_HANDLE": "HANDLE",
    "EMPLOYER": "EMPLOYER",
}
MIN_SCORE = 0.4  # presidio's "weak" patterns (bare 9-digit SSN, 0.05) never count alone


@dataclass(frozen=True, order=True)
class Found:
    """``text[start:end]`` is PII of ``entity`` (offsets in the whole record text)."""

    start: int
    end: int
    entity: str
    in_code: bool = False


def _has(chars: str) -> Callable[[str], bool]:
    return lambda text: any(c in text for c in chars)


def _search(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda text: compiled.search(text) is not None


_DIGIT_RUN = _search(r"\d[\d ().+-]{5,}\d")
_ID_SHAPE = _search(r"\d[\dA-Z .-]{4,}\d")
_IP_SHAPE = _search(r"\d\.\d{1,3}\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]*:")
_IBAN_SHAPE = _search(r"[A-Z]{2}\d{2}")
_DISGUISED = _search(OBFUSCATED_SHAPE.pattern)
_ADDRESS_SHAPE = _search(r"\d|(?i:\b(?:rue|calle|via|piazza|straße|strasse|straat|avenida)\b)")
_EMPLOYER_SHAPE = _search(r"(?i)\b(?:work\w*|employ\w*|compan\w*|job|joined|intern\w*|at)\b")
_CAP_BIGRAM = _search(r"[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž]+\s+(?:\w+\s+){0,2}[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž]")


@dataclass
class _Rule:
    recognizer: Any
    entity: str  # the type we report (national ids share one)
    prefilter: Callable[[str], bool]


class Detector:
    """Runs the recognizers of each zone over prose and code pieces of a record."""

    def __init__(self, entities: set[str]) -> None:
        from presidio_analyzer.predefined_recognizers import IbanRecognizer

        everywhere = [
            _Rule(OfflineEmailRecognizer(), "EMAIL_ADDRESS", _has("@")),
            _Rule(PublicIpRecognizer(), "IP_ADDRESS", _IP_SHAPE),
            _Rule(CardRecognizer(), "CREDIT_CARD", _DIGIT_RUN),
            _Rule(IbanRecognizer(), "IBAN_CODE", _IBAN_SHAPE),
        ]
        literal = [_Rule(ChatPhoneRecognizer(prose=False), "PHONE_NUMBER", _DIGIT_RUN)]
        literal += [_Rule(r, "NATIONAL_ID", _ID_SHAPE) for r in national_id_recognizers()]
        prose = [
            _Rule(ObfuscatedEmailRecognizer(), "EMAIL_ADDRESS", _DISGUISED),
            _Rule(ChatPhoneRecognizer(prose=True), "PHONE_NUMBER", _DIGIT_RUN),
            _Rule(SocialHandleRecognizer(), "SOCIAL_HANDLE", _has("@/")),
            _Rule(StreetAddressRecognizer(), "STREET_ADDRESS", _ADDRESS_SHAPE),
            _Rule(EmployerRecognizer(), "EMPLOYER", _EMPLOYER_SHAPE),
            _Rule(PersonCueRecognizer(not_names()), "PERSON", _CAP_BIGRAM),
        ]
        keep = [r for r in everywhere + literal + prose if r.entity in entities]
        self._code = [r for r in everywhere if r in keep]
        if "EMAIL_ADDRESS" in entities:  # disguised addresses: in code only the unambiguous forms
            self._code.append(_Rule(ObfuscatedEmailRecognizer(code=True), "EMAIL_ADDRESS", _DISGUISED))
        self._literal = [r for r in literal if r in keep]
        # in prose the loose phone recognizer covers the strict one
        self._prose = [r for r in everywhere if r in keep] + [r for r in literal[1:] if r in keep]
        self._prose += [r for r in prose if r in keep]

    def prose(self, text: str, offset: int) -> list[Found]:
        return _run(self._prose, text, offset, False)

    def code(self, text: str, offset: int) -> list[Found]:
        found = _run(self._code, text, offset, True)
        if self._literal and (_DIGIT_RUN(text) or _ID_SHAPE(text)):
            zones = literal_zones(text)
            if zones:  # run on the whole code (context such as ``:phone`` is visible), keep literals
                inside = [f for f in _run(self._literal, text, offset, True) if _within(f, zones, offset)]
                found += inside
        return found


def _run(rules: list[_Rule], text: str, offset: int, in_code: bool) -> list[Found]:
    found: list[Found] = []
    for rule in rules:
        if not rule.prefilter(text):
            continue
        for result in rule.recognizer.analyze(text, rule.recognizer.supported_entities, None):
            if result.score >= MIN_SCORE and result.end > result.start:
                found.append(Found(offset + result.start, offset + result.end, rule.entity, in_code))
    return found


def _within(found: Found, zones: list[tuple[int, int]], offset: int) -> bool:
    start, end = found.start - offset, found.end - offset
    return any(a <= start and end <= b for a, b in zones)


# a character literal or escape first (so \" is not a string), then strings and ; comments
_LITERALS = re.compile(r'\\.|"(?:[^"\\]|\\.)*"|;[^\n]*', re.DOTALL)


def literal_zones(code: str) -> list[tuple[int, int]]:
    """The insides of double-quoted strings and the ``;`` comments of a piece of code."""
    zones = []
    for m in _LITERALS.finditer(code):
        token = m.group()
        if token[0] == '"':
            zones.append((m.start() + 1, m.end() - 1))
        elif token[0] == ";":
            zones.append((m.start(), m.end()))
    return zones
