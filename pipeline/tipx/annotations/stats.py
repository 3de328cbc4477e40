"""Counts of reports, entities per label and relations per type, per split."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..schema import LABELS, RELATION_TYPES


@dataclass
class SplitStats:
    reports: int = 0           # distinct reports (noisy copies of a report count once)
    records: int = 0           # records, copies included
    words: int = 0             # words of the distinct reports
    labels: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)


def split_stats(records: Iterable[dict]) -> SplitStats:
    """Counts over distinct reports: a noisy copy (``meta.variant`` other than clean) adds records only."""
    st = SplitStats()
    for rec in records:
        st.records += 1
        variant = (rec.get("meta") or {}).get("variant", "clean")
        if variant != "clean":
            continue
        st.reports += 1
        if rec.get("text"):
            st.words += len(rec["text"].split())
        st.labels.update(e["label"] for e in rec.get("entities", []))
        st.relations.update(r["type"] for r in rec.get("relations", []))
    return st


def stats_table(per_split: dict[str, SplitStats]) -> str:
    """A markdown table: rows are labels and relation types, columns are splits."""
    names = list(per_split)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(title, values):
        lines.append(f"| {title} | " + " | ".join(str(v) for v in values) + " |")

    row("reports", [per_split[n].reports for n in names])
    row("records (with noisy copies)", [per_split[n].records for n in names])
    row("words", [per_split[n].words for n in names])
    row("**entities**", [sum(per_split[n].labels.values()) for n in names])
    for label in LABELS:
        row(label, [per_split[n].labels[label] for n in names])
    row("**relations**", [sum(per_split[n].relations.values()) for n in names])
    for rtype in RELATION_TYPES:
        row(rtype, [per_split[n].relations[rtype] for n in names])
    return "\n".join(lines)
