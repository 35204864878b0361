"""Disguised e-mail addresses (``privacy.obfuscated_email``) through the pii pass.

Separate from ``test_pii.py`` only to keep files short; same fixtures (salt set, network off).
"""

from __future__ import annotations

import time

import pytest

from clojure_data.passes.pii import PiiPass
from clojure_data.privacy.obfuscated_email import ObfuscatedEmailRecognizer, plain_address
from clojure_data.privacy.pseudonyms import Pseudonymizer
from clojure_data.record import make_record


def found(text: str, code: bool = False) -> list[str]:
    r = ObfuscatedEmailRecognizer(code=code)
    return [text[x.start : x.end] for x in r.analyze(text)]


@pytest.mark.parametrize(
    ("text", "address", "plain"),
    [
        ("mail john(at)smith(dot)com please", "john(at)smith(dot)com", "john@smith.com"),
        ("write john [at] smith [dot] com", "john [at] smith [dot] com", "john@smith.com"),
        ("or john at smith dot com.", "john at smith dot com", "john@smith.com"),
        (
            "via jorge dot castro at gmail dot com",
            "jorge dot castro at gmail dot com",
            "jorge.castro@gmail.com",
        ),
        ("john @ smith . com", "john @ smith . com", "john@smith.com"),
        ("Honnza @ gmail.com", "Honnza @ gmail.com", "Honnza@gmail.com"),
        ("see john-AT-smith.co.uk", "john-AT-smith.co.uk", "john@smith.co.uk"),
        ("me{at}host.io", "me{at}host.io", "me@host.io"),
        ("From: jgb at gsyc.es (Jesus)", "jgb at gsyc.es", "jgb@gsyc.es"),
        ("goran at domain.com wrote:", "goran at domain.com", "goran@domain.com"),
        ("Andy <andy at example.com>:", "andy at example.com", "andy@example.com"),
        ("by john.smith at gmail.com", "john.smith at gmail.com", "john.smith@gmail.com"),
        ("Google Groups: jo...@gmail.com", "jo...@gmail.com", "jo...@gmail.com"),
    ],
)
def test_disguised_forms_are_found_and_read_back(text: str, address: str, plain: str) -> None:
    assert found(text) == [address]
    assert plain_address(address) == plain


@pytest.mark.parametrize(
    "text",
    [
        "look at this dot product",
        "the meeting at noon dot com bubble",
        "it is hosted at maven.example.org",
        "ask me at stackoverflow.com",
        "developer at www.siscog.pt",
        "we moved over at english.SE",
        "Software Engineer @ Medallia.",
        "workshop @ AmsterdamJS '18",
        "Screenshot 2018-02-01 at 9.03.59",
        "github.com/alex/peek-at-clojure",
        "(swap! state @ foo)",
        "(get-in m [:a :at])",
    ],
)
def test_sentences_that_only_look_disguised_stay(text: str) -> None:
    assert found(text) == []


def test_in_code_only_unambiguous_forms() -> None:
    assert found('(def maintainer "wendy(at)example(dot)net")', code=True) == ["wendy(at)example(dot)net"]
    assert found(";; bugs to ana-AT-example.org", code=True) == ["ana-AT-example.org"]
    assert found('(def m "john at smith dot com")', code=True) == []
    assert found('(str "john @ smith.com")', code=True) == []


def test_pass_gives_a_disguised_address_the_plain_address_pseudonym() -> None:
    p = PiiPass(require_ner=False)
    text = 'Write to john(at)smith(dot)com or john@smith.com\n\n```\n(def owner "john[at]smith.com")\n```'
    (out,) = p.apply([make_record("d", text, source="t", kind="document")])
    email = Pseudonymizer.from_environment()("email:john@smith.com").email
    assert out.text == f'Write to {email} or {email}\n\n```\n(def owner "{email}")\n```'


def test_known_participant_disguised_address_gets_their_stand_in() -> None:
    people = [{"name": "Trevor Hartman", "email": "devth@corp.io"}]
    doc = make_record("t", "From: devth at corp.io (Trevor)", source="t", kind="thread", _participants=people)
    (out,) = PiiPass(require_ner=False, entities=["EMAIL_ADDRESS"]).apply([doc])
    ps = Pseudonymizer.from_environment()("name:trevor hartman")
    assert out.text == f"From: {ps.email} (Trevor)"


def test_project_list_address_disguised_is_kept() -> None:
    text = "ask on clojure (at) googlegroups (dot) com"
    (out,) = PiiPass(require_ner=False, entities=["EMAIL_ADDRESS"]).apply(
        [make_record("d", text, source="t", kind="document")]
    )
    assert out.text == text


def test_many_at_words_stay_fast() -> None:
    text = "look at that at this at " * 20_000 + "x (at) y"
    start = time.perf_counter()
    assert found(text) == []
    assert time.perf_counter() - start < 5
