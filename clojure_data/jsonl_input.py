"""Reader for ``clojure-data sanitize``: records given as JSON lines (``id``, ``text``, ``metadata``).

Not a registered source (it is not one of the datasets); it reuses the ``DatasetBuilder``
machinery so sanitize gets the same rejections, stats, parquet and datasheet as ``build``.
Each bad line (not JSON, not an object, missing or non-string ``id``/``text``, duplicate id) is a
rejection with a reason, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from .builder import CardInfo, DatasetBuilder
from .errors import InputError
from .record import Document, RecordKind, make_record, make_rejection


class JsonlRecords(DatasetBuilder):
    name: ClassVar[str] = "jsonl"
    description = "Records supplied by the user as JSON lines and sanitized with a clojure-data policy."
    kind = RecordKind.DOCUMENT
    input_suffixes = (".jsonl", ".json", ".ndjson")
    card = CardInfo(
        pretty_name="Sanitized records",
        composition="Records supplied by the user as JSON lines (`id`, `text`, optional `metadata`).",
        collection="Supplied by the user of `clojure-data sanitize`; see their documentation.",
    )

    def read(self, shard: Path) -> Iterator[Document]:
        seen: set[str] = set()
        with shard.open("rb") as fh:
            head = fh.read(4096)
            if b"\0" in head:
                raise InputError(f"{shard} looks binary, not JSON lines")
            fh.seek(0)
            for number, raw in enumerate(fh, start=1):
                if raw.strip():
                    yield self._parse_line(raw, f"{shard}:{number}", seen)

    def _parse_line(self, raw: bytes, location: str, seen: set[str]) -> Document:
        rid = f"line-{location.rsplit(':', 1)[1]}"
        text = raw.decode("utf-8", errors="replace")
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            return make_rejection(
                rid, "invalid_json", source=self.name, raw=text, location=f"{location} {exc}"
            )
        if not isinstance(obj, dict):
            return make_rejection(rid, "not_an_object", source=self.name, raw=text, location=location)
        raw_id, body, meta = obj.get("id"), obj.get("text"), obj.get("metadata") or {}
        if not isinstance(raw_id, str | int) or isinstance(raw_id, bool) or not isinstance(body, str):
            return make_rejection(rid, "missing_id_or_text", source=self.name, raw=text, location=location)
        rid = str(raw_id)
        if rid in seen:
            return make_rejection(rid, "duplicate_id", source=self.name, raw=text, location=location)
        seen.add(rid)
        if not isinstance(meta, dict):
            return make_rejection(
                rid, "metadata_not_an_object", source=self.name, raw=text, location=location
            )
        if any(not isinstance(meta.get(k), str | None) for k in ("url", "license")):
            # these two are string columns of the output: a number there would break the parquet shard
            return make_rejection(rid, "metadata_url_or_license_not_a_string", source=self.name, raw=text)
        return make_record(rid, body, source=self.name, kind=RecordKind.DOCUMENT, **_public(meta))


def _public(meta: dict[str, object]) -> dict[str, object]:
    # user keys must not collide with ours or masquerade as private hand-overs
    return {
        k: v for k, v in meta.items() if not k.startswith("_") and k not in {"source", "kind", "id", "text"}
    }
