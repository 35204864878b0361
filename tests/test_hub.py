"""``hub.push`` at the huggingface_hub boundary: recording fakes stand in for every network call."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard, HfApi
from huggingface_hub.errors import HfHubHTTPError, LocalTokenNotFoundError
from huggingface_hub.utils import filter_repo_objects

from clojure_data.cards import render_card
from clojure_data.errors import ClojureDataError
from clojure_data.hub import push, upload_patterns
from clojure_data.record import SCHEMAS, RecordKind

RECORDS = 5


def make_folder(folder: Path, records: int = RECORDS) -> Path:
    """A finished run: data/, rejected/, .logs/, stats.json and the rendered README.md."""
    for sub in ("data", "rejected", ".logs/stats"):
        (folder / sub).mkdir(parents=True)
    rows = [
        {"id": f"notes/{i}", "text": "(+ 1 2)", "source": "notes", "kind": "document", "extra": None}
        for i in range(records)
    ]
    pq.write_table(
        pa.Table.from_pylist(rows, schema=SCHEMAS[RecordKind.DOCUMENT]), folder / "data/train-00000.parquet"
    )
    (folder / "rejected/01-pii-00000.jsonl").write_text(
        '{"text": "mail me at a@b.example"}\n', encoding="utf-8"
    )
    (folder / ".logs/stats/00000.json").write_text("[]", encoding="utf-8")
    (folder / "salt.txt").write_text("secret", encoding="utf-8")  # stray file: must never be uploaded
    stats = {
        "format_version": 1,
        "dataset": {"name": "notes", "kind": "document", "license": "cc-by-4.0"},
        "policy": {"name": "default", "sha256": "feedface" * 8, "passes": [{"pass": "pii", "config": {}}]},
        "input": {"shards": 1, "records": records + 1, "rejected": 0, "rejected_by_reason": {}},
        "passes": [
            {
                "name": "pii",
                "backend": "regex only",
                "in": records + 1,
                "kept": records,
                "changed": 0,
                "dropped": {"secret_found": 1},
                "counts": {},
            },
        ],
        "output": {
            "records": records,
            "files": ["data/train-00000.parquet"],
            "num_bytes": (folder / "data/train-00000.parquet").stat().st_size,
        },
        "rejected": {"total": 1, "files": ["rejected/01-pii-00000.jsonl"]},
    }
    (folder / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    render_card(folder)
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "out")


class Hub:
    """Records the calls ``push`` makes; ``fail`` maps a method name to the exception it raises."""

    def __init__(self, tags: tuple[str, ...] = ()) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.tokens: list[Any] = []
        self.fail: dict[str, BaseException] = {}
        self.tags = tags

    def method(self, name: str, result: Any = None) -> Any:
        def fake(this: Any, *args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            self.tokens.append(getattr(this, "token", None))
            if name in self.fail:
                raise self.fail[name]
            return result

        return fake

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    def kwargs(self, name: str) -> dict[str, Any]:
        return next(kw for n, _, kw in self.calls if n == name)

    def args(self, name: str) -> tuple[Any, ...]:
        return next(a for n, a, _ in self.calls if n == name)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Hub:
    fake = Hub()
    commit = SimpleNamespace(oid="c0ffee" * 6 + "abcd", commit_url="https://hub.example/commit/c0ffee")
    refs = SimpleNamespace(tags=[SimpleNamespace(name="v0")], branches=[])
    monkeypatch.setattr(
        HfApi, "create_repo", fake.method("create_repo", "https://hub.example/datasets/org/notes")
    )
    monkeypatch.setattr(HfApi, "upload_folder", fake.method("upload_folder", commit))
    monkeypatch.setattr(HfApi, "create_tag", fake.method("create_tag"))
    monkeypatch.setattr(HfApi, "list_repo_refs", fake.method("list_repo_refs", refs))
    monkeypatch.setattr(DatasetCard, "validate", fake.method("validate"))
    return fake


def test_push_makes_the_expected_calls(folder: Path, hub: Hub) -> None:
    result = push(folder, "org/notes", revision="v1", token="hf_test")
    assert hub.names() == ["validate", "create_repo", "list_repo_refs", "upload_folder", "create_tag"]
    assert hub.kwargs("validate") == {"repo_type": "dataset"}
    assert hub.args("create_repo") == ("org/notes",)
    assert hub.kwargs("create_repo") == {"repo_type": "dataset", "private": False, "exist_ok": True}
    upload = hub.kwargs("upload_folder")
    assert upload["folder_path"] == str(folder.resolve())
    assert upload["repo_id"] == "org/notes"
    assert upload["repo_type"] == "dataset"
    assert ".logs/*" in upload["ignore_patterns"] and "rejected/*" in upload["ignore_patterns"]
    assert "data/*.parquet" in upload["delete_patterns"]
    assert upload["commit_message"] == "Publish notes v1: 5 records, policy default (feedfacefeed)"
    assert hub.args("create_tag") == ("org/notes",)
    assert hub.kwargs("create_tag") == {
        "tag": "v1",
        "revision": "c0ffee" * 6 + "abcd",
        "repo_type": "dataset",
        "tag_message": upload["commit_message"],
    }
    assert set(hub.tokens[1:]) == {"hf_test"}  # every HfApi call carries the token
    assert result.commit_url == "https://hub.example/commit/c0ffee"
    assert [path for path, _ in result.files] == ["README.md", "data/train-00000.parquet", "stats.json"]


def test_upload_patterns_select_only_the_dataset(folder: Path, hub: Hub) -> None:
    push(folder, "org/notes")
    upload = hub.kwargs("upload_folder")
    local = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    sent = list(
        filter_repo_objects(
            local, allow_patterns=upload["allow_patterns"], ignore_patterns=upload["ignore_patterns"]
        )
    )
    assert sent == ["README.md", "data/train-00000.parquet", "stats.json"]
    assert "create_tag" not in hub.names() and "list_repo_refs" not in hub.names()


def test_include_rejected(folder: Path, hub: Hub) -> None:
    result = push(folder, "org/notes", include_rejected=True, private=True)
    upload = hub.kwargs("upload_folder")
    assert upload["ignore_patterns"] == [".logs/*"]
    assert "rejected/01-pii-00000.jsonl" in [p for p, _ in result.files]
    assert hub.kwargs("create_repo")["private"] is True
    allow, ignore = upload_patterns(include_rejected=True)
    assert (upload["allow_patterns"], upload["ignore_patterns"]) == (allow, ignore)


def test_dry_run_makes_no_calls(folder: Path, hub: Hub) -> None:
    result = push(folder, "org/notes", revision="v1", dry_run=True)
    assert hub.calls == []
    assert result.dry_run
    sizes = dict(result.files)
    assert sizes == {
        p: (folder / p).stat().st_size for p in ("README.md", "data/train-00000.parquet", "stats.json")
    }
    text = result.describe()
    assert "org/notes: would upload 3 files" in text and "tag: v1 (would be created)" in text


def _http_error(status: int, message: str) -> HfHubHTTPError:
    response = SimpleNamespace(status_code=status, headers={}, request=None)
    return HfHubHTTPError(message, response=response)  # type: ignore[arg-type]


def test_http_error_becomes_one_line_error(folder: Path, hub: Hub) -> None:
    hub.fail["create_repo"] = _http_error(
        401, "401 Client Error: Unauthorized\n\nInvalid credentials in header"
    )
    with pytest.raises(ClojureDataError) as info:
        push(folder, "org/notes")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("creating org/notes failed: 401 Client Error: Unauthorized Invalid credentials")
    assert "hf auth login" in message
    assert "upload_folder" not in hub.names()


def test_missing_token_becomes_error(folder: Path, hub: Hub) -> None:
    hub.fail["upload_folder"] = LocalTokenNotFoundError("Token is required but no token found")
    with pytest.raises(ClojureDataError, match="uploading to org/notes failed: Token is required"):
        push(folder, "org/notes")


def test_card_rejected_by_hub_creates_nothing(folder: Path, hub: Hub) -> None:
    hub.fail["validate"] = ValueError('- Error: "license" must be one of [...]')
    with pytest.raises(ClojureDataError, match="validating the dataset card for org/notes failed"):
        push(folder, "org/notes")
    assert hub.names() == ["validate"]


def test_existing_tag_is_refused_before_upload(folder: Path, hub: Hub) -> None:
    with pytest.raises(ClojureDataError, match="already has a tag 'v0'"):
        push(folder, "org/notes", revision="v0")
    assert "upload_folder" not in hub.names()


def test_invalid_repo_id_is_refused_offline(folder: Path, hub: Hub) -> None:
    with pytest.raises(ClojureDataError, match="checking the repo id org//notes failed"):
        push(folder, "org//notes", dry_run=True)
    assert hub.calls == []


def test_folder_checks(tmp_path: Path, hub: Hub) -> None:
    with pytest.raises(ClojureDataError, match="not a folder"):
        push(tmp_path / "missing", "org/notes", dry_run=True)
    folder = make_folder(tmp_path / "out")
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# hand-written\n", encoding="utf-8")
    with pytest.raises(ClojureDataError, match="fails checks: .*pretty_name"):
        push(folder, "org/notes")
    (folder / "README.md").unlink()
    with pytest.raises(ClojureDataError, match="README.md missing"):
        push(folder, "org/notes")
    assert hub.calls == []


def test_empty_dataset_is_not_published(tmp_path: Path, hub: Hub) -> None:
    folder = make_folder(tmp_path / "empty", records=0)
    stats = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    assert stats["output"]["records"] == 0
    with pytest.raises(ClojureDataError, match="no records to publish"):
        push(folder, "org/notes")
    assert hub.calls == []
