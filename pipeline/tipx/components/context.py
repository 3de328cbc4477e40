"""A context classifier for entity candidates: what does the sentence around a span make of it?

The NER sees a few tokens either side of a word; whether "women" are victims or recruiters, whether
a country is where victims come from or where they were taken, and whether "$400" is a bribe or a
programme budget is usually decided by the rest of the sentence. This model reads that: a logistic
regression over the span's own words, the words right around it, the words of its sentence and the
number of trafficking cues in its paragraph, predicting one of the eight labels or NONE.

It is fitted on the training corpus (never on dev or gold) from

* every gold entity (its label), and
* every candidate the gold leaves unannotated (NONE): gazetteer places and demonyms and amount
  patterns from the span ruler, and single words that head a party or victim span somewhere in the
  training data (the vocabulary is learned from the annotations, not typed in).

``tipx_entities`` uses it to drop NER entities it is sure are NONE, to re-type an entity between
labels that share their candidates (RECRUITER/PERPETRATOR, VICTIM_ORIGIN/DESTINATION), and to add
rule candidates the NER missed when it is confident about them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from spacy.tokens import Doc, Span

from .docs import paragraph_ids, sentence_of
from .linear import LinearModel

NONE = "NONE"
#: Gazetteer labels of the span ruler that stand for candidate places.
PLACE_RULES = ("PLACE", "DEMONYM")
#: Labels whose mentions are parties or victims: their head words become candidates.
HEAD_LABELS = ("RECRUITER", "PERPETRATOR", "VICTIM")


class ContextModel:
    def __init__(self, model: LinearModel | None = None, heads: Iterable[str] = (), cue_prefixes: Sequence[str] = ()):
        self.model = model
        self.heads = set(heads)
        self.cue_prefixes = tuple(cue_prefixes)

    # -- features -----------------------------------------------------------------------------
    def paragraph_cues(self, doc: Doc) -> tuple[list[int], Counter]:
        para = paragraph_ids(doc)
        counts: Counter = Counter()
        if self.cue_prefixes:
            for t in doc:
                if t.lower_.startswith(self.cue_prefixes):
                    counts[para[t.i]] += 1
        return para, counts

    @staticmethod
    def features(doc: Doc, span: Span, para_cues: int, sentence: Span) -> dict:
        f: dict = {
            "head": span[-1].lower_,
            "first": span[0].lower_,
            "shape": span[-1].shape_[:4],
            "len": str(min(len(span), 4)),
            "para_cues": str(min(para_cues, 3)),
        }
        for k in (1, 2, 3):
            if span.start - k >= 0:
                f[f"L{k}"] = doc[span.start - k].lower_
            if span.end + k - 1 < len(doc):
                f[f"R{k}"] = doc[span.end + k - 1].lower_
        for t in sentence:
            if t.is_alpha and not span.start <= t.i < span.end:
                f["s=" + t.lower_[:6]] = 1.0
        return f

    def featurize(self, doc: Doc, spans: Sequence[Span], cues: tuple[list[int], Counter] | None = None) -> list[dict]:
        """Feature dicts of ``spans``; ``cues`` is :meth:`paragraph_cues` of ``doc`` when already known."""
        para, counts = cues or self.paragraph_cues(doc)
        return [self.features(doc, s, counts[para[s.start]], sentence_of(doc, s)) for s in spans]

    def candidates(self, doc: Doc, rules_key: str, rule_labels: Iterable[str]) -> list[Span]:
        keep = set(PLACE_RULES) | set(rule_labels)
        out = [s for s in doc.spans.get(rules_key, []) if s.label_ in keep]
        out += [doc[t.i:t.i + 1] for t in doc if t.lower_ in self.heads]
        return out

    # -- fitting and prediction ---------------------------------------------------------------
    @classmethod
    def fit(cls, pairs: Iterable[tuple[Doc, list[Span]]], *, rules_key: str, rule_labels: Sequence[str],
            cue_prefixes: Sequence[str], min_head: int = 3, C: float = 0.5) -> "ContextModel":
        """``pairs``: docs annotated up to (not including) the NER, each with its gold entities."""
        pairs = list(pairs)
        counts: Counter = Counter(s[-1].lower_ for _, gold in pairs for s in gold if s.label_ in HEAD_LABELS)
        heads = {w for w, n in counts.items() if n >= min_head and w.isalpha()}
        self = cls(None, heads, cue_prefixes)
        X, y = [], []
        for doc, gold in pairs:
            taken: set[int] = set()
            for s in gold:
                taken.update(range(s.start, s.end))
            negatives = [c for c in self.candidates(doc, rules_key, rule_labels) if not taken.intersection(range(c.start, c.end))]
            X += self.featurize(doc, list(gold) + negatives)
            y += [s.label_ for s in gold] + [NONE] * len(negatives)
        if len(set(y)) < 2:
            raise ValueError("context model: the training examples hold fewer than two classes")
        self.model = LinearModel.fit(X, y, C=C)
        return self

    def predict(self, doc: Doc, spans: Sequence[Span], cues: tuple[list[int], Counter] | None = None) -> tuple[np.ndarray, dict[str, int]]:
        """Class probabilities per span, and the column of each class."""
        assert self.model is not None
        probs = self.model.predict_proba(self.featurize(doc, spans, cues)) if spans else np.zeros((0, len(self.model.classes)))
        return probs, {c: i for i, c in enumerate(self.model.classes)}

    # -- serialization ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"model": self.model.to_dict() if self.model else None, "heads": sorted(self.heads),
                "cue_prefixes": list(self.cue_prefixes)}

    @classmethod
    def from_dict(cls, data: dict) -> "ContextModel":
        model = LinearModel.from_dict(data["model"]) if data.get("model") else None
        return cls(model, data.get("heads", []), data.get("cue_prefixes", []))
