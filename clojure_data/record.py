"""The record model: a datatrove ``Document`` plus a documented, explicit schema per record kind.

Every builder yields ``datatrove.data.Document`` objects (``text``, ``id``, ``metadata``) so that
datatrove's own steps and executors work on them unchanged. ``metadata`` holds the structured
fields of the record's kind (see ``SCHEMAS``); keys starting with ``_`` are private hand-overs
between steps (e.g. the participants' e-mail addresses for the anonymizer) and are never written.

Record kinds and their columns (all kinds share ``id``, ``text``, ``source``, ``kind``, ``url``,
``license``, ``extra``):

``thread``
    A conversation: mail thread, Slack thread, forum topic, Q&A question with its answers.
    ``title``, ``created_at`` (ISO 8601, first message), ``tags`` and ``messages``: a list of
    ``{author, author_id, date, text, score, accepted, id, role}`` in conversation order. ``text`` is the
    rendered conversation that text passes work on.
``post``
    A single standalone text: a blog article, a feed entry. ``title``, ``author``, ``created_at``,
    ``tags``.
``code_file``
    One source file: ``repo``, ``path``, ``language``, ``revision``.
``document``
    Anything else (``clojure-data sanitize`` input): the caller's ``metadata`` as JSON in ``extra``.

``extra`` is a JSON object (as a string) for source-specific fields that do not deserve a column.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any

import pyarrow as pa
from datatrove.data import Document

__all__ = [
    "Document",
    "RecordKind",
    "SCHEMAS",
    "make_record",
    "make_rejection",
    "rejection_reason",
    "scrub_surrogates",
    "to_row",
    "message",
]

REJECTED_KEY = "_rejected"  # metadata key a reader sets on an input it could not turn into a record
_DROPPED_BY, _DROP_REASON = "_rejected_by", "_rejected_reason"  # set when a step logs a rejection


class RecordKind(StrEnum):
    THREAD = "thread"
    POST = "post"
    CODE_FILE = "code_file"
    DOCUMENT = "document"


_COMMON = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("license", pa.string()),
]

MESSAGE_TYPE = pa.struct(
    [
        pa.field("author", pa.string()),
        pa.field("author_id", pa.string()),
        pa.field("date", pa.string()),
        pa.field("text", pa.string()),
        pa.field("score", pa.int64()),
        pa.field("accepted", pa.bool_()),
        pa.field("id", pa.string()),
        pa.field("role", pa.string()),
    ]
)

_KIND_FIELDS: dict[RecordKind, list[pa.Field]] = {
    RecordKind.THREAD: [
        pa.field("title", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("messages", pa.list_(MESSAGE_TYPE)),
    ],
    RecordKind.POST: [
        pa.field("title", pa.string()),
        pa.field("author", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
    ],
    RecordKind.CODE_FILE: [
        pa.field("repo", pa.string()),
        pa.field("path", pa.string()),
        pa.field("language", pa.string()),
        pa.field("revision", pa.string()),
    ],
    RecordKind.DOCUMENT: [],
}

SCHEMAS: dict[RecordKind, pa.Schema] = {
    kind: pa.schema([*_COMMON, *fields, pa.field("extra", pa.string())])
    for kind, fields in _KIND_FIELDS.items()
}


def message(
    author: str | None,
    text: str,
    date: str | None = None,
    author_id: str | None = None,
    score: int | None = None,
    accepted: bool | None = None,
    id: str | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """One entry of a thread's ``messages`` list.

    ``id`` is the message's id in the source (post id, Slack ts, hashed Message-ID); ``role`` is
    what the message is in a Q&A thread (``question``, ``answer``, ``comment``). Both travel with
    the message, so passes that drop an emptied message keep them aligned.
    """
    return {
        "author": author,
        "author_id": author_id,
        "date": date,
        "text": text,
        "score": score,
        "accepted": accepted,
        "id": id,
        "role": role,
    }


def make_record(id: str, text: str, *, source: str, kind: RecordKind | str, **fields: Any) -> Document:
    """Build a ``Document`` of ``kind``; ``fields`` are the kind's columns or ``_private`` keys.

    A field that is not a column of the kind goes into ``extra`` (underscore keys stay private).
    """
    kind = RecordKind(kind)
    metadata: dict[str, Any] = {"source": source, "kind": kind.value}
    metadata.update(fields)
    return Document(text=text, id=id, metadata=metadata)


def make_rejection(id: str, reason: str, *, source: str, raw: str = "", location: str = "") -> Document:
    """A placeholder for input that could not become a record; the pipeline logs it to ``rejected/``."""
    return Document(
        text=raw,
        id=id,
        metadata={
            "source": source,
            "kind": RecordKind.DOCUMENT.value,
            REJECTED_KEY: reason,
            "location": location,
        },
    )


def rejection_reason(doc: Document) -> str | None:
    """The reason a reader rejected ``doc``, or ``None`` for a real record."""
    return doc.metadata.get(REJECTED_KEY)


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(doc: Document) -> int:
    """Replace lone UTF-16 surrogates (from JSON escapes or ``surrogateescape`` decoding) with U+FFFD
    in the text and every metadata string, in place; returns how many were replaced.

    Parquet needs valid UTF-8, so without this one bad character would fail a whole output shard.
    """
    count = 0

    def fix(value: Any) -> Any:
        nonlocal count
        if isinstance(value, str):
            if value.isascii():
                return value
            fixed, n = _SURROGATE.subn("\ufffd", value)
            count += n
            return fixed
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    doc.text = fix(doc.text)
    for key, value in list(doc.metadata.items()):
        if isinstance(value, str | list | dict):
            doc.metadata[key] = fix(value)
    return count


def mark_dropped(doc: Document, step: str, reason: str) -> Document:
    """Tag ``doc`` with the step that dropped it and why, for the ``rejected/`` log."""
    doc.metadata[_DROPPED_BY] = step
    doc.metadata[_DROP_REASON] = reason
    return doc


def dropped_by(doc: Document) -> tuple[str | None, str | None]:
    """The ``(step, reason)`` that ``mark_dropped`` recorded."""
    return doc.metadata.get(_DROPPED_BY), doc.metadata.get(_DROP_REASON)


def to_row(doc: Document, schema: pa.Schema) -> dict[str, Any]:
    """Flatten a ``Document`` into a row of ``schema``: columns from metadata, the rest in ``extra``."""
    meta = doc.metadata
    names = set(schema.names)
    row: dict[str, Any] = {name: meta.get(name) for name in schema.names}
    row["id"] = doc.id
    row["text"] = doc.text
    given = meta.get("extra")
    extra = dict(given) if isinstance(given, dict) else ({} if given is None else {"extra": given})
    for key, value in meta.items():
        if key not in names and not key.startswith("_") and key != "extra":
            extra[key] = value
    row["extra"] = json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str) if extra else None
    return row
