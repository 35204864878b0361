"""Rebuild conversations from a pile of messages (a simplified JWZ threading algorithm).

1. A message's parent is the message named by ``In-Reply-To``, else the nearest ancestor in
   ``References`` that is present (archives are incomplete: a month file lacks older messages).
2. A message whose parent is missing but that is a reply (``Re:`` subject or reply headers) joins
   the earliest thread with the same normalised subject: ``Re:``/``Fwd:``/``AW:`` and ``[list]``
   prefixes removed, case and spacing ignored. Non-replies with a reused subject stay separate.
3. Messages are ordered depth-first, siblings by date, so each reply follows what it answers.

Python has no maintained threading library (``jwzthreading`` is unmaintained and Python 2 era),
and the rules above are the part we need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import MailMessage

__all__ = ["Thread", "build_threads", "normalize_subject", "strip_reply_prefixes", "subject_tags"]

_REPLY_PREFIX = re.compile(r"^\s*(?:re|fwd?|aw|sv|antw|vs|tr|rif|r)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*", re.I)
_BRACKET = re.compile(r"^\s*\[([^\]]*)\]\s*")


@dataclass
class Thread:
    """A root message and the whole conversation under it, in reading order."""

    root: MailMessage
    messages: list[MailMessage]


def strip_reply_prefixes(subject: str, drop_tags: Iterable[str] = ()) -> str:
    """Remove leading ``Re:``/``Fwd:`` markers and the bracketed tags named in ``drop_tags``."""
    drop = {tag.casefold() for tag in drop_tags}
    text = subject
    while True:
        match = _REPLY_PREFIX.match(text) or _BRACKET.match(text)
        if match is None or (match.re is _BRACKET and match.group(1).strip().casefold() not in drop):
            return " ".join(text.split())
        text = text[match.end() :]


def subject_tags(subject: str) -> list[str]:
    """Bracketed tags anywhere in the leading prefixes, e.g. ``Re: [ANN] x`` -> ``['ANN']``."""
    tags: list[str] = []
    text = subject
    while match := _REPLY_PREFIX.match(text) or _BRACKET.match(text):
        if match.re is _BRACKET and match.group(1).strip():
            tags.append(match.group(1).strip())
        text = text[match.end() :]
    return tags


def normalize_subject(subject: str) -> str:
    """The key that replies share with their thread: no prefixes or tags, casefolded, spaces squeezed."""
    text = subject
    while match := _REPLY_PREFIX.match(text) or _BRACKET.match(text):
        text = text[match.end() :]
    return " ".join(text.casefold().split())


def _is_reply(msg: MailMessage) -> bool:
    return bool(msg.in_reply_to or msg.references or _REPLY_PREFIX.match(_BRACKET.sub("", msg.subject, 1)))


def _direct_parent(msg: MailMessage, by_key: dict[str, MailMessage]) -> MailMessage | None:
    candidates = [msg.in_reply_to] if msg.in_reply_to else []
    candidates += reversed(msg.references)
    for key in candidates:
        if key and key != msg.key and key in by_key:
            return by_key[key]
    return None


def _find(tree: dict[str, str], key: str) -> str:
    """The representative of ``key``'s tree (union-find with path halving)."""
    while tree[key] != key:
        tree[key] = tree[tree[key]]
        key = tree[key]
    return key


def _link_by_headers(
    messages: Sequence[MailMessage], by_key: dict[str, MailMessage]
) -> dict[str, MailMessage]:
    """Parent links from the headers, in input order; a link that would close a cycle is dropped.

    ``msg`` has no parent yet, so it is the root of its tree: linking it under ``parent`` closes
    a cycle exactly when ``parent`` is already in that tree. Tracking tree membership with
    union-find keeps this linear; walking up the ancestors was quadratic on long reply chains.
    """
    parents: dict[str, MailMessage] = {}
    tree = {key: key for key in by_key}
    for msg in messages:
        parent = _direct_parent(msg, by_key)
        if parent is None:
            continue
        root, parent_root = _find(tree, msg.key), _find(tree, parent.key)
        if root != parent_root:
            parents[msg.key] = parent
            tree[root] = parent_root
    return parents


def _link_by_subject(messages: Sequence[MailMessage], parents: dict[str, MailMessage]) -> None:
    orphans = sorted((m for m in messages if m.key not in parents), key=lambda m: m.sort_key)
    first_by_subject: dict[str, MailMessage] = {}
    for msg in orphans:  # non-replies first claim a subject, so a thread starts at its question
        subject = normalize_subject(msg.subject)
        if subject and not _is_reply(msg):
            first_by_subject.setdefault(subject, msg)
    for msg in orphans:
        subject = normalize_subject(msg.subject)
        if not subject or not _is_reply(msg):
            continue
        root = first_by_subject.setdefault(subject, msg)
        if root is not msg:
            parents[msg.key] = root


def build_threads(messages: Sequence[MailMessage]) -> list[Thread]:
    """Group ``messages`` (unique ``key``s) into threads, ordered by their roots' input position."""
    by_key = {m.key: m for m in messages}
    if len(by_key) != len(messages):
        raise ValueError("message keys must be unique; resolve duplicates before threading")
    parents = _link_by_headers(messages, by_key)
    _link_by_subject(messages, parents)
    children: dict[str, list[MailMessage]] = {}
    for key, parent in parents.items():
        children.setdefault(parent.key, []).append(by_key[key])
    threads = []
    for root in sorted((m for m in messages if m.key not in parents), key=lambda m: m.index):
        ordered: list[MailMessage] = []
        stack = [root]
        while stack:
            node = stack.pop()
            ordered.append(node)
            stack.extend(sorted(children.get(node.key, []), key=lambda m: m.sort_key, reverse=True))
        threads.append(Thread(root, ordered))
    return threads
