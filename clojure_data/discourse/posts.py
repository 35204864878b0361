"""One Discourse post object -> a thread message, or the reason it cannot be one.

Why a post is not a message (each a rejection reason the builder logs):

``malformed_post``          not a JSON object
``deleted_post``            ``deleted_at`` is set (removed by staff or author)
``user_deleted_post``       ``user_deleted`` is true ("post withdrawn by author")
``hidden_post``             ``hidden`` is true (hidden by flags)
``small_action_post``       ``post_type`` 3: "closed this topic", "split this topic"... (system notes)
``moderator_action_post``   ``post_type`` 2: moderator notices, not conversation
``whisper_post``            ``post_type`` 4: staff-only whispers (should never be public)
``post_without_content``    neither ``cooked`` HTML nor ``raw`` markdown
``empty_after_cleaning``    nothing left once quotes, previews and images are removed
``html_too_deeply_nested``  HTML nested deeper than the renderer's recursion allows
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from ..record import message
from .html import HtmlText, html_to_text, markdown_to_text

__all__ = ["Accepted", "Identity", "PostResult", "accepted_answer", "convert_post"]

_POST_TYPE_REASONS = {2: "moderator_action_post", 3: "small_action_post", 4: "whisper_post"}
_LIKE_ACTION = 2  # post_action_types: id 2 is "like"


@dataclass(frozen=True)
class Identity:
    """A person named by the data: their user id, handle (username) and display name."""

    user_id: str | None
    username: str | None
    name: str | None = None


@dataclass(frozen=True)
class Accepted:
    """The topic's accepted answer (Discourse "solved" plugin), if the data says anything about it."""

    known: bool
    post_id: str | None = None
    post_number: int | None = None


@dataclass
class PostResult:
    """What became of one post: ``message`` or ``reason`` (exactly one is set)."""

    key: str
    number: int
    raw: str
    message: dict[str, Any] | None = None
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    identities: list[Identity] = field(default_factory=list)


def _opt_str(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip() if isinstance(value, int | str) else ""
    return text or None


_INT64 = 2**63  # counts land in int64 columns: a bigger number is junk, not a count


def _int(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value < _INT64
    return value if ok else None


def accepted_answer(topic: dict[str, Any], posts: list[Any]) -> Accepted:
    """Which post is accepted, from the topic (``accepted_answer``, ``accepted_answer_post_id``)
    or the posts' own ``accepted_answer`` flags; ``known`` is False when the site has no such data."""
    info = topic.get("accepted_answer")
    post_id = _opt_str(topic.get("accepted_answer_post_id"))
    number = _int(info.get("post_number")) if isinstance(info, dict) else None
    flagged = any(isinstance(p, dict) and "accepted_answer" in p for p in posts)
    known = flagged or post_id is not None or isinstance(info, dict) or "has_accepted_answer" in topic
    return Accepted(known, post_id, number)


def _likes(post: dict[str, Any]) -> int | None:
    if _int(post.get("like_count")) is not None:
        return _int(post.get("like_count"))
    actions = post.get("actions_summary")
    if not isinstance(actions, list):
        return None
    return sum(
        _int(a.get("count")) or 0 for a in actions if isinstance(a, dict) and a.get("id") == _LIKE_ACTION
    )


def _rejection_reason(post: dict[str, Any]) -> str | None:
    if post.get("deleted_at"):
        return "deleted_post"
    if post.get("user_deleted") is True:
        return "user_deleted_post"
    if post.get("hidden") is True:
        return "hidden_post"
    reason = _POST_TYPE_REASONS.get(_int(post.get("post_type")) or 1)
    if reason:
        return reason
    if not isinstance(post.get("cooked"), str) and not isinstance(post.get("raw"), str):
        return "post_without_content"
    return None


def _identities(post: dict[str, Any], mentions: list[str]) -> list[Identity]:
    name = _opt_str(post.get("name")) or _opt_str(post.get("display_username"))
    people = [Identity(_opt_str(post.get("user_id")), _opt_str(post.get("username")), name)]
    reply_to = post.get("reply_to_user")
    if isinstance(reply_to, dict) and _opt_str(reply_to.get("username")):
        people.append(Identity(None, _opt_str(reply_to.get("username")), _opt_str(reply_to.get("name"))))
    people.extend(Identity(None, handle) for handle in mentions)
    return people


def _body(post: dict[str, Any]) -> HtmlText:
    cooked = post.get("cooked")
    if isinstance(cooked, str) and cooked.strip():
        return html_to_text(cooked)
    raw = post.get("raw")
    return markdown_to_text(raw if isinstance(raw, str) else "")


def convert_post(post: Any, index: int, accepted: Accepted) -> PostResult:
    """Turn one post object into a message or a rejection reason (see the module docstring)."""
    raw = orjson.dumps(post, option=orjson.OPT_SORT_KEYS).decode()
    if not isinstance(post, dict):
        return PostResult(f"item-{index}", index, raw, reason="malformed_post")
    number = _int(post.get("post_number"))
    key = _opt_str(post.get("id")) or (f"n{number}" if number is not None else f"item-{index}")
    result = PostResult(key, number if number is not None else index, raw)
    result.reason = _rejection_reason(post)
    if result.reason:
        return result
    try:
        body = _body(post)
    except RecursionError:  # pathological nesting (thousands of levels): no author writes that
        result.reason = "html_too_deeply_nested"
        return result
    result.counts = body.counts
    if not body.text.strip():
        result.reason = "empty_after_cleaning"
        return result
    result.identities = _identities(post, body.mentions)
    author = result.identities[0]
    is_accepted = None
    if accepted.known:
        is_accepted = (
            post.get("accepted_answer") is True
            or (key == accepted.post_id)
            or (number is not None and number == accepted.post_number)
        )
    result.message = message(
        author.username or author.name,
        body.text,
        date=_opt_str(post.get("created_at")),
        author_id=author.user_id or author.username,
        score=_likes(post),
        accepted=is_accepted,
    )
    return result
