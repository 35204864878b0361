"""The stackoverflow source: the join, the rendering, the accounting, .7z input and hostile input."""

from __future__ import annotations

import json
import shutil
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from clojure_data.cli import main
from clojure_data.errors import InputError
from clojure_data.record import Document, rejection_reason
from clojure_data.sources.stackoverflow import StackOverflow
from clojure_data.stackexchange.html import body_to_text
from clojure_data.stackexchange.join import parse_tags
from clojure_data.stackexchange.render import license_for

REAL = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "stackexchange"
needs_real = pytest.mark.skipif(not (REAL / "Posts.xml").is_file(), reason="realdata absent")
HEAD = '\ufeff<?xml version="1.0" encoding="utf-8"?>\n'


def _read(path: Path, **settings: object) -> tuple[list[Document], list[Document]]:
    builder = StackOverflow(**settings)  # type: ignore[arg-type]
    docs = [d for shard in builder.shards(path) for d in builder.read(shard)]
    return [d for d in docs if rejection_reason(d) is None], [
        d for d in docs if rejection_reason(d) is not None
    ]


def _xml(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _row(**attrs: object) -> str:
    return "<row " + " ".join(f'{k}="{_xml(str(v))}"' for k, v in attrs.items()) + " />"


def _dump(folder: Path, posts: list[str], comments: list[str] = (), users: list[str] = ()) -> Path:  # type: ignore[assignment]
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("posts", posts), ("comments", comments), ("users", users)):
        body = "\n".join(f"  {r}" for r in rows)
        (folder / f"{name.capitalize()}.xml").write_text(
            f"{HEAD}<{name}>\n{body}\n</{name}>\n", encoding="utf-8"
        )
    return folder


def _q(id: int, tags: str = "<clojure>", date: str = "2015-01-01T00:00:00.000", **kw: object) -> str:
    attrs = dict(
        Id=id,
        PostTypeId=1,
        CreationDate=date,
        Score=1,
        Body="<p>q</p>",
        OwnerUserId=1,
        Title=f"Q{id}",
        Tags=tags,
    )
    return _row(**{**attrs, **kw})


def _a(id: int, parent: int, **kw: object) -> str:
    attrs = dict(
        Id=id,
        PostTypeId=2,
        ParentId=parent,
        CreationDate="2015-01-02T00:00:00.000",
        Score=1,
        Body="<p>a</p>",
        OwnerUserId=2,
    )
    return _row(**{**attrs, **kw})


def _c(id: int, post: int, **kw: object) -> str:
    return _row(
        **{
            **dict(
                Id=id, PostId=post, Score=0, Text=f"c{id}", CreationDate="2015-01-03T00:00:00.000", UserId=1
            ),
            **kw,
        }
    )


USERS = [_row(Id=1, DisplayName="Ann Example"), _row(Id=2, DisplayName="Bo")]


def _accounting(records: list[Document], rejections: list[Document]) -> tuple[int, int]:
    """(post rows, comment rows) accounted for by the output: messages plus rejection counts."""
    roles = Counter(m["role"] for r in records for m in r.metadata["messages"])
    posts = roles["question"] + roles["answer"] + sum(d.metadata["post_rows"] for d in rejections)
    comments = roles["comment"] + sum(d.metadata["comment_rows"] for d in rejections)
    return posts, comments


def _rows(path: Path) -> int:
    return sum(1 for _, el in ET.iterparse(path) if el.tag == "row")


# -- the sample ------------------------------------------------------------------------------------
def test_sample_threads_in_order_with_code_licences_and_participants() -> None:
    records, rejections = _read(StackOverflow.sample_dir())
    by_id = {r.metadata["extra"]["question_id"]: r for r in records}
    assert sorted(by_id) == [1, 4, 6, 11]
    first = by_id[1]
    assert first.metadata["url"] == "https://stackoverflow.com/q/1"
    assert first.metadata["license"] == "cc-by-sa-2.5"
    assert [by_id[q].metadata["license"] for q in (4, 6)] == ["cc-by-sa-3.0", "cc-by-sa-4.0"]
    msgs = first.metadata["messages"]
    assert [m["role"] for m in msgs] == ["question", "comment", "answer", "comment", "answer"]
    assert [m["id"] for m in msgs] == [
        "1",
        "1001",
        "3",
        "1002",
        "2",
    ]  # answers by score: 3 (25) before 2 (12)
    assert [m["accepted"] for m in msgs] == [None, None, True, None, False]
    assert [m["score"] for m in msgs] == [31, 2, 25, 4, 12]
    assert msgs[0]["author"] == "Ada Quill" and msgs[0]["date"] == "2010-03-14T09:26:53+00:00"
    assert '```clj\n(zipmap (map :id people) people)\n;=> {1 {:id 1, :name "Ann"}' in first.text
    assert "`loop`/`recur`" in first.text and "## Answer (score 25, accepted)" in first.text
    assert by_id[4].metadata["tags"] == ["clojure", "core.async"]  # |pipe|form| tags
    assert "```clj\n(require '[clojure.core.async :as a])\n\n(let [c (a/chan)]\n  (a/go" in by_id[4].text
    assert by_id[6].metadata["extra"]["community_wiki_ids"] == [8]
    assert by_id[11].metadata["extra"]["closed_at"] == "2020-11-21T08:00:00+00:00"
    people = {p["name"]: p for p in first.metadata["_participants"]}
    assert people["Chen Wei-Lin"]["handle"] == "ChenWei-Lin" and people["Chen Wei-Lin"]["user_id"] == 103
    deleted = by_id[11].metadata["_participants"]
    assert {p["name"] for p in deleted} >= {"user4711", "user9000"}  # deleted accounts: stored names
    assert all(p["user_id"] != -1 for r in records for p in r.metadata["_participants"])  # the bot
    assert {rejection_reason(d) for d in rejections} == {"tag_filtered", "not_question_or_answer"}


def test_sample_accounts_for_every_row() -> None:
    records, rejections = _read(StackOverflow.sample_dir())
    sample = StackOverflow.sample_dir()
    assert _accounting(records, rejections) == (_rows(sample / "Posts.xml"), _rows(sample / "Comments.xml"))
    summary = next(d for d in rejections if rejection_reason(d) == "tag_filtered")
    assert summary.metadata["post_rows"] == 2 and summary.metadata["comment_rows"] == 1
    assert summary.metadata["accounting"]["questions_filtered"] == 1
    assert summary.text == (
        "Not selected: 1 question with none of the selected tags (metadata.tags), "
        "1 answer to them and 1 comment on both."
    )


def test_card_of_a_build_says_what_the_summaries_stand_for_and_the_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["-q", "build", "stackoverflow", "--sample", "--policy", "minimal", "--output", str(out)]
    assert main([*args, "--set", "tags=['Python']"]) == 0, capsys.readouterr().err
    card = (out / "README.md").read_text(encoding="utf-8")
    # one summary line each, standing for many Posts/Comments rows: the card says how many (the
    # sample's 14 posts = 2 in the one record + 10 filtered + 2 other; 7 comments = 1 + 6 + 0)
    assert "| reader | `tag_filtered` | 1 | comment_rows: 6, post_rows: 10 |" in card
    assert "| reader | `not_question_or_answer` | 1 | comment_rows: 0, post_rows: 2 |" in card
    assert "questions with at least one of the tags python." in card
    assert "36 ecosystem" not in card and "about 35" not in card
    everything = StackOverflow(tags=["*"]).card.composition
    assert everything.endswith("Every question of the dump is selected (the 'tags' setting is '*').")
    assert "clojurescript, compojure" in StackOverflow().card.composition  # the default selection
    assert "Selection" not in type(StackOverflow()).card.composition  # the class's card is untouched


def test_tags_setting_and_star() -> None:
    records, _ = _read(StackOverflow.sample_dir(), tags=["python"])
    assert [r.metadata["title"] for r in records] == ["Flatten a list of lists"]
    records, _ = _read(StackOverflow.sample_dir(), tags=["*"])
    assert len(records) == 5
    assert parse_tags("<clojure><ring>") == parse_tags("|clojure|ring|") == ["clojure", "ring"]


# -- the real dump (history.meta.stackexchange.com) ------------------------------------------------
@needs_real
@pytest.mark.parametrize("tags", [["discussion"], ["*"], ["history"]])
def test_real_dump_arithmetic(tags: list[str]) -> None:
    records, rejections = _read(REAL, tags=tags, site="history.meta.stackexchange.com")
    assert _accounting(records, rejections) == (_rows(REAL / "Posts.xml"), _rows(REAL / "Comments.xml"))
    if tags == ["history"]:  # a tag no post of that meta site has: everything is counted as filtered
        assert records == [] and {rejection_reason(d) for d in rejections} == {
            "tag_filtered",
            "not_question_or_answer",
        }
    else:
        assert records and all(
            r.metadata["url"].startswith("https://history.meta.stackexchange.com/q/") for r in records
        )
    if tags == ["*"]:
        assert len(records) == 556  # every question of the dump


@needs_real
def test_cli_set_tags_history_selects_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "-q",
            "build",
            "stackoverflow",
            "--input",
            str(REAL),
            "--set",
            "tags=['history']",
            "--output",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    stats = json.loads((out / "stats.json").read_text())
    assert stats["input"]["records"] == 0 and stats["output"]["records"] == 0
    summary = json.loads((out / "rejected" / "00-reader-00000.jsonl").read_text().splitlines()[0])
    assert summary["reason"] == "tag_filtered"
    assert json.loads(summary["metadata"])["accounting"]["questions_filtered"] == 556


@needs_real
def test_cli_set_tags_on_the_real_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "-q",
            "build",
            "stackoverflow",
            "--input",
            str(REAL),
            "--set",
            'tags=["discussion"]',
            "--set",
            "site=history.meta.stackexchange.com",
            "--output",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    stats = json.loads((out / "stats.json").read_text())
    assert stats["input"]["records"] == 468  # questions tagged discussion
    assert stats["input"]["rejected_by_reason"] == {"not_question_or_answer": 1, "tag_filtered": 1}


# -- .7z input ------------------------------------------------------------------------------------
def test_7z_site_archive_and_table_archives_read_like_plain_xml(tmp_path: Path) -> None:
    py7zr = pytest.importorskip("py7zr")
    sample = StackOverflow.sample_dir()
    plain, _ = _read(sample)
    site = tmp_path / "sites" / "example.stackexchange.com.7z"
    site.parent.mkdir()
    with py7zr.SevenZipFile(site, "w") as archive:
        for name in ("Posts.xml", "Comments.xml", "Users.xml", "Badges.xml"):
            archive.write(sample / name if name != "Badges.xml" else sample / "Users.xml", name)
    per_table = tmp_path / "so"
    per_table.mkdir()
    for name in ("Posts", "Comments", "Users"):
        with py7zr.SevenZipFile(
            per_table / f"stackoverflow.com-{name}.7z", "w", filters=[{"id": py7zr.FILTER_BZIP2}]
        ) as archive:
            archive.write(sample / f"{name}.xml", f"{name}.xml")
    from_site, _ = _read(site)
    from_tables, _ = _read(per_table)
    assert [r.metadata["url"] for r in from_site][0] == "https://example.stackexchange.com/q/1"
    assert [r.text for r in from_site] == [r.text for r in from_tables] == [r.text for r in plain]
    assert [r.id for r in from_tables] == [r.id for r in plain]  # site from the archive names
    assert StackOverflow().shards(tmp_path) == [site.parent / site.name, per_table]


def test_closing_a_7z_read_early_stops_the_extraction_thread(tmp_path: Path) -> None:
    py7zr = pytest.importorskip("py7zr")
    from clojure_data.stackexchange.archive import SevenZipMember

    big = tmp_path / "Posts.xml"
    big.write_bytes(b"<posts>" + b'<row Id="1" />' * 400_000 + b"</posts>")  # ~5.6 MB: several slices
    with py7zr.SevenZipFile(tmp_path / "a.7z", "w") as archive:
        archive.write(big, "Posts.xml")
    before = threading.active_count()
    with SevenZipMember(tmp_path / "a.7z", "Posts.xml") as member:
        assert member.read().startswith(b"<posts>")
    assert threading.active_count() == before


# -- bad input ------------------------------------------------------------------------------------
def test_not_a_7z_is_an_input_error(tmp_path: Path) -> None:
    fake = tmp_path / "site.7z"
    fake.write_bytes(b"PK\x03\x04 this is a zip header, not 7z" * 10)
    with pytest.raises(InputError, match="not a readable .7z"):
        _read(fake)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        (HEAD + "<posts>\n  " + _q(1) + '\n  <row Id="2" PostTypeId="2" Bo', "not well-formed XML at line 4"),
        (
            HEAD + '<!DOCTYPE posts [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<posts><row Id="1" Body="&c;" /></posts>',
            "refused",
        ),
        (
            HEAD
            + '<!DOCTYPE posts [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<posts><row Body="&x;"/></posts>',
            "refused",
        ),
        (HEAD + "<comments></comments>", "root element is <comments>"),
    ],
    ids=["empty", "truncated", "billion-laughs", "external-entity", "wrong-table"],
)
def test_unusable_posts_file_is_an_input_error(tmp_path: Path, content: str, message: str) -> None:
    dump = _dump(tmp_path / "d", [_q(1)], users=USERS)
    (dump / "Posts.xml").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        _read(dump)


def test_missing_table_is_an_input_error(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "d", [_q(1)], users=USERS)
    (dump / "Users.xml").unlink()
    with pytest.raises(InputError, match="missing Users"):
        _read(dump)


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    posts = [
        _q(1),
        _row(Id=2, PostTypeId=1, CreationDate="2015-01-01T00:00:00.000", Body="<p>x</p>", Tags="<clojure>"),
        _a(3, 2),  # answer to the question rejected for its missing Title
        _row(Id="x", PostTypeId=2),
        _a(1, 1),  # duplicate id
        _a(4, 99),  # parent not in the dump
        _a(5, 1, CreationDate="yesterday"),
        _a(6, 1, Body="<div>" * 300 + "deep"),  # too deeply nested to render
        _q(20, Body="<b>" * 300),  # the question itself cannot be rendered: the whole thread goes
        _a(21, 20),
    ]
    comments = [_c(10, 1), _c(11, 99), _c(12, 2), _c(13, 6), _row(Id=14, PostId=1), _c(10, 1), _c(15, 21)]
    records, rejections = _read(_dump(tmp_path / "d", posts, comments, USERS))
    reasons = Counter(rejection_reason(d) for d in rejections)
    assert reasons == Counter(
        missing_attribute=2,
        parent_rejected=2,
        bad_attribute=2,
        duplicate_id=2,
        orphan_answer=1,
        orphan_comment=1,
        bad_html=2,
    )
    assert len(records) == 1 and [m["role"] for m in records[0].metadata["messages"]] == [
        "question",
        "comment",
    ]
    assert _accounting(records, rejections) == (len(posts), len(comments))
    answer, thread = (d for d in rejections if rejection_reason(d) == "bad_html")
    assert (answer.metadata["post_rows"], answer.metadata["comment_rows"]) == (1, 1)  # with its comment 13
    assert (thread.metadata["post_rows"], thread.metadata["comment_rows"]) == (2, 1)
    assert json.loads(thread.text)["answers"][0]["Id"] == "21"  # the rejected log keeps all of it


def test_bad_html_is_rendered_and_code_survives() -> None:
    html = "<p>Broken <b>bold <i>text</p></div><pre><code>(defn f [x]\n  `(~x))</code>"
    assert body_to_text(html) == "Broken bold text\n\n```\n(defn f [x]\n  `(~x))\n```"  # unclosed tags
    assert body_to_text("<pre><code>```md\nx\n```</code></pre>") == "````\n```md\nx\n```\n````"
    nested = body_to_text("<ul><li>item<pre><code>(a\n  b)</code></pre></li></ul><blockquote>q</blockquote>")
    assert "\n```\n(a\n  b)\n```" in nested and "> q" in nested  # code never indented or prefixed
    assert body_to_text("<p><code>a`b</code> and <code>x  y</code></p>") == "``a`b`` and `x  y`"


def test_answer_before_its_question_is_joined(tmp_path: Path) -> None:
    posts = [_a(1, 5, Score=3), _a(2, 7), _q(5), _q(7, tags="<java>")]
    records, rejections = _read(_dump(tmp_path / "d", posts, [_c(1, 1)], USERS))
    assert [[m["id"] for m in r.metadata["messages"]] for r in records] == [["5", "1", "1"]]
    assert _accounting(records, rejections) == (4, 1)


def test_dates_are_utc_and_an_explicit_offset_is_converted(tmp_path: Path) -> None:
    posts = [_q(1, date="2020-01-01T10:00:00+05:00"), _a(2, 1, CreationDate="2020-01-02T03:04:05.678")]
    records, _ = _read(_dump(tmp_path / "d", posts))
    assert records[0].metadata["created_at"] == "2020-01-01T05:00:00+00:00"
    assert [m["date"] for m in records[0].metadata["messages"]] == [
        "2020-01-01T05:00:00+00:00",
        "2020-01-02T03:04:05+00:00",
    ]


def test_content_license_attribute_wins_over_the_date() -> None:
    assert license_for({"CreationDate": "2011-04-07T23:59:59.000"}) == "cc-by-sa-2.5"
    assert license_for({"CreationDate": "2011-04-08T00:00:00.000"}) == "cc-by-sa-3.0"
    assert license_for({"CreationDate": "2018-05-02T00:00:00.000"}) == "cc-by-sa-4.0"
    assert (
        license_for({"CreationDate": "2010-01-01T00:00:00.000", "ContentLicense": "CC BY-SA 4.0"})
        == "cc-by-sa-4.0"
    )


def test_mixed_licences_are_listed(tmp_path: Path) -> None:
    posts = [_q(1, date="2010-01-01T00:00:00.000"), _a(2, 1, CreationDate="2019-01-01T00:00:00.000")]
    records, _ = _read(_dump(tmp_path / "d", posts, [], USERS))
    assert records[0].metadata["license"] == "cc-by-sa-2.5"
    assert records[0].metadata["extra"]["licenses"] == ["cc-by-sa-2.5", "cc-by-sa-4.0"]


def test_shards_of_a_folder_of_dumps(tmp_path: Path) -> None:
    a = _dump(tmp_path / "a.example.com", [_q(1)], [], USERS)
    b = _dump(tmp_path / "nested" / "b", [_q(1)], [], USERS)
    assert StackOverflow().shards(tmp_path) == [a, b]
    assert StackOverflow().shards(a / "Posts.xml") == [a]
    shutil.rmtree(a)
    shutil.rmtree(b)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="no Stack Exchange dump"):
        StackOverflow().shards(tmp_path)
