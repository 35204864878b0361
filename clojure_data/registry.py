"""Name -> class registries for sources (dataset builders) and passes.

Three ways in, one place each:

* our own modules: every module under ``clojure_data.sources`` / ``clojure_data.passes`` is
  imported the first time a registry is read, and its ``@register_source`` / ``@register_pass``
  decorators fill the registry. Adding a module is all a contributor does; there is no list to edit.
* other packages: the entry-point groups ``clojure_data.sources`` and ``clojure_data.passes``
  (``name = "package.module:Class"``), loaded lazily on first use.
* code at run time: the decorators themselves.

Nothing is imported at ``import clojure_data`` time, so start-up stays cheap and a broken plugin
only matters when it is used. (catalogue does much the same; its own API is a few lines away from
ours and would add a dependency for no gain.)
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .errors import RegistryError

if TYPE_CHECKING:
    from .builder import DatasetBuilder
    from .passes.base import Pass

T = TypeVar("T", bound=type)


class Registry(Generic[T]):
    """A lazily populated mapping of names to classes."""

    def __init__(self, what: str, package: str, group: str) -> None:
        self.what = what
        self._package = package
        self._group = group
        self._items: dict[str, T] = {}
        self._entry_points: dict[str, object] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator: ``@registry.register("name")``. Re-registering a name is an error."""

        def decorator(cls: T) -> T:
            existing = self._items.get(name)
            if existing is not None and existing is not cls and existing.__qualname__ != cls.__qualname__:
                raise RegistryError(f"{self.what} '{name}' is already registered by {existing.__module__}")
            self._items[name] = cls
            cls.name = name  # type: ignore[attr-defined]
            return cls

        return decorator

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        package = importlib.import_module(self._package)
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{self._package}.{info.name}")
        for ep in entry_points(group=self._group):
            if ep.name not in self._items:
                self._entry_points[ep.name] = ep

    def get(self, name: str) -> T:
        """The class registered as ``name``; the error lists every name that exists."""
        self._load()
        if name in self._items:
            return self._items[name]
        ep = self._entry_points.get(name)
        if ep is not None:
            cls: Any = ep.load()  # type: ignore[attr-defined]
            self._items[name] = cls
            cls.name = name
            return cls
        raise RegistryError(f"unknown {self.what} '{name}'; known: {', '.join(self.names()) or '(none)'}")

    def names(self) -> list[str]:
        self._load()
        return sorted({*self._items, *self._entry_points})

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.names()


sources: Registry[type[DatasetBuilder]] = Registry("source", "clojure_data.sources", "clojure_data.sources")
passes: Registry[type[Pass]] = Registry("pass", "clojure_data.passes", "clojure_data.passes")


def register_source(name: str) -> Callable[[T], T]:
    """Register a ``DatasetBuilder`` subclass under ``name`` (``clojure-data build NAME``)."""
    return sources.register(name)  # type: ignore[return-value]


def register_pass(name: str) -> Callable[[T], T]:
    """Register a ``Pass`` subclass under ``name`` (used in policies as ``pass = "name"``)."""
    return passes.register(name)  # type: ignore[return-value]
