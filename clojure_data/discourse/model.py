"""Discourse API JSON -> topics with their raw posts, whatever endpoint the file came from.

Discourse serves the same post objects through several endpoints; a saved file may be any of:

===========================  ==========================================  ===================
endpoint                     shape                                        becomes
===========================  ==========================================  ===================
``/t/{id}.json``             topic fields + ``post_stream.posts``         one topic
``/t/{id}/posts.json``       ``{"post_stream": {"posts": [...]}, "id"}``  one topic (partial)
``/posts/{id}.json``         one post object (``cooked``, ``topic_id``)   one topic (partial)
``/posts.json``              ``{"latest_posts": [...]}``                  a topic per topic_id
``/latest.json``             ``{"topic_list": {"topics": [...]}}``        listing, no posts
``/categories.json``,        ``category_list.categories`` or              category names
``/site.json``               ``categories``
===========================  ==========================================  ===================

Anything else is not Discourse JSON and makes the whole file unusable (``InputError``). Only the
shape is checked here; the per-post decisions (hidden, deleted, small action...) are the
builder's, so every post can be accounted for as a message or a rejection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError

__all__ = ["Categories", "Listing", "TopicData", "category_names", "load_json", "parse_document", "tag_names"]


@dataclass
class TopicData:
    """One topic's fields and its raw post objects, as found in one file."""

    id: str | None
    posts: list[Any]
    fields: dict[str, Any] = field(default_factory=dict)
    """The topic object's own fields (title, slug, tags, details...); empty for post-only files."""
    complete: bool = False
    """True for a ``/t/{id}.json`` topic (title and stream known), False for a fragment of posts."""


@dataclass
class Listing:
    """A topic list (``/latest.json``): topic summaries without any post."""

    topics: list[Any]


@dataclass
class Categories:
    """A category table (``/categories.json``, ``/site.json``): id -> name."""

    names: dict[str, str]


def load_json(path: Path, max_bytes: int) -> Any:
    """Parse one JSON file; every way it can be unusable is an ``InputError`` naming the file."""
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: empty file")
    if size > max_bytes:
        raise InputError(f"{path}: {size} bytes is over max_file_bytes ({max_bytes})")
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise InputError(f"{path}: binary data, not Discourse JSON")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 JSON ({exc})") from None


def _str_id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str) and str(value).strip():
        return str(value).strip()
    return None


def parse_document(data: Any, where: str) -> list[TopicData] | Listing | Categories:
    """Recognise which endpoint ``data`` came from (see the module docstring)."""
    if not isinstance(data, dict):
        raise InputError(
            f"{where}: expected a JSON object (Discourse API response), got {type(data).__name__}"
        )
    if "post_stream" in data:
        return [_topic(data, where)]
    if "latest_posts" in data:
        posts = data["latest_posts"]
        if not isinstance(posts, list):
            raise InputError(f"{where}: 'latest_posts' is not a list")
        return _group_posts(posts)
    if "topic_list" in data:
        topics = data["topic_list"].get("topics") if isinstance(data["topic_list"], dict) else None
        if not isinstance(topics, list):
            raise InputError(f"{where}: 'topic_list.topics' is not a list")
        return Listing(topics)
    if "cooked" in data or "raw" in data:
        return [TopicData(_str_id(data.get("topic_id")), [data])]
    if "category_list" in data or "categories" in data:
        return Categories(category_names(data))
    raise InputError(f"{where}: not Discourse JSON (no post_stream, latest_posts, topic_list or post fields)")


def _topic(data: dict[str, Any], where: str) -> TopicData:
    stream = data["post_stream"]
    posts = stream.get("posts") if isinstance(stream, dict) else None
    if not isinstance(posts, list):
        raise InputError(f"{where}: 'post_stream.posts' is not a list")
    topic_id = _str_id(data.get("id"))
    if topic_id is None:  # a fragment without its topic id: the posts say which topic they are in
        ids = {_str_id(p.get("topic_id")) for p in posts if isinstance(p, dict)}
        topic_id = ids.pop() if len(ids) == 1 else None
    complete = any(key in data for key in ("title", "fancy_title", "slug"))
    return TopicData(topic_id, posts, data, complete=complete)


def _group_posts(posts: list[Any]) -> list[TopicData]:
    """Posts of several topics (``/posts.json``) -> one fragment per topic, in first-seen order."""
    groups: dict[str | None, TopicData] = {}
    for post in posts:
        key = _str_id(post.get("topic_id")) if isinstance(post, dict) else None
        groups.setdefault(key, TopicData(key, [])).posts.append(post)
    return list(groups.values())


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def category_names(data: dict[str, Any]) -> dict[str, str]:
    """id -> name from ``/categories.json`` (with subcategories) or ``/site.json``."""
    found: dict[str, str] = {}
    pending: list[Any] = []
    listing = data.get("category_list")
    if isinstance(listing, dict):
        pending.extend(_list(listing.get("categories")))
    pending.extend(_list(data.get("categories")))
    while pending:
        cat = pending.pop()
        if not isinstance(cat, dict):
            continue
        cid, name = _str_id(cat.get("id")), cat.get("name")
        if cid is not None and isinstance(name, str) and name.strip():
            found[cid] = name.strip()
        pending.extend(_list(cat.get("subcategory_list")))
    return found


def tag_names(tags: Any) -> list[str]:
    """Topic tags: a list of names (older Discourse) or of ``{name, slug}`` objects (newer)."""
    names: list[str] = []
    for tag in tags if isinstance(tags, list) else []:
        name = tag.get("name") or tag.get("slug") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name.strip() and name.strip() not in names:
            names.append(name.strip())
    return names
