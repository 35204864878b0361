"""The keyed pseudonym function: consistency, secrecy, balance, diversity, readable names."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from clojure_data.errors import ClojureDataError
from clojure_data.privacy.identities import Participant, identity_key
from clojure_data.privacy.name_tables import TITLES, clean, readable_latin, well_known
from clojure_data.privacy.pseudonyms import (
    SALT_ENV,
    SALT_FILE_ENV,
    Pseudonymizer,
    ascii_fold,
    load_salt,
    name_tables,
)

SALT = "unit-test-salt-0123456789abcdef"
N = 10_000


@pytest.fixture(scope="module")
def drawn() -> list:
    pseudo = Pseudonymizer(SALT)
    return [pseudo(f"email:person{i}@example.net") for i in range(N)]


def test_same_identity_same_pseudonym_across_instances() -> None:
    a, b = Pseudonymizer(SALT), Pseudonymizer(SALT.encode())
    for key in ("name:rich hickey", "email:jane@corp.com", "handle:borkdude", "id:U024BE7LH"):
        assert a(key) == b(key)
        assert a(key).email == b(key).email and a(key).author_id == b(key).author_id


def test_same_pseudonyms_in_another_process() -> None:
    keys = [f"name:person {i}" for i in range(200)]
    here = Pseudonymizer(SALT)
    code = (
        "import json, sys\n"
        "from clojure_data.privacy.pseudonyms import Pseudonymizer\n"
        "p = Pseudonymizer.from_environment()\n"
        "keys = json.load(sys.stdin)\n"
        "print(json.dumps([p(k).full + '|' + p(k).email + '|' + p(k).author_id for k in keys]))\n"
    )
    env = {**os.environ, SALT_ENV: SALT, "PYTHONHASHSEED": "12345"}
    env.pop(SALT_FILE_ENV, None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(keys),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(out.stdout) == [f"{here(k).full}|{here(k).email}|{here(k).author_id}" for k in keys]


def test_different_salts_give_different_pseudonyms() -> None:
    a, b = Pseudonymizer(SALT), Pseudonymizer("another-salt-0123456789abcdef")
    keys = [f"email:user{i}@x.org" for i in range(200)]
    same = sum(a(k).full == b(k).full for k in keys)
    assert same <= 10  # chance collisions only
    assert all(a(k).author_id != b(k).author_id for k in keys)


def test_gender_is_balanced_within_two_percent(drawn: list) -> None:
    female = sum(p.gender == "female" for p in drawn) / N
    assert abs(female - 0.5) <= 0.02


def test_regions_uniform_and_many_locales(drawn: list) -> None:
    tables = name_tables()
    regions = Counter(p.region for p in drawn)
    assert len(regions) == len(tables["regions"]) >= 5
    for share in regions.values():
        assert abs(share / N - 1 / len(regions)) <= 0.02
    locales = Counter(p.locale for p in drawn)
    assert len(locales) >= 10 and set(locales) == set(tables["locales"])
    for region, members in tables["regions"].items():  # locale uniform within its region
        expected = regions[region] / len(members)
        assert all(abs(locales[loc] - expected) <= 0.25 * expected for loc in members), region


def test_names_are_readable_latin_without_titles() -> None:
    tables = name_tables()
    for locale, table in tables["locales"].items():
        for kind, names in table.items():
            assert names, (locale, kind)
            for name in names:
                assert name.casefold() not in TITLES and "." not in name and " " not in name, name
                assert name[0].isupper(), name
                for ch in name:
                    assert ch == "-" or "LATIN" in unicodedata.name(ch), (locale, name)


def test_email_and_handle_are_ascii_and_consistent(drawn: list) -> None:
    for p in drawn[:2000]:
        assert p.email.isascii() and p.email.endswith("@example.org")
        assert p.handle.isascii() and p.handle.replace("_", "").isalnum()
        assert p.email.split("@")[0] == p.handle.replace("_", ".")
        assert len(p.author_id) == 16 and int(p.author_id, 16) >= 0


def test_name_tables_are_frozen_with_their_digest() -> None:
    tables = name_tables()
    body = {k: tables[k] for k in ("version", "regions", "locales")}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert digest == tables["sha256"]
    assert Pseudonymizer(SALT).table_version.startswith(f"v{tables['version']} (sha256 {digest[:12]}")


def test_table_filters() -> None:
    assert readable_latin("Wożniak") and readable_latin("Nguyễn") and readable_latin("Jean-Luc")
    assert not readable_latin("Иван") and not readable_latin("Ɓello") and not readable_latin("O'Brien")
    assert clean(["Dr.", "Mr", "pani", "Ana Maria", "Ana", "Ana", "x", "山田"]) == ["Ana"]
    assert well_known({"Rare": 0.1, "Common": 3.0, "Mid": 1.0}, cap=2) == ["Common", "Mid"]
    assert well_known([f"N{chr(97 + i)}" for i in range(26)], cap=2) == [
        "Na",
        "Nn",
    ]  # spread, not the first 2


def test_ascii_fold() -> None:
    assert ascii_fold("Wożniak Łukasz Straße Ørsted Çetin") == "Wozniak Lukasz Strasse Orsted Cetin"


def test_allowlisted_names_are_never_drawn() -> None:
    plain = Pseudonymizer(SALT)
    target = plain("name:someone")
    guarded = Pseudonymizer(SALT, allowlist=[target.full.upper()])
    assert guarded("name:someone").full != target.full
    assert guarded("name:someone") == guarded("name:someone")


def test_identity_key_normalisation() -> None:
    key = identity_key
    assert key(Participant(name="Rich Hickey")) == key(Participant(name="rich  HICKEY"))
    assert key(Participant(name="Hickey, Rich")) == key(Participant(name="Rich Hickey"))
    assert key(Participant(name="José Núñez")) == key(Participant(name="Jose Nunez"))
    assert key(Participant(name="Rich", email="Rich@X.org")) == "email:rich@x.org"
    assert key(Participant(handle="borkdude")) == "handle:borkdude"
    assert key(Participant(id="U123ABC")) == "id:U123ABC"


def test_salt_from_environment_and_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)
    monkeypatch.setenv(SALT_ENV, SALT)
    assert load_salt() == SALT.encode()
    salt_file = tmp_path / "salt"
    salt_file.write_text("file-salt-0123456789abcdef\n")
    monkeypatch.setenv(SALT_FILE_ENV, str(salt_file))
    assert load_salt() == b"file-salt-0123456789abcdef"
    assert load_salt(str(salt_file)) == b"file-salt-0123456789abcdef"


@pytest.mark.parametrize("setup", ["none", "short", "missing_file"])
def test_no_usable_salt_is_a_one_line_error(
    setup: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(SALT_ENV, raising=False)
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)
    if setup == "short":
        monkeypatch.setenv(SALT_ENV, "abc")
    elif setup == "missing_file":
        monkeypatch.setenv(SALT_FILE_ENV, str(tmp_path / "nope"))
    with pytest.raises(ClojureDataError) as err:
        Pseudonymizer.from_environment()
    message = str(err.value)
    assert "\n" not in message and SALT_ENV in message and "token_hex" in message


def test_tables_other_than_the_pinned_ones_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from clojure_data.errors import ClojureDataError
    from clojure_data.privacy import name_tables as builder
    from clojure_data.privacy import pseudonyms

    real = builder.build

    def other_faker() -> dict:
        return {**real(), "sha256": "0" * 64, "generated_with": "faker 99.0.0"}

    monkeypatch.setattr(builder, "build", other_faker)
    pseudonyms.name_tables.cache_clear()
    try:
        with pytest.raises(ClojureDataError, match="faker 99.0.0 differ from the pinned ones"):
            pseudonyms.name_tables()
    finally:
        pseudonyms.name_tables.cache_clear()
