"""Annotation records -> spaCy training Docs over the reader's clean body text.

The model always sees what the reader makes of a report (clean paragraphs joined by blank lines),
at training and at run time alike. Each record's raw text goes through the reader; its entities are
moved from raw offsets to clean offsets with the reader's offset map; relations are kept as clean
character offsets in ``doc.user_data["tipx_relations"]`` (the convention of
:mod:`tipx.annotations.docbin`), and the record's id in ``doc.user_data["tipx_meta"]``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..annotations.docbin import META_KEY, RELATIONS_KEY
from ..annotations.records import read_jsonl, resolve_text
from ..cables import Cable, read_cable


@dataclass
class ConversionStats:
    records: int = 0
    entities: int = 0
    relations: int = 0
    misaligned: list[str] = field(default_factory=list)


def cable_of(record: dict, raw_dirs: Iterable[str | Path] = ()) -> Cable:
    text = resolve_text(record, list(raw_dirs))
    return read_cable(text.encode("utf-8"), source=str(record.get("source") or record.get("id")))


def record_to_doc(nlp: Language, record: dict, raw_dirs: Iterable[str | Path] = (), stats: ConversionStats | None = None) -> tuple[Doc, Cable]:
    """A Doc of the record's clean body with gold entities and relations, and the cable read."""
    stats = stats if stats is not None else ConversionStats()
    cable = cable_of(record, raw_dirs)
    doc = nlp.make_doc(cable.body.text)
    spans = {}
    for ent in record.get("entities", []):
        cs, ce = cable.body.clean_span(ent["start_offset"], ent["end_offset"])
        span = doc.char_span(cs, ce, label=ent["label"]) or doc.char_span(cs, ce, label=ent["label"], alignment_mode="expand")
        if span is None or cs == ce:
            stats.misaligned.append(f"{record.get('id')}: {ent['label']} {cable.body.text[cs:ce]!r}")
            continue
        spans[ent["id"]] = span
    ents = sorted(spans.values(), key=lambda s: s.start)
    kept = []
    for span in ents:  # "expand" may make neighbours touch; keep the first
        if kept and span.start < kept[-1].end:
            stats.misaligned.append(f"{record.get('id')}: overlapping after alignment {span.text!r}")
            continue
        kept.append(span)
    doc.ents = kept
    kept_ids = {id(s) for s in kept}
    rels = []
    for rel in record.get("relations", []):
        h, t = spans.get(rel["from_id"]), spans.get(rel["to_id"])
        if h is None or t is None or id(h) not in kept_ids or id(t) not in kept_ids:
            continue
        rels.append((h.start_char, h.end_char, t.start_char, t.end_char, rel["type"]))
    doc.user_data[RELATIONS_KEY] = rels
    doc.user_data[META_KEY] = {"id": record.get("id"), "source": record.get("source")}
    stats.records += 1
    stats.entities += len(kept)
    stats.relations += len(rels)
    return doc, cable


def docs_from_jsonl(nlp: Language, paths: Iterable[Path], raw_dirs: Iterable[str | Path] = (), stats: ConversionStats | None = None) -> Iterator[Doc]:
    for path in paths:
        for rec in read_jsonl(path):
            yield record_to_doc(nlp, rec, [Path(path).parent, *raw_dirs], stats)[0]


def write_training_docbin(nlp: Language, jsonl_paths: Iterable[Path], out: Path, raw_dirs: Iterable[str | Path] = ()) -> ConversionStats:
    stats = ConversionStats()
    db = DocBin(store_user_data=True)
    for doc in docs_from_jsonl(nlp, jsonl_paths, raw_dirs, stats):
        db.add(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(out)
    return stats
