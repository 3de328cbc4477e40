"""Exact P/R/F of the evaluation on tiny hand-made predictions."""
from __future__ import annotations

import pytest

from tipx.evaluate import Prediction, score


def test_strict_overlap_and_relations():
    gold = [Prediction(entities={(0, 5, "VICTIM"), (10, 15, "VICTIM_ORIGIN"), (20, 30, "STATUTE")},
                       relations={(0, 5, 10, 15, "ORIGIN")})]
    pred = [Prediction(entities={(0, 5, "VICTIM"),            # strict hit
                                 (10, 17, "VICTIM_ORIGIN"),    # overlap only
                                 (40, 45, "STATUTE")},         # miss
                       relations={(0, 5, 10, 17, "ORIGIN")})]  # wrong tail span: miss end to end
    s = score(gold, pred)
    assert (s.strict["micro"].tp, s.strict["micro"].fp, s.strict["micro"].fn) == (1, 2, 2)
    assert s.strict["micro"].fscore == pytest.approx(1 / 3)
    assert (s.overlap["micro"].tp, s.overlap["micro"].fp, s.overlap["micro"].fn) == (2, 1, 1)
    assert s.overlap["VICTIM_ORIGIN"].fscore == 1.0
    assert s.strict["STATUTE"].precision == 0.0
    assert s.relations["micro"].fscore == 0.0 and s.relations["ORIGIN"].fn == 1


def test_overlap_matches_each_gold_span_once():
    gold = [Prediction(entities={(0, 10, "VICTIM")})]
    pred = [Prediction(entities={(0, 4, "VICTIM"), (5, 10, "VICTIM")})]
    s = score(gold, pred)
    assert (s.overlap["VICTIM"].tp, s.overlap["VICTIM"].fp, s.overlap["VICTIM"].fn) == (1, 1, 0)
