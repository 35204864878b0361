"""datatrove's own filters and formatters as policy passes, with our counting and rejection log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clojure_data.builder import CardInfo, DatasetBuilder
from clojure_data.errors import PolicyError
from clojure_data.passes.datatrove_step import DatatroveStepPass
from clojure_data.pipeline import run
from clojure_data.policy import parse_policy
from clojure_data.record import Document, RecordKind, make_record


def _docs(*texts: str) -> list[Document]:
    return [make_record(f"d{i}", t, source="t", kind="document") for i, t in enumerate(texts)]


def test_filter_drops_with_the_step_reason() -> None:
    step = DatatroveStepPass(
        step="datatrove.pipeline.filters.regex_filter.RegexFilter", args={"regex_exp": "spam"}
    )
    kept = list(step.apply(_docs("(defn f [])", "buy spam now")))
    assert [d.id for d in kept] == ["d0"]
    report = step.report()
    assert report["in"] == 2 and report["kept"] == 1
    assert list(report["dropped"]) == ["RegexFilter:filtered"]


def test_formatter_counts_changes() -> None:
    step = DatatroveStepPass(step="datatrove.pipeline.formatters.symbol_lines_remover.SymbolLinesFormatter")
    out = list(step.apply(_docs("text\n|||\nmore", "plain")))
    assert "|||" not in out[0].text and out[1].text == "plain"
    assert step.report()["changed"] == 1 and step.report()["kept"] == 1


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"step": "nope"}, "dotted class path"),
        ({"step": "datatrove.pipeline.filters.NoSuchFilter"}, "cannot import"),
        ({"step": "datatrove.pipeline.writers.jsonl.JsonlWriter"}, "not a datatrove BaseFilter"),
        ({"step": "datatrove.pipeline.filters.regex_filter.RegexFilter", "args": {"bad": 1}}, "bad args"),
    ],
)
def test_bad_steps_fail_when_the_policy_loads(entry: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        policy = parse_policy({"passes": [{"pass": "datatrove", **entry}]})
        policy.build_passes()


class _Lines(DatasetBuilder):
    name = "lines"
    kind = RecordKind.DOCUMENT
    card = CardInfo(pretty_name="Lines")

    def read(self, shard: Path) -> Iterator[Document]:
        for n, line in enumerate(shard.read_text(encoding="utf-8").splitlines()):
            yield make_record(f"l{n}", line, source=self.name, kind=self.kind)


def test_mixed_into_a_pipeline_run(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("keep me\nspam here\nalso keep\n", encoding="utf-8")
    policy = parse_policy(
        {
            "passes": [
                {"pass": "garbage"},
                {
                    "pass": "datatrove",
                    "step": "datatrove.pipeline.filters.regex_filter.RegexFilter",
                    "args": {"regex_exp": "spam"},
                },
            ]
        }
    )
    builder = _Lines()
    stats = run(builder, builder.shards(src), policy, tmp_path / "out", progress=False).stats
    assert stats["passes"][1]["dropped"] == {"RegexFilter:filtered": 1}
    assert stats["output"]["records"] == 2
    rejected = [json.loads(x) for f in (tmp_path / "out" / "rejected").glob("*.jsonl") for x in f.open()]
    assert [(r["step"], r["reason"]) for r in rejected] == [("datatrove", "RegexFilter:filtered")]
