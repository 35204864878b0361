"""Fetch the feeds of a feed list, and optionally each entry's article page, with ``clojure_data.crawl``.

The crawler brings robots.txt, the rate limit, retries, the on-disk cache and resume; this module
decides what to fetch and lays the result out for ``read``::

    DEST/cache/...                     the crawler's cache (feeds refreshed after feed_max_age_s,
                                       articles fetched once)
    DEST/feeds/<slug>.xml              each feed as fetched: the shards
    DEST/feeds/<slug>.meta.json        the feed's list entry (name, Planet filter) and, per entry
                                       link, the article's fetch status and cached file
    DEST/feeds/<slug>.failed.json      a feed that could not be fetched, and why: a shard too, so
                                       the build logs it as a rejection instead of losing it quietly
                                       (a failed *refresh* keeps the copy fetched before instead)
    DEST/download-report.json          counts, feed-list problems, whether the run stopped early

A run stopped by ``max_pages`` is resumed by running it again: cached pages are not re-fetched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..crawl import Crawler, PageLimitReached
from ..errors import InputError
from .feedlist import FeedSource
from .parse import parse_feed

__all__ = ["DownloadResult", "download_feeds", "feed_slug", "META_SUFFIX", "FAILED_SUFFIX"]

log = logging.getLogger(__name__)

META_SUFFIX = ".meta.json"
FAILED_SUFFIX = ".failed.json"


@dataclass
class DownloadResult:
    feeds_dir: Path
    counts: Counter[str] = field(default_factory=Counter)
    stopped_early: bool = False


def feed_slug(url: str) -> str:
    """A file name for a feed URL: readable, stable, and unique (a hash of the whole URL)."""
    readable = re.sub(r"[^A-Za-z0-9]+", "-", url.split("://", 1)[-1]).strip("-")[:80]
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_json(path: Path, obj: Any) -> None:
    _write(path, json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False).encode())


def _fetch(crawler: Crawler, url: str, max_age_s: float | None) -> tuple[str, Any]:
    """``("ok", page)`` or ``(reason, None)``; ``PageLimitReached`` passes through."""
    if not crawler.allowed(url):
        return "robots_disallowed", None
    page = crawler.get(url, max_age_s=max_age_s)
    if page is None:
        return "fetch_failed", None
    if not page.ok:
        return f"http_{page.status}", None
    return "ok", page


def _fetch_articles(
    crawler: Crawler, links: list[str], feeds_dir: Path, articles: dict[str, Any], counts: Counter[str]
) -> None:
    """Fill ``articles`` (link -> status, cached file) as pages come in, so a stop keeps what was done."""
    for link in links:
        if not link.lower().startswith(("http://", "https://")):
            articles[link] = {"status": "not_an_http_url"}
        else:
            status, page = _fetch(crawler, link, None)
            articles[link] = {"status": status}
            if page is not None:
                file = os.path.relpath(crawler.cache_path(page.url), feeds_dir)
                articles[link].update(file=file, content_type=page.content_type)
        counts[f"article_{articles[link]['status']}"] += 1


def _download_one(
    crawler: Crawler, source: FeedSource, feeds_dir: Path, fetch_articles: bool, feed_max_age_s: float | None,
    counts: Counter[str],
) -> None:  # fmt: skip
    slug = feed_slug(source.url)
    feed_file, failed = feeds_dir / (slug + ".xml"), feeds_dir / (slug + FAILED_SUFFIX)
    status, page = _fetch(crawler, source.url, feed_max_age_s)
    if page is None and feed_file.is_file():
        counts["feed_kept_previous_copy"] += 1  # a refresh failed; the copy we have is still good data
        log.warning("%s: %s; keeping the copy fetched before", source.url, status)
        return
    counts[f"feed_{status}"] += 1
    if page is None:
        _write_json(failed, {"feed": source.as_dict(), "reason": status})
        return
    failed.unlink(missing_ok=True)
    _write(feed_file, page.content)
    meta: dict[str, Any] = {"feed": source.as_dict(), "articles": {}}
    try:
        if fetch_articles:
            try:
                entries = parse_feed(page.content, source.url).entries
            except InputError as exc:  # the build rejects the shard with this reason; nothing to follow
                log.warning("%s", exc)
                entries = []
            links = list(dict.fromkeys(e.link for e in entries if e.link))
            _fetch_articles(crawler, links, feeds_dir, meta["articles"], counts)
    finally:  # also when max_pages stops us halfway: what was fetched is recorded
        _write_json(feeds_dir / (slug + META_SUFFIX), meta)


def download_feeds(
    crawler: Crawler,
    feeds: list[FeedSource],
    dest: Path,
    *,
    fetch_articles: bool,
    feed_max_age_s: float | None,
    problems: list[tuple[str, str]] | None = None,
    progress: bool = False,
) -> DownloadResult:
    """Fetch every feed (and its articles) into ``dest/feeds``; see the module docstring."""
    from tqdm.auto import tqdm

    result = DownloadResult(Path(dest) / "feeds")
    result.feeds_dir.mkdir(parents=True, exist_ok=True)
    reached = 0
    for source in tqdm(feeds, desc="feeds", unit="feed", disable=not progress):
        try:
            _download_one(crawler, source, result.feeds_dir, fetch_articles, feed_max_age_s, result.counts)
        except PageLimitReached:
            result.stopped_early = True
            log.warning(
                "stopped after %d fetches (max_pages), %d of %d feeds reached; run again to continue",
                crawler.stats["fetched"], reached, len(feeds),
            )  # fmt: skip
            break
        reached += 1
    report = {
        "feeds": len(feeds),
        "counts": dict(sorted(result.counts.items())),
        "crawler": dict(sorted(crawler.stats.items())),
        "feed_list_problems": [{"entry": entry, "reason": reason} for entry, reason in problems or []],
        "stopped_early": result.stopped_early,
        "feeds_not_reached": len(feeds) - reached,
    }
    _write_json(Path(dest) / "download-report.json", report)
    return result
