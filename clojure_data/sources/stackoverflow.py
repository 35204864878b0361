"""Stack Overflow questions about Clojure, with their answers and comments, from the data dump.

Input: a Stack Exchange data dump (archive.org's ``stackexchange`` collection): a folder holding
``Posts.xml``, ``Comments.xml`` and ``Users.xml``, or their ``.7z`` archives
(``stackoverflow.com-Posts.7z`` ...), or a site's single ``.7z``. See ``clojure_data.stackexchange``
for the streaming (defusedxml, constant memory, ``.7z`` without extracting) and the join.

Shards: one dump is one shard. A question's answers and comments can be anywhere in the files
(an answer written years later is near the end of Posts.xml; comments are another file), so a
dump cannot be cut into independent pieces without reading all of it per piece; several dumps
(sites) under one folder are several shards.

Output: one ``thread`` record per selected question (a question with a matching tag, ``tags``
setting; ``["*"]`` selects every question). See ``stackexchange.render`` for the message order,
roles, licences and participants.

Accounting (no silent loss): every Posts.xml and Comments.xml row is a message of a record, in a
per-row rejection (``post_rows``/``comment_rows`` = 1 in its metadata; a rejected thread counts
all its rows), or counted in one summary rejection per shard and reason: ``tag_filtered``
(questions without a wanted tag, their answers and the comments on both) and
``not_question_or_answer`` (tag wikis and other post types, and their comments). One summary
instead of a rejection per filtered row: on Stack Overflow that would be over 100 million lines of
``rejected/`` for rows that are not lost but out of scope; the summary's metadata has the counts
and the whole ``accounting`` of the shard. So, per table,
``rows == messages in records + sum(post_rows or comment_rows over rejections)``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from loguru import logger

from ..builder import BuilderConfig, CardInfo, DatasetBuilder
from ..record import Document, RecordKind, make_rejection
from ..registry import register_source
from ..stackexchange.dump import find_dumps, open_dump
from ..stackexchange.join import DumpJoin, Tally
from ..stackexchange.render import ThreadInput, build_thread
from ..stackexchange.store import ThreadStore

__all__ = ["DEFAULT_TAGS", "StackOverflowConfig", "StackOverflow"]

DEFAULT_TAGS = (
    "clojure", "clojurescript", "leiningen", "clojure-core.async", "core.async", "datomic", "datascript",
    "ring", "compojure", "compojure-api", "reagent", "re-frame", "om", "core.logic", "clojure-java-interop",
    "edn", "clojure.spec", "clojure-contrib", "clojure-repl", "clojureclr", "hiccup", "enlive", "luminus",
    "pedestal", "cider", "nrepl", "babashka", "shadow-cljs", "figwheel", "figwheel-main", "boot-clj",
    "clojure-test", "incanter", "overtone", "quil", "fulcro",
)  # fmt: skip
DEFAULT_SITE = "stackoverflow.com"


@dataclass
class StackOverflowConfig(BuilderConfig):
    tags: list[str] = field(default_factory=lambda: list(DEFAULT_TAGS))
    """Questions with at least one of these tags are kept (case-insensitive); ``["*"]`` keeps all."""
    site: str = ""
    """Host for URLs and ids; empty: from the archive names (``stackoverflow.com-Posts.7z``), else
    stackoverflow.com. Set it for a folder of plain XML from another site."""


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _selection(tags: list[str]) -> str:
    """The composition's sentence on which questions this build selects."""
    if "*" in tags:
        return "Every question of the dump is selected (the 'tags' setting is '*')."
    wanted = ", ".join(sorted({t.lower() for t in tags}))
    return f"Selection (the 'tags' setting of this build): questions with at least one of the tags {wanted}."


@register_source("stackoverflow")
class StackOverflow(DatasetBuilder):
    description = (
        "Stack Overflow questions tagged Clojure (and its ecosystem) with their answers and comments."
    )
    homepage = "https://stackoverflow.com/questions/tagged/clojure"
    license = "cc-by-sa-4.0"
    kind = RecordKind.THREAD
    Config = StackOverflowConfig
    # a "> " block on Stack Overflow is the asker's error message or a doc excerpt, not a quoted reply
    pass_overrides = {"garbage": {"strip_quotes": False}}
    config: StackOverflowConfig
    card = CardInfo(
        pretty_name="Stack Overflow Clojure questions and answers",
        tags=["clojure", "clojurescript", "code", "stackoverflow", "question-answering", "conversations"],
        task_categories=["text-generation", "question-answering"],
        motivation=(
            "Stack Overflow holds about 17,000 questions tagged clojure, and more under ClojureScript and "
            "library tags, most with answers that explain idiomatic code. ClojureLLM collects them to "
            "teach a model how Clojure problems are asked about and solved."
        ),
        composition=(
            "One record per question: title, tags, the question, its answers (highest score first, the "
            "accepted one flagged) and the comments of each post, as messages with author, date, score "
            "and role, and the whole thread as text. HTML bodies are converted to text "
            "with code blocks as fenced code (language kept) and inline code in backticks."
        ),
        collection=(
            "Read from the official Stack Exchange data dump (archive.org, 'stackexchange' collection): "
            "Posts.xml, Comments.xml and Users.xml, streamed from their .7z archives. Deleted posts are "
            "not in the dump. Closed questions and community-wiki posts are kept and marked in extra "
            "(closed_at, community_wiki_ids). Rows that could not be used are logged with a reason; rows "
            "outside the selected tags are counted in one summary line per dump (tag_filtered)."
        ),
        uses=(
            "Fine-tuning and evaluating Clojure assistants; question/answer pairs; code search. Not for "
            "identifying or profiling people."
        ),
        limitations=(
            "Licence: contributions are CC BY-SA 2.5 (before 2011-04-08), 3.0 (before 2018-05-02) or 4.0 "
            "(since), as each record's license column says (extra.licenses when a thread mixes versions); "
            "derived datasets must stay CC BY-SA. Attribution and anonymization: CC BY-SA and Stack "
            "Exchange ask that the author of every post be credited, while our data policy replaces "
            "author names with pseudonyms. We reconcile the two by keeping, in every record, the url of "
            "the question page: that page is the attribution, it names every author of the question, its "
            "answers and its comments and links to their profiles. Names are pseudonymized in the text "
            "and the messages so that a model does not learn them, not to hide who wrote a post: the url "
            "leads to the original attribution on purpose. Older answers use APIs and tools that are "
            "now deprecated; scores reflect votes at the dump date."
        ),
        maintenance=(
            "Rebuilt by the ClojureLLM data custodians from each new quarterly data dump with "
            "`clojure-data build stackoverflow --input <dump folder>`. Removal requests: open an issue "
            "on the clojure-data repository with the question url."
        ),
    )

    def __init__(self, config: BuilderConfig | None = None, **overrides: Any) -> None:
        super().__init__(config, **overrides)
        # the datasheet names this build's selection, whatever the 'tags' setting says
        card = type(self).card
        composition = f"{card.composition} {_selection(self.config.tags)}"
        self.__dict__["card"] = dataclasses.replace(card, composition=composition)

    def shards(self, path: Path) -> list[Path]:
        """One shard per dump: a folder holding a Posts table, or a site ``.7z`` (see the module doc)."""
        return find_dumps(Path(path))

    def read(self, shard: Path) -> Iterator[Document]:
        dump = open_dump(Path(shard))
        site = self.config.site or dump.site or DEFAULT_SITE
        with tempfile.TemporaryDirectory(prefix="clojure-data-stackoverflow-") as tmp:
            store = ThreadStore(Path(tmp))
            try:
                join = DumpJoin(store, self.config.tags, self.record_id(site))
                join.read_posts(dump.tables["Posts"])
                join.read_comments(dump.tables["Comments"])
                join.read_users(dump.tables["Users"])
                for rid, reason, raw, location, posts, comments in store.rejections():
                    yield self._rejection(rid, reason, raw, location, posts, comments)
                emitted = yield from self._threads(store, join.tally, site)
                yield from self._summaries(join.tally, emitted, site)
            finally:
                store.close()

    def _rejection(
        self, rid: str, reason: str, raw: str, location: str, posts: int, comments: int
    ) -> Document:
        doc = make_rejection(rid, reason, source=self.name, raw=raw, location=location)
        doc.metadata.update(post_rows=posts, comment_rows=comments)
        return doc

    def _threads(
        self, store: ThreadStore, tally: Tally, site: str
    ) -> Generator[Document, None, dict[str, int]]:
        """The records (and thread-level rejections); returns how many rows went into records."""
        emitted = {"posts": 0, "comments": 0, "records": 0}
        for question in store.questions():
            qid = int(question["Id"])
            answers, comments = store.answers(qid), store.comments(qid)
            users = {
                r.get(k)
                for rows, k in ((answers + [question], "OwnerUserId"), (comments, "UserId"))
                for r in rows
            }
            names = store.user_names(
                sorted(int(u) for u in users if u is not None and u.lstrip("-").isdigit())
            )
            rid = self.record_id(site, str(qid))
            built = build_thread(
                ThreadInput(question, answers, comments, names), site=site, source=self.name, record_id=rid
            )
            for error, rows in built.rejected_answers:
                tally.posts_rejected += 1
                tally.comments_rejected += len(rows["comments"])
                raw = orjson.dumps(rows).decode()
                yield self._rejection(
                    f"{rid}/answer/{rows['post']['Id']}", "bad_html", raw, error, 1, len(rows["comments"])
                )
            n_posts = 1 + len(answers) - len(built.rejected_answers)
            n_comments = len(comments) - sum(len(r["comments"]) for _, r in built.rejected_answers)
            record = built.record
            reason = built.reason or (
                "too_large" if record and len(record.text) > self.config.max_record_chars else None
            )
            if reason is not None or record is None:
                tally.posts_rejected += n_posts
                tally.comments_rejected += n_comments
                thread = {"question": question, "answers": answers, "comments": comments}
                raw = record.text if record is not None else orjson.dumps(thread).decode()
                yield self._rejection(
                    rid, reason or "bad_html", raw, built.detail or rid, n_posts, n_comments
                )
                continue
            emitted["posts"] += n_posts
            emitted["comments"] += n_comments
            emitted["records"] += 1
            yield record
        return emitted

    def _summaries(self, tally: Tally, emitted: dict[str, int], site: str) -> Iterator[Document]:
        """One rejection per filter reason with the counts (see the module docstring)."""
        accounting: dict[str, Any] = {
            **tally.as_dict(),
            "posts_in_records": emitted["posts"],
            "comments_in_records": emitted["comments"],
            "records": emitted["records"],
        }
        logger.info(f"{self.name} {site}: {accounting}")
        filtered_posts = tally.questions_filtered + tally.answers_filtered
        if filtered_posts or tally.comments_filtered:
            text = (
                f"Not selected: {_count(tally.questions_filtered, 'question')} with none of the "
                "selected tags (metadata.tags), "
                f"{_count(tally.answers_filtered, 'answer')} to them and "
                f"{_count(tally.comments_filtered, 'comment')} on both."
            )
            doc = self._rejection(
                self.record_id(site, "tag_filtered"),
                "tag_filtered",
                text,
                site,
                filtered_posts,
                tally.comments_filtered,
            )
            doc.metadata.update(accounting=accounting, tags=sorted(self.config.tags))
            yield doc
        others = sum(tally.other_post_types.values())
        if others or tally.comments_on_other_posts:
            text = (
                f"Not selected: {_count(others, 'post')} that are neither questions nor answers (by "
                f"PostTypeId: {dict(sorted(tally.other_post_types.items()))}) and "
                f"{_count(tally.comments_on_other_posts, 'comment')} on them."
            )
            doc = self._rejection(
                self.record_id(site, "not_question_or_answer"),
                "not_question_or_answer",
                text,
                site,
                others,
                tally.comments_on_other_posts,
            )
            doc.metadata.update(accounting=accounting)
            yield doc
