"""Pseudonyms as a keyed function: ``HMAC-SHA256(salt, identity)`` picks the name.

The same identity gets the same pseudonym in every message, thread, dataset, run and worker,
because nothing but the salt and the identity goes in: no table of people seen so far, no
randomness, no order dependence. Without the salt the mapping cannot be reversed or recomputed
(HMAC is a PRF), so publishing pseudonymised data reveals nothing about who is behind a name.

How the 32 bytes of the digest are used (documented because changing it renames everybody):

* bit 0 of byte 0: gender (male / female), so the split is 50/50 by construction;
* bytes 1-4, 5-8, 9-12, 13-16 (big-endian unsigned): region, locale within the region, given
  name, surname, each reduced modulo the table size (bias below 1e-6 for our table sizes);
* the first 16 hex digits: ``author_id``, a stable opaque id for grouping messages by person.

Names come from ``name_tables`` (built from the pinned Faker release and checked against
``TABLES_SHA256``, see there): six world regions, 22 locales, readable Latin script, no titles.
A pseudonym that would collide with an allowlisted public figure (a pseudonym "Alex Miller"
would read as the real library author) is re-drawn with a counter appended to the identity.

The salt is read from ``$CLOJURE_DATA_SALT``, or the file named by ``$CLOJURE_DATA_SALT_FILE``
or a pass's ``salt_file`` setting; it never appears in any output. No salt is a
``ClojureDataError`` (one line that says how to make one), never a silent default.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ClojureDataError

__all__ = [
    "SALT_ENV",
    "SALT_FILE_ENV",
    "Pseudonym",
    "Pseudonymizer",
    "load_salt",
    "name_tables",
    "ascii_fold",
]

SALT_ENV = "CLOJURE_DATA_SALT"
SAMPLE_SALT = "clojure-data-public-sample-salt"
"""Public, so NOT secret: ``build --sample`` uses it when no salt is set; never use it on real data."""
SALT_FILE_ENV = "CLOJURE_DATA_SALT_FILE"
MIN_SALT_BYTES = 16
_CACHE_SIZE = 100_000
EMAIL_DOMAIN = "example.org"  # RFC 2606: reserved, can never reach a real mailbox
# SHA-256 of the tables built from faker==40.54.0 (pinned in pyproject.toml). Other tables would
# silently give everybody new pseudonyms, so they are refused instead.
TABLES_SHA256 = "e125f1c3b2c0fa5adbd1b787d5b12cf69f2fa0ca797255c7b0c4d31b49b3f6b4"
_HOW = (
    'set {env} to a secret of at least {n} characters (e.g. export {env}="$(python -c '
    "'import secrets; print(secrets.token_hex(32))')\"), or point {file_env} or the pass's salt_file "
    "at a file holding one; keep it private and reuse it for every dataset so pseudonyms stay consistent"
)


def _how() -> str:
    return _HOW.format(env=SALT_ENV, file_env=SALT_FILE_ENV, n=MIN_SALT_BYTES)


def load_salt(salt_file: str | None = None) -> bytes:
    """The secret salt: ``salt_file``, else ``$CLOJURE_DATA_SALT_FILE``, else ``$CLOJURE_DATA_SALT``."""
    path = salt_file or os.environ.get(SALT_FILE_ENV)
    if path:
        try:
            salt = Path(path).expanduser().read_bytes().strip()
        except OSError as exc:
            problem = f"cannot read the pseudonym salt file {path}: {exc.strerror}"
            raise ClojureDataError(f"{problem}; {_how()}") from exc
        where = f"salt file {path}"
    else:
        salt = os.environ.get(SALT_ENV, "").strip().encode()
        where = f"${SALT_ENV}"
        if not salt:
            raise ClojureDataError(f"no pseudonym salt configured: {_how()}")
    if len(salt) < MIN_SALT_BYTES:
        raise ClojureDataError(f"the pseudonym salt in {where} is too short ({len(salt)} bytes): {_how()}")
    return salt


@lru_cache(maxsize=1)
def name_tables() -> dict[str, Any]:
    """The name tables (built once per process), refused if they are not the pinned ones."""
    from .name_tables import build

    tables = build()
    if tables["sha256"] != TABLES_SHA256:
        raise ClojureDataError(
            f"pseudonym name tables built with {tables['generated_with']} differ from the pinned ones "
            f"(sha256 {TABLES_SHA256[:12]}): everybody would get a new pseudonym; install the faker "
            "version pinned in clojure-data's requirements"
        )
    return tables


_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "ð": "d",
    }
)


def ascii_fold(text: str) -> str:
    """Latin letters without diacritics (for e-mail addresses and handles): ``Wożniak`` -> ``Wozniak``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if ch.isascii())


@dataclass(frozen=True)
class Pseudonym:
    """The stand-in for one identity."""

    first: str
    last: str
    gender: str  # "male" | "female"
    region: str
    locale: str
    digest: bytes

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def handle(self) -> str:
        """``amara_okafor``: lower-case ASCII, safe inside any code literal or URL."""
        return "_".join(_slug(part) for part in (self.first, self.last))

    @property
    def email(self) -> str:
        return f"{_slug(self.first)}.{_slug(self.last)}@{EMAIL_DOMAIN}"

    @property
    def author_id(self) -> str:
        """An opaque, stable id (64 bits of the HMAC) to group messages by person."""
        return self.digest.hex()[:16]


def _slug(name: str) -> str:
    return "".join(ch for ch in ascii_fold(name).lower() if ch.isalnum()) or "x"


def _pick(table: list[str], digest: bytes, offset: int) -> str:
    return table[int.from_bytes(digest[offset : offset + 4], "big") % len(table)]


class Pseudonymizer:
    """Maps normalized identity keys to ``Pseudonym``s with a secret salt."""

    def __init__(self, salt: bytes | str, allowlist: Iterable[str] = ()) -> None:
        self._salt = salt.encode() if isinstance(salt, str) else bytes(salt)
        if len(self._salt) < MIN_SALT_BYTES:
            raise ClojureDataError(f"the pseudonym salt is too short ({len(self._salt)} bytes): {_how()}")
        self._reserved = frozenset(_norm(name) for name in allowlist)
        tables = name_tables()
        self._regions: list[tuple[str, list[str]]] = sorted(tables["regions"].items())
        self._locales: dict[str, dict[str, list[str]]] = tables["locales"]
        self.table_version = f"v{tables['version']} (sha256 {tables['sha256'][:12]})"
        self._cache: dict[str, Pseudonym] = {}

    @classmethod
    def from_environment(cls, salt_file: str | None = None, allowlist: Iterable[str] = ()) -> Pseudonymizer:
        return cls(load_salt(salt_file), allowlist)

    def digest(self, key: str) -> bytes:
        return hmac.new(self._salt, key.encode("utf-8"), hashlib.sha256).digest()

    def __call__(self, key: str) -> Pseudonym:
        """The pseudonym of identity ``key`` (see ``identities.identity_key`` for the key format)."""
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            found = self._cache[key] = self._uncached(key)
        return found

    def _uncached(self, key: str) -> Pseudonym:
        for attempt in range(100):
            pseudonym = self._draw(self.digest(key if attempt == 0 else f"{key}#{attempt}"))
            if _norm(pseudonym.full) not in self._reserved:
                return pseudonym
        raise ClojureDataError("could not draw a pseudonym outside the allowlist")  # pragma: no cover

    def _draw(self, digest: bytes) -> Pseudonym:
        gender = "female" if digest[0] & 1 else "male"
        region, locales = self._regions[int.from_bytes(digest[1:5], "big") % len(self._regions)]
        locale = _pick(locales, digest, 5)
        table = self._locales[locale]
        first = _pick(table[gender], digest, 9)
        last = _pick(table[f"last_{gender}"], digest, 13)
        return Pseudonym(first, last, gender, region, locale, digest)


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
