"""The anonymize pass: known participants replaced everywhere, code left alone, consistent pseudonyms."""

from __future__ import annotations

import copy
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from clojure_data.errors import ClojureDataError
from clojure_data.passes.anonymize import AnonymizePass, participants_of
from clojure_data.privacy.identities import PSEUDONYMS_KEY, Participant, ThreadIdentities
from clojure_data.privacy.literals import clojure_parses
from clojure_data.privacy.pseudonyms import SALT_ENV, SALT_FILE_ENV, Pseudonymizer
from clojure_data.privacy.wordlists import DEFAULT_ALLOWLIST
from clojure_data.record import Document, make_record, message
from clojure_data.registry import sources

SALT = "anonymize-test-salt-0123456789"
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"


@pytest.fixture(autouse=True)
def salt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_ENV, SALT)
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)


def pseudonym(key: str):  # noqa: ANN201 - a Pseudonym
    return Pseudonymizer(SALT)(key)


JANE = pseudonym("name:jane doe")
BOB = pseudonym("name:bob smith")

TEXT = """Subject: core.async question

From: Jane Doe
Date: 2020-01-01

Hi all, I'm Jane. Mail me at jane.doe@corp.com or ping @jdoe; jdoe on GitHub.
Alex Miller said maps are fine, and Alex agreed. Rich Hickey too.
```clojure
(def cfg {:email "jane.doe@corp.com" :author "Jane Doe"})
(swap! jdoe inc) @jdoe (map Jane xs)
```
Thanks Bob Smith! Bob

---

From: Bob Smith
Date: 2020-01-02

Thanks Jane, see `(map inc xs)`; DOE, JANE and jane
doe are the same.
"""


def thread(
    text: str = TEXT, participants: object = None, messages: list | None = None, **extra: object
) -> Document:
    msgs = (
        messages
        if messages is not None
        else [
            message("Jane Doe", "Hi all, I'm Jane. jane.doe@corp.com", author_id="h-jane"),
            message("Bob Smith", "Thanks Jane", author_id="h-bob"),
        ]
    )
    people = (
        participants
        if participants is not None
        else [
            {"name": "Jane Doe", "email": "jane.doe@corp.com", "handle": "jdoe"},
            {"name": "Bob Smith", "email": "bob@x.org"},
        ]
    )
    return make_record(
        "t1",
        text,
        source="test",
        kind="thread",
        title="From Jane Doe",
        messages=msgs,
        _participants=people,
        **extra,
    )


def run(doc: Document, **settings: Any) -> tuple[Document, dict]:
    p = AnonymizePass(**settings)
    (out,) = list(p.apply([doc]))
    return out, p.report()


def test_known_identities_are_replaced_everywhere_in_prose() -> None:
    out, report = run(thread())
    text = out.text
    for leaked in (
        "Jane Doe",
        "jane.doe@corp.com",
        "@jdoe;",
        "jdoe on",
        "Bob Smith",
        "I'm Jane",
        "Thanks Jane",
    ):
        assert leaked not in text, leaked
    assert f"From: {JANE.full}" in text and f"From: {BOB.full}" in text
    assert f"I'm {JANE.first}." in text and f"Mail me at {JANE.email}" in text
    assert f"@{JANE.handle};" in text and f"{JANE.handle} on GitHub" in text
    assert not re.search(r"(?i)jane\s+doe|doe,\s+jane", text)
    assert out.metadata["title"] == f"From {JANE.full}"
    assert report["counts"]["participants_mapped"] == 2
    assert (
        report["counts"]["email"] >= 2
        and report["counts"]["name"] >= 4
        and report["counts"]["first_name"] >= 2
    )


def test_authors_and_author_ids_become_pseudonyms() -> None:
    out, report = run(thread())
    msgs = out.metadata["messages"]
    assert [m["author"] for m in msgs] == [JANE.full, BOB.full]
    assert [m["author_id"] for m in msgs] == [JANE.author_id, BOB.author_id]
    assert msgs[0]["text"] == f"Hi all, I'm {JANE.first}. {JANE.email}"
    assert report["counts"]["authors"] == 2
    assert JANE.full in out.metadata[PSEUDONYMS_KEY] and JANE.email in out.metadata[PSEUDONYMS_KEY]


def test_code_keeps_symbols_but_loses_addresses_and_full_names() -> None:
    out, _ = run(thread())
    code = out.text.split("```clojure\n")[1].split("```")[0]
    assert f'{{:email "{JANE.email}" :author "{JANE.full}"}}' in code
    assert "(swap! jdoe inc) @jdoe (map Jane xs)" in code  # symbols, derefs: untouched
    assert "`(map inc xs)`" in out.text
    assert clojure_parses(code)


def test_handles_in_code_only_inside_strings_and_comments() -> None:
    code = '(def owner "@jdoe") ; ask @jdoe or jdoe\n(swap! jdoe inc) @jdoe \\" @jdoe #"@jdoe"'
    out, _ = run(thread(f"```clojure\n{code}\n```"))
    h = JANE.handle
    assert f'(def owner "@{h}") ; ask @{h} or {h}\n(swap! jdoe inc) @jdoe \\" @jdoe #"@{h}"' in out.text
    assert clojure_parses(out.text.split("```clojure\n")[1].split("```")[0])


def test_names_match_whatever_their_accents_or_width() -> None:
    nfd = unicodedata.normalize("NFD", "José García")
    text = f"José García, Jose Garcia, {nfd}, ＪＯＳＥ ＧＡＲＣＩＡ and 🙂 José\nGarcía; José alone."
    people = [{"name": "José García"}]
    out, report = run(thread(text, people, messages=[]))
    ps = pseudonym("name:jose garcia")
    assert out.text == f"{ps.full}, {ps.full}, {ps.full}, {ps.full} and 🙂 {ps.full}; {ps.first} alone."
    assert report["counts"]["name"] == 5


def test_first_names_in_code_only_inside_strings_and_comments() -> None:
    code = '(defn greet [Jane] (str "Hi Jane")) ; Jane wrote this\n(Jane. 1) Jane/x'
    out, _ = run(thread(f"```clojure\n{code}\n```"))
    first = JANE.first
    expected = f'(defn greet [Jane] (str "Hi {first}")) ; {first} wrote this\n(Jane. 1) Jane/x'
    assert expected in out.text
    assert clojure_parses(out.text.split("```clojure\n")[1].split("```")[0])


def test_pipeline_output_is_identical_for_one_and_two_workers(tmp_path: Path) -> None:
    from clojure_data.pipeline import run as build
    from clojure_data.policy import parse_policy

    builder = sources.get("clojure-mailgroup")()
    policy = parse_policy({"name": "t", "passes": [{"pass": "anonymize"}]})
    digests = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        build(builder, builder.sample_shards(), policy, out, tasks=2, workers=workers, progress=False)
        digests.append([f.read_bytes() for f in sorted((out / "data").glob("*.parquet"))])
    assert digests[0] == digests[1] and digests[0]


def test_code_with_nothing_to_replace_is_byte_identical() -> None:
    code = '```clojure\n(defn jane [doe] (str "hello " doe)) ; greets doe\n```'
    text = f"From: Jane Doe\n\nSee:\n\n{code}\n\nthanks"
    out, report = run(thread(text))
    assert code in out.text
    assert "code_blocks_changed" not in report["counts"]


def test_allowlisted_authors_are_kept_in_prose() -> None:
    people = [
        {"name": "Alex Jones", "email": "aj@x.org"},
        {"name": "Alex Miller", "email": "alex@cognitect.example", "handle": "alexmiller"},
    ]
    msgs = [
        message("Alex Jones", "hi"),
        message("Alex Miller", "Alex Miller here (@alexmiller), alex@cognitect.example"),
    ]
    text = "From: Alex Jones\n\nAs Alex Miller said, and Alex agreed, Rich Hickey's talk.\n"
    out, report = run(thread(text, people, msgs))
    assert "As Alex Miller said, and Alex agreed, Rich Hickey's talk." in out.text  # "Alex" is ambiguous here
    assert "Alex Jones" not in out.text
    miller = out.metadata["messages"][1]
    assert (
        miller["author"] == "Alex Miller" and miller["author_id"] == pseudonym("name:alex miller").author_id
    )
    assert miller["text"].startswith("Alex Miller here (@alexmiller), ") and "cognitect" not in miller["text"]
    assert report["counts"]["participants_allowlisted"] == 1 and report["counts"]["allowlist_kept"] >= 2


def test_first_name_alone_only_when_unambiguous() -> None:
    people = [{"name": "Sam Park"}, {"name": "Sam Lee"}, {"name": "Priya Raman"}]
    text = "Sam Park and Sam Lee disagree; Sam thinks so. Priya agrees."
    out, _ = run(thread(text, people, []))
    park, lee, priya = (pseudonym(k) for k in ("name:sam park", "name:sam lee", "name:priya raman"))
    assert out.text == f"{park.full} and {lee.full} disagree; Sam thinks so. {priya.first} agrees."


def test_same_person_same_pseudonym_across_threads_and_runs() -> None:
    a = thread()
    b = make_record(
        "t2",
        "Jane Doe again, jane.doe@corp.com",
        source="other",
        kind="thread",
        _participants=[{"real_name": "Jane  DOE", "email": "JANE.DOE@corp.com"}],
    )
    out_a, _ = run(a)
    out_b, _ = run(b)
    assert out_b.text == f"{JANE.full} again, {JANE.email}"
    assert out_a.metadata["messages"][0]["author_id"] == JANE.author_id
    again, _ = run(thread())
    assert again.text == out_a.text


def test_different_salt_different_names(monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = run(thread())
    monkeypatch.setenv(SALT_ENV, "a-completely-different-salt-42")
    second, _ = run(thread())
    assert first.text != second.text and JANE.full not in second.text


def test_no_salt_fails_at_construction_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SALT_ENV)
    with pytest.raises(ClojureDataError) as err:
        AnonymizePass()
    assert "\n" not in str(err.value) and SALT_ENV in str(err.value)
    assert AnonymizePass(enabled=False).pseudonymizer is None


def test_salt_file_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SALT_ENV)
    (tmp_path / "salt").write_text(SALT + "\n")
    out, _ = run(thread(), salt_file=str(tmp_path / "salt"))
    assert f"From: {JANE.full}" in out.text


def test_builders_without_participants_still_get_authors_replaced() -> None:
    msgs = [
        message("Dana Scully", "Mulder, it's me. Dana"),
        message("fox_mulder", "hi Dana Scully", author_id="U0FOXM42"),
    ]
    doc = make_record(
        "t3",
        "Dana Scully: Mulder, it's me.\n\nfox_mulder: hi Dana Scully (<@U0FOXM42>)",
        source="test",
        kind="thread",
        messages=msgs,
    )
    out, report = run(doc)
    dana = pseudonym("name:dana scully")
    assert "Dana Scully" not in out.text and "fox_mulder" not in out.text and "U0FOXM42" not in out.text
    assert out.metadata["messages"][0]["author"] == dana.full
    assert out.metadata["messages"][0]["text"] == f"Mulder, it's me. {dana.first}"
    assert report["counts"]["participants_mapped"] == 2


def test_participant_entry_shapes_and_malformed_ones() -> None:
    entries = [
        "jane.doe@corp.com",
        "Bob Smith",
        {"author_id": "U1X2Y3Z4", "username": "@bobby", "names": ["B. S."]},
        {"role": "author"},
        42,
        None,
    ]
    doc = thread(participants=entries)
    counts: Counter[str] = Counter()
    people = participants_of(doc, counts)
    assert Participant(email="jane.doe@corp.com") in people
    assert any(p.id == "U1X2Y3Z4" and p.handle == "bobby" and p.aliases == ("B. S.",) for p in people)
    assert counts["participants_malformed"] == 3
    out, report = run(thread(participants="not a list"))
    assert report["counts"]["participants_malformed"] == 1
    assert "Jane Doe" not in out.text  # message authors still known


@pytest.mark.parametrize(
    "name",
    ["C++ (Guy) [x]*", "a.b|c?d", "🦄 Unicorn 🦄", "Влад Петров", "李 雷", "O'Brien-Smith Jr.", "\\d+ $1"],
)
def test_hostile_names_are_literal(name: str) -> None:
    text = f'Hello {name}! Also in ```(def x "{name}")``` and plain words: Guy, d, 1.'
    out, _ = run(thread(text, [{"name": name}], []))
    p = Participant.from_value({"name": name})
    assert p is not None
    if sum(c.isalpha() for c in name) >= 3:
        assert name not in out.text.split("```")[0]
    assert "plain words: Guy, d, 1." in out.text


@pytest.mark.parametrize("name", ["Clojure", "Map", "Will", "Data"])
def test_common_word_participants_do_not_destroy_prose(name: str) -> None:
    text = (
        f"{name} is great. A {name.lower()} of things. Clojure Map Will Data. Contact {name.lower()}@corp.com"
    )
    out, _ = run(thread(text, [{"name": name, "email": f"{name.lower()}@corp.com"}], []))
    assert out.text.startswith(
        f"{name} is great. A {name.lower()} of things. Clojure Map Will Data. Contact "
    )
    assert f"{name.lower()}@corp.com" not in out.text


def test_last_first_and_wrapped_names() -> None:
    text = "Hickey-fan Ana\nMaria wrote; Maria, Ana replied; ANA MARIA too."
    out, _ = run(thread(text, [{"name": "Maria, Ana"}], []))
    ana = pseudonym("name:ana maria")
    assert out.text == f"Hickey-fan {ana.full} wrote; {ana.full} replied; {ana.full} too."


def test_two_participants_never_share_a_pseudonym_in_a_thread() -> None:
    pseudo = Pseudonymizer(SALT)
    seen: dict[str, str] = {}
    pair = None
    for i in range(5000):
        full = pseudo(f"email:u{i}@x.org").full
        if full in seen:
            pair = (seen[full], f"u{i}@x.org")
            break
        seen[full] = f"u{i}@x.org"
    assert pair is not None
    ids = ThreadIdentities([Participant(email=pair[0]), Participant(email=pair[1])], pseudo)
    assert ids.pseudonyms[0].full != ids.pseudonyms[1].full


def test_mixed_scripts_emoji_and_huge_prose_are_fast() -> None:
    chunk = "Jane Doe 🙂 wrote Привет to jdoe, jane.doe@corp.com; naïve café Jane. "
    text = (chunk * (1_000_000 // len(chunk)))[:1_000_000]
    doc = thread(text)
    start = time.perf_counter()
    out, report = run(doc)
    assert time.perf_counter() - start < 30
    assert "Jane Doe" not in out.text and "jane.doe@corp.com" not in out.text
    assert "🙂 wrote Привет" in out.text and report["counts"]["name"] > 10_000


def test_code_file_records_keep_their_symbols() -> None:
    src = ';; Author: Jane Doe <jane.doe@corp.com>\n(ns jane.core)\n(defn jane [] "Jane")\n'
    doc = make_record(
        "f",
        src,
        source="test",
        kind="code_file",
        _participants=[{"name": "Jane Doe", "email": "jane.doe@corp.com"}],
    )
    out, _ = run(doc)
    expected = f';; Author: {JANE.full} <{JANE.email}>\n(ns jane.core)\n(defn jane [] "{JANE.first}")\n'
    assert out.text == expected  # names in the comment and the string; symbols untouched
    assert clojure_parses(out.text)


def test_real_mailing_list_sample_leaks_no_participant() -> None:
    builder = sources.get("clojure-mailgroup")()
    docs = [
        d for shard in builder.sample_shards() for d in builder.read(shard) if "_rejected" not in d.metadata
    ]
    assert docs
    before = copy.deepcopy(docs)
    p = AnonymizePass()
    after = list(p.apply(docs))
    guard = ThreadIdentities([], Pseudonymizer(SALT), DEFAULT_ALLOWLIST)
    for old, new in zip(before, after, strict=True):
        blob = new.text + "".join(m["text"] or "" for m in new.metadata["messages"])
        for person in participants_of(old):
            if person.email:
                assert person.email not in blob.lower()
            for name in person.names:
                if len(name.split()) >= 2 and not guard.allowlisted(person):
                    assert name.lower() not in blob.lower(), name
    assert "code_parse_broken" not in p.report()["counts"]


def test_real_clojurians_logs_leak_no_full_name_or_address() -> None:
    if not (REALDATA / "clojurians" / "logs").is_dir():
        pytest.skip("../shared/realdata is absent")
    builder = sources.get("clojurians-chat")()
    docs = [
        d
        for s in builder.shards(REALDATA / "clojurians")
        for d in builder.read(s)
        if "_rejected" not in d.metadata
    ]
    before = copy.deepcopy(docs)
    p = AnonymizePass()
    start = time.perf_counter()
    after = list(p.apply(docs))
    assert time.perf_counter() - start < 20
    guard = ThreadIdentities([], Pseudonymizer(SALT), DEFAULT_ALLOWLIST)
    for old, new in zip(before, after, strict=True):
        for person in participants_of(old):
            if guard.allowlisted(person):
                continue
            assert not person.email or person.email not in new.text.lower()
            for name in person.names:
                if len(name.split()) >= 2:
                    assert not re.search(re.escape(name), new.text, re.IGNORECASE), name
    assert "code_parse_broken" not in p.report()["counts"]
