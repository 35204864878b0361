"""Publish a dataset folder to the Hugging Face Hub, one addressable version per push.

``push`` checks the folder offline first (README.md, stats.json, data/*.parquet, ``check_card``),
then asks the Hub to validate the card, creates the dataset repo if needed, uploads the folder in
one commit and, when ``revision`` is given, tags that commit so ``load_dataset(repo, revision=TAG)``
returns exactly this version.

What is uploaded is an allow-list (card, stats, parquet shards, optional LICENSE file), so nothing
else that happens to sit in the folder (datatrove's ``.logs/``, a salt file, editor backups) can
leak. ``rejected/`` stays local unless ``include_rejected=True``: it holds the records that were
dropped, often for containing personal data. Each push replaces the remote ``data/`` shards (and
removes a remote ``rejected/`` that is no longer wanted), so a smaller re-run never leaves stale
shards that ``data/*.parquet`` would still load; the files remain in the repo's git history.

Errors from ``huggingface_hub`` (no token, bad repo id, HTTP errors) become ``ClojureDataError``
with a one-line message.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huggingface_hub import DatasetCard, HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import filter_repo_objects, validate_repo_id

from .cards import check_card, load_stats
from .errors import ClojureDataError

__all__ = ["PushResult", "push", "upload_patterns"]

REPO_TYPE = "dataset"
_ALWAYS = ["README.md", "stats.json", "LICENSE", "LICENSE.md", "data/*.parquet"]
_REJECTED = "rejected/*"
_LOGS = ".logs/*"
# Every HTTP-level error huggingface_hub can raise: HfHubHTTPError's bases other than OSError
# (httpx's or requests' HTTPError, depending on the huggingface_hub version), which also covers
# connection failures that never got a response.
_HTTP_ERRORS = tuple(
    c for c in HfHubHTTPError.__mro__[1:] if c not in (OSError, Exception, BaseException, object)
)
# HFValidationError (bad repo id) and a card the Hub rejects are ValueErrors; no token is an OSError.
_HUB_ERRORS: tuple[type[Exception], ...] = (ValueError, OSError, *_HTTP_ERRORS)


@dataclass
class PushResult:
    """What a push did (or, for a dry run, would do)."""

    repo_id: str
    files: list[tuple[str, int]]
    """(path in the repo, size in bytes) of every uploaded file, sorted by path."""
    revision: str | None = None
    dry_run: bool = False
    commit_message: str = ""
    commit_url: str | None = None
    commit_oid: str | None = None
    ignore_patterns: list[str] = field(default_factory=list)

    @property
    def num_bytes(self) -> int:
        return sum(size for _, size in self.files)

    def describe(self) -> str:
        """A human-readable summary (what the CLI prints)."""
        verb = "would upload" if self.dry_run else "uploaded"
        lines = [f"{self.repo_id}: {verb} {len(self.files)} files, {self.num_bytes:,} bytes"]
        lines += [f"  {size:>12,}  {path}" for path, size in self.files]
        if self.revision:
            lines.append(f"  tag: {self.revision}" + (" (would be created)" if self.dry_run else ""))
        if self.commit_url:
            lines.append(f"  commit: {self.commit_url}")
        return "\n".join(lines)


def upload_patterns(include_rejected: bool = False) -> tuple[list[str], list[str]]:
    """``(allow_patterns, ignore_patterns)`` for ``HfApi.upload_folder``."""
    allow = [*_ALWAYS, _REJECTED] if include_rejected else list(_ALWAYS)
    ignore = [_LOGS] if include_rejected else [_LOGS, _REJECTED]
    return allow, ignore


def _files(folder: Path, allow: list[str], ignore: list[str]) -> list[tuple[str, int]]:
    """The files ``upload_folder`` will send, matched with huggingface_hub's own filter."""
    paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    chosen = filter_repo_objects(paths, allow_patterns=allow, ignore_patterns=ignore)
    return [(p, (folder / p).stat().st_size) for p in chosen]


def _check_folder(folder: Path) -> dict[str, Any]:
    """Offline checks; returns the run's stats."""
    if not folder.is_dir():
        raise ClojureDataError(f"{folder} is not a folder")
    for required in ("README.md", "stats.json"):
        if not (folder / required).is_file():
            raise ClojureDataError(f"{folder / required} missing: push the output folder of a finished run")
    if not any((folder / "data").glob("*.parquet")):
        raise ClojureDataError(f"{folder / 'data'} holds no parquet files")
    problems = check_card(folder / "README.md")
    if problems:
        raise ClojureDataError(f"{folder / 'README.md'} fails checks: " + "; ".join(problems))
    stats = load_stats(folder)
    if not int(stats["output"].get("records", 0)):
        # `datasets` cannot load a split with no rows, so such a repo would only break its users.
        raise ClojureDataError(f"{folder} has no records to publish (all were rejected; see rejected/)")
    return stats


def _commit_message(stats: dict[str, Any], revision: str | None) -> str:
    name = stats["dataset"].get("name", "dataset")
    policy = stats.get("policy") or {}
    sha = (policy.get("sha256") or "unknown")[:12]
    records = int(stats["output"].get("records", 0))
    version = f" {revision}" if revision else ""
    return f"Publish {name}{version}: {records:,} records, policy {policy.get('name', 'none')} ({sha})"


@contextlib.contextmanager
def _hub_errors(action: str, repo_id: str) -> Iterator[None]:
    """Turn huggingface_hub's exceptions into one-line ``ClojureDataError``s."""
    try:
        yield
    except ClojureDataError:
        raise
    except _HUB_ERRORS as exc:
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        status = getattr(getattr(exc, "response", None), "status_code", None)
        hint = ""
        if status in (401, 403) or "token" in message.lower():
            hint = " (log in with `hf auth login`, set HF_TOKEN, or pass a token with write access)"
        raise ClojureDataError(f"{action} {repo_id} failed: {message}{hint}") from exc


def push(
    output_dir: Path | str,
    repo_id: str,
    *,
    revision: str | None = None,
    private: bool = False,
    dry_run: bool = False,
    token: str | None = None,
    include_rejected: bool = False,
) -> PushResult:
    """Upload a dataset folder to ``repo_id`` (a dataset repo); tag the commit ``revision`` if given.

    ``dry_run`` checks the folder and lists what would be uploaded without touching the network.
    """
    with _hub_errors("checking the repo id", repo_id):
        validate_repo_id(repo_id)
    folder = Path(output_dir).expanduser().resolve()
    stats = _check_folder(folder)
    allow, ignore = upload_patterns(include_rejected)
    result = PushResult(
        repo_id=repo_id,
        files=_files(folder, allow, ignore),
        revision=revision,
        dry_run=dry_run,
        commit_message=_commit_message(stats, revision),
        ignore_patterns=ignore,
    )
    if dry_run:
        return result
    api = HfApi(token=token)
    # The Hub's own card validation first, so a card it rejects never leaves an empty repo behind.
    with _hub_errors("validating the dataset card for", repo_id):
        DatasetCard.load(folder / "README.md").validate(repo_type=REPO_TYPE)
    with _hub_errors("creating", repo_id):
        api.create_repo(repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True)
    if revision:
        _refuse_existing_tag(api, repo_id, revision)
    with _hub_errors("uploading to", repo_id):
        info = api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type=REPO_TYPE,
            commit_message=result.commit_message,
            allow_patterns=allow,
            ignore_patterns=ignore,
            delete_patterns=["data/*.parquet", _REJECTED],
        )
    result.commit_url = getattr(info, "commit_url", None)
    result.commit_oid = getattr(info, "oid", None)
    if revision:
        with _hub_errors(f"tagging {revision} in", repo_id):
            # Tag the commit just made, not whatever main points to by now.
            api.create_tag(
                repo_id,
                tag=revision,
                revision=result.commit_oid,
                repo_type=REPO_TYPE,
                tag_message=result.commit_message,
            )
    return result


def _refuse_existing_tag(api: HfApi, repo_id: str, tag: str) -> None:
    """A version tag names one upload: fail before uploading rather than after."""
    with _hub_errors("listing the tags of", repo_id):
        refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
    if any(ref.name == tag for ref in refs.tags):
        raise ClojureDataError(f"{repo_id} already has a tag '{tag}'; pick a new version name")
