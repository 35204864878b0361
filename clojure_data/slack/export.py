"""The standard Slack workspace export: ``users.json``, ``channels.json`` and one folder per
channel holding ``YYYY-MM-DD.json`` files, each a JSON array of messages.

**Shard unit: a channel folder.** Threads, edits and deletions never leave their channel, so a
folder reads on its own. The export already shows messages as they finally read (edited text,
deleted messages absent, ``tombstone`` parents), so folding rarely has work to do here; the same
rules apply when it does. A day file that is not a JSON array is one ``malformed_day_file``
rejection (its messages cannot be counted); an empty day file holds no messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from ..errors import InputError
from .directory import Directory
from .events import Event, classify


def is_root(path: Path) -> bool:
    return path.is_dir() and (path / "channels.json").is_file() and (path / "users.json").is_file()


def channel_shards(root: Path) -> list[Path]:
    folders = [p for p in sorted(root.iterdir()) if p.is_dir() and any(p.glob("*.json"))]
    if not folders:
        raise InputError(f"no channel folders with day files (*.json) under {root}")
    return folders


def read_channel(folder: Path, directory: Directory) -> list[Event]:
    """Every message of a channel folder as an ``Event`` (classified), in file order."""
    channel = directory.channel_id(folder.name) or folder.name
    events: list[Event] = []
    for path in sorted(folder.glob("*.json")):
        events.extend(_read_day(path, channel, len(events)))
    return events


def _read_day(path: Path, channel: str, start: int) -> Iterator[Event]:
    where = f"{path.parent.name}/{path.name}"
    try:
        data = path.read_bytes()
    except OSError:
        yield Event(None, "", where, start, channel, cls="unreadable_file")
        return
    if not data.strip():
        return
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError:
        items = None
    if not isinstance(items, list):
        raw = data[:2000].decode("utf-8", "replace")
        yield Event(None, raw, where, start, channel, cls="malformed_day_file")
        return
    for i, item in enumerate(items):
        raw = orjson.dumps(item).decode("utf-8")
        ev = Event(item, raw, f"{where}#{i}", start + i, channel)
        ev.cls = classify(ev)
        yield ev
