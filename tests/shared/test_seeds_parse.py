"""The reader on the five real seed cables and the holdout (skipped without ../shared)."""
from __future__ import annotations

import csv
import re

import pytest

from tipx.cables import read_cable_file

from support import HOLDOUT, SEEDS, needs_holdout, needs_seeds

EXPECTED_NUMBERS = {
    "08TASHKENT1227": list(range(1, 32)),
    "09ASTANA368": [None, *range(2, 12)],
    "09TASHKENT1603": list(range(1, 28)),
    "08ASTANA1246": [*range(1, 18), 19],
    "06ASTANA891": list(range(1, 7)),
}


def _seed_rows():
    if not (SEEDS / "INDEX.tsv").is_file():
        return []
    with (SEEDS / "INDEX.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _words(s):
    return re.sub(r"\s+", " ", s).strip().casefold()


@needs_seeds
@pytest.mark.parametrize("row", _seed_rows(), ids=lambda r: r["cable_id"])
def test_seed_header_and_numbers(row):
    c = read_cable_file(SEEDS / row["file"])
    assert c.id == row["cable_id"]
    assert c.date == row["date"]
    assert row["origin"].upper().endswith(c.header.origin)
    assert c.header.classification == row["classification"].split("//")[0]
    assert _words(c.header.subject) == _words(row["subject"])
    assert c.header.tags and all(re.fullmatch(r"[A-Z]{2,6}", t) for t in c.header.tags)
    assert [p.number for p in c.paragraphs] == EXPECTED_NUMBERS[row["cable_id"]]
    for p in c.paragraphs:
        assert not re.search(r"\b[A-Z]+ \d{8} \d{3}(\.\d)? OF \d{3}\b", p.text), p.number
        assert "  " not in p.text and "\n" not in p.text


@needs_seeds
def test_seed_caveats_kept_apart():
    by_id = {r["cable_id"]: r for r in _seed_rows()}
    for cid, row in by_id.items():
        c = read_cable_file(SEEDS / row["file"])
        if "FOR OFFICIAL USE ONLY" in row["classification"]:
            assert "SBU" in c.header.caveats
        assert "SIPDIS" in c.header.caveats


@needs_seeds
def test_paragraph_cut_by_page_break_reads_as_one():
    # In every seed with page-break lines, the paragraph around each break has no break in it,
    # and the text on both sides of the break is in the same paragraph.
    for row in _seed_rows():
        c = read_cable_file(SEEDS / row["file"])
        raw = c.raw
        for m in re.finditer(r"(?m)^[A-Z]+ \d{8} \d{3}(?:\.\d)? OF \d{3}\s*$", raw):
            before = next((p for p in c.paragraphs if p.start < m.start() < p.end), None)
            if before is None:
                continue  # the break falls between paragraphs or in a dropped repeat
            assert before.end > m.end()


@needs_holdout
def test_holdout_cables_all_parse():
    files = sorted(HOLDOUT.glob("*.txt"))
    assert len(files) >= 10
    for f in files:
        c = read_cable_file(f)
        assert len(c.paragraphs) >= 1, f.name
