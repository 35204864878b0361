"""Throughput of the clojurians-chat reader: events/s, records/s and peak RSS.

Reads a clojurians-log archive (default: the real demo data in ``../shared/realdata/clojurians``,
else the shipped sample) ``--repeat`` times through ``ClojuriansChat.read`` exactly as the pipeline
does (JSON lines, classification, ownership, folding, markup decoding, records and rejections),
once with the default channel selection and once with every channel. The first pass is reported
apart: it parses users.edn/channels.edn and scans for late deletions, which a process does once
(both are cached). Rates are per CPU second of the warm passes (``time.process_time``: steadier than
wall time on a shared machine); wall seconds are printed too. Also times the EDN table parse
alone. Figures: docs/benchmarks/clojurians-chat.md.

    python benchmarks/readers_clojurians_chat.py --repeat 20
    python benchmarks/readers_clojurians_chat.py --path sources/clojurians_chat --repeat 200
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from pathlib import Path
from typing import Any

from clojure_data.record import rejection_reason
from clojure_data.slack import directory as slack_directory
from clojure_data.slack import logs as slack_logs
from clojure_data.sources.clojurians_chat import ClojuriansChat

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "clojurians"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def count_events(root: Path) -> int:
    return sum(
        1 for p in (root / "logs").glob("*.txt") for line in p.read_bytes().split(b"\n") if line.strip()
    )


def one_pass(builder: ClojuriansChat, root: Path) -> tuple[int, int, int]:
    records = rejected = messages = 0
    for shard in builder.shards(root):
        for doc in builder.read(shard):
            if rejection_reason(doc):
                rejected += 1
            else:
                records += 1
                messages += len(doc.metadata["messages"])
    return records, messages, rejected


def clear_caches() -> None:
    slack_directory._load_edn.cache_clear()
    slack_logs._deletion_index.cache_clear()


def measure(root: Path, repeat: int, settings: dict[str, Any]) -> dict[str, float]:
    builder = ClojuriansChat(**settings)
    events = count_events(root)
    clear_caches()
    started = time.perf_counter()
    records, messages, rejected = one_pass(builder, root)
    cold = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        one_pass(builder, root)
    warm = (time.perf_counter() - started) / max(repeat, 1)
    warm_cpu = (time.process_time() - cpu) / max(repeat, 1)
    return {
        "events": events, "records": records, "messages": messages, "rejected": rejected,
        "cold_s": cold, "warm_s": warm, "warm_cpu_s": warm_cpu,
        "events_per_s": events / warm_cpu, "records_per_s": records / warm_cpu,
    }  # fmt: skip


def edn_parse_seconds(root: Path) -> tuple[float, float]:
    clear_caches()
    size = (root / "users.edn").stat().st_size / 2**20
    started = time.perf_counter()
    slack_directory.load_edn_directory(root)
    return size, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=REAL if REAL.is_dir() else ClojuriansChat.sample_dir())
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    baseline = peak_rss_mib()  # the interpreter with its imports (pyarrow, datatrove), before reading
    print(f"# {args.path} | python {platform.python_version()} | {platform.machine()} | repeat {args.repeat}")
    print(
        "| channels | events | records | messages | rejected | cold pass s | warm pass s (wall / cpu) ",
        end="",
    )
    print("| events/s | records/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, settings in [("default", {}), ("all (*)", {"channels": ["*"]})]:
        m = measure(args.path, args.repeat, settings)
        print(
            f"| {label} | {m['events']:,} | {m['records']:,} | {m['messages']:,} | {m['rejected']:,} | "
            f"{m['cold_s']:.3f} | {m['warm_s']:.3f} / {m['warm_cpu_s']:.3f} | "
            f"{m['events_per_s']:,.0f} | {m['records_per_s']:,.0f} |"
        )
    size, seconds = edn_parse_seconds(args.path)
    print(f"\nusers.edn + channels.edn parse (edn_format): {size:.2f} MiB users.edn in {seconds:.3f} s")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB (after imports, before reading: {baseline:.0f} MiB)")


if __name__ == "__main__":
    main()
