"""Saved mail-archive.com pages: message pages to ``MailMessage``s, index pages to links.

mail-archive.com renders each list as MHonArc-style static pages under the list URL, e.g.
``https://www.mail-archive.com/clojure@googlegroups.com/``:

* date index pages ``maillist.html`` (newest first), ``mail2.html``, ``mail3.html`` ...; thread
  index pages ``threads.html``, ``thrd2.html`` ...; all link to message pages ``msgNNNNN.html``;
* a message page has ``<div class="msgHead">`` with ``span.subject``, ``span.sender`` and
  ``span.date``, the body in ``<div class="msgBody">`` (plain-text mail as ``<pre>``, quoted text
  as ``<blockquote>``), and a thread slice ``<div class="tSliceList">`` of nested ``<ul>``/``<li>``
  whose current entry is marked ``tSliceCur`` (or has no link); its parent entry is the message
  this one replies to.

The site hides e-mail addresses, so messages from pages carry an author name only. Message keys
are page names (``msg123.html``), because the thread slice links pages, not Message-IDs. Parsing
is tolerant: a page without ``msgHead`` is not a message page (``None``); missing parts become
empty values, never exceptions.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag

from .html_text import html_to_text
from .model import MailMessage

__all__ = ["MESSAGE_PAGE", "INDEX_PAGE", "index_links", "is_message_url", "parse_message_page"]

MESSAGE_PAGE = re.compile(r"(?:^|/)(msg\d+\.html?)$")
INDEX_PAGE = re.compile(r"(?:^|/)(maillist\.html|mail\d+\.html)$")


def is_message_url(url: str) -> bool:
    return bool(MESSAGE_PAGE.search(urldefrag(url).url))


def index_links(html: str | bytes, page_url: str, base_url: str) -> tuple[list[str], list[str]]:
    """(date index pages, message pages) linked from ``html``, absolute, under ``base_url`` only."""
    soup = BeautifulSoup(html, "html.parser")
    indexes: dict[str, None] = {}
    messages: dict[str, None] = {}
    for a in soup.find_all("a", href=True):
        url = urldefrag(urljoin(page_url, str(a["href"]))).url
        if not url.startswith(base_url):
            continue
        rest = url[len(base_url) :]
        if MESSAGE_PAGE.fullmatch(rest):
            messages[url] = None
        elif INDEX_PAGE.fullmatch(rest):
            indexes[url] = None
    return list(indexes), list(messages)


def _text(root: Tag, selector: str) -> str:
    node = root.select_one(selector)
    return " ".join(node.get_text(" ").split()) if node else ""


def _date(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _page_name(href: str) -> str | None:
    match = MESSAGE_PAGE.search(urldefrag(href).url)
    return match.group(1) if match else None


def _own_link(li: Tag) -> str | None:
    """The message page an ``<li>`` of the thread slice links to itself (nested lists excluded)."""
    for child in li.children:
        if not isinstance(child, Tag) or child.name in ("ul", "ol"):
            continue
        link = child if child.name == "a" and child.get("href") else child.find("a", href=True)
        if isinstance(link, Tag):
            return _page_name(str(link["href"]))
    return None


def _is_current(li: Tag, own: str) -> bool:
    if "tSliceCur" in (li.get("class") or []):
        return True
    link = _own_link(li)
    return link == own or (link is None and li.find("span", class_="subject", recursive=False) is not None)


def _thread_parent(soup: BeautifulSoup, own: str) -> str | None:
    """The page this message replies to, read from the nesting of the thread slice."""
    slice_ = soup.select_one(".tSliceList")
    if slice_ is None:
        return None
    current = next((li for li in slice_.find_all("li") if _is_current(li, own)), None)
    node = current.parent if current is not None else None
    while isinstance(node, Tag) and node is not slice_:
        if node.name == "li":
            parent = _own_link(node)
            if parent is None:  # children listed in a wrapper <li> after their parent's <li>
                sibling = node.find_previous_sibling("li")
                parent = _own_link(sibling) if isinstance(sibling, Tag) else None
            if parent and parent != own:
                return parent
        node = node.parent
    return None


def _plain_pre(tag: Tag) -> bool:
    """Is this ``<pre>`` a rendering of plain-text mail (not code)? Its parent is the body or a quote."""
    parent = tag.parent
    return isinstance(parent, Tag) and (
        parent.name == "blockquote" or "msgBody" in (parent.get("class") or [])
    )


def parse_message_page(html: str | bytes, *, name: str, location: str, index: int) -> MailMessage | None:
    """One message page to a ``MailMessage`` keyed by its page name; ``None`` if it is not one."""
    soup = BeautifulSoup(html, "html.parser")
    head = soup.select_one(".msgHead")
    if head is None:
        return None
    body_div = soup.select_one("div.msgBody")
    body = html_to_text(body_div, code_pre=lambda pre: not _plain_pre(pre)) if body_div else ""
    canonical = soup.find("link", rel="canonical")
    own = _page_name(name) or name
    author = _text(head, ".sender") or None
    return MailMessage(
        key=own,
        subject=_text(head, ".subject") or (soup.title.get_text(strip=True) if soup.title else ""),
        author_name=author,
        author_email=None,
        date=_date(_text(head, ".date")),
        body=body,
        location=location,
        index=index,
        in_reply_to=_thread_parent(soup, own),
        url=str(canonical["href"]) if isinstance(canonical, Tag) and canonical.get("href") else None,
        html_converted=True,
    )
