"""Inline authoring markup for the team's training reports.

Writing character offsets by hand is error-prone, so training reports are written with their
annotations inline and converted to the schema's JSONL by :func:`parse_markup`:

* an entity is ``[span text]{LABEL}`` or, when a relation refers to it, ``[span text]{LABEL#id}``;
* a relation is a line ``@rel HEAD_ID TYPE TAIL_ID`` (anywhere, usually at the end);
* a metadata line is ``@meta key: value`` (``region``, ``form``, ``genre``, ...);
* every other line is report text, kept exactly as written once the markup is removed.

Lines starting with ``@`` are removed together with their line break. Square brackets and braces
written as text must not form ``[...]{...}``; nothing else is special.

This module uses only the standard library so that it runs before the package is installed:
``python3 -m tipx.annotations.markup FILE...`` checks files and prints a one-line summary each.
"""
from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..schema import LABELS, RELATIONS, relation_allowed

_ENTITY = re.compile(r"\[([^\[\]\n]+)\]\{([A-Z_]+)(?:#([A-Za-z0-9_]+))?\}")
_REL = re.compile(r"^@rel\s+(\S+)\s+(\S+)\s+(\S+)\s*$")
_META = re.compile(r"^@meta\s+([A-Za-z_]+)\s*:\s*(.*?)\s*$")


class MarkupError(ValueError):
    """A problem in an authored file, with the line it is on."""


@dataclass
class Authored:
    """One authored report: plain text plus entities and relations in schema form."""

    text: str
    entities: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


def _paragraph_of(text: str):
    """A function giving the paragraph number (paragraphs split on blank lines) of an offset."""
    breaks = [m.end() for m in re.finditer(r"\n[ \t]*\n", text)]
    return lambda offset: bisect.bisect_right(breaks, offset)


_STRAY = re.compile(r"\]\{|\[\[|\{[A-Z_]+(?:#\w*)?[\]}]")


def _no_stray_markup(segment: str, name: str, lineno: int) -> None:
    m = _STRAY.search(segment)
    if m:
        raise MarkupError(f"{name}:{lineno}: stray or malformed markup {m.group(0)!r} near {segment.strip()[:60]!r}")


def parse_markup(source: str, name: str = "<string>") -> Authored:
    """Turn an authored file's content into text, entities and relations.

    Raises :class:`MarkupError` naming the file and line for anything the schema does not allow.
    """
    out_lines: list[str] = []
    rels: list[tuple[int, str, str, str]] = []
    meta: dict[str, str] = {}
    for lineno, line in enumerate(source.splitlines(keepends=True), 1):
        stripped = line.strip()
        if stripped.startswith("@rel"):
            m = _REL.match(stripped)
            if not m:
                raise MarkupError(f"{name}:{lineno}: bad relation line {stripped!r}; want '@rel HEAD TYPE TAIL'")
            rels.append((lineno, m.group(1), m.group(2), m.group(3)))
            continue
        if stripped.startswith("@meta"):
            m = _META.match(stripped)
            if not m:
                raise MarkupError(f"{name}:{lineno}: bad metadata line {stripped!r}; want '@meta key: value'")
            meta[m.group(1)] = m.group(2)
            continue
        out_lines.append((lineno, line))

    text_parts: list[str] = []
    entities: list[dict] = []
    by_name: dict[str, dict] = {}
    pos = 0
    for lineno, line in out_lines:
        last = 0
        for m in _ENTITY.finditer(line):
            span_text, label, ent_name = m.group(1), m.group(2), m.group(3)
            if label not in LABELS:
                raise MarkupError(f"{name}:{lineno}: unknown label {label!r} on {span_text!r}; known: {', '.join(LABELS)}")
            if span_text != span_text.strip():
                raise MarkupError(f"{name}:{lineno}: span {span_text!r} starts or ends with a space")
            before = line[last:m.start()]
            _no_stray_markup(before, name, lineno)
            text_parts.append(before)
            pos += len(before)
            ent = {"id": len(entities) + 1, "label": label, "start_offset": pos, "end_offset": pos + len(span_text)}
            entities.append(ent)
            if ent_name:
                if ent_name in by_name:
                    raise MarkupError(f"{name}:{lineno}: entity id #{ent_name} used twice")
                by_name[ent_name] = ent
            text_parts.append(span_text)
            pos += len(span_text)
            last = m.end()
        rest = line[last:]
        _no_stray_markup(rest, name, lineno)
        text_parts.append(rest)
        pos += len(rest)
    text = "".join(text_parts)

    para = _paragraph_of(text)
    relations: list[dict] = []
    seen = set()
    for lineno, head, rtype, tail in rels:
        if rtype not in RELATIONS:
            raise MarkupError(f"{name}:{lineno}: unknown relation type {rtype!r}; known: {', '.join(RELATIONS)}")
        for ref in (head, tail):
            if ref not in by_name:
                raise MarkupError(f"{name}:{lineno}: relation refers to #{ref}, which no entity carries")
        h, t = by_name[head], by_name[tail]
        if not relation_allowed(rtype, h["label"], t["label"]):
            raise MarkupError(f"{name}:{lineno}: {rtype} does not allow {h['label']} -> {t['label']} (#{head} -> #{tail})")
        if para(h["start_offset"]) != para(t["start_offset"]):
            raise MarkupError(f"{name}:{lineno}: #{head} and #{tail} are in different paragraphs; relations stay within one")
        key = (h["id"], t["id"], rtype)
        if key in seen:
            raise MarkupError(f"{name}:{lineno}: relation {head} {rtype} {tail} given twice")
        seen.add(key)
        relations.append({"id": len(relations) + 1, "from_id": h["id"], "to_id": t["id"], "type": rtype})
    return Authored(text=text, entities=entities, relations=relations, meta=meta)


def parse_file(path: str | Path) -> Authored:
    path = Path(path)
    return parse_markup(path.read_text(encoding="utf-8"), name=str(path))


def _main(argv: list[str]) -> int:
    failed = 0
    for arg in argv:
        try:
            doc = parse_file(arg)
        except (MarkupError, OSError, UnicodeDecodeError) as err:
            print(f"ERROR {err}")
            failed += 1
            continue
        words = len(doc.text.split())
        counts: dict[str, int] = {}
        for e in doc.entities:
            counts[e["label"]] = counts.get(e["label"], 0) + 1
        rcounts: dict[str, int] = {}
        for r in doc.relations:
            rcounts[r["type"]] = rcounts.get(r["type"], 0) + 1
        print(f"ok {arg}: {words} words, {len(doc.entities)} entities {counts}, {len(doc.relations)} relations {rcounts}")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover - command-line use
    sys.exit(_main(sys.argv[1:]))
