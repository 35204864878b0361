"""The command line: commands, exit codes, one-line errors, the sanitize path end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clojure_data.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sources_and_passes_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "sources")
    assert code == 0 and "clojure-mailgroup" in out and "clojurescript-mailgroup" in out
    code, out, _ = _run(capsys, "passes")
    assert code == 0 and "garbage" in out
    code, out, _ = _run(capsys, "policies")
    assert code == 0 and "default" in out


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sanitize_keeps_ids_and_rejects_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    src = _jsonl(
        tmp_path / "in.jsonl",
        [
            json.dumps(
                {
                    "id": "a1",
                    "text": "How do I use `assoc-in`?\n\n> old quote\n",
                    "metadata": {"topic": "maps"},
                }
            ),
            json.dumps({"id": "a2", "text": "(defn f [x] (> x 1))"}),
            "{not json",
            json.dumps(["a", "list"]),
            json.dumps({"id": "a1", "text": "duplicate id"}),
            json.dumps({"text": "no id"}),
            json.dumps({"id": "a3", "text": "t", "metadata": {"url": 42}}),
            json.dumps(
                {"id": "a4", "text": "(ns x)", "metadata": {"extra": "kept", "url": "https://x.org/4"}}
            ),
        ],
    )
    out = tmp_path / "out"
    code, stdout, err = _run(capsys, "sanitize", str(src), "--output", str(out))
    assert code == 0, err
    assert "wrote 3" in stdout
    rows = pq.read_table(out / "data").to_pylist()
    assert [r["id"] for r in rows] == ["a1", "a2", "a4"]
    assert rows[2]["url"] == "https://x.org/4" and json.loads(rows[2]["extra"]) == {"extra": "kept"}
    assert "old quote" not in rows[0]["text"] and json.loads(rows[0]["extra"]) == {"topic": "maps"}
    assert rows[1]["text"] == "(defn f [x] (> x 1))"
    stats = json.loads((out / "stats.json").read_text())
    assert stats["input"]["rejected_by_reason"] == {
        "duplicate_id": 1,
        "invalid_json": 1,
        "metadata_url_or_license_not_a_string": 1,
        "missing_id_or_text": 1,
        "not_an_object": 1,
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["build", "nope", "--sample", "-o", "{tmp}/o"], "unknown source 'nope'; known: "),
        (["build", "clojure-mailgroup", "--input", "{tmp}/missing", "-o", "{tmp}/o"], "input not found"),
        (["build", "clojure-mailgroup", "--sample", "--policy", "strict", "-o", "{tmp}/o"], "unknown policy"),
        (["build", "clojure-mailgroup", "--sample", "--set", "nokey=1", "-o", "{tmp}/o"], "unknown setting"),
        (["sanitize", "{tmp}/missing.jsonl", "-o", "{tmp}/o"], "input not found"),
        (["sanitize", "{tmp}/binary.jsonl", "-o", "{tmp}/o"], None),
    ],
)
def test_fatal_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str | None
) -> None:
    (tmp_path / "binary.jsonl").write_bytes(b"\x00\x01\x02" * 100)
    code, _, err = _run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    lines = [line for line in err.splitlines() if line.strip()]
    if message is None:  # a binary input is a rejection of the shard, the run still completes
        stats = json.loads((tmp_path / "o" / "stats.json").read_text())
        assert code == 0 and stats["input"]["rejected_by_reason"] == {"unreadable_input": 1}
        return
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "build", "clojure-mailgroup", "--sample", "--download", "-o", str(tmp_path))
    assert code == 2 and "exactly one of" in err


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "clojure-data"
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "clojure-data" in proc.stdout


def test_lone_surrogates_are_repaired_and_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    src = tmp_path / "in.jsonl"
    # JSON escapes can encode lone UTF-16 surrogates, which parquet (UTF-8) cannot hold
    src.write_text(
        '{"id": "x", "text": "bad \\ud800 here", "metadata": {"k": "\\udfff"}}\n', encoding="utf-8"
    )
    code, _, err = _run(capsys, "-q", "sanitize", str(src), "-o", str(tmp_path / "o"), "--policy", "minimal")
    assert code == 0, err
    [row] = pq.read_table(tmp_path / "o" / "data").to_pylist()
    assert row["text"] == "bad \ufffd here" and json.loads(row["extra"]) == {"k": "\ufffd"}
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["input"]["repaired"] == {"lone_surrogates": 2}
    assert "`lone_surrogates`: 2." in (tmp_path / "o" / "README.md").read_text(encoding="utf-8")


def test_a_crashing_pass_is_one_line_without_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clojure_data.passes.garbage import GarbagePass

    def boom(self: object, doc: object) -> None:
        raise RuntimeError("pass bug")

    monkeypatch.setattr(GarbagePass, "process", boom)
    src = _jsonl(tmp_path / "in.jsonl", [json.dumps({"id": "a", "text": "hello"})])
    code, _, err = _run(capsys, "-q", "sanitize", str(src), "-o", str(tmp_path / "o"))
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and lines == [
        "error: RuntimeError: pass bug (re-run with --verbose for the traceback)"
    ], err
