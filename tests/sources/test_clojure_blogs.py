"""The clojure-blogs source: feeds -> posts with code kept, nothing hidden, nothing lost, polite crawl."""

from __future__ import annotations

import json
import resource
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest

from clojure_data.errors import InputError
from clojure_data.feeds.download import feed_slug
from clojure_data.feeds.feedlist import read_feed_list
from clojure_data.feeds.html import extract_article, html_fragment_text
from clojure_data.feeds.parse import parse_feed
from clojure_data.pipeline import run
from clojure_data.policy import load_policy
from clojure_data.record import Document, rejection_reason
from clojure_data.registry import sources

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
REAL_RSS = REALDATA / "rss" / "rss_entries.xml"
REAL_PLANET = REALDATA / "planet" / "config.ini"


def builder(**settings: Any) -> Any:
    return sources.get("clojure-blogs")(**settings)


def read_all(path: Path, **settings: Any) -> list[Document]:
    b = builder(**settings)
    return [doc for shard in b.shards(path) for doc in b.read(shard)]


def rss(items: str, encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>T</title>'
    return (head + "<link>https://blog.example.org/</link>" + items + "</channel></rss>").encode(encoding)


def item(n: int, body: str, link: str | None = None, guid: str | None = None) -> str:
    link = link if link is not None else f"https://blog.example.org/{n}"
    guid_tag = f'<guid isPermaLink="false">{guid}</guid>' if guid else ""
    return (
        f"<item><title>Post {n}</title><link>{link}</link>{guid_tag}<description>{body}</description></item>"
    )


def esc(html: str) -> str:
    return html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the sample ---------------------------------------------------------------------------------------


def test_sample_records_and_rejections() -> None:
    docs = read_all(builder().sample_dir())
    reasons = Counter(rejection_reason(d) for d in docs)
    assert reasons == {None: 6, "duplicate_entry": 1, "no_content": 1, "planet_filter": 1, "no_link": 1}
    posts = {d.metadata["title"]: d for d in docs if rejection_reason(d) is None}
    transducers = posts["Transducers without the mystery"]
    assert (
        "```clojure\n(def xf\n  (comp (map inc)\n        (filter even?)))\n\n;; the same recipe"
        in transducers.text
    )
    assert "`comp`" in transducers.text and "trackReader" not in transducers.text
    assert transducers.metadata["tags"] == ["clojure", "transducers"]
    assert transducers.metadata["created_at"] == "2024-03-02T09:30:00Z"
    assert transducers.metadata["url"] == "https://lambda-notes.example.org/2024/03/transducers.html"
    destructuring = posts["Destructuring maps with defaults"].text
    assert "Subscribe" not in destructuring and "¶" not in destructuring
    assert "(defn connect\n  [{:keys [host port]\n    :or {port 5432}" in destructuring
    threading_ = posts["Threading macros: -> vs ->>"]
    assert "```clojure\n(-> {:a 1}" in threading_.text and "Sponsored" not in threading_.text
    assert threading_.metadata["extra"]["feed_url"] == "https://parens-weekly.example.net/atom.xml"
    letfn = posts["Naming things with letfn"]
    assert letfn.metadata["author"] == "Zoé Laurent" and "Café" in letfn.text
    assert letfn.metadata["_participants"] == [
        {"name": "Zoé Laurent", "email": "zoe@repl-diaries.example.com"}
    ]


def test_sample_reads_deterministically() -> None:
    first = [(d.id, d.text, d.metadata) for d in read_all(builder().sample_dir())]
    assert first == [(d.id, d.text, d.metadata) for d in read_all(builder().sample_dir())]
    ids = [i for i, _, _ in first]
    assert len(ids) == len(set(ids))


def _entries_in(path: Path) -> int:
    return len(feedparser.parse(path.read_bytes()).entries)


@pytest.mark.parametrize(
    "path",
    [
        *sorted((Path(__file__).resolve().parents[2] / "sources" / "clojure_blogs").glob("*.xml")),
        pytest.param(REAL_RSS, marks=pytest.mark.skipif(not REAL_RSS.is_file(), reason="realdata absent")),
    ],
    ids=lambda p: p.name,
)
def test_no_silent_loss(path: Path) -> None:
    """Every entry feedparser sees is a record or a rejection with a reason, exactly once."""
    docs = read_all(path)
    assert len(docs) == _entries_in(path) > 0
    for doc in docs:
        reason = rejection_reason(doc)
        assert reason is None or (reason.islower() and " " not in reason and doc.metadata["location"])
        assert reason is not None or doc.text.strip()


def test_real_rss_feed() -> None:
    if not REAL_RSS.is_file():
        pytest.skip("realdata absent")
    docs = read_all(REAL_RSS)
    reasons = Counter(rejection_reason(d) for d in docs)
    assert reasons[None] >= 10 and set(reasons) <= {None, "no_content"}
    post = next(d for d in docs if rejection_reason(d) is None)
    assert (
        post.metadata["author"] == "Matthew Groves" and post.metadata["created_at"] == "2016-12-06T17:17:00Z"
    )
    assert "<p>" not in post.text and "&lt;" not in post.text


# -- HTML -> text -------------------------------------------------------------------------------------

HOSTILE = """<p>Call <code>(inc 1)</code> now.</p>
<script>steal()</script><style>p { color: red }</style><noscript>enable JS</noscript>
<p style="display:none">hidden-by-style</p><p style="VISIBILITY: hidden">hidden-by-visibility</p>
<div hidden>hidden-by-attribute</div><span aria-hidden="true">hidden-by-aria</span>
<template><p>template-text</p></template><iframe src="x">frame-text</iframe>
<pre><code class="language-clojure">(defn f [x]

  (* x x))</code></pre>
<table class="highlighttable"><tr><td class="linenos"><pre>1
2</pre></td><td><div class="highlight highlight-source-clojure"><pre>(def a 1)
(def b 2)</pre></div></td></tr></table>
<pre>has ``` inside</pre>"""


def test_html_keeps_code_and_never_leaks_hidden_text() -> None:
    text = html_fragment_text(HOSTILE)
    for leak in ("steal", "color: red", "enable JS", "hidden-by", "template-text", "frame-text"):
        assert leak not in text, leak
    assert "Call `(inc 1)` now." in text
    assert "```clojure\n(defn f [x]\n\n  (* x x))\n```" in text
    assert "```clojure\n(def a 1)\n(def b 2)\n```" in text and "1\n2" not in text
    assert "````\nhas ``` inside\n````" in text


def test_hidden_text_does_not_leak_through_a_feed(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss(item(1, esc(HOSTILE))))
    [doc] = read_all(feed)
    assert "hidden-by" not in doc.text and "steal" not in doc.text and "```clojure" in doc.text


def test_entry_of_only_hidden_text_is_rejected(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss(item(1, esc('<script>x()</script><p style="display:none">secret</p>'))))
    [doc] = read_all(feed)
    assert rejection_reason(doc) == "no_text_after_cleaning"


ARTICLE = """<!doctype html><html><head><title>Memoize</title><script>ga('send')</script></head><body>
<nav><a href="/">Home</a> <a href="/archive">Archive</a> <a href="/about">About</a></nav>
<aside class="sidebar"><h3>Tags</h3><ul><li>clojure</li><li>emacs</li></ul></aside>
<article><h1>Memoize with care</h1>
<p>The function <code>memoize</code> caches every result forever, which is fine for small pure
functions with a bounded domain and a memory leak for anything else. This post shows the
alternatives that core.memoize offers and when each of them is the right choice.</p>
<pre><code class="language-clojure">(def slow-square
  (memoize (fn [x]

             (Thread/sleep 1000)
             (* x x))))</code></pre>
<p style="display:none">hidden-in-article</p>
<p>With a TTL cache the entries expire after a while, and with an LRU cache only the most recently
used results are kept. Both are one function call away, and both keep the calling code unchanged,
which is what makes memoization such a pleasant optimisation in Clojure.</p>
</article>
<footer>Copyright 2024 Example Blog. All rights reserved.</footer></body></html>"""


def test_article_extraction_keeps_code_verbatim() -> None:
    text = extract_article(ARTICLE, "https://blog.example.org/memoize")
    assert "caches every result forever" in text and "LRU cache" in text
    assert "```clojure\n(def slow-square\n  (memoize (fn [x]\n\n             (Thread/sleep 1000)" in text
    assert "`memoize`" in text
    for leak in ("hidden-in-article", "ga('send')", "Archive", "All rights reserved"):
        assert leak not in text, leak


# -- bad input ----------------------------------------------------------------------------------------

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file://SECRET">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://blog.example.org/1</link>
<description>bomb &lol9; xxe &xxe;</description></item>
</channel></rss>"""


def test_xml_bomb_and_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    feed = tmp_path / "bomb.xml"
    feed.write_text(BOMB.replace("file://SECRET", secret.as_uri()))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    docs = read_all(feed)
    assert time.perf_counter() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 100_000  # KiB: no 3 GB string
    [doc] = docs
    assert "lollol" not in doc.text and "TOP-SECRET" not in doc.text and len(doc.text) < 200
    assert "lollol" not in (doc.metadata["title"] or "")


def test_malformed_xml_is_recovered_and_flagged(tmp_path: Path) -> None:
    feed = tmp_path / "broken.xml"
    feed.write_bytes(rss(item(1, "A &amp; B &lt;b&gt;bold") + "<item><title>Two & three</title><link>x"))
    docs = read_all(feed)
    assert rejection_reason(docs[0]) is None and "A & B bold" in docs[0].text
    assert "not well-formed" in docs[0].metadata["extra"]["feed_warning"]
    assert len(docs) == len(feedparser.parse(feed.read_bytes()).entries)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!DOCTYPE html><html><head><title>Blog</title></head><body><p>hi</p></body></html>", "HTML page"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 300, "binary"),
        (b"just some words\nnot a feed\n", "not an RSS/Atom feed"),
        (b"   \n\n", "empty"),
    ],
    ids=["html", "binary", "png", "text", "blank"],
)
def test_files_that_are_not_feeds_are_input_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_all(path)


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        builder().shards(path)
    with pytest.raises(InputError, match="empty"):
        parse_feed(b"", "empty.xml")


def test_unknown_encoding_still_reads_with_a_warning(tmp_path: Path) -> None:
    feed = tmp_path / "klingon.xml"
    feed.write_bytes(rss(item(1, "caf\xe9 au lait"), encoding="latin-1").replace(b"latin-1", b"x-klingon-9"))
    [doc] = read_all(feed)
    assert rejection_reason(doc) is None and "café au lait" in doc.text
    assert "x-klingon-9" in doc.metadata["extra"]["feed_warning"]


def test_absurdly_nested_html_is_one_rejection_not_a_lost_feed(tmp_path: Path) -> None:
    feed = tmp_path / "deep.xml"
    deep = "<div>" * 5000 + "deep" + "</div>" * 5000
    feed.write_bytes(rss(item(1, esc(deep)) + item(2, esc("<p>fine (defn f [])</p>"))))
    assert [rejection_reason(d) for d in read_all(feed)] == ["html_too_deep", None]


def test_dedupe_by_id_or_link_and_missing_link(tmp_path: Path) -> None:
    feed = tmp_path / "dups.xml"
    items = [
        item(1, "first", guid="a"),
        item(2, "same guid", guid="a"),
        item(3, "same link as 1", link="https://blog.example.org/1", guid="c"),
        item(4, "no link", link=""),
        item(5, "", guid="e"),
    ]
    feed.write_bytes(rss("".join(items)))
    reasons = [rejection_reason(d) for d in read_all(feed)]
    assert reasons == [None, "duplicate_entry", "duplicate_entry", "no_link", "no_content"]


def test_bad_shard_is_rejected_and_the_rest_builds(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.xml").write_bytes(rss(item(1, "(defn f [] 1) in Clojure")))
    (folder / "page.xml").write_bytes(b"<html><body>not a feed</body></html>")
    b = builder()
    result = run(b, b.shards(folder), load_policy("default"), tmp_path / "out", progress=False)
    stats = json.loads((result.output / "stats.json").read_text())
    assert stats["input"]["records"] == 1
    assert stats["input"]["rejected_by_reason"] == {"unreadable_input": 1}


def test_planet_filter_from_config(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss(item(1, "All about (defn foo [])") + item(2, "A post about gardening")))
    reasons = [rejection_reason(d) for d in read_all(feed, entry_filter=r"\(defn")]
    assert reasons == [None, "planet_filter"]


# -- feed lists ---------------------------------------------------------------------------------------


def test_shipped_feed_list() -> None:
    feeds, problems = read_feed_list(builder().sample_dir() / "feeds.ini")
    assert len(feeds) >= 10 and not problems
    assert all(f.url.startswith(("http://", "https://")) for f in feeds)
    assert any(f.filter for f in feeds) and all(f.name for f in feeds)


def test_real_planet_config() -> None:
    if not REAL_PLANET.is_file():
        pytest.skip("realdata absent")
    feeds, problems = read_feed_list(REAL_PLANET)
    assert len(feeds) > 800
    assert ("fixitwithcode://jonase.github.io/nil-recur/feed.xml", "not_an_http_url") in problems
    clojure_org = next(f for f in feeds if f.url == "https://clojure.org/feed.xml")
    assert clojure_org.name == "Clojure.org" and not clojure_org.filter
    assert sum(1 for f in feeds if f.filter) > 500


def test_text_feed_list_and_feed_list_as_input(tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(
        "# mine\nhttps://a.example/feed.xml  Blog A\n\nftp://nope/feed\nhttps://a.example/feed.xml\n"
    )
    feeds, problems = read_feed_list(listing)
    assert [(f.url, f.name) for f in feeds] == [("https://a.example/feed.xml", "Blog A")]
    assert problems == [
        ("ftp://nope/feed", "not_an_http_url"),
        ("https://a.example/feed.xml", "duplicate_feed"),
    ]
    with pytest.raises(InputError, match="feed list, not a feed"):
        builder().shards(listing)


# -- crawling a local server --------------------------------------------------------------------------


class Site:
    """A blog on 127.0.0.1: a summary-only feed, article pages, a robots.txt; logs every request."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                site.requests.append(self.path)
                status, ctype, body = site.pages.get(self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(
        self, path: str, body: str | bytes, ctype: str = "text/html; charset=utf-8", status: int = 200
    ) -> None:
        self.pages[path] = (status, ctype, body.encode() if isinstance(body, str) else body)


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    s.add("/robots.txt", "User-agent: *\nDisallow: /posts/private\n", "text/plain")
    items = "".join(
        item(n, esc(f"<p>Summary of post {n} about <code>memoize</code>.</p>"), link=f"{s.base}/posts/{slug}")
        for n, slug in [(1, "memoize"), (2, "private"), (3, "gone")]
    )
    s.add("/feed.xml", rss(items), "application/rss+xml")
    s.add("/posts/memoize", ARTICLE)
    s.add("/posts/private", ARTICLE.replace("Memoize with care", "Secret draft"))
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


def test_download_crawls_politely_and_reads_articles(site: Site, tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{site.base}/feed.xml Local blog\n{site.base}/missing.xml Gone blog\n")
    b = builder(feed_list=str(listing), min_delay_s=0.0)
    feeds_dir = b.download(tmp_path / "dl", progress=False)
    assert "/posts/private" not in site.requests  # robots.txt disallows it
    assert sorted(set(site.requests)) == [
        "/feed.xml",
        "/missing.xml",
        "/posts/gone",
        "/posts/memoize",
        "/robots.txt",
    ]
    docs = [d for shard in b.shards(feeds_dir) for d in b.read(shard)]
    by_url = {d.metadata.get("url") or d.metadata.get("location"): d for d in docs}
    memo = by_url[f"{site.base}/posts/memoize"]
    assert memo.metadata["extra"]["text_from"] == "article"
    assert "```clojure\n(def slow-square" in memo.text and "hidden-in-article" not in memo.text
    private = by_url[f"{site.base}/posts/private"]
    assert private.metadata["extra"]["text_from"] == "feed"
    assert private.metadata["extra"]["article_status"] == "robots_disallowed"
    assert "Secret draft" not in private.text and "Summary of post 2" in private.text
    assert by_url[f"{site.base}/posts/gone"].metadata["extra"]["article_status"] == "http_404"
    assert by_url[f"{site.base}/missing.xml"].metadata["_rejected"] == "feed_http_404"
    assert f"- Local blog: <{site.base}/feed.xml>" in b.card.collection  # the datasheet names the feeds
    assert f"{site.base}/feed.xml" not in builder().card.collection
    report = json.loads((tmp_path / "dl" / "download-report.json").read_text())
    assert report["counts"]["feed_ok"] == 1 and report["counts"]["article_robots_disallowed"] == 1

    # a re-run is served from the cache: no request reaches the server
    before = len(site.requests)
    b.download(tmp_path / "dl", progress=False)
    assert len(site.requests) == before
    again = [d for shard in b.shards(feeds_dir) for d in b.read(shard)]
    assert [(d.id, d.text) for d in again] == [(d.id, d.text) for d in docs]


def test_failed_refresh_keeps_the_previous_copy(site: Site, tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{site.base}/feed.xml\n")
    b = builder(feed_list=str(listing), min_delay_s=0.0, fetch_articles=False, feed_max_age_s=0.0)
    feeds_dir = b.download(tmp_path / "dl", progress=False)
    first = [d.id for shard in b.shards(feeds_dir) for d in b.read(shard)]
    site.add("/feed.xml", "gone", "text/plain", status=410)
    b.download(tmp_path / "dl", progress=False)
    report = json.loads((tmp_path / "dl" / "download-report.json").read_text())
    assert report["counts"] == {"feed_kept_previous_copy": 1}
    assert [d.id for shard in b.shards(feeds_dir) for d in b.read(shard)] == first


def test_download_resumes_after_max_pages(site: Site, tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{site.base}/feed.xml\n")
    b = builder(feed_list=str(listing), min_delay_s=0.0, max_pages=3)  # robots, feed, one article
    b.download(tmp_path / "dl", progress=False)
    report = json.loads((tmp_path / "dl" / "download-report.json").read_text())
    assert report["stopped_early"] and site.requests.count("/posts/memoize") == 1
    meta_path = tmp_path / "dl" / "feeds" / (feed_slug(f"{site.base}/feed.xml") + ".meta.json")
    partial = json.loads(meta_path.read_text())["articles"]  # what was done before the stop is recorded
    assert {v["status"] for v in partial.values()} == {"ok", "robots_disallowed"}
    b.download(tmp_path / "dl", progress=False)
    assert json.loads((tmp_path / "dl" / "download-report.json").read_text())["stopped_early"] is False
    assert site.requests.count("/posts/memoize") == 1 and site.requests.count("/posts/gone") == 1
    meta = json.loads(meta_path.read_text())
    assert {v["status"] for v in meta["articles"].values()} == {"ok", "robots_disallowed", "http_404"}
