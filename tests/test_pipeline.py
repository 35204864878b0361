"""The pipeline: reader -> passes -> writers, inline and with datatrove workers, resume, stats."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clojure_data.builder import CardInfo, DatasetBuilder
from clojure_data.errors import ClojureDataError, InputError
from clojure_data.passes.base import CHANGED, KEEP, Outcome, Pass, drop
from clojure_data.pipeline import run
from clojure_data.policy import PassSpec, Policy
from clojure_data.record import Document, RecordKind, make_record, make_rejection, message


class LinesBuilder(DatasetBuilder):
    """Test source: each line of a .txt file is a one-message thread; 'BAD' lines are rejected."""

    name = "lines"
    kind = RecordKind.THREAD
    input_suffixes = (".txt",)
    card = CardInfo(pretty_name="Lines")

    def read(self, shard: Path) -> Iterator[Document]:
        text = shard.read_text(encoding="utf-8")
        if text.startswith("EXPLODE"):
            raise ValueError("reader bug")
        for n, line in enumerate(text.splitlines()):
            rid = self.record_id(shard.stem, str(n))
            if line.startswith("BAD"):
                yield make_rejection(rid, "bad_line", source=self.name, raw=line)
            else:
                yield make_record(
                    rid,
                    line,
                    source=self.name,
                    kind=self.kind,
                    title=line[:10],
                    messages=[message("someone", line)],
                    _secret="never written",
                )


class ShoutPass(Pass):
    """Test pass: drops 'spam', upper-cases 'shout', keeps the rest."""

    name = "shout"

    def process(self, doc: Document) -> Outcome:
        if "spam" in doc.text:
            return drop("spam")
        if "shout" in doc.text:
            doc.text = doc.text.upper()
            self.count("shouts")
            return CHANGED
        return KEEP


def _policy() -> Policy:
    return Policy(name="test", passes=[PassSpec("shout", ShoutPass.Config())])


@pytest.fixture(autouse=True)
def _register_shout(monkeypatch: pytest.MonkeyPatch) -> None:
    from clojure_data import registry

    registry.passes._load()
    monkeypatch.setitem(registry.passes._items, "shout", ShoutPass)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"f{i}.txt").write_text(f"hello {i}\nshout {i}\nspam {i}\nBAD {i}\n", encoding="utf-8")
    (folder / "README.md").write_text("not input", encoding="utf-8")
    return folder


def _read_rows(out: Path) -> list[dict]:
    rows: list[dict] = []
    for f in sorted((out / "data").glob("*.parquet")):
        rows.extend(pq.read_table(f).to_pylist())
    return rows


def test_counts_add_up_and_rejections_are_logged(inputs: Path, tmp_path: Path) -> None:
    builder = LinesBuilder()
    out = tmp_path / "out"
    result = run(builder, builder.shards(inputs), _policy(), out, progress=False)
    stats = json.loads((out / "stats.json").read_text())
    assert stats == result.stats
    assert stats["input"] == {
        "shards": 5,
        "records": 15,
        "rejected": 5,
        "rejected_by_reason": {"bad_line": 5},
        "repaired": {},
        "rejected_rows": {},
    }
    shout = stats["passes"][0]
    assert shout["in"] == 15 and shout["kept"] == 5 and shout["changed"] == 5
    assert shout["dropped"] == {"spam": 5} and shout["counts"] == {"shouts": 5}
    assert shout["in"] == shout["kept"] + shout["changed"] + sum(shout["dropped"].values())
    rows = _read_rows(out)
    assert stats["output"]["records"] == len(rows) == 10
    assert {r["text"] for r in rows} >= {"HELLO 0".lower(), "SHOUT 0"}
    assert all("never written" not in json.dumps(r) for r in rows)
    rejected = [json.loads(line) for f in sorted((out / "rejected").glob("*.jsonl")) for line in f.open()]
    assert stats["rejected"]["total"] == len(rejected) == 10
    assert {(r["step"], r["reason"]) for r in rejected} == {("reader", "bad_line"), ("shout", "spam")}
    # every input line is accounted for exactly once
    assert len(rows) + len(rejected) == 5 * 4


def test_workers_do_not_change_output(inputs: Path, tmp_path: Path) -> None:
    builder = LinesBuilder()
    shards = builder.shards(inputs)
    one = run(builder, shards, _policy(), tmp_path / "one", tasks=3, workers=1, progress=False).output
    two = run(builder, shards, _policy(), tmp_path / "two", tasks=3, workers=2, progress=False).output
    for rel in [
        "stats.json",
        "README.md",
        *[p.relative_to(one).as_posix() for p in (one / "data").iterdir()],
    ]:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


def test_rerun_resumes_and_yields_same_output(inputs: Path, tmp_path: Path) -> None:
    builder = LinesBuilder()
    shards = builder.shards(inputs)
    out = tmp_path / "out"
    run(builder, shards, _policy(), out, tasks=5, progress=False)
    before = {p.name: p.read_bytes() for p in (out / "data").iterdir()}
    # simulate a crash that lost task 2: its completion marker and output are gone
    (out / ".logs" / "completions" / "00002").unlink()
    (out / "data" / "train-00002.parquet").unlink()
    untouched = out / "data" / "train-00003.parquet"
    os.utime(untouched, ns=(1, 1))  # a completed task is skipped, so its file keeps this mtime
    run(builder, shards, _policy(), out, tasks=5, progress=False)
    after = {p.name: p.read_bytes() for p in (out / "data").iterdir()}
    assert after == before
    assert untouched.stat().st_mtime_ns == 1


def test_output_folder_of_another_run_is_refused(inputs: Path, tmp_path: Path) -> None:
    builder = LinesBuilder()
    out = tmp_path / "out"
    run(builder, builder.shards(inputs), _policy(), out, tasks=2, progress=False)
    with pytest.raises(ClojureDataError, match="different run"):
        run(builder, builder.shards(inputs), _policy(), out, tasks=3, progress=False)
    run(builder, builder.shards(inputs), _policy(), out, tasks=3, progress=False, overwrite=True)


def test_reader_crash_is_a_rejection_not_a_traceback(inputs: Path, tmp_path: Path) -> None:
    (inputs / "f9.txt").write_text("EXPLODE\n", encoding="utf-8")
    builder = LinesBuilder()
    stats = run(builder, builder.shards(inputs), _policy(), tmp_path / "out", progress=False).stats
    assert stats["input"]["rejected_by_reason"]["reader_error"] == 1
    logs = "".join(p.read_text() for p in (tmp_path / "out" / ".logs" / "logs").glob("*.log"))
    assert "ValueError: reader bug" in logs  # the traceback is kept for whoever fixes the reader


def test_everything_dropped_leaves_a_schema_only_shard(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("spam a\nspam b\n", encoding="utf-8")
    builder = LinesBuilder()
    out = tmp_path / "out"
    stats = run(builder, builder.shards(src), _policy(), out, progress=False).stats
    assert stats["output"]["records"] == 0
    table = pq.read_table(out / "data" / "train-00000.parquet")
    assert table.num_rows == 0 and table.schema == LinesBuilder().schema


def test_too_large_records_are_rejected(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("x" * 5000 + "\nsmall\n", encoding="utf-8")
    builder = LinesBuilder(max_record_chars=1000)
    stats = run(builder, builder.shards(src), _policy(), tmp_path / "out", progress=False).stats
    assert stats["input"]["rejected_by_reason"] == {"too_large": 1}


def test_missing_and_empty_inputs(tmp_path: Path) -> None:
    builder = LinesBuilder()
    with pytest.raises(InputError, match="not found"):
        builder.shards(tmp_path / "nope")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        builder.shards(tmp_path / "empty.txt")
    (tmp_path / "dir").mkdir()
    with pytest.raises(InputError, match="no input files"):
        builder.shards(tmp_path / "dir")


def test_builder_pass_overrides_apply_and_are_recorded(inputs: Path, tmp_path: Path) -> None:
    class NoShout(LinesBuilder):
        pass_overrides = {"shout": {"enabled": False}}

    builder = NoShout()
    stats = run(builder, builder.shards(inputs), _policy(), tmp_path / "out", progress=False).stats
    assert stats["passes"] == []
    assert stats["policy"]["passes"] == [{"pass": "shout", "config": {"enabled": False}}]
    assert stats["output"]["records"] == 15


def test_bad_builder_override_is_a_policy_error(inputs: Path, tmp_path: Path) -> None:
    from clojure_data.errors import PolicyError

    class Typo(LinesBuilder):
        pass_overrides = {"shout": {"enabeld": False}}

    builder = Typo()
    with pytest.raises(PolicyError, match="source 'lines': pass 'shout': unknown setting"):
        run(builder, builder.shards(inputs), _policy(), tmp_path / "out", progress=False)


def test_summary_rejections_report_the_rows_they_stand_for(tmp_path: Path) -> None:
    class Summaries(LinesBuilder):
        def read(self, shard: Path) -> Iterator[Document]:
            for n, line in enumerate(shard.read_text(encoding="utf-8").splitlines()):
                doc = make_rejection(f"s{n}", "out_of_scope", source=self.name)
                doc.metadata["post_rows"] = int(line)  # one log line standing for many input rows
                yield doc

    src = tmp_path / "in.txt"
    src.write_text("1200\n34\n", encoding="utf-8")
    builder = Summaries()
    stats = run(builder, builder.shards(src), _policy(), tmp_path / "out", progress=False).stats
    assert stats["input"]["rejected_by_reason"] == {"out_of_scope": 2}
    assert stats["input"]["rejected_rows"] == {"out_of_scope": {"post_rows": 1234}}
    assert "post_rows: 1,234" in (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
