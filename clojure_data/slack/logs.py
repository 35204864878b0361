"""The clojurians-log archive: ``logs/YYYY-MM-DD.txt`` (one Slack RTM event, as JSON, per line)
with ``users.edn`` and ``channels.edn`` at the root.

**Shard unit: a calendar month** (the virtual path ``<root>/logs/YYYY-MM``). Day files mix every
channel, and threads, edits and deletions reach across days, so a day file is not readable on its
own; a whole archive is too big for one task. A month shard reads its month's day files plus
``lookahead`` days after it (late replies and edits) and a day either side (day files are not cut
at UTC midnight), and keeps exactly the events it *owns*:

* an event belongs to the month of its conversation's root (``anchor_ts``: a reply's
  ``thread_ts``, an edit's or deletion's target) when it happened within ``lookahead`` days after
  that month ends and that month is in the archive; otherwise to the month of its own ``ts``
  (or, without a usable ``ts``, of its day file);
* an owner that would not read the event's file falls back to the file's month.

Every shard computes the same owner for an event, and every file is read by its own month's
shard, so each event is counted exactly once in the whole archive: threads stay whole unless a
reply comes more than ``lookahead`` days late (it then forms a ``parent_missing`` thread in its own
month). Deletions are honoured whatever their distance: each process scans the archive once for
``message_deleted``/``tombstone`` lines (a byte search, cached) and every shard drops every
message deleted anywhere from its window on (applying a deletion twice changes nothing; it is
counted once, by the shard that owns the deletion event).

A single day file is also a shard (``--input logs/2018-02-01.txt``): it is read alone.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

from ..errors import InputError
from .events import CHANGE, DELETE, Event, anchor_ts, classify, ts_of

DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.txt$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
SKEW_DAYS = 1  # day files are local days: events can sit one file off their UTC date
Key = tuple[str, str]


def is_root(path: Path) -> bool:
    return path.is_dir() and (path / "users.edn").is_file() and (path / "logs").is_dir()


def day_files(logs: Path) -> dict[date, Path]:
    """The day files of a ``logs/`` folder by date (other names are not input)."""
    out = {}
    for p in logs.iterdir():
        m = DAY_FILE.match(p.name)
        if m and p.is_file():
            out[date.fromisoformat(m.group(1))] = p
    return dict(sorted(out.items()))


def month_shards(root: Path) -> list[Path]:
    days = day_files(root / "logs")
    if not days:
        raise InputError(f"no day files (YYYY-MM-DD.txt) under {root / 'logs'}")
    return [root / "logs" / m for m in sorted({d.strftime("%Y-%m") for d in days})]


def is_month_shard(path: Path) -> bool:
    return bool(MONTH.match(path.name)) and not path.exists() and path.parent.is_dir()


def _month(ts: str) -> str:
    return _epoch_day_month(int(float(ts) // 86400))


@functools.lru_cache(maxsize=8192)
def _epoch_day_month(epoch_day: int) -> str:  # strftime per event was a third of the read time
    return (date(1970, 1, 1) + timedelta(epoch_day)).strftime("%Y-%m")


def _bounds(month: str) -> tuple[date, date]:
    y, m = int(month[:4]), int(month[5:])
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


@dataclass
class MonthPlan:
    """Which files a month shard reads and which events it owns."""

    month: str
    months: set[str]  # months present in the archive
    lookahead: int
    _cache: dict[str, tuple[date, date]] = field(default_factory=dict)

    def window(self, month: str) -> tuple[date, date]:
        if month not in self._cache:
            first, last = _bounds(month)
            self._cache[month] = (first - timedelta(SKEW_DAYS), last + timedelta(self.lookahead + SKEW_DAYS))
        return self._cache[month]

    def reads(self, month: str, day: date) -> bool:
        lo, hi = self.window(month)
        return lo <= day <= hi

    def owner(self, ev: Event, file_day: date, file_month: str) -> str:
        ts = ts_of(ev)
        own = _month(ts) if ts else file_month
        if own not in self.months:
            own = file_month
        anchor = anchor_ts(ev)
        root = _month(anchor) if anchor else own
        cand = own
        if ts and root < own and root in self.months:
            happened = datetime.fromtimestamp(float(ts), UTC).date()
            if happened <= _bounds(root)[1] + timedelta(self.lookahead):
                cand = root
        return cand if self.reads(cand, file_day) else file_month

    def may_create(self, ev: Event) -> bool:
        """An edit may stand in for its missing target unless the target lives in another shard."""
        anchor = anchor_ts(ev)
        return anchor is None or _month(anchor) == self.month or _month(anchor) not in self.months


def read_lines(path: Path, start_index: int) -> Iterator[Event]:
    """The events of one day file; a binary file is one ``binary_file`` event."""
    try:
        data = path.read_bytes()
    except OSError:
        yield Event(None, "", path.name, start_index, cls="unreadable_file")
        return
    if b"\x00" in data[:8192]:
        yield Event(None, "", f"{path.name}", start_index, cls="binary_file")
        return
    index = start_index
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue  # blank lines (and the final newline) hold no event
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            obj = None
        raw = line.decode("utf-8", "replace")
        channel = obj.get("channel") if isinstance(obj, dict) else None
        ev = Event(obj, raw, f"{path.name}:{lineno}", index, channel if isinstance(channel, str) else None)
        ev.cls = classify(ev)
        yield ev
        index += 1


def read_month(shard: Path, lookahead: int) -> tuple[list[Event], MonthPlan]:
    """The events a month shard owns, in file order."""
    days = day_files(shard.parent)
    plan = MonthPlan(shard.name, {d.strftime("%Y-%m") for d in days}, lookahead)
    if shard.name not in plan.months:
        raise InputError(f"no day files for {shard.name} in {shard.parent}")
    events: list[Event] = []
    index = 0
    for day, path in days.items():
        if not plan.reads(shard.name, day):
            continue
        file_month = day.strftime("%Y-%m")
        for ev in read_lines(path, index):
            index = ev.index + 1
            if plan.owner(ev, day, file_month) == shard.name:
                events.append(ev)
    return events, plan


def deleted_after(logs: Path, last_day: date) -> frozenset[Key]:
    """Messages deleted in day files dated after ``last_day`` (see the module docstring)."""
    index = _deletion_index(
        str(logs), tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in day_files(logs).values())
    )
    keys: set[Key] = set()
    for day, found in index:
        if day > last_day:
            keys.update(found)
    return frozenset(keys)


@functools.lru_cache(maxsize=2)
def _deletion_index(
    logs: str, files: tuple[tuple[str, int, int], ...]
) -> tuple[tuple[date, frozenset[Key]], ...]:
    out = []
    for name, _size, _mtime in files:
        data = (Path(logs) / name).read_bytes()
        found = {k for k in map(_deleted_key, _lines_with(data, (b'"message_deleted"', b'"tombstone"'))) if k}
        if found:
            out.append((date.fromisoformat(name[:10]), frozenset(found)))
    return tuple(out)


def _lines_with(data: bytes, needles: tuple[bytes, ...]) -> Iterator[bytes]:
    starts: set[int] = set()
    for needle in needles:
        pos = data.find(needle)
        while pos != -1:
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            end = len(data) if end == -1 else end
            if start not in starts:
                starts.add(start)
                yield data[start:end]
            pos = data.find(needle, end)


def _deleted_key(line: bytes) -> Key | None:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    channel = obj.get("channel") if isinstance(obj, dict) else None
    ev = Event(obj, "", "", 0, channel if isinstance(channel, str) else None)
    ev.cls = classify(ev)
    if ev.cls == DELETE:
        return (channel or "", obj["deleted_ts"])
    if ev.cls == CHANGE and obj["message"].get("subtype") == "tombstone":
        return (channel or "", obj["message"]["ts"])
    return None
