"""Assemble builder -> passes -> writers as datatrove steps and run them.

The same step list runs in-process and on many cores (``LocalPipelineExecutor``); hand
``build_steps(...)`` to datatrove's ``SlurmPipelineExecutor`` or ``RayPipelineExecutor`` to run
it on a cluster, then call ``finalize_output`` (see docs/scaling.md). Scheduling, task
completion and resume-after-crash are datatrove's (``.logs/completions``); this module only adds
what a dataset folder needs: shard-by-input reading with rejections, the parquet and rejection
writers, merged ``stats.json`` and the datasheet.

Output folder::

    data/train-00000.parquet ...   records, explicit per-kind schema
    rejected/NN-<step>-00000.jsonl every dropped record: step, reason, text
    stats.json                     per-step counts that add up (see cards.py for the format)
    README.md                      the datasheet
    .logs/                         datatrove's logs, per-task stats and completion markers

Determinism: with the same inputs, policy and ``tasks``, the files are byte-identical whatever
``workers`` is; shard ``i`` always goes to task ``i % tasks``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.jsonl import JsonlWriter
from datatrove.pipeline.writers.parquet import ParquetWriter
from datatrove.utils.stats import PipelineStats

from .builder import DatasetBuilder
from .errors import ClojureDataError, InputError
from .passes.base import summarize_stats
from .policy import Policy
from .record import Document, dropped_by, mark_dropped, rejection_reason, scrub_surrogates, to_row

LOGS = ".logs"
FORMAT_VERSION = 1


class ShardReader(PipelineStep):
    """Reads this task's shards with the builder; rejections go to ``rejected/``, not downstream."""

    type = "📖 - READER"

    def __init__(self, builder: DatasetBuilder, shards: list[str], progress: bool = False) -> None:
        self.name = builder.name  # before super().__init__, which names the stats after it
        super().__init__()
        self.builder = builder
        self.shards = shards
        self.progress = progress
        self.rejected_writer: JsonlWriter | None = None

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        from tqdm.auto import tqdm

        mine = self.shards[rank::world_size]
        with (
            self.rejected_writer or contextlib.nullcontext(),
            tqdm(
                desc=f"{self.name} [task {rank}]", unit=" records", disable=not self.progress, leave=False
            ) as bar,
        ):
            for number, shard in enumerate(mine, start=1):
                bar.set_postfix_str(f"shard {number}/{len(mine)}")
                for doc in self._read_shard(Path(shard), rank):
                    bar.update()
                    yield doc

    def _read_shard(self, shard: Path, rank: int) -> Iterator[Document]:
        self.stat_update("shards")
        limit = self.builder.config.max_record_chars
        try:
            for doc in self.builder.read(shard):
                reason = rejection_reason(doc)
                if reason is None and len(doc.text) > limit:
                    reason = "too_large"
                if reason is not None:
                    self._reject(doc, reason, rank)
                    continue
                if repaired := scrub_surrogates(doc):
                    self.stat_update("repaired:lone_surrogates", value=repaired)
                self.stat_update("records")
                yield doc
        except Exception as exc:  # bad input must not kill the run: the shard is logged as rejected
            kind = "unreadable_input" if isinstance(exc, ClojureDataError) else "reader_error"
            if kind == "reader_error":  # a bug, not bad input: keep the traceback in .logs/logs/
                from loguru import logger

                # debug: the task log file keeps it; the console stays one line per problem
                logger.opt(exception=exc).debug(f"{self.name}: reader failed on {shard}")
            self._reject(
                Document(text="", id=f"{self.name}/{shard.name}", metadata={"source": self.name}),
                kind,
                rank,
                detail=f"{type(exc).__name__}: {exc}",
            )

    def _reject(self, doc: Document, reason: str, rank: int, detail: str = "") -> None:
        self.stat_update("rejected", f"rejected:{reason}")
        for key, value in doc.metadata.items():
            # a summary rejection (e.g. Stack Overflow's tag_filtered) says how many input rows it
            # stands for in integer *_rows keys; stats.json and the card report those rows
            if key.endswith("_rows") and isinstance(value, int) and not isinstance(value, bool):
                self.stat_update(f"rows:{reason}:{key}", value=value)
        if self.rejected_writer is not None:
            if detail:
                doc.metadata["error"] = detail
            self.rejected_writer.write(mark_dropped(doc, "reader", reason), rank)


def _row_adapter(schema: Any, _writer: Any, doc: Document) -> dict[str, Any]:
    return to_row(doc, schema)


REJECTED_TEXT_LIMIT = 100_000  # a 50 MB message is logged as an excerpt, not copied whole


def _rejected_adapter(_writer: Any, doc: Document) -> dict[str, Any]:
    public = {k: v for k, v in doc.metadata.items() if not k.startswith("_")}
    step, reason = dropped_by(doc)
    return {
        "id": doc.id,
        "step": step,
        "reason": reason,
        "text": doc.text[:REJECTED_TEXT_LIMIT],
        "text_chars": len(doc.text),
        "metadata": json.dumps(public, sort_keys=True, ensure_ascii=False, default=str),
    }


def _rejected_writer(output: Path, index: int, step: str) -> JsonlWriter:
    return JsonlWriter(
        str(output / "rejected"),
        output_filename=f"{index:02d}-{step}-${{rank}}.jsonl",
        compression=None,
        adapter=_rejected_adapter,
    )


def build_steps(
    builder: DatasetBuilder, shards: list[Path], policy: Policy, output: Path, progress: bool = False
) -> list[PipelineStep]:
    """The datatrove pipeline: reader, the policy's passes, the parquet writer."""
    policy = for_source(policy, builder)
    reader = ShardReader(builder, [str(s) for s in shards], progress=progress)
    reader.rejected_writer = _rejected_writer(output, 0, "reader")
    steps: list[PipelineStep] = [reader]
    for index, step in enumerate(policy.build_passes(), start=1):
        step.rejected_writer = _rejected_writer(output, index, step.name)
        steps.append(step)
    steps.append(
        ParquetWriter(
            str(output / "data"),
            output_filename="train-${rank}.parquet",
            schema=builder.schema,
            adapter=functools.partial(_row_adapter, builder.schema),
            max_file_size=-1,
        )
    )
    return steps


def for_source(policy: Policy, builder: DatasetBuilder) -> Policy:
    """The policy with the builder's ``pass_overrides`` applied (what actually runs)."""
    return policy.with_overrides(builder.pass_overrides, f"source '{builder.name}'")


class QuietableExecutor(LocalPipelineExecutor):
    """datatrove's local executor; ``verbose=False`` keeps task logs to errors (files keep everything)."""

    def __init__(self, *args: Any, verbose: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verbose = verbose

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1) -> PipelineStats:
        # datatrove only uses local_rank to pick the console log level: 0 -> INFO, else ERROR
        return super()._run_for_rank(rank, local_rank if self.verbose else 1, node_rank)

    def run(self) -> PipelineStats | None:
        if self.verbose:
            return super().run()
        from loguru import logger

        # datatrove logs summaries at INFO/SUCCESS and a failing task's traceback at ERROR; a quiet
        # run shows neither (the CLI prints one line; --verbose brings datatrove's logs back)
        logger.disable("datatrove")
        try:
            return super().run()
        finally:
            logger.enable("datatrove")


@dataclass
class RunResult:
    output: Path
    stats: dict[str, Any]


def run(
    builder: DatasetBuilder,
    shards: list[Path],
    policy: Policy,
    output: Path,
    *,
    tasks: int | None = None,
    workers: int = 1,
    progress: bool = True,
    verbose: bool = False,
    overwrite: bool = False,
) -> RunResult:
    """Build a dataset folder. Re-running into the same folder resumes: completed tasks are skipped."""
    output = Path(output)
    if not shards:
        raise InputError("nothing to read: no input shards")
    tasks = tasks or min(len(shards), 16)
    if tasks < 1 or workers < 1:
        raise ClojureDataError("--tasks and --workers must be >= 1")
    _prepare_output(output, _run_identity(builder, shards, for_source(policy, builder), tasks), overwrite)
    steps = build_steps(builder, shards, policy, output, progress=progress and workers == 1)
    executor = QuietableExecutor(
        steps,
        tasks=tasks,
        workers=min(workers, tasks),
        logging_dir=str(output / LOGS),
        start_method="fork" if workers > 1 else "forkserver",
        verbose=verbose,
    )
    executor.run()
    stats = finalize_output(output, builder, policy)
    return RunResult(output, stats)


def _run_identity(builder: DatasetBuilder, shards: list[Path], policy: Policy, tasks: int) -> dict[str, Any]:
    return {
        "source": builder.name,
        "config": dataclasses.asdict(builder.config),
        "shards": [str(s) for s in shards],
        "policy": policy.to_dict()["sha256"],
        "tasks": tasks,
    }


def _prepare_output(output: Path, identity: dict[str, Any], overwrite: bool) -> None:
    marker = output / LOGS / "run.json"
    if output.exists() and overwrite:
        shutil.rmtree(output)
    if marker.is_file():
        previous = json.loads(marker.read_text(encoding="utf-8"))
        if previous == identity:
            return  # resume: datatrove skips the tasks it marked completed
        raise ClojureDataError(
            f"{output} holds a different run (other input, policy or --tasks);"
            " use --overwrite or a new --output"
        )
    if output.exists() and any(output.iterdir()):
        raise ClojureDataError(f"{output} exists and is not empty; use --overwrite or a new --output")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(identity, indent=2, sort_keys=True), encoding="utf-8")
    (output / "data").mkdir(exist_ok=True)


def finalize_output(output: Path, builder: DatasetBuilder, policy: Policy) -> dict[str, Any]:
    """Merge per-task stats into ``stats.json``, make sure ``data/`` loads, render the datasheet."""
    policy = for_source(policy, builder)
    steps = _merged_step_totals(output / LOGS / "stats")
    reader_totals, pass_totals = steps[0], steps[1:-1]
    data_files = sorted((output / "data").glob("*.parquet"))
    if not data_files:
        # every record was dropped: a schema-only file keeps data/ self-describing for pyarrow and
        # pandas; datasets.load_dataset refuses empty splits, so push refuses such a folder
        import pyarrow.parquet as pq

        pq.ParquetWriter(output / "data" / "train-00000.parquet", builder.schema).close()
        data_files = sorted((output / "data").glob("*.parquet"))
    built = policy.build_passes()
    stats = {
        "format_version": FORMAT_VERSION,
        "dataset": {
            "name": builder.name,
            "description": builder.description,
            "homepage": builder.homepage,
            "license": builder.license,
            "kind": builder.kind.value,
            "card": dataclasses.asdict(builder.card) if hasattr(builder, "card") else {},
        },
        "policy": policy.to_dict(),
        "input": {
            "shards": int(reader_totals.get("shards", 0)),
            "records": int(reader_totals.get("records", 0)),
            "rejected": int(reader_totals.get("rejected", 0)),
            "rejected_by_reason": _by_prefix(reader_totals, "rejected:"),
            "repaired": _by_prefix(reader_totals, "repaired:"),
            "rejected_rows": _rows_by_reason(reader_totals),
        },
        "passes": [
            {"name": step.name, "backend": step.backend(), **summarize_stats(totals)}
            for step, totals in zip(built, pass_totals, strict=True)
        ],
        "output": {
            "records": _count_rows(data_files),
            "files": [f.relative_to(output).as_posix() for f in data_files],
            "num_bytes": sum(f.stat().st_size for f in data_files),
        },
        "rejected": _rejected_summary(output),
    }
    (output / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    from .cards import render_card

    render_card(output)
    return stats


def _merged_step_totals(stats_dir: Path) -> list[dict[str, float]]:
    """Sum datatrove's per-task stats files (all tasks, including ones completed by an earlier run)."""
    merged: list[dict[str, float]] = []
    for path in sorted(stats_dir.glob("*.json")):
        for i, step in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            if i == len(merged):
                merged.append({})
            for label, value in step.get("stats", {}).items():
                total = value["total"] if isinstance(value, dict) else value
                merged[i][label] = merged[i].get(label, 0) + total
    if not merged:
        raise ClojureDataError(f"no task statistics under {stats_dir}: the run did not complete")
    return merged


def _by_prefix(totals: dict[str, float], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: int(v) for k, v in sorted(totals.items()) if k.startswith(prefix)}


def _rows_by_reason(totals: dict[str, float]) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for label, value in sorted(totals.items()):
        if label.startswith("rows:"):
            _, reason, key = label.split(":", 2)
            rows.setdefault(reason, {})[key] = int(value)
    return rows


def _count_rows(files: list[Path]) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def _rejected_summary(output: Path) -> dict[str, Any]:
    files = sorted((output / "rejected").glob("*.jsonl")) if (output / "rejected").is_dir() else []
    total = 0
    for f in files:
        with f.open("rb") as fh:
            total += sum(1 for _ in fh)
    return {"total": total, "files": [f.relative_to(output).as_posix() for f in files]}
