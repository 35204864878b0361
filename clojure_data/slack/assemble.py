"""Folded messages -> conversations -> thread records.

A *thread* is a parent and its replies (``thread_ts``): one record. Messages outside threads are
grouped per channel into *windows*: one per UTC day (``window="day"``) or runs of messages with
no gap longer than N minutes (``window=N``). Replies whose parent is not in the shard (deleted,
scrubbed, or before the archive) still form a thread record, marked ``parent_missing``.

Each record carries ``messages`` (author = display name, author_id = Slack user id, ISO 8601 date,
decoded text), the rendered ``text`` (a header line per message, then its text: headers on their
own line keep code fences at the start of a line), the channel in ``tags`` and ``extra``, and the
private ``_participants`` (every author and mentioned user with all their names) for the
anonymizer. Complete code snippets shared as files are appended to their message as fenced code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..record import Document, make_record, message
from .directory import UNKNOWN_AUTHOR, Directory
from .fold import ChatMessage, complete_snippets
from .markup import decode


@dataclass
class Conversation:
    channel: str  # channel id
    kind: str  # "thread" | "window"
    messages: list[ChatMessage]
    parent_missing: bool = False
    day_window: bool = False  # a window named after its day (window="day")


@dataclass
class RecordContext:
    """What a record needs beyond its messages."""

    source: str
    directory: Directory
    record_id: Callable[..., str]
    log_url: str = ""  # clojurians-log site; "" when the archive is not clojurians-log
    license: str | None = None


def _when(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def iso(ts: str) -> str:
    return _when(ts).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(ts: str) -> str:
    return _when(ts).date().isoformat()


def _order(m: ChatMessage) -> tuple[float, int]:
    return (float(m.ts), m.origin.index)


def conversations(messages: list[ChatMessage], window: str | int) -> list[Conversation]:
    """Threads first by root, then windows, in a deterministic order."""
    by_key = {(m.channel, m.ts): m for m in messages}
    replies: dict[tuple[str, str], list[ChatMessage]] = defaultdict(list)
    for m in messages:
        if m.is_reply:
            replies[(m.channel, m.thread_ts or "")].append(m)
    convs: list[Conversation] = []
    for root, rs in replies.items():
        parent = by_key.get(root)
        parent = parent if parent is not None and not parent.is_reply else None
        body = sorted(rs, key=_order)
        convs.append(Conversation(root[0], "thread", ([parent] if parent else []) + body, parent is None))
    loose: dict[str, list[ChatMessage]] = defaultdict(list)
    for m in messages:
        if not m.is_reply and (m.channel, m.ts) not in replies:
            loose[m.channel].append(m)
    for channel, ms in loose.items():
        convs.extend(
            Conversation(channel, "window", w, day_window=window == "day")
            for w in _windows(sorted(ms, key=_order), window)
        )
    convs.sort(key=lambda c: (c.channel, _order(c.messages[0]), c.kind))
    return convs


def _windows(ms: list[ChatMessage], window: str | int) -> Iterator[list[ChatMessage]]:
    current: list[ChatMessage] = []
    for m in ms:
        if current and _breaks(current[-1], m, window):
            yield current
            current = []
        current.append(m)
    if current:
        yield current


def _breaks(prev: ChatMessage, m: ChatMessage, window: str | int) -> bool:
    if window == "day":
        return day(prev.ts) != day(m.ts)
    return float(m.ts) - float(prev.ts) > int(window) * 60


@dataclass
class _Rendered:
    rows: list[dict[str, Any]] = field(default_factory=list)
    participants: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown_authors: int = 0
    unknown_mentions: int = 0
    snippets: int = 0


def to_record(conv: Conversation, ctx: RecordContext) -> Document:
    """One conversation as a ``thread`` record."""
    r = _Rendered()
    for m in conv.messages:
        r.rows.append(_row(m, ctx.directory, r))
    first = conv.messages[0]
    channel = ctx.directory.channels.get(conv.channel, conv.channel)
    text = "\n\n".join(f"{row['author']} [{row['date']}]:\n{row['text']}" for row in r.rows)
    rid, url, title = _identity(conv, channel, ctx, r.rows[0]["text"])
    extra = {
        "channel": channel,
        "channel_id": conv.channel,
        "conversation": conv.kind,
        "parent_missing": conv.parent_missing,
        "folded_events": sum(m.folded for m in conv.messages),
        "unknown_authors": r.unknown_authors,
        "unknown_mentions": r.unknown_mentions,
        "snippets": r.snippets,
    }
    return make_record(
        rid, text, source=ctx.source, kind="thread", title=title, created_at=iso(first.ts),
        tags=[channel], messages=r.rows, url=url, license=ctx.license, extra=extra,
        _participants=list(r.participants.values()),
    )  # fmt: skip


def _identity(
    conv: Conversation, channel: str, ctx: RecordContext, first_text: str
) -> tuple[str, str | None, str]:
    first = conv.messages[0]
    base = f"{ctx.log_url.rstrip('/')}/{channel}/{day(first.ts)}" if ctx.log_url else None
    if conv.kind == "thread":
        root = first.thread_ts or first.ts
        if conv.parent_missing:
            return (
                ctx.record_id(channel, root, f"replies-{first.ts}"),
                base and f"{base}/{first.ts}",
                f"#{channel} thread",
            )
        return (
            ctx.record_id(channel, root),
            base and f"{base}/{root}",
            _title(first_text) or f"#{channel} thread",
        )
    if conv.day_window:
        return ctx.record_id(channel, day(first.ts)), base, f"#{channel} {day(first.ts)}"
    return (
        ctx.record_id(channel, f"from-{first.ts}"),
        base and f"{base}/{first.ts}",
        f"#{channel} {iso(first.ts)}",
    )


def _title(text: str) -> str:
    line = next(
        (ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("```")), ""
    )
    return line if len(line) <= 100 else line[:99].rstrip() + "…"


def _row(m: ChatMessage, directory: Directory, r: _Rendered) -> dict[str, Any]:
    person = directory.users.get(m.user or "")
    if person is None:
        r.unknown_authors += 1
        author = UNKNOWN_AUTHOR
    else:
        author = person.label
        r.participants.setdefault(person.id, person.participant("author"))
    decoded = decode(m.text, directory)
    r.unknown_mentions += decoded.unknown_mentions
    for uid in decoded.mentions:
        r.participants.setdefault(uid, directory.users[uid].participant("mentioned"))
    text = decoded.text
    for code in complete_snippets(m.files):
        r.snippets += 1
        fence = "````" if "```" in code else "```"
        text = f"{text}\n{fence}\n{code}\n{fence}" if text else f"{fence}\n{code}\n{fence}"
    return message(author, text, date=iso(m.ts), author_id=m.user)
