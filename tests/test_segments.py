"""Tests for clojure_data.segments: lossless prose/code splitting."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clojure_data.segments import CodeSpans, Segment, map_prose, segment, whole_file_code


def code(text: str) -> list[tuple[str | None, str]]:
    """The code segments of ``text`` as (code_kind, text)."""
    return [(s.code_kind, s.text) for s in segment(text) if s.is_code]


def check_invariants(text: str) -> list[Segment]:
    segs = segment(text)
    assert "".join(s.text for s in segs) == text
    pos = 0
    for i, s in enumerate(segs):
        assert s.text, "no empty segments"
        assert s.start == pos and text[s.start : s.end] == s.text
        assert (s.code_kind is None) == (s.kind == "prose")
        if i:
            assert not (s.kind == "prose" and segs[i - 1].kind == "prose"), "prose segments are merged"
        pos = s.end
    return segs


# -- fences ---------------------------------------------------------------------------------------


def test_markdown_fence_with_language_tag() -> None:
    text = "Try this:\n\n```clojure\n(defn f [x]\n  (> x 1))\n```\n\nThanks"
    assert code(text) == [("fenced", "```clojure\n(defn f [x]\n  (> x 1))\n```")]


def test_slack_fence_closes_mid_line_and_opens_mid_line() -> None:
    text = "here's a REPL session... ```\nboot.user=> (inc 1)\n2\nboot.user=>``` and more"
    assert code(text) == [("fenced", "```\nboot.user=> (inc 1)\n2\nboot.user=>```")]
    assert code("```(let [a 1] a)``` ok") == [("fenced", "```(let [a 1] a)```")]


def test_unterminated_fence_is_code_to_the_end() -> None:
    text = "look:\n```\n(defn broken [x]\n-- \nnot a signature"
    assert code(text) == [("fenced", "```\n(defn broken [x]\n-- \nnot a signature")]


def test_longer_fence_contains_shorter_runs() -> None:
    text = '````\n(str "```")\n````\nafter'
    assert code(text) == [("fenced", '````\n(str "```")\n````')]


def test_backtick_inside_slack_fence() -> None:
    assert code("do ``` `(do ~@body)``` there") == [("fenced", "``` `(do ~@body)```")]


# -- inline ---------------------------------------------------------------------------------------


def test_inline_code_spans() -> None:
    text = "use `into` and ``a`b`` but not `this\n\nacross` a blank line"
    assert code(text) == [("inline", "`into`"), ("inline", "``a`b``")]


def test_inline_code_may_wrap_a_single_line() -> None:
    assert code("a `(foo\nbar)` b") == [("inline", "`(foo\nbar)`")]


def test_unmatched_backtick_is_prose() -> None:
    assert code("we won`t do it") == []


# -- HTML tags ------------------------------------------------------------------------------------


def test_pre_and_code_tags() -> None:
    text = "<p>Call <code>(inc 1)</code></p><pre><code>(defn a [])\n\n(b)</code></pre> end"
    assert code(text) == [
        ("inline", "<code>(inc 1)</code>"),
        ("pre", "<pre><code>(defn a [])\n\n(b)</code></pre>"),
    ]


def test_unterminated_pre_and_long_code_are_prose() -> None:
    assert code("the <pre> tag is for code") == []
    assert code("a <code> tag\n\nand later </code>") == []


# -- indented -------------------------------------------------------------------------------------


def test_mail_indented_code_after_blank_line() -> None:
    text = "Hi,\n\nTry this:\n\n    (defn f [x]\n\n      (inc x))\n\nthanks\n"
    assert code(text) == [("indented", "    (defn f [x]\n\n      (inc x))")]


def test_indented_code_needs_a_blank_line_before() -> None:
    assert code("para\n    (foo 1)\n") == []
    assert code("    (foo 1)\nrest") == [("indented", "    (foo 1)")]
    assert code("x\n\n\t(foo 1)\n") == [("indented", "\t(foo 1)")]


def test_indented_prose_is_not_code() -> None:
    assert code("Which rights do you need?\n\n\tJesus\n") == []  # an indented sign-off
    assert code("text\n\n    > quoted\n    > more\n") == []


def test_list_continuation_is_not_code_unless_it_starts_like_code() -> None:
    assert code("- first item\n\n    continues (like) this\n") == []
    text = "1. run this:\n\n    (require '[clojure.string :as str])\n"
    assert code(text) == [("indented", "    (require '[clojure.string :as str])")]


def test_crlf_indented_code() -> None:
    segs = check_invariants("a\r\n\r\n    (foo 1)\r\n\r\nb\r\n")
    assert [(s.code_kind, s.text) for s in segs if s.is_code] == [("indented", "    (foo 1)")]


# -- REPL and bare forms --------------------------------------------------------------------------


def test_repl_session_with_output_stops_at_prose() -> None:
    text = "user=> (+ 1 2)\n3\nuser=> (map inc [1 2])\n(2 3)\nSo as you see it works.\n"
    assert code(text) == [("repl", "user=> (+ 1 2)\n3\nuser=> (map inc [1 2])\n(2 3)")]


def test_repl_exception_output() -> None:
    text = (
        "cljs.user=> (/ 1 0)\nExecution error (ArithmeticException) at user/eval1 (REPL:1).\nDivide by zero\n"
    )
    assert code(text)[0][1].startswith("cljs.user=> (/ 1 0)\nExecution error")


def test_bare_multiline_form_with_strings_comments_and_chars() -> None:
    text = 'Like so:\n(defn f\n  "Doc (with parens"\n  [x] ; a comment )\n  (str x \\())\nDone.'
    assert code(text) == [("repl", '(defn f\n  "Doc (with parens"\n  [x] ; a comment )\n  (str x \\())')]


def test_form_followed_by_result_comment() -> None:
    assert code("(+ 1 2) ;=> 3\n(inc 1) => 2\n") == [("repl", "(+ 1 2) ;=> 3\n(inc 1) => 2")]


@pytest.mark.parametrize(
    "text",
    [
        "(see above)\n",
        "(This is a long aside that\nwraps onto the next line) and goes on.\n",
        "(e.g. like this)\n",
        "(an unbalanced aside\n\nnext paragraph)\n",
        "(1) first point\n",
    ],
)
def test_parenthetical_prose_is_not_code(text: str) -> None:
    assert code(text) == []


# -- API ------------------------------------------------------------------------------------------


def test_map_prose_leaves_code_byte_identical() -> None:
    text = "say `hi` then\n\n```\n(hi there)\n```\nbye"
    assert map_prose(text, str.upper) == "SAY `hi` THEN\n\n```\n(hi there)\n```\nBYE"


def test_whole_file_code() -> None:
    assert whole_file_code("(ns a)\n") == [Segment("code", "(ns a)\n", 0, "file")]
    assert whole_file_code("") == []


def test_code_spans_overlap_queries() -> None:
    text = "a `b` c ```d``` e"
    spans = CodeSpans(segment(text))
    assert [s.text for s in spans.overlapping(0, len(text))] == ["`b`", "```d```"]
    assert not spans.touches(0, 2)
    assert spans.touches(4, 5)
    assert spans.overlapping(8, 9)[0].code_kind == "fenced"


def test_empty_and_unicode() -> None:
    assert segment("") == []
    text = 'Grüße 😀 — `(println "日本語")` 👍🏽 مرحبا'
    assert code(text) == [("inline", '`(println "日本語")`')]
    check_invariants(text)


# -- properties and hostile inputs ----------------------------------------------------------------

_PIECES = st.sampled_from(
    ["`", "``", "```", "````", "(", ")", "[", "{", "}", '"', "\\", ";", ">", "> ", "user=> ", "=>",
     "<pre>", "</pre>", "<code>", "</code>", "\n", "\r\n", "\n\n", "    ", "\t", "- ", "1. ", "a",
     "defn", " ", "é", "😀"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=60).map("".join))
@settings(max_examples=400, deadline=None)
def test_segmentation_is_lossless_and_well_formed(text: str) -> None:
    check_invariants(text)


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_text_is_lossless(text: str) -> None:
    check_invariants(text)


_MB = 1_000_000
_HOSTILE = {
    "words": "word " * (_MB // 5),
    "one_backticks": "a ` b " * (_MB // 6),
    "mixed_backticks": "`` x ` " * (_MB // 7),
    "unclosed_fence": "```" + "x" * _MB,
    "pre_without_close": "<pre x " * (_MB // 7),
    "code_across_blanks": "<code> a\n\n" * (_MB // 10),
    "open_parens_one_line": "(" * _MB,
    "open_parens_lines": "(a\n" * (_MB // 3),
    "open_strings": '(a "\n' * (_MB // 5),
    "prompts": "user=> (a\n" * (_MB // 10),
    "indented_prose": "\n    x\n" * (_MB // 7),
    "newlines": "\n" * _MB,
    "crlf": "\r\n" * (_MB // 2),
    "long_form": "(defn f [x] " + "(inc x) " * (_MB // 8) + ")",
}


@pytest.mark.parametrize("name", sorted(_HOSTILE))
def test_one_megabyte_inputs_are_linear(name: str) -> None:
    text = _HOSTILE[name]
    started = time.perf_counter()
    segs = segment(text)
    elapsed = time.perf_counter() - started
    assert "".join(s.text for s in segs) == text
    assert elapsed < 5, f"{name}: {elapsed:.1f}s for 1 MB (quadratic?)"
