"""``DatasetBuilder``: the base class of every source (one dataset of the data policy).

A builder is a small class with a config dataclass (the shape of huggingface/datasets builders):
it says what the dataset is (name, description, homepage, licence, record kind, card text), how to
split an input path into shards, and how to turn one shard into records. It knows nothing about
passes, writers or executors; ``clojure_data.pipeline`` wires those around it.

Contract for ``read``: every input unit (message, event, post, row) ends up either in a yielded
record or in a yielded rejection (``make_rejection``) with a reason. Never skip silently, never
raise for bad data inside a shard; raise ``InputError`` only when the whole shard is unusable.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from .errors import ClojureDataError, InputError
from .record import SCHEMAS, Document, RecordKind
from .resources import resource_dir


@dataclass
class CardInfo:
    """What a datasheet says about a source beyond the numbers (Datasheets for Datasets sections)."""

    pretty_name: str
    language: list[str] = field(default_factory=lambda: ["en"])
    task_categories: list[str] = field(default_factory=lambda: ["text-generation"])
    tags: list[str] = field(default_factory=lambda: ["clojure", "code"])
    motivation: str = ""
    composition: str = ""
    collection: str = ""
    uses: str = ""
    limitations: str = ""
    maintenance: str = ""


@dataclass
class BuilderConfig:
    """Settings every builder accepts. Subclasses add their own fields (with defaults)."""

    max_record_chars: int = 2_000_000
    """Records longer than this are rejected ('too_large') instead of flowing through the passes."""


class DatasetBuilder(ABC):
    """Reads one source into ``Document`` records of one ``RecordKind``."""

    name: ClassVar[str]  # set by @register_source
    description: ClassVar[str] = ""
    homepage: ClassVar[str] = ""
    license: ClassVar[str] = "other"
    kind: ClassVar[RecordKind] = RecordKind.DOCUMENT
    card: ClassVar[CardInfo]
    Config: ClassVar[type[BuilderConfig]] = BuilderConfig
    input_suffixes: ClassVar[tuple[str, ...]] = ()
    """File suffixes that count as input when a folder is given (empty: every file)."""
    pass_overrides: ClassVar[dict[str, dict[str, Any]]] = {}
    """Pass settings this source's format needs, applied over any policy's (e.g. on Q&A sites a
    ``>`` quote is the asker's error message, not a quoted reply: ``{"garbage": {"strip_quotes": False}}``).
    The effective settings are what ``stats.json`` and the datasheet record."""

    def __init__(self, config: BuilderConfig | None = None, **overrides: Any) -> None:
        base = config or self.Config()
        self.config = dataclasses.replace(base, **overrides) if overrides else base

    # -- what the dataset is -------------------------------------------------------------------
    @property
    def schema(self) -> pa.Schema:
        return SCHEMAS[self.kind]

    @classmethod
    def sample_dir(cls) -> Path:
        """``sources/<name>/`` (dashes become underscores), shipped in the wheel."""
        return resource_dir("sources") / cls.name.replace("-", "_")

    # -- reading -------------------------------------------------------------------------------
    def shards(self, path: Path) -> list[Path]:
        """Split an input path into independently readable shards (default: one per file).

        Folders are walked recursively in sorted order so every run (and every worker count) sees
        the same shard list. ``README*`` files and dotfiles are not input.
        """
        path = Path(path)
        if not path.exists():
            raise InputError(f"input not found: {path}")
        if path.is_file():
            if path.stat().st_size == 0:
                raise InputError(f"input file is empty: {path}")
            return [path]
        files = [
            p
            for p in sorted(path.rglob("*"))
            if p.is_file()
            and not p.name.startswith(("README", "."))
            and (not self.input_suffixes or p.name.endswith(self.input_suffixes))
        ]
        if not files:
            wanted = ", ".join(self.input_suffixes) or "any"
            raise InputError(f"no input files ({wanted}) under {path}")
        return files

    def sample_shards(self) -> list[Path]:
        """The shards of the built-in sample."""
        return self.shards(self.sample_dir())

    @abstractmethod
    def read(self, shard: Path) -> Iterator[Document]:
        """Yield the records (and rejections) of one shard."""

    def download(self, dest: Path, *, progress: bool = True) -> Path:
        """Fetch the source's public archive into ``dest`` and return the path to read from."""
        raise ClojureDataError(f"source '{self.name}' has no downloader; pass --input with a local copy")

    def record_id(self, *parts: str) -> str:
        """A stable id: ``<source>/<parts...>``."""
        return "/".join([self.name, *parts])
