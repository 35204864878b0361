"""Datasheet rendering and offline card checks, on a realistic output folder built in tmp."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import Features, load_dataset
from huggingface_hub import DatasetCard

from clojure_data.cards import (
    SECTIONS,
    accounting_problems,
    card_data,
    check_card,
    dataset_features,
    render_card,
    size_category,
)
from clojure_data.errors import ClojureDataError
from clojure_data.record import SCHEMAS, RecordKind, message

CARD = {
    "pretty_name": "Clojure mailing list",
    "language": ["en"],
    "task_categories": ["text-generation"],
    "tags": ["clojure", "code"],
    "motivation": "Motivation text.",
    "composition": "Composition text.",
    "collection": "Collection text.",
    "uses": "Uses text.",
    "limitations": "Limitations text.",
    "maintenance": "Maintenance text.",
}


def thread_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"clojure-mailgroup/{i:04d}",
            "text": f"Subject {i}\n\nHow do I use `(reduce + xs)`?",
            "source": "clojure-mailgroup",
            "kind": "thread",
            "url": f"https://groups.google.com/g/clojure/c/{i}",
            "license": None,
            "title": f"Subject {i}",
            "created_at": "2012-03-04T05:06:07Z",
            "tags": ["clojure"],
            "messages": [message("Amara Okafor", "How do I use `(reduce + xs)`?", score=None)],
            "extra": None,
        }
        for i in range(n)
    ]


def stats_for(records: int, **changes: Any) -> dict[str, Any]:
    """A consistent stats.json: reader -> garbage -> pii -> ``records`` published."""
    garbage_dropped, reader_rejected = 2, 1
    stats: dict[str, Any] = {
        "format_version": 1,
        "dataset": {
            "name": "clojure-mailgroup",
            "description": "The Clojure Google Group.",
            "homepage": "https://groups.google.com/g/clojure",
            "license": "other",
            "kind": "thread",
            "card": dict(CARD),
        },
        "policy": {
            "name": "default",
            "sha256": "0123456789abcdef" * 4,
            "passes": [
                {"pass": "garbage", "config": {"enabled": True, "min_chars": 3}},
                {"pass": "pii", "config": {"enabled": True}},
                {"pass": "toxicity", "config": {"enabled": False}},
            ],
        },
        "input": {
            "shards": 2,
            "records": records + garbage_dropped,
            "rejected": reader_rejected,
            "rejected_by_reason": {"malformed_message": reader_rejected},
        },
        "passes": [
            {
                "name": "garbage",
                "backend": None,
                "in": records + garbage_dropped,
                "kept": 3,
                "changed": records - 3,
                "dropped": {"empty_after_cleaning": garbage_dropped},
                "counts": {"quote_lines": 120, "signatures": 9},
            },
            {
                "name": "pii",
                "backend": "regex only",
                "in": records,
                "kept": records - 7,
                "changed": 7,
                "dropped": {},
                "counts": {"emails": 7},
            },
        ],
        "output": {"records": records, "files": [], "num_bytes": 0},
        "rejected": {"total": reader_rejected + garbage_dropped, "files": ["rejected/00-reader-00000.jsonl"]},
    }
    stats.update(changes)
    return stats


def make_output(
    folder: Path,
    records: int = 37,
    stats: dict[str, Any] | None = None,
    kind: RecordKind = RecordKind.THREAD,
    rows: list[dict[str, Any]] | None = None,
) -> Path:
    """Write data/ (two shards), rejected/, .logs/ and stats.json the way the pipeline does."""
    (folder / "data").mkdir(parents=True)
    (folder / "rejected").mkdir()
    (folder / ".logs").mkdir()
    (folder / ".logs" / "run.json").write_text("{}", encoding="utf-8")
    (folder / "rejected" / "00-reader-00000.jsonl").write_text('{"reason": "x"}\n', encoding="utf-8")
    rows = thread_rows(records) if rows is None else rows
    half = len(rows) // 2
    for i, part in enumerate((rows[:half], rows[half:])):
        pq.write_table(
            pa.Table.from_pylist(part, schema=SCHEMAS[kind]), folder / "data" / f"train-0000{i}.parquet"
        )
    files = sorted(f"data/{p.name}" for p in (folder / "data").glob("*.parquet"))
    stats = copy.deepcopy(stats) if stats is not None else stats_for(records)
    stats["output"] = {
        "records": len(rows),
        "files": files,
        "num_bytes": sum((folder / f).stat().st_size for f in files),
    }
    (folder / "stats.json").write_text(json.dumps(stats, indent=2), encoding="utf-8")
    return folder


@pytest.fixture
def output(tmp_path: Path) -> Path:
    folder = make_output(tmp_path / "out")
    render_card(folder)
    return folder


def load_stats_json(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "stats.json").read_text(encoding="utf-8"))


def test_yaml_metadata(output: Path) -> None:
    stats = load_stats_json(output)
    data = DatasetCard.load(output / "README.md").data
    assert data.license == "other"
    assert data["license_name"] == "clojure-mailgroup-terms"
    assert data["license_link"] == "README"
    assert data.language == ["en"]
    assert data.task_categories == ["text-generation"]
    assert data.size_categories == ["n<1K"]
    assert data.pretty_name == "Clojure mailing list"
    assert data["tags"] == ["clojure", "code"]
    assert data["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/*.parquet"}]}
    ]
    info = data["dataset_info"]
    assert info["features"] == dataset_features("thread")._to_yaml_list()
    assert {"name": "id", "dtype": "string"} in info["features"]
    assert {"name": "tags", "list": "string"} in info["features"]
    assert info["splits"] == [
        {"name": "train", "num_bytes": stats["output"]["num_bytes"], "num_examples": 37}
    ]
    assert info["download_size"] == info["dataset_size"] == stats["output"]["num_bytes"]
    assert Features._from_yaml_list(info["features"]) == Features.from_arrow_schema(
        SCHEMAS[RecordKind.THREAD]
    )


def test_check_card_passes_on_rendered_card(output: Path) -> None:
    assert check_card(output / "README.md") == []


def test_body_sections_and_numbers_come_from_stats(output: Path) -> None:
    text = DatasetCard.load(output / "README.md").text
    for section in SECTIONS:
        assert f"## {section}" in text
    for field in (
        "Motivation text.",
        "Composition text.",
        "Collection text.",
        "Uses text.",
        "Maintenance text.",
    ):
        assert field in text
    garbage = "| 1 | `garbage` | n/a | 39 | 3 | 34 | 2 | empty_after_cleaning: 2 | "
    garbage += "quote_lines: 120, signatures: 9 |"
    assert garbage in text
    assert "| 2 | `pii` | regex only | 37 | 30 | 7 | 0 | - | emails: 7 |" in text
    assert "- `pii`: backend: regex only" in text
    assert "| reader | `malformed_message` | 1 |" in text
    assert "| `garbage` | `empty_after_cleaning` | 2 |" in text
    assert "input rows they stand for" not in text  # no summary rejections in this run
    assert "| records published | 37 |" in text
    assert "| records the reader built | 39 |" in text
    assert "| rejections logged (reader and passes) | 3 |" in text
    assert "| 2 | 39 | 1 |" in text  # shards, records built, rejections logged by the reader
    accounted = "the reader built 39 records, of which 37 were\npublished and 2 dropped by passes; "
    accounted += "`rejected/` holds those 2 drops plus the\nreader's 1 rejections (3 lines)."
    assert accounted in text
    assert "disabled for this run: `toxicity`" in text
    assert "0123456789abcdef" * 4 in text
    assert '"min_chars": 3' in text
    assert "| `messages` | `list<item: struct<author: string" in text
    assert 'load_dataset("<user-or-org>/clojure-mailgroup", split="train")' in text


def test_summary_rejections_show_the_rows_they_stand_for(tmp_path: Path) -> None:
    """One reader line for many filtered rows (Stack Overflow's tag_filtered) is not "1 rejected"."""
    stats = stats_for(37)
    stats["input"]["rejected"] = 3
    stats["input"]["rejected_by_reason"] = {"malformed_message": 1, "tag_filtered": 2}
    stats["rejected"]["total"] = 5
    stats["input"]["rejected_rows"] = {
        "malformed_message": {"post_rows": 1},
        "tag_filtered": {"comment_rows": 5678, "post_rows": 1234},
    }
    folder = make_output(tmp_path / "so", stats=stats)
    text = render_card(folder).read_text(encoding="utf-8")
    assert "| stage | reason | lines logged | input rows they stand for |" in text
    assert "| reader | `tag_filtered` | 2 | comment_rows: 5,678, post_rows: 1,234 |" in text
    assert "| reader | `malformed_message` | 1 | post_rows: 1 |" in text
    assert "| `garbage` | `empty_after_cleaning` | 2 | - |" in text
    assert "Some reader lines are summaries" in text
    assert check_card(folder / "README.md") == []


def test_other_numbers_render_other_figures(tmp_path: Path) -> None:
    folder = make_output(tmp_path / "big", records=1234)
    stats = load_stats_json(folder)
    stats["passes"][1]["counts"] = {"emails": 4321}
    (folder / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    text = render_card(folder, repo_id="clojurellm/clojure-mailgroup").read_text(encoding="utf-8")
    assert "size_categories:\n- 1K<n<10K" in text
    assert "| records published | 1,234 |" in text
    assert "| 2 | `pii` | regex only | 1,234 | 1,227 | 7 | 0 | - | emails: 4,321 |" in text
    assert 'load_dataset("clojurellm/clojure-mailgroup", split="train")' in text
    assert check_card(folder / "README.md") == []


def test_rendering_is_deterministic(output: Path, tmp_path: Path) -> None:
    first = (output / "README.md").read_bytes()
    assert render_card(output).read_bytes() == first
    other = tmp_path / "copy"
    other.mkdir()
    (other / "stats.json").write_bytes((output / "stats.json").read_bytes())
    assert render_card(other).read_bytes() == first


def test_datasets_loads_the_folder(output: Path, tmp_path: Path) -> None:
    ds = load_dataset(str(output), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == 37
    assert ds.features == Features.from_arrow_schema(SCHEMAS[RecordKind.THREAD])
    assert ds[0]["messages"][0]["author"] == "Amara Okafor"


@pytest.mark.parametrize(
    ("n", "bucket"),
    [
        (0, "n<1K"),
        (999, "n<1K"),
        (1000, "1K<n<10K"),
        (99_999, "10K<n<100K"),
        (10**6, "1M<n<10M"),
        (10**13, "n>1T"),
    ],
)
def test_size_category(n: int, bucket: str) -> None:
    assert size_category(n) == bucket


def test_ad_hoc_document_run(tmp_path: Path) -> None:
    """``clojure-data sanitize`` output: kind document, no CardInfo, no policy, no passes."""
    stats = {
        "format_version": 1,
        "dataset": {"name": "my-notes", "kind": "document"},
        "input": {"shards": 1, "records": 3, "rejected": 0, "rejected_by_reason": {}},
        "passes": [],
        "rejected": {"total": 0, "files": []},
    }
    rows = [
        {
            "id": f"n/{i}",
            "text": "(ns notes)",
            "source": "my-notes",
            "kind": "document",
            "url": None,
            "license": None,
            "extra": json.dumps({"page": i}),
        }
        for i in range(3)
    ]
    folder = make_output(tmp_path / "adhoc", stats=stats, kind=RecordKind.DOCUMENT, rows=rows)
    card = DatasetCard.load(render_card(folder))
    assert "Ad-hoc dataset" in card.text
    assert "No passes ran" in card.text
    assert "No record was rejected." in card.text
    assert "Every record is accounted for: the reader built 3 records, of which 3 were" in card.text
    assert card.data.pretty_name == "my-notes"
    assert card.data.license == "other"
    assert card.data.size_categories == ["n<1K"]
    assert check_card(folder / "README.md") == []
    ds = load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == 3
    assert ds.features == Features.from_arrow_schema(SCHEMAS[RecordKind.DOCUMENT])


def test_card_for_a_run_that_published_nothing(tmp_path: Path) -> None:
    stats = stats_for(0)
    stats["passes"][1].update({"in": 0, "kept": 0, "changed": 0})
    stats["passes"][0].update({"in": 2, "kept": 0, "changed": 0})
    stats["input"]["records"] = 2
    folder = make_output(tmp_path / "empty", stats=stats, rows=[])
    text = render_card(folder).read_text(encoding="utf-8")
    assert "| records published | 0 |" in text
    assert "the reader built 2 records, of which 0 were\npublished and 2 dropped by passes" in text
    assert check_card(folder / "README.md") == []


def test_card_data_uses_known_licence_without_other_fields() -> None:
    stats = stats_for(5)
    stats["dataset"]["license"] = "cc-by-sa-4.0"
    data = card_data(stats).to_dict()
    assert data["license"] == "cc-by-sa-4.0"
    assert "license_name" not in data and "license_link" not in data


def test_table_cells_are_escaped(tmp_path: Path) -> None:
    stats = stats_for(37)
    stats["passes"][0]["dropped"] = {"a|b": 2}
    folder = make_output(tmp_path / "esc", stats=stats)
    assert "a\\|b: 2" in render_card(folder).read_text(encoding="utf-8")


def test_accounting_mismatch_is_reported(tmp_path: Path) -> None:
    stats = stats_for(37)
    stats["rejected"]["total"] = 2  # one dropped record is missing from rejected/
    folder = make_output(tmp_path / "bad", stats=stats)
    text = render_card(folder).read_text(encoding="utf-8")
    assert "do not add up" in text
    problems = check_card(folder / "README.md")
    assert problems == ["stats.json: rejected/ holds 2 records but the reader and passes dropped 3"]


def test_accounting_follows_the_chain() -> None:
    stats = stats_for(37)
    stats["output"] = {"records": 37}
    assert accounting_problems(stats) == []
    stats["passes"][1]["in"] = 36
    problems = accounting_problems(stats)
    assert "pass 'pii' got 36 records but pass 'garbage' passed on 37" in problems
    assert "pass 'pii': in 36 != kept + changed + dropped 37" in problems


def test_check_card_finds_stale_and_broken_cards(output: Path) -> None:
    readme = output / "README.md"
    # more rows than the card says: a stale card after data/ changed
    pq.write_table(
        pa.Table.from_pylist(thread_rows(3), schema=SCHEMAS[RecordKind.THREAD]), output / "data" / "x.parquet"
    )
    assert "data/: 40 rows but the card says 37" in check_card(readme)
    # a shard with another kind's schema
    (output / "data" / "x.parquet").unlink()
    pq.write_table(SCHEMAS[RecordKind.POST].empty_table(), output / "data" / "y.parquet")
    assert "data/y.parquet: parquet schema does not match the card's features" in check_card(readme)
    (output / "data" / "y.parquet").unlink()
    # a section removed by hand, and YAML keys removed
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text.replace("## Maintenance", "## Upkeep").replace("pretty_name:", "pretty:"))
    problems = check_card(readme)
    assert "body: missing section '## Maintenance'" in problems
    assert "yaml: 'pretty_name' must be a non-empty string" in problems
    readme.write_text("# no metadata at all\n", encoding="utf-8")
    problems = check_card(readme)
    assert any("'license'" in p for p in problems)
    assert any("'dataset_info' missing" in p for p in problems)
    assert check_card(output / "nope.md") == [f"{output / 'nope.md'}: not found"]


def test_check_card_compares_with_stats(output: Path) -> None:
    stats = load_stats_json(output)
    stats["output"]["records"] = 5000
    (output / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    problems = check_card(output / "README.md")
    assert "card: num_examples 37 but stats.json says 5000 records" in problems
    assert "card: size_categories should be ['1K<n<10K'] for 5000" in problems


def test_bad_stats_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ClojureDataError, match="not found"):
        render_card(tmp_path)
    (tmp_path / "stats.json").write_text(json.dumps({"format_version": 99}), encoding="utf-8")
    with pytest.raises(ClojureDataError, match="format_version"):
        render_card(tmp_path)
    bad = stats_for(1)
    bad["dataset"]["kind"] = "tweet"
    (tmp_path / "stats.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ClojureDataError, match="unknown record kind"):
        render_card(tmp_path)
