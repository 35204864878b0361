"""Download a Discourse forum's public topics through its JSON API, politely and resumably.

The walk (all through ``clojure_data.crawl.Crawler``: robots.txt, delay, retries, on-disk cache):

1. ``/categories.json?include_subcategories=true`` -> ``categories.json`` (category names for tags).
2. ``/latest.json?page=N`` for N = 0, 1, ... until a page has no topics or no ``more_topics_url``:
   the topic ids, with each topic's ``highest_post_number``.
3. ``/t/{id}.json`` for each topic: the topic and the first chunk (20) of its posts, plus
   ``post_stream.stream``, the ids of all its posts.
4. ``/t/{id}/posts.json?post_ids[]=...`` for the stream ids not in the first chunk, 20 at a time.

Each topic is written as ``topics/{id}.json``: the ``/t/{id}.json`` response with every fetched
post in ``post_stream.posts`` (stream order), i.e. the same shape the reader takes.

Resuming and refreshing: listing pages are re-fetched once older than ``list_max_age_s``; a cached
topic is re-fetched only when the listing shows more posts than the cached copy has (new replies),
and post chunks (immutable ids) come from the cache forever. A run stopped by ``max_pages`` or
interrupted keeps everything it fetched; the next run goes on from there.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..crawl import Crawler, Page, PageLimitReached
from ..errors import ClojureDataError

__all__ = ["DiscourseCrawl", "POSTS_PER_REQUEST"]

log = logging.getLogger(__name__)

POSTS_PER_REQUEST = 20  # Discourse's chunk size: /t/{id}/posts.json answers at most this many ids


def _json(page: Page | None) -> dict[str, Any] | None:
    if page is None or not page.ok:
        return None
    try:
        data = json.loads(page.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        log.warning("%s: not JSON", page.url)
        return None
    return data if isinstance(data, dict) else None


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)  # atomic: an interrupted run never leaves a half-written topic


@dataclass
class DiscourseCrawl:
    """One download of a Discourse site into ``dest`` (see the module docstring)."""

    base_url: str
    crawler: Crawler
    list_max_age_s: float | None = 24 * 3600.0
    max_list_pages: int | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.stats: Counter[str] = Counter()

    def run(self, dest: Path, progress: bool = False) -> Path:
        """Fetch into ``dest/topics`` (returned); the crawler's cache makes re-runs incremental."""
        from tqdm.auto import tqdm

        out = Path(dest) / "topics"
        out.mkdir(parents=True, exist_ok=True)
        try:
            self._categories(out)
            with tqdm(desc="topics", unit="topic", disable=not progress) as bar:
                for topic_id, highest in self.topic_ids():
                    self._topic(out, topic_id, highest)
                    bar.update()
        except PageLimitReached:
            self.stats["stopped_early"] += 1
            log.warning("stopped at max_pages after %d topics; run again to continue", self.stats["topics"])
        if not any(p.suffix == ".json" and p.name != "categories.json" for p in out.iterdir()):
            raise ClojureDataError(
                f"no topic could be downloaded from {self.base_url} (requests: {dict(self.crawler.stats)}); "
                "see the log: robots.txt may forbid the JSON API, or the site may be unreachable"
            )
        return out

    def _categories(self, out: Path) -> None:
        url = f"{self.base_url}/categories.json?include_subcategories=true"
        data = _json(self.crawler.get(url, max_age_s=self.list_max_age_s))
        if data is not None:
            _write_json(out / "categories.json", data)

    def topic_ids(self) -> Iterator[tuple[int, int | None]]:
        """(topic id, highest_post_number) from the listing pages, each topic once."""
        seen: set[int] = set()
        page_number = 0
        while self.max_list_pages is None or page_number < self.max_list_pages:
            url = f"{self.base_url}/latest.json?page={page_number}"
            data = _json(self.crawler.get(url, max_age_s=self.list_max_age_s))
            listing = data.get("topic_list") if data else None
            if not isinstance(listing, dict) or not isinstance(listing.get("topics"), list):
                return
            topics = listing["topics"]
            for topic in topics:
                tid = topic.get("id") if isinstance(topic, dict) else None
                if isinstance(tid, int) and tid not in seen:
                    seen.add(tid)
                    highest = topic.get("highest_post_number")
                    yield tid, highest if isinstance(highest, int) else None
            if not listing.get("more_topics_url"):
                return
            page_number += 1

    def _topic(self, out: Path, topic_id: int, highest: int | None) -> None:
        url = f"{self.base_url}/t/{topic_id}.json"
        cached = _json(self.crawler.cached(url))
        stale = cached is None or (highest is not None and (cached.get("highest_post_number") or 0) < highest)
        data = _json(self.crawler.get(url, max_age_s=0 if stale and cached is not None else None))
        stream = data.get("post_stream") if data else None
        if data is None or not isinstance(stream, dict) or not isinstance(stream.get("posts"), list):
            self.stats["topics_failed"] += 1
            log.warning("topic %s: no usable /t/%s.json", topic_id, topic_id)
            return
        posts = self._all_posts(topic_id, stream)
        data["post_stream"] = {**stream, "posts": posts}
        _write_json(out / f"{topic_id}.json", data)
        self.stats["topics"] += 1
        self.stats["posts"] += len(posts)

    def _all_posts(self, topic_id: int, stream: dict[str, Any]) -> list[Any]:
        """The first chunk plus every stream id fetched in further chunks, in stream order."""
        posts = [p for p in stream["posts"] if isinstance(p, dict)]
        have = {p.get("id") for p in posts}
        ids = [i for i in stream.get("stream") or [] if isinstance(i, int)]
        missing = [i for i in ids if i not in have]
        for start in range(0, len(missing), POSTS_PER_REQUEST):
            chunk = missing[start : start + POSTS_PER_REQUEST]
            query = urlencode([("post_ids[]", i) for i in chunk])
            data = _json(self.crawler.get(f"{self.base_url}/t/{topic_id}/posts.json?{query}"))
            more = (data.get("post_stream") or {}).get("posts") if data else None
            if not isinstance(more, list):
                self.stats["post_chunks_failed"] += 1
                log.warning("topic %s: posts %s could not be fetched", topic_id, chunk)
                continue
            for post in more:
                if isinstance(post, dict) and post.get("id") not in have:
                    have.add(post.get("id"))
                    posts.append(post)
        order = {pid: n for n, pid in enumerate(ids)}
        return sorted(posts, key=lambda p: (order.get(p.get("id"), len(order)), p.get("post_number") or 0))
