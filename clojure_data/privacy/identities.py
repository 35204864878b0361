"""Known identities of a thread: who the participants are, their keys, and where they are named.

Builders hand the participants over in the private metadata key ``_participants`` (never
written): a list with one dict per person, any of these keys set (one person, one entry: the
entry's names, handle and address all map to that person's single pseudonym):

================ ===================================================================
``name``         full name as the source shows it (mail ``From`` display name)
``real_name``    a profile's real name (Slack ``real_name``), same role as ``name``
``display_name`` a profile's display name (Slack, forums); may be a handle-like word
``names``        a list of further names the person goes by
``email``        address, any case
``handle``       username without the ``@`` (Slack ``name``, forum username, GitHub login)
``id``           what this source writes into ``messages[i].author_id`` for the person
================ ===================================================================

Accepted aliases: ``author_id`` for ``id``, ``username`` / ``login`` for ``handle``. Other keys
(``role``, ``user_id``...) are ignored; an entry with nothing usable is ignored (and counted).
A plain string entry is read as an address when it is one, else as a name (prefer dicts: two
strings are two people). Message authors that no entry describes are added from
``messages[i].author`` / ``author_id``, so a builder that sends nothing still gets its authors
pseudonymised.

The identity key (what the HMAC sees) is, in this order: the first full name (two or more
words; case, spacing, accents and "Last, First" order normalised), else the e-mail address, else
the handle, else the id, else the single-word name. A full name comes first because it is what
the same person shares across sources (mail, Slack, forums), so they get one pseudonym
everywhere; two people with the same full name share a pseudonym (they stay separable by
``author_id`` only when their keys differ, i.e. never: a deliberate, documented trade-off).

What is replaced where (``ThreadIdentities``): e-mail addresses, opaque ids (6+ characters
mixing letters and digits, e.g. Slack ``U024BE7LH``) and full names everywhere, code included;
``@handles``, bare handles and first names in prose and inside code's string literals and
comments (never ``@state``, a deref, nor a symbol ``Jane``). A single word (first name alone, bare
handle, one-word display name) needs 3+ letters, must not be a common word
(``wordlists.COMMON_WORDS``), matches with its exact case, and is dropped when two people of the
thread share it. Finding them is ``matcher.TermMatcher`` (see there for why not a regex).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from .literals import literal_spans
from .matcher import Term, TermMatcher, non_overlapping, replace_hits
from .pseudonyms import Pseudonym, Pseudonymizer
from .wordlists import COMMON_WORDS

__all__ = [
    "PARTICIPANTS_KEY",
    "PSEUDONYMS_KEY",
    "Participant",
    "identity_key",
    "normalize_name",
    "usable_single",
    "ThreadIdentities",
]

PARTICIPANTS_KEY = "_participants"
PSEUDONYMS_KEY = "_pseudonyms"  # set by the anonymize pass: the stand-ins it wrote, for later passes
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_OPAQUE_ID = re.compile(r"(?=[^\d]*\d)(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_-]{6,}")


@dataclass(frozen=True)
class Participant:
    """One person of a thread, as a builder knows them (see the module docstring)."""

    name: str | None = None
    display_name: str | None = None
    real_name: str | None = None
    email: str | None = None
    handle: str | None = None
    id: str | None = None
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_value(cls, value: Any) -> Participant | None:
        """Validate one ``_participants`` entry; ``None`` when it says nothing usable."""
        if isinstance(value, str):
            value = {"email" if _EMAIL.fullmatch(value.strip()) else "name": value}
        if not isinstance(value, dict):
            return None
        value = {**{_ALIASES[k]: v for k, v in value.items() if k in _ALIASES}, **value}
        found: dict[str, Any] = {}
        for f in fields(cls):
            text = _clean(value.get(f.name))
            if f.name == "handle" and text:
                text = text.lstrip("@")
            elif f.name == "email" and text:
                text = text.strip("<>").lower()
            if text:
                found[f.name] = text
        names = value.get("names")
        extra = [t for t in (_clean(n) for n in (names if isinstance(names, list) else [])) if t]
        if "email" not in found:  # "From: jane@x.org" puts the address where the name goes
            for key in ("name", "real_name", "display_name"):
                if key in found and _EMAIL.fullmatch(found[key]):
                    found["email"] = found.pop(key).lower()
                    break
        found.pop("aliases", None)
        if extra:
            found["aliases"] = tuple(dict.fromkeys(extra))
        return cls(**found) if found else None

    @property
    def names(self) -> list[str]:
        named = (self.real_name, self.name, self.display_name, *self.aliases)
        return list(dict.fromkeys(n for n in named if n and n != self.handle and n != self.email))


_ALIASES = {"author_id": "id", "username": "handle", "login": "handle"}


def _clean(raw: Any) -> str | None:
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    return " ".join(str(raw).split()) or None


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _words(name: str) -> list[str]:
    return name.replace(",", " ").split()


def _reorder(name: str) -> str:
    """``"Hickey, Rich"`` -> ``"Rich Hickey"``; other names unchanged."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts) and " " not in parts[0]:
        return f"{parts[1]} {parts[0]}"
    return name


def _comma_form(name: str) -> str:
    """``"Rich Hickey"`` -> ``"Hickey, Rich"`` (directories and citations); other names unchanged."""
    words = name.split()
    return f"{words[1]}, {words[0]}" if len(words) == 2 and "," not in name else name


def normalize_name(name: str) -> str:
    return " ".join(_strip_marks(unicodedata.normalize("NFKC", _reorder(name))).casefold().split())


def identity_key(p: Participant) -> str:
    """What the pseudonym HMAC sees for ``p`` (see the module docstring for the order)."""
    full = [n for n in p.names if len(_words(n)) >= 2]
    if full:
        return "name:" + normalize_name(full[0])
    if p.email:
        return "email:" + p.email.lower()
    if p.handle:
        return "handle:" + p.handle.casefold()
    if p.id:
        return "id:" + p.id
    return "name:" + normalize_name(p.names[0])


def usable_single(word: str) -> bool:
    """Whether a one-word name may be replaced alone: 3+ letters and not a common word."""
    return sum(c.isalpha() for c in word) >= 3 and word.casefold() not in COMMON_WORDS


def _capitalized(word: str) -> bool:
    return word[:1].isupper() and (word[1:].islower() or not word[1:])


class ThreadIdentities:
    """The participants of one thread, their pseudonyms, and replacement over its texts."""

    def __init__(
        self,
        participants: Iterable[Participant],
        pseudonymizer: Pseudonymizer,
        allowlist: Iterable[str] = (),
        first_names: bool = True,
    ) -> None:
        self.counts: Counter[str] = Counter()
        self._allow = {normalize_name(a): a for a in allowlist}
        self.people = list(dict.fromkeys(participants))
        self.pseudonyms = self._draw(pseudonymizer)
        code, prose = self._terms(first_names)
        self._code = TermMatcher(code)
        # string literals and comments are data and prose: single words are safe there too
        self._in_literals = TermMatcher(prose)
        self._prose = TermMatcher([*code, *prose])

    # -- who is who --------------------------------------------------------------------------
    def _draw(self, pseudonymizer: Pseudonymizer) -> list[Pseudonym]:
        """One pseudonym per person; two people of this thread never share one (re-drawn)."""
        keys = [identity_key(p) for p in self.people]
        taken: dict[str, str] = {}
        drawn: dict[str, Pseudonym] = {}
        for key in sorted(set(keys)):
            pseudonym, attempt = pseudonymizer(key), 1
            while taken.get(pseudonym.full, key) != key:
                attempt += 1
                pseudonym = pseudonymizer(f"{key}#{attempt}")
            taken[pseudonym.full] = key
            drawn[key] = pseudonym
        return [drawn[k] for k in keys]

    def allowlisted(self, p: Participant) -> bool:
        return any(normalize_name(n) in self._allow for n in p.names)

    def find(self, author: str | None, author_id: str | None) -> int | None:
        """Index of the participant a message's ``author`` / ``author_id`` belongs to."""
        for i, p in enumerate(self.people):
            if author_id is not None and author_id == p.id:
                return i
        if author:
            norm, low = normalize_name(author), author.strip().lower()
            for i, p in enumerate(self.people):
                handle = (p.handle or "").lower()
                if any(normalize_name(n) == norm for n in p.names) or low in (p.email, handle):
                    return i
        return None

    # -- the terms ---------------------------------------------------------------------------
    def _terms(self, first_names: bool) -> tuple[list[Term], list[Term]]:
        """(terms for code and prose, terms for prose only)."""
        code: list[Term] = []
        prose = [Term(name, name, "allowlisted", "name") for name in self._allow.values()]
        singles: dict[str, dict[int, str]] = {}
        for i in range(len(self.people)):
            self._person_terms(i, code, prose, singles, first_names)
        for word, by_person in singles.items():
            if len(by_person) == 1:  # a word two people share is ambiguous: left to NER
                new = next(iter(by_person.values()))
                kind = "allowlisted" if new == word else "first_name" if _capitalized(word) else "handle"
                prose.append(Term(word, new, kind, "name", exact=True))
        return code, prose

    def _person_terms(
        self,
        i: int,
        code: list[Term],
        prose: list[Term],
        singles: dict[str, dict[int, str]],
        first_names: bool,
    ) -> None:
        """Terms for person ``i``; single words go to ``singles`` (word -> person -> stand-in),
        the handle first, so a word that is both someone's handle and first name is a handle."""
        p, ps, keep = self.people[i], self.pseudonyms[i], self.allowlisted(self.people[i])
        if p.email:
            code.append(Term(p.email, ps.email, "email", "email"))
        if p.id and _OPAQUE_ID.fullmatch(p.id):
            code.append(Term(p.id, ps.handle, "id", "id", exact=True))
        if p.handle and sum(c.isalnum() for c in p.handle) >= 2:
            stand_in = "@" + (p.handle if keep else ps.handle)
            prose.append(Term("@" + p.handle, stand_in, "allowlisted" if keep else "handle", "at_handle"))
            if usable_single(p.handle):
                singles.setdefault(p.handle, {}).setdefault(i, p.handle if keep else ps.handle)
        for name in p.names:
            ordered = _reorder(name)  # "First Last"
            words = _words(ordered)
            for variant in dict.fromkeys((name, ordered, _comma_form(ordered))):
                if len(words) >= 2 and not keep and sum(c.isalpha() for c in variant) >= 3:
                    code.append(Term(" ".join(variant.split()), ps.full, "name", "name"))
            first = words[0].strip(".'\"()") if words else ""
            if not usable_single(first) or (len(words) >= 2 and not first_names):
                continue
            stand_in = ps.first if len(words) >= 2 or _capitalized(first) else ps.handle
            singles.setdefault(first, {}).setdefault(i, first if keep else stand_in)

    # -- replacing ---------------------------------------------------------------------------
    def _stand_in(self, term: Term, matched: str) -> str:
        if term.kind == "allowlisted":
            self.counts["allowlist_kept"] += 1
            return matched
        self.counts[term.kind] += 1
        return term.replacement

    def replace_code(self, text: str) -> str:
        """For code: e-mail addresses, opaque ids and full names (two or more words, so never a
        symbol) anywhere; handles (``"@jdoe"``) and first names only inside string literals and
        ``;`` comments, where they are data, not a deref or a symbol. Stand-ins use only letters,
        hyphens, spaces and ``[a-z0-9._@]``, so a literal keeps its syntax."""
        hits = self._code.find(text)
        if self._in_literals:
            spans = literal_spans(text)
            starts = [s for s, _ in spans]
            inside = [
                h
                for h in (self._in_literals.find(text) if spans else [])
                if (i := bisect_right(starts, h[0]) - 1) >= 0 and h[1] <= spans[i][1]
            ]
            hits = non_overlapping([*hits, *inside])
        return replace_hits(text, hits, self._stand_in)

    def replace_prose(self, text: str) -> str:
        """Everything: full and first names, handles, addresses, ids (prose)."""
        return self._prose.replace(text, self._stand_in)

    def stand_ins(self) -> list[str]:
        """The names, handles and addresses this thread's pseudonyms use (for later passes)."""
        out = {v for ps in self.pseudonyms for v in (ps.full, ps.first, ps.last, ps.email, "@" + ps.handle)}
        return sorted(out)
