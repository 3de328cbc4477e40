"""Inline authoring markup -> schema offsets."""
from __future__ import annotations

import pytest

from tipx.annotations.markup import MarkupError, parse_markup

REPORT = """@meta region: Gulf
1. (SBU) [Rustam K.]{RECRUITER#r1} lured [12 women]{VICTIM#v1} from
[Uzbekistan]{VICTIM_ORIGIN#o1} to [Dubai]{DESTINATION#d1} for [$400]{AMOUNT_CURRENCY#a1}.
@rel r1 RECRUITED v1
@rel v1 ORIGIN o1

2. (SBU) The [Criminal Code article 128]{STATUTE} was cited.
"""


def test_offsets_and_relations():
    doc = parse_markup(REPORT)
    assert doc.meta == {"region": "Gulf"}
    got = [(e["label"], doc.text[e["start_offset"]:e["end_offset"]]) for e in doc.entities]
    assert got == [("RECRUITER", "Rustam K."), ("VICTIM", "12 women"), ("VICTIM_ORIGIN", "Uzbekistan"),
                   ("DESTINATION", "Dubai"), ("AMOUNT_CURRENCY", "$400"), ("STATUTE", "Criminal Code article 128")]
    assert doc.relations == [{"id": 1, "from_id": 1, "to_id": 2, "type": "RECRUITED"},
                             {"id": 2, "from_id": 2, "to_id": 3, "type": "ORIGIN"}]
    assert "@" not in doc.text and "[" not in doc.text
    assert doc.text.startswith("1. (SBU) Rustam K. lured 12 women from\nUzbekistan")


@pytest.mark.parametrize("bad, message", [
    ("[x]{NAME}", "unknown label 'NAME'"),
    ("[a]{RECRUITER#a} [b]{VICTIM#a}", "used twice"),
    ("[a]{RECRUITER#a}\n@rel a RECRUITED b", "no entity carries"),
    ("[a]{STATUTE#a} [b]{VICTIM#b}\n@rel a RECRUITED b", "does not allow STATUTE -> VICTIM"),
    ("[a]{RECRUITER#a}\n\n[b]{VICTIM#b}\n@rel a RECRUITED b", "different paragraphs"),
    ("[a]{RECRUITER#a} [b]{VICTIM#b}\n@rel a HIRED b", "unknown relation type"),
    ("[ a]{VICTIM}", "starts or ends with a space"),
    ("text ]{VICTIM} more", "stray or malformed markup"),
    ("[a]{VICTIM#v] then [b]{VICTIM}", "malformed markup"),
])
def test_errors_name_the_line(bad, message):
    with pytest.raises(MarkupError, match=message) as info:
        parse_markup(bad, name="r.txt")
    assert str(info.value).startswith("r.txt:")
