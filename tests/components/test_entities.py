"""tipx_entities on spacy.blank("en"): merge modes, scores, calibration, errors."""
from __future__ import annotations

import pytest
import spacy
from spacy.training import Example

import tipx.components.entities  # noqa: F401 - registers the factory (entry points do it for spacy.load)

TEXT = "The broker charged each woman $400 and was sentenced to eight years in prison under Article 128 of the Criminal Code."


def _doc(nlp, ner, rules):
    doc = nlp.make_doc(TEXT)
    doc.ents = [doc.char_span(TEXT.index(t), TEXT.index(t) + len(t), label=lab) for t, lab in ner]
    doc.spans["rules"] = [doc.char_span(TEXT.index(t), TEXT.index(t) + len(t), label=lab) for t, lab in rules]
    return doc


NER = [("broker", "PERPETRATOR"), ("$400 and", "AMOUNT_CURRENCY"), ("eight years", "SENTENCE")]
RULES = [("$400", "AMOUNT_CURRENCY"), ("eight years in prison", "SENTENCE"), ("Article 128 of the Criminal Code", "STATUTE")]


@pytest.mark.parametrize("mode, expected", [
    ("ner_only", ["broker", "$400 and", "eight years"]),
    ("rules_first", ["broker", "$400", "eight years in prison", "Article 128 of the Criminal Code"]),
    ("ner_first", ["broker", "$400 and", "eight years", "Article 128 of the Criminal Code"]),
    # the rules fix the NER's boundaries but add nothing the NER did not find
    ("rules_refine", ["broker", "$400", "eight years in prison"]),
])
def test_merge_modes(mode, expected):
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": mode})
    doc = merger(_doc(nlp, NER, RULES))
    assert [e.text for e in doc.ents] == expected
    group = doc.spans["tipx_ents"]
    assert [s.text for s in group] == expected
    assert len(group.attrs["scores"]) == len(expected)
    assert all(0.0 <= s <= 1.0 for s in group.attrs["scores"])


def test_refine_retypes_a_sum_the_rules_know_is_a_prison_term_and_fills_chosen_labels():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "rules_refine", "fill_labels": ["STATUTE"]})
    ner = [("broker", "PERPETRATOR"), ("eight years", "AMOUNT_CURRENCY")]
    doc = merger(_doc(nlp, ner, RULES))
    # the NER's "eight years" AMOUNT is re-cut and re-typed by the SENTENCE rule; the statute is
    # filled in although the NER missed it; "$400" (AMOUNT is not a fill label) is not
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("broker", "PERPETRATOR"), ("eight years in prison", "SENTENCE"), ("Article 128 of the Criminal Code", "STATUTE")]


def test_a_standing_rule_span_absorbs_ner_entities_inside_it():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "rules_refine", "scope_filter": "off"})
    text = "The court convicted the broker under criminal code article 135 and the Criminal Code of 1997."
    doc = nlp.make_doc(text)
    span = lambda t, lab: doc.char_span(text.index(t), text.index(t) + len(t), label=lab)  # noqa: E731
    doc.ents = [span("broker", "PERPETRATOR"), span("criminal", "PERPETRATOR"), span("article 135", "STATUTE"),
                span("Criminal", "PERPETRATOR")]
    doc.spans["rules"] = [span("criminal code article 135", "STATUTE"), span("article 135", "STATUTE"),
                          span("Criminal Code of 1997", "STATUTE")]
    # the first statute re-cuts the NER's "article 135" and takes "criminal" with it; the second is
    # no entity (STATUTE is not a fill label here), so the NER's "Criminal" there is left alone
    assert [(e.text, e.label_) for e in merger(doc).ents] == [
        ("broker", "PERPETRATOR"), ("criminal code article 135", "STATUTE"), ("Criminal", "PERPETRATOR")]


def test_gate_drops_ner_sums_that_no_pattern_confirms():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "rules_refine", "gate_labels": ["AMOUNT_CURRENCY"]})
    ner = [("broker", "PERPETRATOR"), ("each woman", "AMOUNT_CURRENCY"), ("$400", "AMOUNT_CURRENCY")]
    doc = merger(_doc(nlp, ner, RULES))
    assert [(e.text, e.label_) for e in doc.ents] == [("broker", "PERPETRATOR"), ("$400", "AMOUNT_CURRENCY")]


def test_join_mends_a_victim_mention_cut_in_two_but_not_coordinated_ones():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "ner_only", "scope_filter": "off", "join_labels": ["VICTIM"]})
    text = "Police freed a 22-year-old girl, two boys and women."
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label="VICTIM") for t in ("22-year-old", "girl", "two boys", "women")]
    assert [e.text for e in merger(doc).ents] == ["22-year-old girl", "two boys", "women"]


def test_a_sum_and_its_bracketed_conversion_share_one_decision():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "rules_refine", "scope_filter": "off",
                                                   "conversion_labels": ["AMOUNT_CURRENCY"]})
    text = "The broker paid 10,000 som (120 dollars) per woman; visas cost $50 ($ 45) and 300 som (4 dollars) went to the clinic."

    def doc():
        d = nlp.make_doc(text)
        rules = ["10,000 som", "120 dollars", "$50", "$ 45", "300 som", "4 dollars"]
        d.spans["rules"] = [d.char_span(text.index(t), text.index(t) + len(t), label="AMOUNT_CURRENCY") for t in rules]
        # the NER found the first sum of one pair and the conversion of another; the third pair it missed
        d.ents = [d.char_span(text.index(t), text.index(t) + len(t), label="AMOUNT_CURRENCY") for t in ("10,000 som", "$ 45")]
        return d

    assert [e.text for e in merger(doc()).ents] == ["10,000 som", "120 dollars", "$50", "$ 45"]
    merger.conversion_labels = []
    assert [e.text for e in merger(doc()).ents] == ["10,000 som", "$ 45"]


def test_fill_labels_must_be_rule_labels():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="fill_labels.*VICTIM.*not in rule_labels"):
        nlp.add_pipe("tipx_entities", config={"fill_labels": ["VICTIM"]})
    with pytest.raises(ValueError, match="unknown label.*SMUGGLER.*fill_labels"):
        nlp.add_pipe("tipx_entities", name="y", config={"fill_labels": ["SMUGGLER"]})


@pytest.mark.parametrize("text, span, expected", [
    ("Police arrested the owner of the brothel. She fled.", "owner of the brothel.", "owner of the brothel"),
    ('The "recruiter" fled.', '"recruiter"', "recruiter"),
    ("He cited article (152) today.", "article (152)", "article (152)"),
    ("Two men (brothers) were held.", "Two men (", "Two men"),
])
def test_trim_drops_punctuation_at_span_edges_but_keeps_paired_brackets(text, span, expected):
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "ner_only", "scope_filter": "off"})
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(span), text.index(span) + len(span), label="PERPETRATOR")]
    assert [e.text for e in merger(doc).ents] == [expected]


def test_priors_before_calibration():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"ner_prior": 0.6, "rule_prior": 0.95})
    doc = merger(_doc(nlp, NER, RULES))
    scores = dict(zip([e.text for e in doc.ents], doc.spans["tipx_ents"].attrs["scores"]))
    assert scores == {"broker": 0.6, "$400": 0.95, "eight years in prison": 0.95, "Article 128 of the Criminal Code": 0.95}


def test_calibration_learns_that_rules_are_right():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "ner_first"})
    examples = []
    for _ in range(10):
        pred = merger(_doc(nlp, NER, RULES))
        ref = _doc(nlp, [("broker", "PERPETRATOR")] + RULES, [])
        examples.append(Example(pred, ref))
    assert merger.calibrate(examples) == 40
    doc = merger(_doc(nlp, NER, RULES))
    scores = dict(zip([e.text for e in doc.ents], doc.spans["tipx_ents"].attrs["scores"]))
    assert scores["Article 128 of the Criminal Code"] > 0.5 > scores["$400 and"]


def test_rules_only_uses_context_cues():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "rules_only"})
    merger.initialize(cues={"ORIGIN": ["from"], "DESTINATION": ["to"], "CONTEXT": ["traffick"], "ROLE_VICTIM": ["women"]})
    text = "Traffickers moved women from Nepal to Kuwait. Officials flew to Geneva."
    doc = nlp.make_doc(text)
    doc.spans["rules"] = [doc.char_span(text.index(p), text.index(p) + len(p), label="PLACE") for p in ("Nepal", "Kuwait", "Geneva")]
    ents, _ = merger.merge(doc, "rules_only")
    assert [(e.text, e.label_) for e in ents] == [("women", "VICTIM"), ("Nepal", "VICTIM_ORIGIN"), ("Kuwait", "DESTINATION")]


def test_unknown_label_or_mode_is_a_clear_error():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="unknown label.*SMUGGLER"):
        nlp.add_pipe("tipx_entities", config={"rule_labels": ["SMUGGLER"]})
    with pytest.raises(ValueError, match="unknown mode 'best'"):
        nlp.add_pipe("tipx_entities", name="x", config={"mode": "best"})


def test_no_trafficking_text_no_entities():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities")
    doc = nlp.make_doc("The embassy hosted a reception for the trade delegation on Tuesday.")
    doc.spans["rules"] = []
    assert list(merger(doc).ents) == []


def test_save_load_keeps_calibrator(tmp_path):
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "ner_first"})
    examples = [Example(merger(_doc(nlp, NER, RULES)), _doc(nlp, [("broker", "PERPETRATOR")] + RULES, [])) for _ in range(4)]
    merger.calibrate(examples)
    before = merger(_doc(nlp, NER, RULES)).spans["tipx_ents"].attrs["scores"]
    nlp.to_disk(tmp_path / "m")
    nlp2 = spacy.load(tmp_path / "m")
    after = nlp2.get_pipe("tipx_entities")(_doc(nlp2, NER, RULES)).spans["tipx_ents"].attrs["scores"]
    assert after == before


def test_scope_filter_drops_entities_in_paragraphs_without_trafficking_cues():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "ner_only", "scope_filter": "paragraph"})
    merger.initialize(cues={"CONTEXT": ["traffick", "brothel"]})
    text = "Women from Moldova were trafficked to Istanbul.\n\nMigrants from Moldova work in Istanbul."
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(m, m + len(w), label=lab) for w, lab, m in
                [("Moldova", "VICTIM_ORIGIN", text.index("Moldova")), ("Istanbul", "DESTINATION", text.index("Istanbul")),
                 ("Migrants", "VICTIM", text.index("Migrants")), ("Istanbul", "DESTINATION", text.rindex("Istanbul"))]]
    doc.spans["rules"] = []
    kept = [(e.text, e.start_char) for e in merger(doc).ents]
    assert kept == [("Moldova", text.index("Moldova")), ("Istanbul", text.index("Istanbul"))]


def test_document_scope_drops_everything_in_a_report_without_trafficking_cues():
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("tipx_entities", config={"mode": "ner_only", "scope_filter": "document"})
    merger.initialize(cues={"CONTEXT": ["traffick"]})
    doc = nlp.make_doc("The motor pool closes on Friday.")
    doc.ents = [doc.char_span(len("The motor pool closes on "), len("The motor pool closes on Friday"), label="PERPETRATOR")]
    doc.spans["rules"] = []
    assert list(merger(doc).ents) == []
    with pytest.raises(ValueError, match="unknown scope_filter"):
        nlp.add_pipe("tipx_entities", name="bad", config={"scope_filter": "sometimes"})


# -- the context model ------------------------------------------------------------------------------
CONTEXT_TRAIN = [
    ("The recruiter lured women to Dubai.", [("recruiter", "RECRUITER"), ("women", "VICTIM"), ("Dubai", "DESTINATION")]),
    ("A broker lured girls from Nepal to Dubai.", [("broker", "RECRUITER"), ("girls", "VICTIM"), ("Nepal", "VICTIM_ORIGIN"), ("Dubai", "DESTINATION")]),
    ("Women from Nepal were sold in Dubai.", [("Women", "VICTIM"), ("Nepal", "VICTIM_ORIGIN"), ("Dubai", "DESTINATION")]),
    ("The minister flew to Dubai for talks.", []),
    ("Nepal signed a trade deal in Dubai.", []),
    ("The ambassador met the minister of Nepal.", []),
]


def _context_nlp(config):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "rules"})
    ruler.add_patterns([{"label": "PLACE", "pattern": p} for p in ("Dubai", "Nepal")])
    merger = nlp.add_pipe("tipx_entities", config={"mode": "ner_only", "scope_filter": "off", **config})
    merger.initialize(cues={"CONTEXT": ["lure", "sold", "traffick"]})
    refs = []
    for _ in range(5):
        for text, ents in CONTEXT_TRAIN:
            doc = nlp.make_doc(text)
            doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label=lab) for t, lab in ents]
            refs.append(doc)
    assert merger.fit_context(nlp, refs) == 5 * 10
    return nlp, merger


def _run(nlp, merger, text, ner=()):
    doc = nlp.make_doc(text)
    for _, proc in nlp.pipeline[:2]:
        doc = proc(doc)
    doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label=lab) for t, lab in ner]
    return [(e.text, e.label_) for e in merger(doc).ents], doc


def test_context_model_adds_places_the_ner_missed_only_in_trafficking_sentences():
    nlp, merger = _context_nlp({"context_fill": {"DESTINATION": 0.5, "VICTIM_ORIGIN": 0.5}})
    ents, doc = _run(nlp, merger, "A recruiter lured boys from Nepal to Dubai.")
    assert ents == [("Nepal", "VICTIM_ORIGIN"), ("Dubai", "DESTINATION")]
    assert doc.spans["tipx_ents"].attrs["sources"] == ["context", "context"]
    assert _run(nlp, merger, "The minister flew to Dubai for talks.")[0] == []


def test_context_model_drops_and_retypes_ner_entities():
    nlp, merger = _context_nlp({"context_drop": 0.5, "context_relabel": 1.0})
    # out of scope: the NER's DESTINATION goes
    assert _run(nlp, merger, "The minister flew to Dubai for talks.", [("Dubai", "DESTINATION")])[0] == []
    # a place after "from" in a luring sentence is an origin, whatever the NER said
    ents, _ = _run(nlp, merger, "A broker lured girls from Nepal to Dubai.", [("Nepal", "DESTINATION"), ("Dubai", "DESTINATION")])
    assert ents == [("Nepal", "VICTIM_ORIGIN"), ("Dubai", "DESTINATION")]


def test_context_model_is_saved_with_the_pipeline(tmp_path):
    nlp, merger = _context_nlp({"context_fill": {"DESTINATION": 0.5}})
    before = _run(nlp, merger, "A recruiter lured boys to Dubai.")[0]
    nlp.to_disk(tmp_path / "m")
    loaded = spacy.load(tmp_path / "m")
    after = _run(loaded, loaded.get_pipe("tipx_entities"), "A recruiter lured boys to Dubai.")[0]
    assert before == after == [("Dubai", "DESTINATION")]


def test_context_options_name_known_labels():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="unknown label.*PLACE.*context_fill"):
        nlp.add_pipe("tipx_entities", config={"context_fill": {"PLACE": 0.5}})
