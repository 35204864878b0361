"""``clojure-blogs``: posts from the blogs that Planet Clojure aggregates (the policy's "Clojure web crawl").

Input is RSS/Atom feed files (one shard each). ``download`` fetches a feed list (a Planet
``config.ini`` or a text file of URLs; the default is the curated list shipped in
``sources/clojure_blogs/feeds.ini``) and, with ``fetch_articles``, every entry's article page,
politely (``clojure_data.crawl``); see ``clojure_data.feeds.download`` for the layout it writes.

One record per feed entry (kind ``post``): title, author, created_at, url (the entry's link), tags
(its categories) and the text, rendered with code kept as fenced blocks. The text is the feed's
own HTML, unless the fetched article page's main text is clearly longer (the feed only had a
summary); ``extra.text_from`` says which. Every entry ends up as a record or as a rejection:

``duplicate_entry``      same guid/id or link as an earlier entry of the feed
``no_link``              no link: nothing to attribute the post to
``no_content``           neither feed content nor an article text
``no_text_after_cleaning`` the content was all scripts, styles or hidden text
``html_too_deep``        HTML nested more than 256 levels deep (hostile or broken)
``planet_filter``        the Planet's ``filter``/``exclude`` regex for this feed (or ``entry_filter``)
                         says it is not a Clojure post
``feed_<reason>``        (from ``*.failed.json``) a feed the download could not fetch
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..builder import BuilderConfig, CardInfo, DatasetBuilder
from ..errors import InputError
from ..feeds.download import FAILED_SUFFIX, META_SUFFIX
from ..feeds.feedlist import FeedSource, is_feed_list
from ..feeds.html import HtmlTooDeep, entry_text, extract_article
from ..feeds.parse import FeedEntry, ParsedFeed, parse_feed
from ..record import Document, RecordKind, make_record, make_rejection
from ..registry import register_source


@dataclass
class ClojureBlogsConfig(BuilderConfig):
    feed_list: str = ""
    """Planet config.ini or text file of feed URLs for ``download``; empty: the shipped curated list."""
    fetch_articles: bool = True
    """``download`` also fetches each entry's article page (the feed may only carry a summary)."""
    article_min_gain: float = 1.2
    """Use the article's text instead of the feed's when it is at least this many times longer."""
    entry_filter: str = ""
    """Regex an entry's title or text must match, for feeds that have no Planet ``filter`` of their own."""
    min_delay_s: float = 1.0
    """Seconds between two requests of ``download`` (robots.txt ``Crawl-delay`` wins if longer)."""
    max_pages: int = 0
    """Network fetches allowed in one ``download`` run (0: no limit); run again to resume."""
    feed_max_age_s: float = 6 * 3600.0
    """A cached feed older than this is fetched again; article pages are fetched once."""
    respect_robots: bool = True
    max_feed_bytes: int = 64 * 1024 * 1024
    """A feed file larger than this is rejected whole (feedparser holds a feed in memory)."""


@dataclass
class _FeedContext:
    shard: Path
    feed: ParsedFeed
    meta: dict[str, Any]
    include: re.Pattern[str] | None
    exclude: re.Pattern[str] | None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def _regex(pattern: str, where: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


@register_source("clojure-blogs")
class ClojureBlogs(DatasetBuilder):
    description = "Posts from Clojure blogs, as aggregated by Planet Clojure, from their RSS/Atom feeds."
    homepage = "https://planet.clojure.in/"
    license = "other"
    kind = RecordKind.POST
    Config = ClojureBlogsConfig
    config: ClojureBlogsConfig
    input_suffixes = (".xml", ".rss", ".atom", FAILED_SUFFIX)
    card = CardInfo(
        pretty_name="Clojure blog posts (Planet Clojure)",
        tags=["clojure", "code", "blogs"],
        motivation=(
            "Blog posts are where Clojure programmers explain idioms, libraries and design decisions "
            "at length, with worked code. They complement the terse Q&A and chat sources."
        ),
        composition=(
            "One record per blog post: title, author, publication date, URL, the feed's categories, and "
            "the text with code blocks kept as fenced code (```clojure). `extra` holds the feed's URL and "
            "title and whether the text came from the feed or from the article page."
        ),
        collection=(
            "The feeds listed by Planet Clojure (https://planet.clojure.in/, config.ini) or a curated list, "
            "fetched with a polite crawler (robots.txt, one request per second, cached). When the feed "
            "carries only a summary, the article page is fetched and its main text extracted with "
            "trafilatura. Planet Clojure's per-feed filters keep only the Clojure posts of general blogs."
        ),
        uses="Pre-training and fine-tuning of code models on Clojure prose with code; retrieval.",
        limitations=(
            "Each post is its author's work under its author's terms; there is no collective licence "
            "(licence `other`). Attribute a post by its `url` and its feed (`extra.feed_url`, "
            "`extra.feed_name`); a build made with `--download` lists every feed it crawled under "
            "Collection. Feeds only carry their latest entries, so older posts are missing. Text "
            "extracted from article pages can keep bits of page furniture."
        ),
        maintenance="Rebuilt by re-running the download (cached pages are not fetched again).",
    )

    # -- shards -----------------------------------------------------------------------------------
    def shards(self, path: Path) -> list[Path]:
        path = Path(path)
        if path.is_file() and is_feed_list(path):
            raise InputError(
                f"{path} is a feed list, not a feed: fetch it with "
                f"`clojure-data build {self.name} --download --set feed_list={path}`"
            )
        return super().shards(path)

    # -- reading ----------------------------------------------------------------------------------
    def read(self, shard: Path) -> Iterator[Document]:
        if shard.name.endswith(FAILED_SUFFIX):
            yield self._failed_feed(shard)
            return
        size = shard.stat().st_size
        if size > self.config.max_feed_bytes:
            raise InputError(f"{shard}: {size} bytes, over max_feed_bytes={self.config.max_feed_bytes}")
        ctx = self._context(shard, parse_feed(shard.read_bytes(), str(shard)))
        seen: set[str] = set()
        for entry in ctx.feed.entries:
            yield self._entry(ctx, entry, seen)

    def _context(self, shard: Path, feed: ParsedFeed) -> _FeedContext:
        meta_path = shard.with_name(shard.name.removesuffix(shard.suffix) + META_SUFFIX)
        meta: dict[str, Any] = {}
        if meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{meta_path}: unreadable feed metadata: {exc}") from exc
            if not isinstance(meta, dict) or not isinstance(meta.get("feed") or {}, dict):
                raise InputError(f"{meta_path}: feed metadata is not a {{'feed': {{...}}}} object")
        source = meta.get("feed") or {}
        include = source.get("filter") or self.config.entry_filter
        return _FeedContext(
            shard,
            feed,
            meta,
            _regex(include, f"{shard} filter"),
            _regex(source.get("exclude", ""), f"{shard} exclude"),
        )

    def _failed_feed(self, shard: Path) -> Document:
        try:
            info = json.loads(shard.read_text(encoding="utf-8"))
            url, reason = str(info["feed"]["url"]), str(info["reason"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{shard}: unreadable failed-feed note: {exc}") from exc
        rid = self.record_id(shard.name.removesuffix(FAILED_SUFFIX))
        return make_rejection(rid, f"feed_{reason}", source=self.name, raw=url, location=url)

    def _entry(self, ctx: _FeedContext, entry: FeedEntry, seen: set[str]) -> Document:
        rid = self.record_id(ctx.shard.stem, _digest(entry.key or f"#{entry.index}"))
        location = f"{ctx.shard}#entry-{entry.index}"

        def reject(reason: str, detail: str = "") -> Document:
            raw = f"{entry.title}\n{entry.link or ''}\n\n{entry.body}"
            where = f"{location} {detail}".strip()
            return make_rejection(
                f"{rid}/entry-{entry.index}", reason, source=self.name, raw=raw, location=where
            )

        keys = {k for k in (entry.guid, entry.link) if k}
        if keys & seen:
            return reject("duplicate_entry", f"same id/link as an earlier entry: {sorted(keys & seen)[0]}")
        seen.update(keys)
        if not entry.link:
            return reject("no_link")
        try:
            text, text_from, article_status = self._text(ctx, entry)
        except (HtmlTooDeep, RecursionError):  # hostile or broken HTML, not a blog post
            return reject("html_too_deep", "HTML nested too deeply to render")
        if not text:
            if entry.body.strip():
                return reject("no_text_after_cleaning")
            return reject("no_content", f"article: {article_status or 'not fetched'}")
        haystack = f"{entry.title}\n{text}"
        if (ctx.include and not ctx.include.search(haystack)) or (
            ctx.exclude and ctx.exclude.search(haystack)
        ):
            return reject("planet_filter", "the feed's filter/exclude regex rejects it")
        return self._record(ctx, entry, rid, text, text_from, article_status)

    def _text(self, ctx: _FeedContext, entry: FeedEntry) -> tuple[str, str, str | None]:
        """The entry's text, where it came from (``feed``/``article``), and the article's fetch status."""
        feed_text = entry_text(entry.body, entry.body_type) if entry.body.strip() else ""
        article = (ctx.meta.get("articles") or {}).get(entry.link or "")
        if not article:
            return feed_text, "feed", None
        status = str(article.get("status"))
        if status != "ok":
            return feed_text, "feed", status
        article_text, status = self._article_text(ctx.shard, article, entry.link or "")
        if article_text and len(article_text) >= self.config.article_min_gain * max(len(feed_text), 1):
            return article_text, "article", status
        return feed_text, "feed", status

    def _article_text(self, shard: Path, article: dict[str, Any], url: str) -> tuple[str, str]:
        path = shard.parent / str(article.get("file", ""))
        if not article.get("file") or not path.is_file():
            return "", "cache_missing"
        data = path.read_bytes()
        ctype = str(article.get("content_type") or "").lower()
        if ctype and "html" not in ctype:
            return "", "not_html"
        try:
            text = extract_article(data, url)
        except (HtmlTooDeep, RecursionError):
            return "", "html_too_deep"
        return text, ("ok" if text else "no_main_text")

    def _record(
        self,
        ctx: _FeedContext,
        entry: FeedEntry,
        rid: str,
        text: str,
        text_from: str,
        article_status: str | None,
    ) -> Document:
        source = ctx.meta.get("feed") or {}
        extra = {
            "feed_url": source.get("url"),
            "feed_name": source.get("name") or None,
            "feed_title": ctx.feed.title or None,
            "site_url": ctx.feed.link,
            "entry_id": entry.guid,
            "updated_at": entry.updated_at,
            "text_from": text_from,
            "article_status": article_status,
            "feed_warning": ctx.feed.warning,
        }
        # one person, one entry (clojure_data.privacy.identities schema): the anonymizer's known identity
        people = (
            [{"name": entry.author, "email": entry.author_email}]
            if entry.author or entry.author_email
            else []
        )
        return make_record(
            rid,
            text,
            source=self.name,
            kind=self.kind,
            url=entry.link,
            license=self.license,
            title=entry.title or None,
            author=entry.author,
            created_at=entry.created_at,
            tags=entry.tags,
            extra={k: v for k, v in extra.items() if v is not None},
            _participants=people,
        )

    # -- downloading ------------------------------------------------------------------------------
    def download(self, dest: Path, *, progress: bool = True) -> Path:
        """Fetch the feed list's feeds (and article pages) into ``dest``; returns ``dest/feeds``."""
        from ..crawl import CrawlConfig, Crawler
        from ..feeds.download import download_feeds
        from ..feeds.feedlist import read_feed_list

        feed_list = Path(self.config.feed_list) if self.config.feed_list else self.sample_dir() / "feeds.ini"
        feeds, problems = read_feed_list(feed_list)
        crawl_config = CrawlConfig(
            min_delay_s=self.config.min_delay_s,
            max_pages=self.config.max_pages or None,
            respect_robots=self.config.respect_robots,
        )
        dest = Path(dest)
        crawler = Crawler(dest / "cache", crawl_config)
        result = download_feeds(
            crawler, feeds, dest, fetch_articles=self.config.fetch_articles,
            feed_max_age_s=self.config.feed_max_age_s, problems=problems, progress=progress,
        )  # fmt: skip
        self._list_feeds_on_card(feeds, feed_list)
        return result.feeds_dir

    def _list_feeds_on_card(self, feeds: list[FeedSource], feed_list: Path) -> None:
        """This build's datasheet names every feed it crawled, for attribution (licence ``other``)."""
        lines = "\n".join(f"- {f.name or f.url}: <{f.url}>" for f in feeds)
        collection = (
            f"{type(self).card.collection}\n\nFeeds crawled for this build ({len(feeds)}, from "
            f"`{feed_list.name}`), for attribution:\n\n{lines}"
        )
        # an instance attribute shadows the class's card: this builder's datasheet, not every one's
        self.__dict__["card"] = dataclasses.replace(type(self).card, collection=collection)
