"""Fold edits, deletions and thread bookkeeping into the messages they target.

Input: the classified events of one shard. Output: the messages as they finally read, and the
rejections. The arithmetic that proves nothing is lost (tests check it on every input)::

    events = output messages + folded events + rejected events (each with its folded events)

where a *folded* event is an edit, deletion or ``message_replied`` applied to a message; it is
counted on that message (``ChatMessage.folded``) and so on the record or rejection that message
ends in (``folded_events``). The rules:

* content events create messages; the same ``(channel, ts)`` twice is ``duplicate_event``;
* changes, deletions and replied events are applied in timestamp order, after every content
  event (so an edit logged before its message still lands);
* an edit whose target is absent *creates* it from the whole message the event carries (Slack
  logs some thread broadcasts only as edits; the log app upserts the same way) unless the target
  belongs to another shard (``edit_target_elsewhere``); ``message_replied`` likewise restores a
  thread parent that predates the archive (else ``thread_parent_elsewhere``);
* a deleted message, or one turned into a ``tombstone``, is rejected ``message_deleted`` (its
  replies stay); a deletion of a message not in the shard is ``delete_target_not_in_shard``;
* after folding, text still equal to clojurians-log-demo-data's scrub placeholder is removed and
  the message is ``text_scrubbed_upstream`` unless a complete code snippet is left; a message with
  neither text nor complete snippet is ``empty_message``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .events import (
    CHANGE,
    CONTENT,
    DELETE,
    DELETED_SUBTYPES,
    FOLDED_CLASSES,
    Event,
    message_class,
    target,
    ts_or_none,
)
from .markup import is_scrubbed

Key = tuple[str, str]


@dataclass
class ChatMessage:
    """One message as it finally reads, still in Slack markup."""

    channel: str
    ts: str
    user: str | None
    text: str
    thread_ts: str | None
    origin: Event  # the event that created it
    files: list[dict[str, Any]] = field(default_factory=list)
    folded: int = 0
    deleted: bool = False

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class Rejected:
    event: Event
    reason: str
    folded: int = 0


@dataclass
class FoldResult:
    messages: list[ChatMessage] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _message(channel: str, data: dict[str, Any], origin: Event) -> ChatMessage:
    listed = data.get("files")
    files = [data.get("file"), *(listed if isinstance(listed, list) else [])]
    thread, text = ts_or_none(data.get("thread_ts")), data.get("text")
    return ChatMessage(
        channel=channel,
        ts=data["ts"],
        user=data.get("user") if isinstance(data.get("user"), str) else None,
        text=text if isinstance(text, str) else "",
        thread_ts=thread,  # a malformed thread_ts cannot name a thread: a top-level message
        origin=origin,
        files=[f for f in files if isinstance(f, dict)],
    )


def fold(
    events: Iterable[Event],
    may_create: Callable[[Event], bool] = lambda _e: True,
    deleted_elsewhere: Callable[[Key], bool] = lambda _k: False,
) -> FoldResult:
    """Apply every change to its message; see the module docstring for the rules."""
    result = FoldResult()
    messages: dict[Key, ChatMessage] = {}
    later: list[Event] = []
    for ev in events:
        if ev.cls == CONTENT:
            key = (ev.channel or "", ev.data["ts"])
            if key in messages:
                result.rejected.append(Rejected(ev, "duplicate_event"))
            else:
                messages[key] = _message(key[0], ev.data, ev)
        elif ev.cls in FOLDED_CLASSES:
            later.append(ev)
        else:
            result.rejected.append(Rejected(ev, ev.cls))
    later.sort(key=lambda e: (float(e.data["ts"]), e.index))
    for ev in later:
        reason = _apply(ev, messages, may_create)
        if reason:
            result.rejected.append(Rejected(ev, reason))
    for key, msg in messages.items():
        reason = _final_verdict(msg, deleted_elsewhere(key))
        if reason:
            result.rejected.append(Rejected(msg.origin, reason, msg.folded))
        else:
            result.messages.append(msg)
    result.rejected.sort(key=lambda r: r.event.index)
    return result


def _apply(ev: Event, messages: dict[Key, ChatMessage], may_create: Callable[[Event], bool]) -> str | None:
    """Fold one change/delete/replied event; the rejection reason if it cannot be folded."""
    key = target(ev)
    assert key is not None  # classify() checked the target's timestamp
    msg = messages.get(key)
    if ev.cls == DELETE:
        if msg is None:
            return "delete_target_not_in_shard"
        msg.deleted, msg.folded = True, msg.folded + 1
        return None
    inner: dict[str, Any] = ev.data["message"]
    if msg is not None:
        msg.folded += 1
        if ev.cls == CHANGE:
            _edit(msg, inner)
        return None
    if not may_create(ev):
        return "edit_target_elsewhere" if ev.cls == CHANGE else "thread_parent_elsewhere"
    kind = message_class({"type": "message", **inner})
    if kind != CONTENT:
        return kind
    messages[key] = _message(key[0], inner, ev)
    return None


def _edit(msg: ChatMessage, inner: dict[str, Any]) -> None:
    if inner.get("subtype") in DELETED_SUBTYPES:
        msg.deleted = True
        return
    if isinstance(inner.get("text"), str):
        msg.text = inner["text"]
    if ts_or_none(inner.get("thread_ts")):
        msg.thread_ts = inner["thread_ts"]
    if isinstance(inner.get("file"), dict) or (isinstance(inner.get("files"), list) and inner["files"]):
        msg.files = _message(msg.channel, {"ts": msg.ts, **inner}, msg.origin).files


def _final_verdict(msg: ChatMessage, deleted_elsewhere: bool) -> str | None:
    if msg.deleted or deleted_elsewhere:
        return "message_deleted"
    has_code = any(True for _ in complete_snippets(msg.files))
    if is_scrubbed(msg.text):
        msg.text = ""  # the placeholder is not what anyone wrote
        return None if has_code else "text_scrubbed_upstream"
    if not msg.text.strip() and not has_code:
        return "empty_message"
    return None


def complete_snippets(files: list[dict[str, Any]]) -> Iterator[str]:
    """The code of complete snippets shared as files (partial previews are left out: cut code)."""
    for f in files:
        preview = f.get("preview")
        if f.get("mode") != "snippet" or not isinstance(preview, str) or not preview.strip():
            continue
        if f.get("preview_is_truncated") or f.get("lines_more"):
            continue
        yield preview.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


__all__ = ["ChatMessage", "FoldResult", "Rejected", "complete_snippets", "fold"]
