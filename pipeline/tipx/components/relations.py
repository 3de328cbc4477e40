"""``tipx_relations``: typed, directed relations between entities, rules plus a trained classifier.

Candidates are ordered pairs of entities in the same paragraph (paragraphs are separated by blank
lines in the reader's clean text), at most ``max_distance`` tokens apart, whose labels the schema
allows for at least one relation type. Each candidate is scored two ways:

* **rules**: high-precision cue patterns (an origin right after a victim with "from" between, a
  sentence with "sentence"/"jail" between a perpetrator and a SENTENCE span, ...), with the cue
  lemmas read from ``cues.json`` (rules are data) and a fixed ``rule_score``;
* **model**: a logistic regression over pair features (label pair, order, distance, words and
  cue hits between, dependency path when a parser ran), fitted in :meth:`initialize` on the gold
  relations of the training corpus.

``mode`` picks ``rules``, ``model`` or ``combined`` (the higher of the two scores); a relation is
kept when its score reaches ``threshold``. Predictions go to ``doc._.tipx_relations`` as tuples
``(head_start, head_end, tail_start, tail_end, type, score)`` in character offsets, the convention
of the gold relations in ``doc.user_data["tipx_relations"]``.
"""

import bisect
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.scorer import PRFScore
from spacy.tokens import Doc, Span
from spacy.training import Example

from ..annotations.docbin import RELATIONS_KEY
from ..schema import RELATION_TYPES, RELATIONS, relation_allowed
from .docs import annotate_before, paragraph_ids, sentence_of
from .linear import LinearModel

MODES = ("rules", "model", "combined")
NONE = "NONE"

if not Doc.has_extension("tipx_relations"):
    Doc.set_extension("tipx_relations", default=None)


def gold_relations(doc: Doc) -> list[tuple]:
    return [tuple(r) for r in doc.user_data.get(RELATIONS_KEY, [])]


@Language.factory(
    "tipx_relations",
    assigns=["doc._.tipx_relations"],
    requires=["doc.ents"],
    default_config={"mode": "combined", "threshold": 0.5, "max_distance": 60, "rule_score": 0.9, "C": 1.0},
    default_score_weights={"rel_micro_f": 0.0, "rel_micro_p": None, "rel_micro_r": None},
)
def make_relations(nlp: Language, name: str, mode: str, threshold: float, max_distance: int, rule_score: float, C: float) -> "RelationExtractor":
    return RelationExtractor(nlp, name, mode=mode, threshold=threshold, max_distance=max_distance, rule_score=rule_score, C=C)


class RelationExtractor:
    def __init__(self, nlp: Language, name: str = "tipx_relations", *, mode: str = "combined", threshold: float = 0.5,
                 max_distance: int = 60, rule_score: float = 0.9, C: float = 1.0):
        if mode not in MODES:
            raise ValueError(f"tipx_relations: unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"tipx_relations: threshold must be between 0 and 1, got {threshold}")
        self.name = name
        self.mode = mode
        self.threshold = threshold
        self.max_distance = max_distance
        self.rule_score = rule_score
        self.C = C
        self.cues: dict[str, list[str]] = {}
        self.model: LinearModel | None = None
        self._nlp = nlp

    # -- candidates and features ------------------------------------------------------------
    def candidates(self, doc: Doc, ents: list[Span] | None = None) -> list[tuple[Span, Span]]:
        ents = list(doc.ents) if ents is None else ents
        para = paragraph_ids(doc)
        out = []
        for a in ents:
            for b in ents:
                if a is b or a.start == b.start:
                    continue
                if para[a.start] != para[b.start]:
                    continue
                if abs(a.start - b.start) > self.max_distance:
                    continue
                if any(relation_allowed(t, a.label_, b.label_) for t in RELATION_TYPES):
                    out.append((a, b))
        return out

    @staticmethod
    def _ents_between(doc: Doc, first: Span, second: Span) -> int:
        starts = [e.start for e in doc.ents]
        return max(0, bisect.bisect_left(starts, second.start) - bisect.bisect_left(starts, first.end))

    def _cue_set(self, name: str) -> set[str]:
        return set(self.cues.get(name, []))

    @staticmethod
    def _word(t) -> str:
        return t.lemma_.lower() if t.lemma_ else t.lower_

    def features(self, doc: Doc, a: Span, b: Span) -> dict:
        first, second = (a, b) if a.start < b.start else (b, a)
        between = doc[first.end:second.start]
        words = [self._word(t) for t in between if not t.is_space]
        f: dict = {
            "pair": f"{a.label_}>{b.label_}",
            "order": "fwd" if a.start < b.start else "back",
            "pair_order": f"{a.label_}>{b.label_}|{'fwd' if a.start < b.start else 'back'}",
            "dist": str(min(len(words), 10) if len(words) < 10 else (15 if len(words) < 20 else 30)),
            "ents_between": str(min(self._ents_between(doc, first, second), 3)),
        }
        if doc.has_annotation("SENT_START"):
            f["same_sent"] = "y" if a.sent.start == b.sent.start else "n"
        if len(words) <= 8:
            for w in words:
                f[f"btw={w}"] = 1.0
            f["btw_seq"] = " ".join(words[:4])
        else:
            for w in words[:4]:
                f[f"btw_l={w}"] = 1.0
            for w in words[-4:]:
                f[f"btw_r={w}"] = 1.0
        for rtype in RELATION_TYPES:
            cues = self._cue_set(rtype)
            if cues and any(w in cues for w in words):
                f[f"cue_{rtype}"] = f"{a.label_}>{b.label_}"
        prev = doc[second.start - 1] if second.start > 0 else None
        if prev is not None:
            f["prev_second"] = f"{second.label_}|{self._word(prev)}"
        if doc.has_annotation("DEP"):
            f["dep_path"] = self._dep_path(a.root, b.root)
        return f

    @staticmethod
    def _dep_path(x, y) -> str:
        up_x = [x, *x.ancestors]
        up_y = [y, *y.ancestors]
        ids_y = {t.i: n for n, t in enumerate(up_y)}
        for n, t in enumerate(up_x):
            if t.i in ids_y:
                m = ids_y[t.i]
                if n + m > 6:
                    return "far"
                return "/".join([u.dep_ for u in up_x[:n]] + ["^"] + [u.dep_ for u in reversed(up_y[:m])])
        return "none"

    # -- rules --------------------------------------------------------------------------------
    def rule(self, doc: Doc, a: Span, b: Span) -> str | None:
        """The relation type a cue rule gives ``a -> b``, or None."""
        la, lb = a.label_, b.label_
        first, second = (a, b) if a.start < b.start else (b, a)
        between = [t for t in doc[first.end:second.start] if not t.is_space]
        words = [self._word(t) for t in between]
        if sentence_of(doc, a).start != sentence_of(doc, b).start:
            return None
        if la == "VICTIM" and lb == "VICTIM_ORIGIN":
            if b.start > a.start and len(words) <= 2 and words[-1:] in (["from"], ["of"]):
                return "ORIGIN"
            if b.end == a.start:  # "Uzbek women"
                return "ORIGIN"
        if la == "VICTIM_ORIGIN" and not self._stands_for_victims(doc, a):
            return None
        if lb == "VICTIM_ORIGIN" and not self._stands_for_victims(doc, b):
            return None
        moving = self._cue_set("DESTINATION") | self._cue_set("EXPLOITED") | self._cue_set("RECRUITED") | {"from"}
        if la in ("VICTIM", "VICTIM_ORIGIN") and lb == "DESTINATION" and b.start > a.start and len(words) <= 12:
            if words and words[-1] in ("to", "into") and any(w in moving for w in words[:-1]):
                return "DESTINATION"
        if la in ("RECRUITER", "PERPETRATOR") and b.start > a.start and len(words) <= 15:
            if lb == "SENTENCE" and any(w in self._cue_set("SENTENCED_TO") for w in words):
                return "SENTENCED_TO"
            if lb == "STATUTE" and any(w in self._cue_set("CHARGED_UNDER") for w in words):
                return "CHARGED_UNDER"
            if la == "RECRUITER" and lb in ("VICTIM", "VICTIM_ORIGIN") and len(words) <= 6 and any(w in self._cue_set("RECRUITED") for w in words):
                return "RECRUITED"
        return None

    @staticmethod
    def _stands_for_victims(doc: Doc, origin: Span) -> bool:
        """An origin stands for the victims only when no victim mention sits next to it
        ("Uzbeks were trafficked", not "women from Uzbekistan" or "Uzbek women")."""
        for e in doc.ents:
            if e.label_ != "VICTIM":
                continue
            if e.start == origin.end or (0 <= origin.start - e.end <= 2):
                return False
        return True

    # -- pipeline -----------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        doc._.tipx_relations = self.predict(doc)
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    def predict(self, doc: Doc, mode: str | None = None, threshold: float | None = None) -> list[tuple]:
        mode = mode or self.mode
        threshold = self.threshold if threshold is None else threshold
        cands = self.candidates(doc)
        if not cands:
            return []
        probs = None
        if mode in ("model", "combined") and self.model is not None:
            probs = self.model.predict_proba([self.features(doc, a, b) for a, b in cands])
        best: dict[tuple, tuple[str, float]] = {}
        for i, (a, b) in enumerate(cands):
            scores: dict[str, float] = {}
            if mode in ("rules", "combined"):
                rtype = self.rule(doc, a, b)
                if rtype:
                    scores[rtype] = self.rule_score
            if probs is not None:
                for j, cls in enumerate(self.model.classes):
                    if cls != NONE and relation_allowed(cls, a.label_, b.label_):
                        scores[cls] = max(scores.get(cls, 0.0), float(probs[i, j]))
            for rtype, score in scores.items():
                if score >= threshold:
                    key = (a.start_char, a.end_char, b.start_char, b.end_char, rtype)
                    best[key] = (rtype, round(score, 4))
        return [(*key[:4], rtype, score) for key, (rtype, score) in sorted(best.items())]

    def initialize(self, get_examples: Callable[[], Iterable[Example]] | None = None, *, nlp: Language | None = None,
                   cues: dict | None = None) -> None:
        """Read the cue lists and fit the classifier on the gold relations of the examples."""
        if cues:
            self.cues = {k: [str(w).lower() for w in v] for k, v in cues.items()}
        if get_examples is None:
            return
        nlp = nlp or self._nlp
        X, y = [], []
        for eg in get_examples():
            doc = self._annotate(nlp, eg.reference)
            gold = {(r[0], r[1], r[2], r[3]): r[4] for r in gold_relations(eg.reference)}
            for a, b in self.candidates(doc):
                X.append(self.features(doc, a, b))
                y.append(gold.get((a.start_char, a.end_char, b.start_char, b.end_char), NONE))
        if len(set(y)) >= 2:
            self.model = LinearModel.fit(X, y, C=self.C)

    def _annotate(self, nlp: Language, reference: Doc) -> Doc:
        """The reference text run through the components before the NER (tagger, parser, ...), with
        the gold entities set: the features the model sees at run time, on gold entities."""
        doc = annotate_before(nlp, reference.text, stop=("ner", self.name), skip=("span_ruler",))
        doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_, alignment_mode="expand") for e in reference.ents]
        return doc

    # -- scoring and serialization --------------------------------------------------------
    def score(self, examples: Iterable[Example], **kwargs) -> dict:
        return score_relations(examples)

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {"cues": self.cues, "model": self.model.to_dict() if self.model else None}
        (path / "relations.json").write_text(json.dumps(data), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()) -> "RelationExtractor":
        data = json.loads((Path(path) / "relations.json").read_text(encoding="utf-8"))
        self.cues = data.get("cues") or {}
        self.model = LinearModel.from_dict(data["model"]) if data.get("model") else None
        return self


def score_relations(examples: Iterable[Example]) -> dict:
    """Micro and per-type P/R/F of predicted relations against the reference, end to end: a relation
    counts when its type and both entity spans (character offsets) match."""
    micro = PRFScore()
    per_type = {t: PRFScore() for t in RELATIONS}
    for eg in examples:
        pred = {tuple(r[:5]) for r in (eg.predicted._.tipx_relations or [])}
        gold = set(gold_relations(eg.reference))
        for scorer, keep in [(micro, None)] + [(per_type[t], t) for t in RELATIONS]:
            p = {r for r in pred if keep is None or r[4] == keep}
            g = {r for r in gold if keep is None or r[4] == keep}
            scorer.tp += len(p & g)
            scorer.fp += len(p - g)
            scorer.fn += len(g - p)
    return {
        "rel_micro_p": micro.precision, "rel_micro_r": micro.recall, "rel_micro_f": micro.fscore,
        "rel_per_type": {t: s.to_dict() for t, s in per_type.items()},
    }
