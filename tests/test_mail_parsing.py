"""Mail parsing: charsets, MIME bodies, HTML to text, mbox splitting, threading, archive pages."""

from __future__ import annotations

import base64
import quopri
import time
from pathlib import Path

import pytest

from clojure_data.errors import InputError
from clojure_data.mail.archive_html import index_links, is_message_url, parse_message_page
from clojure_data.mail.html_text import fence, html_to_text
from clojure_data.mail.mbox import read_mbox, sniff_mbox, split_mbox
from clojure_data.mail.mime import decode_text, parse_message, unflow
from clojure_data.mail.model import MailMessage, MailRejection
from clojure_data.mail.threads import build_threads, normalize_subject, strip_reply_prefixes, subject_tags


def parse(raw: bytes | str) -> MailMessage:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    result = parse_message(data, location="test:1", index=0)
    assert isinstance(result, MailMessage), result
    return result


# -- charsets ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "charset", "text", "problems"),
    [
        ("café".encode("latin-1"), "iso-8859-1", "café", 0),
        ("“quoted”".encode("cp1252"), "iso-8859-1", "“quoted”", 0),  # latin-1 label, cp1252 bytes
        ("naïve".encode(), "us-ascii", "naïve", 1),  # mislabelled UTF-8
        (b"plain", None, "plain", 0),
        (b"caf\xe9", "x-no-such-charset", "caf\ufffd", 1),
        (b"\x81\x8d", "iso-8859-1", "\x81\x8d", 1),  # bytes cp1252 leaves undefined
    ],
)
def test_decode_text(payload: bytes, charset: str | None, text: str, problems: int) -> None:
    assert decode_text(payload, charset) == (text, problems)


def test_unflow_joins_soft_breaks_and_undoes_space_stuffing() -> None:
    flowed = "A long \nparagraph.\n> quoted \n> on.\n>> deeper\n  (indented code)\n-- \nsig"
    assert unflow(flowed) == "A long paragraph.\n> quoted on.\n>> deeper\n (indented code)\n-- \nsig"
    assert unflow("word\u0020\nnext", delsp=True) == "wordnext"


# -- one message ---------------------------------------------------------------------------------
ALTERNATIVE = """From: Ann Example <ann@example.com>
Subject: =?UTF-8?Q?Caf=C3=A9_and_code?=
Date: Mon, 14 Nov 2016 16:00:00 +0100
Message-ID: <alt-1@example.com>
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

The plain part:

    (inc 1)
--b1
Content-Type: text/html; charset=utf-8

<p>The <b>HTML</b> part</p>
--b1--
"""


def test_multipart_alternative_prefers_plain_text() -> None:
    msg = parse(ALTERNATIVE)
    assert msg.body == "The plain part:\n\n    (inc 1)"
    assert msg.subject == "Café and code"
    assert (msg.author_name, msg.author_email, msg.key) == (
        "Ann Example",
        "ann@example.com",
        "alt-1@example.com",
    )
    assert msg.date is not None and msg.date.isoformat() == "2016-11-14T16:00:00+01:00"
    assert not msg.html_converted and msg.attachments_dropped == 0


def test_html_only_mail_becomes_text_with_fenced_code() -> None:
    html = '<div>Try <code>alts!</code>:</div><pre class="language-clojure">(go\n  (alts! [a b]))</pre>'
    raw = (
        "From: b@example.org\nSubject: x\nMessage-ID: <h@example.org>\n"
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + quopri.encodestring(html.encode()).decode()
    )
    msg = parse(raw)
    assert msg.html_converted
    assert msg.body == "Try `alts!`:\n\n```clojure\n(go\n  (alts! [a b]))\n```"


def test_attachments_are_dropped_and_counted() -> None:
    png = base64.b64encode(b"\x89PNG fake").decode()
    raw = f"""From: c@example.com
Subject: with attachment
Message-ID: <att@example.com>
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: text/plain; charset=utf-8

See the attached graph.
--m
Content-Type: image/png; name="g.png"
Content-Disposition: attachment; filename="g.png"
Content-Transfer-Encoding: base64

{png}
--m
Content-Type: text/x-log; name="run.log"
Content-Disposition: attachment; filename="run.log"

INFO started
--m--
"""
    msg = parse(raw)
    assert msg.body == "See the attached graph."
    assert msg.attachments_dropped == 2
    assert "PNG" not in msg.body and "INFO" not in msg.body


def test_transfer_encodings_and_8bit_headers() -> None:
    qp = "From: d@example.org\nSubject: q\nContent-Type: text/plain; charset=iso-8859-1\n"
    qp += "Content-Transfer-Encoding: quoted-printable\n\nSaludos, Jos=E9\n"
    assert parse(qp).body == "Saludos, José"
    b64 = base64.encodebytes("4 € a cup".encode("iso-8859-15")).decode()
    raw = "From: e@example.org\nSubject: b\nContent-Type: text/plain; charset=iso-8859-15\n"
    raw += f"Content-Transfer-Encoding: base64\n\n{b64}"
    assert parse(raw).body == "4 € a cup"
    eight_bit = "From: Zoë Voorbeeld <zoe@example.com>\nSubject: Grüße\n\nhi\n".encode()
    msg = parse(eight_bit)
    assert (msg.author_name, msg.subject) == ("Zoë Voorbeeld", "Grüße")


def test_unknown_charset_is_decoded_with_replacement_and_counted() -> None:
    raw = b"From: f@example.com\nSubject: s\nContent-Type: text/plain; charset=x-klingon\n\nGr\xfc\xdfe\n"
    msg = parse(raw)
    assert msg.body == "Gr\ufffd\ufffde"
    assert msg.decode_problems == 1


def test_pipermail_from_and_missing_headers() -> None:
    raw = "From: goran at example.org (=?ISO-8859-1?Q?G=F6ran_Example?=)\n\nbody\n"
    msg = parse(raw)
    assert (msg.author_name, msg.author_email) == ("Göran Example", "goran@example.org")
    assert msg.subject == "" and msg.date is None
    assert msg.synthetic_id and msg.key.endswith("@synthetic.invalid")
    assert parse(raw).key == msg.key  # stable: derived from the bytes


def test_from_line_date_is_the_fallback() -> None:
    msg = parse_message(
        b"From: g@example.org\n\nx\n", location="t", index=0, from_line="From g Thu Apr 12 09:00:00 2018"
    )
    assert isinstance(msg, MailMessage) and msg.date is not None
    assert msg.date.isoformat() == "2018-04-12T09:00:00+00:00"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"%%% export error %%%\nno headers here\n", "no_headers"),
        (b"X-Only: header\n\ntext\n", "no_headers"),
        (b"From: h@example.org\nSubject: empty\n\n\n", "empty_body"),
        (b"From: h@example.org\nContent-Type: image/png\n\nabc\n", "empty_body"),
    ],
)
def test_unusable_messages_are_rejections(raw: bytes, reason: str) -> None:
    result = parse_message(raw, location="f:3", index=7)
    assert isinstance(result, MailRejection)
    assert (result.reason, result.location, result.index) == (reason, "f:3", 7)


# -- HTML to text ---------------------------------------------------------------------------------
def test_html_to_text_keeps_code_and_quotes() -> None:
    html = """<html><head><style>p {}</style><script>x()</script></head><body>
    <p>Hi&nbsp;all,<br>see    below.</p>
    <pre><code class="lang-clojure">(defn f [x]
  (inc x))</code></pre>
    <div><font face="monospace">(let [a 1]</font></div>
    <div><font face="monospace">&nbsp; (+ a 2))</font></div>
    <blockquote>On Mon, Bo wrote:<br>old <b>text</b><pre>(keep
  indent)</pre></blockquote>
    <ul><li>one</li><li>two</li></ul></body></html>"""
    assert html_to_text(html) == (
        "Hi all,\nsee below.\n\n"
        "```clojure\n(defn f [x]\n  (inc x))\n```\n\n"
        "```\n(let [a 1]\n  (+ a 2))\n```\n\n"
        "> On Mon, Bo wrote:\n> old text\n>\n> ```\n> (keep\n>   indent)\n> ```\n\n"
        "- one\n- two"
    )


def test_fence_is_longer_than_backticks_inside() -> None:
    assert fence("a ``` b") == "````\na ``` b\n````"


def test_plain_pre_is_not_code_when_told() -> None:
    html = "<div class='msgBody'><pre>plain mail\n  text</pre></div>"
    assert html_to_text(html, code_pre=lambda _pre: False) == "plain mail\n  text"


# -- mbox files -----------------------------------------------------------------------------------
MBOX = b"""From alice@example.com Tue Mar  8 10:12:03 2016
From: Alice <alice@example.com>
Subject: first
Message-ID: <m1@example.com>

Hello.
From here on it is still the first message (no blank line before it).
>From the docs, escaped by the writer.

From bob@example.org Tue Mar  8 11:00:00 2016
From: Bob <bob@example.org>
Subject: Re: first
Message-ID: <m2@example.org>
In-Reply-To: <m1@example.com>

Reply.
"""


def test_split_mbox_only_on_real_from_lines_and_unescapes(tmp_path: Path) -> None:
    path = tmp_path / "a.mbox"
    path.write_bytes(MBOX)
    raws = list(split_mbox(path, 10_000))
    assert [r.line for r in raws] == [1, 10]
    assert b"From here on" in raws[0].data and b"\nFrom the docs" in raws[0].data
    assert not raws[0].data.endswith(b"\n\n")
    msgs = list(read_mbox(path, 10_000))
    assert [m.key for m in msgs if isinstance(m, MailMessage)] == ["m1@example.com", "m2@example.org"]
    assert msgs[0].location == f"{path}:1"


def test_oversize_message_is_measured_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    path.write_bytes(MBOX.replace(b"Reply.\n", b"x" * 70 + b"\n") + b"y" * 70 * 1000 + b"\n")
    raws = list(split_mbox(path, 5_000))
    assert raws[1].oversize and raws[1].size > 70_000 and len(raws[1].data) <= 5_000
    rejected = [m for m in read_mbox(path, 5_000) if isinstance(m, MailRejection)]
    assert [r.reason for r in rejected] == ["too_large"]


def test_sniff(tmp_path: Path) -> None:
    cases = {
        "empty": b"",
        "blank": b"\n\n",
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00",
        "prose": b"Dear diary,\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError):
            sniff_mbox(tmp_path / name)
    (tmp_path / "eml").write_bytes(b"From: a@example.com\nSubject: s\n\nbody\n")
    assert sniff_mbox(tmp_path / "eml") is False
    (tmp_path / "mbox").write_bytes(MBOX)
    assert sniff_mbox(tmp_path / "mbox") is True


def test_file_without_from_lines_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "single.eml"
    path.write_bytes(b"From: a@example.com\nSubject: single\nMessage-ID: <s@example.com>\n\nOnly me.\n")
    (msg,) = list(read_mbox(path, 10_000))
    assert isinstance(msg, MailMessage) and msg.body == "Only me." and msg.key == "s@example.com"


# -- threading ------------------------------------------------------------------------------------
def m(key: str, subject: str, when: int, reply: str | None = None, refs: tuple[str, ...] = ()) -> MailMessage:
    from datetime import UTC, datetime

    return MailMessage(
        key=key,
        subject=subject,
        author_name="x",
        author_email=None,
        date=datetime(2020, 1, 1, when, tzinfo=UTC),
        body=key,
        location=key,
        index=when,
        in_reply_to=reply,
        references=refs,
    )


def test_subject_helpers() -> None:
    assert normalize_subject("Re: AW: [Clojure] Fwd:  Lazy   Seqs") == "lazy seqs"
    assert strip_reply_prefixes("Re: [clojure] [ANN] lib 1.0", ["Clojure"]) == "[ANN] lib 1.0"
    assert subject_tags("Re: [clojure] [ANN] lib") == ["clojure", "ANN"]


def test_threads_by_headers_then_subject() -> None:
    msgs = [
        m("a", "Question", 1),
        m("b", "Re: Question", 2, reply="a"),
        m("c", "Re: Question", 3, refs=("a", "b")),
        m("d", "Re: Question", 4, reply="missing"),  # parent not in the archive: joins by subject
        m("e", "Question", 5),  # not a reply: a new thread that reuses the subject
        m("f", "Re: Orphan topic", 6, reply="gone"),
        m("g", "Re: orphan TOPIC", 7),
    ]
    threads = build_threads(msgs)
    assert [[x.key for x in t.messages] for t in threads] == [["a", "b", "c", "d"], ["e"], ["f", "g"]]


def test_thread_order_is_depth_first_and_cycles_are_broken() -> None:
    msgs = [
        m("r", "T", 1),
        m("x", "Re: T", 3, reply="r"),
        m("y", "Re: T", 2, reply="r"),
        m("z", "Re: T", 4, reply="y"),
    ]
    assert [x.key for x in build_threads(msgs)[0].messages] == ["r", "y", "z", "x"]
    loop = [m("p", "P", 1, reply="q"), m("q", "Q", 2, reply="p")]  # p -> q kept, q -> p would close it
    assert [[x.key for x in t.messages] for t in build_threads(loop)] == [["q", "p"]]
    ring = [m("a", "A", 1, reply="c"), m("b", "B", 2, reply="a"), m("c", "C", 3, reply="b")]
    assert [[x.key for x in t.messages] for t in build_threads(ring)] == [["c", "a", "b"]]


def test_long_reply_chains_thread_in_linear_time() -> None:
    n = 30_000  # checking for cycles by walking up the ancestors took minutes here
    chain = [m(f"k{i}", "Re: T" if i else "T", 0, reply=f"k{i - 1}" if i else None) for i in range(n)]
    for i, msg in enumerate(chain):
        msg.index = i
    started = time.perf_counter()
    (thread,) = build_threads(chain)
    assert time.perf_counter() - started < 10
    assert [x.key for x in thread.messages] == [f"k{i}" for i in range(n)]


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        build_threads([m("a", "x", 1), m("a", "x", 2)])


# -- mail-archive.com pages -------------------------------------------------------------------------
BASE = "https://www.mail-archive.com/clojure@googlegroups.com/"
PAGE = """<!DOCTYPE html><html><head><title>Re: core.async</title>
<link rel="canonical" href="{base}msg00002.html"></head><body>
<div class="msgHead"><h1><span class="subject"><a href="/search?q=x">Re: core.async</a></span></h1>
<p class="darkgray font13"><span class="sender pipe"><a href="/search?q=y">Gustavo Muster</a></span>
<span class="date"><a href="/search?q=z">Thu, 02 Feb 2017 07:02:11 +0100</a></span></p></div>
<div itemprop="articleBody" class="msgBody">
<!--X-Body-of-Message-->
<pre>slurp blocks:

    (async/thread (slurp f))</pre>
<blockquote style="border-left: #5555EE solid 0.2em"><pre>What am I doing wrong?</pre></blockquote>
<!--X-Body-of-Message-End-->
</div>
<div class="tSliceList"><ul class="icons monospace">
<li><span class="subject"><a href="msg00001.html">core.async</a></span> <span class="sender">Farid</span>
<ul><li class="tSliceCur"><span class="subject">Re: core.async</span>
<span class="sender">Gustavo</span></li></ul>
</li></ul></div></body></html>"""


def test_archive_message_page() -> None:
    msg = parse_message_page(PAGE.format(base=BASE), name="msg00002.html", location="p:1", index=3)
    assert msg is not None
    assert (msg.key, msg.subject, msg.author_name, msg.author_email) == (
        "msg00002.html",
        "Re: core.async",
        "Gustavo Muster",
        None,
    )
    assert msg.date is not None and msg.date.isoformat() == "2017-02-02T07:02:11+01:00"
    assert msg.body == "slurp blocks:\n\n    (async/thread (slurp f))\n\n> What am I doing wrong?"
    assert msg.in_reply_to == "msg00001.html"
    assert msg.url == BASE + "msg00002.html"
    assert parse_message_page("<html><body>index</body></html>", name="x.html", location="", index=0) is None


def test_archive_index_links() -> None:
    html = """<a href="msg00001.html">a</a><a href="msg00002.html#top">b</a><a href="mail2.html">next</a>
    <a href="/other@list.org/msg1.html">other list</a><a href="threads.html">threads</a>
    <a href="msg00001.html">a</a>"""
    indexes, messages = index_links(html, BASE + "maillist.html", BASE)
    assert indexes == [BASE + "mail2.html"]
    assert messages == [BASE + "msg00001.html", BASE + "msg00002.html"]
    assert is_message_url(BASE + "msg00001.html") and not is_message_url(BASE + "maillist.html")
