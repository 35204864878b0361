"""Throughput of the clojure-blogs reader: feed entries per second and peak memory.

Reads a real RSS feed (default: ../shared/realdata/rss/rss_entries.xml) ``--repeat`` times through
``ClojureBlogs.read`` (feedparser + HTML cleaning + rendering) and, with ``--articles``, times the
article-page extraction (trafilatura + our code blocks) on a synthetic blog page. Prints one line
per measurement; peak RSS is the process's maximum resident set size.

    python benchmarks/readers_clojure_blogs.py --repeat 50 --articles 200 [--article-paragraphs 200]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from clojure_data.feeds.html import extract_article
from clojure_data.record import rejection_reason
from clojure_data.registry import sources

DEFAULT_FEED = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "rss" / "rss_entries.xml"

PARAGRAPH = (
    "<p>Persistent data structures share structure between versions, so an update costs a path copy "
    "rather than a full copy. <code>assoc</code> on a vector touches log32(n) nodes.</p>"
)
CODE = '<pre><code class="language-clojure">(defn step [state event]\n\n  (update state :n inc))</code></pre>'


def article_page(paragraphs: int = 12) -> str:
    body = (PARAGRAPH + CODE) * (paragraphs // 2)
    return (
        "<html><head><title>Post</title><script>track()</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/archive'>Archive</a></nav>"
        f"<article><h1>Persistent vectors</h1>{body}</article>"
        "<footer>Copyright 2024</footer></body></html>"
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bench_feed(path: Path, repeat: int) -> None:
    builder = sources.get("clojure-blogs")()
    records = rejected = 0
    started = time.perf_counter()
    for _ in range(repeat):
        for doc in builder.read(path):
            if rejection_reason(doc) is None:
                records += 1
            else:
                rejected += 1
    elapsed = time.perf_counter() - started
    entries = records + rejected
    print(
        f"feed {path.name}: {entries} entries ({records} records, {rejected} rejections) in {elapsed:.2f} s "
        f"= {entries / elapsed:,.0f} entries/s, {path.stat().st_size * repeat / elapsed / 1e6:.2f} MB/s; "
        f"peak RSS {peak_rss_mib():.0f} MiB"
    )


def bench_articles(count: int, paragraphs: int) -> None:
    page = article_page(paragraphs)
    started = time.perf_counter()
    chars = sum(len(extract_article(page, "https://blog.example.org/post")) for _ in range(count))
    elapsed = time.perf_counter() - started
    print(
        f"article pages ({len(page):,} bytes each): {count} in {elapsed:.2f} s "
        f"= {count / elapsed:,.1f} pages/s, "
        f"{chars // count:,} chars of text each; peak RSS {peak_rss_mib():.0f} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed", type=Path, default=DEFAULT_FEED, help="RSS/Atom file to read")
    parser.add_argument("--repeat", type=int, default=50, help="times to read the feed")
    parser.add_argument("--articles", type=int, default=0, help="article pages to extract (0: skip)")
    parser.add_argument("--article-paragraphs", type=int, default=12, help="prose + code pairs per page, x2")
    args = parser.parse_args(argv)
    if not args.feed.is_file():
        print(f"feed not found: {args.feed} (pass --feed)", file=sys.stderr)
        return 2
    bench_feed(args.feed, args.repeat)
    if args.articles:
        bench_articles(args.articles, args.article_paragraphs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
