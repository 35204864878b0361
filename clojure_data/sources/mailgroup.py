"""The Clojure and ClojureScript Google Groups mailing lists as thread datasets.

Input: mbox files (Google Groups Takeout, mail-archive.com or pipermail mbox downloads, any mail
client export) and/or folders of saved mail-archive.com message pages (what ``download`` crawls).
Each mbox file is a shard; all pages of one folder form one shard, because a thread's pages must
be read together to be threaded. Output: one ``thread`` record per conversation.

Accounting: every input message is either in exactly one record's ``messages`` list or in a
rejection; each rejection carries ``message_count`` (1, or the size of a rejected thread), so
``sum(len(messages)) + sum(message_count) == messages in the input``.

Privacy: e-mail addresses appear only in the private ``_participants`` key (for the anonymizer);
``author_id`` is a truncated SHA-256 of the address (or of the name when the archive hides the
address); the rendered text names authors only by their display name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..builder import BuilderConfig, CardInfo, DatasetBuilder
from ..errors import ClojureDataError, InputError
from ..mail.archive_html import index_links, is_message_url, parse_message_page
from ..mail.mbox import read_mbox
from ..mail.model import MailMessage, MailRejection
from ..mail.threads import Thread, build_threads, strip_reply_prefixes, subject_tags
from ..record import Document, RecordKind, make_record, make_rejection, message
from ..registry import register_source

__all__ = ["MailgroupConfig", "MailgroupBuilder", "ClojureMailgroup", "ClojurescriptMailgroup"]

_MBOX_SUFFIXES = (".mbox", ".mbx")
_HTML_SUFFIXES = (".html", ".htm")
# Raw bytes allowed per character of max_record_chars before a message is rejected unparsed:
# UTF-8 (up to 4 bytes a character) plus transfer encoding fit; bigger ones are attachment dumps,
# and parsing them would hold several copies (raw, MIME tree, decoded parts) in memory.
RAW_BYTES_PER_CHAR = 4


@dataclass
class MailgroupConfig(BuilderConfig):
    archive_url: str = ""
    """mail-archive.com list URL that ``download`` crawls; empty means the source's ``homepage``."""
    request_delay_s: float = 2.0
    """Seconds between two requests to the archive (robots.txt Crawl-delay wins if longer)."""
    max_pages: int | None = None
    """Network fetches per ``download`` run (``None``: all); re-running continues where it stopped."""
    index_max_age_s: float = 24 * 3600.0
    """Index pages older than this are fetched again (new messages); message pages never are."""
    retries: int = 3
    retry_backoff_s: float = 5.0


def _digest(value: str, length: int = 16) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:length]


def _natural(path: Path) -> list[Any]:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", path.name)]


def _rejection(source: str, rej: MailRejection, count: int = 1) -> Document:
    doc = make_rejection(
        f"{source}/rejected/{_digest(rej.location)}",
        rej.reason,
        source=source,
        raw=rej.raw,
        location=rej.location,
    )
    doc.metadata["message_count"] = count
    return doc


class MailgroupBuilder(DatasetBuilder):
    """Shared reader of the mailing-list sources; subclasses say which list it is."""

    kind = RecordKind.THREAD
    license = "other"
    Config = MailgroupConfig
    input_suffixes = (*_MBOX_SUFFIXES, *_HTML_SUFFIXES, "mbox")
    list_tags: ClassVar[tuple[str, ...]]
    """Subject tags that only name the list (``[Clojure]``): dropped from titles and tags."""

    config: MailgroupConfig

    # -- shards ---------------------------------------------------------------------------------
    @staticmethod
    def _is_input(path: Path) -> bool:
        return path.suffix.lower() in (*_MBOX_SUFFIXES, *_HTML_SUFFIXES) or path.name == "mbox"

    def shards(self, path: Path) -> list[Path]:
        """mbox files one by one; the pages of each folder of saved archive pages together."""
        path = Path(path)
        if not path.exists():
            raise InputError(f"input not found: {path}")
        if path.is_file():
            return super().shards(path)
        shards: dict[Path, None] = {}
        for file in sorted(path.rglob("*")):
            if file.is_file() and not file.name.startswith(("README", ".")) and self._is_input(file):
                shards[file.parent if file.suffix.lower() in _HTML_SUFFIXES else file] = None
        if not shards:
            raise InputError(f"no mbox files or archive pages (.mbox, .mbx, mbox, .html) under {path}")
        return list(shards)

    # -- reading --------------------------------------------------------------------------------
    def _messages(self, shard: Path) -> Iterator[MailMessage | MailRejection]:
        if shard.is_dir():
            pages = sorted(
                (p for p in shard.iterdir() if p.is_file() and p.suffix.lower() in _HTML_SUFFIXES),
                key=_natural,  # msg2.html before msg10.html: archive order
            )
            if not pages:
                raise InputError(f"{shard}: no .html archive pages")
            yield from self._pages(pages)
        elif shard.suffix.lower() in _HTML_SUFFIXES:
            yield from self._pages([shard])
        else:
            yield from read_mbox(shard, self.config.max_record_chars * RAW_BYTES_PER_CHAR)

    def _pages(self, pages: list[Path]) -> Iterator[MailMessage | MailRejection]:
        limit = self.config.max_record_chars * RAW_BYTES_PER_CHAR
        for index, page in enumerate(pages):
            location = f"{page}:1"
            if page.stat().st_size > limit:
                yield MailRejection("too_large", location, f"[{page.stat().st_size} bytes]", index)
                continue
            try:
                parsed = parse_message_page(page.read_bytes(), name=page.name, location=location, index=index)
            except RecursionError:  # thousands of nested tags: no mail reads like that
                yield MailRejection("html_too_deeply_nested", location, "", index)
                continue
            if parsed is None:
                yield MailRejection(
                    "not_a_message_page", location, page.read_text(errors="replace")[:4000], index
                )
            elif not parsed.body.strip():
                yield MailRejection("empty_body", location, "", index)
            else:
                parsed.url = parsed.url or self.archive_url + page.name
                yield parsed

    def _accepted(
        self, items: Iterable[MailMessage | MailRejection]
    ) -> Iterator[MailMessage | MailRejection]:
        """Drop exact duplicates (same Message-ID and body); make other Message-ID clashes unique.

        A clash gets the key ``<id>#2``, ``<id>#3``...; counting per Message-ID keeps that linear
        when thousands of messages share one id (broken exporters).
        """
        keys: set[str] = set()
        bodies: dict[str, set[str]] = {}  # Message-ID -> every body kept under it
        last: dict[str, int] = {}  # Message-ID -> the last clash number given out
        for item in items:
            if isinstance(item, MailRejection):
                yield item
            elif len(item.body) > self.config.max_record_chars:
                yield MailRejection("too_large", item.location, item.body[:4000], item.index)
            elif item.body in bodies.get(item.key, ()):
                yield MailRejection("duplicate_message", item.location, item.body[:4000], item.index)
            else:
                base = item.key
                bodies.setdefault(base, set()).add(item.body)
                n = last.get(base, 1)
                while item.key in keys:
                    n += 1
                    item.key = f"{base}#{n}"
                last[base] = n
                keys.add(item.key)
                yield item

    def read(self, shard: Path) -> Iterator[Document]:
        shard = Path(shard)
        messages: list[MailMessage] = []
        for item in self._accepted(self._messages(shard)):
            if isinstance(item, MailRejection):
                yield _rejection(self.name, item)
            else:
                messages.append(item)
        for thread in build_threads(messages):
            record = self._record(thread)
            if len(record.text) > self.config.max_record_chars:
                rej = MailRejection("too_large", thread.root.location, record.text[:4000])
                yield _rejection(self.name, rej, count=len(thread.messages))
            else:
                yield record

    # -- records --------------------------------------------------------------------------------
    @property
    def archive_url(self) -> str:
        url = self.config.archive_url or self.homepage
        return url if url.endswith("/") else url + "/"

    def _title(self, thread: Thread) -> str:
        for msg in thread.messages:  # the root may be an orphaned reply with an empty subject
            title = strip_reply_prefixes(msg.subject, self.list_tags)
            if title:
                return title
        return "(no subject)"

    def _record(self, thread: Thread) -> Document:
        root, msgs = thread.root, thread.messages
        title = self._title(thread)
        dates = sorted(m.date for m in msgs if m.date is not None)
        tags = ["mailing-list", self.list_tags[0]]
        for tag in subject_tags(root.subject):
            if tag.casefold() not in {t.casefold() for t in self.list_tags} and tag.lower() not in tags:
                tags.append(tag.lower())
        extra = {
            key: value
            for key, value in {
                "attachments_dropped": sum(m.attachments_dropped for m in msgs),
                "decode_problems": sum(m.decode_problems for m in msgs),
                "html_converted": sum(m.html_converted for m in msgs),
            }.items()
            if value
        }
        return make_record(
            self.record_id(_digest(root.key)),
            self._render(title, msgs),
            source=self.name,
            kind=self.kind,
            title=title,
            created_at=dates[0].isoformat() if dates else None,
            url=root.url,  # archive pages only: a Message-ID URL could carry the sender's address or domain
            license=self.license,
            tags=tags,
            messages=[
                message(
                    m.author_name,
                    m.body,
                    date=m.date.isoformat() if m.date else None,
                    author_id=self._author_id(m),
                )
                for m in msgs
            ],
            extra=extra or None,
            _participants=self._participants(msgs),
        )

    @staticmethod
    def _author_id(msg: MailMessage) -> str | None:
        identity = msg.author_email or msg.author_name
        return _digest(f"mail:{identity.casefold()}") if identity else None

    @classmethod
    def _participants(cls, msgs: list[MailMessage]) -> list[dict[str, Any]]:
        """One entry per person for the anonymizer (``clojure_data.privacy.identities`` schema)."""
        people: dict[str, dict[str, Any]] = {}
        for m in msgs:
            key = m.author_email or m.author_name
            if not key or key in people:
                continue
            entry = {"name": m.author_name, "email": m.author_email, "id": cls._author_id(m)}
            if m.author_email and m.author_name == m.author_email.split("@")[0]:
                entry["handle"] = entry.pop("name")  # no display name: the address's local part stood in
            people[key] = entry
        return list(people.values())

    @staticmethod
    def _render(title: str, msgs: list[MailMessage]) -> str:
        parts = []
        for m in msgs:
            date = m.date.isoformat() if m.date else "(unknown)"
            parts.append(f"From: {m.author_name or '(unknown)'}\nDate: {date}\n\n{m.body}")
        return f"Subject: {title}\n\n" + "\n\n---\n\n".join(parts)

    # -- download -------------------------------------------------------------------------------
    def download(self, dest: Path, *, progress: bool = True) -> Path:
        """Crawl the list's mail-archive.com pages into ``dest``; returns ``dest/messages``.

        ``dest/cache`` holds every fetched page (re-runs only fetch what is new or missing);
        ``dest/messages`` holds the message pages under their archive names, ready for ``read``.
        """
        from ..crawl import CrawlConfig, Crawler, Page

        dest = Path(dest)
        out = dest / "messages"
        out.mkdir(parents=True, exist_ok=True)
        crawler = Crawler(
            dest / "cache",
            CrawlConfig(
                min_delay_s=self.config.request_delay_s,
                max_pages=self.config.max_pages,
                retries=self.config.retries,
                backoff_s=self.config.retry_backoff_s,
            ),
        )
        base = self.archive_url

        def links(page: Page) -> list[str]:
            if is_message_url(page.url):
                return []
            indexes, messages = index_links(page.content, page.url, base)
            return [*messages, *indexes]  # a page's messages before the next index page: newest first

        def max_age(url: str) -> float | None:
            return None if is_message_url(url) else self.config.index_max_age_s

        for page in crawler.crawl([base + "maillist.html"], links, max_age=max_age, progress=progress):
            if is_message_url(page.url):
                target = out / page.url.rsplit("/", 1)[-1]
                if not target.exists():
                    target.write_bytes(page.content)
        if not any(out.iterdir()):
            why = "max_pages reached first; run again" if crawler.stopped_early else "see the log"
            raise ClojureDataError(f"no message pages downloaded from {base} ({why})")
        return out


@register_source("clojure-mailgroup")
class ClojureMailgroup(MailgroupBuilder):
    description = "Threads of the Clojure Google Group (clojure@googlegroups.com), from its public archive."
    homepage = "https://www.mail-archive.com/clojure@googlegroups.com/"
    list_tags = ("clojure",)
    card = CardInfo(
        pretty_name="Clojure mailing list threads",
        tags=["clojure", "code", "mailing-list", "conversations"],
        motivation=(
            "The Clojure Google Group has been the language's main public forum since 2008: questions "
            "and answers about idioms, the standard library, performance and tooling, design discussions "
            "with the language's authors, and library announcements. ClojureLLM collects it to teach a "
            "model how Clojure programmers explain and discuss code."
        ),
        composition=(
            "One record per conversation thread: the subject as title, the messages in reply order "
            "(author display name, date, body text) and the whole thread rendered as text. Bodies are "
            "the text/plain part of each mail, or its HTML part converted to text with code kept as "
            "fenced blocks; attachments are dropped (their count is kept). Authors are identified by a "
            "hashed id; e-mail addresses are not part of the published data."
        ),
        collection=(
            "Read from mbox files (a Google Groups export or an mbox download of the list) or crawled "
            "from the public mail-archive.com mirror, obeying its robots.txt with a delay between "
            "requests. Messages are threaded by Message-ID, In-Reply-To and References, falling back to "
            "the subject for replies whose parent is missing. Every message that could not be used is "
            "logged with a reason (malformed, empty, duplicate, too large)."
        ),
        uses=(
            "Fine-tuning and evaluating assistants for Clojure; mining question/answer pairs; studying "
            "how a programming community discusses code. Not for identifying or profiling people."
        ),
        limitations=(
            "Posts are the copyright of their authors; the list has no licence, so the dataset licence is "
            "'other' and use relies on the permissions of each jurisdiction for research/training. The "
            "list covers 2008 onwards and over-represents early Clojure versions and APIs that are now "
            "deprecated. Threads split across archive files, or whose messages lack reply headers and "
            "share no subject, may be broken into several records. Quoted text, signatures and list "
            "footers are removed by the policy's garbage pass and may be imperfect."
        ),
        maintenance=(
            "Rebuilt by the ClojureLLM data custodians with `clojure-data build clojure-mailgroup "
            "--download`; the crawl is incremental, so a rebuild fetches only new pages. Removal "
            "requests: open an issue on the clojure-data repository naming the thread."
        ),
    )


@register_source("clojurescript-mailgroup")
class ClojurescriptMailgroup(MailgroupBuilder):
    description = (
        "Threads of the ClojureScript Google Group (clojurescript@googlegroups.com), from its public archive."
    )
    homepage = "https://www.mail-archive.com/clojurescript@googlegroups.com/"
    list_tags = ("clojurescript", "cljs")
    card = CardInfo(
        pretty_name="ClojureScript mailing list threads",
        tags=["clojure", "clojurescript", "code", "mailing-list", "conversations"],
        motivation=(
            "The ClojureScript Google Group is where users of the Clojure-to-JavaScript compiler have "
            "asked about the compiler, JavaScript interop, build tools and browser libraries since 2012. "
            "ClojureLLM collects it so that a Clojure model also knows the ClojureScript side."
        ),
        composition=ClojureMailgroup.card.composition,
        collection=ClojureMailgroup.card.collection,
        uses=ClojureMailgroup.card.uses,
        limitations=(
            "Posts are the copyright of their authors; the list has no licence, so the dataset licence is "
            "'other' and use relies on the permissions of each jurisdiction for research/training. Much "
            "of the discussion concerns build tools and compiler options of their time (lein-cljsbuild, "
            "early Figwheel, Closure externs) that have since changed. Threads split across archive "
            "files may be broken into several records; quoted text, signatures and footers are removed "
            "by the garbage pass and may be imperfect."
        ),
        maintenance=(
            "Rebuilt by the ClojureLLM data custodians with `clojure-data build clojurescript-mailgroup "
            "--download`; the crawl is incremental. Removal requests: open an issue on the clojure-data "
            "repository naming the thread."
        ),
    )
