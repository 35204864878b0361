"""The clojurians-forum source (ClojureVerse, Discourse): HTML to text, records, accounting, bad
input, and the JSON-API download against a loopback Discourse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clojure_data.discourse import html_to_text, markdown_to_text
from clojure_data.errors import ClojureDataError, InputError
from clojure_data.pipeline import run
from clojure_data.policy import Policy
from clojure_data.record import SCHEMAS, Document, RecordKind, rejection_reason, to_row
from clojure_data.sources.clojurians_forum import ClojuriansForum, ClojuriansForumConfig

REAL = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "discourse"


def _read(builder: ClojuriansForum, paths: list[Path]) -> tuple[list[Document], list[Document]]:
    records: list[Document] = []
    rejections: list[Document] = []
    for path in paths:
        for doc in builder.read(path):
            (rejections if rejection_reason(doc) else records).append(doc)
    return records, rejections


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- HTML -> text ---------------------------------------------------------------------------------


def test_code_blocks_are_fenced_verbatim_with_their_language() -> None:
    html = (
        "<p>Try <code>(map inc xs)</code>:</p>\n"
        '<pre><code class="lang-clojure">(defn f [x]\n  (* x  2))   \n\n;; done\n</code></pre>'
        '<pre><code class="lang-auto">plain &lt;tag&gt;</code></pre>'
        '<pre><code class="language-bash">echo ```</code></pre>'
    )
    text = html_to_text(html).text
    assert text == (
        "Try `(map inc xs)`:\n\n"
        "```clojure\n(defn f [x]\n  (* x  2))   \n\n;; done\n```\n\n"
        "```\nplain <tag>\n```\n\n"
        "````bash\necho ```\n````"
    )


def test_quotes_oneboxes_images_are_removed_and_mentions_kept() -> None:
    html = (
        '<aside class="quote" data-post="2" data-topic="9"><div class="title">alice:</div>'
        "<blockquote><p>quoted from alice</p></blockquote></aside>"
        "<blockquote><p>quoted from a blog</p></blockquote>"
        '<p>Hi <a class="mention" href="/u/bob">@bob</a>, see '
        '<a href="https://clojure.org/guides">the guide</a> <img class="emoji" alt=":+1:" src="e.png"></p>'
        '<aside class="onebox" data-onebox-src="https://github.com/a/b">'
        "<article>README preview</article></aside>"
        '<div class="lightbox-wrapper"><a class="lightbox" href="i.png"><img src="i.png">'
        '<div class="meta"><span class="filename">shot.png</span><span class="informations">800x600</span>'
        "</div></a></div>"
    )
    result = html_to_text(html)
    assert result.text == "Hi @bob, see the guide :+1:\n\nhttps://github.com/a/b"
    assert result.mentions == ["bob"]
    assert result.counts == {"quotes_dropped": 2, "oneboxes_dropped": 1, "images_dropped": 1}


def test_scripts_styles_and_hidden_text_never_leak() -> None:
    html = (
        "<p>visible</p><script>alert('SCRIPT')</script><style>p{color:red} /* STYLE */</style>"
        '<span style="display: none">DISPLAYNONE</span><div hidden>HIDDENATTR</div>'
        '<span style="visibility:hidden">INVISIBLE</span><span aria-hidden="true">ARIA</span>'
        "<noscript>NOSCRIPT</noscript><template>TEMPLATE</template><!-- COMMENT -->"
        "<svg><title>SVG</title></svg><p>end</p>"
    )
    text = html_to_text(html).text
    assert text == "visible\n\nend"


def test_lists_tables_and_line_breaks() -> None:
    html = (
        "<ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li></ul>"
        "<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "<p>line1<br>line2</p>"
    )
    assert html_to_text(html).text == "- one\n- two\n  1. a\n  2. b\n\nk | v\n\n1 | 2\n\nline1\nline2"


def test_raw_markdown_drops_bbcode_quotes_keeps_code() -> None:
    raw = '[quote="bob, post:1, topic:2"]\nold\n[/quote]\nanswer\n\n```clojure\n(inc 1)\n```'
    assert markdown_to_text(raw).text == "answer\n\n```clojure\n(inc 1)\n```"


# -- the sample -----------------------------------------------------------------------------------


def test_sample_records() -> None:
    builder = ClojuriansForum()
    records, rejections = _read(builder, builder.sample_shards())
    assert sorted((d.id, rejection_reason(d)) for d in rejections) == [
        ("clojurians-forum/4101/31010", "deleted_post"),
        ("clojurians-forum/4101/31013", "small_action_post"),
        ("clojurians-forum/4177/31431", "user_deleted_post"),
        ("clojurians-forum/4177/31433", "hidden_post"),
    ]
    by_id = {d.id: d for d in records}
    question = by_id["clojurians-forum/4101"].metadata
    assert question["url"] == "https://clojureverse.org/t/idiomatic-way-to-group-maps-by-a-key/4101"
    assert question["tags"] == ["Questions & Help", "data-structures", "transducers"]
    assert question["created_at"] == "2021-03-02T09:14:04.987Z"
    msgs = question["messages"]
    assert [(m["author"], m["author_id"], m["score"], m["accepted"]) for m in msgs] == [
        ("tomasz_k", "901", 2, False),
        ("amara.o", "902", 7, True),
        ("jvdberg", "903", 3, False),
        ("tomasz_k", "901", 1, False),
    ]
    assert "```clojure\n(update-vals (group-by :team scores)\n" in msgs[1]["text"]
    assert "Is there something more idiomatic?" not in msgs[1]["text"]  # the quote is gone
    assert "Returns a map of the elements" not in msgs[0]["text"]  # the onebox preview is gone
    assert msgs[2]["text"].startswith("Agree with @amara.o.")
    show = by_id["clojurians-forum/4177"].metadata
    assert show["tags"] == ["Show & Tell", "ring", "web"]  # a subcategory, tags as objects
    assert [m["accepted"] for m in show["messages"]] == [False, False, False]  # solved site, unsolved topic
    for leak in ("tracking-pixel", "should never appear", "timing.png", "21.4 KB"):
        assert leak not in by_id["clojurians-forum/4177"].text


def test_participants_are_private_and_complete() -> None:
    builder = ClojuriansForum()
    records, _ = _read(builder, [builder.sample_dir() / "4101.json"])
    people = records[0].metadata["_participants"]
    handles = {p["handle"]: p for p in people}
    assert {"tomasz_k", "amara.o", "jvdberg", "spam_bot_77"} <= set(handles)
    assert handles["amara.o"]["names"] == ["amara.o", "Amara Okafor"] and handles["amara.o"]["id"] == "902"
    row = to_row(records[0], SCHEMAS[RecordKind.THREAD])
    assert "_participants" not in row and "Amara Okafor" not in json.dumps(row)


# -- nothing lost silently --------------------------------------------------------------------------


def _input_units(path: Path) -> tuple[int, int]:
    """(post objects, listed topics) in one Discourse JSON file, counted independently of the reader."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "post_stream" in data:
        return len(data["post_stream"]["posts"]), 0
    if "latest_posts" in data:
        return len(data["latest_posts"]), 0
    if "topic_list" in data:
        return 0, len(data["topic_list"]["topics"])
    if "cooked" in data:
        return 1, 0
    return 0, 0


def _assert_every_post_accounted(paths: list[Path]) -> None:
    builder = ClojuriansForum()
    for path in paths:
        posts, listed = _input_units(path)
        records, rejections = _read(builder, [path])
        messages = sum(len(d.metadata["messages"]) for d in records)
        listing = [d for d in rejections if rejection_reason(d) == "listed_topic_without_posts"]
        assert messages + len(rejections) - len(listing) == posts, path.name
        assert len(listing) == listed, path.name
        assert all(rejection_reason(d) and d.text for d in rejections), "each rejection keeps its input"


def test_every_sample_post_is_a_message_or_a_rejection() -> None:
    _assert_every_post_accounted(ClojuriansForum().sample_shards())


@pytest.mark.skipif(not REAL.is_dir(), reason="shared real data not present")
def test_every_real_post_is_a_message_or_a_rejection() -> None:
    paths = sorted(REAL.glob("*.json"))
    _assert_every_post_accounted(paths)
    records, rejections = _read(ClojuriansForum(), paths)
    topic = next(d for d in records if d.id == "clojurians-forum/1148")
    assert topic.metadata["title"] == "[Support] uBlock Origin"
    assert topic.metadata["extra"]["posts_not_in_file"] == 22  # the fixture's stream names other ids
    assert {m["accepted"] for m in topic.metadata["messages"]} == {None}  # no "solved" plugin data
    assert topic.metadata["messages"][0]["score"] == 6  # likes from actions_summary
    assert {rejection_reason(d) for d in rejections} == {"empty_after_cleaning", "listed_topic_without_posts"}


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b'{"post_stream": {"posts": [', "not valid UTF-8 JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"\xff\xfe{\x00}\x00", "binary"),
        (b"[1, 2, 3]", "got list"),
        (b'"just a string"', "got str"),
        (b'{"users": []}', "not Discourse JSON"),
        (b'{"post_stream": {"posts": {"id": 1}}}', "'post_stream.posts' is not a list"),
        (b'{"topic_list": []}', "'topic_list.topics' is not a list"),
        (b"\xe9t\xe9", "not valid UTF-8 JSON"),
    ],
)
def test_unusable_files_are_input_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        list(ClojuriansForum().read(path))


def test_bad_posts_and_topics_are_rejections(tmp_path: Path) -> None:
    good = {"id": 5, "post_number": 1, "topic_id": 7, "username": "ann", "cooked": "<p>hello</p>"}
    posts = [
        good,
        "not a post",
        {**good, "id": 6, "post_number": 2, "cooked": None, "raw": None},
        {**good, "id": 8, "post_number": 3, "cooked": "<p><img src='x.png'></p>"},
        good,
        {**good, "id": 9, "post_number": 4, "topic_id": 99},
        {**good, "id": 10, "post_number": 5, "post_type": 4},
        {**good, "id": 11, "post_number": 6, "post_type": 2},
        {**good, "id": 12, "post_number": 7, "cooked": "<div>" * 2000 + "deep" + "</div>" * 2000},
    ]
    topic = {"id": 7, "title": "T", "slug": "t", "post_stream": {"posts": posts}}
    empty = {"id": 8, "title": "Nothing here", "post_stream": {"posts": []}}
    records, rejections = _read(
        ClojuriansForum(), [_write(tmp_path, "7.json", topic), _write(tmp_path, "8.json", empty)]
    )
    assert [len(d.metadata["messages"]) for d in records] == [1]
    assert [rejection_reason(d) for d in rejections] == [
        "malformed_post",
        "post_without_content",
        "empty_after_cleaning",
        "duplicate_post",
        "post_from_other_topic",
        "whisper_post",
        "moderator_action_post",
        "html_too_deeply_nested",
        "topic_without_posts",
    ]


def test_accepted_answer_from_the_topic_post_id(tmp_path: Path) -> None:
    posts = [
        {"id": n, "post_number": n, "topic_id": 4, "username": f"u{n}", "cooked": f"<p>{n}</p>"}
        for n in (1, 2)
    ]
    topic = {"id": 4, "title": "Q", "accepted_answer_post_id": 2, "post_stream": {"posts": posts}}
    records, _ = _read(ClojuriansForum(), [_write(tmp_path, "4.json", topic)])
    assert [m["accepted"] for m in records[0].metadata["messages"]] == [False, True]
    assert "From: u2\nDate: (unknown)\nAccepted answer: yes\n\n2" in records[0].text


def test_private_messages_are_never_records(tmp_path: Path) -> None:
    pm = {
        "id": 3,
        "title": "DM",
        "archetype": "private_message",
        "post_stream": {"posts": [{"id": 1, "topic_id": 3, "username": "a", "cooked": "<p>secret</p>"}]},
    }
    records, rejections = _read(ClojuriansForum(), [_write(tmp_path, "3.json", pm)])
    assert records == [] and [rejection_reason(d) for d in rejections] == ["private_message"]


def test_post_lists_and_single_posts_become_topic_fragments(tmp_path: Path) -> None:
    posts = {
        "latest_posts": [
            {
                "id": 21,
                "post_number": 3,
                "topic_id": 2,
                "topic_slug": "b",
                "topic_title": "B",
                "username": "u1",
                "cooked": "<p>x</p>",
                "created_at": "2020-01-01T00:00:00Z",
            },
            {"id": 11, "post_number": 2, "topic_id": 1, "topic_slug": "a", "username": "u2", "raw": "y"},
            {
                "id": 20,
                "post_number": 2,
                "topic_id": 2,
                "topic_slug": "b",
                "username": "u3",
                "cooked": "<p>z</p>",
            },
            {"id": 30, "post_number": 1, "username": "u4", "cooked": "<p>no topic</p>"},
        ]
    }
    records, rejections = _read(ClojuriansForum(), [_write(tmp_path, "posts.json", posts)])
    assert {d.id: [m["text"] for m in d.metadata["messages"]] for d in records} == {
        "clojurians-forum/2/posts-2-3": ["z", "x"],
        "clojurians-forum/1/posts-2-2": ["y"],
    }
    assert (
        records[0].metadata["title"] == "B" and records[0].metadata["url"] == "https://clojureverse.org/t/b/2"
    )
    assert [rejection_reason(d) for d in rejections] == ["post_without_topic"]


def test_a_folder_of_bad_files_builds_without_crashing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.json").write_bytes(b"")
    (folder / "broken.json").write_bytes(b"{")
    (folder / "binary.json").write_bytes(bytes(range(256)))
    (folder / "list.json").write_bytes(b"[]")
    sample = ClojuriansForum().sample_dir()
    for name in ("4101.json", "categories.json"):
        (folder / name).write_bytes((sample / name).read_bytes())
    builder = ClojuriansForum()
    stats = run(builder, builder.shards(folder), Policy(name="none"), tmp_path / "out", progress=False).stats
    assert stats["input"]["records"] == 1
    assert stats["input"]["rejected_by_reason"] == {
        "deleted_post": 1,
        "small_action_post": 1,
        "unreadable_input": 4,
    }


def test_oddly_typed_fields_neither_crash_nor_reach_typed_columns(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    post = {"id": 1, "post_number": 1, "topic_id": 5, "cooked": "<p>hi</p>", "username": "joe"}
    post |= {"created_at": "2020-01-01T00:00:00Z", "like_count": 2**63 + 5}
    topic = {"id": 5, "title": "t", "created_at": 12345, "details": {"participants": 5}}
    topic["post_stream"] = {"posts": [post], "stream": [[1], {"a": 1}, 1, 2]}
    _write(folder, "5.json", topic)
    _write(
        folder,
        "categories.json",
        {"category_list": {"categories": [{"id": 1, "name": "a", "subcategory_list": 5}]}},
    )
    builder = ClojuriansForum()
    records, rejections = _read(builder, builder.shards(folder))
    assert rejections == [] and len(records) == 1
    meta = records[0].metadata
    assert meta["created_at"] == "2020-01-01T00:00:00Z"  # the post's date: the topic's is no string
    assert meta["messages"][0]["score"] is None  # beyond int64: not a like count
    assert meta["extra"]["posts_not_in_file"] == 1  # only int ids count: post 2
    out = run(builder, builder.shards(folder), Policy(name="none"), tmp_path / "out", progress=False)
    assert out.stats["input"]["records"] == 1


# -- download -------------------------------------------------------------------------------------


def _post(pid: int, number: int, topic_id: int, username: str) -> dict[str, Any]:
    """A post object with the fields a real ``/t/{id}.json`` post has (see realdata/discourse)."""
    return {
        "id": pid,
        "name": username.title(),
        "username": username,
        "avatar_template": "/a/{size}.png",
        "created_at": f"2023-05-{number:02d}T10:00:00.000Z",
        "cooked": f"<p>post {number} of {topic_id}</p>",
        "post_number": number,
        "post_type": 1,
        "updated_at": "2023-05-01T10:00:00.000Z",
        "reply_count": 0,
        "reply_to_post_number": None,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 3,
        "score": 1.0,
        "yours": False,
        "topic_id": topic_id,
        "topic_slug": f"topic-{topic_id}",
        "display_username": username,
        "version": 1,
        "actions_summary": [{"id": 2, "count": number % 3}],
        "moderator": False,
        "admin": False,
        "staff": False,
        "user_id": 100 + number % 4,
        "hidden": False,
        "trust_level": 1,
        "deleted_at": None,
        "user_deleted": False,
        "edit_reason": None,
        "wiki": False,
        "accepted_answer": False,
    }


class FakeDiscourse:
    """A loopback Discourse: robots.txt, categories, two listing pages, topics and post chunks.

    ``/t/1.json`` answers 429 once and ``/latest.json?page=1`` 503 once; robots.txt forbids topic 3;
    topic 2 has 25 posts, so its last 5 need a ``/t/2/posts.json?post_ids[]=...`` request.
    """

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.failures = {"/t/1.json": 429, "/latest.json?page=1": 503}
        self.robots = "User-agent: *\nDisallow: /t/3.json\n"
        self.topics = {
            1: [_post(1000 + n, n, 1, f"user{n}") for n in range(1, 4)],
            2: [_post(2000 + n, n, 2, f"user{n % 5}") for n in range(1, 26)],
            3: [_post(3001, 1, 3, "hidden")],
        }

    def add_post(self, topic_id: int) -> None:
        posts = self.topics[topic_id]
        posts.append(_post(posts[-1]["id"] + 1, len(posts) + 1, topic_id, "late"))

    def count(self, path: str) -> int:
        return self.requests.count(path)

    def _summary(self, tid: int) -> dict[str, Any]:
        return {
            "id": tid,
            "title": f"Topic {tid}",
            "slug": f"topic-{tid}",
            "posts_count": len(self.topics[tid]),
            "highest_post_number": len(self.topics[tid]),
            "category_id": 5,
            "tags": ["ring"],
        }

    def _topic(self, tid: int) -> dict[str, Any]:
        posts = self.topics[tid]
        return {
            **self._summary(tid),
            "created_at": "2023-05-01T09:59:00.000Z",
            "archetype": "regular",
            "chunk_size": 20,
            "details": {"participants": []},
            "post_stream": {"posts": posts[:20], "stream": [p["id"] for p in posts]},
        }

    def answer(self, path: str) -> tuple[int, Any]:
        from urllib.parse import parse_qs, urlsplit

        self.requests.append(path)
        if path in self.failures:
            return self.failures.pop(path), {"errors": ["slow down"]}
        parts = urlsplit(path)
        if path == "/robots.txt":
            return 200, self.robots
        if path == "/categories.json?include_subcategories=true":
            return 200, {"category_list": {"categories": [{"id": 5, "name": "Libraries", "slug": "libs"}]}}
        if parts.path == "/latest.json":
            page = parse_qs(parts.query).get("page", ["0"])[0]
            if page == "0":
                return 200, {
                    "topic_list": {
                        "more_topics_url": "/latest?page=1",
                        "topics": [self._summary(1), self._summary(2)],
                    }
                }
            return 200, {"topic_list": {"topics": [self._summary(3)]}}
        tid = parts.path.split("/")[2].removesuffix(".json") if parts.path.startswith("/t/") else ""
        if not tid.isdigit() or int(tid) not in self.topics:
            return 404, {"errors": ["not found"]}
        if parts.path.endswith("/posts.json"):
            wanted = {int(i) for i in parse_qs(parts.query).get("post_ids[]", [])}
            return 200, {
                "id": int(tid),
                "post_stream": {"posts": [p for p in self.topics[int(tid)] if p["id"] in wanted]},
            }
        return 200, self._topic(int(tid))

    def __enter__(self) -> FakeDiscourse:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                status, body = fake.answer(self.path)
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "text/plain" if isinstance(body, str) else "application/json"
                )
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _online(forum: FakeDiscourse, **settings: Any) -> ClojuriansForum:
    """The builder pointed at the loopback forum, with no politeness delay (tests only)."""
    config = ClojuriansForumConfig(base_url=forum.url, request_delay_s=0.0, retry_backoff_s=0.01)
    return ClojuriansForum(config, **settings)


@pytest.fixture
def forum() -> Iterator[FakeDiscourse]:
    with FakeDiscourse() as server:
        yield server


def test_download_crawls_every_post_and_reruns_from_cache(tmp_path: Path, forum: FakeDiscourse) -> None:
    topics = _online(forum).download(tmp_path / "dl", progress=False)
    assert sorted(p.name for p in topics.iterdir()) == ["1.json", "2.json", "categories.json"]
    assert forum.count("/t/1.json") == 2 and forum.count("/latest.json?page=1") == 2  # 429, 503 retried
    assert forum.count("/t/3.json") == 0  # robots.txt forbids it
    assert len([r for r in forum.requests if r.startswith("/t/2/posts.json?")]) == 1
    records, rejections = _read(_online(forum), ClojuriansForum().shards(topics))
    assert rejections == []
    assert {d.id: len(d.metadata["messages"]) for d in records} == {
        "clojurians-forum/1": 3,
        "clojurians-forum/2": 25,
    }
    assert next(d for d in records if d.id.endswith("/2")).metadata["tags"] == ["Libraries", "ring"]
    before = len(forum.requests)
    snapshot = {p.name: p.read_bytes() for p in topics.iterdir()}
    again = _online(forum).download(tmp_path / "dl", progress=False)
    assert len(forum.requests) == before  # everything came from the cache
    assert {p.name: p.read_bytes() for p in again.iterdir()} == snapshot


def test_download_refetches_topics_with_new_posts(tmp_path: Path, forum: FakeDiscourse) -> None:
    _online(forum).download(tmp_path / "dl", progress=False)
    forum.add_post(topic_id=1)
    topics = _online(forum, list_max_age_s=0.0).download(tmp_path / "dl", progress=False)
    assert forum.count("/t/1.json") == 3 and forum.count("/t/2.json") == 1  # only the changed topic
    records, _ = _read(ClojuriansForum(), [topics / "1.json"])
    assert len(records[0].metadata["messages"]) == 4


def test_download_stops_at_max_pages_and_resumes(tmp_path: Path, forum: FakeDiscourse) -> None:
    topics = _online(forum, max_pages=5).download(tmp_path / "dl", progress=False)
    assert sorted(p.name for p in topics.iterdir()) == ["1.json", "categories.json"]
    topics = _online(forum).download(tmp_path / "dl", progress=False)
    assert sorted(p.name for p in topics.iterdir()) == ["1.json", "2.json", "categories.json"]
    assert forum.count("/t/1.json") == 2  # the 429 and the success, never fetched again


def test_download_says_why_when_nothing_can_be_fetched(tmp_path: Path, forum: FakeDiscourse) -> None:
    forum.robots = "User-agent: *\nDisallow: /\n"
    with pytest.raises(ClojureDataError, match="robots.txt may forbid"):
        _online(forum).download(tmp_path / "dl", progress=False)
    assert forum.requests == ["/robots.txt"]
