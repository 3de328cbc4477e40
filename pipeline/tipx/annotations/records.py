"""Reading and writing the schema's relation JSONL (one record per document).

A record is a plain dict, as doccano exports it::

    {"id": ..., "text": ..., "entities": [{"id", "label", "start_offset", "end_offset"}],
     "relations": [{"id", "from_id", "to_id", "type"}], ...metadata}

The standoff variant (texts that may not be copied, e.g. the gold set over ../shared/seeds) has no
``text`` but ``source`` (file name) and ``sha256`` (of the raw file's bytes); :func:`resolve_text`
fetches the text from the raw file and refuses it when the hash differs.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

METADATA_KEYS = ("id", "source", "sha256", "cable_id", "split", "meta")


class RecordError(ValueError):
    """A record that cannot be read or resolved, with the file and line it came from."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    return sha256_bytes(Path(path).read_bytes())


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield records from a JSONL file; a line that is not a JSON object raises RecordError."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecordError(f"{path}:{lineno}: not valid JSON ({err.msg} at column {err.colno})") from None
            if not isinstance(rec, dict):
                raise RecordError(f"{path}:{lineno}: a record must be a JSON object, got {type(rec).__name__}")
            rec.setdefault("_where", f"{path}:{lineno}")
            yield rec


def write_jsonl(path: str | Path, records: Iterable[dict]) -> int:
    """Write records (dropping private ``_`` keys) atomically; returns how many were written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps({k: v for k, v in rec.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


def raw_text(data: bytes) -> str:
    """The text offsets refer to: the raw file's bytes decoded as UTF-8."""
    return data.decode("utf-8")


def resolve_text(record: dict, search_dirs: Iterable[str | Path]) -> str:
    """The text of a record: its ``text``, or for a standoff record the raw file it names.

    The raw file is looked up by ``source`` in ``search_dirs``; its sha256 must match the record's.
    """
    if "text" in record and record["text"] is not None:
        return record["text"]
    where = record.get("_where", record.get("id", "?"))
    source, digest = record.get("source"), record.get("sha256")
    if not source or not digest:
        raise RecordError(f"{where}: record has no 'text' and is not standoff (needs 'source' and 'sha256')")
    for folder in search_dirs:
        candidate = Path(folder) / source
        if candidate.is_file():
            data = candidate.read_bytes()
            actual = sha256_bytes(data)
            if actual != digest:
                raise RecordError(f"{where}: {candidate} has sha256 {actual[:12]}…, the record expects {digest[:12]}…; the raw file changed")
            return raw_text(data)
    raise RecordError(f"{where}: raw file {source!r} not found in {', '.join(map(str, search_dirs))}")
