"""clojurians-chat: Slack logs (clojurians-log and Slack export) to thread records.

The accounting tests prove, on the sample and on the real clojurians-log demo data, that every
input event is in an output message, folded into one (edits, deletions, thread bookkeeping) or
rejected with a reason: ``events == messages + folded + rejected``.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from clojure_data.errors import ClojureDataError, InputError
from clojure_data.record import SCHEMAS, Document, RecordKind, rejection_reason, to_row
from clojure_data.registry import sources
from clojure_data.slack.directory import Directory, Person
from clojure_data.slack.markup import decode
from clojure_data.sources.clojurians_chat import ClojuriansChat

REAL = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "clojurians"
SAMPLE = ClojuriansChat.sample_dir()
CLJ, BEG = "C03S1KBA2", "C053AK3F9"


# -- helpers ------------------------------------------------------------------------------------


@dataclass
class Account:
    records: list[Document] = field(default_factory=list)
    rejections: list[Document] = field(default_factory=list)
    messages: int = 0
    folded: int = 0

    @property
    def reasons(self) -> Counter[str]:
        return Counter(rejection_reason(d) or "" for d in self.rejections)

    @property
    def total(self) -> int:
        return self.messages + self.folded + len(self.rejections)

    def text(self) -> str:
        return "\n".join(d.text for d in self.records)

    def by_id(self, suffix: str) -> Document:
        return next(d for d in self.records if d.id.endswith(suffix))


def account(builder: ClojuriansChat, path: Path) -> Account:
    acc = Account()
    for shard in builder.shards(path):
        for doc in builder.read(shard):
            if rejection_reason(doc):
                acc.rejections.append(doc)
                acc.folded += doc.metadata.get("folded_events", 0)
            else:
                acc.records.append(doc)
                acc.messages += len(doc.metadata["messages"])
                acc.folded += doc.metadata["extra"]["folded_events"]
    return acc


def count_events(logs: Path) -> int:
    """Input events counted independently of the reader: non-blank lines of the day files."""
    return sum(1 for p in logs.glob("*.txt") for line in p.read_bytes().split(b"\n") if line.strip())


def assert_accounted(acc: Account, events: int) -> None:
    assert acc.total == events, (acc.messages, acc.folded, len(acc.rejections), events)
    ids = [d.id for d in acc.records]
    assert len(ids) == len(set(ids)), "record ids must be unique across shards"
    where = [d.metadata["location"] for d in acc.rejections]
    assert len(where) == len(set(where)), "an event was rejected twice"


def ts(when: str) -> str:
    return f"{datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp():.0f}.000100"


def msg(channel: str, user: str, when: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "user": user, "ts": ts(when), "text": text, **extra}


def archive(tmp_path: Path, days: dict[str, list[Any]]) -> Path:
    """A clojurians-log archive with the sample's tables and the given day files."""
    root = tmp_path / "archive"
    (root / "logs").mkdir(parents=True)
    for name in ("users.edn", "channels.edn"):
        shutil.copy(SAMPLE / name, root / name)
    for day, lines in days.items():
        body = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
        (root / "logs" / f"{day}.txt").write_text(body, encoding="utf-8")
    return root


# -- the sample ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Account:
    return account(ClojuriansChat(), SAMPLE)


def test_registered_as_a_thread_source() -> None:
    cls = sources.get("clojurians-chat")
    assert cls is ClojuriansChat and cls.kind is RecordKind.THREAD
    assert cls.homepage == "https://clojurians-log.clojureverse.org/"


def test_sample_accounts_for_every_event(sample: Account) -> None:
    assert_accounted(sample, count_events(SAMPLE / "logs"))
    assert (sample.messages, sample.folded, len(sample.rejections)) == (15, 7, 7)
    assert sample.reasons == Counter(
        channel_join=1,
        channel_leave=1,
        channel_topic=1,
        bot_message=1,
        channel_not_selected=1,
        message_deleted=2,
    )


def test_sample_is_read_in_month_shards() -> None:
    assert [p.name for p in ClojuriansChat().shards(SAMPLE)] == ["2024-02", "2024-03"]
    assert [p.name for p in ClojuriansChat().shards(SAMPLE / "logs")] == ["2024-02", "2024-03"]


def test_thread_crossing_months_stays_whole(sample: Account) -> None:
    thread = sample.by_id("clojure/1709200000.000100")
    authors = [m["author"] for m in thread.metadata["messages"]]
    assert authors == ["ada", "Bruno", "dmitri"]  # the last reply is in the March day file
    assert thread.metadata["messages"][2]["date"] == "2024-03-01T10:46:40Z"
    assert (
        thread.metadata["url"]
        == "https://clojurians-log.clojureverse.org/clojure/2024-02-29/1709200000.000100"
    )
    assert thread.metadata["title"].startswith("How do I merge nested maps?")
    assert thread.metadata["tags"] == ["clojure"] and thread.metadata["extra"]["conversation"] == "thread"
    assert thread.metadata["extra"]["folded_events"] == 2  # two message_replied events


def test_code_is_kept_as_code_and_markup_decoded(sample: Account) -> None:
    text = sample.text()
    assert "```(defn deep-merge [& ms]\n  (apply merge-with" in text  # fence kept, &amp; decoded
    assert ";; => {:a {:c 2}}```" in text
    assert "`(< 1 2 3)` is true; @here the guide" in text
    assert "the syntax guide (https://clojure.org/guides/learn/syntax)" in text
    assert "There is also #clojure for harder questions & https://clojure.org" in text
    assert "@ada there is no deep merge" in text
    assert "<@" not in text and "&lt;" not in text and "&amp;" not in text


def test_edits_are_applied_and_deletions_honoured(sample: Account) -> None:
    text = sample.text()
    assert "`clojure.java.io/reader` and `line-seq`" in text and "readr" not in text
    assert "+49 30" not in text and "meetup" not in text
    assert "put 3 first" not in text  # the tombstoned thread parent
    orphan = sample.by_id("replies-1709296100.000900")
    assert orphan.metadata["extra"]["parent_missing"] is True
    assert "Lists grow at the front" in orphan.text
    broadcast = sample.by_id("clojure/1709380000.000100")  # a reply known only from its edit
    assert broadcast.metadata["messages"][-1]["text"] == "Thanks @Bruno, `run!` is what I wanted."


def test_snippets_me_messages_and_unknown_users(sample: Account) -> None:
    window = sample.by_id("clojure/2024-03-01")
    assert window.metadata["messages"][0]["text"].endswith(
        '```\n(defn greet [name]\n  (str "Hello, " name "!"))\n(greet "Clojurians")\n```'
    )
    assert window.metadata["extra"]["snippets"] == 1
    assert "is reading the transducers guide" in sample.text()
    unknown = sample.by_id("beginners/2024-03-01")
    assert unknown.metadata["messages"][0]["author"] == "unknown"
    assert unknown.metadata["messages"][0]["author_id"] == "U0ZZZZZZ9"
    assert unknown.metadata["messages"][0]["text"] == "thanks @Bruno and @unknown, that fixed it!"
    assert (
        unknown.metadata["extra"]["unknown_authors"] == 1
        and unknown.metadata["extra"]["unknown_mentions"] == 1
    )


def test_participants_are_private_and_complete(sample: Account) -> None:
    thread = sample.by_id("clojure/1709200000.000100")
    people = {p["id"]: p for p in thread.metadata["_participants"]}
    assert set(people) == {"U0AAAAAA1", "U0BBBBBB2", "U0DDDDDD4"}
    bruno = people["U0BBBBBB2"]
    assert bruno["names"] == ["Bruno", "bruno.k", "Bruno Keller"] and bruno["real_name"] == "Bruno Keller"
    assert bruno["handle"] == "bruno.k" and bruno["email"] == "bruno.keller@example.org"
    chen = next(p for d in sample.records for p in d.metadata["_participants"] if p["id"] == "U0CCCCCC3")
    assert chen["name"] == "chen"  # empty display name: the handle is what Slack shows
    for doc in sample.records:
        row = to_row(doc, SCHEMAS[RecordKind.THREAD])
        public = json.dumps({k: v for k, v in row.items() if k not in ("text", "messages")})
        assert "_participants" not in public and "Keller" not in public and "example.org" not in public


def test_rejections_carry_reason_location_and_raw(sample: Account) -> None:
    join = next(d for d in sample.rejections if rejection_reason(d) == "channel_join")
    assert join.metadata["location"] == "2024-02-29.txt:1" and '"channel_join"' in join.text
    hidden = next(d for d in sample.rejections if rejection_reason(d) == "channel_not_selected")
    assert hidden.text == ""  # other channels' chat is not copied into the rejection log


def test_channel_selection_and_windows() -> None:
    everything = account(ClojuriansChat(channels=["*"]), SAMPLE)
    assert "channel_not_selected" not in everything.reasons
    assert "anyone up for lunch?" in everything.text()
    by_id = account(ClojuriansChat(channels=[BEG]), SAMPLE)
    assert {d.metadata["tags"][0] for d in by_id.records} == {"beginners"}
    gaps = account(ClojuriansChat(window=2), SAMPLE)  # 2 minutes: 14:33:20, 14:34:20 | 14:36:40
    windows = [d for d in gaps.records if d.id.startswith("clojurians-chat/clojure/from-1709390")]
    assert [len(d.metadata["messages"]) for d in windows] == [2, 1]
    assert_accounted(gaps, count_events(SAMPLE / "logs"))


@pytest.mark.parametrize(
    "bad", [{"window": "week"}, {"window": 0}, {"channels": "clojure"}, {"thread_lookahead_days": -1}]
)
def test_bad_settings_are_clear_errors(bad: dict[str, Any]) -> None:
    with pytest.raises(ClojureDataError):
        ClojuriansChat(**bad)


# -- markup -------------------------------------------------------------------------------------


def test_markup_decoding() -> None:
    d = Directory(users={"U1": Person("U1", handle="h", display_name="Disp")}, channels={"C1": "clojure"})
    cases = {
        "<@U1> hi": "@Disp hi",
        "<@U1|old> hi": "@Disp hi",
        "<@U9|gone>": "@gone",
        "<#C1> and <#C2|beginners>": "#clojure and #beginners",
        "<https://a.org/x?a=1&amp;b=2|docs>": "docs (https://a.org/x?a=1&b=2)",
        "<https://a.org>": "https://a.org",
        '`(<http://clojure.java.io|clojure.java.io>/file "x")`': '`(clojure.java.io/file "x")`',
        "<mailto:a@b.org|a@b.org>": "a@b.org",
        "<!here> <!channel> <!subteam^S1|@devs>": "@here @channel @devs",
        "&amp;lt; is not &lt;": "&lt; is not <",
        "```(-&gt; x (f))```": "```(-> x (f))```",
    }
    for raw, want in cases.items():
        assert decode(raw, d).text == want, raw
    assert decode("<@U1> <@U9>", d).mentions == ["U1"] and decode("<@U9>", d).unknown_mentions == 1


# -- threads across month shards ----------------------------------------------------------------


@pytest.fixture
def two_months(tmp_path: Path) -> Path:
    parent = msg(CLJ, "U0AAAAAA1", "2024-01-31T12:00:00", "How do I test async code?")
    other = msg(CLJ, "U0BBBBBB2", "2024-01-31T13:00:00", "hello everyone")
    skewed = msg(CLJ, "U0CCCCCC3", "2024-01-31T23:30:00", "late night question")  # in the Feb 1 file
    reply = msg(CLJ, "U0BBBBBB2", "2024-02-03T09:00:00", "use `async done`", thread_ts=parent["ts"])
    edit = {"type": "message", "subtype": "message_changed", "channel": CLJ, "ts": ts("2024-02-03T10:00:00"),
            "message": {**other, "text": "hello everyone!"}}  # fmt: skip
    late = msg(CLJ, "U0DDDDDD4", "2024-02-20T09:00:00", "or core.async/<!!", thread_ts=parent["ts"])
    delete = {"type": "message", "subtype": "message_deleted", "channel": CLJ,
              "ts": ts("2024-02-20T10:00:00"), "deleted_ts": other["ts"]}  # fmt: skip
    return archive(
        tmp_path,
        {
            "2024-01-31": [parent, other],
            "2024-02-01": [skewed],
            "2024-02-03": [reply, edit],
            "2024-02-20": [late, delete],
        },
    )


def test_lookahead_keeps_threads_whole_and_owns_each_event_once(two_months: Path) -> None:
    acc = account(ClojuriansChat(thread_lookahead_days=7), two_months)
    assert_accounted(acc, 7)
    thread = acc.by_id(f"clojure/{ts('2024-01-31T12:00:00')}")
    assert [m["author"] for m in thread.metadata["messages"]] == ["ada", "Bruno"]
    fragment = acc.by_id(f"replies-{ts('2024-02-20T09:00:00')}")  # beyond the look-ahead
    assert fragment.metadata["extra"]["parent_missing"] and "core.async/<!!" in fragment.text
    window = acc.by_id("clojure/2024-01-31")
    assert [m["text"] for m in window.metadata["messages"]] == ["late night question"]  # skew handled
    assert acc.reasons == Counter(message_deleted=1, delete_target_not_in_shard=1)  # late deletion honoured

    wide = account(ClojuriansChat(thread_lookahead_days=30), two_months)
    assert_accounted(wide, 7)
    whole = wide.by_id(f"clojure/{ts('2024-01-31T12:00:00')}")
    assert len(whole.metadata["messages"]) == 3 and wide.reasons == Counter(message_deleted=1)

    naive = account(ClojuriansChat(thread_lookahead_days=7, late_deletions=False), two_months)
    assert "hello everyone!" in naive.text()  # without the index a late deletion is missed


# -- bad input ----------------------------------------------------------------------------------


def test_broken_lines_missing_ts_and_truncation(tmp_path: Path) -> None:
    good = msg(CLJ, "U0AAAAAA1", "2024-03-05T10:00:00", "fine")
    no_ts = {"type": "message", "channel": CLJ, "user": "U0AAAAAA1", "text": "when?"}
    truncated = json.dumps(msg(CLJ, "U0AAAAAA1", "2024-03-05T11:00:00", "cut"))[:40]
    reaction = {"type": "reaction_added", "ts": "1.0"}
    direct = {**good, "ts": ts("2024-03-05T10:30:00"), "channel": "D0123"}
    root = archive(tmp_path, {"2024-03-05": [good, "{not json", "[1, 2]", no_ts, reaction, direct]})
    (root / "logs" / "2024-03-05.txt").open("a").write(truncated)  # no final newline: a cut-off file
    acc = account(ClojuriansChat(), root)
    assert_accounted(acc, count_events(root / "logs"))
    assert acc.reasons == Counter(
        malformed_json=2, not_an_object=1, missing_ts=1, not_a_message=1, direct_message=1
    )
    assert [m["text"] for d in acc.records for m in d.metadata["messages"]] == ["fine"]


@pytest.mark.parametrize("bad", ["inf", "nan", "1e300", "-99999999999999", " 17", "1_7", "", 17.0])
def test_unusable_timestamps_are_rejected_not_crashes(tmp_path: Path, bad: Any) -> None:
    good = msg(CLJ, "U0AAAAAA1", "2024-03-05T10:00:00", "fine")
    odd = {**good, "ts": bad, "text": "odd"}
    files_not_a_list = msg(CLJ, "U0AAAAAA1", "2024-03-05T10:05:00", "files", files=5)
    bad_thread = msg(CLJ, "U0AAAAAA1", "2024-03-05T10:06:00", "thread", thread_ts=bad)
    edit = {**msg(CLJ, "", "2024-03-05T10:07:00", ""), "subtype": "message_changed"}
    edit["message"] = {"ts": good["ts"], "text": "fine, edited", "files": 7, "thread_ts": bad}
    root = archive(tmp_path, {"2024-03-05": [good, odd, files_not_a_list, bad_thread, edit]})
    acc = account(ClojuriansChat(), root)
    assert_accounted(acc, 5)
    assert acc.reasons == Counter(missing_ts=1)
    texts = {m["text"] for d in acc.records for m in d.metadata["messages"]}
    assert texts == {"fine, edited", "files", "thread"}
    assert all(d.metadata["extra"]["conversation"] == "window" for d in acc.records)


def test_tables_as_edn_vectors(tmp_path: Path) -> None:
    root = archive(tmp_path, {"2024-03-05": [msg(CLJ, "U0AAAAAA1", "2024-03-05T10:00:00", "ok")]})
    for name in ("users.edn", "channels.edn"):
        text = (root / name).read_text(encoding="utf-8").strip()
        (root / name).write_text("[" + text[1:-1] + "]", encoding="utf-8")  # (...) -> [...]
    acc = account(ClojuriansChat(), root)
    assert [d.metadata["tags"] for d in acc.records] == [["clojure"]]
    assert acc.records[0].metadata["messages"][0]["author"] == "ada"


def test_binary_empty_and_undecodable_files(tmp_path: Path) -> None:
    root = archive(
        tmp_path, {"2024-03-05": [msg(CLJ, "U0AAAAAA1", "2024-03-05T10:00:00", "ok")], "2024-03-06": []}
    )
    (root / "logs" / "2024-03-07.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (root / "logs" / "2024-03-08.txt").write_bytes(b'{"type": "message", "text": "\xff\xfe"}\n')
    acc = account(ClojuriansChat(), root)
    assert acc.reasons == Counter(binary_file=1, malformed_json=1)
    assert acc.messages == 1


def test_malformed_or_missing_tables_are_input_errors(tmp_path: Path) -> None:
    root = archive(tmp_path, {"2024-03-05": [msg(CLJ, "U0AAAAAA1", "2024-03-05T10:00:00", "ok")]})
    builder = ClojuriansChat()
    (shard,) = builder.shards(root)
    (root / "users.edn").write_text('({:user/slack-id "U1", :user/name', encoding="utf-8")
    with pytest.raises(InputError, match="users.edn is not readable EDN"):
        list(builder.read(shard))
    (root / "users.edn").write_text("[1 2 3]", encoding="utf-8")
    with pytest.raises(InputError, match="expected maps"):
        list(builder.read(shard))
    (root / "users.edn").unlink()
    with pytest.raises(InputError, match="users.edn not found"):
        list(builder.read(shard))


def test_bad_input_paths(tmp_path: Path) -> None:
    builder = ClojuriansChat()
    with pytest.raises(InputError, match="not found"):
        builder.shards(tmp_path / "missing")
    (tmp_path / "notes.md").write_text("hi")
    with pytest.raises(InputError, match="day file"):
        builder.shards(tmp_path / "notes.md")
    with pytest.raises(InputError, match="neither a clojurians-log archive"):
        builder.shards(tmp_path)


def test_a_single_day_file_is_a_shard() -> None:
    day = SAMPLE / "logs" / "2024-02-29.txt"
    builder = ClojuriansChat()
    assert builder.shards(day) == [day]
    acc = account(builder, day)
    assert_accounted(acc, count_events(SAMPLE / "logs") - 19)  # 10 events in that day file


# -- Slack workspace export ---------------------------------------------------------------------


def test_slack_export(tmp_path: Path) -> None:
    root = tmp_path / "export"
    (root / "clojure").mkdir(parents=True)
    (root / "random").mkdir()
    users = [
        {
            "id": "U1",
            "name": "ada",
            "real_name": "Ada Q",
            "profile": {"display_name": "ada", "email": "a@x.org"},
        }
    ]
    (root / "users.json").write_text(json.dumps(users))
    (root / "channels.json").write_text(
        json.dumps([{"id": "C1", "name": "clojure"}, {"id": "C2", "name": "random"}])
    )
    parent = {
        "type": "message",
        "user": "U1",
        "ts": "1709200000.000100",
        "text": "q?",
        "thread_ts": "1709200000.000100",
    }
    reply = {
        "type": "message",
        "user": "U1",
        "ts": "1709200100.000100",
        "text": "`(&lt;!! ch)`",
        "thread_ts": parent["ts"],
    }
    tomb = {
        "type": "message",
        "subtype": "tombstone",
        "user": "USLACKBOT",
        "ts": "1709200200.000100",
        "text": "deleted",
    }
    (root / "clojure" / "2024-02-29.json").write_text(json.dumps([parent, reply, tomb, "junk"]))
    (root / "clojure" / "2024-03-01.json").write_text('[{"type": "message", "ts"')
    (root / "clojure" / "2024-03-02.json").write_text("")
    (root / "random" / "2024-02-29.json").write_text(json.dumps([{**parent, "thread_ts": None}]))
    builder = ClojuriansChat()
    assert [p.name for p in builder.shards(root)] == ["clojure", "random"]
    acc = account(builder, root)
    assert acc.reasons == Counter(
        message_deleted=1, not_an_object=1, malformed_day_file=1, channel_not_selected=1
    )
    (thread,) = acc.records
    assert thread.id == "clojurians-chat/clojure/1709200000.000100" and thread.metadata["url"] is None
    assert [m["text"] for m in thread.metadata["messages"]] == ["q?", "`(<!! ch)`"]
    assert builder.shards(root / "clojure") == [root / "clojure"]
    (root / "users.json").write_text("{oops")
    with pytest.raises(InputError, match="users.json is not readable JSON"):
        list(builder.read(root / "clojure"))


# -- the real clojurians-log demo data ----------------------------------------------------------

real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata/clojurians not present")


@real
@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"channels": ["*"]},
        {"channels": ["*"], "window": 30},
        {"channels": ["*"], "thread_lookahead_days": 0},
    ],
)
def test_real_data_accounts_for_every_event(settings: dict[str, Any]) -> None:
    acc = account(ClojuriansChat(**settings), REAL)
    assert_accounted(acc, count_events(REAL / "logs"))
    assert acc.records and acc.reasons["channel_join"] > 0 and acc.reasons["bot_message"] > 0


@real
def test_real_data_reads_cleanly() -> None:
    acc = account(ClojuriansChat(channels=["*"]), REAL)
    assert acc.reasons["channel_not_selected"] == 0 and acc.reasons["malformed_json"] == 0
    text = acc.text()
    assert "[message text edited or deleted]" not in text  # scrubbed placeholders never published
    assert "<@U" not in text and "<http" not in text and "&gt;" not in text
    threads = [d for d in acc.records if d.metadata["extra"]["conversation"] == "thread"]
    assert len(threads) > 50 and all(
        len(d.metadata["messages"]) >= 2 for d in threads if not d.metadata["extra"]["parent_missing"]
    )
    assert sum(d.metadata["extra"]["unknown_authors"] for d in acc.records) == 0
    assert sum(d.metadata["extra"]["snippets"] for d in acc.records) >= 3
    for doc in acc.records:
        assert doc.metadata["_participants"] and all(
            p["id"].startswith(("U", "W")) for p in doc.metadata["_participants"]
        )
