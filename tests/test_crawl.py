"""The polite crawler and the mailgroup download, against a loopback HTTP server (never the internet)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from clojure_data.crawl import CrawlConfig, Crawler, Page, PageLimitReached, retry_after_s
from clojure_data.record import rejection_reason
from clojure_data.sources.mailgroup import ClojureMailgroup


@dataclass
class Site:
    """What the test server serves: path -> body, plus scripted failures; it logs every request."""

    pages: dict[str, str] = field(default_factory=dict)
    failures: dict[str, list[int]] = field(default_factory=dict)  # path -> statuses to answer first
    log: list[tuple[str, float]] = field(default_factory=list)
    agents: set[str] = field(default_factory=set)
    handlers: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)
    url: str = ""

    def requests_for(self, path: str) -> int:
        return sum(1 for p, _ in self.log if p == path)


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            state.log.append((self.path, time.monotonic()))
            state.agents.add(self.headers.get("User-Agent", ""))
            if self.path in state.handlers:  # a scripted misbehaving response
                state.handlers[self.path](self)
                return
            pending = state.failures.get(self.path)
            if pending:
                status, body = pending.pop(0), b"busy"
            elif self.path in state.pages:
                status, body = 200, state.pages[self.path].encode()
            else:
                status, body = 404, b"not found"
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def fast(**overrides: object) -> CrawlConfig:
    config = CrawlConfig(min_delay_s=0.0, retries=2, backoff_s=0.01, timeout_s=5)
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


# -- the crawler ------------------------------------------------------------------------------------
def test_robots_disallowed_path_is_never_fetched(site: Site, tmp_path: Path) -> None:
    site.pages = {
        "/robots.txt": "User-agent: *\nDisallow: /private/\n",
        "/a.html": "a",
        "/private/b.html": "b",
    }
    crawler = Crawler(tmp_path, fast())
    assert crawler.get(site.url + "/private/b.html") is None
    page = crawler.get(site.url + "/a.html")
    assert page is not None and page.ok and page.text == "a"
    assert site.requests_for("/private/b.html") == 0 and crawler.stats["disallowed"] == 1
    assert site.agents == {crawler.config.user_agent} and crawler.config.user_agent.startswith(
        "clojure-data/"
    )


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (403, False), (503, False)])
def test_robots_txt_failures(site: Site, tmp_path: Path, status: int, allowed: bool) -> None:
    site.pages = {"/a.html": "a"}
    if status != 404:
        site.failures["/robots.txt"] = [status] * 5
    assert Crawler(tmp_path, fast()).allowed(site.url + "/a.html") is allowed


def test_rate_limit_spaces_requests(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": "", **{f"/p{i}.html": str(i) for i in range(4)}}
    crawler = Crawler(tmp_path, fast(min_delay_s=0.25))
    for i in range(4):
        assert crawler.get(f"{site.url}/p{i}.html") is not None
    times = [t for _, t in site.log]
    assert len(times) == 5  # robots.txt + 4 pages
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.25 * 0.6, gaps  # server-side clocks jitter under load; unthrottled gaps are ~1 ms


def test_crawl_delay_from_robots_wins(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": "User-agent: *\nCrawl-delay: 1\n", "/a": "a", "/b": "b"}
    crawler = Crawler(tmp_path, fast(min_delay_s=0.0))
    crawler.get(site.url + "/a")
    crawler.get(site.url + "/b")
    assert site.log[2][1] - site.log[1][1] >= 1 * 0.6


def test_retries_with_backoff_on_503(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": "", "/flaky.html": "finally"}
    site.failures["/flaky.html"] = [503]
    crawler = Crawler(tmp_path, fast())
    page = crawler.get(site.url + "/flaky.html")
    assert page is not None and page.text == "finally"
    assert site.requests_for("/flaky.html") == 2 and crawler.stats["retried"] == 1
    site.failures["/down.html"] = [500] * 10
    assert crawler.get(site.url + "/down.html") is None
    assert site.requests_for("/down.html") == 3 and crawler.stats["failed"] == 1
    assert crawler.cached(site.url + "/down.html") is None  # failures are not cached


def test_cache_hit_on_rerun_and_404s_are_remembered(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": "", "/a.html": "a"}
    first = Crawler(tmp_path, fast())
    assert first.get(site.url + "/a.html") is not None
    missing = first.get(site.url + "/gone.html")
    assert missing is not None and missing.status == 404
    seen = len(site.log)
    second = Crawler(tmp_path, fast())
    page = second.get(site.url + "/a.html")
    assert page is not None and page.from_cache and page.text == "a"
    assert second.get(site.url + "/gone.html").status == 404  # type: ignore[union-attr]
    assert len(site.log) == seen  # robots.txt, the page and the 404 all came from the cache
    assert second.get(site.url + "/a.html", max_age_s=0) is not None  # expired: fetched again
    assert site.requests_for("/a.html") == 2


def test_damaged_cache_entry_is_fetched_again(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": "", "/a.html": "a"}
    url = site.url + "/a.html"
    assert Crawler(tmp_path, fast()).get(url) is not None
    crawler = Crawler(tmp_path, fast())
    meta = crawler.cache_path(url).with_suffix(".json")
    for damage in ("{trunc", "[]", '{"status": "x"}', "{}"):
        meta.write_text(damage, encoding="utf-8")
        page = crawler.get(url)
        assert page is not None and page.text == "a" and not page.from_cache
    assert site.requests_for("/a.html") == 5


@pytest.mark.parametrize("robots", [True, False])
def test_unfetchable_urls_fail_without_raising(site: Site, tmp_path: Path, robots: bool) -> None:
    site.pages = {
        "/robots.txt": "",
        "/start": "<a href='http:///no-host'>x</a><a href='/ok'>ok</a>",
        "/ok": "ok",
    }
    crawler = Crawler(tmp_path, fast(respect_robots=robots))
    assert crawler.get("http://127.0.0.1:99999/x") is None  # port out of range: requests' InvalidURL

    def links(page: Page) -> list[str]:
        return re.findall(r"href='([^']+)'", page.text)

    pages = [
        p.url for p in crawler.crawl([site.url + "/start"], lambda p: [urljoin(p.url, u) for u in links(p)])
    ]
    assert pages == [site.url + "/start", site.url + "/ok"]


def test_max_pages(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": "", "/a": "a", "/b": "b"}
    crawler = Crawler(tmp_path, fast(max_pages=2))
    crawler.get(site.url + "/a")  # robots.txt + /a
    with pytest.raises(PageLimitReached):
        crawler.get(site.url + "/b")
    assert crawler.get(site.url + "/a") is not None  # cache hits are free


def test_crawl_resumes_after_interruption(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": ""} | {f"/p{i}": f"<a href='/p{i + 1}'>next</a>" for i in range(6)}

    def links(page: Page) -> list[str]:
        return [site.url + href for href in __import__("re").findall(r"href='([^']+)'", page.text)]

    crawler = Crawler(tmp_path, fast())
    with pytest.raises(KeyboardInterrupt):
        for n, _page in enumerate(crawler.crawl([site.url + "/p0"], links), start=1):
            if n == 3:
                raise KeyboardInterrupt  # the user pressed Ctrl-C
    assert not list(tmp_path.rglob("*.part"))
    pages = list(Crawler(tmp_path, fast()).crawl([site.url + "/p0"], links))
    assert [p.url for p in pages] == [f"{site.url}/p{i}" for i in range(6)]
    assert [p.from_cache for p in pages] == [True] * 3 + [False] * 3
    assert all(site.requests_for(f"/p{i}") == 1 for i in range(6)) and site.requests_for("/p6") == 1


# -- hostile responses: too large, too slow, "come back at <date>" ---------------------------------
def endless(chunked: bool, length: int | None = None, pause_s: float = 0.0, piece: bytes = b"x" * 4096):
    """A handler streaming ``piece`` until the client hangs up (or 5 s pass: the test has failed by then)."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        if chunked:
            h.protocol_version = "HTTP/1.1"
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        elif length is not None:
            h.send_header("Content-Length", str(length))
        h.end_headers()
        stop = time.monotonic() + 5
        try:
            while time.monotonic() < stop:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                h.wfile.flush()
                time.sleep(pause_s)
        except OSError:  # the crawler hung up, as it should
            pass

    return handle


def assert_failed_uncached(crawler: Crawler, tmp_path: Path, url: str, reason: str) -> None:
    assert crawler.stats[reason] == 1 and crawler.stats["failed"] == 1 and crawler.stats["retried"] == 0
    assert crawler.cached(url) is None and not crawler.cache_path(url).exists()
    assert not list(tmp_path.rglob("*.part"))


def test_declared_oversize_body_is_refused_before_reading(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": "", "/small": "s" * 1000}
    # claims 10 GB but sends 8 KB: reading it would end in a cut-off body and retries, not too_large
    site.handlers["/huge"] = endless(False, length=10 * 1024**3, piece=b"x" * 8192, pause_s=1)
    crawler = Crawler(tmp_path, fast(max_response_bytes=1024))
    assert crawler.get(site.url + "/huge") is None
    assert site.requests_for("/huge") == 1
    assert_failed_uncached(crawler, tmp_path, site.url + "/huge", "too_large")
    page = crawler.get(site.url + "/small")  # under the cap: unaffected
    assert page is not None and len(page.content) == 1000


@pytest.mark.parametrize("chunked", [False, True], ids=["close-delimited", "chunked"])
def test_endless_body_without_length_stops_at_the_cap(site: Site, tmp_path: Path, chunked: bool) -> None:
    site.pages = {"/robots.txt": ""}
    site.handlers["/stream"] = endless(chunked)
    crawler = Crawler(tmp_path, fast(max_response_bytes=1024))
    started = time.monotonic()
    assert crawler.get(site.url + "/stream") is None
    assert time.monotonic() - started < 2
    assert site.requests_for("/stream") == 1
    assert_failed_uncached(crawler, tmp_path, site.url + "/stream", "too_large")


@pytest.mark.parametrize("length", [100_000, None], ids=["content-length", "close-delimited"])
def test_drip_feed_is_cut_at_the_response_budget(site: Site, tmp_path: Path, length: int | None) -> None:
    site.pages = {"/robots.txt": ""}
    # a byte every 20 ms: each socket read succeeds well within timeout_s, the body never ends
    site.handlers["/drip"] = endless(False, length=length, pause_s=0.02, piece=b"x")
    crawler = Crawler(tmp_path, fast(response_budget_s=0.5))
    started = time.monotonic()
    assert crawler.get(site.url + "/drip") is None
    assert 0.5 <= time.monotonic() - started < 2.5
    assert site.requests_for("/drip") == 1
    assert_failed_uncached(crawler, tmp_path, site.url + "/drip", "too_slow")


def test_retry_after_parsing() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_s("120", now) == 120.0
    assert retry_after_s(" 7 ", now) == 7.0
    assert retry_after_s("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert retry_after_s("Wed, 01 May 2024 12:01:00 -0000", now) == 60.0  # naive: read as GMT
    assert retry_after_s("Wednesday, 01-May-24 12:00:05 GMT", now) == 5.0  # RFC 850, still allowed
    assert retry_after_s("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0  # already past
    for junk in ("", "soon", "-5", "1.5", "\u00b2", "Wed, 01 May 99999 12:00:00 GMT"):
        assert retry_after_s(junk, now) is None, junk


def busy_once(retry_after: str) -> Callable[[BaseHTTPRequestHandler], None]:
    calls: list[int] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        status, body = (503, b"busy") if len(calls) == 1 else (200, b"done")
        h.send_response(status)
        if status == 503:
            h.send_header("Retry-After", retry_after)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return handle


def test_retry_after_as_http_date_is_honoured_and_capped(site: Site, tmp_path: Path) -> None:
    site.pages = {"/robots.txt": ""}
    # HTTP dates have whole seconds: two seconds ahead means a wait of more than one
    site.handlers["/soon"] = busy_once(format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True))
    site.handlers["/later"] = busy_once(format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True))
    crawler = Crawler(tmp_path, fast(max_backoff_s=3.0))
    page = crawler.get(site.url + "/soon")
    assert page is not None and page.text == "done"
    first, second = (t for p, t in site.log if p == "/soon")
    assert 1 * 0.8 <= second - first < 3.0
    crawler.config.max_backoff_s = 0.3  # an hour asked for, the cap is what we wait
    started = time.monotonic()
    assert crawler.get(site.url + "/later") is not None
    assert time.monotonic() - started < 1.5 and site.requests_for("/later") == 2


# -- the mailgroup download ------------------------------------------------------------------------
def msg_page(n: int, subject: str, parent: int | None, body: str) -> str:
    thread = (
        f'<li><span class="subject"><a href="msg{parent}.html">parent</a></span><ul>' if parent else "<li>"
    )
    return f"""<!DOCTYPE html><html><head><title>{subject}</title></head><body>
<div class="msgHead"><h1><span class="subject"><a href="/search">{subject}</a></span></h1>
<p><span class="sender pipe"><a href="/search">Writer {n}</a></span>
<span class="date"><a href="/search">Mon, 0{n} Jan 2018 10:00:00 +0000</a></span></p></div>
<div class="msgBody"><pre>{body}</pre></div>
<div class="tSliceList"><ul class="icons">{thread}
<li class="tSliceCur"><span class="subject">{subject}</span></li></ul></div>
</body></html>"""


def archive(site: Site) -> str:
    base = "/clojure@googlegroups.com/"
    site.pages = {
        "/robots.txt": f"User-agent: *\nDisallow: {base}msg4.html\nDisallow: /search\n",
        base
        + "maillist.html": '<a href="msg1.html">1</a><a href="msg2.html">2</a><a href="mail2.html">Next</a>'
        '<a href="/search?l=x">search</a><a href="/other@example.org/msg9.html">elsewhere</a>',
        base
        + "mail2.html": '<a href="msg3.html">3</a><a href="msg4.html">4</a><a href="maillist.html">Prev</a>',
        base + "msg1.html": msg_page(1, "Lazy seqs", None, "Why is (range) chunked?"),
        base + "msg2.html": msg_page(2, "Re: Lazy seqs", 1, "Chunks of 32."),
        base + "msg3.html": msg_page(3, "Re: Lazy seqs", 2, "Thanks!"),
        base + "msg4.html": msg_page(4, "Secret", None, "robots.txt says no"),
    }
    site.failures[base + "msg2.html"] = [503]
    return site.url + base


def test_download_crawls_politely_and_resumes(site: Site, tmp_path: Path) -> None:
    url = archive(site)
    settings: dict[str, Any] = {"archive_url": url, "request_delay_s": 0.1, "retry_backoff_s": 0.01}
    out = ClojureMailgroup(max_pages=3, **settings).download(tmp_path, progress=False)  # interrupted
    assert out == tmp_path / "messages" and sorted(p.name for p in out.iterdir()) == ["msg1.html"]
    assert ClojureMailgroup(**settings).download(tmp_path, progress=False) == out  # resumed
    assert sorted(p.name for p in out.iterdir()) == ["msg1.html", "msg2.html", "msg3.html"]
    assert site.requests_for("/clojure@googlegroups.com/msg4.html") == 0  # disallowed
    assert not any(path.startswith(("/search", "/other")) for path, _ in site.log)
    assert site.requests_for("/clojure@googlegroups.com/msg2.html") == 2  # 503, then retried
    assert all(site.requests_for(p) == 1 for p in site.pages if p.endswith(("maillist.html", "msg1.html")))
    times = [t for _, t in site.log]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.1 * 0.6
    seen = len(site.log)
    ClojureMailgroup(**settings).download(tmp_path, progress=False)
    assert len(site.log) == seen  # everything cached: the server sees nothing new
    builder = ClojureMailgroup(**settings)
    docs = [d for shard in builder.shards(out) for d in builder.read(shard)]
    (thread,) = docs
    assert rejection_reason(thread) is None and thread.metadata["title"] == "Lazy seqs"
    assert [m["text"] for m in thread.metadata["messages"]] == [
        "Why is (range) chunked?",
        "Chunks of 32.",
        "Thanks!",
    ]
    assert thread.metadata["url"] == url + "msg1.html"


def test_download_refreshes_index_pages_only(site: Site, tmp_path: Path) -> None:
    url = archive(site)
    ClojureMailgroup(archive_url=url, request_delay_s=0, retry_backoff_s=0.01).download(
        tmp_path, progress=False
    )
    before = {p: site.requests_for(p) for p in site.pages}
    ClojureMailgroup(archive_url=url, request_delay_s=0, index_max_age_s=0).download(tmp_path, progress=False)
    after = {p: site.requests_for(p) - before[p] for p in site.pages}
    assert (
        after["/clojure@googlegroups.com/maillist.html"] == 1
        and after["/clojure@googlegroups.com/mail2.html"] == 1
    )
    assert after["/clojure@googlegroups.com/msg1.html"] == 0 and after["/robots.txt"] == 0
