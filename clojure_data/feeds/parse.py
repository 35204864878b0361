"""One RSS/Atom feed file -> its entries, with the checks that make bad input a clear ``InputError``.

feedparser does the parsing (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, encodings, dates, broken XML through
its loose parser) and is safe against entity attacks: it strips entity declarations from the
DOCTYPE before the XML parser sees them, so a "billion laughs" document is parsed with its
``&lolN;`` references left unexpanded, and external entities are never fetched (the tests hold it
to that). What is ours is deciding when a file is not a feed at all (empty, binary, an HTML page,
too large) and the normalised ``FeedEntry`` the builder turns into records.

Its HTML sanitizer is off (``sanitize_html=False``) because it removes ``aria-hidden`` and
``hidden`` markers but keeps the hidden text; ``feeds.html.clean_tree`` removes that text instead.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import feedparser
from bs4 import BeautifulSoup

from ..errors import InputError

__all__ = ["FeedEntry", "ParsedFeed", "parse_feed"]

_SNIFF_BYTES = 8192
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)


@dataclass
class FeedEntry:
    """The fields of one feed entry the builder needs, normalised."""

    index: int
    guid: str | None
    link: str | None
    title: str
    author: str | None
    author_email: str | None
    created_at: str | None
    updated_at: str | None
    tags: list[str]
    body: str
    body_type: str
    body_is_summary: bool

    @property
    def key(self) -> str | None:
        """What identifies the entry within its feed (RSS guid / Atom id, else the link)."""
        return self.guid or self.link


@dataclass
class ParsedFeed:
    title: str
    link: str | None
    version: str
    encoding: str | None
    warning: str | None
    """feedparser's "bozo" problem (broken XML recovered, wrong declared encoding), if any."""
    entries: list[FeedEntry] = field(default_factory=list)


def _sniff(data: bytes, location: str) -> None:
    if not data.strip():
        raise InputError(f"{location}: empty file, not a feed")
    head = data[:_SNIFF_BYTES]
    if head.startswith(_TEXT_BOMS):
        return
    if b"\x00" in head or len(_CONTROL.findall(head)) > len(head) // 20:
        raise InputError(f"{location}: binary data, not an RSS/Atom feed")


def _iso(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    except (TypeError, ValueError):
        return None


def _plain(value: str, detail: Any) -> str:
    """Titles may be typed HTML; records want them as text."""
    kind = str((detail or {}).get("type", ""))
    if "html" in kind and "<" in value:
        value = BeautifulSoup(value, "html.parser").get_text(" ")
    return " ".join(value.split())


def _body(entry: Any) -> tuple[str, str, bool]:
    contents = [c for c in entry.get("content") or [] if str(c.get("value") or "").strip()]
    if contents:
        best = max(contents, key=lambda c: len(c["value"]))
        return str(best["value"]), str(best.get("type") or "text/html"), False
    summary = str(entry.get("summary") or "")
    kind = str((entry.get("summary_detail") or {}).get("type") or "text/html")
    return summary, kind, True


def _author(entry: Any, feed: Any) -> tuple[str | None, str | None]:
    for source in (entry, feed):
        detail = source.get("author_detail") or {}
        name = str(detail.get("name") or source.get("author") or "").strip() or None
        email = str(detail.get("email") or "").strip() or None
        if name or email:
            return name, email
    return None, None


def _link(entry: Any, feed: Any) -> str | None:
    """The entry's web link: relative links resolved against the site, ``tag:`` ids are not links.

    (feedparser copies an entry's id into ``link`` when it has none, whatever the id looks like.)
    """
    raw = str(entry.get("link") or "").strip()
    link = urljoin(str(feed.get("link") or ""), raw) if raw else ""
    return link if link.lower().startswith(("http://", "https://")) else None


def _entry(index: int, entry: Any, feed: Any) -> FeedEntry:
    body, body_type, is_summary = _body(entry)
    tags = [" ".join(str(t.get("term") or "").split()) for t in entry.get("tags") or []]
    author, email = _author(entry, feed)
    # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed, with a warning
    updated = _iso(dict.get(entry, "updated_parsed"))
    created = _iso(entry.get("published_parsed") or entry.get("created_parsed")) or updated
    return FeedEntry(
        index=index,
        guid=str(entry.get("id") or "").strip() or None,
        link=_link(entry, feed),
        title=_plain(str(entry.get("title") or ""), entry.get("title_detail")),
        author=author,
        author_email=email,
        created_at=created,
        updated_at=updated if updated != created else None,
        tags=list(dict.fromkeys(t for t in tags if t)),
        body=body,
        body_type=body_type,
        body_is_summary=is_summary,
    )


def parse_feed(data: bytes, location: str) -> ParsedFeed:
    """Parse the bytes of one feed file; ``InputError`` if it is not a feed at all."""
    _sniff(data, location)
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    version = str(parsed.get("version") or "")
    if not version and not parsed.entries:
        if _HTML_START.search(data[:_SNIFF_BYTES]):
            raise InputError(f"{location}: an HTML page, not an RSS/Atom feed")
        problem = parsed.get("bozo_exception")
        raise InputError(f"{location}: not an RSS/Atom feed" + (f" ({problem})" if problem else ""))
    feed = parsed.get("feed") or {}
    warning = parsed.get("bozo_exception") if parsed.get("bozo") else None
    return ParsedFeed(
        title=_plain(str(feed.get("title") or ""), feed.get("title_detail")),
        link=str(feed.get("link") or "").strip() or None,
        version=version,
        encoding=parsed.get("encoding"),
        warning=f"{type(warning).__name__}: {warning}" if warning else None,
        entries=[_entry(i, entry, feed) for i, entry in enumerate(parsed.entries)],
    )
