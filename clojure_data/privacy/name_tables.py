"""The pseudonym name tables, built from Faker's person providers (pinned ``faker`` version).

Why pinned and checked: Faker edits its name lists between releases (adds, removes, reorders).
The pseudonym of a person is ``table[HMAC(salt, identity) mod len(table)]``, so any change to a
table would give the same person a different name in a dataset built after a ``pip install -U``.
The tables are built at first use from the ``faker`` release pinned in pyproject.toml, and
``pseudonyms.name_tables`` refuses tables whose SHA-256 differs from the one recorded there:
changing the tables (a new Faker, a new locale) is a deliberate, versioned change, never an
accident. Building takes under a second and happens once per process.

What goes in (and why it is hand-written: Faker has no notion of script, titles or popularity
across locales):

* locales whose names are written in Latin script, grouped into world regions (``REGIONS``);
  Japanese names come from Faker's Hepburn romanisations, the only non-Latin locale Faker
  transliterates itself;
* single-token names (letters and inner hyphens: no apostrophe, which is Clojure's quote and
  would change how code around a replaced name reads), capitalised, no titles or abbreviations
  ("Mr", "Dr.", "pani"), only "readable" Latin letters: ASCII, Latin-1, Latin Extended-A, the
  Vietnamese block and its horned letters, Romanian comma-below letters (no IPA or hooked
  letters such as Hausa's "ɓ" that most readers cannot type);
* given names that a locale lists as both male and female are dropped (the gender bit must mean
  something); surnames are per gender where the language inflects them (Polish, Czech, ...);
* "well known": where Faker weights names by frequency, the ``CAP`` most frequent; otherwise up
  to ``CAP`` names evenly spread over Faker's (alphabetical) list, so no initial is favoured.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import unicodedata
from collections.abc import Iterable
from typing import Any

TABLE_VERSION = 1
CAP = 200

REGIONS: dict[str, list[str]] = {
    "africa": ["yo_NG", "ig_NG", "tw_GH", "sw", "zu_ZA"],
    "americas": ["en_US", "es_MX", "pt_BR", "es_CO"],
    "europe": ["en_GB", "de_DE", "fr_FR", "it_IT", "pl_PL", "nl_NL", "sv_SE"],
    "south_asia": ["en_IN"],
    "east_southeast_asia": ["ja_JP", "id_ID", "vi_VN"],
    "west_central_asia": ["tr_TR", "uz_UZ"],
}

_TITLES = """mr mrs ms miss mx dr prof sir dame lord lady herr frau sr sra srta mme mlle monsieur madame
signor signora pan pani bay bayan hr fru dhr mevr"""
TITLES = frozenset(_TITLES.split())


_EXTENDED_B_OK = "ƠơƯưȘșȚț"  # Vietnamese horned letters, Romanian comma-below letters


def readable_latin(name: str) -> bool:
    """Letters of the readable Latin blocks only, plus inner hyphens."""
    if not name or not name[0].isupper() or name.endswith("-"):
        return False
    for ch in name:
        if ch == "-":
            continue
        code = ord(ch)
        if not ch.isalpha() or not (code < 0x180 or 0x1E00 <= code <= 0x1EFF or ch in _EXTENDED_B_OK):
            return False
        if "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


def clean(names: Iterable[str]) -> list[str]:
    """Normalise (NFC) and filter; keeps first occurrence order."""
    seen: dict[str, None] = {}
    for raw in names:
        name = unicodedata.normalize("NFC", str(raw).strip())
        if len(name) >= 2 and name.casefold() not in TITLES and readable_latin(name):
            seen.setdefault(name, None)
    return list(seen)


def well_known(names: Any, cap: int = CAP) -> list[str]:
    """The ``cap`` most frequent (weighted tables) or ``cap`` evenly spread names."""
    if isinstance(names, dict):  # Faker's OrderedDict tables map name -> relative frequency
        ranked = sorted(names.items(), key=lambda kv: (-float(kv[1]), kv[0]))
        return clean(name for name, _ in ranked)[:cap]
    listed = clean(names)
    if len(listed) <= cap:
        return listed
    step = len(listed) / cap
    return [listed[int(i * step)] for i in range(cap)]


def _first(provider: Any, gender: str) -> Any:
    romanized = getattr(provider, f"first_romanized_names_{gender}", None)
    return romanized or getattr(provider, f"first_names_{gender}")


def _last(provider: Any, gender: str) -> Any:
    # gendered surname tables where the language inflects them; Polish lists only the male forms
    # ("Kowalski") besides uninflected ones ("Nowak"), so women get the uninflected ones
    for attr in (f"last_names_{gender}", f"{gender}_last_names", "unisex_last_names"):
        value = getattr(provider, attr, None)
        if value:
            return value
    return getattr(provider, "last_romanized_names", None) or provider.last_names


def _without(names: Any, drop: set[str]) -> Any:
    """``names`` minus ``drop``, keeping Faker's weights when the table has them."""
    if isinstance(names, dict):
        return {n: w for n, w in names.items() if n not in drop}
    return [n for n in names if n not in drop]


def locale_table(locale: str) -> dict[str, list[str]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    male, female = _first(provider, "male"), _first(provider, "female")
    unisex = set(clean(male)) & set(clean(female))
    table = {
        "male": well_known(_without(male, unisex)),
        "female": well_known(_without(female, unisex)),
        "last_male": well_known(_last(provider, "male")),
        "last_female": well_known(_last(provider, "female")),
    }
    for key, names in table.items():
        if not names:
            raise SystemExit(f"{locale}: no usable {key} names; drop the locale from REGIONS")
    return table


def build(regions: dict[str, list[str]] = REGIONS) -> dict[str, Any]:
    import faker

    locales = {loc: locale_table(loc) for locs in regions.values() for loc in locs}
    body = {"version": TABLE_VERSION, "regions": regions, "locales": locales}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {**body, "generated_with": f"faker {faker.VERSION}", "sha256": digest}
