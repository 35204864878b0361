"""The wheel carries the samples, policies and card templates, so --sample works outside a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [built] = dist.glob("clojure_data-*.whl")
    return built


def test_wheel_ships_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "clojure_data/py.typed" in names
    assert "clojure_data/_data/policies/default.toml" in names
    assert "clojure_data/_data/cards/datasheet.md.j2" in names
    assert any(
        n.startswith("clojure_data/_data/sources/clojure_mailgroup/") and n.endswith(".mbox") for n in names
    )
    assert "clojure_data/_data/sources/clojure_mailgroup/README.md" in names


def test_sample_builds_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import sys; from clojure_data.cli import main; "
        "sys.exit(main(['-q', 'build', 'clojure-mailgroup', '--sample', '--output', 'out']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "README.md").is_file() and list((tmp_path / "out" / "data").glob("*.parquet"))
    probe = "import clojure_data.resources as r; print(r.resource_dir('sources'))"
    where = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert str(target) in where.stdout
