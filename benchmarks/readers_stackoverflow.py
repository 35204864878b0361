"""Throughput and peak memory of the stackoverflow reader on a >= 1 GB Posts.xml.

Builds a big dump in a temporary folder by tiling the rows of a real dump (default: the
history.meta.stackexchange.com dump in ``../shared/realdata/stackexchange``) ``n`` times with
renumbered ids (``Id``, ``ParentId``, ``AcceptedAnswerId``, ``PostId``, so every copy is a
consistent site of its own: answers and comments still join), until Posts.xml reaches ``--gb``.
Users.xml is copied once (the copies share their users). Then each scenario runs the reader in a
fresh subprocess (``StackOverflow.read`` exactly as the pipeline's reader step calls it; passes and
writers excluded) and reports rows/s and the subprocess's peak RSS (``ru_maxrss``). The temporary
folder is deleted at the end. Figures: docs/benchmarks/stackoverflow.md.

    python benchmarks/readers_stackoverflow.py                 # 1 GB, plain XML
    python benchmarks/readers_stackoverflow.py --gb 0.2 --7z   # also through .7z archives
    python benchmarks/readers_stackoverflow.py --real-only     # the real dump as it is
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "stackexchange"
SCENARIOS = {
    "scan (nothing selected)": ["history"],  # a tag the site does not use: Posts/Comments scan only
    "discussion (84% of questions)": ["discussion"],
    "every question (*)": ["*"],
}
_ID_ATTRS = {
    "posts": ("Id", "ParentId", "AcceptedAnswerId"),
    "comments": ("Id", "PostId"),
}


def _rows(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [line for line in text.splitlines() if line.lstrip().startswith("<row ")]


def _shift(row: str, attrs: tuple[str, ...], offset: int) -> str:
    pattern = re.compile(rf'\b({"|".join(attrs)})="(\d+)"')
    return pattern.sub(lambda m: f'{m[1]}="{int(m[2]) + offset}"', row)


def build_dump(source: Path, dest: Path, gigabytes: float) -> dict[str, int]:
    """Tile ``source``'s Posts and Comments into ``dest`` until Posts.xml is ``gigabytes`` big."""
    dest.mkdir(parents=True, exist_ok=True)
    posts, comments = _rows(source / "Posts.xml"), _rows(source / "Comments.xml")
    stride = 1 + max(int(m[1]) for r in posts + comments for m in [re.search(r'\bId="(\d+)"', r)] if m)
    chunk = sum(len(r.encode()) + 1 for r in posts)
    copies = max(1, int(gigabytes * 2**30 / chunk) + 1)
    for name, rows in (("posts", posts), ("comments", comments)):
        with (dest / f"{name.capitalize()}.xml").open("w", encoding="utf-8") as out:
            out.write(f'\ufeff<?xml version="1.0" encoding="utf-8"?>\n<{name}>\n')
            for k in range(copies):
                out.write("\n".join(_shift(r, _ID_ATTRS[name], k * stride) for r in rows) + "\n")
            out.write(f"</{name}>\n")
    shutil.copy(source / "Users.xml", dest / "Users.xml")
    return {"copies": copies, "post_rows": copies * len(posts), "comment_rows": copies * len(comments)}


def to_7z(dump: Path, dest: Path) -> None:
    """Stack Overflow's layout: one bzip2 .7z per table (what archive.org publishes)."""
    import py7zr

    dest.mkdir(parents=True, exist_ok=True)
    for name in ("Posts", "Comments", "Users"):
        with py7zr.SevenZipFile(
            dest / f"bench.example.com-{name}.7z", "w", filters=[{"id": py7zr.FILTER_BZIP2}]
        ) as z:
            z.write(dump / f"{name}.xml", f"{name}.xml")


def child(path: str, tags: list[str]) -> None:
    """Runs in the subprocess: read every shard, print counts, seconds and peak RSS as JSON."""
    from clojure_data.record import rejection_reason
    from clojure_data.sources.stackoverflow import StackOverflow

    builder = StackOverflow(tags=tags, site="bench.example.com")
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    records = rejected = messages = accounted = 0
    for shard in builder.shards(Path(path)):
        for doc in builder.read(shard):
            if rejection_reason(doc):
                rejected += 1
                accounted += doc.metadata["post_rows"]
            else:
                records += 1
                messages += len(doc.metadata["messages"])
                accounted += sum(role != "comment" for role in doc.metadata["extra"]["roles"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "records": records, "messages": messages, "rejections": rejected, "post_rows_accounted": accounted,
        "wall_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu,
        "import_rss_mib": base_rss / 1024, "peak_rss_mib": peak / 1024,
    }  # fmt: skip
    print(json.dumps(result))


def run(path: Path, tags: list[str]) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", str(path), "--tags", json.dumps(tags)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(label: str, path: Path, rows: dict[str, int], size_mib: float) -> None:
    print(f"\n## {label}: {path} ({size_mib:,.0f} MiB Posts.xml, {rows['post_rows']:,} posts, "
          f"{rows['comment_rows']:,} comments)")  # fmt: skip
    print(
        "| selection | records | messages | wall s | cpu s | post rows/s | MiB/s | peak RSS MiB (imports) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, tags in SCENARIOS.items():
        m = run(path, tags)
        assert m["post_rows_accounted"] == rows["post_rows"], (m, rows)  # no silent loss, at scale too
        print(
            f"| {name} | {m['records']:,} | {m['messages']:,} | {m['wall_s']:.1f} | {m['cpu_s']:.1f} | "
            f"{rows['post_rows'] / m['wall_s']:,.0f} | {size_mib / m['wall_s']:.1f} | "
            f"{m['peak_rss_mib']:.0f} ({m['import_rss_mib']:.0f}) |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REAL, help="a real dump folder to tile")
    parser.add_argument("--gb", type=float, default=1.0, help="size of the tiled Posts.xml")
    parser.add_argument("--7z", dest="seven_zip", action="store_true", help="also read it from .7z archives")
    parser.add_argument("--real-only", action="store_true", help="only the source dump as it is")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--tags", default='["*"]', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, json.loads(args.tags))
        return
    print(f"# python {platform.python_version()} | {platform.machine()} | {platform.platform()}")
    real_rows = {"post_rows": len(_rows(args.source / "Posts.xml")),
                 "comment_rows": len(_rows(args.source / "Comments.xml"))}  # fmt: skip
    report("real dump", args.source, real_rows, (args.source / "Posts.xml").stat().st_size / 2**20)
    if args.real_only:
        return
    with tempfile.TemporaryDirectory(prefix="so-bench-") as tmp:
        started = time.perf_counter()
        dump = Path(tmp) / "plain"
        rows = build_dump(args.source, dump, args.gb)
        size = (dump / "Posts.xml").stat().st_size / 2**20
        print(f"\nbuilt {rows['copies']} copies in {time.perf_counter() - started:.0f} s", flush=True)
        report("tiled dump, plain XML", dump, rows, size)
        if args.seven_zip:
            started = time.perf_counter()
            to_7z(dump, Path(tmp) / "7z")
            print(f"\ncompressed to .7z (bzip2) in {time.perf_counter() - started:.0f} s", flush=True)
            shutil.rmtree(dump)
            report("tiled dump, per-table .7z (bzip2)", Path(tmp) / "7z", rows, size)


if __name__ == "__main__":
    main()
