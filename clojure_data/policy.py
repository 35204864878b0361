"""Policies: an ordered list of passes with their settings, read from TOML and validated.

A policy file (``policies/default.toml`` is the data management policy as configuration)::

    name = "default"
    description = "..."

    [[passes]]
    pass = "garbage"          # a registered pass name
    strip_signatures = true   # any field of that pass's Config dataclass

Loading checks every key against the pass's ``Config`` dataclass (unknown pass or key: an error
listing what exists; wrong type: an error naming the expected one), so a typo never silently
turns a safeguard off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PolicyError, RegistryError
from .passes.base import Pass, PassConfig
from .registry import passes
from .resources import resource_dir


@dataclass
class PassSpec:
    """One entry of a policy: which pass, with which validated settings."""

    name: str
    config: PassConfig

    def build(self) -> Pass:
        cls = passes.get(self.name)
        return cls(self.config)

    def to_dict(self) -> dict[str, Any]:
        return {"pass": self.name, "config": dataclasses.asdict(self.config)}


@dataclass
class Policy:
    name: str
    description: str = ""
    passes: list[PassSpec] = field(default_factory=list)
    path: str | None = None

    def build_passes(self) -> list[Pass]:
        """Fresh pass instances (each run and each worker gets its own counters)."""
        return [spec.build() for spec in self.passes if spec.config.enabled]

    def with_overrides(self, overrides: dict[str, dict[str, Any]], where: str) -> Policy:
        """A copy where each named pass gets ``overrides[name]`` on top of its settings (validated)."""
        if not overrides:
            return self
        specs = []
        for spec in self.passes:
            extra = overrides.get(spec.name)
            if extra:
                merged = {**dataclasses.asdict(spec.config), **extra}
                spec = PassSpec(
                    spec.name, build_config(type(spec.config), merged, f"{where}: pass '{spec.name}'")
                )
            specs.append(spec)
        return dataclasses.replace(self, passes=specs)

    def to_dict(self) -> dict[str, Any]:
        body = {"name": self.name, "passes": [spec.to_dict() for spec in self.passes]}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        return {**body, "sha256": digest}


def available_policies() -> list[str]:
    return sorted(p.stem for p in resource_dir("policies").glob("*.toml"))


def load_policy(name_or_path: str | Path = "default") -> Policy:
    """Load a shipped policy by name (``default``) or a TOML file by path."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = resource_dir("policies") / f"{name_or_path}.toml"
        if not path.is_file():
            raise PolicyError(
                f"unknown policy '{name_or_path}'; shipped: {', '.join(available_policies())}"
                " (or give a .toml path)"
            )
    if not path.is_file():
        raise PolicyError(f"policy file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from exc
    return parse_policy(data, default_name=path.stem, path=str(path))


def parse_policy(data: dict[str, Any], default_name: str = "policy", path: str | None = None) -> Policy:
    where = path or default_name
    unknown = set(data) - {"name", "description", "passes"}
    if unknown:
        raise PolicyError(
            f"{where}: unknown top-level key(s) {sorted(unknown)}; allowed: name, description, passes"
        )
    entries = data.get("passes", [])
    if not isinstance(entries, list):
        raise PolicyError(f"{where}: 'passes' must be an array of tables ([[passes]])")
    specs = [_parse_entry(entry, i, where) for i, entry in enumerate(entries, start=1)]
    return Policy(
        name=str(data.get("name", default_name)),
        description=str(data.get("description", "")),
        passes=specs,
        path=path,
    )


def _parse_entry(entry: Any, index: int, where: str) -> PassSpec:
    if not isinstance(entry, dict) or "pass" not in entry:
        raise PolicyError(f"{where}: passes entry #{index} needs a 'pass = \"name\"' key")
    name = entry["pass"]
    try:
        cls = passes.get(str(name))
    except RegistryError as exc:
        raise PolicyError(f"{where}: passes entry #{index}: {exc}") from exc
    settings = {k: v for k, v in entry.items() if k != "pass"}
    return PassSpec(str(name), build_config(cls.Config, settings, f"{where}: pass '{name}'"))


def build_config(config_cls: type[Any], settings: dict[str, Any], where: str) -> Any:
    """Instantiate a config dataclass from plain settings, checking names and types."""
    fields = {f.name: f for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(settings) - set(fields))
    if unknown:
        raise PolicyError(f"{where}: unknown setting(s) {unknown}; known: {', '.join(sorted(fields))}")
    hints = typing.get_type_hints(config_cls)
    for key, value in settings.items():
        if not _matches(value, hints[key]):
            raise PolicyError(f"{where}: '{key}' should be {_type_name(hints[key])}, got {value!r}")
    try:
        return config_cls(**settings)
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"{where}: {exc}") from exc


def _matches(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if origin in (list, tuple, set, frozenset):
        return isinstance(value, list) and (not args or all(_matches(v, args[0]) for v in value))
    if origin is dict:
        return isinstance(value, dict) and (
            not args or all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items())
        )
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # Literal and other exotic hints: left to the dataclass's __post_init__


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
