"""Presidio recognizers for structured PII, tuned for Clojure discussions and code.

Each class is a presidio ``EntityRecognizer`` (usable in any ``AnalyzerEngine``); the pii pass
calls them directly on prose and code pieces. Where presidio's own recognizer is right it is used
as is (IBAN, national ids: ``national_id_recognizers``); the ones here exist because presidio's
versions miss real input or fire on code:

``OfflineEmailRecognizer``
    presidio's pattern, with the domain checked by an offline tldextract (presidio's would fetch
    the public suffix list) and generic addresses (``git@github.com``) not reported.
``PublicIpRecognizer``
    presidio's IPv4/IPv6 patterns, keeping only *global* addresses (stdlib ``ipaddress``: loopback,
    private 10/8 172.16/12 192.168/16, link-local, documentation 192.0.2.0/24 198.51.100.0/24
    203.0.113.0/24 and 2001:db8::/32, and IPv6 ULA are not PII) and skipping four-part version
    numbers (``:mvn/version "1.10.0.1"``, ``v1.2.3.4``, ``1.8.0.151-SNAPSHOT``).
``CardRecognizer``
    12-19 digits, optionally grouped by one kind of separator, a known issuer prefix (2-6) and a
    valid Luhn checksum. presidio's pattern needs 13+ digits and misses 12-digit Maestro numbers.
``ChatPhoneRecognizer``
    (not ``PhoneRecognizer``: presidio finds its predefined recognizers by class name among all
    ``EntityRecognizer`` subclasses, in set order, so a namesake here could replace its own in any
    ``AnalyzerEngine`` built later in the process and fail on its arguments)
    presidio's uses ``phonenumbers`` with strict validity, which rejects many well-formed numbers
    people actually write (fictional 555 numbers, unassigned area codes). Two tiers:

    * shapes that are phones on their own: international numbers (``+CC``, ``(+CC)``,
      ``+(CC)``, ``00CC`` with separators; checked with ``phonenumbers.is_possible_number``),
      North American ``(NNN) NNN-NNNN``, trunk-prefixed national numbers in any of the usual
      separators (``0161 496 0631``, ``06 27 63 17 06``, ``(03).2639.0546``) and, in prose
      only, digit groups or bare 9-12 digit runs that ``phonenumbers`` calls valid for a common
      region;
    * any phone-shaped token (7-15 digits in groups joined by one space, dot, dash or slash,
      parenthesised area codes, ``(0)``, extensions) when a phone word (``phone``, ``call me``,
      ``my number``, ``:phone``...) is next to it. Tokens that are dates, times, decimals (Slack
      ``ts`` values such as ``1517443200.000123``), versions or IPv4 addresses never qualify.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from presidio_analyzer import EntityRecognizer, LocalRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IpRecognizer

from .presidio_engine import offline_tldextract

__all__ = [
    "RegexRecognizer",
    "OfflineEmailRecognizer",
    "PublicIpRecognizer",
    "CardRecognizer",
    "ChatPhoneRecognizer",
    "national_id_recognizers",
    "luhn_ok",
]

Check = Callable[[str, "re.Match[str]"], bool]


class RegexRecognizer(LocalRecognizer):
    """A presidio recognizer over stdlib ``re`` patterns with a per-match ``check(text, match)``.

    The entity is the first matched group named ``ent...`` when the pattern has some, else the
    whole match.
    """

    ENTITY = "UNKNOWN"
    SCORE = 0.85

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        super().__init__(supported_entities=[self.ENTITY], supported_language="en")
        self.patterns = patterns

    def load(self) -> None:  # nothing to load: patterns are compiled at construction
        pass

    def check(self, text: str, match: re.Match[str]) -> bool:
        return True

    def analyze(
        self, text: str, entities: list[str] | None = None, nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        results = []
        for pattern in self.patterns:
            groups: list[str | int] = [g for g in pattern.groupindex if g.startswith("ent")] or [0]
            for m in pattern.finditer(text):
                group = next((g for g in groups if m.group(g)), None)
                if group is not None and self.check(text, m):
                    start, end = m.span(group)
                    results.append(RecognizerResult(self.ENTITY, start, end, self.SCORE))
        return EntityRecognizer.remove_duplicates(results)


class OfflineEmailRecognizer(EmailRecognizer):
    """presidio's e-mail pattern, validated offline; role addresses of tools are not people."""

    GENERIC_LOCAL_PARTS = frozenset({"git", "noreply", "no-reply", "donotreply", "do-not-reply"})

    def validate_result(self, pattern_text: str) -> bool:
        local = pattern_text.split("@", 1)[0].casefold()
        if local in self.GENERIC_LOCAL_PARTS:
            return False
        return bool(offline_tldextract()(pattern_text).fqdn)


_VERSION_BEFORE = re.compile(r"(?:version|[vV]|release|jdk|java|clojure|@)\W{0,3}$", re.IGNORECASE)
_VERSION_AFTER = re.compile(r"^(?:-[A-Za-z]|\.\d)")


class PublicIpRecognizer(IpRecognizer):
    """presidio's IP patterns; only globally routable addresses that are not version numbers."""

    def invalidate_result(self, pattern_text: str) -> bool:
        try:
            address = ipaddress.ip_interface(pattern_text).ip
        except ValueError:
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return not address.is_global or address.is_multicast

    def analyze(
        self, text: str, entities: list[str] | None = None, nlp_artifacts: Any = None, regex_flags: Any = None
    ) -> list[RecognizerResult]:
        found = super().analyze(text, entities or self.supported_entities, nlp_artifacts, regex_flags)
        return [r for r in found if not _looks_like_version(text, r.start, r.end)]


def _looks_like_version(text: str, start: int, end: int) -> bool:
    if ":" in text[start:end]:
        return False  # IPv6
    return bool(
        _VERSION_BEFORE.search(text[max(0, start - 16) : start]) or _VERSION_AFTER.match(text[end : end + 2])
    )


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_CARD = re.compile(r"(?<![\w.+/-])(?:0604|[2-6]\d{1,5})(?:[ -]?\d{1,6}){1,6}(?![\w/]|[.-]\d)")
# issuer prefixes: Mastercard 2221-2720 and 51-55, Amex/Diners/JCB 30 34-39, Visa 4,
# Maestro/Discover/UnionPay 5 6, UK Maestro 0604
_ISSUER = re.compile(r"2(?:2[2-9]|[3-6]|7[01]|720)|3[0456789]|4|5[0-8]|6|0604")


class CardRecognizer(RegexRecognizer):
    ENTITY = "CREDIT_CARD"

    def __init__(self) -> None:
        super().__init__([_CARD])

    def check(self, text: str, match: re.Match[str]) -> bool:
        raw = match.group()
        digits = raw.replace(" ", "").replace("-", "")
        if not 12 <= len(digits) <= 19 or not _ISSUER.match(digits) or (" " in raw and "-" in raw):
            return False
        return luhn_ok(digits)


_PHONE_WORDS = re.compile(
    r"(?i)(?:phone|tel(?:ephone)?|mobile|cell|call|sms|text me|whatsapp|signal|fax|number|contact|reach)"
    r"(?:\W{0,4}\w{1,6}){0,3}\W{0,4}$"
)
_PHONE_AFTER = re.compile(
    r"(?i)^\W{0,4}(?:\w{1,6}\W{1,3}){0,2}(?:phone|tel|mobile|cell|number|whatsapp|fax)\b"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# "+CC", then digit groups: after the first, each needs a separator (or a parenthesis) before it,
# so a long digit run cannot be split in exponentially many ways (backtracking)
_INTL = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}|\(\+\d{1,3}\)|\+\(\d{1,3}\)|(?<![.:/-])00[1-9]\d{0,2}(?=[ .-]))(?:[ .-]?\(0\))?"
    r"[ .-]?\(?\d{1,14}\)?(?:(?:[ .-]|(?<=\))|(?=\())\(?\d{1,14}\)?){0,5}"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w+])"
)
_NANP = re.compile(
    r"(?<![\w+.-])(?:(?:001|1)[ .-])?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w]|[.-]\d)"  # noqa: E501
)
_TRUNK = re.compile(
    r"(?<![\w+.-])(?:\(0\d{1,4}\)[ -]?|0\d{1,4}[ -])\d{2,8}(?:[ -]\d{2,8}){0,3}(?![\w]|[.-]\d)"
)
_TRUNK_DOT = re.compile(r"(?<![\w+.-])(?:\(0\d{1,4}\)|0\d{1,4})(?:\.\d{2,4}){2,3}(?![\w]|[.-]\d)")
# any phone-shaped token, accepted only next to a phone word: groups always need a separator
# (a space, dot, dash, slash or a parenthesised group) between them, so matching stays linear
_CUED = re.compile(
    r"(?<![\w+.:/=#&?-])(?:\+ ?|\(\+?\d{1,4}\) ?|\+\(\d{1,4}\) ?)?(?:\(\d{1,5}\)[ ./-]?)?\d{1,15}"
    r"(?:(?:[ .-]|/ ?| ?\(\d{1,5}\) ?)\d{1,15}){0,7}(?: ?(?:x|ext\.?) ?\d{1,6})?(?!\w|[.:/-]\d)"
)
_GROUPED = re.compile(r"(?<![\w+.:/-])[1-9]\d{1,3}(?:[ -]\d{2,4}){2,4}(?![\w]|[.:-]\d)")
_BARE = re.compile(r"(?<![\w+.:/-])\d{7,12}(?![\w]|[.:-]\d)")
_REGIONS = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "IN", "BR", "TR", "AU")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class ChatPhoneRecognizer(RegexRecognizer):
    """Phone numbers. In code (``prose=False``) digit groups and bare runs need a phone word
    (``:phone``, ``mobile``...) before them, since code is full of ordinary numbers."""

    ENTITY = "PHONE_NUMBER"

    def __init__(self, prose: bool = True) -> None:
        super().__init__([_INTL, _NANP, _TRUNK, _TRUNK_DOT, _GROUPED, _BARE, _CUED])
        self.prose = prose

    def check(self, text: str, match: re.Match[str]) -> bool:
        raw = match.group()
        digits = _digits(_EXTENSION.split(raw)[0])
        if not 7 <= len(digits) <= 15:
            return False
        if match.re is _INTL:
            return _possible(raw)
        if match.re is _NANP:
            return True
        if match.re is _TRUNK or match.re is _TRUNK_DOT:
            return 9 <= len(digits) <= 12
        if match.re is _CUED:
            return _phone_shaped(raw) and not _looks_like_version(text, *match.span()) and _cued(text, match)
        if _ISO_DATE.fullmatch(raw) or (match.re is _GROUPED and len(digits) < 9):
            return False
        if _cued(text, match):
            return True
        if not self.prose or len(digits) < 9:
            return False
        # a bare 10-digit run starting with 1 is an epoch timestamp far more often than a phone
        return not (len(digits) == 10 and digits[0] == "1") and _valid_somewhere(digits)


def _cued(text: str, match: re.Match[str]) -> bool:
    """A phone word just before the number, or one right after it."""
    before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() : match.end() + 30]
    return bool(_PHONE_WORDS.search(before) or _PHONE_AFTER.match(after))


_EXTENSION = re.compile(r" ?(?:x|ext\.?)")


def _phone_shaped(raw: str) -> bool:
    """Whether a token's digit groups read as a phone number rather than a date, a decimal (a
    Slack ``ts``: ``1517443200.000123``), a version (``1.10.0.1234``), an IPv4 address or a list
    of small numbers (``1 2 3 4 5 6 7``)."""
    body = _EXTENSION.split(raw)[0]
    groups = re.findall(r"\d+", body)
    if sum(len(g) == 1 for g in groups) > 1 + ("(0)" in body):
        return False
    seps = set(re.sub(r"\d", "", body))
    if seps == {"."}:
        if len(groups) == 2:  # a decimal, unless it reads as phone blocks (1234.5678, 0612.345678)
            return groups[0][0] == "0" or all(3 <= len(g) <= 5 for g in groups)
        if any(len(g) == 1 for g in groups) or (len(groups) == 4 and all(len(g) <= 3 for g in groups)):
            return False
    return not (len(groups) == 3 and len(seps) == 1 and seps <= set("-./") and _date_like(groups))


def _date_like(groups: list[str]) -> bool:
    """Year-month-day or day/month-year orders with plausible values."""
    a, b, c = (int(g) for g in groups)
    if len(groups[0]) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return len(groups[2]) in (2, 4) and 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


_CC_PREFIX = re.compile(r"^(?:\(\+(\d{1,3})\)|\+\((\d{1,3})\)|00([1-9]\d{0,2}))")


def _possible(raw: str) -> bool:
    import phonenumbers

    # phonenumbers reads only "+CC": rewrite "(+CC)", "+(CC)" and the "00" exit code to it
    number = _CC_PREFIX.sub(lambda m: "+" + next(g for g in m.groups() if g) + " ", raw.split("x")[0])
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(number, None)))
    except phonenumbers.NumberParseException:
        return False


def _valid_somewhere(digits: str) -> bool:
    import phonenumbers

    for region in _REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(digits, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def national_id_recognizers() -> list[EntityRecognizer]:
    """presidio's national-id recognizers whose patterns are specific enough for code chat.

    Left out: the ones whose bare patterns match ordinary identifiers or numbers in code without
    a checksum (US passport/driver licence/bank number, IN PAN, UK passport, DE tax ids...).
    """
    from presidio_analyzer import predefined_recognizers as p

    classes = [
        p.UsSsnRecognizer,
        p.UsItinRecognizer,
        p.CaSinRecognizer,
        p.UkNinoRecognizer,
        p.NhsRecognizer,
        p.ItFiscalCodeRecognizer,
        p.EsNifRecognizer,
        p.EsNieRecognizer,
        p.PlPeselRecognizer,
        p.FiPersonalIdentityCodeRecognizer,
        p.SePersonnummerRecognizer,
        p.TrNationalIdRecognizer,
        p.InAadhaarRecognizer,
        p.KrRrnRecognizer,
        p.SgFinRecognizer,
        p.AuTfnRecognizer,
        p.ZaIdNumberRecognizer,
    ]
    return [cls() for cls in classes]
