"""The shipped default model: loads with plain spacy.load, round-trips, keeps quiet on unrelated text."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import spacy

from support import REPO, needs_seeds

MODEL = REPO / "models" / "tipx-default"

CASE = ("1. (SBU) Police in Osh arrested a recruiter, Bakyt T., who had sent 12 women from Jalalabad to saunas in "
        "Dubai for $2,000 each. In June a court sentenced him to eight years in prison under Article 124 of the "
        "Criminal Code.")


def test_loads_without_importing_tipx():
    # the script imports only spacy: the components come in through tipx's entry points
    code = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); doc = nlp(sys.argv[2]); "
            "print([c for c in nlp.pipe_names]); print(len(doc.ents))")
    out = subprocess.run([sys.executable, "-c", code, str(MODEL), CASE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "tipx_entities" in out.stdout and "tipx_relations" in out.stdout


def test_finds_the_case_and_scores_everything():
    nlp = spacy.load(MODEL)
    doc = nlp(CASE)
    labels = {e.label_ for e in doc.ents}
    assert {"AMOUNT_CURRENCY", "SENTENCE", "STATUTE"} <= labels
    scores = doc.spans["tipx_ents"].attrs["scores"]
    assert len(scores) == len(doc.ents) and all(0.0 <= s <= 1.0 for s in scores)
    for rel in doc._.tipx_relations:
        assert 0.0 <= rel[5] <= 1.0


def test_round_trip_gives_the_same_output(tmp_path):
    nlp = spacy.load(MODEL)
    before = nlp(CASE)
    nlp.to_disk(tmp_path / "copy")
    after = spacy.load(tmp_path / "copy")(CASE)
    assert [(e.start_char, e.end_char, e.label_) for e in after.ents] == [(e.start_char, e.end_char, e.label_) for e in before.ents]
    assert after.spans["tipx_ents"].attrs["scores"] == before.spans["tipx_ents"].attrs["scores"]
    assert after._.tipx_relations == before._.tipx_relations


@pytest.mark.parametrize("text", [
    "1. (U) The embassy motor pool will close for maintenance on Friday; vehicles must be returned by noon.",
    "2. (U) The Ministry of Finance reported that the 2009 budget deficit was 3.1 percent of GDP.",
])
def test_no_trafficking_content_no_entities(text):
    doc = spacy.load(MODEL)(text)
    assert [(e.text, e.label_) for e in doc.ents] == []


def test_model_card_names_training_data_and_scores():
    meta = json.loads((MODEL / "meta.json").read_text())
    assert meta["sources"][0]["sha256"] and "annotations/train" in meta["sources"][0]["url"]
    assert "tipx_gold" in meta and 0.0 <= meta["tipx_gold"]["ents_strict_micro_f"] <= 1.0
    assert "Scores on the gold set" in (MODEL / "README.md").read_text()


def test_shipped_model_was_trained_on_the_committed_annotations():
    from tipx.training.cli import DEV_JSONL, TRAIN_JSONL, corpus_hash

    meta = json.loads((MODEL / "meta.json").read_text())
    assert meta["sources"][0]["sha256"] == corpus_hash([REPO / TRAIN_JSONL, REPO / DEV_JSONL]), (
        "models/tipx-default was trained on other annotations than the committed ones: retrain with "
        "`tipx train configs/tipx_scratch.cfg --ship`")


@needs_seeds
def test_evaluate_command_on_gold(tmp_path):
    from typer.testing import CliRunner

    from tipx.cli import app

    res = CliRunner().invoke(app, ["evaluate", "--out", str(tmp_path), "--no-sm-baseline"])
    assert res.exit_code == 0, res.output
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    systems = metrics["systems"]
    assert "baseline: rules only" in systems and "tipx (relations: combined)" in systems
    assert metrics["gold_entities"] == 363
    assert set(systems["tipx (relations: combined)"]["entities_strict"]) >= {"micro", "RECRUITER", "STATUTE"}
