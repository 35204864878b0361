"""Read mbox files (Google Groups Takeout, pipermail, mailman, Thunderbird) message by message.

``mailbox.mbox`` is not used for splitting, for three reasons that matter on real archives:
it indexes the whole file before yielding anything and then hands out whole messages, so a 50 MB
message cannot be measured and skipped without holding it in memory (its offsets are private);
it starts a new message at *every* line beginning ``From ``, including an unescaped ``From here
on...`` in a body; and it leaves mboxrd ``>From`` escapes in place. ``split_mbox`` streams the
file line by line instead, keeps at most ``max_bytes`` of any message, and starts a message only
at a ``From `` line that follows a blank line (or looks like a real From_ line with a time and a
year). Parsing each message is left to ``email`` (see ``mime.py``).

A file with no From_ line that starts with headers is read as a single message (an ``.eml``).
A file that is empty, binary or neither is unusable as a whole: ``InputError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .mime import parse_message
from .model import MailMessage, MailRejection

__all__ = ["RawMessage", "sniff_mbox", "split_mbox", "read_mbox"]

_STRICT_FROM = re.compile(rb"^From \S.*\d{1,2}:\d{2}.*\d{4}")  # From_ line with a time and a year
_HEADER = re.compile(rb"^[!-9;-~]+:")  # RFC 5322 field name then a colon
_MBOXRD_ESCAPE = re.compile(rb"^>(>*From )")
_SNIFF_BYTES = 64 * 1024


@dataclass
class RawMessage:
    """The bytes of one message (without its From_ line); only a prefix when ``oversize``."""

    data: bytes
    from_line: str
    line: int
    """1-based line number of the From_ line (or of the first line of a single message)."""
    size: int
    oversize: bool


def sniff_mbox(path: Path) -> bool:
    """Check ``path`` can hold mail; returns True for an mbox, False for a single headers-first message.

    Raises ``InputError`` for an empty, binary or non-mail file.
    """
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        raise InputError(f"{path}: empty file, no messages")
    if b"\x00" in head:
        raise InputError(f"{path}: binary data (NUL bytes), not an mbox file")
    first = head.lstrip(b"\r\n\t \xef\xbb\xbf").split(b"\n", 1)[0]
    if first.startswith(b"From "):
        return True
    if _HEADER.match(first):
        return False
    raise InputError(f"{path}: not an mbox (no 'From ' line) and not a mail message (no headers)")


def _finish(msg: RawMessage, chunks: list[bytes]) -> RawMessage:
    data = b"".join(chunks)
    if not msg.oversize and data.endswith(b"\n"):
        data = data[:-1]  # the blank line before the next From_ line is the separator
    msg.data = data
    return msg


def split_mbox(path: Path, max_bytes: int) -> Iterator[RawMessage]:
    """Yield the messages of ``path`` in file order, keeping at most ``max_bytes`` of each."""
    is_mbox = sniff_mbox(path)
    current: RawMessage | None = None if is_mbox else RawMessage(b"", "", 1, 0, False)
    chunks: list[bytes] = []
    previous_blank = True
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            starts = is_mbox and line.startswith(b"From ") and (previous_blank or _STRICT_FROM.match(line))
            previous_blank = not line.strip()
            if starts:
                if current is not None:
                    yield _finish(current, chunks)
                text = line.decode("utf-8", errors="replace").rstrip("\r\n")
                current, chunks = RawMessage(b"", text, number, 0, False), []
                continue
            if current is None:  # stray text before the first From_ line of an mbox
                current = RawMessage(b"", "", number, 0, False)
            current.size += len(line)
            if current.size > max_bytes:
                current.oversize = True  # stop collecting: only a prefix is kept for the rejection log
            else:
                chunks.append(_MBOXRD_ESCAPE.sub(rb"\1", line))
    if current is not None:
        yield _finish(current, chunks)


def read_mbox(path: Path, max_bytes: int, first_index: int = 0) -> Iterator[MailMessage | MailRejection]:
    """Every message of ``path`` parsed, or rejected (``too_large``, ``no_headers``, ...)."""
    for index, raw in enumerate(split_mbox(path, max_bytes), start=first_index):
        location = f"{path}:{raw.line}"
        if raw.oversize:
            excerpt = raw.data[:4000].decode("utf-8", errors="replace")
            yield MailRejection("too_large", location, f"[{raw.size} bytes]\n{excerpt}", index)
            continue
        yield parse_message(raw.data, location=location, index=index, from_line=raw.from_line)
