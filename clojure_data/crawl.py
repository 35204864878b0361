"""A small, polite, resumable HTTP crawler for sources that publish static archives.

What it guarantees, so that builders do not each reinvent it:

* robots.txt is obeyed (``urllib.robotparser``), including ``Crawl-delay``; robots.txt answering
  401/403 or failing with 5xx means "stay out", any other 4xx means "no rules".
* at most one request per ``min_delay_s`` to each site (start to start; retries and robots.txt
  included; shared by every crawler of the process, so back-to-back runs are polite too), and a
  user agent that says who we are. robots.txt ``Crawl-delay`` wins when longer (whole seconds:
  ``urllib.robotparser`` ignores fractions).
* retries with exponential backoff on 5xx, 429, timeouts, connection errors and cut-off bodies
  (``Retry-After`` honoured, in seconds or as an HTTP date, capped by ``max_backoff_s``); a URL
  requests cannot fetch at all (malformed, redirect loop) fails at once. Failures are logged and
  counted, never raised.
* bounded responses: a body is streamed and abandoned past ``max_response_bytes`` (refused at
  once when ``Content-Length`` says so) or when it takes longer than ``response_budget_s`` in all,
  so a 10 GB page, an endless chunked stream or a server dripping a byte a second cannot exhaust
  memory or hang the run (requests' ``timeout`` only bounds each socket read). Such a URL fails
  at once (``too_large`` / ``too_slow`` in ``stats``) and nothing of it is cached.
* an on-disk cache, one file per URL named by the SHA-256 of the URL, plus a JSON sidecar that is
  written last: an interrupted run leaves no half entries, and re-running skips every URL already
  cached, which makes a crawl resumable. ``max_age_s`` lets index pages be refreshed while
  immutable pages are fetched once.
* ``max_pages`` caps the network fetches of one run (cache hits are free).

Scrapy would give all this and much more, but it brings Twisted and its own process model for
what is here one sequential, rate-limited walk per run; ``requests`` + ``urllib.robotparser``
fit in one module.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import ClassVar
from urllib.parse import urldefrag, urlsplit
from urllib.robotparser import RobotFileParser

import requests

from . import __version__
from .errors import ClojureDataError

__all__ = ["CrawlConfig", "Crawler", "Page", "PageLimitReached", "DEFAULT_USER_AGENT"]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = (
    f"clojure-data/{__version__} (ClojureLLM dataset builder; polite crawler; python-requests)"
)
_RETRY_STATUS = {429, 500, 502, 503, 504}
# Errors worth retrying: the network or the server had a bad moment (a body cut off mid-way too).
_TRANSIENT = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
_CHUNK = 64 * 1024


class _Refused(Exception):
    """A response this crawler will not take (too large, too slow): retrying cannot help."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def retry_after_s(value: str, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delay-seconds or HTTP-date), ``None`` if unreadable."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # '-0000' and asctime dates come back naive; HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PageLimitReached(ClojureDataError):
    """``max_pages`` network fetches were made in this run."""


@dataclass
class CrawlConfig:
    user_agent: str = DEFAULT_USER_AGENT
    min_delay_s: float = 1.0
    """Seconds between the starts of two requests (robots.txt ``Crawl-delay`` wins if longer)."""
    max_pages: int | None = None
    """Network fetches allowed in one run; ``None`` for no limit."""
    retries: int = 3
    backoff_s: float = 2.0
    """First retry waits this long, then twice as long each time (capped by ``max_backoff_s``)."""
    max_backoff_s: float = 120.0
    """Longest wait before a retry, a server's ``Retry-After`` included."""
    timeout_s: float = 30.0
    """requests' timeout: for connecting, and for each read of the socket (not the whole body)."""
    max_response_bytes: int = 20 * 1024 * 1024
    """Largest body taken (after content decoding); a larger response fails as ``too_large``."""
    response_budget_s: float = 120.0
    """Longest one response may take, request to last byte; a slower one fails as ``too_slow``."""
    respect_robots: bool = True
    robots_max_age_s: float = 24 * 3600.0


@dataclass
class Page:
    url: str
    status: int
    content: bytes
    content_type: str = ""
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        charset = "utf-8"
        for param in self.content_type.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


class Crawler:
    """Fetch pages politely through an on-disk cache. Not thread-safe: one crawler, one thread."""

    # per origin, shared by every crawler of the process, so that back-to-back runs are polite too
    _last_request: ClassVar[dict[str, float]] = {}

    def __init__(
        self, cache_dir: Path, config: CrawlConfig | None = None, session: requests.Session | None = None
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.config = config or CrawlConfig()
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = self.config.user_agent
        self.stats: Counter[str] = Counter()
        self.stopped_early = False
        self._robots: dict[str, RobotFileParser] = {}

    # -- cache ----------------------------------------------------------------------------------
    def cache_path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.cache_dir / digest[:2] / digest

    def cached(self, url: str, max_age_s: float | None = None) -> Page | None:
        """The cached page for ``url`` if complete (and younger than ``max_age_s``), else ``None``."""
        body = self.cache_path(url)
        meta_path = body.with_suffix(".json")
        if not meta_path.is_file() or not body.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            status, fetched_at = int(meta["status"]), float(meta.get("fetched_at", 0))
            content_type = str(meta.get("content_type", ""))
            content = body.read_bytes()
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s: damaged cache entry (%s); fetching it again", url, exc)
            return None
        if max_age_s is not None and time.time() - fetched_at > max_age_s:
            return None
        return Page(url, status, content, content_type, from_cache=True)

    def _store(self, page: Page) -> None:
        body = self.cache_path(page.url)
        body.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "url": page.url,
            "status": page.status,
            "content_type": page.content_type,
            "fetched_at": time.time(),
        }
        for path, data in ((body, page.content), (body.with_suffix(".json"), json.dumps(meta).encode())):
            tmp = path.with_name(path.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # atomic: a crash never leaves a half-written entry

    # -- politeness -----------------------------------------------------------------------------
    def _wait(self, url: str, delay: float) -> None:
        origin = _origin(url)
        last = Crawler._last_request.get(origin)
        if last is not None:
            remaining = last + delay - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        Crawler._last_request[origin] = time.monotonic()

    def _robots_for(self, url: str) -> RobotFileParser:
        origin = _origin(url)
        if origin not in self._robots:
            parser = RobotFileParser(origin + "/robots.txt")
            page = self.get(
                origin + "/robots.txt", max_age_s=self.config.robots_max_age_s, check_robots=False
            )
            if page is not None and page.ok:
                parser.parse(page.text.splitlines())
            elif page is not None and 400 <= page.status < 500 and page.status not in (401, 403):
                parser.parse([])  # no robots.txt: everything is allowed
            else:
                log.warning("robots.txt of %s unavailable or forbidding; not crawling it", origin)
                parser.parse(["User-agent: *", "Disallow: /"])
            self._robots[origin] = parser
        return self._robots[origin]

    def allowed(self, url: str) -> bool:
        return not self.config.respect_robots or self._robots_for(url).can_fetch(self.config.user_agent, url)

    def _delay_for(self, url: str, check_robots: bool) -> float:
        delay = self.config.min_delay_s
        if check_robots and self.config.respect_robots:
            crawl_delay = self._robots_for(url).crawl_delay(self.config.user_agent)
            delay = max(delay, float(crawl_delay or 0))
        return delay

    # -- fetching -------------------------------------------------------------------------------
    def get(self, url: str, *, max_age_s: float | None = None, check_robots: bool = True) -> Page | None:
        """``url`` from the cache or the network; ``None`` if robots.txt forbids it or it kept failing.

        Raises ``PageLimitReached`` instead of fetching once ``max_pages`` fetches were made.
        """
        url = urldefrag(url).url
        page = self.cached(url, max_age_s)
        if page is not None:
            self.stats["cached"] += 1
            return page
        if check_robots and not self.allowed(url):
            self.stats["disallowed"] += 1
            log.info("robots.txt disallows %s", url)
            return None
        if self.config.max_pages is not None and self.stats["fetched"] >= self.config.max_pages:
            raise PageLimitReached(f"max_pages={self.config.max_pages} fetches made")
        page = self._fetch(url, self._delay_for(url, check_robots))
        if page is not None and page.status not in _RETRY_STATUS:
            self._store(page)  # 404s are cached too, so a re-run does not ask again
        return page

    def _fetch(self, url: str, delay: float) -> Page | None:
        for attempt in range(self.config.retries + 1):
            self._wait(url, delay)
            self.stats["fetched"] += 1
            wait = min(self.config.backoff_s * 2**attempt, self.config.max_backoff_s)
            try:
                page, retry_after = self._attempt(url)
            except _TRANSIENT as exc:
                log.warning("%s: %s (attempt %d)", url, exc, attempt + 1)
            except _Refused as exc:  # the same response would come again
                log.warning("%s: %s: %s; giving up", url, exc.reason, exc)
                self.stats[exc.reason] += 1
                break
            except requests.RequestException as exc:  # bad URL, redirect loop: retrying cannot help
                log.warning("%s: %s; giving up", url, exc)
                break
            else:
                if page.status not in _RETRY_STATUS:
                    return page
                log.warning("%s: HTTP %d (attempt %d)", url, page.status, attempt + 1)
                if retry_after is not None:
                    wait = min(max(wait, retry_after), self.config.max_backoff_s)
            if attempt < self.config.retries:
                self.stats["retried"] += 1
                time.sleep(wait)
        self.stats["failed"] += 1
        return None

    def _attempt(self, url: str) -> tuple[Page, float | None]:
        """One request: the page (body not read for a status worth retrying) and its ``Retry-After``."""
        deadline = time.monotonic() + self.config.response_budget_s
        with self.session.get(url, timeout=self.config.timeout_s, stream=True) as response:
            status, ctype = response.status_code, response.headers.get("Content-Type", "")
            if status in _RETRY_STATUS:
                return Page(url, status, b"", ctype), retry_after_s(response.headers.get("Retry-After", ""))
            return Page(url, status, self._read_body(response, deadline), ctype), None

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        """The body, streamed, or ``_Refused`` once it passes the size cap or the deadline.

        Checking the clock between chunks is not enough: one read blocks until a whole chunk has
        come, which a drip server stretches forever. A timer shuts the socket down at the
        deadline (urllib3's ``HTTPResponse.shutdown``, made for interrupting a blocked read).
        """
        cap = self.config.max_response_bytes
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isascii() and declared.isdigit() and int(declared) > cap:
            raise _Refused("too_large", f"Content-Length {declared} > max_response_bytes={cap}")
        expired = threading.Event()

        def cut() -> None:
            expired.set()
            with contextlib.suppress(AttributeError, ValueError, RuntimeError, OSError):
                response.raw.shutdown()  # urllib3 < 2.3 lacks it: the checks between chunks remain

        budget = self.config.response_budget_s
        too_slow = _Refused("too_slow", f"body not complete within response_budget_s={budget}")
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
        timer.daemon = True
        timer.start()
        body = bytearray()
        try:
            for chunk in response.iter_content(chunk_size=_CHUNK):
                body += chunk
                if len(body) > cap:
                    raise _Refused("too_large", f"body passed max_response_bytes={cap}")
                if expired.is_set() or time.monotonic() > deadline:
                    raise too_slow
        except requests.RequestException as exc:  # the shut-down socket reads as a cut-off body
            if expired.is_set():
                raise too_slow from exc
            raise
        finally:
            timer.cancel()
        if expired.is_set():  # a body without Content-Length just ends when the socket is shut
            raise too_slow
        return bytes(body)

    def crawl(
        self,
        seeds: Iterable[str],
        links: Callable[[Page], Iterable[str]],
        *,
        max_age: Callable[[str], float | None] | None = None,
        progress: bool = False,
    ) -> Iterator[Page]:
        """Breadth-first from ``seeds``, following ``links(page)``; yields every successful page once.

        Stops early (``stopped_early``) when ``max_pages`` is reached; run it again to go on.
        """
        from tqdm.auto import tqdm

        queue = deque(dict.fromkeys(urldefrag(u).url for u in seeds))
        seen = set(queue)
        with tqdm(desc="crawl", unit="page", disable=not progress) as bar:
            while queue:
                url = queue.popleft()
                try:
                    page = self.get(url, max_age_s=max_age(url) if max_age else None)
                except PageLimitReached:
                    self.stopped_early = True
                    log.warning(
                        "stopped after %d fetches (max_pages); re-run to continue", self.stats["fetched"]
                    )
                    return
                if page is None or not page.ok:
                    continue
                bar.update()
                yield page
                for link in links(page):
                    link = urldefrag(link).url
                    if link not in seen:
                        seen.add(link)
                        queue.append(link)
