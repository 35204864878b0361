"""Bounded-memory join of a Stack Exchange dump: an id-state table plus an on-disk SQLite store.

Memory model (what stays in RAM, whatever the size of the dump):

* ``IdStates``: one byte per post id seen (what became of that post: selected question, selected
  answer, filtered, rejected...), kept in 4 KiB chunks allocated only where ids occur. Dump ids
  are dense, so this is about ``max post id`` bytes: some 80 MB for the whole of Stack Overflow,
  well under 1 MB for a small site. A plain ``set``/``dict`` of ints would cost 30-70 bytes an id.
  Ids are 32-bit (``join`` refuses others), so even ids scattered on purpose cannot take more than
  2 GiB; a real dump never comes near that.
* a second ``IdStates`` marking the users whose names the selected posts need (at most ``max user
  id`` bytes: about 25 MB for Stack Overflow, whatever the selection).
* SQLite's page cache (a few MB) and the one thread being assembled.

Nothing in memory grows with the number of selected questions: duplicate comment ids are found by
SQLite's primary key, not by a set.

Everything the selected questions need (their rows, their answers and comments, the users' display
names, and the rejections to report) is written to a SQLite file in a temporary folder
(``TMPDIR``) and read back grouped by question once all three tables have been streamed. SQLite
is in the standard library, keeps sorted indexes on disk and is deterministic with ``ORDER BY``;
a hand-written spill-to-disk merge would be more code for the same result.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

__all__ = ["IdStates", "ThreadStore", "UNSEEN"]

UNSEEN = 0
_CHUNK_BITS = 12
_CHUNK = 1 << _CHUNK_BITS
_MASK = _CHUNK - 1


class IdStates:
    """A small state (0-255) per integer id; ``UNSEEN`` (0) for ids never set. Chunked, sparse."""

    def __init__(self) -> None:
        self._chunks: dict[int, bytearray] = {}

    def get(self, key: int) -> int:
        chunk = self._chunks.get(key >> _CHUNK_BITS)
        return UNSEEN if chunk is None else chunk[key & _MASK]

    def set(self, key: int, state: int) -> None:
        index = key >> _CHUNK_BITS
        chunk = self._chunks.get(index)
        if chunk is None:
            chunk = self._chunks[index] = bytearray(_CHUNK)
        chunk[key & _MASK] = state

    @property
    def nbytes(self) -> int:
        return len(self._chunks) * _CHUNK


_SCHEMA = """
CREATE TABLE posts(id INTEGER PRIMARY KEY, question_id INTEGER NOT NULL, is_question INTEGER NOT NULL,
                   data BLOB NOT NULL);
CREATE TABLE deferred(id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, location TEXT, data BLOB NOT NULL);
CREATE TABLE comments(id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE rejections(seq INTEGER PRIMARY KEY AUTOINCREMENT, rid TEXT, reason TEXT, raw TEXT, location TEXT,
                        post_rows INTEGER, comment_rows INTEGER);
"""
_BATCH = 2000


class ThreadStore:
    """The pending rows of the selected questions, on disk; rows go in as dicts and come back so."""

    def __init__(self, folder: Path) -> None:
        self._db = sqlite3.connect(folder / "join.sqlite3")
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;")
        self._db.executescript(_SCHEMA)
        self._pending: dict[str, list[tuple[Any, ...]]] = {}

    # -- writing (batched: one executemany per table every _BATCH rows) ---------------------------
    def _add(self, sql: str, row: tuple[Any, ...]) -> None:
        batch = self._pending.setdefault(sql, [])
        batch.append(row)
        if len(batch) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        for sql, rows in self._pending.items():
            if rows:
                self._db.executemany(sql, rows)
                rows.clear()
        self._db.commit()

    def add_post(self, post_id: int, question_id: int, is_question: bool, data: dict[str, str]) -> None:
        self._add(
            "INSERT OR REPLACE INTO posts VALUES (?,?,?,?)",
            (post_id, question_id, int(is_question), orjson.dumps(data)),
        )

    def defer(self, post_id: int, parent_id: int, location: str, data: dict[str, str]) -> None:
        self._add(
            "INSERT OR REPLACE INTO deferred VALUES (?,?,?,?)",
            (post_id, parent_id, location, orjson.dumps(data)),
        )

    def add_comment(self, comment_id: int, post_id: int, data: dict[str, str]) -> bool:
        """Store a comment; False (nothing stored) when its id is already there. Not batched: the
        primary key is the duplicate check, so no set of comment ids is held in memory."""
        sql = "INSERT OR IGNORE INTO comments VALUES (?,?,?)"
        return self._db.execute(sql, (comment_id, post_id, orjson.dumps(data))).rowcount == 1

    def add_user(self, user_id: int, name: str | None) -> None:
        self._add("INSERT OR REPLACE INTO users VALUES (?,?)", (user_id, name))

    def add_rejection(
        self, rid: str, reason: str, raw: str, location: str, post_rows: int, comment_rows: int
    ) -> None:
        sql = (
            "INSERT INTO rejections(rid, reason, raw, location, post_rows, comment_rows) VALUES (?,?,?,?,?,?)"
        )
        self._add(sql, (rid, reason, raw, location, post_rows, comment_rows))

    def index(self) -> None:
        """Build the look-up indexes once the tables are loaded (faster than maintaining them)."""
        self.flush()
        self._db.executescript(
            "CREATE INDEX IF NOT EXISTS posts_by_question ON posts(question_id, is_question);"
            "CREATE INDEX IF NOT EXISTS comments_by_post ON comments(post_id);"
        )

    # -- reading --------------------------------------------------------------------------------
    def deferred(self) -> Iterator[tuple[int, int, str, dict[str, str]]]:
        self.flush()
        rows = self._db.execute("SELECT id, parent_id, location, data FROM deferred ORDER BY id").fetchall()
        for post_id, parent_id, location, data in rows:
            yield post_id, parent_id, location, orjson.loads(data)

    def rejections(self) -> Iterator[tuple[str, str, str, str, int, int]]:
        self.flush()
        yield from self._db.execute(
            "SELECT rid, reason, raw, location, post_rows, comment_rows FROM rejections ORDER BY seq"
        )

    def questions(self) -> Iterator[dict[str, str]]:
        self.flush()
        for (data,) in self._db.execute("SELECT data FROM posts WHERE is_question = 1 ORDER BY id"):
            yield orjson.loads(data)

    def answers(self, question_id: int) -> list[dict[str, str]]:
        sql = "SELECT data FROM posts WHERE question_id = ? AND is_question = 0 ORDER BY id"
        return [orjson.loads(d) for (d,) in self._db.execute(sql, (question_id,))]

    def comments(self, question_id: int) -> list[dict[str, str]]:
        sql = (
            "SELECT c.data FROM comments c JOIN posts p ON c.post_id = p.id "
            "WHERE p.question_id = ? ORDER BY c.id"
        )
        return [orjson.loads(d) for (d,) in self._db.execute(sql, (question_id,))]

    def user_names(self, user_ids: list[int]) -> dict[int, str | None]:
        names: dict[int, str | None] = {}
        for start in range(0, len(user_ids), 500):  # SQLite's host-parameter limit
            chunk = user_ids[start : start + 500]
            sql = f"SELECT id, name FROM users WHERE id IN ({','.join('?' * len(chunk))})"
            names.update(self._db.execute(sql, chunk).fetchall())
        return names

    def close(self) -> None:
        self._db.close()
