"""The likeness pass: family and appearance sentences redacted in prose, code and tech talk kept."""

from __future__ import annotations

import pytest

from clojure_data.errors import ClojureDataError
from clojure_data.passes.likeness import LikenessPass
from clojure_data.record import make_record


def run(text: str, **settings: object) -> tuple[str, dict[str, int]]:
    p = LikenessPass(**settings)  # type: ignore[arg-type]
    out = next(iter(p.apply([make_record("1", text, source="t", kind="document")])))
    return out.text, p.report()["counts"]


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("My daughter starts school next week.", "family"),
        ("my wife's laptop runs Windows.", "family"),
        ("I have two kids so evenings are short.", "family"),
        ("I'm a dad now, so less hacking.", "family"),
        ("Our newborn keeps us up.", "family"),
        ("my 3-year-old pressed the keys.", "family"),
        ("I have green eyes.", "appearance"),
        ("My hair is going grey from this bug.", "appearance"),
        ("I'm 6'2 tall.", "appearance"),
        ("I weigh 80 kg.", "appearance"),
        ("I'm bald, so no hair jokes.", "appearance"),
    ],
)
def test_rules_redact_the_sentence(sentence: str, label: str) -> None:
    out, counts = run(f"Hi all. {sentence} Anyway, `map` is lazy.")
    assert out == f"Hi all. [redacted: {label}] Anyway, `map` is lazy."
    assert counts[label] == 1 and counts["records_with_likeness"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "My parent component re-renders when the child component changes.",
        "Our child process exits early; the parent node keeps the lock.",
        "This is my sister project to reagent.",
        "Baby steps: first make the REPL work.",
        "The family of functions in clojure.set is small.",
        "I'm short on time today.",
        "I have a question about eyes in the UI.",
    ],
)
def test_technical_uses_kept(text: str) -> None:
    assert run(text)[0] == text


def test_code_is_never_touched() -> None:
    text = '```\n(def my-wife "Ann") ; my daughter wrote this\n```\nand `(my kids)`'
    assert run(text)[0] == text


def test_thread_messages_redacted_and_counted_once() -> None:
    doc = make_record(
        "t",
        "A: my son broke the build.",
        source="t",
        kind="thread",
        messages=[{"author": "A", "text": "my son broke the build."}],
    )
    p = LikenessPass()
    out = next(iter(p.apply([doc])))
    assert out.text == "A: [redacted: family]" and out.metadata["messages"][0]["text"] == "[redacted: family]"
    assert p.report()["counts"]["family"] == 1


def test_categories_configurable() -> None:
    text = "I have green eyes. My son too."
    assert run(text, categories=["family"])[0] == "I have green eyes. [redacted: family]"
    with pytest.raises(ClojureDataError):
        LikenessPass(categories=["shoe_size"])
