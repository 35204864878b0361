"""Slack events: what each input line (or export array element) is, and what it is about.

Every input unit becomes an ``Event``, then ``classify`` puts it in exactly one class:

``content``
    a message someone wrote: plain, ``me_message`` (/me), ``file_share`` (a snippet or an upload
    with its comment), ``thread_broadcast`` (a reply also sent to the channel);
``change`` / ``delete`` / ``replied``
    ``message_changed`` (an edit: the event carries the whole new message), ``message_deleted``
    and ``message_replied`` (thread bookkeeping on the parent). These are folded into the message
    they target (see ``fold.py``);
a rejection reason
    joins, leaves, topic/purpose/name changes and other channel bookkeeping (the subtype is the
    reason), ``bot_message`` (bots and integrations), ``tombstone``/deleted markers
    (``message_deleted``), ``malformed_json``, ``not_an_object``, ``missing_ts`` (absent or
    malformed), ``missing_channel``, ``not_a_message`` (reactions and other event types),
    ``malformed_event`` (an edit without its message), ``unsupported_subtype`` (anything else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CONTENT_SUBTYPES = frozenset({None, "me_message", "file_share", "thread_broadcast", "reply_broadcast"})
SYSTEM_SUBTYPES = frozenset(
    {
        "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
        "channel_archive", "channel_unarchive", "channel_convert_to_private", "channel_convert_to_public",
        "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive",
        "group_unarchive", "pinned_item", "unpinned_item", "bot_add", "bot_remove", "bot_enable",
        "bot_disable", "reminder_add", "reminder_delete", "sh_room_created", "sh_room_shared",
        "channel_posting_permissions", "ekm_access_denied",
    }
)  # fmt: skip
DELETED_SUBTYPES = frozenset({"tombstone", "message_deleted"})

CONTENT, CHANGE, DELETE, REPLIED = "content", "change", "delete", "replied"
FOLDED_CLASSES = frozenset({CHANGE, DELETE, REPLIED})


@dataclass
class Event:
    """One input unit. ``data`` is ``None`` when the unit is not even JSON."""

    data: Any
    raw: str
    location: str  # "<file>:<line>" or "<file>#<index>"
    index: int  # position in the shard: the deterministic tie-breaker
    channel: str | None = None
    cls: str = ""  # set by classify: a class above or a rejection reason


# Seconds since the epoch, optionally with a fraction. float() alone would also take "inf", "nan",
# "1e300", "-5" or " 1_0 ", which crash every date conversion downstream.
_TS = re.compile(r"\d{1,11}(?:\.\d{1,9})?")


def ts_or_none(value: Any) -> str | None:
    """A Slack timestamp ("1517436495.000136"); anything else is no timestamp."""
    return value if isinstance(value, str) and _TS.fullmatch(value) else None


def ts_of(event: Event) -> str | None:
    return ts_or_none(event.data.get("ts")) if isinstance(event.data, dict) else None


def classify(event: Event) -> str:
    """The class of ``event`` (content, change, delete, replied) or the reason to reject it."""
    data = event.data
    if data is None:
        return "malformed_json"
    if not isinstance(data, dict):
        return "not_an_object"
    if data.get("type", "message") != "message":
        return "not_a_message"
    if ts_or_none(data.get("ts")) is None:
        return "missing_ts"
    if not event.channel:
        return "missing_channel"
    subtype = data.get("subtype")
    if subtype == "message_changed":
        return CHANGE if ts_or_none(_inner(data, "message").get("ts")) else "malformed_event"
    if subtype == "message_deleted":
        return DELETE if ts_or_none(data.get("deleted_ts")) else "malformed_event"
    if subtype == "message_replied":
        return REPLIED if ts_or_none(_inner(data, "message").get("ts")) else "malformed_event"
    return message_class(data)


def message_class(data: dict[str, Any]) -> str:
    """``content`` for a message a person wrote, else the reason it is not chat."""
    subtype = data.get("subtype")
    if subtype == "bot_message" or (data.get("bot_id") and not data.get("user")):
        return "bot_message"
    if subtype in SYSTEM_SUBTYPES:
        return str(subtype)
    if subtype in DELETED_SUBTYPES:
        return "message_deleted"
    if subtype in CONTENT_SUBTYPES:
        return CONTENT
    return "unsupported_subtype"


def _inner(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def target(event: Event) -> tuple[str, str] | None:
    """The message a change/delete/replied event is about: ``(channel, ts)``."""
    data, channel = event.data, event.channel or ""
    if event.cls == DELETE:
        return (channel, data["deleted_ts"])
    if event.cls in (CHANGE, REPLIED):
        return (channel, _inner(data, "message")["ts"])
    return None


def anchor_ts(event: Event) -> str | None:
    """The timestamp that decides which conversation an event belongs to (its thread's root).

    A reply belongs to its thread (``thread_ts``); an edit, deletion or reply bookkeeping belongs
    to the conversation of the message it targets; everything else to itself.
    """
    data = event.data
    if not isinstance(data, dict):
        return None
    if event.cls in (CHANGE, REPLIED):
        inner = _inner(data, "message")
        return ts_or_none(inner.get("thread_ts")) or ts_or_none(inner.get("ts"))
    if event.cls == DELETE:
        previous = _inner(data, "previous_message")
        return ts_or_none(previous.get("thread_ts")) or ts_or_none(data.get("deleted_ts"))
    return ts_or_none(data.get("thread_ts")) or ts_or_none(data.get("ts"))
