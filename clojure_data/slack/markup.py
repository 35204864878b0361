"""Slack message markup to plain text (Slack's "mrkdwn" escaping and its angle-bracket entities).

Slack stores what the user typed with three escapes (``&amp; &lt; &gt;``) and wraps everything it
recognised in angle brackets: ``<@U123>`` mentions, ``<#C123|name>`` channels, ``<!here>``
broadcasts, ``<url>`` and ``<url|label>`` links. We undo exactly that, in one left-to-right pass
so nothing is decoded twice (``&amp;lt;`` stays ``&lt;``). No PyPI package does this: the Slack
SDKs *build* mrkdwn, and markdown libraries re-render rather than restore typed text.

Code is left as code: the backticks and fences stay, and decoding the escapes inside code is what
restores it (``(&lt; a b)`` was typed ``(< a b)``). Slack also turns words that look like domains
into links, in code too: ``clojure.java.io/file`` is stored as
``<http://clojure.java.io|clojure.java.io>/file``. When a label is just its URL without the
scheme, the label alone is what the user typed, so that is what we restore; other labelled links
become ``label (url)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .directory import UNKNOWN_AUTHOR, Directory

_TOKEN = re.compile(r"<([^<>]+)>|&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_SCRUBBED = re.compile(r"^\s*\[message text edit(?:ed|or) or deleted\]\s*$")


@dataclass
class Decoded:
    """Plain text plus who it mentions (user ids) and how many mentions nobody could resolve."""

    text: str
    mentions: list[str] = field(default_factory=list)
    unknown_mentions: int = 0


def unescape(text: str) -> str:
    """Only Slack's three escapes (``html.unescape`` would also turn ``&copy`` in code into ©)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_scrubbed(text: str) -> bool:
    """The placeholder clojurians-log-demo-data leaves where edited/deleted text was removed."""
    return bool(_SCRUBBED.match(text))


def decode(text: str, directory: Directory) -> Decoded:
    """Slack markup -> the text as a reader sees it (see the module docstring)."""
    out = Decoded("")

    def replace(m: re.Match[str]) -> str:
        if m.group(2):
            return _ENTITIES[m.group(2)]
        return _entity(m.group(1), directory, out)

    out.text = _TOKEN.sub(replace, text)
    return out


def _entity(body: str, directory: Directory, out: Decoded) -> str:
    target, _, label = body.partition("|")
    label = unescape(label)
    if target.startswith("@"):
        return _mention(target[1:], label, directory, out)
    if target.startswith("#"):
        return "#" + (label or directory.channels.get(target[1:], target[1:]))
    if target.startswith("!"):
        return _special(target[1:], label)
    return _link(unescape(target), label)


def _mention(user_id: str, label: str, directory: Directory, out: Decoded) -> str:
    person = directory.users.get(user_id)
    if person is not None:
        out.mentions.append(user_id)
        return "@" + person.label
    out.unknown_mentions += 1
    return "@" + (label.lstrip("@") or UNKNOWN_AUTHOR)


def _special(command: str, label: str) -> str:
    if label:  # <!subteam^S1|@team>, <!date^1392734382^{date}|Feb 18, 2014>
        return label if label.startswith("@") or command.startswith("date") else "@" + label
    return "@" + command.split("^", 1)[0]  # <!here>, <!channel>, <!everyone>


def _link(url: str, label: str) -> str:
    if not label or label == url:
        return url
    bare = _SCHEME.sub("", url)
    if label == bare or label.rstrip("/") == bare.rstrip("/"):
        return label  # auto-linked text: restore what was typed
    return f"{label} ({url})"
