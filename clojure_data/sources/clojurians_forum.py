"""ClojureVerse (https://clojureverse.org/), the Clojure community's Discourse forum, as threads.

Input: Discourse API JSON files, one response per file (``/t/{id}.json`` topics as ``download``
writes them, and also single posts, ``/posts.json`` and ``/t/{id}/posts.json`` post lists; see
``clojure_data.discourse.model``). Each file is a shard. Output: one ``thread`` record per topic
(or per fragment of a topic, for post-only files), messages in post order.

Accounting: every post object in the input is in exactly one record's ``messages`` or in a
rejection with a reason (hidden, deleted, small action... see ``clojure_data.discourse.posts``);
a topic with no posts at all, and each topic of a ``/latest.json`` listing (which holds no
posts), is a rejection too. A ``categories.json`` next to the topic files only names categories.

Privacy: usernames, display names and user ids of authors, mentioned and replied-to users go to
the private ``_participants`` key (same shape as the Slack source's) for the anonymizer; the
rendered text names authors by username, which the anonymizer replaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..builder import BuilderConfig, CardInfo, DatasetBuilder
from ..discourse import (
    Categories,
    Identity,
    Listing,
    PostResult,
    TopicData,
    accepted_answer,
    convert_post,
    load_json,
    parse_document,
    tag_names,
)
from ..discourse.model import category_names
from ..record import Document, RecordKind, make_record, make_rejection
from ..registry import register_source

__all__ = ["ClojuriansForum", "ClojuriansForumConfig"]

CATEGORY_FILES = ("categories.json", "site.json")


@dataclass
class ClojuriansForumConfig(BuilderConfig):
    base_url: str = "https://clojureverse.org"
    """The Discourse site ``download`` crawls and record URLs point to."""
    request_delay_s: float = 1.0
    """Seconds between two requests (robots.txt Crawl-delay wins if longer)."""
    max_pages: int | None = None
    """Network fetches per ``download`` run (``None``: all); re-running continues where it stopped."""
    max_list_pages: int | None = None
    """``/latest.json`` pages to walk (30 topics each); ``None``: all of them."""
    list_max_age_s: float = 24 * 3600.0
    """Listing pages older than this are fetched again; topics only when they have new posts."""
    retries: int = 3
    retry_backoff_s: float = 5.0
    max_file_bytes: int = 256 * 1024 * 1024
    """A JSON file bigger than this is not read (``InputError``): no topic response is that big."""


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _participants(topic: TopicData, results: list[PostResult]) -> list[dict[str, Any]]:
    """Everyone the topic names, one entry per person (merged by user id or username)."""
    details = topic.fields.get("details")
    details = details if isinstance(details, dict) else {}
    found: list[tuple[Identity, str]] = []
    for result in results:
        found += [(person, "author" if i == 0 else "mentioned") for i, person in enumerate(result.identities)]
    listed = details.get("participants")
    users = [
        details.get("created_by"),
        details.get("last_poster"),
        *(listed if isinstance(listed, list) else []),
    ]
    found += [(_detail_identity(u), "participant") for u in users if isinstance(u, dict)]
    by_alias: dict[str, dict[str, Any]] = {}
    people: list[dict[str, Any]] = []
    for person, role in found:
        aliases = [
            a
            for a in (person.user_id and f"id:{person.user_id}", person.username and f"@{person.username}")
            if a
        ]
        if not aliases:
            continue
        entry = next((by_alias[a] for a in aliases if a in by_alias), None)
        if entry is None:
            entry = {
                "id": person.user_id or f"@{person.username}",
                "role": role,
                "handle": None,
                "display_name": None,
                "names": [],
            }
            people.append(entry)
        entry["handle"] = entry["handle"] or person.username
        entry["display_name"] = entry["display_name"] or person.name
        entry["names"] = list(
            dict.fromkeys([*entry["names"], *(n for n in (person.username, person.name) if n)])
        )
        entry["name"] = entry["handle"] or entry["display_name"]
        by_alias.update(dict.fromkeys(aliases, entry))
    return people


def _detail_identity(user: dict[str, Any]) -> Identity:
    uid, name = user.get("id"), user.get("name")
    return Identity(
        str(uid) if isinstance(uid, int) and not isinstance(uid, bool) else None,
        user.get("username") if isinstance(user.get("username"), str) else None,
        name if isinstance(name, str) and name.strip() else None,
    )


@register_source("clojurians-forum")
class ClojuriansForum(DatasetBuilder):
    description = "Topics of ClojureVerse, the Clojure community's Discourse forum, one thread per topic."
    homepage = "https://clojureverse.org/"
    license = "other"
    kind = RecordKind.THREAD
    Config = ClojuriansForumConfig
    input_suffixes = (".json",)
    config: ClojuriansForumConfig
    card = CardInfo(
        pretty_name="ClojureVerse forum topics",
        task_categories=["text-generation", "question-answering"],
        tags=["clojure", "code", "forum", "discourse", "conversations"],
        motivation=(
            "ClojureVerse is the Clojure community's long-form forum (since 2016): questions and answers "
            "with accepted solutions, library announcements, design discussions and experience reports, "
            "with code blocks marked by language. ClojureLLM collects it to teach a model how Clojure "
            "programmers explain, review and discuss code."
        ),
        composition=(
            "One record per topic: title, category and tags, and the posts in order (author username, "
            "date, text, like count, whether the post is the accepted answer). Post text is the "
            "rendered HTML converted to text: code blocks kept verbatim as fenced blocks with their "
            "language, inline code in backticks, quoted replies, link previews and images removed, "
            "mentions kept as @name. Hidden, deleted and withdrawn posts and system notices are not "
            "included (each is logged as a rejection with its reason)."
        ),
        collection=(
            "Downloaded through the forum's public JSON API (the same JSON its web pages load): the "
            "latest-topics listing for topic ids, each topic, and the posts of long topics in chunks of "
            "20, obeying robots.txt with a delay between requests, retries on 429/5xx and an on-disk "
            "cache that makes runs resumable. Only what an anonymous visitor can read is fetched."
        ),
        uses=(
            "Fine-tuning and evaluating assistants for Clojure; question/answer pairs from topics with "
            "an accepted answer; studying community discussion of code. Not for identifying or "
            "profiling people."
        ),
        limitations=(
            "Posts are the copyright of their authors. ClojureVerse publishes no open licence for post "
            "content that we know of (its terms are at https://clojureverse.org/tos), so the dataset "
            "licence is 'other': check those terms and your jurisdiction before redistributing or "
            "training. Removing quotes loses context in replies that answer a quote; text inside "
            "link previews and images (screenshots of code) is lost. Topics are fetched as of the "
            "crawl: later edits and deletions are not reflected until the next build."
        ),
        maintenance=(
            "Rebuilt by the ClojureLLM data custodians with `clojure-data build clojurians-forum "
            "--download`; re-runs fetch only new listing pages and topics with new posts. Removal "
            "requests: open an issue on the clojure-data repository with the topic URL."
        ),
    )

    def __init__(self, config: BuilderConfig | None = None, **overrides: Any) -> None:
        super().__init__(config, **overrides)
        self._category_cache: dict[Path, dict[str, str]] = {}

    # -- reading --------------------------------------------------------------------------------
    def read(self, shard: Path) -> Iterator[Document]:
        shard = Path(shard)
        parsed = parse_document(load_json(shard, self.config.max_file_bytes), str(shard))
        if isinstance(parsed, Categories):
            return  # category names only: nothing to account for
        if isinstance(parsed, Listing):
            yield from self._listing(parsed, shard)
            return
        categories = self._categories(shard.parent)
        for topic in parsed:
            yield from self._topic(topic, shard, categories)

    def _listing(self, listing: Listing, shard: Path) -> Iterator[Document]:
        """A topic list holds titles but no posts: each listed topic is logged, not published."""
        for index, topic in enumerate(listing.topics):
            tid = topic.get("id") if isinstance(topic, dict) else None
            yield make_rejection(
                self.record_id(str(tid) if tid is not None else f"{shard.stem}-{index}"),
                "listed_topic_without_posts",
                source=self.name,
                raw=_dumps(topic),
                location=f"{shard}#topic_list[{index}]",
            )

    def _categories(self, folder: Path) -> dict[str, str]:
        """Category id -> name from a ``categories.json`` / ``site.json`` beside the topic files."""
        if folder not in self._category_cache:
            names: dict[str, str] = {}
            for name in CATEGORY_FILES:
                path = folder / name
                if path.is_file():
                    try:
                        data = load_json(path, self.config.max_file_bytes)
                    except Exception:  # a broken table only costs the category names
                        continue
                    names.update(category_names(data) if isinstance(data, dict) else {})
            self._category_cache[folder] = names
        return self._category_cache[folder]

    def _topic(self, topic: TopicData, shard: Path, categories: dict[str, str]) -> Iterator[Document]:
        tid = topic.id or f"{shard.stem}-unknown-topic"
        if not topic.posts:
            fields = {k: v for k, v in topic.fields.items() if k != "post_stream"}
            yield make_rejection(
                self.record_id(tid),
                "topic_without_posts",
                source=self.name,
                raw=_dumps(fields),
                location=str(shard),
            )
            return
        accepted = accepted_answer(topic.fields, topic.posts)
        private = topic.fields.get("archetype") == "private_message"
        kept: list[PostResult] = []
        seen: set[str] = set()
        for index, post in enumerate(topic.posts):
            result = convert_post(post, index, accepted)
            result.reason = result.reason or self._topic_problem(topic, post, result, seen, private)
            seen.add(result.key)
            if result.reason:
                yield make_rejection(
                    self.record_id(tid, result.key),
                    result.reason,
                    source=self.name,
                    raw=result.raw,
                    location=f"{shard}#post {result.number}",
                )
            else:
                kept.append(result)
        if kept:
            kept.sort(key=lambda r: r.number)
            yield self._record(topic, kept, categories)

    @staticmethod
    def _topic_problem(
        topic: TopicData, post: Any, result: PostResult, seen: set[str], private: bool
    ) -> str | None:
        """Reasons that need the topic: not in a known topic, in another topic, repeated, private."""
        if topic.id is None:
            return "post_without_topic"
        if private:
            return "private_message"
        post_topic = post.get("topic_id") if isinstance(post, dict) else None
        if post_topic is not None and str(post_topic) != topic.id:
            return "post_from_other_topic"
        if result.key in seen:
            return "duplicate_post"
        return None

    # -- records --------------------------------------------------------------------------------
    def _record(self, topic: TopicData, kept: list[PostResult], categories: dict[str, str]) -> Document:
        fields, tid = topic.fields, str(topic.id)
        first = topic.posts[0] if isinstance(topic.posts[0], dict) else {}
        title = fields.get("title") or fields.get("fancy_title") or first.get("topic_title")
        slug = fields.get("slug") or first.get("topic_slug")
        created = fields.get("created_at")
        messages = [r.message for r in kept if r.message is not None]
        rid = (
            self.record_id(tid)
            if topic.complete
            else self.record_id(tid, f"posts-{kept[0].number}-{kept[-1].number}")
        )
        return make_record(
            rid,
            self._render(title, messages),
            source=self.name,
            kind=self.kind,
            title=title if isinstance(title, str) else None,
            created_at=created if isinstance(created, str) and created else messages[0]["date"],
            url=f"{self.config.base_url.rstrip('/')}/t/{slug + '/' if isinstance(slug, str) else ''}{tid}",
            license=self.license,
            tags=self._tags(fields, categories),
            messages=messages,
            extra=self._extra(topic, kept) or None,
            _participants=_participants(topic, kept),
        )

    @staticmethod
    def _tags(fields: dict[str, Any], categories: dict[str, str]) -> list[str]:
        tags = tag_names(fields.get("tags"))
        cid = fields.get("category_id")
        if isinstance(cid, int) and not isinstance(cid, bool):
            category = categories.get(str(cid), f"category-{cid}")
            if category not in tags:
                tags.insert(0, category)
        return tags

    @staticmethod
    def _extra(topic: TopicData, kept: list[PostResult]) -> dict[str, Any]:
        fields = topic.fields
        extra: dict[str, Any] = {"topic_id": topic.id, "complete_topic": topic.complete}
        for key in ("category_id", "views", "like_count", "posts_count", "has_accepted_answer"):
            if isinstance(fields.get(key), int | bool):
                extra[key] = fields[key]
        stream = fields.get("post_stream")
        stream = stream if isinstance(stream, dict) else {}
        ids = {p.get("id") for p in topic.posts if isinstance(p, dict) and isinstance(p.get("id"), int)}
        listed = stream.get("stream")
        missing = (
            [i for i in listed if isinstance(i, int) and i not in ids] if isinstance(listed, list) else []
        )
        if missing:  # the file holds only part of the stream (an old or partial download)
            extra["posts_not_in_file"] = len(missing)
        for result in kept:
            for label, n in result.counts.items():
                extra[label] = extra.get(label, 0) + n
        return extra

    @staticmethod
    def _render(title: Any, messages: list[dict[str, Any]]) -> str:
        parts = []
        for m in messages:
            mark = "\nAccepted answer: yes" if m["accepted"] else ""
            parts.append(
                f"From: {m['author'] or '(unknown)'}\nDate: {m['date'] or '(unknown)'}{mark}\n\n{m['text']}"
            )
        head = f"Title: {title}\n\n" if isinstance(title, str) and title else ""
        return head + "\n\n---\n\n".join(parts)

    # -- download -------------------------------------------------------------------------------
    def download(self, dest: Path, *, progress: bool = True) -> Path:
        """Crawl the forum's JSON API into ``dest`` (see ``clojure_data.discourse.crawler``).

        ``dest/cache`` holds every response (re-runs fetch only what is new); ``dest/topics`` holds
        one ``{id}.json`` per topic plus ``categories.json``, ready for ``read``.
        """
        from ..crawl import CrawlConfig, Crawler
        from ..discourse.crawler import DiscourseCrawl

        crawler = Crawler(
            Path(dest) / "cache",
            CrawlConfig(
                min_delay_s=self.config.request_delay_s,
                max_pages=self.config.max_pages,
                retries=self.config.retries,
                backoff_s=self.config.retry_backoff_s,
            ),
        )
        walk = DiscourseCrawl(
            self.config.base_url, crawler, self.config.list_max_age_s, self.config.max_list_pages
        )
        return walk.run(Path(dest), progress=progress)
