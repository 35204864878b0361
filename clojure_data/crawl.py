"""A small, polite, resumable HTTP crawler for sources that publish static archives.

What it guarantees, so that builders do not each reinvent it:

* robots.txt is obeyed (``urllib.robotparser``), including ``Crawl-delay``; robots.txt answering
  401/403 or failing with 5xx means "stay out", any other 4xx means "no rules".
* at most one request per ``min_delay_s`` to each site (start to start; retries and robots.txt
  included; shared by every crawler of the process, so back-to-back runs are polite too), and a
  user agent that says who we are. robots.txt ``Crawl-delay`` wins when longer (whole seconds:
  ``urllib.robotparser`` ignores fractions).
* retries with exponential backoff on 5xx, 429, timeouts, connection errors and cut-off bodies
  (``Retry-After`` honoured, capped); a URL requests cannot fetch at all (malformed, redirect
  loop) fails at once. Failures are logged and counted, never raised.
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

import hashlib
import json
import logging
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
    timeout_s: float = 30.0
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
                response = self.session.get(url, timeout=self.config.timeout_s)
            except _TRANSIENT as exc:
                log.warning("%s: %s (attempt %d)", url, exc, attempt + 1)
            except requests.RequestException as exc:  # bad URL, redirect loop: retrying cannot help
                log.warning("%s: %s; giving up", url, exc)
                break
            else:
                if response.status_code not in _RETRY_STATUS:
                    ctype = response.headers.get("Content-Type", "")
                    return Page(url, response.status_code, response.content, ctype)
                log.warning("%s: HTTP %d (attempt %d)", url, response.status_code, attempt + 1)
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    wait = min(max(wait, float(retry_after)), self.config.max_backoff_s)
            if attempt < self.config.retries:
                self.stats["retried"] += 1
                time.sleep(wait)
        self.stats["failed"] += 1
        return None

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
