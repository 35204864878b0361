"""Datasheets: render ``README.md`` (a Hugging Face dataset card) from a run's ``stats.json``, and check it.

The card is the "Datasheets for Datasets" template in ``cards/datasheet.md.j2``, rendered with
``huggingface_hub.DatasetCard.from_template``. Its YAML header (licence, languages, size category,
``configs`` pointing at ``data/*.parquet``, ``dataset_info`` with the features of the kind's parquet
schema) is built in ``card_metadata`` with the same helpers ``datasets.push_to_hub`` uses, so
``load_dataset`` on the folder or the Hub repo needs no loading script. Every figure comes from
``stats.json`` (principle 7), and rendering is deterministic: the same output folder gives a
byte-identical ``README.md``.

A reader may log one *summary* rejection for many input rows it left out of scope on purpose
(Stack Overflow's ``tag_filtered`` line stands for every question outside the selected tags), so
"1 rejected" would hide how much it stands for. Such a line carries integer ``*_rows`` metadata
(``post_rows``, ``comment_rows``), which the pipeline sums into ``input.rejected_rows``; the card
shows those rows next to the count.

``stats.json`` (format_version 1, written by ``clojure_data.pipeline.finalize_output``)::

    dataset   name, description, homepage, license, kind (a RecordKind), card (CardInfo fields;
              any may be missing for ad-hoc runs), optionally repo_id, license_name, license_link
    policy    name, sha256, passes: [{pass, config}] (disabled passes included)
    input     shards; records: records the reader passed on; rejected: rejections the reader logged
              (one per input unit, or one summary for many rows: see above); rejected_by_reason;
              rejected_rows: {reason: {table_rows: n}} for summary rejections; repaired: {what: n}
    passes    [{name, backend, in, kept, changed, dropped: {reason: n}, counts: {label: n}}]
    output    records (rows in data/), files, num_bytes (bytes of the parquet files)
    rejected  total (lines under rejected/), files

Counts add up when ``passes[0].in == input.records``, each pass's ``in == kept + changed +
dropped``, each pass's ``kept + changed`` is the next pass's ``in`` (the last one's is
``output.records``), and ``rejected.total == input.rejected + all drops``. The card says whether
they do; ``check_card`` reports it as a problem when they do not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import DatasetInfo, Features
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from .card_metadata import (
    DATA_FILES,
    SIZE_CATEGORIES,
    SPLIT,
    card_data,
    card_info,
    dataset_features,
    size_category,
    stats_kind,
)
from .errors import ClojureDataError
from .record import SCHEMAS
from .resources import resource_dir

__all__ = [
    "FORMAT_VERSION",
    "accounting_problems",
    "card_data",
    "check_card",
    "dataset_features",
    "load_stats",
    "render_card",
    "size_category",
    "template_path",
]

FORMAT_VERSION = 1
SECTIONS = (
    "Motivation",
    "Composition",
    "Collection process",
    "Preprocessing / cleaning / labelling",
    "Rejected records",
    "Uses",
    "Distribution and licence",
    "Maintenance",
    "How to load",
)


def template_path() -> Path:
    """The shipped datasheet template."""
    return resource_dir("cards") / "datasheet.md.j2"


def load_stats(output_dir: Path) -> dict[str, Any]:
    """Read and sanity-check ``output_dir/stats.json``."""
    path = Path(output_dir) / "stats.json"
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClojureDataError(
            f"{path} not found: is {output_dir} the output folder of a finished run?"
        ) from None
    except json.JSONDecodeError as exc:
        raise ClojureDataError(f"{path} is not valid JSON: {exc}") from None
    version = stats.get("format_version") if isinstance(stats, dict) else None
    if version != FORMAT_VERSION:
        raise ClojureDataError(f"{path}: unsupported format_version {version!r} (expected {FORMAT_VERSION})")
    for key in ("dataset", "output"):
        if not isinstance(stats.get(key), dict):
            raise ClojureDataError(f"{path}: missing '{key}' section")
    return stats


def _n(value: Any) -> str:
    return f"{int(value):,}"


def _cell(value: Any) -> str:
    """Make text safe for one markdown table cell."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _pairs(counts: dict[str, Any]) -> str:
    return ", ".join(f"{_cell(k)}: {_n(v)}" for k, v in counts.items()) or "-"


def _schema_rows(schema: pa.Schema) -> list[dict[str, str]]:
    """Column name, arrow type and nullability; the template adds each column's description."""
    return [{"name": f.name, "type": str(f.type), "nullable": "yes" if f.nullable else "no"} for f in schema]


def _pass_rows(stats: dict[str, Any]) -> list[list[str]]:
    rows = []
    for i, p in enumerate(stats.get("passes") or [], start=1):
        dropped = p.get("dropped") or {}
        rows.append(
            [
                str(i),
                f"`{_cell(p.get('name', '?'))}`",
                _cell(p.get("backend") or "n/a"),
                _n(p.get("in", 0)),
                _n(p.get("kept", 0)),
                _n(p.get("changed", 0)),
                _n(sum(dropped.values())),
                _pairs(dropped),
                _pairs(p.get("counts") or {}),
            ]
        )
    return rows


def _rejection_rows(stats: dict[str, Any], rows_by_reason: dict[str, dict[str, int]]) -> list[list[str]]:
    """stage, reason, lines and, when any reader line stands for many rows, the rows per table."""
    reader = (stats.get("input") or {}).get("rejected_by_reason") or {}
    extra = bool(rows_by_reason)
    rows = [
        ["reader", f"`{_cell(r)}`", _n(n)] + ([_pairs(rows_by_reason.get(r, {}))] if extra else [])
        for r, n in reader.items()
    ]
    for p in stats.get("passes") or []:
        rows += [
            [f"`{_cell(p.get('name', '?'))}`", f"`{_cell(r)}`", _n(n)] + (["-"] if extra else [])
            for r, n in (p.get("dropped") or {}).items()
        ]
    return rows


def accounting_problems(stats: dict[str, Any]) -> list[str]:
    """Where the run's counts do not add up (empty when every record is accounted for)."""
    problems: list[str] = []
    inp, passes = stats.get("input") or {}, stats.get("passes") or []
    flow, previous, drops = int(inp.get("records", 0)), "the reader", int(inp.get("rejected", 0))
    for p in passes:
        name, n_in = p.get("name", "?"), int(p.get("in", 0))
        dropped = sum(int(v) for v in (p.get("dropped") or {}).values())
        left = int(p.get("kept", 0)) + int(p.get("changed", 0))
        if n_in != flow:
            problems.append(f"pass '{name}' got {n_in} records but {previous} passed on {flow}")
        if n_in != left + dropped:
            problems.append(f"pass '{name}': in {n_in} != kept + changed + dropped {left + dropped}")
        flow, previous, drops = left, f"pass '{name}'", drops + dropped
    published = int(stats["output"].get("records", 0))
    if published != flow:
        problems.append(f"{published} records published but {previous} passed on {flow}")
    logged = int((stats.get("rejected") or {}).get("total", 0))
    if logged != drops:
        problems.append(f"rejected/ holds {logged} records but the reader and passes dropped {drops}")
    return problems


def _context(
    stats: dict[str, Any], repo_id: str | None, rows_by_reason: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """Everything the template shows, already formatted (the template only lays it out)."""
    ds, kind = stats["dataset"], stats_kind(stats)
    inp, output, policy = stats.get("input") or {}, stats["output"], stats.get("policy") or {}
    passes = stats.get("passes") or []
    rejected = stats.get("rejected") or {}
    drops = sum(sum((p.get("dropped") or {}).values()) for p in passes)
    name = ds.get("name") or "dataset"
    return {
        "info": card_info(stats),
        "name": name,
        "description": ds.get("description") or "",
        "homepage": ds.get("homepage") or "",
        "license_text": ds.get("license") or "other",
        "repo_id": repo_id or ds.get("repo_id") or f"<user-or-org>/{name}",
        "kind": kind.value,
        "schema_rows": _schema_rows(SCHEMAS[kind]),
        "n": {
            "records": _n(output.get("records", 0)),
            "files": _n(len(output.get("files") or [])),
            "num_bytes": _n(output.get("num_bytes", 0)),
            "shards": _n(inp.get("shards", 0)),
            "reader_kept": _n(inp.get("records", 0)),
            "reader_rejected": _n(inp.get("rejected", 0)),
            "pass_dropped": _n(drops),
            "rejected": _n(rejected.get("total", 0)),
            "rejected_files": _n(len(rejected.get("files") or [])),
        },
        "repaired": [
            (what, _n(count)) for what, count in sorted((inp.get("repaired") or {}).items()) if count
        ],
        "data_files": list(output.get("files") or []),
        "policy_name": policy.get("name") or "none",
        "policy_sha": policy.get("sha256") or "unknown",
        "policy_json": json.dumps(policy.get("passes") or [], indent=2, ensure_ascii=False),
        "disabled": [
            s.get("pass")
            for s in policy.get("passes") or []
            if not (s.get("config") or {}).get("enabled", True)
        ],
        "pass_rows": _pass_rows(stats),
        "backends": [(p.get("name"), p["backend"]) for p in passes if p.get("backend")],
        "rejection_rows": _rejection_rows(stats, rows_by_reason),
        "summary_rows": bool(rows_by_reason),
        "accounting": accounting_problems(stats),
    }


def render_card(output_dir: Path, *, repo_id: str | None = None) -> Path:
    """Write ``output_dir/README.md`` from ``output_dir/stats.json``; return its path.

    ``repo_id`` (or ``dataset.repo_id`` in stats) fills the "How to load" snippet; without one it
    shows a ``<user-or-org>/<name>`` placeholder.
    """
    output_dir = Path(output_dir)
    stats = load_stats(output_dir)
    context = _context(stats, repo_id, (stats.get("input") or {}).get("rejected_rows") or {})
    card = DatasetCard.from_template(card_data(stats), template_path=str(template_path()), **context)
    path = output_dir / "README.md"
    card.save(path)
    return path


def check_card(path: Path) -> list[str]:
    """Offline checks of a rendered card (and, next to it, ``stats.json`` and ``data/``); [] when fine."""
    path = Path(path)
    if not path.is_file():
        return [f"{path}: not found"]
    try:
        card = DatasetCard.load(path)  # a Path, so it never falls back to downloading from the Hub
    except Exception as exc:  # any parse failure is a problem to report, not a crash
        return [f"{path}: cannot parse the card: {_one_line(exc)}"]
    problems = _check_yaml(card.data)
    problems += [f"body: missing section '## {s}'" for s in SECTIONS if f"## {s}" not in card.text]
    info = _yaml_info(card.data, problems)
    if info is not None:
        problems += _check_folder(path.parent, card.data, info)
    return problems


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _is_str_list(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def _check_yaml(data: DatasetCardData) -> list[str]:
    problems = []
    for key in ("license", "language", "task_categories", "size_categories"):
        if not _is_str_list(data.get(key)):
            problems.append(
                f"yaml: '{key}' must be a non-empty string or list of strings, got {data.get(key)!r}"
            )
    sizes = data.get("size_categories")
    valid = set(SIZE_CATEGORIES)
    if _is_str_list(sizes) and not set([sizes] if isinstance(sizes, str) else sizes) <= valid:
        problems.append(f"yaml: size_categories {sizes!r} is not one of the Hub's buckets")
    if not isinstance(data.get("pretty_name"), str) or not data.get("pretty_name", "").strip():
        problems.append("yaml: 'pretty_name' must be a non-empty string")
    try:
        configs = MetadataConfigs.from_dataset_card_data(data)  # datasets' own validation of data_files
    except (ValueError, TypeError) as exc:
        return [*problems, f"yaml: invalid 'configs': {_one_line(exc)}"]
    wanted = {"split": SPLIT, "path": DATA_FILES}
    if not any(wanted in (c.get("data_files") or []) for c in configs.values()):
        problems.append(f"yaml: 'configs' has no data_files entry {wanted}")
    return problems


def _yaml_info(data: DatasetCardData, problems: list[str]) -> DatasetInfo | None:
    """The card's ``dataset_info`` parsed by ``datasets``; appends to ``problems`` when unusable."""
    if not isinstance(data.get("dataset_info"), dict):
        problems.append("yaml: 'dataset_info' missing (one config with features and splits expected)")
        return None
    try:
        info = DatasetInfosDict.from_dataset_card_data(data)["default"]
    except Exception as exc:  # datasets raises assorted errors for malformed features
        problems.append(f"yaml: invalid 'dataset_info': {_one_line(exc)}")
        return None
    split = (info.splits or {}).get(SPLIT)
    if info.features is None:
        problems.append("yaml: 'dataset_info.features' missing")
    if split is None:
        problems.append(f"yaml: 'dataset_info.splits' has no '{SPLIT}' split")
    elif not all(isinstance(v, int) and v >= 0 for v in (split.num_examples, split.num_bytes)):
        problems.append(f"yaml: split '{SPLIT}' needs integer num_examples and num_bytes")
    return info if info.features is not None and split is not None else None


def _check_folder(folder: Path, data: DatasetCardData, info: DatasetInfo) -> list[str]:
    """The card against the run it describes: ``stats.json`` and the parquet files."""
    problems = []
    split = info.splits[SPLIT]
    if (folder / "stats.json").is_file():
        try:
            stats = load_stats(folder)
            expected = card_data(stats)
        except ClojureDataError as exc:
            return [str(exc)]
        records = int(stats["output"].get("records", 0))
        if split.num_examples != records:
            problems.append(f"card: num_examples {split.num_examples} but stats.json says {records} records")
        if data.get("size_categories") != expected.get("size_categories"):
            problems.append(
                f"card: size_categories should be {expected.get('size_categories')} for {records}"
            )
        if info.features != dataset_features(stats_kind(stats)):
            problems.append(f"card: features differ from the '{stats_kind(stats)}' schema")
        problems += [f"stats.json: {p}" for p in accounting_problems(stats)]
    files = sorted((folder / "data").glob("*.parquet"))
    if not files:
        return [*problems, f"{folder / 'data'}: no parquet files"]
    rows = 0
    for f in files:
        meta = pq.ParquetFile(f)
        rows += meta.metadata.num_rows
        if Features.from_arrow_schema(meta.schema_arrow) != info.features:
            problems.append(f"{f.relative_to(folder)}: parquet schema does not match the card's features")
    if rows != split.num_examples:
        problems.append(f"data/: {rows} rows but the card says {split.num_examples}")
    return problems
