"""The clojure-mailgroup / clojurescript-mailgroup builders: samples, accounting, bad input."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest

from clojure_data.errors import InputError
from clojure_data.record import RecordKind, rejection_reason
from clojure_data.registry import sources
from clojure_data.sources.mailgroup import ClojureMailgroup, ClojurescriptMailgroup, MailgroupBuilder

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "mbox"
NAMES = ["clojure-mailgroup", "clojurescript-mailgroup"]


def read_all(builder: MailgroupBuilder, path: Path) -> list:
    return [doc for shard in builder.shards(path) for doc in builder.read(shard)]


def accounted(docs: list) -> int:
    """Messages in records plus messages in rejections."""
    kept = sum(len(d.metadata["messages"]) for d in docs if rejection_reason(d) is None)
    return kept + sum(d.metadata["message_count"] for d in docs if rejection_reason(d) is not None)


def from_lines(path: Path) -> int:
    """Messages in an mbox, counted independently of the reader: From_ lines (mboxrd escapes others)."""
    return len(re.findall(rb"^From ", path.read_bytes(), flags=re.M))


@pytest.fixture(params=NAMES)
def builder(request: pytest.FixtureRequest) -> MailgroupBuilder:
    return sources.get(request.param)()


def test_registered_with_what_a_card_needs(builder: MailgroupBuilder) -> None:
    assert builder.kind is RecordKind.THREAD and builder.license == "other"
    assert builder.homepage.startswith("https://www.mail-archive.com/") and builder.homepage.endswith("/")
    card = builder.card
    for section in (card.motivation, card.composition, card.collection, card.uses, card.limitations):
        assert len(section) > 80
    assert "copyright of their authors" in card.limitations
    assert (builder.sample_dir() / "README.md").is_file()


def test_sample_size_and_accounting(builder: MailgroupBuilder) -> None:
    docs = read_all(builder, builder.sample_dir())
    records = [d for d in docs if rejection_reason(d) is None]
    total = sum(from_lines(p) for p in builder.sample_shards())
    assert total >= 30 and len(records) >= 8
    assert accounted(docs) == total
    assert [rejection_reason(d) for d in docs if rejection_reason(d)] == ["no_headers"]
    assert sum(len(r.metadata["messages"]) > 1 for r in records) >= 8


def test_sample_records_are_clean_and_private(builder: MailgroupBuilder) -> None:
    docs = [d for d in read_all(builder, builder.sample_dir()) if rejection_reason(d) is None]
    extras = {key for d in docs for key in (d.metadata["extra"] or {})}
    assert {"attachments_dropped", "decode_problems", "html_converted"} <= extras
    for doc in docs:
        meta = doc.metadata
        emails = {p["email"] for p in meta["_participants"] if p["email"]}
        assert emails and all(e.endswith(("@example.com", "@example.org")) for e in emails)
        public = [meta["title"], meta["url"] or "", *meta["tags"], str(meta["extra"])]
        public += [str(v) for msg in meta["messages"] for k, v in msg.items() if k != "text"]
        public += [line for line in doc.text.splitlines() if line.startswith(("Subject:", "From:", "Date:"))]
        assert not any(e in field for e in emails for field in public), doc.id
        assert doc.text.startswith(f"Subject: {meta['title']}\n\nFrom: {meta['messages'][0]['author']}\n")
        assert meta["created_at"] and all(m["author_id"] and m["text"].strip() for m in meta["messages"])
        assert "\ufffd" not in doc.text or meta["extra"]["decode_problems"]


def test_sample_content_details() -> None:
    docs = {d.metadata.get("title"): d for d in read_all(ClojureMailgroup(), ClojureMailgroup.sample_dir())}
    html = docs["Spec for nested maps with optional keys"].metadata["messages"][1]["text"]
    assert "```\n(s/def ::street string?)\n" in html and "`s/keys`" in html and "> How do I spec" in html
    latin = docs["Transducers: volatile! vs atom in a stateful xform"]
    assert "Saludos,\nJosé" in latin.text and "4 € a cup" in latin.text
    assert [m["author"] for m in latin.metadata["messages"]][1:3] == ["José Ejemplo", "Zoë Voorbeeld"]
    orphan = docs["deps.edn alias for running tests"]  # first message missing: joined by subject
    assert len(orphan.metadata["messages"]) == 3
    chunk = docs["Lazy seqs and chunking surprise"].metadata["messages"][0]["text"]
    assert "\nFrom the docs I understood" in chunk  # mboxrd ">From" unescaped
    assert docs["[ANN] hollow-check 0.4.0: tiny data validation"].metadata["tags"] == [
        "mailing-list",
        "clojure",
        "ann",
    ]
    nohead = docs["(no subject)"]
    assert nohead.metadata["created_at"] == "2018-10-06T13:37:00+00:00"  # from the From_ line
    cljs = {
        d.metadata.get("title"): d
        for d in read_all(ClojurescriptMailgroup(), ClojurescriptMailgroup.sample_dir())
    }
    assert cljs["figwheel-main REPL does not connect"].metadata["extra"] == {"attachments_dropped": 1}
    assert (
        "“Waiting for connection”" in cljs["figwheel-main REPL does not connect"].text
    )  # windows-1252 base64


def test_ids_are_stable(builder: MailgroupBuilder) -> None:
    first = [(d.id, d.text) for d in read_all(builder, builder.sample_dir())]
    again = [(d.id, d.text) for d in read_all(type(builder)(), builder.sample_dir())]
    assert first == again and len({i for i, _ in first}) == len(first)
    assert all(i.startswith(builder.name + "/") for i, _ in first)


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata/mbox not present")
@pytest.mark.parametrize(
    "path", sorted(REALDATA.glob("*.mbox")) if REALDATA.is_dir() else [], ids=lambda p: p.name
)
def test_real_mboxes_account_for_every_message(path: Path) -> None:
    docs = list(ClojureMailgroup().read(path))
    assert accounted(docs) == from_lines(path) > 0
    for doc in docs:
        if rejection_reason(doc) is None:
            assert doc.text.strip() and doc.metadata["messages"]


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata/mbox not present")
def test_real_mbox_details() -> None:
    docs = {
        d.metadata.get("title"): d for d in ClojureMailgroup().read(REALDATA / "pipermail_2015_november.mbox")
    }
    (thread,) = docs.values()  # the replies' references were rewritten upstream: threaded by subject
    assert len(thread.metadata["messages"]) == 4
    nofields = list(ClojureMailgroup().read(REALDATA / "mbox_no_fields.mbox"))
    assert [rejection_reason(d) for d in nofields].count("duplicate_message") == 3
    names = {
        p.get("name") for d in nofields if rejection_reason(d) is None for p in d.metadata["_participants"]
    }
    assert "Göran Lastname" in names


# -- shards and bad input -------------------------------------------------------------------------
def test_shards_pick_mail_inputs(tmp_path: Path) -> None:
    (tmp_path / "takeout").mkdir()
    (tmp_path / "takeout" / "mbox").write_bytes(
        b"From a Mon Jan  1 00:00:00 2018\nFrom: a@example.com\n\nx\n"
    )
    (tmp_path / "b.MBOX").write_bytes(b"From a Mon Jan  1 00:00:00 2018\n")
    (tmp_path / "c.mbx").write_bytes(b"From a Mon Jan  1 00:00:00 2018\n")
    (tmp_path / "pages").mkdir()
    for name in ("msg1.html", "msg2.htm"):
        (tmp_path / "pages" / name).write_text("<html></html>")
    (tmp_path / "README.md").write_text("not input")
    (tmp_path / "notes.txt").write_text("not input")
    shards = ClojureMailgroup().shards(tmp_path)
    assert shards == [
        tmp_path / "b.MBOX",
        tmp_path / "c.mbx",
        tmp_path / "pages",
        tmp_path / "takeout" / "mbox",
    ]


def test_missing_and_empty_input(tmp_path: Path) -> None:
    builder = ClojureMailgroup()
    with pytest.raises(InputError):
        builder.shards(tmp_path / "nope.mbox")
    with pytest.raises(InputError):
        builder.shards(tmp_path)  # empty folder
    (tmp_path / "empty.mbox").write_bytes(b"")
    with pytest.raises(InputError):
        builder.shards(tmp_path / "empty.mbox")
    (tmp_path / "blank.mbox").write_bytes(b"\n\n")
    with pytest.raises(InputError):
        list(builder.read(tmp_path / "blank.mbox"))


def test_binary_file_given_as_mbox(tmp_path: Path) -> None:
    path = tmp_path / "archive.mbox"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 10)
    with pytest.raises(InputError, match="binary"):
        list(ClojureMailgroup().read(path))


def test_truncated_mbox(tmp_path: Path) -> None:
    sample = ClojureMailgroup.sample_dir() / "clojure-sample.mbox"
    data = sample.read_bytes()
    cut = data.rindex(b"Has anyone got nREPL")  # the last message, cut mid-body
    path = tmp_path / "cut.mbox"
    path.write_bytes(data[: cut + 10])
    docs = list(ClojureMailgroup().read(path))
    assert accounted(docs) == from_lines(path) == from_lines(sample)
    last = [d for d in docs if rejection_reason(d) is None][-1]
    assert last.metadata["messages"][0]["text"] == "Has anyone"
    path.write_bytes(data[: data.rindex(b"\nSubject: Re: Lazy seqs") + 5])  # cut inside the headers
    docs = list(ClojureMailgroup().read(path))
    assert accounted(docs) == from_lines(path)


def test_mbox_without_from_lines_and_missing_headers(tmp_path: Path) -> None:
    path = tmp_path / "message.mbox"
    path.write_bytes(b"From: Vera <vera@example.org>\n\nNo subject, date or id.\n")
    (doc,) = list(ClojureMailgroup().read(path))
    assert doc.metadata["title"] == "(no subject)" and doc.metadata["created_at"] is None
    assert doc.metadata["messages"][0]["author"] == "Vera" and doc.metadata["url"] is None
    path.write_bytes(b"From: vera@example.org\n\nNo display name.\n")
    (doc,) = list(ClojureMailgroup().read(path))
    assert doc.metadata["messages"][0]["author"] == "vera"
    assert doc.metadata["_participants"] == [
        {"handle": "vera", "email": "vera@example.org", "id": doc.metadata["messages"][0]["author_id"]}
    ]
    assert [d.id for d in ClojureMailgroup().read(path)] == [doc.id]


def test_message_id_clashes(tmp_path: Path) -> None:
    def mail(body: str, reply: str = "") -> bytes:
        head = (
            f"From a Mon Jan  1 00:00:00 2018\nFrom: a@example.com\nSubject: S\nMessage-ID: <same@x>\n{reply}"
        )
        return f"{head}\n{body}\n\n".encode()

    bodies = ["first", "second", "second", "first", "third"]  # exact repeats of #2 and of #1
    path = tmp_path / "clash.mbox"
    path.write_bytes(b"".join(mail(b) for b in bodies) + b"".join(mail(f"x{i}") for i in range(3000)))
    docs = list(ClojureMailgroup().read(path))
    assert accounted(docs) == len(bodies) + 3000
    assert [rejection_reason(d) for d in docs if rejection_reason(d)] == ["duplicate_message"] * 2
    texts = [m["text"] for d in docs if rejection_reason(d) is None for m in d.metadata["messages"]]
    assert texts[:3] == ["first", "second", "third"] and len(texts) == 3003


def test_broken_charset_is_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "bad.mbox"
    path.write_bytes(
        b"From x Mon Jan  1 00:00:00 2018\nFrom: x@example.com\nSubject: s\n"
        b'Content-Type: text/plain; charset="utf-\xff-broken"\n\nGr\xfc\xdfe \xff\n'
    )
    (doc,) = list(ClojureMailgroup().read(path))
    assert doc.metadata["extra"] == {"decode_problems": 1}
    assert doc.metadata["messages"][0]["text"] == "Gr\ufffd\ufffde \ufffd"


def test_50mb_message_is_rejected_without_loading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.mbox"
    line = b'(println "this line repeats to make a fifty megabyte message body")\n'
    with path.open("wb") as fh:
        fh.write(b"From a Mon Jan  1 00:00:00 2018\nFrom: a@example.com\nSubject: small\n\nfine\n\n")
        fh.write(b"From b Mon Jan  1 00:00:01 2018\nFrom: b@example.com\nSubject: huge\n\n")
        for _ in range(50 * 2**20 // len(line) + 1):
            fh.write(line)
    builder = ClojureMailgroup(max_record_chars=100_000)
    tracemalloc.start()
    docs = list(builder.read(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * 2**20  # the 50 MB body was streamed past, never held
    assert [rejection_reason(d) for d in docs] == ["too_large", None]
    assert docs[0].metadata["message_count"] == 1 and len(docs[0].text) < 10_000


def test_too_large_body_and_thread(tmp_path: Path) -> None:
    body = "word " * 300
    path = tmp_path / "t.mbox"
    msgs = [
        f"From x Mon Jan  1 00:00:0{i} 2018\nFrom: p{i}@example.com\nSubject: {'Re: ' if i else ''}T\n"
        f"Message-ID: <{i}@example.com>\n" + ("In-Reply-To: <0@example.com>\n" if i else "") + f"\n{body}\n"
        for i in range(3)
    ]
    path.write_text("\n".join(msgs))
    docs = list(ClojureMailgroup(max_record_chars=2_000).read(path))
    assert [rejection_reason(d) for d in docs] == ["too_large"] and docs[0].metadata["message_count"] == 3
    docs = list(ClojureMailgroup(max_record_chars=1_000).read(path))
    assert [rejection_reason(d) for d in docs] == ["too_large"] * 3  # each body alone is too long


def test_folder_of_archive_pages(tmp_path: Path) -> None:
    def page(n: int, subject: str, parent: int | None, body: str) -> str:
        slice_ = (
            f'<li><span class="subject"><a href="msg{parent}.html">x</a></span><ul>' if parent else "<li>"
        )
        slice_ += f'<li class="tSliceCur"><span class="subject">{subject}</span></li>'
        return (
            f'<html><body><div class="msgHead"><span class="subject">{subject}</span>'
            f'<span class="sender">Person {n}</span>'
            f'<span class="date">Mon, 0{n} Jan 2018 10:00:00 +0000</span></div>'
            f'<div class="msgBody"><pre>{body}</pre></div>'
            f'<div class="tSliceList"><ul>{slice_}</ul></div></body></html>'
        )

    (tmp_path / "msg1.html").write_text(page(1, "Q", None, "question"))
    (tmp_path / "msg2.html").write_text(page(2, "Re: Q", 1, "answer"))
    (tmp_path / "msg3.html").write_text(page(3, "Re: Q", 2, "thanks"))
    (tmp_path / "msg4.html").write_text("<html><body>not a message</body></html>")
    nested = "<div>" * 5000 + "x" + "</div>" * 5000  # deeper than the renderer can recurse
    (tmp_path / "msg5.html").write_text(page(5, "Deep", None, "").replace("<pre></pre>", nested))
    builder = ClojureMailgroup(archive_url="https://example.org/list")
    docs = read_all(builder, tmp_path)
    assert accounted(docs) == 5
    (thread,) = [d for d in docs if rejection_reason(d) is None]
    assert [m["text"] for m in thread.metadata["messages"]] == ["question", "answer", "thanks"]
    assert thread.metadata["url"] == "https://example.org/list/msg1.html"
    first = thread.metadata["_participants"][0]
    assert first == {"name": "Person 1", "email": None, "id": thread.metadata["messages"][0]["author_id"]}
    assert [rejection_reason(d) for d in docs if rejection_reason(d)] == [
        "not_a_message_page",
        "html_too_deeply_nested",
    ]
