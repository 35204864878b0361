"""Docs are tested: README's Python examples run, and every CLI command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clojure_data.cli import cli
from clojure_data.pipeline import run
from clojure_data.policy import load_policy
from clojure_data.registry import sources

ROOT = Path(__file__).resolve().parent.parent


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_every_command_is_documented() -> None:
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## `clojure-data {name}" in cli_doc, f"docs/cli.md does not document '{name}'"


def test_readme_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:docs|policies)/[^)#]+)\)", readme):
        assert (ROOT / target).exists(), target


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    builder = sources.get("clojure-mailgroup")()
    run(
        builder,
        builder.sample_shards(),
        load_policy("default"),
        tmp_path / "out" / "clojure-mailgroup",
        progress=False,
    )
    for block in _python_blocks((ROOT / "README.md").read_text(encoding="utf-8")):
        exec(compile(block, "README.md", "exec"), {})


def test_adding_a_source_example_compiles() -> None:
    text = (ROOT / "docs" / "adding-a-source.md").read_text(encoding="utf-8")
    for block in _python_blocks(text):
        compile(block, "adding-a-source.md", "exec")
