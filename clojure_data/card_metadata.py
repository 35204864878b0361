"""A dataset card's YAML metadata, built from a run's ``stats.json`` (``card_data``).

The header is what ``datasets.push_to_hub`` writes: licence, languages, size category, ``configs``
pointing at ``data/*.parquet`` and ``dataset_info`` with the features of the kind's parquet schema,
built with ``datasets``' own helpers (``DatasetInfosDict``, ``MetadataConfigs``) rather than by hand,
so ``load_dataset`` on the folder or the Hub repo needs no loading script. A module of its own
because both halves of ``cards.py`` use it: rendering the card and checking a rendered one.
"""

from __future__ import annotations

from typing import Any

from datasets import DatasetInfo, Features, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from .errors import ClojureDataError
from .record import SCHEMAS, RecordKind

__all__ = [
    "DATA_FILES",
    "SIZE_CATEGORIES",
    "SPLIT",
    "card_data",
    "card_info",
    "dataset_features",
    "size_category",
    "stats_kind",
]

DATA_FILES = "data/*.parquet"
SPLIT = "train"
# The Hub's size_categories buckets (upper bound exclusive), see DatasetCardData's docstring.
_SIZE_LABELS = ["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "100M<n<1B"]
_SIZE_LABELS += ["1B<n<10B", "10B<n<100B", "100B<n<1T"]
_SIZE_BUCKETS = [(10 ** (3 + i), label) for i, label in enumerate(_SIZE_LABELS)]
SIZE_CATEGORIES = (*_SIZE_LABELS, "n>1T")  # every value size_category can return


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` bucket for ``n`` records."""
    for limit, label in _SIZE_BUCKETS:
        if n < limit:
            return label
    return "n>1T"


def stats_kind(stats: dict[str, Any]) -> RecordKind:
    """The record kind the run published (``dataset.kind``; documents when absent)."""
    kind = stats["dataset"].get("kind", RecordKind.DOCUMENT.value)
    try:
        return RecordKind(kind)
    except ValueError:
        raise ClojureDataError(f"stats.json: unknown record kind {kind!r}") from None


def dataset_features(kind: RecordKind | str) -> Features:
    """The ``datasets`` features of a kind's parquet schema."""
    return Features.from_arrow_schema(SCHEMAS[RecordKind(kind)])


def card_info(stats: dict[str, Any]) -> dict[str, Any]:
    """``dataset.card`` with fallbacks, so an ad-hoc run (no CardInfo) still gets a truthful card."""
    ds = stats["dataset"]
    card = ds.get("card") or {}
    name = ds.get("name") or "dataset"
    if card.get("pretty_name"):  # a registered source that left some sections empty
        missing = f"Not documented by the `{name}` source."
    else:
        missing = (
            f"Ad-hoc dataset: records given to `clojure-data` by its user (source `{name}`); not documented."
        )
    texts = ("motivation", "composition", "collection", "uses", "limitations", "maintenance")
    return {
        "pretty_name": card.get("pretty_name") or name,
        "language": list(card.get("language") or ["en"]),
        "task_categories": list(card.get("task_categories") or ["text-generation"]),
        "tags": list(card.get("tags") or ["clojure"]),
        **{key: card.get(key) or missing for key in texts},
    }


def _license_fields(ds: dict[str, Any]) -> dict[str, str]:
    """``license`` plus, for ``other``, the ``license_name``/``license_link`` the Hub asks for."""
    license_ = ds.get("license") or "other"
    fields = {"license": license_}
    if license_ == "other":
        slug = "".join(c if c.isalnum() or c in "-." else "-" for c in (ds.get("name") or "dataset").lower())
        fields["license_name"] = ds.get("license_name") or f"{slug}-terms"
        # "README" links the Hub's licence badge to this card's "Distribution and licence" section.
        fields["license_link"] = ds.get("license_link") or "README"
    return fields


def card_data(stats: dict[str, Any]) -> DatasetCardData:
    """The card's YAML metadata, from ``stats.json`` (written the way ``datasets.push_to_hub`` writes it)."""
    ds, info, output = stats["dataset"], card_info(stats), stats["output"]
    records, num_bytes = int(output.get("records", 0)), int(output.get("num_bytes", 0))
    lic = _license_fields(ds)
    data = DatasetCardData(
        language=info["language"],
        license=lic.pop("license"),
        size_categories=[size_category(records)],
        task_categories=info["task_categories"],
        pretty_name=info["pretty_name"],
        tags=info["tags"],
    )
    for key, value in lic.items():  # license_name / license_link, only for "other"
        data[key] = value
    splits = SplitDict()
    # num_bytes is the parquet size: the only size the run measured (the Hub recomputes its own).
    splits.add(SplitInfo(name=SPLIT, num_bytes=num_bytes, num_examples=records))
    dataset_info = DatasetInfo(
        features=dataset_features(stats_kind(stats)),
        splits=splits,
        download_size=num_bytes,
        dataset_size=num_bytes,
    )
    DatasetInfosDict({"default": dataset_info}).to_dataset_card_data(data)
    configs = {"default": {"data_files": [{"split": SPLIT, "path": DATA_FILES}]}}
    MetadataConfigs(configs).to_dataset_card_data(data)
    return data
