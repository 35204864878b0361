"""Feed lists: a Planet ``config.ini`` (the format Planet Clojure publishes) or a text file of URLs.

Planet's format is an INI file (read with ``configparser``, interpolation off because feed URLs
contain ``%``): every section whose name is a URL is a feed; ``name`` is the blog's name and
``filter`` / ``exclude`` are regular expressions an entry's title and text must (not) match. Planet
Clojure uses ``filter`` on general-purpose blogs so that only their Clojure posts appear; the
builder applies the same filters, so a post the Planet would not show is a rejection
(``planet_filter``), not a record.

The text format is one feed per line: ``URL [name]``; blank lines and ``#`` comments are skipped.

Lines or sections that are not http(s) URLs are returned as problems with a reason, not dropped.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["FeedSource", "is_feed_list", "read_feed_list"]

_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)
_SECTION = re.compile(r"^\s*\[[^\]]+\]\s*$", re.MULTILINE)
_NOT_FEEDS = {"planet"}


@dataclass(frozen=True)
class FeedSource:
    url: str
    name: str = ""
    filter: str = ""
    exclude: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"url": self.url, "name": self.name, "filter": self.filter, "exclude": self.exclude}


def _check_regex(pattern: str, where: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc
    return pattern


def _from_ini(text: str, location: str) -> tuple[list[FeedSource], list[tuple[str, str]]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False, default_section="DEFAULT")
    try:
        parser.read_string(text, source=location)
    except configparser.Error as exc:
        raise InputError(f"{location}: not a valid Planet config.ini: {exc}") from exc
    feeds: list[FeedSource] = []
    problems: list[tuple[str, str]] = []
    for section in parser.sections():
        if section.lower() in _NOT_FEEDS or section.endswith(".tmpl"):
            continue
        if not _URL.match(section):
            problems.append((section, "not_an_http_url"))
            continue
        opts = parser[section]
        feeds.append(
            FeedSource(
                url=section,
                name=opts.get("name", "").strip(),
                filter=_check_regex(opts.get("filter", "").strip(), f"{location} [{section}] filter"),
                exclude=_check_regex(opts.get("exclude", "").strip(), f"{location} [{section}] exclude"),
            )
        )
    return feeds, problems


def _from_lines(text: str) -> tuple[list[FeedSource], list[tuple[str, str]]]:
    feeds: list[FeedSource] = []
    problems: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        url, _, name = line.partition(" ")
        if _URL.match(url):
            feeds.append(FeedSource(url=url, name=name.strip()))
        else:
            problems.append((line, "not_an_http_url"))
    return feeds, problems


def is_feed_list(path: Path) -> bool:
    """A ``.ini`` / ``.txt`` / ``.list`` file (what ``read_feed_list`` reads), not a feed."""
    return path.suffix.lower() in (".ini", ".txt", ".list", ".cfg")


def read_feed_list(path: Path) -> tuple[list[FeedSource], list[tuple[str, str]]]:
    """The feeds of a feed list (first occurrence of a URL wins) and the ``(line, reason)`` problems."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read feed list {path}: {exc}") from exc
    feeds, problems = _from_ini(text, str(path)) if _SECTION.search(text) else _from_lines(text)
    unique: dict[str, FeedSource] = {}
    for feed in feeds:
        if feed.url in unique:
            problems.append((feed.url, "duplicate_feed"))
        else:
            unique[feed.url] = feed
    if not unique:
        raise InputError(f"{path}: no feed URLs in this feed list")
    return list(unique.values()), problems
