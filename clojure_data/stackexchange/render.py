"""One selected question with its answers and comments -> a ``thread`` record (or a rejection).

Conversation order (``messages`` and ``text``): the question, then the answers by score, highest
first, ties by id (oldest first), the order Stack Overflow shows by default ("Highest score");
the accepted answer is flagged (``accepted``) but not moved, because on Stack Overflow it is no
longer pinned to the top either. Each post is followed by its comments in the order they were
written. Comments are messages of their own; each message's ``role`` says whether it
is the ``question``, an ``answer`` or a ``comment``, and its ``id`` gives its id in the
dump (``https://stackoverflow.com/a/<id>`` for an answer).

Licences: Stack Exchange content is CC BY-SA 2.5 before 2011-04-08, 3.0 before 2018-05-02, 4.0
since (``ContentLicense``, when a dump has it, wins). The record's ``license`` is the
question's; if answers or comments carry another version, ``extra.licenses`` lists them all.

Authors: ``messages[].author`` is the display name from Users.xml (or the name stored on the post
for deleted accounts), ``author_id`` a digest of ``site/users/<id>``; the private
``_participants`` key lists every author (``user_id``, ``name``, ``handle``: the name without
spaces, the form ``@mentions`` take) for the anonymizer. The ``Community`` bot (user -1) is not a
person and is left out of ``_participants``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..record import Document, RecordKind, make_record, message
from .html import BodyError, body_to_text
from .join import parse_tags

__all__ = ["ThreadInput", "Built", "build_thread", "license_for"]

_LICENSE = re.compile(r"CC BY-SA (\d\.\d)", re.IGNORECASE)
COMMUNITY_USER = -1


def license_for(row: dict[str, str]) -> str:
    """The licence of one post or comment: its ``ContentLicense`` or the one in force on its date."""
    match = _LICENSE.search(row.get("ContentLicense", ""))
    if match:
        return f"cc-by-sa-{match[1]}"
    date = row.get("CreationDate", "")
    return (
        "cc-by-sa-2.5" if date < "2011-04-08" else "cc-by-sa-3.0" if date < "2018-05-02" else "cc-by-sa-4.0"
    )


def _date(value: str) -> str:
    """ISO 8601 in UTC: dump dates are naive UTC; an explicit offset is converted, not overwritten."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC).isoformat(timespec="seconds")
    return parsed.astimezone(UTC).isoformat(timespec="seconds")


def _is_date(value: str | None) -> bool:
    try:
        return value is not None and bool(datetime.fromisoformat(value))
    except ValueError:
        return False


def _score(row: dict[str, str]) -> int | None:
    try:
        return int(row["Score"])
    except (KeyError, ValueError):
        return None


@dataclass
class ThreadInput:
    question: dict[str, str]
    answers: list[dict[str, str]]
    comments: list[dict[str, str]]
    names: dict[int, str | None]


@dataclass
class Built:
    """A record, or the reason the whole thread was rejected, plus per-row rejections inside it."""

    record: Document | None = None
    reason: str | None = None
    detail: str = ""
    rejected_answers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(error, {"post": answer row, "comments": its comments}): answers whose body could not be rendered."""


@dataclass
class _Msg:
    role: str
    row: dict[str, str]
    text: str


class _Thread:
    def __init__(self, data: ThreadInput, site: str) -> None:
        self.data, self.site = data, site
        self.by_post: dict[int, list[dict[str, str]]] = {}  # by number: "07" and "7" are one post
        for comment in data.comments:
            self.by_post.setdefault(int(comment["PostId"]), []).append(comment)

    def author(self, row: dict[str, str], id_key: str, name_key: str) -> tuple[str | None, int | None]:
        raw = row.get(id_key)
        uid = int(raw) if raw is not None and raw.lstrip("-").isdigit() else None
        name = self.data.names.get(uid) if uid is not None else None
        return name or row.get(name_key), uid

    def author_id(self, uid: int | None, name: str | None) -> str | None:
        identity = (
            f"{self.site}/users/{uid}" if uid is not None else f"{self.site}/name/{name}" if name else None
        )
        return hashlib.sha256(identity.encode()).hexdigest()[:16] if identity else None

    def messages(self, on_bad: Callable[[str, dict[str, Any]], None]) -> list[_Msg]:
        q = self.data.question
        msgs = [_Msg("question", q, body_to_text(q["Body"]))]  # BodyError here rejects the thread
        msgs += [_Msg("comment", c, c["Text"]) for c in self.by_post.get(int(q["Id"]), [])]
        answers = sorted(self.data.answers, key=lambda a: (-(_score(a) or 0), int(a["Id"])))
        for answer in answers:
            comments = self.by_post.get(int(answer["Id"]), [])
            try:
                msgs.append(_Msg("answer", answer, body_to_text(answer["Body"])))
            except BodyError as exc:
                on_bad(str(exc), {"post": answer, "comments": comments})
                continue
            msgs += [_Msg("comment", c, c["Text"]) for c in comments]
        return msgs

    def message_dicts(
        self, msgs: list[_Msg], accepted: int | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The ``messages`` column and the private ``_participants`` list."""
        people: dict[str, dict[str, Any]] = {}
        messages = []
        for m in msgs:
            keys = (
                ("UserId", "UserDisplayName") if m.role == "comment" else ("OwnerUserId", "OwnerDisplayName")
            )
            name, uid = self.author(m.row, *keys)
            author_id = self.author_id(uid, name)
            if author_id and author_id not in people and uid != COMMUNITY_USER:
                handle = re.sub(r"\s+", "", name) if name else None
                people[author_id] = {
                    "author_id": author_id,
                    "user_id": uid,
                    "name": name,
                    "handle": handle if handle != name else None,
                }
            flag = (int(m.row["Id"]) == accepted) if m.role == "answer" else None
            date = _date(m.row["CreationDate"])
            messages.append(
                message(
                    name,
                    m.text,
                    date=date,
                    author_id=author_id,
                    score=_score(m.row),
                    accepted=flag,
                    id=m.row["Id"],
                    role=m.role,
                )
            )
        return messages, list(people.values())


def _render(title: str, tags: list[str], msgs: list[_Msg], accepted: int | None) -> str:
    parts = [f"# {title}", f"Tags: {', '.join(tags)}"]
    for m in msgs:
        score = _score(m.row)
        if m.role == "comment":
            parts.append(f"Comment{f' (score {score})' if score else ''}: {m.text}")
            continue
        notes = [f"score {score}"] if score is not None else []
        if m.role == "answer" and int(m.row["Id"]) == accepted:
            notes.append("accepted")
        heading = f"## {m.role.capitalize()}" + (f" ({', '.join(notes)})" if notes else "")
        parts.append(f"{heading}\n\n{m.text}")
    return "\n\n".join(parts)


def build_thread(data: ThreadInput, *, site: str, source: str, record_id: str) -> Built:
    """Assemble the record of one question (see the module docstring)."""
    thread, built = _Thread(data, site), Built()
    q = data.question

    try:
        msgs = thread.messages(lambda error, rows: built.rejected_answers.append((error, rows)))
    except BodyError as exc:
        built.reason, built.detail = "bad_html", f"question body: {exc}"
        return built
    raw_accepted = q.get("AcceptedAnswerId", "")
    accepted = int(raw_accepted) if raw_accepted.isdigit() else None
    tags = parse_tags(q["Tags"]) or []
    messages, people = thread.message_dicts(msgs, accepted)
    licenses = sorted({license_for(m.row) for m in msgs})
    extra: dict[str, Any] = {
        "site": site,
        "question_id": int(q["Id"]),
        "accepted_answer_id": accepted,
        "closed_at": _date(q["ClosedDate"]) if _is_date(q.get("ClosedDate")) else None,
        "community_wiki_ids": [int(m.row["Id"]) for m in msgs if m.row.get("CommunityOwnedDate")] or None,
        "licenses": licenses if len(licenses) > 1 else None,
    }
    built.record = make_record(
        record_id,
        _render(q["Title"], tags, msgs, accepted),
        source=source,
        kind=RecordKind.THREAD,
        title=q["Title"],
        created_at=_date(q["CreationDate"]),
        url=f"https://{site}/q/{q['Id']}",
        license=license_for(q),
        tags=tags,
        messages=messages,
        extra={k: v for k, v in extra.items() if v is not None},
        _participants=people,
    )
    return built
