"""``datatrove``: run one of datatrove's own filters or formatters as a policy pass.

Our passes are datatrove ``PipelineStep``s, and this pass lets a policy use datatrove's library of
steps without code::

    [[passes]]
    pass = "datatrove"
    step = "datatrove.pipeline.filters.GopherRepetitionFilter"
    args = { dup_line_frac = 0.3 }

A ``BaseFilter`` decides per record (its ``(False, reason)`` becomes our drop reason, prefixed
with the step's class name); a ``BaseFormatter`` rewrites the text (counted as changed). Either
way the record keeps our counting and rejection log, which calling the datatrove step directly
in the step list would bypass. Other step types are refused when the policy is loaded.

Datatrove's text steps know nothing about code: a formatter rewrites code blocks too, and prose
heuristics (Gopher, C4) misjudge code-heavy records. Prefer filters, and check their drop reasons.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, cast

from datatrove.pipeline.filters.base_filter import BaseFilter, get_filter_result
from datatrove.pipeline.formatters.base import BaseFormatter

from ..errors import PolicyError
from ..record import Document
from ..registry import register_pass
from .base import CHANGED, KEEP, Outcome, Pass, PassConfig, drop


@dataclass
class DatatroveStepConfig(PassConfig):
    step: str = ""
    """Dotted path of a datatrove BaseFilter or BaseFormatter subclass."""
    args: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments for the step's constructor."""

    def __post_init__(self) -> None:
        if self.enabled:
            load_step_class(self.step)  # fail when the policy loads, not mid-run


def load_step_class(path: str) -> type[BaseFilter] | type[BaseFormatter]:
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise PolicyError(f"datatrove pass: 'step' must be a dotted class path, got {path!r}")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise PolicyError(f"datatrove pass: cannot import {path!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseFilter | BaseFormatter)):
        raise PolicyError(f"datatrove pass: {path!r} is not a datatrove BaseFilter or BaseFormatter")
    return cls


@register_pass("datatrove")
class DatatroveStepPass(Pass):
    """Runs a datatrove filter or formatter with our counting and rejection log."""

    Config = DatatroveStepConfig

    def __init__(self, config: PassConfig | None = None, **settings: Any) -> None:
        super().__init__(config, **settings)
        cfg = cast(DatatroveStepConfig, self.config)
        self.step: BaseFilter | BaseFormatter | None = None
        if cfg.enabled:
            try:
                self.step = load_step_class(cfg.step)(**cfg.args)
            except TypeError as exc:
                raise PolicyError(f"datatrove pass: bad args for {cfg.step}: {exc}") from exc

    def process(self, doc: Document) -> Outcome:
        step = self.step
        if isinstance(step, BaseFilter):
            keep, reason = get_filter_result(step.filter(doc))
            if keep:
                return KEEP
            return drop(f"{type(step).__name__}:{reason or 'filtered'}")
        assert isinstance(step, BaseFormatter)
        before = doc.text
        doc.text = step.format(doc.text)
        return CHANGED if doc.text != before else KEEP

    def backend(self) -> str | None:
        import datatrove

        version = getattr(datatrove, "__version__", "")
        return f"datatrove {version} {cast(DatatroveStepConfig, self.config).step}".replace("  ", " ")
