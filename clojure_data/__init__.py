"""clojure-data: curate Clojure training data into Hugging Face datasets.

Public API (imported lazily by submodules, nothing heavy at import time)::

    from clojure_data import DatasetBuilder, Pass, register_source, register_pass, load_policy
"""

from .builder import BuilderConfig, CardInfo, DatasetBuilder
from .passes.base import CHANGED, KEEP, Outcome, Pass, PassConfig, drop
from .record import Document, RecordKind, make_record, make_rejection, message
from .registry import passes, register_pass, register_source, sources

__version__ = "0.1.0"

__all__ = [
    "BuilderConfig",
    "CHANGED",
    "CardInfo",
    "DatasetBuilder",
    "Document",
    "KEEP",
    "Outcome",
    "Pass",
    "PassConfig",
    "RecordKind",
    "drop",
    "make_record",
    "make_rejection",
    "message",
    "passes",
    "register_pass",
    "register_source",
    "sources",
]
