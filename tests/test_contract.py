"""Contract tests: every registered source builds from its sample with the default policy.

A new source is picked up here automatically: register it, ship ``sources/<name>/`` and these
tests check that its sample reads, its counts add up, its card parses and ``datasets`` loads it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clojure_data.builder import DatasetBuilder
from clojure_data.pipeline import run
from clojure_data.policy import load_policy
from clojure_data.record import SCHEMAS
from clojure_data.registry import sources

SOURCES = sources.names()


@pytest.fixture(scope="module", params=SOURCES)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DatasetBuilder, Path]:
    builder = sources.get(request.param)()
    out = tmp_path_factory.mktemp(request.param) / "out"
    run(builder, builder.sample_shards(), load_policy("default"), out, progress=False)
    return builder, out


def test_builder_declares_what_a_card_needs(built: tuple[DatasetBuilder, Path]) -> None:
    builder, _ = built
    assert builder.description and builder.homepage and builder.license
    assert builder.card.pretty_name and builder.card.motivation and builder.card.collection
    assert builder.sample_dir().is_dir() and (builder.sample_dir() / "README.md").is_file()


def test_sample_builds_and_counts_add_up(built: tuple[DatasetBuilder, Path]) -> None:
    builder, out = built
    stats = json.loads((out / "stats.json").read_text())
    assert stats["input"]["records"] > 0
    flowing = stats["input"]["records"]
    for step in stats["passes"]:
        assert step["in"] == flowing, step["name"]
        assert step["in"] == step["kept"] + step["changed"] + sum(step["dropped"].values())
        flowing = step["kept"] + step["changed"]
    assert stats["output"]["records"] == flowing
    dropped = stats["input"]["rejected"] + sum(sum(s["dropped"].values()) for s in stats["passes"])
    assert stats["rejected"]["total"] == dropped
    for f in stats["output"]["files"]:
        assert pq.read_schema(out / f) == SCHEMAS[builder.kind]


def test_datasets_loads_it_with_the_card(built: tuple[DatasetBuilder, Path]) -> None:
    datasets = pytest.importorskip("datasets")
    from huggingface_hub import DatasetCard

    builder, out = built
    ds = datasets.load_dataset(str(out), split="train")
    stats = json.loads((out / "stats.json").read_text())
    assert ds.num_rows == stats["output"]["records"]
    assert set(ds.features) == set(SCHEMAS[builder.kind].names)
    card = DatasetCard.load(out / "README.md")
    assert card.data.pretty_name == builder.card.pretty_name
    assert card.data.license


def test_sample_is_deterministic(built: tuple[DatasetBuilder, Path], tmp_path: Path) -> None:
    builder, out = built
    again = run(
        builder, builder.sample_shards(), load_policy("default"), tmp_path / "again", progress=False
    ).output
    for rel in ["stats.json", "README.md", *json.loads((out / "stats.json").read_text())["output"]["files"]]:
        assert (out / rel).read_bytes() == (again / rel).read_bytes(), rel
