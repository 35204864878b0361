"""Stream Posts, Comments and Users once each and keep what the selected questions need.

The join, in one pass per table (a ``.7z`` is decompressed once per table, never twice):

1. **Posts**: a question whose tags match is *selected* and stored; one that does not is counted
   as tag-filtered. An answer whose question was already seen is stored (selected question),
   counted (filtered question) or rejected (question rejected, or the parent is not a question);
   an answer that comes before its question (rare: merged questions) is *deferred* to disk and
   settled once the whole file has been read, so a single pass is enough. Other post types
   (tag wikis, moderator nominations...) are counted, not kept.
2. **Comments**: kept when their post was kept, counted when it was filtered, rejected when it
   was rejected or does not exist (``orphan_comment``).
3. **Users**: only the display names of the authors of kept posts and comments are stored.

Every row ends in exactly one place: a kept row (later a message of a record), a per-row
rejection (stored, reported with ``post_rows``/``comment_rows`` = 1), or a counter of ``Tally``
(filtered rows, reported as one summary rejection per reason). Memory: see ``store``.

Deleted posts are not in the public dumps (Stack Exchange removes them before publishing), so
there is nothing to do about them beyond the orphan checks; closed questions and community-wiki
posts are kept (the record's ``extra`` says so).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from .dump import Table, iter_rows
from .store import UNSEEN, IdStates, ThreadStore

__all__ = ["Tally", "DumpJoin", "parse_tags", "KEPT_POST_FIELDS"]

Q_SELECTED, A_SELECTED, Q_FILTERED, A_FILTERED, OTHER, REJECTED, DEFERRED = range(1, 8)
KEPT_POST_FIELDS = (
    "Id", "PostTypeId", "ParentId", "AcceptedAnswerId", "CreationDate", "Score", "Body", "OwnerUserId",
    "OwnerDisplayName", "Title", "Tags", "ClosedDate", "CommunityOwnedDate", "ContentLicense",
)  # fmt: skip
KEPT_COMMENT_FIELDS = (
    "Id",
    "PostId",
    "Score",
    "Text",
    "CreationDate",
    "UserId",
    "UserDisplayName",
    "ContentLicense",
)


@dataclass
class Tally:
    """Where the rows of each table went; the arithmetic is checked by the tests."""

    post_rows: int = 0
    posts_selected: int = 0  # stored for a record (final in-record counts are the messages themselves)
    posts_rejected: int = 0
    questions_filtered: int = 0
    answers_filtered: int = 0
    other_post_types: Counter[str] = field(default_factory=Counter)
    comment_rows: int = 0
    comments_selected: int = 0
    comments_rejected: int = 0
    comments_filtered: int = 0  # on tag-filtered questions and their answers
    comments_on_other_posts: int = 0  # on tag wikis and other non-Q&A posts
    user_rows: int = 0
    users_used: int = 0

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "other_post_types"}
        out["other_post_types"] = dict(sorted(self.other_post_types.items()))
        return out


def parse_tags(raw: str | None) -> list[str] | None:
    """``<clojure><ring>`` (older dumps) or ``|clojure|ring|`` (newer ones) -> ``["clojure", "ring"]``."""
    if raw is None:
        return None
    raw = raw.strip()
    parts = raw.replace(">", "").split("<") if raw.startswith("<") else raw.split("|")
    return [p.strip().lower() for p in parts if p.strip()]


_INT32 = 2**31  # ids are SQL Server ``int`` columns; a bigger one is not an id (and would cost memory)


def _int(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and -_INT32 <= number < _INT32 else None


def _problem(row: dict[str, str], required: tuple[str, ...]) -> tuple[str, str] | None:
    """``(reason, detail)`` when a required attribute is missing or a date does not parse."""
    missing = [name for name in required if name not in row]
    if missing:
        return "missing_attribute", f"missing {', '.join(missing)}"
    try:
        datetime.fromisoformat(row["CreationDate"])
    except ValueError:
        return "bad_attribute", f"CreationDate {row['CreationDate']!r} is not a date"
    return None


class DumpJoin:
    """Streams one dump's tables into a ``ThreadStore``; see the module docstring."""

    def __init__(self, store: ThreadStore, tags: list[str], id_prefix: str) -> None:
        self.store = store
        self.any_tag = "*" in tags
        self.tags = frozenset(t.lower() for t in tags)
        self.prefix = id_prefix
        self.states = IdStates()
        self.tally = Tally()
        self.users = IdStates()  # 1 for the users whose display names a kept row needs

    def _reject(self, kind: str, key: str, reason: str, row: dict[str, str], location: str) -> None:
        raw = orjson.dumps(row).decode()
        posts, comments = (1, 0) if kind == "posts" else (0, 1)
        self.store.add_rejection(f"{self.prefix}/{kind}/{key}", reason, raw, location, posts, comments)
        if kind == "posts":
            self.tally.posts_rejected += 1
        else:
            self.tally.comments_rejected += 1

    def _need_user(self, value: str | None) -> None:
        uid = _int(value)
        if uid is not None:
            self.users.set(uid, 1)

    # -- Posts ------------------------------------------------------------------------------------
    def read_posts(self, table: Table) -> None:
        for number, row in iter_rows(table):
            self.tally.post_rows += 1
            self._post(row, f"{table.where} row {number}", number)
        for post_id, parent, location, row in self.store.deferred():
            self._answer_to(post_id, parent, self.states.get(parent), row, location)
        self.store.index()

    def _post(self, row: dict[str, str], location: str, number: int) -> None:
        post_id, post_type = _int(row.get("Id")), _int(row.get("PostTypeId"))
        if post_id is None or post_type is None:
            self._reject(
                "posts",
                f"row-{number}",
                "bad_attribute",
                row,
                f"{location}: Id/PostTypeId missing or not a number",
            )
            return
        if self.states.get(post_id) != UNSEEN:
            self._reject("posts", f"{post_id}-row-{number}", "duplicate_id", row, location)
            return
        if post_type == 1:
            self._question(post_id, row, location)
        elif post_type == 2:
            self._answer(post_id, row, location)
        else:
            self.states.set(post_id, OTHER)
            self.tally.other_post_types[str(post_type)] += 1

    def _question(self, post_id: int, row: dict[str, str], location: str) -> None:
        tags = parse_tags(row.get("Tags"))
        if tags is not None and not self.any_tag and self.tags.isdisjoint(tags):
            self.states.set(post_id, Q_FILTERED)
            self.tally.questions_filtered += 1
            return
        problem = _problem(row, ("CreationDate", "Title", "Tags", "Body"))
        if problem is not None:
            self.states.set(post_id, REJECTED)
            self._reject("posts", str(post_id), problem[0], row, f"{location}: {problem[1]}")
            return
        self.states.set(post_id, Q_SELECTED)
        self._keep_post(post_id, post_id, True, row)

    def _keep_post(self, post_id: int, question_id: int, is_question: bool, row: dict[str, str]) -> None:
        self.store.add_post(
            post_id, question_id, is_question, {k: row[k] for k in KEPT_POST_FIELDS if k in row}
        )
        self._need_user(row.get("OwnerUserId"))
        self.tally.posts_selected += 1

    def _answer(self, post_id: int, row: dict[str, str], location: str) -> None:
        parent = _int(row.get("ParentId"))
        if parent is None:
            self.states.set(post_id, REJECTED)
            self._reject("posts", str(post_id), "missing_attribute", row, f"{location}: ParentId missing")
            return
        state = self.states.get(parent)
        if state == UNSEEN:
            self.states.set(post_id, DEFERRED)
            self.store.defer(post_id, parent, location, {k: row[k] for k in row})
            return
        self._answer_to(post_id, parent, state, row, location)

    def _answer_to(self, post_id: int, parent: int, state: int, row: dict[str, str], location: str) -> None:
        if state == Q_SELECTED:
            problem = _problem(row, ("CreationDate", "Body"))
            if problem is None:
                self.states.set(post_id, A_SELECTED)
                self._keep_post(post_id, parent, False, row)
                return
            reason, detail = problem
        elif state == Q_FILTERED:
            self.states.set(post_id, A_FILTERED)
            self.tally.answers_filtered += 1
            return
        elif state == REJECTED:
            reason, detail = "parent_rejected", f"its question {parent} was rejected"
        else:
            reason, detail = "orphan_answer", f"its parent {parent} is not a question of this dump"
        self.states.set(post_id, REJECTED)
        self._reject("posts", str(post_id), reason, row, f"{location}: {detail}")

    # -- Comments ---------------------------------------------------------------------------------
    def read_comments(self, table: Table) -> None:
        for number, row in iter_rows(table):
            self.tally.comment_rows += 1
            self._comment(row, f"{table.where} row {number}", number)
        self.store.flush()

    def _comment(self, row: dict[str, str], location: str, number: int) -> None:
        comment_id, post_id = _int(row.get("Id")), _int(row.get("PostId"))
        if comment_id is None or post_id is None:
            self._reject(
                "comments",
                f"row-{number}",
                "bad_attribute",
                row,
                f"{location}: Id/PostId missing or not a number",
            )
            return
        state = self.states.get(post_id)
        if state in (Q_FILTERED, A_FILTERED):
            self.tally.comments_filtered += 1
            return
        if state == OTHER:
            self.tally.comments_on_other_posts += 1
            return
        if state not in (Q_SELECTED, A_SELECTED):
            reason = "parent_rejected" if state == REJECTED else "orphan_comment"
            self._reject("comments", str(comment_id), reason, row, f"{location}: post {post_id}")
            return
        problem = _problem(row, ("CreationDate", "Text"))
        data = {k: row[k] for k in KEPT_COMMENT_FIELDS if k in row}
        if problem is None and not self.store.add_comment(comment_id, post_id, data):
            problem = ("duplicate_id", "comment id seen before")
        if problem is not None:
            self._reject(
                "comments", f"{comment_id}-row-{number}", problem[0], row, f"{location}: {problem[1]}"
            )
            return
        self._need_user(row.get("UserId"))
        self.tally.comments_selected += 1

    # -- Users ------------------------------------------------------------------------------------
    def read_users(self, table: Table) -> None:
        for _, row in iter_rows(table):
            self.tally.user_rows += 1
            user_id = _int(row.get("Id"))
            if user_id is not None and self.users.get(user_id):
                self.store.add_user(user_id, row.get("DisplayName"))
                self.tally.users_used += 1
        self.store.flush()
