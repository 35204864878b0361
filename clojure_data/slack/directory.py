"""Who is who and which channel is which: the user and channel tables of a Slack archive.

Two on-disk shapes are read:

* clojurians-log: ``users.edn`` and ``channels.edn`` at the archive root, EDN (parsed with the
  ``edn_format`` library, not by hand) holding namespaced maps such as
  ``#:channel{:slack-id "C03S1KBA2", :name "clojure"}`` and
  ``{:user/slack-id "U0..", :user/name "..", :user-profile/display-name "..", ...}``;
* a Slack workspace export: ``users.json`` (``id``, ``name``, ``real_name``, ``profile``) and
  ``channels.json`` (``id``, ``name``).

Either way the result is a ``Directory``. A table that cannot be parsed makes every shard of the
archive unusable (names could not be resolved or anonymized), so it raises ``InputError``.
Tables are cached per process, keyed on path, size and mtime: every shard of a run shares them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

UNKNOWN_AUTHOR = "unknown"


@dataclass(frozen=True)
class Person:
    """One Slack user as the tables know them. ``email`` is private: never in a public column."""

    id: str
    handle: str | None = None  # the account name (``user/name``): @handle
    display_name: str | None = None
    real_name: str | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        """The name Slack shows: display name, else handle, else real name."""
        return self.display_name or self.handle or self.real_name or UNKNOWN_AUTHOR

    def participant(self, role: str) -> dict[str, Any]:
        """The private ``_participants`` entry the anonymizer maps to one pseudonym."""
        names = [n for n in (self.display_name, self.handle, self.real_name) if n]
        return {
            "id": self.id,
            "role": role,
            "name": self.label,
            "names": list(dict.fromkeys(names)),
            "handle": self.handle,
            "display_name": self.display_name,
            "real_name": self.real_name,
            "email": self.email,
        }


@dataclass
class Directory:
    """User id -> ``Person`` and channel id -> name."""

    users: dict[str, Person] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)

    def channel_id(self, name: str) -> str | None:
        for cid, cname in self.channels.items():
            if cname == name:
                return cid
        return None


# -- clojurians-log (EDN) ---------------------------------------------------------------------


def _edn_items(path: Path) -> list[Mapping[str, Any]]:
    """The maps of an EDN file (a list/vector of maps, or maps one after another), keys as strings."""
    import edn_format

    try:
        text = path.read_text(encoding="utf-8")
        forms = edn_format.loads_all(text)
    except (OSError, UnicodeDecodeError, edn_format.EDNDecodeError) as exc:
        raise InputError(f"{path.name} is not readable EDN: {exc}") from exc
    if len(forms) == 1 and isinstance(forms[0], Sequence) and not isinstance(forms[0], str):
        forms = list(forms[0])  # a list (tuple) or a vector (edn_format's ImmutableList)
    items: list[Mapping[str, Any]] = []
    for form in forms:
        if not isinstance(form, Mapping):
            raise InputError(f"{path.name}: expected maps, found {type(form).__name__}")
        items.append({_key(k): v for k, v in form.items()})
    if not items:
        raise InputError(f"{path.name} holds no entries")
    return items


def _key(k: Any) -> str:
    return str(getattr(k, "name", k))


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _edn_user(m: Mapping[str, Any]) -> Person | None:
    uid = _opt(m.get("user/slack-id"))
    if uid is None:
        return None
    return Person(
        id=uid,
        handle=_opt(m.get("user/name")),
        display_name=_opt(m.get("user-profile/display-name")),
        real_name=_opt(m.get("user-profile/real-name")) or _opt(m.get("user/real-name")),
        email=_opt(m.get("user-profile/email")),
    )


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns)


def load_edn_directory(root: Path) -> Directory:
    """``users.edn`` + ``channels.edn`` of a clojurians-log archive root."""
    for name in ("users.edn", "channels.edn"):
        if not (root / name).is_file():
            raise InputError(f"{name} not found in {root} (a clojurians-log archive has it at its root)")
    return _load_edn(_stamp(root / "users.edn"), _stamp(root / "channels.edn"))


@functools.lru_cache(maxsize=4)
def _load_edn(users: tuple[str, int, int], channels: tuple[str, int, int]) -> Directory:
    people = (_edn_user(m) for m in _edn_items(Path(users[0])))
    chans = {}
    for m in _edn_items(Path(channels[0])):
        cid, name = _opt(m.get("channel/slack-id")), _opt(m.get("channel/name"))
        if cid and name:
            chans[cid] = name
    return Directory(users=_index(people), channels=chans)


def _index(people: Iterable[Person | None]) -> dict[str, Person]:
    return {p.id: p for p in people if p is not None}


# -- Slack workspace export (JSON) ------------------------------------------------------------


def _json_list(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path.name} is not readable JSON: {exc}") from exc
    if not isinstance(data, list):
        raise InputError(f"{path.name}: expected a JSON array, found {type(data).__name__}")
    return data


def _json_user(m: Any) -> Person | None:
    if not isinstance(m, dict) or not _opt(m.get("id")):
        return None
    profile: dict[str, Any] = m["profile"] if isinstance(m.get("profile"), dict) else {}
    return Person(
        id=m["id"],
        handle=_opt(m.get("name")),
        display_name=_opt(profile.get("display_name")),
        real_name=_opt(profile.get("real_name")) or _opt(m.get("real_name")),
        email=_opt(profile.get("email")),
    )


def load_export_directory(root: Path) -> Directory:
    """``users.json`` + ``channels.json`` of a Slack workspace export root."""
    for name in ("users.json", "channels.json"):
        if not (root / name).is_file():
            raise InputError(f"{name} not found in {root} (a Slack export has it at its root)")
    return _load_export(_stamp(root / "users.json"), _stamp(root / "channels.json"))


@functools.lru_cache(maxsize=4)
def _load_export(users: tuple[str, int, int], channels: tuple[str, int, int]) -> Directory:
    people = (_json_user(m) for m in _json_list(Path(users[0])))
    chans = {
        m["id"]: m["name"]
        for m in _json_list(Path(channels[0]))
        if isinstance(m, dict) and _opt(m.get("id")) and _opt(m.get("name"))
    }
    return Directory(users=_index(people), channels=chans)
