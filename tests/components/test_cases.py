"""Case records: grouping, routes, normalised sentences."""
from __future__ import annotations

import pytest

from tipx.cases import build_cases, normalize_sentence


def E(i, label, text, para=1):
    return {"id": i, "label": label, "text": text, "paragraph": para}


def R(i, h, t, typ):
    return {"id": i, "from_id": h, "to_id": t, "type": typ}


def test_cases_group_by_relations_and_names():
    ents = [E(1, "RECRUITER", "Aziz T."), E(2, "VICTIM", "12 women"), E(3, "VICTIM_ORIGIN", "Uzbekistan"),
            E(4, "DESTINATION", "Dubai"), E(5, "SENTENCE", "eight years in prison", 2), E(6, "RECRUITER", "Aziz T.", 2),
            E(7, "PERPETRATOR", "a sauna owner", 3), E(8, "VICTIM", "girls", 3), E(9, "STATUTE", "Article 128", 4)]
    rels = [R(1, 1, 2, "RECRUITED"), R(2, 2, 3, "ORIGIN"), R(3, 2, 4, "DESTINATION"), R(4, 6, 5, "SENTENCED_TO"),
            R(5, 7, 8, "EXPLOITED")]
    cases = build_cases(ents, rels)
    assert len(cases) == 2
    first, second = cases
    assert first["recruiters"] == ["Aziz T."] and first["victims"] == ["12 women"]
    assert first["routes"] == [{"from": "Uzbekistan", "to": "Dubai"}]
    assert first["paragraphs"] == [1, 2]
    assert first["sentences"][0]["min_years"] == 8 and first["sentences"][0]["max_years"] == 8
    assert second["perpetrators"] == ["a sauna owner"] and second["paragraphs"] == [3]
    # the lone statute with no relation is not a case
    assert all("Article 128" not in c["statutes"] for c in cases)


@pytest.mark.parametrize("text, lo, hi, kind", [
    ("eight years in prison", 8, 8, "custody"),
    ("3 to 5 years' imprisonment", 3, 5, "custody"),
    ("suspended sentence of two years", 2, 2, "suspended"),
    ("six months in jail", 0.5, 0.5, "custody"),
    ("10-12 years", 10, 12, "custody"),
    ("three years of probation", 3, 3, "probation"),
])
def test_normalize_sentence(text, lo, hi, kind):
    s = normalize_sentence(text)
    assert (s["min_years"], s["max_years"], s["kind"]) == (lo, hi, kind)


def test_life_and_fines():
    assert normalize_sentence("life imprisonment")["life"] is True
    fine = normalize_sentence("fine of 500,000 pesos")
    assert fine["kind"] == "fine" and fine["min_years"] is None
