"""The ``clojure-data`` command line (click).

Every fatal problem ends as one line on stderr and exit code 1 (2 for usage errors, as click
does); ``--verbose`` adds the traceback for bugs.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import click

from .errors import ClojureDataError


def _parse_sets(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``--set key=value``: the value is read as TOML (numbers, booleans, arrays), else as a string."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"--set expects key=value, got {pair!r}")
        try:
            settings[key.strip()] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            settings[key.strip()] = raw
    return settings


def _use_sample_salt_unless_set(quiet: bool) -> None:
    """The samples are fictional, so a public salt lets ``--sample`` run out of the box; real data
    (``--input``, ``--download``) still needs a secret salt, and the datasheet says which was used."""
    from .privacy.pseudonyms import SALT_ENV, SALT_FILE_ENV, SAMPLE_SALT

    if not os.environ.get(SALT_ENV) and not os.environ.get(SALT_FILE_ENV):
        os.environ[SALT_ENV] = SAMPLE_SALT
        if not quiet:
            click.echo(
                f"note: no ${SALT_ENV} set; pseudonyms use the public sample salt (fine for samples only)"
            )


def _default_download_dir(name: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clojure-data" / name


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no progress bars, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Show datatrove's task logs and tracebacks.")
@click.version_option(package_name="clojure-data")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Curate Clojure training data into Hugging Face datasets."""
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="INFO" if verbose else "ERROR")
    ctx.obj = {"quiet": quiet, "verbose": verbose}


@cli.command("sources")
def sources_cmd() -> None:
    """List the registered sources (datasets)."""
    from .registry import sources

    for name in sources.names():
        cls = sources.get(name)
        click.echo(f"{name:28} {cls.kind.value:10} {cls.description}")


@cli.command("passes")
def passes_cmd() -> None:
    """List the registered sanitizer passes."""
    from .registry import passes

    for name in passes.names():
        doc = (passes.get(name).__doc__ or "").strip().splitlines()
        click.echo(f"{name:20} {doc[0] if doc else ''}")


@cli.command("policies")
def policies_cmd() -> None:
    """List the shipped policies."""
    from .policy import available_policies, load_policy

    for name in available_policies():
        policy = load_policy(name)
        click.echo(f"{name:16} {' -> '.join(s.name for s in policy.passes)}")


def _run_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "-o", "--output", required=True, type=click.Path(path_type=Path), help="Output folder."
            ),
            click.option("--policy", default="default", show_default=True, help="Policy name or .toml path."),
            click.option("--workers", default=1, show_default=True, type=int, help="Parallel processes."),
            click.option(
                "--tasks", default=None, type=int, help="Tasks (output shards); default min(#inputs, 16)."
            ),
            click.option("--overwrite", is_flag=True, help="Replace an existing output folder."),
        ]
    ):
        f = option(f)
    return f


@cli.command("build")
@click.argument("name")
@click.option("--sample", is_flag=True, help="Read the built-in sample.")
@click.option("--input", "input_path", type=click.Path(path_type=Path), help="Read a local file or folder.")
@click.option("--download", is_flag=True, help="Fetch the public archive (polite crawl, cached, resumable).")
@click.option("--download-dir", type=click.Path(path_type=Path), help="Where --download caches pages.")
@click.option(
    "--set", "sets", multiple=True, metavar="KEY=VALUE", help="Builder config setting (repeatable)."
)
@_run_options
@click.pass_obj
def build_cmd(
    obj: dict[str, Any],
    name: str,
    sample: bool,
    input_path: Path | None,
    download: bool,
    download_dir: Path | None,
    sets: tuple[str, ...],
    output: Path,
    policy: str,
    workers: int,
    tasks: int | None,
    overwrite: bool,
) -> None:
    """Build dataset NAME from its sample, a local input or its public archive."""
    from .policy import build_config, load_policy
    from .registry import sources

    if sum([sample, input_path is not None, download]) != 1:
        raise click.UsageError("give exactly one of --sample, --input PATH, --download")
    cls = sources.get(name)
    builder = cls(build_config(cls.Config, _parse_sets(sets), f"source '{name}'"))
    pol = load_policy(policy)
    if sample:
        _use_sample_salt_unless_set(obj["quiet"])
        shards = builder.sample_shards()
    elif download:
        fetched = builder.download(download_dir or _default_download_dir(name), progress=not obj["quiet"])
        shards = builder.shards(fetched)
    else:
        assert input_path is not None
        shards = builder.shards(input_path)
    _run_and_report(obj, builder, shards, pol, output, workers, tasks, overwrite)


@cli.command("sanitize")
@click.argument("input_path", metavar="INPUT.jsonl", type=click.Path(path_type=Path))
@_run_options
@click.pass_obj
def sanitize_cmd(
    obj: dict[str, Any],
    input_path: Path,
    output: Path,
    policy: str,
    workers: int,
    tasks: int | None,
    overwrite: bool,
) -> None:
    """Run a policy's passes over JSON-lines records (id, text, metadata)."""
    from .jsonl_input import JsonlRecords
    from .policy import load_policy

    builder = JsonlRecords()
    _run_and_report(
        obj, builder, builder.shards(input_path), load_policy(policy), output, workers, tasks, overwrite
    )


def _run_and_report(
    obj: dict[str, Any],
    builder: Any,
    shards: list[Path],
    policy: Any,
    output: Path,
    workers: int,
    tasks: int | None,
    overwrite: bool,
) -> None:
    from .pipeline import run

    result = run(
        builder,
        shards,
        policy,
        output,
        tasks=tasks,
        workers=workers,
        progress=not obj["quiet"],
        verbose=obj["verbose"],
        overwrite=overwrite,
    )
    if not obj["quiet"]:
        s = result.stats
        click.echo(
            f"{builder.name}: read {s['input']['records']} records from {s['input']['shards']} shard(s), "
            f"wrote {s['output']['records']} to {output}/data, rejected {s['rejected']['total']} "
            f"(see {output}/rejected), datasheet {output}/README.md"
        )


@cli.command("card")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
def card_cmd(folder: Path) -> None:
    """Re-render FOLDER/README.md from FOLDER/stats.json."""
    from .cards import check_card, render_card

    path = render_card(folder)
    problems = check_card(path)
    for problem in problems:
        click.echo(f"card problem: {problem}", err=True)
    if problems:
        raise ClojureDataError(f"{path} has {len(problems)} problem(s)")
    click.echo(f"wrote {path}")


@cli.command("push")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--repo", required=True, help="Hub dataset repo, ORG/NAME.")
@click.option("--revision", help="Tag this upload (e.g. v1.0) so it can be loaded by revision.")
@click.option("--private", is_flag=True, help="Create the repo private.")
@click.option("--dry-run", is_flag=True, help="Print what would be uploaded; touch no network.")
@click.option("--include-rejected", is_flag=True, help="Also upload rejected/ (it may hold PII).")
def push_cmd(
    folder: Path, repo: str, revision: str | None, private: bool, dry_run: bool, include_rejected: bool
) -> None:
    """Upload FOLDER to the Hugging Face Hub as dataset REPO."""
    from .hub import push

    result = push(
        folder, repo, revision=revision, private=private, dry_run=dry_run, include_rejected=include_rejected
    )
    click.echo(result.describe())


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning any failure into one line and a non-zero exit code."""
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="clojure-data", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 1
    except ClojureDataError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("interrupted; re-run the same command to resume", err=True)
        return 130
    except Exception as exc:  # a bug: still one line unless --verbose
        if verbose:
            raise
        click.echo(f"error: {type(exc).__name__}: {exc} (re-run with --verbose for the traceback)", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
