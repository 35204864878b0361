"""Throughput benchmark: our privacy passes vs presidio used naively, same model, same run.

    python benchmarks/privacy_throughput.py [--limit N] [--planted 300] [--repeat 3] [--write-docs]

Documents: the message texts of the real Clojurians Slack logs in
``../shared/realdata/clojurians/logs/*.txt`` (one JSON event per line; plain ``message`` events
with text), each a ``document`` record.

* **ours**: the default policy's privacy passes (``policies/default.toml`` after ``garbage``, in
  its order and with its settings: ``privacy_leaks.privacy_passes``), run in-process over all
  documents (``pii`` alone, with the policy's settings, is timed too);
* **anchor**: presidio as its README shows it, document by document:
  ``AnalyzerEngine.analyze(text, language="en")`` with the default recognizers and the same
  spaCy model, then ``AnonymizerEngine.anonymize(text, results)`` (default ``<TYPE>`` operator).

Both also run on a planted set (``leakgen``, ``--planted`` records) and report their leak rate:
planted PII values (all types but secrets, which presidio does not look for) still present.
Models are loaded before timing starts. The three timings are taken ``--repeat`` times,
interleaved (ours, pii, anchor, ours, ...) so that load from other jobs on a shared machine hits
all of them alike, each repetition with fresh pass instances; reported: the median docs/s of each
and the median of the per-repetition ratios. ``--write-docs`` rewrites the figures section of
docs/privacy-benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leakgen import generate  # noqa: E402
from privacy_leaks import evaluate, privacy_passes, run_passes  # noqa: E402

from clojure_data.privacy.presidio_engine import naive_engines  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT.parent / "shared" / "realdata" / "clojurians" / "logs"
DOC = ROOT / "docs" / "privacy-benchmarks.md"
MARK = "<!-- throughput figures: written by benchmarks/privacy_throughput.py --write-docs -->"


def clojurians_texts(logs: Path = LOGS) -> list[str]:
    texts = []
    for path in sorted(logs.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            if event.get("type") == "message" and "subtype" not in event and event.get("text"):
                texts.append(event["text"])
    return texts


def run_anchor(engines: tuple[Any, Any], texts: list[str]) -> list[str]:
    analyzer, anonymizer = engines
    return [
        anonymizer.anonymize(text=t, analyzer_results=analyzer.analyze(text=t, language="en")).text
        for t in texts
    ]


def timed(fn: Any, *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def leak_rate(report: dict[str, Any]) -> tuple[int, int]:
    rows = [row for entity, row in report["types"].items() if entity != "SECRET"]
    return sum(r["leaked"] for r in rows), sum(r["planted"] for r in rows)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="use the first N documents (0: all)")
    parser.add_argument("--planted", type=int, default=300, help="planted records for the leak rate")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (median reported)")
    parser.add_argument(
        "--write-docs", action="store_true", help="write the figures into docs/privacy-benchmarks.md"
    )
    args = parser.parse_args(argv)
    if not LOGS.is_dir():
        sys.exit(f"no Clojurians logs at {LOGS}")
    texts = clojurians_texts()
    texts = texts[: args.limit] if args.limit else texts
    engines = naive_engines()
    run_anchor(engines, ["warm up John Smith john@example.com"])
    run_passes(privacy_passes(), ["warm up John Smith"])  # loads the spaCy model once
    runs = [time_once(engines, texts, i + 1) for i in range(max(1, args.repeat))]
    cases = generate(args.planted, seed=7)
    planted = [c.text for c in cases]
    leak_ours = leak_rate(evaluate(cases, run_passes(privacy_passes(), planted)))
    leak_anchor = leak_rate(evaluate(cases, run_anchor(engines, planted)))
    result = {
        "documents": len(texts),
        "chars": sum(map(len, texts)),
        "passes": [p.name for p in privacy_passes()],
        "runs": runs,
        **{key: statistics.median(r[key] for r in runs) for key in runs[0] if key != "repetition"},
        "leaks_ours": leak_ours,
        "leaks_anchor": leak_anchor,
        "machine": f"{platform.processor() or platform.machine()}, {_cores()} cores, Python {platform.python_version()}",  # noqa: E501
        "date": datetime.date.today().isoformat(),
        "command": "python benchmarks/privacy_throughput.py"
        + (f" --limit {args.limit}" if args.limit else "")
        + f" --repeat {args.repeat}",
    }
    print_table(result)
    if args.write_docs:
        write_docs(result)
    return result


def time_once(engines: tuple[Any, Any], texts: list[str], repetition: int) -> dict[str, float]:
    """One interleaved timing of ours, pii alone and the anchor (fresh pass instances)."""
    ours, pii = privacy_passes(), privacy_passes(["pii"])
    _, t_ours = timed(run_passes, ours, texts)
    _, t_pii = timed(run_passes, pii, texts)
    _, t_anchor = timed(run_anchor, engines, texts)
    n = len(texts)
    run = {
        "repetition": repetition,
        "ours_docs_per_s": n / t_ours,
        "pii_docs_per_s": n / t_pii,
        "anchor_docs_per_s": n / t_anchor,
        "ratio": t_anchor / t_ours,
    }
    print(
        f"repetition {repetition}: ours {run['ours_docs_per_s']:.0f} docs/s, pii {run['pii_docs_per_s']:.0f},"
        f" anchor {run['anchor_docs_per_s']:.0f}, ratio {run['ratio']:.1f}x",
        flush=True,
    )
    return run


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def table(r: dict[str, Any]) -> str:
    lo, po = r["leaks_ours"]
    la, pa = r["leaks_anchor"]
    rows = [
        "| pipeline | docs/s | leaked planted PII |",
        "| --- | ---: | ---: |",
        f"| ours: {' -> '.join(r['passes'])} | {r['ours_docs_per_s']:.0f} | {lo}/{po} ({lo / po:.1%}) |",
        f"| ours: pii alone | {r['pii_docs_per_s']:.0f} | |",
        f"| anchor: presidio analyze + anonymize, doc by doc | {r['anchor_docs_per_s']:.0f} | {la}/{pa} ({la / pa:.1%}) |",  # noqa: E501
    ]
    per_run = ", ".join(f"{run['ratio']:.1f}x" for run in r["runs"])
    return (
        "\n".join(rows)
        + f"\n\nRatio (ours / anchor, full privacy passes): **{r['ratio']:.1f}x**, the median of"
        f" {len(r['runs'])} interleaved repetitions ({per_run}) on {r['documents']} documents"
        f" ({r['chars']:,} characters); docs/s are medians too."
    )


def print_table(r: dict[str, Any]) -> None:
    print(table(r))
    print(f"machine: {r['machine']}; date: {r['date']}\ncommand: {r['command']}")


def write_docs(r: dict[str, Any]) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.is_file() else MARK + "\n"
    head = text.split(MARK)[0]
    tail = text.split(MARK)[2] if text.count(MARK) >= 2 else ""
    body = (
        f"{MARK}\n\n{table(r)}\n\nMachine: {r['machine']} (shared with other jobs). Date: {r['date']}."
        f" Command: `{r['command']}`.\n\n{MARK}"
    )
    DOC.write_text(head + body + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
