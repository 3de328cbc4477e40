"""Paragraph-number repair: OCR tokens read as one rising sequence."""
from __future__ import annotations

from tipx.cables.body import assign_numbers, number_candidates


def test_candidates_are_digit_suffixes():
    assert number_candidates("11_1") == [111, 11, 1]
    assert number_candidates("T2 4") == [24, 4]
    assert number_candidates("%25") == [25, 5]
    assert number_candidates("ABC") == []


def test_debris_read_as_the_next_number():
    tokens = ["11_1", "T2", "1.3", "14", "15", "1[6", "17", "1[8", "1[9", "11.10", "1.11", "11.2  0"]
    # after 11 comes "11.2  0": its digits 1120 end in 20, which is a gap of 9: not a paragraph
    assert assign_numbers(tokens) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, None]


def test_pilcrow_before_two_digit_numbers():
    tokens = ["¶1", "¶2", "¶13", "¶14", "¶15", "¶6", "¶17", "¶18", "¶19", "¶110", "¶11"]
    assert assign_numbers(tokens) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]


def test_a_lost_paragraph_is_a_gap():
    assert assign_numbers(["15", "16", "17", "19", "20"]) == [15, 16, 17, 19, 20]


def test_a_year_at_a_line_start_is_not_a_paragraph():
    assert assign_numbers(["17", "18", "19", "2008", "20", "21"]) == [17, 18, 19, None, 20, 21]


def test_a_repeated_block_keeps_the_first():
    assert assign_numbers(["1", "2", "3", "3"]) == [1, 2, 3, None]


def test_clean_numbers_are_literal_when_nothing_argues_otherwise():
    assert assign_numbers(["12", "13"]) == [12, 13]
    # ...but a longer sequence wins: "12".."19" then "110", "11" read as 2..11
    tokens = ["12", "13", "14", "15", "16", "17", "18", "19", "110", "11"]
    assert assign_numbers(tokens) == list(range(2, 12))


def test_blocks_without_tokens_stay_none():
    assert assign_numbers([None, "1", None, "2"]) == [None, 1, None, 2]
