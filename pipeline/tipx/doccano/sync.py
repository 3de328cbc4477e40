"""Push the schema's JSONL records to a doccano project and pull the annotations back.

Push
    Records are checked against the schema first (labels, relation types, offsets, overlaps,
    relation ends), so a bad file uploads nothing. They are then uploaded through doccano's own
    import (the "JSONL(Relation)" format of the RelationExtraction task, run by doccano's celery
    worker) with their entities and relations as pre-annotations (unless ``with_annotations`` is
    false). doccano's import turns every extra column into metadata through a pandas DataFrame,
    which would turn a key missing from some records into NaN and ints into floats, so the upload
    carries only a push token per record; afterwards each document's metadata is set exactly
    (``id``, ``source``, ``sha256``, ``cable_id``, ...) through the examples API.

Pull
    Documents, spans and relations are read through the API (``list_examples``, ``list_spans``,
    ``list_relations``), label ids are mapped back to names, and doccano's span/relation ids are
    renumbered 1..n per record in offset order (:func:`tipx.annotations.docbin.canonical_record`).
    The record id is the ``id`` pushed with the document, else doccano's example id. The API returns
    the annotations the logged-in user may see: everybody's in a collaborative project (which
    :func:`tipx.doccano.server.ensure_project` creates), only their own otherwise.

Every failure reaches the caller as :class:`DoccanoError` with a one-line message.
"""
from __future__ import annotations

import contextlib
import json
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import requests

from tipx.annotations.docbin import canonical_record, metadata
from tipx.annotations.records import RecordError, resolve_text, sha256_bytes
from tipx.schema import LABELS, RELATION_TYPES

PUSH_TOKEN_KEY = "tipx_push"
RELATION_TASK = "RelationExtraction"
IMPORT_FORMAT = "JSONL"

Log = Callable[[str], None]


class DoccanoError(RuntimeError):
    """A push or pull that failed; the message is one line, fit for the terminal."""


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextlib.contextmanager
def api_errors(url: str, doing: str):
    """Turn the client's and requests' exceptions into a one-line :class:`DoccanoError`."""
    from doccano_client.exceptions import DoccanoAPIError

    try:
        yield
    except DoccanoError:
        raise
    except DoccanoAPIError as err:
        status = err.response.status_code if err.response is not None else "?"
        raise DoccanoError(f"doccano at {url} refused to {doing} (HTTP {status}): {_one_line(err)}") from None
    except requests.exceptions.ConnectionError:
        raise DoccanoError(f"cannot reach doccano at {url} while trying to {doing}: is the server running? (`tipx doccano serve` starts one)") from None
    except requests.exceptions.RequestException as err:
        raise DoccanoError(f"request to doccano at {url} failed while trying to {doing}: {_one_line(err)}") from None


def connect(url: str, username: str, password: str):
    """A logged-in ``DoccanoClient``; an unreachable server or a refused login raises DoccanoError."""
    from doccano_client import DoccanoClient
    from doccano_client.exceptions import DoccanoAPIError

    url = url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise DoccanoError(f"{url!r} is not a doccano URL (expected http://HOST:PORT)")
    client = DoccanoClient(url)
    try:
        client.login(username, password)
    except DoccanoAPIError as err:
        status = err.response.status_code if err.response is not None else None
        if status in (400, 401, 403):
            raise DoccanoError(f"doccano at {url} rejected the login of user {username!r}: wrong username or password") from None
        raise DoccanoError(f"doccano at {url} refused to log in (HTTP {status}): {_one_line(err)}") from None
    except requests.exceptions.ConnectionError:
        raise DoccanoError(f"cannot reach doccano at {url}: is the server running? (`tipx doccano serve` starts one)") from None
    except requests.exceptions.RequestException as err:
        raise DoccanoError(f"cannot log in to doccano at {url}: {_one_line(err)}") from None
    return client


def find_project(client, name: str, url: str = "doccano") -> int:
    """The id of the project called ``name``."""
    with api_errors(url, "list projects"):
        projects = list(client.list_projects())
    for project in projects:
        if project.name == name:
            return project.id
    names = ", ".join(repr(p.name) for p in projects) or "none"
    raise DoccanoError(f"doccano at {url} has no project named {name!r} (projects: {names}); create it with `tipx doccano serve --project {name}` or push with --create")


# ---------------------------------------------------------------------------------------------
# push


def _where(record: dict, n: int) -> str:
    return str(record.get("_where") or f"record {record.get('id', n)!r}")


def prepare_record(record: dict, text: str, where: str, with_annotations: bool = True) -> dict:
    """The canonical record (text included) after checking what doccano would otherwise mangle.

    doccano's import silently drops spans it cannot parse or that overlap, and creates a new label
    type for any unknown label, so those are errors here.
    """
    if not text:
        raise RecordError(f"{where}: empty text; doccano refuses empty documents")
    rec = dict(record, text=text)
    if not with_annotations:
        rec["entities"], rec["relations"] = [], []
    for ent in rec.get("entities") or []:
        label, start, end = ent.get("label"), ent.get("start_offset"), ent.get("end_offset")
        if label not in LABELS:
            raise RecordError(f"{where}: entity {ent.get('id', '?')} has label {label!r}, which is not in the schema ({', '.join(LABELS)})")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise RecordError(f"{where}: entity {ent.get('id', '?')} ({label}) has offsets {start}-{end}, not a span of the text (length {len(text)})")
    for rel in rec.get("relations") or []:
        if rel.get("type") not in RELATION_TYPES:
            raise RecordError(f"{where}: relation {rel.get('id', '?')} has type {rel.get('type')!r}, which is not in the schema ({', '.join(RELATION_TYPES)})")
    rec.setdefault("_where", where)
    canon = canonical_record(rec)  # raises on relations to missing entities
    ents = canon["entities"]
    for prev, cur in zip(ents, ents[1:]):
        if cur["start_offset"] < prev["end_offset"]:
            raise RecordError(
                f"{where}: entities {text[prev['start_offset']:prev['end_offset']]!r} ({prev['label']}) and "
                f"{text[cur['start_offset']:cur['end_offset']]!r} ({cur['label']}) overlap; the schema forbids it"
            )
    return canon


def _wait_for_task(client, task_id: str, url: str, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        with api_errors(url, f"report on the {what} task"):
            status = client._task_status_repository.get(task_id)
        if status.ready:
            return status
        if time.monotonic() > deadline:
            raise DoccanoError(
                f"doccano's task worker did not finish the {what} within {timeout:.0f} s: is `doccano task` running? (`tipx doccano serve` starts it)"
            )
        time.sleep(0.5)


def push_records(
    client,
    project_id: int,
    records: Iterable[dict],
    raw_dirs: Iterable[str | Path] = (),
    *,
    with_annotations: bool = True,
    url: str = "doccano",
    timeout: float = 300.0,
    log: Log = lambda _: None,
) -> int:
    """Upload ``records`` as documents of ``project_id`` (see the module docstring); returns how many.

    All records are resolved and checked before anything is sent.
    """
    raw_dirs = list(raw_dirs)
    prepared: list[tuple[dict, dict]] = []
    for n, record in enumerate(records, 1):
        where = _where(record, n)
        text = resolve_text(record, raw_dirs)
        prepared.append((prepare_record(record, text, where, with_annotations), metadata(record)))
    if not prepared:
        return 0
    token = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="tipx-doccano-") as tmp:
        path = Path(tmp) / "push.jsonl"
        with path.open("w", encoding="ascii") as fh:
            for n, (canon, _) in enumerate(prepared):
                line = {"text": canon["text"], "entities": canon["entities"], "relations": canon["relations"], PUSH_TOKEN_KEY: f"{token}:{n}"}
                # ASCII only: doccano guesses the file's encoding (chardet), which can misread UTF-8.
                fh.write(json.dumps(line, ensure_ascii=True) + "\n")
        log(f"Uploading {len(prepared)} documents...")
        with api_errors(url, "accept the upload"):
            upload_id = client._data_import_repository.upload(str(path))
            task_id = client._data_import_repository.ingest(project_id, [upload_id], RELATION_TASK, IMPORT_FORMAT, column_data="text", column_label="label")
    status = _wait_for_task(client, task_id, url, timeout, "import")
    errors = (status.result or {}).get("error") if isinstance(status.result, dict) else None
    if status.error or errors:
        raise DoccanoError(f"doccano's import failed: {_one_line(status.error or errors)}")
    with api_errors(url, "list the imported documents"):
        examples = {}
        for example in client.list_examples(project_id):
            tag = str((example.meta or {}).get(PUSH_TOKEN_KEY, ""))
            if tag.startswith(token + ":"):
                examples[int(tag.split(":", 1)[1])] = example
    if len(examples) != len(prepared):
        raise DoccanoError(f"doccano imported {len(examples)} of {len(prepared)} documents; check the worker log")
    log("Setting the documents' metadata...")
    with api_errors(url, "update document metadata"):
        for n, (_, meta) in enumerate(prepared):
            set_example_meta(client, project_id, examples[n].id, meta)
    return len(prepared)


def set_example_meta(client, project_id: int, example_id: int, meta: dict) -> None:
    """Replace a document's metadata and nothing else.

    Not ``client.update_example``: that PUTs the text back too, and doccano's serializer strips
    leading and trailing whitespace from it, which would shift every offset. A PATCH of ``meta``
    leaves the text alone.
    """
    from doccano_client.repositories.base import verbose_raise_for_status

    base = client._base_repository
    response = base._session.patch(f"{base.api_url}/projects/{project_id}/examples/{example_id}", json={"meta": meta})
    verbose_raise_for_status(response)


# ---------------------------------------------------------------------------------------------
# pull


def example_to_record(
    example_id: int,
    text: str,
    meta: dict,
    spans: Iterable[tuple[int, int, int, int]],
    relations: Iterable[tuple[int, int, int, int]],
    span_types: dict[int, str],
    relation_types: dict[int, str],
) -> dict:
    """One doccano document as a canonical record (text included).

    ``spans`` are ``(span_id, start, end, label_type_id)``, ``relations`` are
    ``(relation_id, from_span_id, to_span_id, relation_type_id)``.
    """
    meta = dict(meta or {})
    meta.pop(PUSH_TOKEN_KEY, None)
    record = {
        "id": meta.pop("id", example_id),
        "text": text,
        "entities": [{"id": sid, "label": span_types.get(lab, str(lab)), "start_offset": s, "end_offset": e} for sid, s, e, lab in spans],
        "relations": [{"id": rid, "from_id": f, "to_id": t, "type": relation_types.get(typ, str(typ))} for rid, f, t, typ in relations],
        **meta,
        "_where": f"doccano example {example_id}",
    }
    return canonical_record(record)


def standoff_form(record: dict) -> dict:
    """The record without ``text`` when its ``source``/``sha256`` pin that text exactly, else as it is.

    Such texts come from raw files that may not be copied; ``records.resolve_text`` restores them.
    """
    digest, source, text = record.get("sha256"), record.get("source"), record.get("text")
    if source and digest and text is not None and sha256_bytes(text.encode("utf-8")) == digest:
        return {k: v for k, v in record.items() if k != "text"}
    return record


def pull_records(client, project_id: int, *, url: str = "doccano", only_confirmed: bool = False, log: Log = lambda _: None) -> list[dict]:
    """Every document of the project (in upload order) as a canonical record with its text."""
    with api_errors(url, "read the project's labels"):
        span_types = {lt.id: lt.text for lt in client.list_label_types(project_id, "span")}
        relation_types = {lt.id: lt.text for lt in client.list_label_types(project_id, "relation")}
    with api_errors(url, "list the project's documents"):
        examples = sorted(client.list_examples(project_id, is_confirmed=True if only_confirmed else None), key=lambda e: e.id)
    log(f"Reading the annotations of {len(examples)} documents...")
    records = []
    with api_errors(url, "read annotations"):
        for ex in examples:
            spans = [(s.id, s.start_offset, s.end_offset, s.label) for s in client.list_spans(project_id, ex.id)]
            rels = [(r.id, r.from_id, r.to_id, r.type) for r in client.list_relations(project_id, ex.id)]
            try:
                records.append(example_to_record(ex.id, ex.text or "", ex.meta, spans, rels, span_types, relation_types))
            except RecordError as err:
                raise DoccanoError(str(err)) from None
    return records
