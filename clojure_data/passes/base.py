"""``Pass``: a sanitizer step that keeps, changes or drops each record and counts what it did.

Passes are datatrove ``PipelineStep``s, so they run under datatrove's executors and can be mixed
with datatrove's own steps. A pass implements ``process(doc) -> Outcome`` (or ``process_batch``
for model-backed passes that want to batch) and is configured by a dataclass ``Config`` whose
fields are exactly the keys a policy may set for it.

Counting (what ``stats.json`` and the datasheet report, summed over workers by datatrove):

* ``in``, ``kept``, ``changed``, ``dropped`` and ``dropped:<reason>`` for every record;
* ``count:<label>`` for what the pass found or replaced (``self.count("quote_lines", 3)``);
  labels name kinds of things, never values.

Dropped records go to the rejection writer the pipeline attaches (``rejected/``) with the pass
name and reason, so every record that enters leaves: ``in == kept + changed + dropped``.

Used alone from Python::

    garbage = GarbagePass()
    cleaned = list(garbage.apply(docs))
    garbage.report()  # {'in': 3, 'kept': 1, 'changed': 1, 'dropped': {'empty_after_cleaning': 1}, ...}
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.batching import batched

from ..record import Document, mark_dropped


@dataclass(frozen=True)
class Outcome:
    """What a pass did to one record."""

    action: str  # "kept" | "changed" | "dropped"
    reason: str | None = None


KEEP = Outcome("kept")
CHANGED = Outcome("changed")


def drop(reason: str) -> Outcome:
    """Drop the record; ``reason`` is a short snake_case label (it becomes a stats key)."""
    return Outcome("dropped", reason)


@dataclass
class PassConfig:
    """Settings every pass accepts."""

    enabled: bool = True


class Pass(PipelineStep):
    """Base class of all sanitizer passes."""

    name: ClassVar[str]  # set by @register_pass
    type = "🧹 - PASS"
    Config: ClassVar[builtins.type[PassConfig]] = PassConfig
    batch_size: ClassVar[int] = 1

    def __init__(self, config: PassConfig | None = None, **settings: Any) -> None:
        super().__init__()
        if config is None:  # not Config() then replace(): a config may validate in __post_init__
            self.config = self.Config(**settings)
        else:
            self.config = dataclasses.replace(config, **settings) if settings else config
        self.rejected_writer: DiskWriter | None = None

    # -- what subclasses implement --------------------------------------------------------------
    def process(self, doc: Document) -> Outcome:
        """Look at (and possibly modify) one record."""
        raise NotImplementedError(f"{type(self).__name__} must implement process or process_batch")

    def process_batch(self, docs: list[Document]) -> list[Outcome]:
        return [self.process(doc) for doc in docs]

    def backend(self) -> str | None:
        """What actually ran (model name, 'regex only', ...) for the datasheet; None if not relevant."""
        return None

    # -- counting helpers -----------------------------------------------------------------------
    def count(self, label: str, n: int = 1) -> None:
        if n:
            self.stat_update(f"count:{label}", value=n)

    def report(self) -> dict[str, Any]:
        """This instance's counts in the ``stats.json`` shape."""
        return summarize_stats({k: v.total for k, v in self.stats.stats.items()})

    # -- datatrove plumbing ---------------------------------------------------------------------
    def apply(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Run the pass over ``docs`` in-process, yielding the records it keeps."""
        yield from self.run(iter(docs))

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        if not self.config.enabled:
            for doc in data:
                self.stat_update("in", "kept")
                yield doc
            return
        with self.rejected_writer or contextlib.nullcontext():
            for batch in batched(data, self.batch_size):
                with self.track_time("batch" if self.batch_size > 1 else None):
                    before = [doc.text for doc in batch]
                    outcomes = self.process_batch(batch)
                for doc, text, outcome in zip(batch, before, outcomes, strict=True):
                    self.stat_update("in")
                    if outcome.action == "dropped":
                        reason = outcome.reason or "unspecified"
                        self.stat_update("dropped", f"dropped:{reason}")
                        self._reject(doc, reason, rank)
                        continue
                    changed = outcome.action == "changed" or doc.text != text
                    self.stat_update("changed" if changed else "kept")
                    yield doc

    def _reject(self, doc: Document, reason: str, rank: int) -> None:
        if self.rejected_writer is not None:
            self.rejected_writer.write(mark_dropped(doc, self.name, reason), rank)

    def __repr__(self) -> str:  # datatrove names the step's stats with this
        return f"{self.type}: {self.name}"


def summarize_stats(totals: dict[str, float]) -> dict[str, Any]:
    """Turn flat ``label -> total`` counters into ``{in, kept, changed, dropped: {...}, counts: {...}}``."""
    dropped = {k.split(":", 1)[1]: int(v) for k, v in totals.items() if k.startswith("dropped:")}
    counts = {k.split(":", 1)[1]: int(v) for k, v in totals.items() if k.startswith("count:")}
    return {
        "in": int(totals.get("in", 0)),
        "kept": int(totals.get("kept", 0)),
        "changed": int(totals.get("changed", 0)),
        "dropped": dict(sorted(dropped.items())),
        "counts": dict(sorted(counts.items())),
    }
