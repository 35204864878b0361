"""The parsed form of one mail message, whatever it was read from (mbox or archive page).

Readers turn every input message into either a ``MailMessage`` or a ``MailRejection``; the source
builders thread the former and pass the latter on as rejections, so the message count always adds
up (``messages kept + messages rejected == messages read``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class MailMessage:
    """One message: identity, threading headers, author and its body as readable text."""

    key: str
    """Message-ID without angle brackets (or a stable synthetic id, see ``synthetic_id``)."""
    subject: str
    author_name: str | None
    author_email: str | None
    date: datetime | None
    body: str
    location: str
    """Where it came from, ``<file>:<line>`` (for rejections and debugging)."""
    index: int = 0
    """Position in its shard: the tie-breaker that keeps ordering deterministic."""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    synthetic_id: bool = False
    url: str | None = None
    attachments_dropped: int = 0
    decode_problems: int = 0
    """Parts whose charset was unknown or wrong and were decoded with a fallback or replacement."""
    html_converted: bool = False

    @property
    def sort_key(self) -> tuple[float, int]:
        """Chronological order; messages without a usable date keep their position at the end."""
        return (self.date.timestamp() if self.date else float("inf"), self.index)


@dataclass
class MailRejection:
    """An input message that cannot become part of a thread, and why."""

    reason: str
    location: str
    raw: str = ""
    index: int = 0
