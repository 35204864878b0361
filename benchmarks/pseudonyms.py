"""Pseudonym benchmark: gender balance, region/locale spread, consistency across datasets and workers.

    python benchmarks/pseudonyms.py [--identities 10000] [--people 300] [--threads 120] [--json out.json]

1. Balance and spread: ``Pseudonymizer`` over N synthetic identities (``email:userN@...``):
   female share, share per region, locales seen, distinct full names (collisions).
2. Consistency: a shared pool of people (Faker, seeded) takes part in three synthetic thread
   datasets that describe them the way real sources do (mail: name + address; chat: id, handle,
   real and display name; forum: handle + name). Each dataset is built with
   ``clojure_data.pipeline.run`` and a policy holding only the ``anonymize`` pass, ``--tasks 4``,
   once with 1 worker and once with 2. Checked: every person has exactly one pseudonym and one
   ``author_id`` across all 6 outputs; no original full name, address or handle survives in any
   text (code included: the synthetic code blocks hold the addresses); the
   parquet files of 1 and 2 workers are byte-identical.

The salt is fixed (``BENCH_SALT``) so the figures are reproducible; real runs use a secret one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

BENCH_SALT = "pseudonym-benchmark-salt-v1"
os.environ.setdefault("CLOJURE_DATA_SALT", BENCH_SALT)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clojure_data.builder import CardInfo, DatasetBuilder  # noqa: E402
from clojure_data.pipeline import run  # noqa: E402
from clojure_data.policy import parse_policy  # noqa: E402
from clojure_data.privacy.pseudonyms import Pseudonymizer, name_tables  # noqa: E402
from clojure_data.record import Document, RecordKind, make_record, message  # noqa: E402

DATASETS = ("mail", "chat", "forum")


# -- 1. balance and spread -----------------------------------------------------------------------


def balance(n: int) -> dict[str, Any]:
    pseudo = Pseudonymizer(os.environ["CLOJURE_DATA_SALT"])
    start = time.perf_counter()
    drawn = [pseudo(f"email:user{i}@example.net") for i in range(n)]
    elapsed = time.perf_counter() - start
    regions = Counter(p.region for p in drawn)
    locales = Counter(p.locale for p in drawn)
    return {
        "identities": n,
        "female_share": sum(p.gender == "female" for p in drawn) / n,
        "regions": {r: c / n for r, c in sorted(regions.items())},
        "locales": dict(sorted(locales.items())),
        "locales_in_tables": len(name_tables()["locales"]),
        "distinct_full_names": len({p.full for p in drawn}),
        "per_second": n / elapsed,
    }


# -- 2. consistency through the pipeline ---------------------------------------------------------


def people_pool(n: int, seed: int = 7) -> list[dict[str, str]]:
    from faker import Faker

    fake = Faker(["en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "pt_BR", "nl_NL"])
    fake.seed_instance(seed)
    pool: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(pool) < n:
        first, last = fake.first_name(), fake.last_name()
        if f"{first} {last}" in seen or " " in first + last:
            continue
        seen.add(f"{first} {last}")
        i = len(pool)
        handle = f"{first[:3]}{last}{i}".lower()
        email = f"{handle}@{fake.free_email_domain()}"
        slack = f"U{i:05d}X{seed}"
        pool.append({"first": first, "last": last, "email": email, "handle": handle, "slack": slack})
    return pool


def participant(person: dict[str, str], dataset: str) -> dict[str, Any]:
    full = f"{person['first']} {person['last']}"
    if dataset == "mail":
        return {"name": full, "email": person["email"]}
    if dataset == "chat":
        handle = person["handle"]
        return {"id": person["slack"], "handle": handle, "real_name": full, "display_name": handle}
    return {"handle": person["handle"], "name": full, "id": f"forum-{person['handle']}"}


def author_of(person: dict[str, str], dataset: str) -> tuple[str, str]:
    full = f"{person['first']} {person['last']}"
    return {
        "mail": (full, "mail-" + person["email"]),
        "chat": (person["handle"], person["slack"]),
        "forum": (person["handle"], f"forum-{person['handle']}"),
    }[dataset]


def contact(person: dict[str, str], dataset: str) -> str:
    """How a dataset's texts point at a person: what that source knows (mail: the address)."""
    return person["email"] if dataset == "mail" else "@" + person["handle"]


def make_dataset(root: Path, dataset: str, pool: list[dict[str, str]], threads: int, seed: int) -> Path:
    rng = random.Random(f"{dataset}-{seed}")
    folder = root / dataset
    folder.mkdir(parents=True)
    shards: list[list[dict[str, Any]]] = [[] for _ in range(8)]
    for t in range(threads):
        people = rng.sample(range(len(pool)), rng.randint(2, 5))
        msgs = []
        for k in range(rng.randint(2, 6)):
            who, other = pool[people[k % len(people)]], pool[people[(k + 1) % len(people)]]
            text = rng.choice(
                [
                    f"Thanks {other['first']}! As {other['first']} {other['last']} said, use transducers.",
                    f"Ask {contact(other, dataset)} about it.\n\n"
                    f'```clojure\n(def maintainer "{contact(other, dataset)}")\n```',
                    f"I'm {who['first']}; {who['first']} {who['last']} here. (map inc xs) works.",
                ]
            )
            author, author_id = author_of(who, dataset)
            msgs.append(
                {"author": author, "author_id": author_id, "text": text, "person": people[k % len(people)]}
            )
        described = [participant(pool[i], dataset) for i in people]
        shards[t % 8].append({"id": f"{dataset}-{t}", "messages": msgs, "participants": described})
    for i, shard in enumerate(shards):
        (folder / f"shard-{i}.json").write_text(json.dumps(shard), encoding="utf-8")
    return folder


class SyntheticThreads(DatasetBuilder):
    """Reads the synthetic shards written by ``make_dataset`` (not a registered source)."""

    name: ClassVar[str] = "synthetic-threads"
    kind = RecordKind.THREAD
    input_suffixes = (".json",)
    card = CardInfo(pretty_name="Synthetic threads", motivation="benchmark", collection="generated")

    def read(self, shard: Path) -> Iterator[Document]:
        for thread in json.loads(shard.read_text(encoding="utf-8")):
            msgs = [message(m["author"], m["text"], author_id=m["author_id"]) for m in thread["messages"]]
            text = "\n\n---\n\n".join(f"From: {m['author']}\n\n{m['text']}" for m in thread["messages"])
            yield make_record(
                thread["id"],
                text,
                source=self.name,
                kind=self.kind,
                messages=msgs,
                _participants=thread["participants"],
            )


def digest_data(out: Path) -> str:
    h = hashlib.sha256()
    for f in sorted((out / "data").glob("*.parquet")):
        h.update(f.read_bytes())
    return h.hexdigest()


def consistency(people: int, threads: int, seed: int = 0) -> dict[str, Any]:
    import pyarrow.parquet as pq

    pool = people_pool(people, seed + 7)
    policy = parse_policy({"name": "bench", "passes": [{"pass": "anonymize"}]})
    seen: dict[int, set[tuple[str, str]]] = defaultdict(set)
    rows, leaks, timings, identical = [], 0, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for dataset in DATASETS:
            folder = make_dataset(root / "in", dataset, pool, threads, seed)
            truth = {t["id"]: t for f in sorted(folder.glob("*.json")) for t in json.loads(f.read_text())}
            builder = SyntheticThreads()
            digests = {}
            for workers in (1, 2):
                out = root / "out" / f"{dataset}-w{workers}"
                start = time.perf_counter()
                run(builder, builder.shards(folder), policy, out, tasks=4, workers=workers, progress=False)
                timings[f"{dataset}-w{workers}"] = time.perf_counter() - start
                digests[workers] = digest_data(out)
                table = pq.read_table(out / "data").to_pylist()
                for row in table:
                    for m, original in zip(row["messages"], truth[row["id"]]["messages"], strict=True):
                        seen[original["person"]].add((m["author"], m["author_id"]))
                    for i in {m["person"] for m in truth[row["id"]]["messages"]}:
                        p = pool[i]
                        blob = row["text"] + "".join(m["text"] for m in row["messages"])
                        leaks += sum(v in blob for v in (f"{p['first']} {p['last']}", contact(p, dataset)))
                rows.append({"dataset": dataset, "workers": workers, "records": len(table)})
            identical[dataset] = digests[1] == digests[2]
    per_person = Counter(len(v) for v in seen.values())
    return {
        "people": len(seen),
        "pseudonyms_per_person": dict(sorted(per_person.items())),
        "consistent": set(per_person) == {1},
        "leaked_values": leaks,
        "identical_across_workers": identical,
        "runs": rows,
        "seconds": timings,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--identities", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--threads", type=int, default=120)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = {"balance": balance(args.identities), "consistency": consistency(args.people, args.threads)}
    print_tables(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def print_tables(result: dict[str, Any]) -> None:
    b, c = result["balance"], result["consistency"]
    print(f"\n## Balance and spread ({b['identities']:,} identities)\n")
    print("| measure | value |\n| --- | --- |")
    print(f"| female share | {b['female_share']:.4f} (target 0.50 +/- 0.02) |")
    for region, share in b["regions"].items():
        print(f"| region {region} | {share:.4f} (uniform: {1 / len(b['regions']):.4f}) |")
    print(f"| locales drawn | {len(b['locales'])} of {b['locales_in_tables']} |")
    print(f"| distinct full names | {b['distinct_full_names']:,} |")
    print(f"| pseudonyms per second | {b['per_second']:,.0f} |")
    print(f"\n## Consistency ({c['people']} people, 3 datasets x workers 1 and 2, --tasks 4)\n")
    print("| dataset | workers | records | seconds | parquet identical to 1 worker |")
    print("| --- | --- | --- | --- | --- |")
    for r in c["runs"]:
        same = ("yes" if c["identical_across_workers"][r["dataset"]] else "NO") if r["workers"] == 2 else "-"
        secs = c["seconds"][f"{r['dataset']}-w{r['workers']}"]
        print(f"| {r['dataset']} | {r['workers']} | {r['records']} | {secs:.1f} | {same} |")
    print(
        f"\npseudonyms per person across all 6 outputs: {c['pseudonyms_per_person']} "
        f"(consistent: {c['consistent']}); original names/addresses/handles left: {c['leaked_values']}"
    )


if __name__ == "__main__":
    main()
