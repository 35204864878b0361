"""Find the tables of a Stack Exchange data dump and stream their ``<row>`` elements safely.

A dump (archive.org's ``stackexchange`` collection) comes in three shapes, all accepted:

* a folder of extracted XML files: ``Posts.xml``, ``Comments.xml``, ``Users.xml``;
* a folder of per-table archives, as Stack Overflow is published: ``stackoverflow.com-Posts.7z``,
  ``stackoverflow.com-Comments.7z``, ``stackoverflow.com-Users.7z``, each holding ``Posts.xml``...;
* one archive per site, as every other site is published: ``history.meta.stackexchange.com.7z``
  holding all the tables.

XML is parsed with defusedxml's ``iterparse`` (incremental, so memory does not grow with the file):
each ``<row>`` is handed over as its attribute dict and then dropped from the tree
(``root.clear()``; clearing only the row would leave an empty element per row behind in the root).
defusedxml refuses entity declarations (``billion laughs``) and external entities or DTDs
(XXE); a real dump has neither, so a refusal, like XML that is not well-formed (a truncated
download), makes the whole dump unusable: ``InputError`` with what to do about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ..errors import InputError
from .archive import SevenZipMember, list_members

__all__ = ["TABLES", "Dump", "Table", "find_dumps", "open_dump", "iter_rows"]

TABLES = ("Posts", "Comments", "Users")
_TABLE_ARCHIVE = re.compile(
    r"^(?:(?P<site>.+)-)?(?P<table>posts|comments|users|badges|votes|tags|posthistory|postlinks)\.7z$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Table:
    """Where one table is: a plain XML file, or ``member`` inside the ``.7z`` at ``path``."""

    name: str
    path: Path
    member: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}" if self.member is None else f"{self.path}:{self.member}"


@dataclass(frozen=True)
class Dump:
    tables: dict[str, Table]
    site: str | None
    """The site's host name when the archive names say it (``stackoverflow.com``), else None."""


def _is_table_archive(path: Path) -> bool:
    return bool(_TABLE_ARCHIVE.match(path.name))


def _has_posts(folder: Path) -> bool:
    return any(
        p.is_file()
        and (p.name.lower() == "posts.xml" or p.name.lower().endswith("posts.7z") and _is_table_archive(p))
        for p in folder.iterdir()
    )


def find_dumps(path: Path) -> list[Path]:
    """The dumps under ``path``: folders holding a Posts table, and site ``.7z`` archives. Sorted."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"input not found: {path}")
    if path.is_file():
        if path.name.lower() == "posts.xml" or _is_table_archive(path):
            return [path.parent]  # one table of a dump: the dump is its folder
        if path.suffix.lower() == ".7z":
            return [path]
        raise InputError(f"{path}: not a Stack Exchange dump (give its folder, its Posts.xml or a site .7z)")
    found = [d for d in [path, *sorted(p for p in path.rglob("*") if p.is_dir())] if _has_posts(d)]
    found += [
        p
        for p in sorted(path.rglob("*.7z"))
        if p.is_file() and not _is_table_archive(p) and not p.name.startswith(".")
    ]
    if not found:
        raise InputError(
            f"no Stack Exchange dump under {path}: expected Posts.xml, Comments.xml and Users.xml, "
            "their .7z archives (site.com-Posts.7z ...) or a site .7z archive"
        )
    return sorted(found)


def open_dump(shard: Path) -> Dump:
    """Locate Posts, Comments and Users in one dump; ``InputError`` naming what is missing."""
    shard = Path(shard)
    tables: dict[str, Table] = {}
    site: str | None = None
    if shard.is_file():
        members = {Path(m).name.lower(): m for m in list_members(shard)}
        for name in TABLES:
            member = members.get(f"{name.lower()}.xml")
            if member is not None:
                tables[name] = Table(name, shard, member)
        site = shard.name[: -len(".7z")]
    else:
        children = {p.name.lower(): p for p in shard.iterdir() if p.is_file()}
        archives = {
            m["table"].lower(): (p, m["site"])
            for p in children.values()
            if (m := _TABLE_ARCHIVE.match(p.name))
        }
        for name in TABLES:
            plain = children.get(f"{name.lower()}.xml")
            if plain is not None:
                tables[name] = Table(name, plain)
            elif name.lower() in archives:
                archive, site_name = archives[name.lower()]
                site = site or site_name
                tables[name] = _table_in_archive(name, archive)
    missing = [name for name in TABLES if name not in tables]
    if missing:
        raise InputError(
            f"{shard}: incomplete Stack Exchange dump, missing {', '.join(missing)} "
            "(all of Posts, Comments and Users are needed: Users gives the names to pseudonymize)"
        )
    return Dump(tables, site)


def _table_in_archive(name: str, archive: Path) -> Table:
    members = {Path(m).name.lower(): m for m in list_members(archive)}
    member = members.get(f"{name.lower()}.xml")
    if member is None:
        raise InputError(f"{archive}: holds no {name}.xml (members: {', '.join(sorted(members)) or 'none'})")
    return Table(name, archive, member)


def iter_rows(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    """``(row number, attributes)`` for each ``<row>`` of ``table``, in file order (numbers from 1)."""
    if table.member is None and table.path.stat().st_size == 0:
        raise InputError(f"{table.where}: the file is empty")
    with ExitStack() as stack:
        if table.member is None:
            source: IO[bytes] = stack.enter_context(table.path.open("rb"))
        else:
            source = cast(IO[bytes], stack.enter_context(SevenZipMember(table.path, table.member)))
        yield from _rows(source, table)


def _rows(source: IO[bytes], table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    number = 0
    try:
        events = iterparse(
            source, events=("start", "end"), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        _, root = next(events)
        if root.tag != table.name.lower():
            raise InputError(f"{table.where}: root element is <{root.tag}>, expected <{table.name.lower()}>")
        for event, element in events:
            if event == "end" and element.tag == "row":
                number += 1
                yield number, element.attrib
                root.clear()
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        if number == 0 and (line, column) == (1, 0):
            raise InputError(f"{table.where}: no XML in the file (empty)") from exc
        raise InputError(
            f"{table.where}: not well-formed XML at line {line}, column {column} after {number} rows "
            f"({exc}); the file is truncated or corrupt, download the dump again"
        ) from exc
    except DefusedXmlException as exc:
        raise InputError(
            f"{table.where}: refused, the XML declares entities or external references ({exc!r}); "
            "a Stack Exchange dump has none, so this file is not one "
            "(possible entity-expansion or XXE attack)"
        ) from exc
