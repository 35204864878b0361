"""Throughput of the clojurians-forum reader: topics/s, posts/s and peak RSS.

Reads every JSON file of a folder (default: the real Discourse samples in
``../shared/realdata/discourse``, else the shipped sample) ``--repeat`` times through
``ClojuriansForum.read`` exactly as the pipeline does (JSON parse, HTML to text, records and
rejections), and prints one line per folder. Figures are recorded in docs/benchmarks/clojurians-forum.md.

    python benchmarks/readers_clojurians_forum.py --repeat 200
    python benchmarks/readers_clojurians_forum.py --path sources/clojurians_forum --repeat 500
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

from clojure_data.record import rejection_reason
from clojure_data.sources.clojurians_forum import ClojuriansForum

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "discourse"


def measure(path: Path, repeat: int) -> dict[str, float]:
    """Read ``path``'s shards ``repeat`` times; counts are per full pass times ``repeat``."""
    builder = ClojuriansForum()
    shards = builder.shards(path)
    size = sum(s.stat().st_size for s in shards)
    topics = posts = rejected = listed = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for shard in shards:
            for doc in builder.read(shard):
                reason = rejection_reason(doc)
                if reason == "listed_topic_without_posts":
                    listed += 1  # a /latest.json entry: a topic id, not a post
                elif reason:
                    rejected += 1
                else:
                    topics += 1
                    posts += len(doc.metadata["messages"])
    seconds = time.perf_counter() - start
    return {
        "files": len(shards) * repeat,
        "topics": topics,
        "posts": posts,
        "rejected": rejected,
        "listed": listed,
        "seconds": seconds,
        "mb_per_s": size * repeat / seconds / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, action="append", help="folder or file of Discourse JSON")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    paths = args.path or [p for p in (REAL, ClojuriansForum().sample_dir()) if p.exists()]
    print(f"python {platform.python_version()} on {platform.machine()}, repeat={args.repeat}")
    for path in paths:
        r = measure(path, args.repeat)
        print(
            f"{path}: {r['files']:,} files, {r['topics']:,} topics, {r['posts']:,} posts kept, "
            f"{r['rejected']:,} posts rejected, {r['listed']:,} listing entries in {r['seconds']:.2f} s -> "
            f"{r['topics'] / r['seconds']:,.0f} topics/s, "
            f"{(r['posts'] + r['rejected']) / r['seconds']:,.0f} posts/s (kept + rejected), "
            f"{r['mb_per_s']:.2f} MB/s of JSON"
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"peak RSS: {peak_kib / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
