"""Run the pipeline over cables: the ``tipx extract`` record, in the schema's exchange format.

Each cable is read (:mod:`tipx.cables`), its clean body goes through the spaCy pipeline, and the
entities and relations come back with offsets into the raw file's text (as decoded), a confidence
score each, the header fields, and the case records (:mod:`tipx.cases`).
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .cables import Cable
from .cases import build_cases

#: The shipped default model, inside the repository.
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "tipx-default"


class ModelError(RuntimeError):
    """A model that cannot be loaded, with what to do about it."""


def load_model(path: str | Path | None = None) -> Language:
    import spacy

    path = Path(path) if path else DEFAULT_MODEL
    if not (path / "config.cfg").is_file():
        raise ModelError(f"no spaCy pipeline at {path}: give --model DIR of a trained pipeline "
                         f"(train one with `tipx train`), or restore models/tipx-default")
    return spacy.load(path)


def doc_record(cable: Cable, doc: Doc, scores_key: str = "tipx_ents") -> dict:
    """The exchange-format record of one cable and its processed Doc."""
    group = doc.spans.get(scores_key)
    scores = {(s.start_char, s.end_char): sc for s, sc in zip(group, group.attrs.get("scores", []))} if group is not None else {}
    para_starts = [p.clean_start for p in cable.paragraphs]
    entities = []
    by_offsets = {}
    for n, ent in enumerate(doc.ents, 1):
        rs, re_ = cable.raw_span(ent.start_char, ent.end_char)
        pi = bisect.bisect_right(para_starts, ent.start_char) - 1
        entities.append({
            "id": n, "label": ent.label_, "start_offset": rs, "end_offset": re_,
            "score": scores.get((ent.start_char, ent.end_char)), "text": ent.text,
            "paragraph": cable.paragraphs[pi].number if pi >= 0 else None,
        })
        by_offsets[(ent.start_char, ent.end_char)] = n
    relations = []
    for rel in doc._.tipx_relations or [] if doc.has_extension("tipx_relations") else []:
        hs, he, ts, te, rtype, score = rel
        h, t = by_offsets.get((hs, he)), by_offsets.get((ts, te))
        if h and t:
            relations.append({"id": len(relations) + 1, "from_id": h, "to_id": t, "type": rtype, "score": score})
    record = cable.to_record()
    record.update(entities=entities, relations=relations, cases=build_cases(entities, relations))
    return record


def extract_cables(nlp: Language, cables: Iterable[Cable], batch_size: int = 8, n_process: int = 1) -> Iterator[dict]:
    """Records for cables, in order, streamed through ``nlp.pipe``."""
    cables = iter(cables)
    pending: list[Cable] = []

    def texts():
        for cable in cables:
            pending.append(cable)
            yield cable.body.text

    for doc in nlp.pipe(texts(), batch_size=batch_size, n_process=n_process):
        cable = pending.pop(0)
        yield doc_record(cable, doc)
