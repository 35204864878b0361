"""Leak benchmark: plant Faker PII in Clojure chat (``leakgen``), run the privacy passes, count leaks.

    python benchmarks/privacy_leaks.py [--n 600] [--seed 0] [--json out.json]

The passes are the default policy's (``policies/default.toml``, loaded with
``clojure_data.policy.load_policy``): every pass after ``garbage``, in the policy's order and with
its settings (secrets -> anonymize -> pii -> likeness at the time of writing), run in-process.
Reported:

* per planted type: planted, leaked (the exact planted string is still in the output), recall
  (1 - leaked/planted), and precision (planted values replaced / replacements the pii pass
  counted for that type: replacements beyond the planted ones are false positives);
* person names: also "surname kept" (the last name still in the output as a word);
* the share of PII-free code blocks and sentences left byte-identical, code blocks with PII
  that still parse (tree-sitter Clojure), and survival of allowlisted authors, private IPs and
  project addresses.

Targets (issue 4): zero leaked e-mails, phones, cards, national ids, public IPs and secrets;
>= 95% of names replaced; 100% of PII-free code identical; allowlisted values kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leakgen import PLANTED_TYPES, Case, generate  # noqa: E402

from clojure_data.passes.base import Pass  # noqa: E402
from clojure_data.policy import Policy, load_policy  # noqa: E402
from clojure_data.privacy.literals import clojure_parses  # noqa: E402
from clojure_data.privacy.pii_detect import ENTITY_TYPES  # noqa: E402
from clojure_data.record import make_record  # noqa: E402

ZERO_LEAK = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "NATIONAL_ID", "IP_ADDRESS", "SECRET"]
COUNT_LABEL = ENTITY_TYPES  # entity type -> the label the pii pass counts it under
BENCH_SALT = "benchmark-salt-not-secret-0123456789"
POLICY = "default"
FIRST_PRIVACY_PASS_AFTER = "garbage"


def privacy_policy(names: list[str] | None = None) -> Policy:
    """The default policy's privacy passes: everything after ``garbage``, its order and settings.

    ``names`` keeps only those passes (``["pii"]``), still with the policy's settings.
    """
    policy = load_policy(POLICY)
    specs = policy.passes
    order = [spec.name for spec in specs]
    if FIRST_PRIVACY_PASS_AFTER in order:
        specs = specs[order.index(FIRST_PRIVACY_PASS_AFTER) + 1 :]
    if names is not None:
        specs = [spec for spec in specs if spec.name in names]
    return dataclasses.replace(policy, passes=specs)


def privacy_passes(names: list[str] | None = None) -> list[Pass]:
    """Fresh instances of the default policy's privacy passes (see ``privacy_policy``)."""
    os.environ.setdefault("CLOJURE_DATA_SALT", BENCH_SALT)
    return privacy_policy(names).build_passes()


def run_passes(passes: list[Pass], texts: list[str]) -> list[str]:
    docs = [make_record(f"leak-{i}", t, source="leakbench", kind="document") for i, t in enumerate(texts)]
    stream: Any = iter(docs)
    for p in passes:
        stream = p.apply(stream)
    out = {d.id: d.text for d in stream}
    return [out.get(f"leak-{i}", "") for i in range(len(texts))]  # a dropped record leaks nothing


def evaluate(
    cases: list[Case], outputs: list[str], replaced_counts: dict[str, int] | None = None
) -> dict[str, Any]:
    per: dict[str, Counter[str]] = {t: Counter() for t in PLANTED_TYPES}
    other: Counter[str] = Counter()
    for case, out in zip(cases, outputs, strict=True):
        for p in case.planted:
            c = per[p.entity]
            c["planted"] += 1
            c["in_code" if p.in_code else "in_prose"] += 1
            if p.value in out:
                c["leaked"] += 1
                c["leaked_in_code" if p.in_code else "leaked_in_prose"] += 1
            elif p.entity == "PERSON" and re.search(
                r"(?<!\w)" + re.escape(p.value.split()[-1]) + r"(?!\w)", out
            ):
                c["surname_kept"] += 1
        _structure(case, out, other)
    report: dict[str, Any] = {"types": {}, "code": {}, "kept": {}}
    for entity, c in per.items():
        row: dict[str, Any] = {
            k: c[k]
            for k in (
                "planted",
                "in_prose",
                "in_code",
                "leaked",
                "leaked_in_prose",
                "leaked_in_code",
                "surname_kept",
            )
        }
        row["recall"] = 1 - c["leaked"] / c["planted"] if c["planted"] else None
        label = COUNT_LABEL.get(entity)
        if replaced_counts is not None and label and replaced_counts.get(label):
            row["precision"] = min(1.0, (c["planted"] - c["leaked"]) / replaced_counts[label])
        report["types"][entity] = row
    report["code"] = {
        "clean_blocks": other["clean_code"],
        "clean_blocks_identical": other["clean_code_same"],
        "pii_blocks_parse_before": other["pii_code_parsed"],
        "pii_blocks_parse_after": other["pii_code_parses"],
        "clean_sentences": other["clean_prose"],
        "clean_sentences_identical": other["clean_prose_same"],
    }
    report["kept"] = {
        k: {"planted": other[f"kept_{k}"], "kept": other[f"kept_{k}_ok"]}
        for k in ("author", "private_ip", "project_email")
    }
    return report


_FENCED = re.compile(r"```\n(.*?)\n```", re.DOTALL)


def _structure(case: Case, out: str, c: Counter[str]) -> None:
    for block in case.clean_code:
        c["clean_code"] += 1
        c["clean_code_same"] += block in out
    for sentence in case.clean_prose:
        c["clean_prose"] += 1
        c["clean_prose_same"] += sentence in out
    for kind, sentence in case.kept:
        c[f"kept_{kind}"] += 1
        c[f"kept_{kind}_ok"] += sentence in out
    planted_blocks = [b for b in _FENCED.findall(case.text) if f"```\n{b}\n```" not in case.clean_code]
    after = [b for b in _FENCED.findall(out) if f"```\n{b}\n```" not in case.clean_code]
    for before_block, after_block in zip(planted_blocks, after, strict=False):
        if clojure_parses(before_block):
            c["pii_code_parsed"] += 1
            c["pii_code_parses"] += bool(clojure_parses(after_block))


def print_report(report: dict[str, Any], title: str) -> None:
    print(f"\n{title}")
    print(f"{'type':<16}{'planted':>8}{'prose':>7}{'code':>6}{'leaked':>8}{'recall':>8}{'precision':>10}")
    for entity, row in report["types"].items():
        recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        precision = f"{row['precision']:.3f}" if row.get("precision") is not None else "-"
        print(
            f"{entity:<16}{row['planted']:>8}{row['in_prose']:>7}{row['in_code']:>6}{row['leaked']:>8}{recall:>8}{precision:>10}"
        )
    person = report["types"]["PERSON"]
    print(f"person names: surname still present in {person['surname_kept']} of {person['planted']}")
    code = report["code"]
    print(
        f"PII-free code blocks identical: {code['clean_blocks_identical']}/{code['clean_blocks']}; "
        f"PII-free sentences identical: {code['clean_sentences_identical']}/{code['clean_sentences']}; "
        f"code with PII still parsing: {code['pii_blocks_parse_after']}/{code['pii_blocks_parse_before']}"
    )
    print("kept: " + ", ".join(f"{k} {v['kept']}/{v['planted']}" for k, v in report["kept"].items()))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=600, help="records to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    cases = generate(args.n, args.seed)
    passes = privacy_passes()
    start = time.perf_counter()
    outputs = run_passes(passes, [c.text for c in cases])
    seconds = time.perf_counter() - start
    pii = next((p for p in passes if p.name == "pii"), None)
    counts = pii.report()["counts"] if pii is not None else {}
    report = evaluate(cases, outputs, counts)
    report["passes"] = [p.name for p in passes]
    report["backends"] = {p.name: p.backend() for p in passes}
    report["records"], report["seconds"] = len(cases), round(seconds, 2)
    title = f"{len(cases)} records, seed {args.seed}, policy {POLICY}: {' -> '.join(report['passes'])}"
    print_report(report, title)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
