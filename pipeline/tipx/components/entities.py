"""``tipx_entities``: merge rule spans with the statistical NER and give every entity a score.

The ``span_ruler`` writes its matches (AMOUNT_CURRENCY, STATUTE, SENTENCE patterns, and PLACE /
DEMONYM gazetteer candidates) to ``doc.spans[rules_key]``; the ``ner`` writes ``doc.ents``. This
component decides the final entities:

* ``ner_only``     keep the NER's entities;
* ``rules_first``  rule spans of ``rule_labels`` win over NER entities they overlap;
* ``ner_first``    rule spans only fill places where the NER found nothing;
* ``rules_refine`` a rule span replaces an NER entity of a rule label that it overlaps (the rule
                   knows the boundaries and tells a prison term from a sum, the NER knows what is in
                   scope); rule spans are added where the NER found nothing only for
                   ``fill_labels`` (labels whose patterns are precise enough to stand alone);
                   NER entities of ``gate_labels`` that no rule span of their label overlaps are
                   dropped (a sum needs a currency, a statute a pattern's shape);
* ``rules_only``   the rules-only baseline: rule spans, plus gazetteer places turned into
                   VICTIM_ORIGIN after an origin cue ("from") and DESTINATION after a destination
                   cue ("to", "in", "into") in a sentence with a trafficking cue, plus role nouns.

After the merge, an optional **context model** (:mod:`.context`, fitted on the training corpus in
:meth:`initialize`) reads each entity's sentence: it drops NER entities it gives NONE a probability
of at least ``context_drop``, re-types an entity within ``context_relabel_pairs`` when the other
label is ``context_relabel`` times as likely, and adds rule candidates (amount patterns, gazetteer
places) the NER missed when their label reaches the threshold in ``context_fill``. With the
defaults (1.0, 0.0, {}) it is off.

Each final entity gets a confidence in ``doc.spans[scores_key].attrs["scores"]`` (aligned with the
spans): a calibrated probability that it is right, from a logistic model over span features fitted
on the dev set after training (:meth:`calibrate`), or fixed priors before that.
"""

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span, SpanGroup
from spacy.training import Example
from spacy.util import filter_spans

from ..schema import LABELS
from .context import NONE as NONE_CLASS
from .context import PLACE_RULES, ContextModel
from .docs import annotate_before, paragraph_ids, sentence_of
from .linear import LinearModel

#: Entity labels a gazetteer place or demonym can become.
PLACE_LABELS = {"VICTIM_ORIGIN", "DESTINATION"}
MODES = ("ner_only", "rules_first", "ner_first", "rules_refine", "rules_only")
#: Where entities must sit to be kept: anywhere, in a document with a trafficking cue, or in a
#: paragraph with one (cues: the CONTEXT list of cues.json).
SCOPES = ("off", "document", "paragraph")


_OPENING = "([{"
_CLOSING = ")]}"


def _edge_junk(token, closing: bool, span) -> bool:
    """Whether ``token`` at the span's edge is punctuation or space that does not belong to it: a
    full stop or comma after a phrase, a quotation mark, a bracket with no partner inside."""
    if token.is_space:
        return True
    if not (token.is_punct or token.is_quote):
        return False
    text = token.text
    pairs = _CLOSING if closing else _OPENING
    if text in pairs:
        partner = _OPENING[_CLOSING.index(text)] if closing else _CLOSING[_OPENING.index(text)]
        return not any(partner in t.text for t in span)
    return True


@Language.factory(
    "tipx_entities",
    assigns=["doc.ents", "doc.spans"],
    requires=["doc.ents"],
    default_config={
        "mode": "rules_first",
        "rules_key": "rules",
        "scores_key": "tipx_ents",
        "rule_labels": ["AMOUNT_CURRENCY", "STATUTE", "SENTENCE"],
        "ner_prior": 0.7,
        "rule_prior": 0.9,
        "trim_labels": ["RECRUITER", "PERPETRATOR", "VICTIM"],
        "scope_filter": "document",
        "fill_labels": [],
        "gate_labels": [],
        "join_labels": [],
        "conversion_labels": [],
        "context_drop": 1.0,
        "context_relabel": 0.0,
        "context_relabel_pairs": [["RECRUITER", "PERPETRATOR"], ["VICTIM_ORIGIN", "DESTINATION"]],
        "context_fill": {},
        "context_C": 0.5,
        "context_min_head": 3,
    },
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_entities(nlp: Language, name: str, mode: str, rules_key: str, scores_key: str,
                  rule_labels: list[str], ner_prior: float, rule_prior: float, trim_labels: list[str], scope_filter: str,
                  fill_labels: list[str], gate_labels: list[str], join_labels: list[str], conversion_labels: list[str], context_drop: float, context_relabel: float, context_relabel_pairs: list[list[str]],
                  context_fill: dict[str, float], context_C: float, context_min_head: int) -> "EntityMerger":
    return EntityMerger(nlp, name, mode=mode, rules_key=rules_key, scores_key=scores_key,
                        rule_labels=rule_labels, ner_prior=ner_prior, rule_prior=rule_prior, trim_labels=trim_labels, scope_filter=scope_filter,
                        fill_labels=fill_labels, gate_labels=gate_labels, join_labels=join_labels, conversion_labels=conversion_labels,
                        context_drop=context_drop, context_relabel=context_relabel, context_relabel_pairs=context_relabel_pairs, context_fill=context_fill, context_C=context_C,
                        context_min_head=context_min_head)


class EntityMerger:
    def __init__(self, nlp: Language, name: str = "tipx_entities", *, mode: str = "rules_first", rules_key: str = "rules",
                 scores_key: str = "tipx_ents", rule_labels: Iterable[str] = ("AMOUNT_CURRENCY", "STATUTE", "SENTENCE"),
                 ner_prior: float = 0.7, rule_prior: float = 0.9, trim_labels: Iterable[str] = ("RECRUITER", "PERPETRATOR", "VICTIM"),
                 scope_filter: str = "document", fill_labels: Iterable[str] = (), gate_labels: Iterable[str] = (),
                 join_labels: Iterable[str] = (), conversion_labels: Iterable[str] = (), context_drop: float = 1.0,
                 context_relabel: float = 0.0, context_relabel_pairs: Iterable[Iterable[str]] = (),
                 context_fill: dict[str, float] | None = None, context_C: float = 0.5, context_min_head: int = 3):
        if mode not in MODES:
            raise ValueError(f"tipx_entities: unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        context_fill = dict(context_fill or {})
        context_relabel_pairs = [tuple(p) for p in context_relabel_pairs]
        pair_labels = [lab for p in context_relabel_pairs for lab in p]
        for option, labels in (("rule_labels", rule_labels), ("trim_labels", trim_labels), ("fill_labels", fill_labels),
                               ("gate_labels", gate_labels), ("join_labels", join_labels), ("conversion_labels", conversion_labels),
                               ("context_fill", list(context_fill)), ("context_relabel_pairs", pair_labels)):
            unknown = [lab for lab in labels if lab not in LABELS]
            if unknown:
                raise ValueError(f"tipx_entities: unknown label(s) {unknown} in {option}; known: {', '.join(LABELS)}")
        for option, labels in (("fill_labels", fill_labels), ("gate_labels", gate_labels), ("conversion_labels", conversion_labels)):
            if not set(labels) <= set(rule_labels):
                raise ValueError(f"tipx_entities: {option} {sorted(set(labels) - set(rule_labels))} are not in rule_labels")
        self.name = name
        self.mode = mode
        self.rules_key = rules_key
        self.scores_key = scores_key
        self.rule_labels = list(rule_labels)
        self.ner_prior = ner_prior
        self.rule_prior = rule_prior
        self.trim_labels = list(trim_labels)
        self.fill_labels = list(fill_labels)
        self.gate_labels = list(gate_labels)
        self.join_labels = list(join_labels)
        self.conversion_labels = list(conversion_labels)
        self.context_drop = context_drop
        self.context_relabel = context_relabel
        self.context_relabel_pairs = context_relabel_pairs
        self.context_fill = context_fill
        self.context_C = context_C
        self.context_min_head = context_min_head
        self.context: ContextModel | None = None
        if scope_filter not in SCOPES:
            raise ValueError(f"tipx_entities: unknown scope_filter {scope_filter!r}; choose one of {', '.join(SCOPES)}")
        self.scope_filter = scope_filter
        self.leading: set[str] = set()
        self.calibrator: LinearModel | None = None
        self.cues: dict[str, list[str]] = {}
        self.vocab = nlp.vocab

    # -- pipeline ---------------------------------------------------------------------------
    @property
    def uses_context(self) -> bool:
        return self.context_drop < 1.0 or self.context_relabel > 0.0 or bool(self.context_fill)

    def initialize(self, get_examples: Callable[[], Iterable[Example]] | None = None, *, nlp: Language | None = None,
                   cues: dict | None = None, trim: dict | None = None) -> None:
        """Read the cue and trim lists; when a ``context_*`` option is on, fit the context model on
        the training examples' gold entities (see :mod:`.context`)."""
        if cues:
            self.cues = {k: list(v) for k, v in cues.items() if not k.startswith("_")}
        if trim:
            self.leading = {w.lower() for w in trim.get("leading", [])}
        if get_examples is not None and nlp is not None and self.uses_context:
            self.fit_context(nlp, (eg.reference for eg in get_examples()))

    def fit_context(self, nlp: Language, references: Iterable[Doc]) -> int:
        """Fit the context model on reference docs (gold ``ents``), annotated by the components that
        run before the NER. Returns the number of gold entities it saw."""
        pairs = []
        for ref in references:
            doc = annotate_before(nlp, ref.text, stop=("ner", self.name))
            gold = [doc.char_span(e.start_char, e.end_char, label=e.label_, alignment_mode="expand") for e in ref.ents]
            pairs.append((doc, [g for g in gold if g is not None]))
        self.context = ContextModel.fit(pairs, rules_key=self.rules_key, rule_labels=self.rule_labels,
                                        cue_prefixes=self.cues.get("CONTEXT", []), min_head=self.context_min_head, C=self.context_C)
        return sum(len(g) for _, g in pairs)

    def apply_context(self, doc: Doc, ents: list[Span], sources: list[str]) -> tuple[list[Span], list[str]]:
        """Drop, re-type and add entities by the context model (no-op before it is fitted)."""
        if self.context is None or self.context.model is None or not self.uses_context:
            return ents, sources
        cues = self.context.paragraph_cues(doc)  # once per doc, for the entities and the candidates
        probs, col = self.context.predict(doc, ents, cues)
        kept, kept_src = [], []
        for i, (e, src) in enumerate(zip(ents, sources)):
            label = e.label_
            if label not in self.rule_labels and NONE_CLASS in col and probs[i, col[NONE_CLASS]] >= self.context_drop:
                continue
            pair = next((p for p in self.context_relabel_pairs if label in p), ()) if self.context_relabel > 0.0 else ()
            alts = [a for a in pair if a != label and a in col]
            if alts and label in col:
                alt = max(alts, key=lambda a: probs[i, col[a]])
                if probs[i, col[alt]] > self.context_relabel * probs[i, col[label]]:
                    label = alt
            kept.append(e if label == e.label_ else Span(doc, e.start, e.end, label=label))
            kept_src.append(src)
        if self.context_fill:
            taken: set[int] = set()
            for e in kept:
                taken.update(range(e.start, e.end))
            wanted = set(self.context_fill)
            cands = filter_spans([s for s in doc.spans.get(self.rules_key, [])
                                  if s.label_ in wanted or (s.label_ in PLACE_RULES and wanted & PLACE_LABELS)])
            cands = [c for c in cands if not taken.intersection(range(c.start, c.end))]
            cprobs, _ = self.context.predict(doc, cands, cues)
            for j, c in enumerate(cands):
                options = [c.label_] if c.label_ in wanted else sorted(wanted & PLACE_LABELS)
                best = max(options, key=lambda lab: cprobs[j, col[lab]] if lab in col else -1.0)
                if best in col and cprobs[j, col[best]] >= self.context_fill[best]:
                    kept.append(Span(doc, c.start, c.end, label=best))
                    kept_src.append("context")
            order = sorted(range(len(kept)), key=lambda k: kept[k].start)
            kept, kept_src = [kept[k] for k in order], [kept_src[k] for k in order]
        return kept, kept_src

    def join(self, spans: list[Span], sources: list[str]) -> tuple[list[Span], list[str]]:
        """Join touching spans of the same label in ``join_labels``: one mention the NER cut in two
        ("22-year-old" + "girl"). Coordinated mentions always have a word or comma between them."""
        out: list[Span] = []
        out_src: list[str] = []
        for s, src in zip(spans, sources):
            if out and s.label_ in self.join_labels and out[-1].label_ == s.label_ and out[-1].end == s.start:
                out[-1] = Span(s.doc, out[-1].start, s.end, label=s.label_)
                out_src[-1] = "ner" if "ner" in (src, out_src[-1]) else src
                continue
            out.append(s)
            out_src.append(src)
        return out, out_src

    def pair_conversions(self, doc: Doc, spans: list[Span], sources: list[str]) -> tuple[list[Span], list[str]]:
        """A sum and its conversion in brackets ("10,000 som (120 dollars)") are two spans of one
        mention (schema: "a conversion in brackets is a second span"), so they share one decision:
        when one of the two rule spans of a ``conversion_labels`` label is an entity and the other
        is free, the other is added."""
        if not self.conversion_labels:
            return spans, sources
        rules = filter_spans([s for s in doc.spans.get(self.rules_key, []) if s.label_ in self.conversion_labels])
        pairs = [(a, b) for a, b in zip(rules, rules[1:])
                 if a.label_ == b.label_ and [t.text for t in doc[a.end:b.start] if not t.is_space] in (["("], ["["])]
        if not pairs:
            return spans, sources
        taken: set[int] = set()
        for s in spans:
            taken.update(range(s.start, s.end))
        have = {(s.start, s.end, s.label_) for s in spans}
        out, out_src = list(spans), list(sources)
        for a, b in pairs:
            for kept, other in ((a, b), (b, a)):
                if (kept.start, kept.end, kept.label_) in have and not taken.intersection(range(other.start, other.end)):
                    taken.update(range(other.start, other.end))
                    have.add((other.start, other.end, other.label_))
                    out.append(other)
                    out_src.append("rule")
        order = sorted(range(len(out)), key=lambda k: out[k].start)
        return [out[k] for k in order], [out_src[k] for k in order]

    def trim(self, spans: list[Span]) -> list[Span]:
        """Drop leading determiners and titles from party and victim spans (GUIDELINES rules 5-6),
        and punctuation or whitespace tokens at either edge of any span (rule 1)."""
        out = []
        for s in spans:
            start, end = s.start, s.end
            while end - start > 1 and _edge_junk(s.doc[end - 1], closing=True, span=s.doc[start:end - 1]):
                end -= 1
            while end - start > 1 and _edge_junk(s.doc[start], closing=False, span=s.doc[start + 1:end]):
                start += 1
            if s.label_ in self.trim_labels:
                while start < end - 1 and s.doc[start].lower_ in self.leading:
                    start += 1
            out.append(s if (start, end) == (s.start, s.end) else Span(s.doc, start, end, label=s.label_))
        return out

    def in_scope(self, doc: Doc, spans: list[Span], sources: list[str], level: str = "paragraph") -> tuple[list[Span], list[str]]:
        """Keep entities only in paragraphs (or documents) that speak of trafficking or exploitation
        (a token starting with a CONTEXT cue); the schema leaves the same words elsewhere unannotated."""
        prefixes = tuple(self.cues.get("CONTEXT", []))
        if not prefixes or level == "off":
            return spans, sources
        if level == "document":
            return (spans, sources) if any(t.lower_.startswith(prefixes) for t in doc) else ([], [])
        para = paragraph_ids(doc)
        live = {para[t.i] for t in doc if t.lower_.startswith(prefixes)}
        kept = [(s, src) for s, src in zip(spans, sources) if para[s.start] in live]
        return [s for s, _ in kept], [src for _, src in kept]

    def __call__(self, doc: Doc) -> Doc:
        ents, sources = self.merge(doc, self.mode)
        ents, sources = self.join(ents, sources)
        ents = self.trim(ents)
        ents, sources = self.apply_context(doc, ents, sources)
        ents, sources = self.pair_conversions(doc, ents, sources)
        ents, sources = self.in_scope(doc, ents, sources, self.scope_filter)
        doc.ents = ents
        scores = self.score_spans(doc, ents, sources)
        group = SpanGroup(doc, name=self.scores_key, spans=list(ents))
        group.attrs["scores"] = scores
        group.attrs["sources"] = sources
        doc.spans[self.scores_key] = group
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    def merge(self, doc: Doc, mode: str) -> tuple[list[Span], list[str]]:
        ner = list(doc.ents)
        rules = [s for s in doc.spans.get(self.rules_key, []) if s.label_ in self.rule_labels]
        if mode == "ner_only":
            return ner, ["ner"] * len(ner)
        if mode == "rules_only":
            spans = filter_spans(rules + self._rule_places(doc) + self._rule_roles(doc))
            return spans, ["rule"] * len(spans)
        rule_keys = {(s.start, s.end, s.label_) for s in rules}
        if mode == "rules_refine":
            # a rule span that will stand (re-cutting an NER sum, statute or term, or filling in)
            # absorbs other NER entities wholly inside it: "criminal" is not a party in
            # "criminal code article 135"
            standing = [r for r in rules if r.label_ in self.fill_labels or any(
                e.label_ in self.rule_labels and r.start < e.end and e.start < r.end for e in ner)]
            ner = [e for e in ner if e.label_ in self.rule_labels
                   or not any(r.start <= e.start and e.end <= r.end for r in standing)]
            merged, taken = [], set()
            for e in ner:
                # an NER sum, statute or term is re-cut (and re-typed) by the longest rule span over it
                over = [r for r in rules if e.label_ in self.rule_labels and r.start < e.end and e.start < r.end]
                best = max(over, key=lambda r: (len(r), r.label_ == e.label_)) if over else e
                if taken.intersection(range(best.start, best.end)):
                    best = e
                    if taken.intersection(range(best.start, best.end)):
                        continue
                taken.update(range(best.start, best.end))
                merged.append(best)
            for r in filter_spans([r for r in rules if r.label_ in self.fill_labels]):
                if not taken.intersection(range(r.start, r.end)):
                    taken.update(range(r.start, r.end))
                    merged.append(r)
        elif mode == "rules_first":
            kept_rules = filter_spans(rules)
            taken = set()
            for s in kept_rules:
                taken.update(range(s.start, s.end))
            merged = kept_rules + [e for e in ner if not taken.intersection(range(e.start, e.end))]
        else:  # ner_first
            taken = set()
            for e in ner:
                taken.update(range(e.start, e.end))
            merged = ner + [s for s in filter_spans(rules) if not taken.intersection(range(s.start, s.end))]
        if self.gate_labels:  # an NER sum or statute that no pattern confirms is dropped
            gated = [r for r in rules if r.label_ in self.gate_labels]
            merged = [s for s in merged if s.label_ not in self.gate_labels
                      or any(r.label_ == s.label_ and r.start < s.end and s.start < r.end for r in gated)]
        merged.sort(key=lambda s: s.start)
        ner_keys = {(e.start, e.end, e.label_) for e in ner}
        sources = []
        for s in merged:
            key = (s.start, s.end, s.label_)
            sources.append("both" if key in rule_keys and key in ner_keys else "rule" if key in rule_keys else "ner")
        return merged, sources

    # -- the rules-only baseline's context rules -----------------------------------------------
    def _cue(self, name: str) -> set[str]:
        return set(self.cues.get(name, []))

    def _rule_places(self, doc: Doc) -> list[Span]:
        places = [s for s in doc.spans.get(self.rules_key, []) if s.label_ in ("PLACE", "DEMONYM")]
        origin_cues = self._cue("ORIGIN") or {"from"}
        dest_cues = self._cue("DESTINATION") or {"to", "in", "into"}
        context = self._cue("CONTEXT")
        out = []
        for s in places:
            sent = sentence_of(doc, s)
            if context and not any(t.lower_.startswith(tuple(context)) or t.lemma_ in context for t in sent):
                continue
            prev = doc[s.start - 1].lower_ if s.start > 0 else ""
            if s.label_ == "DEMONYM" or prev in origin_cues:
                out.append(Span(doc, s.start, s.end, label="VICTIM_ORIGIN"))
            elif prev in dest_cues:
                out.append(Span(doc, s.start, s.end, label="DESTINATION"))
        return out

    def _rule_roles(self, doc: Doc) -> list[Span]:
        out = []
        for label in ("RECRUITER", "PERPETRATOR", "VICTIM"):
            nouns = self._cue(f"ROLE_{label}")
            for t in doc:
                if t.lower_ in nouns or (t.lemma_ and t.lemma_ in nouns and t.pos_ == "NOUN"):
                    out.append(Span(doc, t.i, t.i + 1, label=label))
        return out

    # -- confidence -------------------------------------------------------------------------
    @staticmethod
    def features(doc: Doc, span: Span, source: str) -> dict:
        prev = doc[span.start - 1] if span.start > 0 else None
        nxt = doc[span.end] if span.end < len(doc) else None
        head = span.root if doc.has_annotation("DEP") else span[-1]
        return {
            "label": span.label_,
            "source": source,
            "label_source": f"{span.label_}|{source}",
            "len": min(len(span), 6),
            "head": head.lower_,
            "shape": "".join(sorted({t.shape_[:2] for t in span}))[:8],
            "prev": prev.lower_ if prev is not None else "<s>",
            "next": nxt.lower_ if nxt is not None else "</s>",
            "label_prev": f"{span.label_}|{prev.lower_ if prev is not None else '<s>'}",
            "title": float(span[0].is_title),
            "digit": float(any(t.like_num for t in span)),
        }

    def score_spans(self, doc: Doc, ents: list[Span], sources: list[str]) -> list[float]:
        if not ents:
            return []
        if self.calibrator is None:
            return [self.rule_prior if src in ("rule", "both", "context") else self.ner_prior for src in sources]
        probs = self.calibrator.predict_proba([self.features(doc, s, src) for s, src in zip(ents, sources)])
        col = self.calibrator.classes.index("1")
        return [round(float(p), 4) for p in probs[:, col]]

    def calibrate(self, examples: Iterable[Example]) -> int:
        """Fit the confidence model: predicted entities of ``examples`` labelled right (1) or wrong (0)
        by strict match with the reference. Returns the number of entities used."""
        X, y = [], []
        for eg in examples:
            doc = eg.predicted
            gold = {(e.start_char, e.end_char, e.label_) for e in eg.reference.ents}
            group = doc.spans.get(self.scores_key)
            sources = group.attrs.get("sources", []) if group is not None else ["ner"] * len(doc.ents)
            for span, src in zip(doc.ents, sources):
                X.append(self.features(doc, span, src))
                y.append("1" if (span.start_char, span.end_char, span.label_) in gold else "0")
        if len(set(y)) < 2:
            return 0
        self.calibrator = LinearModel.fit(X, y, C=0.5)
        return len(y)

    # -- scoring and serialization --------------------------------------------------------
    def score(self, examples: Iterable[Example], **kwargs) -> dict:
        return Scorer.score_spans(examples, "ents", **kwargs)

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {"cues": self.cues, "leading": sorted(self.leading), "calibrator": self.calibrator.to_dict() if self.calibrator else None,
                "context": self.context.to_dict() if self.context else None}
        (path / "entities.json").write_text(json.dumps(data), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()) -> "EntityMerger":
        data = json.loads((Path(path) / "entities.json").read_text(encoding="utf-8"))
        self.cues = data.get("cues") or {}
        self.leading = set(data.get("leading") or [])
        self.calibrator = LinearModel.from_dict(data["calibrator"]) if data.get("calibrator") else None
        self.context = ContextModel.from_dict(data["context"]) if data.get("context") else None
        return self
