"""tipx_relations on spacy.blank("en"): candidates, rules, a fitted model, scoring, round trip."""
from __future__ import annotations

import pytest
import spacy
from spacy.training import Example

from tipx.annotations.docbin import RELATIONS_KEY
from tipx.components.relations import paragraph_ids, score_relations

CUES = {"ORIGIN": ["from"], "DESTINATION": ["to"], "SENTENCED_TO": ["sentenced"], "CHARGED_UNDER": ["under"],
        "RECRUITED": ["recruited", "lured"], "EXPLOITED": ["forced"]}


def make_doc(nlp, text, ents, rels=()):
    doc = nlp.make_doc(text)
    spans = {name: doc.char_span(text.index(t), text.index(t) + len(t), label=lab) for name, (t, lab) in ents.items()}
    doc.ents = sorted(spans.values(), key=lambda s: s.start)
    doc.user_data[RELATIONS_KEY] = [(spans[h].start_char, spans[h].end_char, spans[t].start_char, spans[t].end_char, typ) for h, typ, t in rels]
    return doc


TEXT = "A recruiter lured girls from Nepal to Delhi.\n\nThe recruiter was sentenced to five years in prison."
ENTS = {"r": ("recruiter", "RECRUITER"), "v": ("girls", "VICTIM"), "o": ("Nepal", "VICTIM_ORIGIN"),
        "d": ("Delhi", "DESTINATION"), "s": ("five years in prison", "SENTENCE")}


def test_paragraphs_and_candidates_stay_within_a_paragraph():
    nlp = spacy.blank("en")
    rel = nlp.add_pipe("tipx_relations")
    doc = make_doc(nlp, TEXT, ENTS)
    assert len(set(paragraph_ids(doc))) == 2
    pairs = {(a.text, b.text) for a, b in rel.candidates(doc)}
    # the first-paragraph recruiter never pairs with the second-paragraph sentence
    assert ("recruiter", "five years in prison") not in pairs
    assert ("recruiter", "girls") in pairs and ("girls", "Nepal") in pairs
    # label pairs no relation type allows are not candidates
    assert ("Nepal", "girls") not in pairs and ("Delhi", "Nepal") not in pairs


def test_rules_mode():
    nlp = spacy.blank("en")
    rel = nlp.add_pipe("tipx_relations", config={"mode": "rules", "rule_score": 0.8})
    rel.initialize(cues=CUES)
    doc = rel(make_doc(nlp, TEXT, ENTS))
    got = {(doc.text[r[0]:r[1]], r[4], doc.text[r[2]:r[3]], r[5]) for r in doc._.tipx_relations}
    # an origin written beside its victims does not stand for them: no Nepal -> Delhi, no recruiter -> Nepal
    assert got == {("recruiter", "RECRUITED", "girls", 0.8), ("girls", "ORIGIN", "Nepal", 0.8), ("girls", "DESTINATION", "Delhi", 0.8)}


def _training_examples(nlp):
    texts = [
        ("Brokers lured women from Laos to Bangkok.", {"r": ("Brokers", "RECRUITER"), "v": ("women", "VICTIM"), "o": ("Laos", "VICTIM_ORIGIN"), "d": ("Bangkok", "DESTINATION")},
         [("r", "RECRUITED", "v"), ("v", "ORIGIN", "o"), ("v", "DESTINATION", "d")]),
        ("An agent lured men from Nepal to Doha.", {"r": ("agent", "RECRUITER"), "v": ("men", "VICTIM"), "o": ("Nepal", "VICTIM_ORIGIN"), "d": ("Doha", "DESTINATION")},
         [("r", "RECRUITED", "v"), ("v", "ORIGIN", "o"), ("v", "DESTINATION", "d")]),
        ("The pimp forced girls from Moldova to work in Istanbul.", {"p": ("pimp", "PERPETRATOR"), "v": ("girls", "VICTIM"), "o": ("Moldova", "VICTIM_ORIGIN"), "d": ("Istanbul", "DESTINATION")},
         [("p", "EXPLOITED", "v"), ("v", "ORIGIN", "o"), ("v", "DESTINATION", "d")]),
    ]
    return [Example(nlp.make_doc(t), make_doc(nlp, t, e, r)) for t, e, r in texts]


def test_model_fitted_at_initialize_and_round_trip(tmp_path):
    nlp = spacy.blank("en")
    rel = nlp.add_pipe("tipx_relations", config={"mode": "model", "threshold": 0.3})
    examples = _training_examples(nlp) * 3
    nlp.initialize(lambda: examples)
    assert rel.model is not None and "ORIGIN" in rel.model.classes
    test = make_doc(nlp, "A broker lured boys from Ghana to Lagos.", {"r": ("broker", "RECRUITER"), "v": ("boys", "VICTIM"), "o": ("Ghana", "VICTIM_ORIGIN"), "d": ("Lagos", "DESTINATION")})
    doc = rel(test)
    got = {(doc.text[r[0]:r[1]], r[4], doc.text[r[2]:r[3]]) for r in doc._.tipx_relations}
    assert {("boys", "ORIGIN", "Ghana"), ("boys", "DESTINATION", "Lagos"), ("broker", "RECRUITED", "boys")} <= got
    before = [r for r in doc._.tipx_relations]
    nlp.to_disk(tmp_path / "m")
    nlp2 = spacy.load(tmp_path / "m")
    doc2 = nlp2.get_pipe("tipx_relations")(make_doc(nlp2, test.text, {"r": ("broker", "RECRUITER"), "v": ("boys", "VICTIM"), "o": ("Ghana", "VICTIM_ORIGIN"), "d": ("Lagos", "DESTINATION")}))
    assert doc2._.tipx_relations == before


def test_score_relations_exact_prf():
    nlp = spacy.blank("en")
    ref = make_doc(nlp, TEXT, ENTS, [("r", "RECRUITED", "v"), ("v", "ORIGIN", "o"), ("v", "DESTINATION", "d")])
    pred = make_doc(nlp, TEXT, ENTS)
    t = TEXT
    span = lambda s: (t.index(s), t.index(s) + len(s))  # noqa: E731
    pred._.tipx_relations = [(*span("recruiter"), *span("girls"), "RECRUITED", 0.9),   # right
                             (*span("girls"), *span("Nepal"), "ORIGIN", 0.9),          # right
                             (*span("girls"), *span("Delhi"), "ORIGIN", 0.6)]          # wrong type
    scores = score_relations([Example(pred, ref)])
    assert scores["rel_micro_p"] == pytest.approx(2 / 3)
    assert scores["rel_micro_r"] == pytest.approx(2 / 3)
    assert scores["rel_micro_f"] == pytest.approx(2 / 3)
    assert scores["rel_per_type"]["DESTINATION"]["r"] == 0.0
    assert scores["rel_per_type"]["RECRUITED"]["f"] == 1.0


def test_bad_config_is_a_clear_error():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="unknown mode"):
        nlp.add_pipe("tipx_relations", config={"mode": "magic"})
    with pytest.raises(ValueError, match="threshold must be between 0 and 1"):
        nlp.add_pipe("tipx_relations", name="r2", config={"threshold": 2.0})
