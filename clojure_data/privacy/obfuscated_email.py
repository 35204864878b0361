"""Disguised e-mail addresses, as mailing-list archives and their posters write them.

presidio's e-mail pattern needs a literal ``user@host.tld``; list archives are full of addresses
that people or archivers disguised to fool harvesters, and a harvester-proof form is still the
person's address. Recognized (``ObfuscatedEmailRecognizer``, entity ``EMAIL_ADDRESS``):

=====================================  =====================  ===================================
form                                   example                where
=====================================  =====================  ===================================
bracketed "at" (any dot form)          ``john(at)smith(dot)    prose; code: strings and comments
                                       com``, ``john [at]
                                       smith [dot] com``,
                                       ``john{at}smith.com``
shouted "AT" between dashes/underscores ``john-AT-smith.com``   prose; code: strings and comments
spaced "@"                             ``john @ smith . com``  prose
Google Groups' truncated local part    ``jo...@smith.com``     prose; code: strings and comments
the word "at", dot spelled out         ``jorge dot castro at   prose, known TLD only (``look at
                                       gmail dot com``         this dot product`` stays)
the word "at", real dots (Mailman's    ``jgb at gsyc.es``      prose, lower-case domain, and only
pipermail archive)                                            in an address context: ``<...>``,
                                                              ``(...)``, ``From:``, ``... wrote:``,
                                                              or a local part with ``. _ - 0-9``
=====================================  =====================  ===================================

(mail-archive.com prints ``[EMAIL PROTECTED]``: nothing left to find.)

``plain_address`` turns a disguised address back into ``user@host.tld``, so the pii pass gives
it the same pseudonym as the plain address, and a known participant's disguised address their
anonymize stand-in. Matching is anchored on the "at" token (cheap to find) and runs the full
pattern only in a window around it, since " at " is in most English messages.
"""

from __future__ import annotations

import re
from typing import Any

from presidio_analyzer import EntityRecognizer, LocalRecognizer, RecognizerResult

from .presidio_engine import offline_tldextract

__all__ = ["ObfuscatedEmailRecognizer", "plain_address", "OBFUSCATED_SHAPE"]

_WORD = r"[A-Za-z0-9](?:[A-Za-z0-9_%+-]{0,40}[A-Za-z0-9])?"
_DOT_DISGUISED = (
    r"(?:[ \t]*[(\[{<][ \t]*(?i:dot)[ \t]*[)\]}>][ \t]*|[ \t]+(?i:dot)[ \t]+|-DOT-|[ \t]+\.[ \t]+)"
)
_DOT = rf"(?:\.|{_DOT_DISGUISED})"
_AT_BRACKET = r"[ \t]*[(\[{<][ \t]*(?i:at)[ \t]*[)\]}>][ \t]*"
_AT_SHOUTED = r"-AT-|_AT_|\.AT\."
_AT_SPACED = r"[ \t]+@[ \t]*|[ \t]*@[ \t]+"
_AT_WORD = r"[ \t]+(?:at|AT)[ \t]+"
_TRUNCATED = r"\.\.\.@"
_AT = rf"(?P<at>{_AT_BRACKET}|{_AT_SHOUTED}|{_TRUNCATED}|{_AT_SPACED}|{_AT_WORD})"
_ADDRESS = re.compile(
    rf"(?<![\w.@-])(?P<local>{_WORD}(?:{_DOT}{_WORD}){{0,3}}){_AT}"
    rf"(?P<domain>{_WORD}(?:{_DOT}{_WORD}){{1,4}})(?![\w@]|-\w|\.\w)"
)
# where an "at" token may be: the full pattern runs only around these
_AT_TOKEN = re.compile(rf"{_AT_BRACKET}|{_AT_SHOUTED}|{_TRUNCATED}|{_AT_SPACED}|{_AT_WORD}")
OBFUSCATED_SHAPE = re.compile(r"(?i:[(\[{<][ \t]*at[ \t]*[)\]}>])|-AT-|_AT_|\.AT\.|\.\.\.@|\s@|@\s| at | AT ")
_DOT_SUB = re.compile(_DOT_DISGUISED)
_DOT_NEAR = re.compile(r"\.|(?i:dot)")

# TLDs accepted when "at" or "dot" is a plain word: a word after " dot " is rarely one of these
_COMMON_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "io",
        "co",
        "uk",
        "de",
        "fr",
        "nl",
        "se",
        "no",
        "dk",
        "fi",
        "es",
        "it",
        "pt",
        "pl",
        "ch",
        "at",
        "be",
        "ie",
        "ru",
        "br",
        "in",
        "jp",
        "cn",
        "au",
        "ca",
        "us",
        "me",
        "info",
        "biz",
        "dev",
        "cz",
        "sk",
        "hu",
        "ro",
        "gr",
        "tr",
        "il",
        "za",
        "nz",
        "mx",
        "ar",
        "cl",
        "eu",
    ]
)
# words before/after "at" that make "<word> at <word> dot <tld>" a sentence, not an address
_STOP = frozenset(
    [
        "look",
        "looking",
        "looked",
        "glance",
        "stare",
        "point",
        "pointed",
        "arrive",
        "arrived",
        "be",
        "is",
        "are",
        "was",
        "were",
        "am",
        "me",
        "you",
        "us",
        "we",
        "him",
        "her",
        "them",
        "it",
        "this",
        "that",
        "these",
        "those",
        "here",
        "there",
        "the",
        "a",
        "an",
        "my",
        "your",
        "his",
        "our",
        "their",
        "its",
        "home",
        "work",
        "least",
        "most",
        "all",
        "once",
        "first",
        "last",
        "night",
        "noon",
        "hosted",
        "available",
        "found",
        "located",
        "over",
        "now",
        "guess",
        "scope",
        "topic",
        "blog",
        "developer",
        "engineer",
    ]
)
_CONTEXT_BEFORE = re.compile(r"(?:[<(\[]|mailto:|(?im:^(?:from|to|cc|reply-to|sender):))[ \t]*$")
_CONTEXT_AFTER = re.compile(r"^(?:[ \t]*[>)\]]|[ \t,]+(?:wrote|writes|a écrit|schrieb)\b)")


def plain_address(value: str) -> str:
    """``john(at)smith(dot)com`` -> ``john@smith.com``; a plain address is returned as is."""
    m = _ADDRESS.fullmatch(value.strip())
    if m is None:
        return value
    local = _DOT_SUB.sub(".", m.group("local"))
    domain = _DOT_SUB.sub(".", m.group("domain"))
    if m.group("at") == "...@":
        local += "..."
    return f"{local}@{domain}"


class ObfuscatedEmailRecognizer(LocalRecognizer):
    """Disguised addresses. In code (``code=True``, run on string literals and comments) only
    the forms nobody writes for another reason: bracketed or shouted "at", truncated local part."""

    def __init__(self, code: bool = False) -> None:
        super().__init__(supported_entities=["EMAIL_ADDRESS"], supported_language="en")
        self.code = code

    def load(self) -> None:  # nothing to load
        pass

    def analyze(
        self, text: str, entities: list[str] | None = None, nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        seen: set[tuple[int, int]] = set()
        for token in _AT_TOKEN.finditer(text):
            # a domain is a word (<= 42 chars) then a dot form: no dot near, no address (cheap skip
            # of the many "look at this" tokens before the windowed full pattern)
            if not _DOT_NEAR.search(text, token.end(), token.end() + 60):
                continue
            window = (max(0, token.start() - 200), min(len(text), token.end() + 200))
            for m in _ADDRESS.finditer(text, *window):
                if m.start("at") == token.start() and m.span() not in seen and self._check(text, m):
                    seen.add(m.span())
                    results.append(RecognizerResult("EMAIL_ADDRESS", m.start(), m.end(), 0.8))
        return EntityRecognizer.remove_duplicates(results)

    def _check(self, text: str, m: re.Match[str]) -> bool:
        at, local, domain = m.group("at").strip(), m.group("local"), m.group("domain")
        plain_domain = _DOT_SUB.sub(".", domain)
        ext = offline_tldextract()(plain_domain)
        if not ext.suffix or not ext.domain:
            return False
        word_at = at.lower() == "at"
        if self.code and (word_at or at == "@"):
            return False
        spelled_dot = _DOT_SUB.search(m.group()) is not None
        if not (word_at or spelled_dot or at == "@"):
            return True  # bracketed or shouted "at", truncated local part: unambiguous
        tld = plain_domain.rsplit(".", 1)[-1]
        last_local = _DOT_SUB.split(local)[-1].split(".")[-1].lower()
        if tld not in _COMMON_TLDS or last_local in _STOP or ext.domain.lower() in _STOP:
            return False
        if word_at and not spelled_dot:  # pipermail's "jgb at gsyc.es": only where an address goes
            return plain_domain.islower() and (
                re.search(r"[._\d-]", local) is not None
                or _CONTEXT_BEFORE.search(text, max(0, m.start() - 12), m.start()) is not None
                or _CONTEXT_AFTER.match(text[m.end() : m.end() + 12]) is not None
            )
        return True
