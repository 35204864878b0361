"""One RFC 822 message (bytes) to a ``MailMessage``: headers, author, date, readable body.

The stdlib ``email`` package (``policy.default``) does the MIME work: structure, transfer
encodings (base64, quoted-printable), RFC 2047 headers, picking the body part (``get_body``).
What is ours is the tolerance real archives need, because ``email`` raises or gives up there:

* charsets: an unknown charset (``x-unknown``, typos) makes ``get_content`` raise, and mislabelled
  parts (``us-ascii`` holding UTF-8, ``iso-8859-1`` holding Windows-1252 quotes) are common. We
  decode the bytes ourselves, fall back sensibly, replace what cannot be decoded, and count it.
* ``From:`` in pipermail form (``joe at example.org (Joe Bloggs)``), which ``policy.default``
  reduces to a bare, wrong address; ``email.utils.parseaddr`` on the decoded raw header copes.
* ``format=flowed`` (RFC 3676) text, which ``email`` does not unwrap; undoing the space-stuffing
  also restores the indentation of code lines.
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser

from .html_text import html_to_text
from .model import MailMessage, MailRejection

__all__ = ["parse_message", "decode_text", "unflow"]

# WHATWG: documents labelled latin-1 are decoded as windows-1252 (its superset with curly quotes)
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252"}
_ID = re.compile(r"<([^<>\s]+)>")
_OBFUSCATED_AT = re.compile(r"^\s*([^\s@()<>\"]+) at ([^\s@()<>\"]+\.[^\s@()<>\"]+)")
_FROM_LINE_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:\S+\s+)?(\d{4})"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}
_IDENTITY_HEADERS = ("from", "subject", "date", "message-id")
_ESCAPED = re.compile("[\udc80-\udcff]")


def decode_text(payload: bytes, charset: str | None) -> tuple[str, int]:
    """Decode a text part; returns the text and 1 if the charset was unknown or wrong, else 0."""
    label = (charset or "utf-8").strip().strip('"').lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        codec: str | None = codecs.lookup(label).name
    except LookupError:
        codec = None
    if codec is not None:
        try:
            return payload.decode(codec), 0
        except UnicodeDecodeError:
            pass
    try:  # the usual mislabel: UTF-8 declared as ascii/latin-1, or no usable label at all
        return payload.decode("utf-8"), 1
    except UnicodeDecodeError:
        pass
    if codec == "cp1252":  # bytes cp1252 leaves undefined (0x81, 0x8d, ...): plain latin-1
        return payload.decode("latin-1"), 1
    return payload.decode(codec or "utf-8", errors="replace"), 1


def unflow(text: str, delsp: bool = False) -> str:
    """Undo RFC 3676 ``format=flowed``: join soft-broken lines, remove space-stuffing."""
    out: list[str] = []
    parts: list[str] = []
    depth = 0

    def flush() -> None:
        line = "".join(parts)
        out.append((">" * depth + (" " + line if line else "")) if depth else line)
        parts.clear()

    for line in text.split("\n"):
        quote = len(line) - len(line.lstrip(">"))
        content = line[quote:]
        content = content[1:] if content.startswith(" ") else content  # space-stuffing
        if parts and quote != depth:  # a soft break never joins lines of different quote depth
            flush()
        depth = quote
        soft = content.endswith(" ") and content != "-- "
        parts.append(content[:-1] if soft and delsp else content)
        if not soft:
            flush()
    if parts:
        flush()
    return "\n".join(out)


def _raw_header(msg: Message, name: str) -> str | None:
    """The decoded value of header ``name`` (first occurrence), never raising on odd encodings."""
    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == name), None)
    if raw is None:
        return None
    if _ESCAPED.search(raw):  # raw 8-bit header bytes, kept by ``email`` as surrogate escapes
        raw = decode_text(raw.encode("utf-8", "surrogateescape"), "utf-8")[0]
    try:
        value = str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError, AssertionError):  # unknown charset in an encoded word
        value = raw
    return " ".join(value.split())


def _author(msg: Message) -> tuple[str | None, str | None]:
    value = _raw_header(msg, "from")
    if not value:
        return None, None
    value = _OBFUSCATED_AT.sub(r"\1@\2", value, count=1)  # pipermail: "joe at example.org"
    name, addr = email.utils.parseaddr(value)
    addr = addr.strip().lower() if "@" in addr else ""
    name = name.strip().strip('"').strip() or (addr.split("@")[0] if addr else value.strip())
    return name or None, addr or None


def _date(msg: Message, from_line: str) -> datetime | None:
    value = _raw_header(msg, "date")
    parsed: datetime | None = None
    if value:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    if parsed is None:  # the mbox From_ line carries the delivery time (asctime, no zone)
        match = _FROM_LINE_DATE.search(from_line)
        if match and match.group(1) in _MONTHS:
            mon, day, hour, minute, sec, year = match.groups()
            try:
                parsed = datetime(int(year), _MONTHS[mon], int(day), int(hour), int(minute), int(sec or 0))
            except ValueError:
                parsed = None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # "-0000" and asctime dates: UTC is the only sane reading
    return parsed


def _ids(value: str | None) -> list[str]:
    return _ID.findall(value or "")


def _leaf_parts(msg: Message) -> list[Message]:
    return [part for part in msg.walk() if not part.is_multipart()]


def _alternatives_of(msg: Message, body: Message) -> set[int]:
    """Ids of the parts that are alternative renderings of ``body`` (not attachments)."""
    for part in msg.walk():
        if part.get_content_type() == "multipart/alternative":
            leaves = _leaf_parts(part)
            if any(leaf is body for leaf in leaves):
                return {id(leaf) for leaf in leaves}
    return {id(body)}


def _body(msg: EmailMessage) -> tuple[str, int, int, bool]:
    """(text, attachments dropped, decode problems, converted from HTML)."""
    body: Message | None
    try:
        body = msg.get_body(preferencelist=("plain", "html")) if msg.is_multipart() else msg
    except (KeyError, IndexError, ValueError, TypeError):
        body = None
    if body is not None and body.get_content_maintype() != "text":
        body = None
    keep = _alternatives_of(msg, body) if body is not None else set()
    attachments = sum(1 for leaf in _leaf_parts(msg) if id(leaf) not in keep)
    if body is None:
        return "", attachments, 0, False
    payload = body.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else str(body.get_payload()).encode("utf-8", "replace")
    text, problems = decode_text(raw, body.get_content_charset())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if body.get_content_subtype() == "html":
        return html_to_text(text), attachments, problems, True
    if str(body.get_param("format", "")).lower() == "flowed":
        text = unflow(text, delsp=str(body.get_param("delsp", "")).lower() == "yes")
    return text.strip("\n"), attachments, problems, False


def _excerpt(data: bytes, limit: int = 4000) -> str:
    return data[:limit].decode("utf-8", errors="replace")


def parse_message(
    data: bytes, *, location: str, index: int, from_line: str = ""
) -> MailMessage | MailRejection:
    """Parse one message; bad data becomes a ``MailRejection`` with a reason, never an exception."""
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
        present = {key.lower() for key, _ in msg.raw_items()}
        if not present.intersection(_IDENTITY_HEADERS):
            return MailRejection("no_headers", location, _excerpt(data), index)
        assert isinstance(msg, EmailMessage)
        text, attachments, problems, converted = _body(msg)
        ids = _ids(_raw_header(msg, "message-id"))
        name, addr = _author(msg)
        message = MailMessage(
            key=ids[0] if ids else hashlib.sha256(data).hexdigest()[:24] + "@synthetic.invalid",
            synthetic_id=not ids,
            subject=_raw_header(msg, "subject") or "",
            author_name=name,
            author_email=addr,
            date=_date(msg, from_line),
            body=text,
            location=location,
            index=index,
            in_reply_to=next(iter(_ids(_raw_header(msg, "in-reply-to"))), None),
            references=tuple(_ids(_raw_header(msg, "references"))),
            attachments_dropped=attachments,
            decode_problems=problems,
            html_converted=converted,
        )
    except Exception as exc:  # noqa: BLE001 - the email package has many failure modes on junk; the shard goes on
        return MailRejection("unparsable", location, f"{type(exc).__name__}: {exc}\n{_excerpt(data)}", index)
    if not message.body.strip():
        return MailRejection("empty_body", location, _excerpt(data), index)
    return message
