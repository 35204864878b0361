"""``clojurians-chat``: Clojurians Slack conversations from the clojurians-log archive.

Input (detected from the path):

* a clojurians-log archive root (``users.edn``, ``channels.edn``, ``logs/YYYY-MM-DD.txt``) or its
  ``logs/`` folder: month shards (see ``clojure_data.slack.logs`` for why a month and how threads
  crossing months stay whole); a single day file is read alone;
* a Slack workspace export root (``users.json``, ``channels.json``, one folder per channel):
  channel-folder shards; a single channel folder is read alone.

One record per thread (parent + replies) and one per window of unthreaded chat (a UTC day per
channel, or runs separated by more than ``window`` minutes). Every event ends in a record's
messages, folded into one (edits, deletions, thread bookkeeping: ``extra.folded_events``), or in
a rejection with its reason; ``clojure_data.slack.fold`` states the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..builder import BuilderConfig, CardInfo, DatasetBuilder
from ..errors import ClojureDataError, InputError
from ..record import Document, RecordKind, make_rejection
from ..registry import register_source
from ..slack import export, logs
from ..slack.assemble import RecordContext, conversations, to_record
from ..slack.directory import Directory, load_edn_directory, load_export_directory
from ..slack.events import Event
from ..slack.fold import fold

# Channels about Clojure itself, its tools and libraries (the sample README lists them). Left out
# by default: off-topic, jobs and events channels, and regional groups (mostly not English).
DEFAULT_CHANNELS: tuple[str, ...] = (
    "clojure", "beginners", "clojurescript", "clojure-dev", "cljs-dev", "clojure-spec", "core-async",
    "core-logic", "core-typed", "core-matrix", "test-check", "testing", "tools-deps", "tools-build",
    "leiningen", "boot", "clojars", "cider", "cursive", "calva", "emacs", "spacemacs", "vim",
    "vim-fireplace", "conjure", "nrepl", "unrepl", "clojure-lsp", "lsp", "clj-kondo", "babashka",
    "sci", "shadow-cljs", "figwheel", "figwheel-main", "lein-figwheel", "lumo", "planck", "cljsrn",
    "dirac", "parinfer", "re-frame", "reagent", "rum", "om", "fulcro", "hoplon", "keechma", "datomic",
    "datascript", "xtdb", "crux", "sql", "graphql", "ring", "ring-swagger", "reitit", "yada",
    "pedestal", "luminus", "duct", "mount", "integrant", "component", "aleph", "immutant", "http-kit",
    "specter", "malli", "clara", "onyx", "arachne", "garden", "data-science", "numerical-computing",
    "uncomplicate", "architecture", "docs", "portal", "polylith", "rewrite-clj", "juxt", "datalog",
)  # fmt: skip
LOG_URL = "https://clojurians-log.clojureverse.org"


@dataclass
class ClojuriansChatConfig(BuilderConfig):
    channels: list[str] = field(default_factory=lambda: list(DEFAULT_CHANNELS))
    """Channel names (or ids) to keep; ``["*"]`` keeps every public channel."""
    window: str | int = "day"
    """Unthreaded chat: ``"day"`` (one record per channel and UTC day) or a gap in minutes."""
    thread_lookahead_days: int = 7
    """How long after its month a month shard still collects replies and edits (clojurians-log)."""
    late_deletions: bool = True
    """Honour deletions logged after a shard's window (one byte scan of the archive per process)."""
    log_url: str = LOG_URL
    """Base of the clojurians-log site for record urls; "" for none."""

    def __post_init__(self) -> None:
        if self.window != "day" and not (isinstance(self.window, int) and self.window > 0):
            raise ClojureDataError(f"window must be 'day' or a number of minutes > 0, got {self.window!r}")
        if isinstance(self.channels, str) or not all(isinstance(c, str) for c in self.channels):
            raise ClojureDataError('channels must be a list of channel names, e.g. ["clojure", "beginners"]')
        if self.thread_lookahead_days < 0:
            raise ClojureDataError("thread_lookahead_days must be >= 0")


@register_source("clojurians-chat")
class ClojuriansChat(DatasetBuilder):
    description = (
        "Conversations from the Clojurians Slack (clojurians-log archive): one record per thread and per "
        "channel-day of unthreaded chat, with edits applied, deletions honoured and Slack markup decoded."
    )
    homepage = LOG_URL + "/"
    license = "other"
    kind = RecordKind.THREAD
    Config = ClojuriansChatConfig
    config: ClojuriansChatConfig
    card = CardInfo(
        pretty_name="Clojurians Slack chat",
        tags=["clojure", "code", "chat", "slack"],
        motivation=(
            "Clojurians is the largest Clojure community chat; its public channels are full of questions, "
            "answers and code about Clojure, ClojureScript and their tools: material for Clojure models."
        ),
        composition=(
            "Each record is a Slack thread (a message and its replies) or a channel's unthreaded messages of "
            "one UTC day, with every message's author (display name), Slack user id, date and text. Code "
            "blocks and inline code keep their backticks; complete code snippets shared as files are "
            "appended as fenced code. Only the configured Clojure channels are included."
        ),
        collection=(
            "Read from the clojurians-log archive, the public log of the Clojurians Slack kept by "
            "ClojureVerse (one Slack event per line, per day), with its users.edn/channels.edn tables. "
            "Edits are applied, deleted messages removed, joins/leaves/topic changes and bot messages "
            "dropped (each counted as a rejection), and Slack markup decoded to plain text."
        ),
        uses="Pre-training and fine-tuning code models on Clojure discussion; studying Clojure Q&A.",
        limitations=(
            "Messages belong to their authors; the log is public but carries no licence. Chat is informal, "
            "often context-dependent and can be wrong or outdated. Replies more than the look-ahead after "
            "their thread's month form separate records. Attachments and images are not included."
        ),
        maintenance="Rebuilt from the archive; a user's removal request is honoured by rebuilding.",
    )

    # -- shards --------------------------------------------------------------------------------
    def shards(self, path: Path) -> list[Path]:
        path = Path(path)
        if not path.exists():
            raise InputError(f"input not found: {path}")
        if path.is_file():
            if not logs.DAY_FILE.match(path.name):
                raise InputError(
                    f"{path.name}: expected a clojurians-log day file (YYYY-MM-DD.txt) or a folder"
                )
            return [path]
        if logs.is_root(path):
            return logs.month_shards(path)
        if path.name == "logs" and logs.is_root(path.parent):
            return logs.month_shards(path.parent)
        if export.is_root(path):
            return export.channel_shards(path)
        if export.is_root(path.parent):
            return [path]
        raise InputError(
            f"{path} is neither a clojurians-log archive (users.edn, channels.edn, logs/) "
            "nor a Slack export (users.json, channels.json, channel folders); unzip exports first"
        )

    # -- reading -------------------------------------------------------------------------------
    def read(self, shard: Path) -> Iterator[Document]:
        shard = Path(shard)
        events, directory, ctx, plan = self._load(shard)  # raises before anything is yielded
        self._select(events, directory)
        deleted: frozenset[tuple[str, str]] = frozenset()
        if plan is not None and self.config.late_deletions:
            deleted = logs.deleted_after(shard.parent, plan.window(plan.month)[0])
        result = fold(events, plan.may_create if plan else (lambda _e: True), deleted.__contains__)
        for rej in result.rejected:
            yield self._rejection(rej.event, rej.reason, rej.folded)
        for conv in conversations(result.messages, self.config.window):
            yield to_record(conv, ctx)

    def _load(self, shard: Path) -> tuple[list[Event], Directory, RecordContext, logs.MonthPlan | None]:
        plan = None
        if logs.is_month_shard(shard):
            directory = load_edn_directory(shard.parent.parent)
            events, plan = logs.read_month(shard, self.config.thread_lookahead_days)
            url = self.config.log_url
        elif shard.is_file():
            root = shard.parent.parent if (shard.parent.parent / "users.edn").is_file() else shard.parent
            directory = load_edn_directory(root)
            events, url = list(logs.read_lines(shard, 0)), self.config.log_url
        elif shard.is_dir():
            directory = load_export_directory(shard.parent)
            events, url = export.read_channel(shard, directory), ""
        else:
            raise InputError(f"not a clojurians-chat shard: {shard}")
        ctx = RecordContext(self.name, directory, self.record_id, url, self.license)
        return events, directory, ctx, plan

    def _select(self, events: list[Event], directory: Directory) -> None:
        """Mark events of unselected, direct-message or private channels as rejections."""
        wanted = set(self.config.channels)
        everything = "*" in wanted
        for ev in events:
            if not ev.channel or ev.cls in ("malformed_json", "not_an_object", "missing_ts"):
                continue
            if ev.channel.startswith("D"):
                ev.cls = "direct_message"
            elif ev.channel.startswith("G"):
                ev.cls = "private_channel"
            elif (
                not everything
                and ev.channel not in wanted
                and directory.channels.get(ev.channel) not in wanted
            ):
                ev.cls, ev.raw = "channel_not_selected", ""

    def _rejection(self, ev: Event, reason: str, folded: int) -> Document:
        doc = make_rejection(
            self.record_id(ev.location), reason, source=self.name, raw=ev.raw, location=ev.location
        )
        if folded:
            doc.metadata["folded_events"] = folded
        return doc
