"""The reader on team-written fixtures that carry the kinds of noise real cables have."""
from __future__ import annotations

import re

import pytest

from tipx.cables import read_cable, read_cable_file


def numbers(cable):
    return [p.number for p in cable.paragraphs]


def test_ocr_print_header_fields(cable_fixture):
    c = read_cable_file(cable_fixture("ocr_print.txt"))
    assert c.id == "07BANGKOK815"
    assert c.date == "2007-06-03"
    assert c.header.origin == "BANGKOK"
    assert c.header.classification == "CONFIDENTIAL"
    assert c.header.tags == ["KTIP", "KCRM", "PHUM", "ELAB", "TH", "CB"]
    # the subject wraps onto a second line and has doubled spaces
    assert c.header.subject == "THAILAND: FISHING FLEET ABUSES RAISED WITH LABOR MINISTRY AND PORT AUTHORITIES"
    assert c.header.refs == ["BANGKOK 0701", "STATE 61234"]


def test_ocr_paragraph_numbers_repaired_by_sequence(cable_fixture):
    c = read_cable_file(cable_fixture("ocr_print.txt"))
    # printed: "11_1 .", "T2 .", "1[3 .", "%24 ."
    assert numbers(c) == [1, 2, 3, 4]
    assert [p.marking for p in c.paragraphs] == ["C"] * 4
    assert c.paragraphs[2].section == "CAPTAINS AND BROKERS"


def test_page_break_dropped_and_paragraph_joined(cable_fixture):
    c = read_cable_file(cable_fixture("ocr_print.txt"))
    p3 = c.paragraphs[2].text
    assert "00000815" not in c.body.text
    assert "The case file was sent to the provincial prosecutor in April." in p3
    # doubled spaces are single in the clean text
    assert "  " not in c.body.text


def test_signature_and_wrapper_dropped(cable_fixture):
    c = read_cable_file(cable_fixture("ocr_print.txt"))
    assert c.paragraphs[-1].text.endswith("End comment.")
    assert "JOHNSON" not in c.body.text
    w = read_cable_file(cable_fixture("web_wrapped.txt"))
    assert "Add a comment" not in w.body.text and "NEALON" not in w.body.text


def test_markdown_export(cable_fixture):
    c = read_cable_file(cable_fixture("markdown_export.txt"))
    assert c.id == "09DUSHANBE233"
    assert c.header.tags == ["KTIP", "SMIG", "PHUM", "TI"]
    assert c.header.subject == "TAJIKISTAN: PRESS ITEMS ON LABOR MIGRANTS AND TRAFFICKING IN FEBRUARY"
    # an unnumbered opening paragraph, list dashes, pilcrows, "¶14." standing for 4
    assert numbers(c) == [None, 1, 2, 3, 4, 5]
    assert "$150 each" in c.paragraphs[1].text and "\\$" not in c.body.text
    # the page block repeated after the signature is dropped
    assert c.body.text.count("leniency and the hearing was postponed") == 1
    assert "asked for leniency and the hearing was postponed." in c.paragraphs[3].text


def test_web_wrapper_and_repeated_header(cable_fixture):
    c = read_cable_file(cable_fixture("web_wrapped.txt"))
    assert c.id == "07LIMA1902"
    assert (c.date, c.header.origin, c.header.classification) == ("2007-05-30", "LIMA", "UNCLASSIFIED")
    assert c.header.caveats == ["SBU", "SIPDIS"]
    assert c.header.subject == "Peru: Mining Camps and Child Workers"
    assert c.header.refs == ["2007 STATE 44120", "2006 LIMA 4410"]
    assert numbers(c) == [1, 2, 3]
    assert c.paragraphs[1].section == "Camps in the South"
    assert c.paragraphs[2].text.endswith("for an area the size of a small European country.")


def test_report_without_header(cable_fixture):
    c = read_cable_file(cable_fixture("plain_report.txt"))
    assert c.id == "plain_report"
    assert c.date is None and c.header.classification is None
    assert numbers(c) == [None, None, None]
    assert c.paragraphs[0].section == "Field notes: shelter visit, northern border districts"


def test_collapsed_line_breaks(cable_fixture):
    c = read_cable_file(cable_fixture("collapsed.txt"))
    assert c.header.classification == "UNCLASSIFIED"
    assert c.header.tags == ["KTIP", "ELAB", "PHUM", "SMIG", "CE"]
    assert c.header.subject == "SRI LANKA: RECRUITMENT AGENCIES AND HOUSEMAIDS BOUND FOR THE GULF"
    assert c.header.refs == ["STATE 21109"]
    assert numbers(c) == [1, 2, 3, 4]
    assert "COLOMBO 00000377" not in c.body.text
    assert "well above the legal limit set in 2006. The bureau said" in c.paragraphs[1].text


def test_html_page(cable_fixture):
    c = read_cable_file(cable_fixture("page.html"))
    assert c.id == "08ACCRA611"
    assert numbers(c) == [1, 2]
    assert "Lake Volta & returned" in c.paragraphs[0].text
    assert "not text" not in c.body.text and "font-family" not in c.body.text


@pytest.mark.parametrize("name", ["ocr_print.txt", "markdown_export.txt", "web_wrapped.txt", "collapsed.txt", "plain_report.txt", "page.html"])
def test_offsets_point_back_to_raw(cable_fixture, name):
    c = read_cable_file(cable_fixture(name))
    for p in c.paragraphs:
        # every word of the clean paragraph is found, in order, in the raw stretch it came from
        raw = c.raw[p.start:p.end]
        pos = 0
        for word in re.findall(r"[A-Za-z0-9]+", p.text):
            found = raw.find(word, pos)
            assert found >= 0, (name, p.number, word)
            pos = found + len(word)
        # and the paragraph's clean span maps to raw offsets inside the paragraph
        rs, re_ = c.raw_span(p.clean_start, p.clean_end)
        assert p.start <= rs <= re_ <= p.end


def test_raw_span_of_a_word_is_the_word(cable_fixture):
    c = read_cable_file(cable_fixture("ocr_print.txt"))
    i = c.body.text.index("12,000 baht")
    rs, re_ = c.raw_span(i, i + len("12,000 baht"))
    assert c.raw[rs:re_] == "12,000  baht"  # the raw text has the OCR's doubled space


def test_header_repair_of_split_words():
    data = b"R 010101Z JAN 08\nFM  AMEMBAS S Y  ULAANBAATAR\nTO SECSTATE WASHDC 1\nU N C L A S  ULAANBAATAR  000042\n\nTAGS: KTIP MG\nSUBJECT: MONGOLIA: TEST\n\n1. (U) Text of the report.\n"
    c = read_cable(data, source="x.txt")
    assert c.header.origin == "ULAANBAATAR"
    assert c.header.classification == "UNCLASSIFIED"
    assert c.id == "08ULAANBAATAR42"
