"""Policies: loading, validation against pass configs, clear errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from clojure_data.errors import PolicyError
from clojure_data.passes.base import KEEP, Outcome, Pass, PassConfig
from clojure_data.policy import available_policies, load_policy, parse_policy
from clojure_data.record import Document


@dataclass
class KnobsConfig(PassConfig):
    threshold: float = 0.5
    limit: int = 3
    words: list[str] = field(default_factory=list)
    label: str | None = None


class KnobsPass(Pass):
    """Test pass with typed knobs."""

    name = "knobs"
    Config = KnobsConfig

    def process(self, doc: Document) -> Outcome:
        return KEEP


@pytest.fixture(autouse=True)
def _register(monkeypatch: pytest.MonkeyPatch) -> None:
    from clojure_data import registry

    registry.passes._load()
    monkeypatch.setitem(registry.passes._items, "knobs", KnobsPass)


def test_shipped_policies_load_and_default_lists_its_passes() -> None:
    assert {"default", "minimal"} <= set(available_policies())
    default = load_policy("default")
    assert default.passes and default.passes[0].name == "garbage"
    assert len(default.to_dict()["sha256"]) == 64
    assert load_policy("minimal").passes == []


def test_settings_are_typed() -> None:
    policy = parse_policy({"passes": [{"pass": "knobs", "threshold": 1, "words": ["a"], "label": None}]})
    config = policy.passes[0].config
    assert isinstance(config, KnobsConfig) and config.threshold == 1 and config.words == ["a"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"pass": "nope"}, r"unknown pass 'nope'; known: .*garbage"),
        (
            {"pass": "knobs", "treshold": 1},
            r"unknown setting\(s\) \['treshold'\]; known: enabled, label, limit",
        ),
        ({"pass": "knobs", "limit": "3"}, r"'limit' should be int, got '3'"),
        ({"pass": "knobs", "limit": True}, r"'limit' should be int"),
        ({"pass": "knobs", "words": ["a", 1]}, r"'words' should be"),
        ({"threshold": 1}, r"needs a 'pass"),
    ],
)
def test_invalid_entries_are_clear_errors(entry: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy({"passes": [entry]})


def test_unknown_top_level_key() -> None:
    with pytest.raises(PolicyError, match="unknown top-level"):
        parse_policy({"pases": []})


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="unknown policy 'strict'; shipped: .*default"):
        load_policy("strict")
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[passes]\npass = ", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(broken)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(binary)


def test_disabled_pass_is_not_built(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('name = "p"\n[[passes]]\npass = "knobs"\nenabled = false\n', encoding="utf-8")
    policy = load_policy(path)
    assert policy.name == "p" and policy.build_passes() == []
