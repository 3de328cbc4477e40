"""Validate annotation records against the schema, with errors a person can act on.

Checks, per record:

* offsets are integers in range, ``start < end``, and on token boundaries (no span starts or ends
  inside a word or on whitespace); a misaligned span is reported with its text;
* spans never overlap or nest;
* labels and relation types are the schema's; relation ids exist; head and tail labels are
  allowed for the type; no relation is given twice;
* every entity is in the cable's body as the reader finds it (not in the routing header), and a
  relation's head and tail are in the same paragraph;
* a standoff record's ``sha256`` matches its raw file.

Nothing is dropped or repaired: every problem is reported and the record counts as failed.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..cables import CableReadError, read_cable
from ..schema import LABELS, RELATIONS, relation_allowed
from .records import RecordError, resolve_text


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class CheckResult:
    records: int = 0
    failed_records: int = 0
    problems: list[Problem] = field(default_factory=list)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def _snippet(text: str, start: int, end: int) -> str:
    s = text[max(0, start):min(len(text), end)].replace("\n", "\\n")
    return s if len(s) <= 60 else s[:57] + "..."


def _plain(s: str) -> str:
    """Text compared between raw and clean: whitespace runs as one space, markdown escapes undone."""
    return re.sub(r"\s+", " ", re.sub(r"\\([$_*#\[\]()&\\~`])", r"\1", s)).strip()


def _paragraph_finder(cable):
    """offset -> index of the reader's paragraph holding it (None outside every paragraph)."""
    starts = [p.start for p in cable.paragraphs]

    def para_of(offset: int):
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and cable.paragraphs[i].start <= offset < cable.paragraphs[i].end:
            return i
        return None

    return para_of


def check_record(rec: dict, text: str, check_body: bool = True) -> list[str]:
    """All problems of one record whose text is ``text``; empty when the record is valid."""
    errors: list[str] = []
    ents = rec.get("entities")
    rels = rec.get("relations", [])
    if not isinstance(ents, list):
        return ["'entities' is missing or not a list"]
    if not isinstance(rels, list):
        return ["'relations' is not a list"]
    by_id: dict = {}
    spans = []
    for ent in ents:
        try:
            eid, label, start, end = ent["id"], ent["label"], ent["start_offset"], ent["end_offset"]
        except (KeyError, TypeError):
            errors.append(f"entity {ent!r} lacks one of id, label, start_offset, end_offset")
            continue
        if eid in by_id:
            errors.append(f"entity id {eid} used twice")
        by_id[eid] = ent
        if label not in LABELS:
            errors.append(f"entity {eid}: unknown label {label!r} (known: {', '.join(LABELS)})")
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= len(text):
            errors.append(f"entity {eid} ({label}): offsets {start}-{end} out of range for a text of {len(text)} characters")
            continue
        span = text[start:end]
        if span != span.strip() or (start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start])) \
                or (end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end])):
            errors.append(f"entity {eid} ({label}) {start}-{end} is not on token boundaries: "
                          f"{_snippet(text, start - 10, start)}[{_snippet(text, start, end)}]{_snippet(text, end, end + 10)}")
        spans.append((start, end, eid, label))
    spans.sort()
    for (s1, e1, id1, l1), (s2, e2, id2, l2) in zip(spans, spans[1:]):
        if s2 < e1:
            errors.append(f"entities {id1} ({l1} {_snippet(text, s1, e1)!r}) and {id2} ({l2} {_snippet(text, s2, e2)!r}) overlap")

    para_of = None
    if check_body and spans:
        try:
            cable = read_cable(text.encode("utf-8"), source=str(rec.get("id", "record")))
        except CableReadError as err:
            errors.append(f"the reader cannot read the text: {err}")
        else:
            para_of = _paragraph_finder(cable)

            for s, e, eid, label in spans:
                if para_of(s) is None or para_of(e - 1) is None:
                    errors.append(f"entity {eid} ({label}) {_snippet(text, s, e)!r} is outside the body the reader finds (header, signature or a dropped repeat)")
                    continue
                cs, ce = cable.body.clean_span(s, e)
                if _plain(cable.body.text[cs:ce]) != _plain(text[s:e]):
                    errors.append(f"entity {eid} ({label}) {_snippet(text, s, e)!r} reads as {_snippet(cable.body.text, cs, ce)!r} in the reader's clean text")

    seen = set()
    for rel in rels:
        try:
            rid, head, tail, rtype = rel["id"], rel["from_id"], rel["to_id"], rel["type"]
        except (KeyError, TypeError):
            errors.append(f"relation {rel!r} lacks one of id, from_id, to_id, type")
            continue
        if rtype not in RELATIONS:
            errors.append(f"relation {rid}: unknown type {rtype!r} (known: {', '.join(RELATIONS)})")
            continue
        if head not in by_id or tail not in by_id:
            errors.append(f"relation {rid} ({rtype}) refers to entity {head if head not in by_id else tail}, which does not exist")
            continue
        h, t = by_id[head], by_id[tail]
        if not relation_allowed(rtype, h["label"], t["label"]):
            errors.append(f"relation {rid}: {rtype} does not allow {h['label']} -> {t['label']} "
                          f"({_snippet(text, h['start_offset'], h['end_offset'])!r} -> {_snippet(text, t['start_offset'], t['end_offset'])!r})")
        if (head, tail, rtype) in seen:
            errors.append(f"relation {rid}: {rtype} {head} -> {tail} given twice")
        seen.add((head, tail, rtype))
        if para_of is not None:
            ph, pt = para_of(h["start_offset"]), para_of(t["start_offset"])
            if ph is not None and pt is not None and ph != pt:
                errors.append(f"relation {rid} ({rtype}) links entities in different paragraphs "
                              f"({_snippet(text, h['start_offset'], h['end_offset'])!r} -> {_snippet(text, t['start_offset'], t['end_offset'])!r})")
    return errors


def check_records(records: Iterable[dict], raw_dirs: list[Path], check_body: bool = True) -> CheckResult:
    result = CheckResult()
    for rec in records:
        result.records += 1
        where = rec.get("_where", str(rec.get("id", "?")))
        try:
            text = resolve_text(rec, raw_dirs)
        except RecordError as err:
            result.failed_records += 1
            result.problems.append(Problem(where, str(err).split(": ", 1)[-1]))
            continue
        errs = check_record(rec, text, check_body=check_body)
        if errs:
            result.failed_records += 1
            label = f"{where} (id {rec.get('id')})"
            result.problems.extend(Problem(label, e) for e in errs)
    return result
