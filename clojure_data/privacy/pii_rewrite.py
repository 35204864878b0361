"""What found PII becomes, and splicing it into prose and code without breaking either.

Values (a span never crosses a prose/code boundary; see ``pii_detect``):

============== ===================================== =========================================
entity         in prose                              in code
============== ===================================== =========================================
PERSON         pseudonym ("Amara Okafor"; a one-word  (never looked for in code)
               name gets the pseudonym's first name)
EMAIL_ADDRESS  pseudonymous address                  the same address (``[a-z0-9.@]`` only)
SOCIAL_HANDLE  ``@amara_okafor`` / the profile URL    (never looked for in code)
               with the name swapped
IP_ADDRESS     ``<IP_ADDRESS>``                      a documentation address (192.0.2.x,
                                                     2001:db8::x), prefix length kept
others         ``<PHONE>``, ``<CREDIT_CARD>``,         ``REDACTED_<TYPE>_<n>`` (``literals.
               ``<NATIONAL_ID>``, ``<IBAN>``,          Placeholders``): valid in a string, a
               ``<ADDRESS>``, ``<EMPLOYER>``            symbol or a comment
============== ===================================== =========================================

A disguised address (``john(at)smith(dot)com``) is read back to ``john@smith.com`` first
(``obfuscated_email.plain_address``): same pseudonym, same participant match, same allowlist.

Pseudonyms come from the keyed ``Pseudonymizer`` with the keys ``identities.identity_key``
uses (``name:<normalized>``, ``email:<address>``, ``handle:<name>``), so a person gets the same
stand-in from this pass as from the anonymize pass.

Kept: allowlisted names (full name, or the surname alone), addresses at allowlisted domains
(and their subdomains), allowlisted handles, and the stand-ins another pass already wrote
(``_pseudonyms``): a pseudonym must not be renamed.

Known participants (``Replacer.known``, filled by the pii pass from the record's
``_participants``): a found name, address or handle that is one of theirs, in any case or
accent form ("Jose Garcia" for "José García", a decomposed "é", ``twitter.com/JGarcia`` for the
handle ``jgarcia``), gets the pseudonym the anonymize pass gives that person, never kept: the
anonymize pass matches exact forms, so whatever it missed would otherwise survive both passes.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..segments import Segment
from .identities import ThreadIdentities, normalize_name, usable_single
from .literals import Placeholders, Span, apply_spans, code_body, parse_preserved
from .obfuscated_email import plain_address
from .pii_detect import ENTITY_TYPES, Found
from .pseudonyms import Pseudonymizer

__all__ = ["Keep", "Replacer", "rewrite", "known_key", "known_stand_ins"]


@dataclass
class Keep:
    """What is never replaced (normalized: names with ``normalize_name``, the rest casefolded)."""

    names: set[str] = field(default_factory=set)
    surnames: set[str] = field(default_factory=set)
    domains: tuple[str, ...] = ()
    handles: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, names: Iterable[str], domains: Iterable[str], handles: Iterable[str]) -> Keep:
        full = {normalize_name(n) for n in names}
        return cls(
            names=full,
            surnames={n.split()[-1] for n in full if len(n.split()) >= 2},
            domains=tuple(d.casefold().lstrip("@.") for d in domains),
            handles={h.casefold().lstrip("@") for h in handles},
        )

    def extended(self, names: Iterable[str], emails: Iterable[str], handles: Iterable[str]) -> Keep:
        """This allowlist plus one record's known identities."""
        return Keep(
            self.names | {normalize_name(n) for n in names},
            self.surnames,
            self.domains,
            self.handles | {h.casefold().lstrip("@") for h in handles},
            self.emails | {e.casefold() for e in emails},
        )

    def keeps(self, entity: str, value: str) -> bool:
        if entity == "PERSON":
            norm = normalize_name(value)
            return norm in self.names or (" " not in norm and norm in self.surnames)
        if entity == "EMAIL_ADDRESS":
            address = plain_address(value).casefold()
            domain = address.rsplit("@", 1)[-1]
            return address in self.emails or any(
                domain == d or domain.endswith("." + d) for d in self.domains
            )
        if entity == "SOCIAL_HANDLE":
            return value.lstrip("@").split("@")[0].casefold() in self.handles
        return False


def known_key(entity: str, value: str) -> str:
    """How a value is compared with a participant's: names normalized, the rest casefolded."""
    if entity == "PERSON":
        return normalize_name(value)
    if entity == "SOCIAL_HANDLE":
        return value.lstrip("@").split("@")[0].casefold()
    if entity == "EMAIL_ADDRESS":  # a disguised address is its plain form's person
        return plain_address(value).casefold()
    return value.casefold()


def known_stand_ins(identities: ThreadIdentities) -> dict[tuple[str, str], str]:
    """``Replacer.known`` for a thread: each participant's names (full, and first or last name
    alone when no other participant shares it), address and handle -> their anonymize stand-in.
    Allowlisted authors keep their name and handle, as in the anonymize pass."""
    known: dict[tuple[str, str], str] = {}
    singles: dict[str, set[str]] = {}
    for person, ps in zip(identities.people, identities.pseudonyms, strict=True):
        if person.email:
            known["EMAIL_ADDRESS", known_key("EMAIL_ADDRESS", person.email)] = ps.email
        if identities.allowlisted(person):  # like the anonymize pass: name and handle stay
            continue
        if person.handle:
            known["SOCIAL_HANDLE", known_key("SOCIAL_HANDLE", person.handle)] = ps.handle
        for name in person.names:
            words = normalize_name(name).split()
            if len(words) >= 2:
                known["PERSON", " ".join(words)] = ps.full
            for word, stand_in in {words[0]: ps.first, words[-1]: ps.last}.items():
                singles.setdefault(word, set()).add(stand_in)
    for word, stand_ins in singles.items():
        if len(stand_ins) == 1 and usable_single(word):  # shared by two people: ambiguous
            known.setdefault(("PERSON", word), next(iter(stand_ins)))
    return known


class Replacer:
    """Stand-ins for found PII in one record (placeholders are numbered per record).

    ``known`` maps ``(entity, known_key(entity, value))`` of the record's participants to the
    stand-in the anonymize pass gives them.
    """

    def __init__(self, pseudonymizer: Pseudonymizer, known: dict[tuple[str, str], str] | None = None) -> None:
        self.pseudonymizer = pseudonymizer
        self.placeholders = Placeholders()
        self.known = known or {}

    def value(self, entity: str, original: str, in_code: bool) -> str:
        if self.known:
            stand_in = self.known.get((entity, known_key(entity, original)))
            if stand_in is not None:
                at = "@" if entity == "SOCIAL_HANDLE" and original.startswith("@") else ""
                return at + stand_in
        if entity == "EMAIL_ADDRESS":
            return self.pseudonymizer("email:" + plain_address(original).casefold()).email
        if entity == "PERSON":
            pseudonym = self.pseudonymizer("name:" + normalize_name(original))
            return pseudonym.full if len(original.split()) >= 2 else pseudonym.first
        if entity == "SOCIAL_HANDLE":
            name = original.lstrip("@").split("@")[0]
            handle = self.pseudonymizer("handle:" + name.casefold()).handle
            return "@" + handle if original.startswith("@") else handle
        if in_code and entity == "IP_ADDRESS":
            return self._documentation_ip(original)
        label = ENTITY_TYPES.get(entity, entity)
        return self.placeholders.get(label, original) if in_code else f"<{label}>"

    def _documentation_ip(self, original: str) -> str:
        address, _, prefix = original.partition("/")
        n = self.pseudonymizer.digest("ip:" + address)[0] % 254 + 1
        try:
            v6 = ipaddress.ip_address(address).version == 6
        except ValueError:
            v6 = ":" in address
        value = f"2001:db8::{n:x}" if v6 else f"192.0.2.{n}"
        return f"{value}/{prefix}" if prefix else value


@dataclass
class RewriteStats:
    counts: Counter[str] = field(default_factory=Counter)
    code_changed: int = 0
    parse_broken: int = 0


def rewrite(
    text: str,
    segments: list[Segment],
    found: list[Found],
    replacer: Replacer,
    keep: Keep,
    check_code: bool = True,
) -> tuple[str, RewriteStats]:
    """``text`` with ``found`` replaced segment by segment; untouched segments stay identical."""
    stats = RewriteStats()
    spans = []
    for f in found:
        value = text[f.start : f.end]
        if keep.keeps(f.entity, value):
            stats.counts["allowlist_kept"] += 1
        else:
            spans.append(Span(f.start, f.end, f.entity))
    if not spans:
        return text, stats
    spans.sort()
    out: list[str] = []
    i = 0
    for seg in segments:
        mine = []
        while i < len(spans) and spans[i].start < seg.end:
            span = spans[i]
            if span.end <= seg.end:  # a span that would cross into the next segment is dropped
                mine.append(Span(span.start - seg.start, span.end - seg.start, span.label))
            i += 1
        out.append(_rewrite_segment(seg, mine, replacer, stats, check_code) if mine else seg.text)
    return "".join(out), stats


def _rewrite_segment(
    seg: Segment, spans: list[Span], replacer: Replacer, stats: RewriteStats, check: bool
) -> str:
    def replace(span: Span, original: str) -> str:
        stats.counts[ENTITY_TYPES.get(span.label, span.label)] += 1
        return replacer.value(span.label, original, seg.is_code)

    new, _ = apply_spans(seg.text, spans, replace)
    if seg.is_code and new != seg.text:
        stats.code_changed += 1
        changed = Segment("code", new, seg.start, seg.code_kind)
        if check and not parse_preserved(code_body(seg), code_body(changed)):
            stats.parse_broken += 1
    return new
