"""Convert the schema's relation JSONL records to spaCy ``Doc``/``DocBin`` and back, losslessly.

A record becomes one ``Doc`` over the record's text (``resolve_text``: standoff records read their
raw file):

* entities -> ``doc.ents``, made with ``doc.char_span(..., alignment_mode="strict")``; a span whose
  edges fall inside a token raises :class:`MisalignedSpanError` naming the record and the span text;
* relations -> ``doc.user_data["tipx_relations"]``: a list of
  ``(head_start, head_end, tail_start, tail_end, type)`` character offsets (entities never overlap,
  so offsets name an entity uniquely);
* metadata (every key but ``text``/``entities``/``relations`` and private ``_`` keys, in order) ->
  ``doc.user_data["tipx_meta"]``; ``doc.user_data["tipx_standoff"]`` is true for a record that had no
  ``text``, so that the way back leaves the text out again.

Plain ``user_data`` keys (not a ``Doc`` extension) survive ``DocBin(store_user_data=True)`` without
anything to register before loading. Read them with :func:`relations_of` and :func:`meta_of`.

The way back (:func:`doc_to_record`) gives the *canonical* record (:func:`canonical_record`):
entities sorted by offset and numbered 1..n, relations sorted by (head, tail, type) and numbered
1..m. JSONL -> DocBin -> JSONL therefore returns ``canonical_record`` of every input record.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from .records import RecordError, resolve_text

RELATIONS_KEY = "tipx_relations"
META_KEY = "tipx_meta"
STANDOFF_KEY = "tipx_standoff"

#: Keys of a record that are not metadata.
CONTENT_KEYS = ("text", "entities", "relations")

#: The order of the first keys of a canonical record; the other metadata keys follow as they came.
_LEADING_KEYS = ("id", "text", "entities", "relations")


class MisalignedSpanError(RecordError):
    """An entity whose start or end falls inside a token, so ``doc.ents`` cannot hold it."""


def _where(record: dict) -> str:
    where = record.get("_where")
    if where:
        return str(where)
    return f"record {record.get('id', '?')!r}"


def metadata(record: dict) -> dict:
    """The record's metadata: every key but the text, the annotations and private ``_`` keys."""
    return {k: v for k, v in record.items() if k not in CONTENT_KEYS and not k.startswith("_")}


def canonical_record(record: dict) -> dict:
    """The record with entities sorted by offset and numbered 1..n, relations re-pointed and numbered.

    Entities sort by (start, end, label), relations by (head entity, tail entity, type). Keys come
    in the order id, text, entities, relations, then the other metadata as they were. A relation
    naming an entity id the record lacks raises :class:`RecordError`.
    """
    where = _where(record)
    entities = list(record.get("entities") or [])
    ordered = sorted(entities, key=lambda e: (e["start_offset"], e["end_offset"], e["label"]))
    new_id: dict = {}
    new_entities = []
    for n, ent in enumerate(ordered, 1):
        if "id" in ent:
            new_id[ent["id"]] = n
        new_entities.append({"id": n, "label": ent["label"], "start_offset": ent["start_offset"], "end_offset": ent["end_offset"]})
    relations = []
    for rel in record.get("relations") or []:
        try:
            head, tail = new_id[rel["from_id"]], new_id[rel["to_id"]]
        except KeyError as err:
            raise RecordError(f"{where}: relation {rel.get('id', '?')} ({rel.get('type')}) points to entity {err.args[0]!r}, which the record does not have") from None
        relations.append((head, tail, rel["type"]))
    relations.sort()
    out: dict = {}
    if "id" in record:
        out["id"] = record["id"]
    if "text" in record:
        out["text"] = record["text"]
    out["entities"] = new_entities
    out["relations"] = [{"id": n, "from_id": h, "to_id": t, "type": typ} for n, (h, t, typ) in enumerate(relations, 1)]
    for key, value in metadata(record).items():
        if key not in _LEADING_KEYS:
            out[key] = value
    return out


def _blank() -> Language:
    import spacy

    return spacy.blank("en")


def record_to_doc(record: dict, nlp: Language | None = None, raw_dirs: Iterable[str | Path] = ()) -> Doc:
    """One record as a ``Doc`` (see the module docstring); ``nlp`` gives the tokenizer (blank English by default)."""
    nlp = nlp or _blank()
    where = _where(record)
    text = resolve_text(record, list(raw_dirs))
    doc = nlp.make_doc(text)
    spans = []
    by_id: dict = {}
    for ent in record.get("entities") or []:
        start, end, label = ent["start_offset"], ent["end_offset"], ent["label"]
        if not (0 <= start < end <= len(text)):
            raise RecordError(f"{where}: entity {ent.get('id', '?')} ({label}) has offsets {start}-{end} outside the text (length {len(text)})")
        span = doc.char_span(start, end, label=label, alignment_mode="strict")
        if span is None:
            raise MisalignedSpanError(
                f"{where}: entity {ent.get('id', '?')} {label} {text[start:end]!r} ({start}-{end}) does not start and end on token boundaries"
            )
        spans.append(span)
        if "id" in ent:
            by_id[ent["id"]] = (start, end)
    spans.sort(key=lambda s: (s.start_char, s.end_char))
    for prev, cur in zip(spans, spans[1:]):
        if cur.start_char < prev.end_char:
            raise RecordError(f"{where}: entities {prev.text!r} ({prev.label_}) and {cur.text!r} ({cur.label_}) overlap; the schema forbids it")
    doc.ents = spans
    relations = []
    for rel in record.get("relations") or []:
        try:
            head, tail = by_id[rel["from_id"]], by_id[rel["to_id"]]
        except KeyError as err:
            raise RecordError(f"{where}: relation {rel.get('id', '?')} ({rel.get('type')}) points to entity {err.args[0]!r}, which the record does not have") from None
        relations.append((*head, *tail, rel["type"]))
    doc.user_data[RELATIONS_KEY] = sorted(relations)
    doc.user_data[META_KEY] = metadata(record)
    doc.user_data[STANDOFF_KEY] = record.get("text") is None
    return doc


def records_to_docs(records: Iterable[dict], nlp: Language | None = None, raw_dirs: Iterable[str | Path] = ()) -> list[Doc]:
    """Every record as a ``Doc``; the first bad record raises (nothing is returned half-way)."""
    nlp = nlp or _blank()
    raw_dirs = list(raw_dirs)
    return [record_to_doc(rec, nlp, raw_dirs) for rec in records]


def relations_of(doc: Doc) -> list[tuple[int, int, int, int, str]]:
    """The relations stored on a ``Doc``: ``(head_start, head_end, tail_start, tail_end, type)``."""
    return [tuple(r) for r in doc.user_data.get(RELATIONS_KEY, [])]  # type: ignore[misc]


def _as_json(value):
    """msgpack gives tuples back for lists (``DocBin`` loads with ``use_list=False``): undo that."""
    if isinstance(value, (list, tuple)):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def meta_of(doc: Doc) -> dict:
    """The record metadata stored on a ``Doc`` (a copy, JSON-shaped: lists stay lists)."""
    return _as_json(dict(doc.user_data.get(META_KEY, {})))


def doc_to_record(doc: Doc) -> dict:
    """The canonical record of a ``Doc`` made by :func:`record_to_doc` (or annotated the same way)."""
    meta = meta_of(doc)
    entities = []
    span_id: dict[tuple[int, int], int] = {}
    for n, ent in enumerate(sorted(doc.ents, key=lambda s: (s.start_char, s.end_char)), 1):
        span_id[(ent.start_char, ent.end_char)] = n
        entities.append({"id": n, "label": ent.label_, "start_offset": ent.start_char, "end_offset": ent.end_char})
    relations = []
    where = f"record {meta.get('id', '?')!r}"
    for hs, he, ts, te, typ in relations_of(doc):
        try:
            relations.append((span_id[(hs, he)], span_id[(ts, te)], typ))
        except KeyError:
            raise RecordError(f"{where}: relation {typ} between {hs}-{he} and {ts}-{te} does not join two entities of the doc") from None
    relations.sort()
    record: dict = {}
    if "id" in meta:
        record["id"] = meta["id"]
    if not doc.user_data.get(STANDOFF_KEY, False):
        record["text"] = doc.text
    record["entities"] = entities
    record["relations"] = [{"id": n, "from_id": h, "to_id": t, "type": typ} for n, (h, t, typ) in enumerate(relations, 1)]
    for key, value in meta.items():
        if key not in _LEADING_KEYS:
            record[key] = value
    return record


def docs_to_records(docs: Iterable[Doc]) -> list[dict]:
    return [doc_to_record(doc) for doc in docs]


def to_docbin(docs: Iterable[Doc]) -> DocBin:
    """A ``DocBin`` that keeps entities and ``user_data`` (relations, metadata)."""
    docbin = DocBin(store_user_data=True)
    for doc in docs:
        docbin.add(doc)
    return docbin


def write_docbin(path: str | Path, docs: Iterable[Doc]) -> int:
    """Write ``docs`` to a ``.spacy`` file atomically; returns how many were written."""
    docs = list(docs)
    data = to_docbin(docs).to_bytes()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(docs)


def read_docbin(path: str | Path, nlp: Language | None = None) -> list[Doc]:
    """The ``Doc``s of a ``.spacy`` file (user data included)."""
    nlp = nlp or _blank()
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def records_to_docbin_file(records: Sequence[dict], path: str | Path, nlp: Language | None = None, raw_dirs: Iterable[str | Path] = ()) -> int:
    """Convert records and write them as a ``.spacy`` file (nothing is written if one record fails)."""
    return write_docbin(path, records_to_docs(records, nlp, raw_dirs))
