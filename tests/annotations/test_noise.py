"""Noisy copies keep the gold: entities shift with the text, and the reader reads them back."""
from __future__ import annotations

import re

import pytest

from tipx.annotations.markup import parse_markup
from tipx.annotations.noise import PROFILES, apply_edits, noisy_copy
from tipx.cables import read_cable

CABLE = """R 150830Z APR 08
FM AMEMBASSY MANILA
TO SECSTATE WASHDC 4410
UNCLAS SECTION 01 OF 02 MANILA 000902

SIPDIS

E.O. 12958: N/A
TAGS: KTIP KCRM PHUM RP
SUBJECT: PHILIPPINES: COURT CONVICTS RECRUITER OF ENTERTAINERS

1. (U) Summary: A regional court in Angeles City sentenced [Marites D.]{RECRUITER#r1}, a talent agent, to [life imprisonment]{SENTENCE#s1} under the [Anti-Trafficking in Persons Act of 2003]{STATUTE#l1} for sending [nine young women]{VICTIM#v1} from [Pampanga]{VICTIM_ORIGIN#o1} to bars in [Kuala Lumpur]{DESTINATION#d1}. End summary.
@rel r1 SENTENCED_TO s1
@rel r1 CHARGED_UNDER l1
@rel r1 RECRUITED v1
@rel v1 ORIGIN o1
@rel v1 DESTINATION d1

2. (U) The [women]{VICTIM#v2} were each promised [USD 600]{AMOUNT_CURRENCY#a1} a month as singers, but the [bar owner]{PERPETRATOR#p1} took their passports and charged them [20,000 pesos]{AMOUNT_CURRENCY#a2} ([$450]{AMOUNT_CURRENCY#a3}) in fees. The court also ordered the agent to pay each victim 500,000 pesos in damages.
@rel v2 AMOUNT a1
@rel p1 AMOUNT a2
@rel p1 AMOUNT a3

3. (U) Comment: Post will follow the appeal. End comment.

KENNEY
"""


def _plain(s):
    return re.sub(r"\s+", " ", s.replace("\\$", "$")).strip()


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_entities_survive_each_profile(profile, seed):
    doc = parse_markup(CABLE)
    text, ents = noisy_copy(doc.text, doc.entities, profile, seed=seed)
    assert text != doc.text
    for old, new in zip(doc.entities, ents):
        assert _plain(text[new["start_offset"]:new["end_offset"]]) == _plain(doc.text[old["start_offset"]:old["end_offset"]])
    # and the reader finds every entity in its clean body, unchanged
    cable = read_cable(text.encode(), source="n.txt")
    assert [p.number for p in cable.paragraphs][-3:] == [1, 2, 3]
    for old, new in zip(doc.entities, ents):
        cs, ce = cable.body.clean_span(new["start_offset"], new["end_offset"])
        assert _plain(cable.body.text[cs:ce]) == _plain(doc.text[old["start_offset"]:old["end_offset"]])


def test_same_seed_same_copy():
    doc = parse_markup(CABLE)
    assert noisy_copy(doc.text, doc.entities, "ocr", 7) == noisy_copy(doc.text, doc.entities, "ocr", 7)
    assert noisy_copy(doc.text, doc.entities, "ocr", 7)[0] != noisy_copy(doc.text, doc.entities, "ocr", 8)[0]


def test_apply_edits_shifts_starts_and_ends():
    text = "ab cd ef"
    ents = [{"id": 1, "label": "VICTIM", "start_offset": 3, "end_offset": 5}]  # "cd"
    # an insertion right before the entity goes before it; one right after goes after it;
    # a replacement earlier shifts both
    new, shifted = apply_edits(text, ents, [(0, 1, "AA"), (3, 3, "<"), (5, 5, ">")])
    assert new == "AAb <cd> ef"
    assert new[shifted[0]["start_offset"]:shifted[0]["end_offset"]] == "cd"


def test_unknown_profile():
    with pytest.raises(ValueError, match="unknown noise profile"):
        noisy_copy("x", [], "fax", 1)
