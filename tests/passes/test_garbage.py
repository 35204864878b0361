"""Tests for the garbage pass: what it strips, and that code survives byte-identical."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clojure_data.passes.garbage import GarbageConfig, GarbagePass, clean_text
from clojure_data.record import Document, make_record, message
from clojure_data.registry import passes
from clojure_data.segments import segment

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
SIG = "-- "  # the RFC 3676 delimiter; its trailing space is written out so editors keep it

FENCED = f"""```clojure
(defn between? [lo x hi]
  ;; > and < are comparisons, not quotes or tags
  (and (< lo x) (> hi x)))
{SIG}
> (between? 1 2 3)
<b>true</b> &amp; friends
```"""

GG_FOOTER = f"""{SIG}
You received this message because you are subscribed to the Google
Groups "Clojure" group.
To post to this group, send email to clojure@googlegroups.com
Note that posts from new members are moderated - please be patient with your first post.
To unsubscribe from this group, send email to
clojure+unsubscribe@googlegroups.com
For more options, visit this group at
http://groups.google.com/group/clojure?hl=en
---{" "}
You received this message because you are subscribed to the Google Groups "Clojure" group.
To unsubscribe from this group and stop receiving emails from it, send an email to \
clojure+unsubscribe@googlegroups.com.
To view this discussion on the web visit https://groups.google.com/d/msgid/clojure/CAF%40mail.gmail.com.
For more options, visit https://groups.google.com/d/optout.
"""

REPLY = f"""Hi Alice,

You can write it like this:

{FENCED}

or with an indented block:

    (filter #(> % 2) [1 2 3])
    -- not a signature

Cheers,
Bob

On Mon, Feb 5, 2018 at 10:12 AM, Alice Example <alice@example.com>
wrote:

> How do I check that a number is in a range?
>
> > nested quote from an earlier message
>> and a tighter one
> --
> Alice

{SIG}
Bob Example
Senior Parenthesis Engineer, Example Corp

{GG_FOOTER}"""


def doc(text: str, kind: str = "post", **fields: Any) -> Document:
    return make_record("r1", text, source="test", kind=kind, **fields)


def clean(text: str, **settings: Any) -> str:
    return clean_text(text, GarbageConfig(**settings))[0]


# -- a realistic reply ----------------------------------------------------------------------------


def test_realistic_reply_is_cleaned_and_code_kept_byte_identical() -> None:
    out, counts = clean_text(REPLY)
    assert FENCED in out
    assert "    (filter #(> % 2) [1 2 3])\n    -- not a signature" in out
    assert out.startswith("Hi Alice,\n\nYou can write it like this:")
    assert out.endswith("Cheers,\nBob")
    for gone in ("wrote:", "How do I check", "nested quote", "Senior Parenthesis", "googlegroups", "optout"):
        assert gone not in out
    assert counts["quote_lines"] == 6
    assert counts["quote_leadins"] == 1
    assert counts["signatures"] == 1
    assert counts["footers"] == 1
    assert "\n\n\n" not in out


def test_cleaning_is_idempotent() -> None:
    once = clean(REPLY)
    assert clean(once) == once


# -- quotes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "leadin",
    [
        "On Mon, Feb 5, 2018 at 10:12 AM, Alice <alice@example.com> wrote:",
        "On 05/02/2018 10:12, Alice Example wrote:",
        "On Feb 5, 2018, at 10:12, Alice <alice@example.com> wrote:",
        "On Mon, Feb 5, 2018 at 10:12 AM Alice Example <\nalice@example.com> wrote:",
        "Le lun. 5 févr. 2018 à 10:12, Alice <alice@example.com> a écrit :",
        "Am 05.02.2018 um 10:12 schrieb Alice Example <alice@example.com>:",
        "El lun., 5 feb. 2018 a las 10:12, Alice (<alice@example.com>) escribió:",
        "2015-11-15 23:43 GMT+01:00 Jesus M. Gonzalez-Barahona <jgb at example.com>:",
        "Alice Example <alice@example.com> writes:",
        "Yesterday at 15:02, Simos Xenitellis wrote:",
    ],
)
def test_quote_lead_ins(leadin: str) -> None:
    text = f"Sounds good.\n\n{leadin}\n\n> the original\n> message\n"
    assert clean(text) == "Sounds good."


def test_lead_in_without_a_quote_is_prose() -> None:
    text = "Rich wrote: (reduce + xs) is idiomatic.\nOn Monday, she wrote:\nlet me know"
    assert clean(text) == text


def test_interleaved_reply_keeps_the_answers() -> None:
    text = "> question one?\nanswer one\n\n> question two?\n>> older\nanswer two\n"
    out, counts = clean_text(text)
    assert out == "answer one\n\nanswer two"
    assert counts["quote_lines"] == 3


def test_quoted_code_goes_with_the_quote_but_unquoted_code_with_gt_lines_stays() -> None:
    quoted = "My answer.\n\n> ```clojure\n> (defn f [])\n> ```\n"
    assert clean(quoted) == "My answer."
    unquoted = "Output:\n```\n> (+ 1 2)\n3\n```\n"
    assert clean(unquoted) == unquoted


def test_code_stays_protected_when_a_removal_changes_its_context() -> None:
    # without the quote, the indented block reads as the list item's continuation (prose); it was
    # code in the original, so tidying must still leave its blank lines alone
    block = "    total (reduce + xs)\n\n\n\n    avg (/ total n)"
    out = clean(f"- item\n\n> quoted\n\n{block}\n")
    assert out == f"- item\n\n{block}"


def test_quotes_can_be_kept() -> None:
    text = "> a cited error message\nexplanation"
    assert clean(text, strip_quotes=False) == text


# -- signatures -----------------------------------------------------------------------------------


def test_signature_block() -> None:
    assert clean("Thanks!\n\n-- \nJane Doe\nhttps://jane.example.com\n") == "Thanks!"
    assert clean("Thanks!\n--\nJane\n") == "Thanks!"


def test_signature_stops_at_a_blank_line_and_must_be_short() -> None:
    assert clean("Hi\n-- \nJane\n\nP.S. more text\n") == "Hi\n\nP.S. more text"
    long_block = "Hi\n--\n" + "".join(f"line {i} of an ordinary paragraph\n" for i in range(10))
    assert clean(long_block) == long_block


@pytest.mark.parametrize(
    "line", ["Sent from my iPhone", "Sent from my Galaxy S8.", "Get Outlook for Android"]
)
def test_mobile_signatures(line: str) -> None:
    out, counts = clean_text(f"Yes, that works.\n\n{line}\n")
    assert out == "Yes, that works."
    assert counts["signatures"] == 1


# -- footers --------------------------------------------------------------------------------------


def test_google_groups_footer_alone() -> None:
    out, counts = clean_text("Short answer: yes.\n\n" + GG_FOOTER)
    assert out == "Short answer: yes."
    assert counts["footers"] == 1


def test_topic_subscription_footer() -> None:
    footer = (
        "--\nYou received this message because you are subscribed to a topic in the Google Groups "
        '"Clojure" group.\nTo unsubscribe from this topic, visit '
        "https://groups.google.com/d/topic/clojure/abc/unsubscribe.\n"
    )
    assert clean("ok\n" + footer) == "ok"


def test_mailman_and_pipermail_footers() -> None:
    text = (
        "See the PR.\n"
        "_______________________________________________\n"
        "Metrics-Grimoire mailing list\n"
        "Metrics-Grimoire at lists.libresoft.es\n"
        "https://lists.libresoft.es/listinfo/metrics-grimoire\n"
        "-------------- next part --------------\n"
        "An HTML attachment was scrubbed...\n"
        "URL: <http://lists.libresoft.es/pipermail/attachment.htm>\n"
    )
    assert clean(text) == "See the PR."


def test_extra_footer_regexes() -> None:
    text = "Answer.\n\nThis list is sponsored by ACME.\n"
    assert clean(text, extra_footers=[r"This list is sponsored by \w+\."]) == "Answer."
    with pytest.raises(ValueError, match="extra_footers"):
        GarbagePass(extra_footers=["(unclosed"])


def test_footer_inside_an_unterminated_fence_is_code() -> None:
    text = "```\n(foo)\n" + GG_FOOTER
    assert clean(text) == text


# -- HTML -----------------------------------------------------------------------------------------


def test_html_tags_and_entities_in_prose() -> None:
    text = '<p>Use <b>assoc</b> &amp; <a href="https://clojure.org/api">the docs</a>&nbsp;please.</p><br/>Bye'
    out, counts = clean_text(text)
    assert out == "Use assoc & the docs (https://clojure.org/api) please.\n\nBye"
    assert counts["html_tags"] == 7 and counts["html_entities"] == 2


def test_html_lookalikes_survive() -> None:
    text = "Mail <jane@example.com>, see <https://x.org|x>, if a <b and c> d, url?a=1&copy=2, Map<K,V>"
    assert clean(text) == text


def test_script_style_and_comments_are_removed() -> None:
    text = "<style>p { color: red }</style>Hello<!-- tracking --> world<script>alert(1)</script>"
    assert clean(text) == "Hello world"


def test_html_inside_code_is_untouched() -> None:
    text = "Template:\n```html\n<p>Hi &amp; bye</p>\n```\nand <code>&lt;div&gt;</code> and `<br>`"
    assert clean(text) == text


# -- pasted headers -------------------------------------------------------------------------------


def test_outlook_header_block() -> None:
    text = (
        "Agreed, ship it.\n\n"
        "-----Original Message-----\n"
        "From: Alice Example [mailto:alice@example.com]\n"
        "Sent: Monday, February 05, 2018 10:12 AM\n"
        "To: clojure@googlegroups.com;\n"
        "  bob@example.com\n"
        "Subject: Re: ranges\n\n"
        "Original text.\n"
    )
    out, counts = clean_text(text)
    assert out == "Agreed, ship it.\n\nOriginal text."
    assert counts["header_blocks"] == 1


def test_forwarded_header_block_in_german() -> None:
    text = (
        "FYI\n\n---------- Weitergeleitete Nachricht ----------\n"
        "Von: A <a@b.de>\nDatum: 5. Feb.\nBetreff: x\nAn: c\n\nBody"
    )
    assert clean(text) == "FYI\n\nBody"


def test_two_rendered_header_lines_are_not_a_block() -> None:
    text = "From: Alice\nDate: 2018-02-05\n\nHello"
    assert clean(text) == text


# -- the pass -------------------------------------------------------------------------------------


def test_pass_is_registered() -> None:
    assert passes.get("garbage") is GarbagePass


def test_pass_outcomes_and_counts_add_up() -> None:
    docs = [
        doc("plain text, nothing to strip"),
        doc(REPLY),
        doc("> only a quote\n> of someone else\n"),
        doc("-- \nJust A. Signature\n"),
        make_record("c1", "> not a quote in a file\n-- \n", source="test", kind="code_file"),
        doc("tiny", min_chars=0),
    ]
    garbage = GarbagePass(min_chars=5)
    kept = list(garbage.apply(docs))
    report = garbage.report()
    assert report["in"] == 6
    assert report["in"] == report["kept"] + report["changed"] + sum(report["dropped"].values())
    assert report["dropped"] == {"empty_after_cleaning": 3}
    assert report["changed"] == 1 and report["kept"] == 2
    assert report["counts"]["quote_lines"] == 8
    assert [d.id for d in kept] == ["r1", "r1", "c1"][: len(kept)]
    assert kept[-1].text == "> not a quote in a file\n-- \n"


def test_thread_messages_are_cleaned_and_empty_ones_dropped() -> None:
    msgs = [
        message("Alice", "How do I check ranges?\n\n-- \nAlice\n"),
        message("Bob", "> How do I check ranges?\n"),  # nothing of its own
        message("Carol", "Use `<`:\n\n    (< 1 x 3)\n\nOn Mon, Alice wrote:\n> How do I check ranges?\n"),
    ]
    parts = [f"From: {m['author']}\nDate: (unknown)\n\n{m['text']}" for m in msgs]
    text = "Subject: ranges\n\n" + "\n\n---\n\n".join(parts)
    thread = doc(text, kind="thread", messages=msgs)
    garbage = GarbagePass()
    [out] = list(garbage.apply([thread]))
    assert [m["author"] for m in out.metadata["messages"]] == ["Alice", "Carol"]
    assert out.metadata["messages"][0]["text"] == "How do I check ranges?"
    assert out.metadata["messages"][1]["text"] == "Use `<`:\n\n    (< 1 x 3)"
    assert "From: Carol" in out.text and "(< 1 x 3)" in out.text and "wrote:" not in out.text
    assert garbage.report()["counts"]["empty_messages"] == 1
    assert garbage.report()["changed"] == 1


def test_thread_dropped_when_every_message_is_empty() -> None:
    msgs = [message("Bob", "> quoted only\n"), message("Eve", "")]
    thread = doc("Subject: x\n\nFrom: Bob\n\n> quoted only\n", kind="thread", messages=msgs)
    garbage = GarbagePass()
    assert list(garbage.apply([thread])) == []
    assert garbage.report()["dropped"] == {"empty_after_cleaning": 1}


def test_disabled_pass_keeps_everything() -> None:
    garbage = GarbagePass(enabled=False)
    assert len(list(garbage.apply([doc("> x")]))) == 1
    assert garbage.report()["kept"] == 1


# -- hostile inputs -------------------------------------------------------------------------------


def test_one_megabyte_single_line() -> None:
    line = "<b>word</b> &amp; (x) `y` " * 40_000  # about 1 MB without a line break
    started = time.perf_counter()
    out, counts = clean_text(line + "\n-- \nsig")
    assert time.perf_counter() - started < 10
    assert "sig" not in out and "<b>" not in out and out.count("`y`") == 40_000
    assert counts["html_tags"] == 80_000
    garbage = GarbagePass()
    assert list(garbage.apply([doc("> " + line)])) == []  # one huge quote: nothing left
    assert garbage.report()["dropped"] == {"empty_after_cleaning": 1}


def test_only_quotes_only_signature_only_footer() -> None:
    texts = ["> a\n>> b\n> c", f"{SIG}\nJane Doe\n", GG_FOOTER]
    assert [clean(text) for text in texts] == ["", "", ""]
    garbage = GarbagePass()
    assert list(garbage.apply([doc(text) for text in [*texts, "\n\n  \n", ""]])) == []
    assert garbage.report()["dropped"] == {"empty_after_cleaning": 5}


def test_unterminated_fence_with_quote_marks_inside() -> None:
    text = "Like this:\n```\n(cond-> x\n> (pos? x) inc"
    assert clean(text) == text


def test_emoji_mixed_scripts_and_crlf() -> None:
    text = (
        'Привет 👋🏽, 你好 — مرحبا\r\n\r\n    (str "😀")\r\n\r\n'
        "On Mon, Ana wrote:\r\n> старое\r\n\r\n-- \r\nAna\r\n"
    )
    assert clean(text) == 'Привет 👋🏽, 你好 — مرحبا\r\n\r\n    (str "😀")'


def test_crlf_footer() -> None:
    assert clean("ok\r\n" + GG_FOOTER.replace("\n", "\r\n")) == "ok"


# -- property: code outside quotes is byte-identical ----------------------------------------------

_CODE_BLOCKS = [
    "```\n(> a b)\n-- \n> not a quote\n```",
    "```clojure\n<p>html &amp; entities</p>\nSent from my iPhone\n```",
    "`(< a b)`",
    '<pre>-- \nYou received this message because you are subscribed to the Google Groups "x" group.</pre>',
    "```(defn f [x]\n  (when (> x 0) x))```",
]
_PROSE_BLOCKS = [
    "Thanks for the help!",
    "> quoted line",
    ">> deeper quote",
    "On Mon, Feb 5, 2018 at 10:12 AM, Alice <a@example.com> wrote:",
    "-- \nJane",
    "Sent from my iPhone",
    GG_FOOTER.strip(),
    "<p>para &amp; <b>bold</b></p>",
    "From: A\nSent: Monday\nTo: B\nSubject: C",
    "",
]


@given(st.lists(st.one_of(st.sampled_from(_CODE_BLOCKS), st.sampled_from(_PROSE_BLOCKS)), max_size=12))
@settings(max_examples=300, deadline=None)
def test_code_blocks_survive_in_order(blocks: list[str]) -> None:
    text = "\n\n".join(blocks)
    out = clean(text)
    pos = 0
    for block in blocks:
        if block in _CODE_BLOCKS:
            found = out.find(block, pos)
            assert found >= 0, f"code block lost or changed: {block!r}"
            pos = found + len(block)


_PIECES = [
    "`", "``", "```", "(defn f [x] (> x 1))", "(", ")", "[", '"', ";", ">", "> ", ">> ", "user=> ", "<pre>",
    "</pre>", "<code>", "</code>", "<b>", "</p>", "<br>", "&amp;", "&gt;", "\n", "\r\n", "\n\n", "    ", "\t",
    "- ", "a", "word ", SIG, "--", "---", "On Mon, Bob wrote:", "Sent from my iPhone", "é",
    GG_FOOTER.split("\n")[1], "From: a\nSent: b\nTo: c\nSubject: d", "For more options, visit https://x.org/optout.",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
@settings(max_examples=500, deadline=None)
def test_code_not_on_quoted_lines_survives_anything(text: str) -> None:
    out = clean(text)
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    for seg in (s for s in segment(text) if s.is_code):
        first = max(s for s in line_starts if s <= seg.start)  # the line the segment starts on
        if not any(text.startswith(">", s) for s in line_starts if first <= s < seg.end):
            assert seg.text in out, f"{seg.text!r} lost from {text!r}"  # only quoted code may go


# -- real data ------------------------------------------------------------------------------------


@pytest.mark.skipif(not (REALDATA / "mbox").is_dir(), reason="../shared/realdata not present")
def test_real_pipermail_replies() -> None:
    raw = (REALDATA / "mbox" / "pipermail_2015_november.mbox").read_text(encoding="utf-8", errors="replace")
    bodies = [part.split("\n\n", 1)[1] for part in raw.split("\nFrom ")[1:]]
    cleaned = [clean(body) for body in bodies]
    assert cleaned[0].startswith("This is cool, Andy.")
    assert (
        cleaned[-1]
        == "I thought: Just do it.\nAnd here is the result:\nhttps://github.com/MetricsGrimoire/sortinghat/pull/40"
    )
    assert not any(">" in c or "mailing list" in c or "scrubbed" in c for c in cleaned)
