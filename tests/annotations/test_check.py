"""``tipx annotations check``: every kind of bad record is reported with something to act on."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from tipx.annotations.check import check_record
from tipx.annotations.records import sha256_bytes
from tipx.cli import app

TEXT = "1. (U) The recruiter sold 12 women from Nepal to a brothel owner in Delhi for $400.\n"
#       0123456789...
R = TEXT.index("recruiter")
W = TEXT.index("12 women")
N = TEXT.index("Nepal")
B = TEXT.index("brothel owner")
D = TEXT.index("Delhi")
A = TEXT.index("$400")


def ent(i, label, start, end):
    return {"id": i, "label": label, "start_offset": start, "end_offset": end}


def good():
    return {"id": "t", "text": TEXT, "entities": [
        ent(1, "RECRUITER", R, R + 9), ent(2, "VICTIM", W, W + 8), ent(3, "VICTIM_ORIGIN", N, N + 5),
        ent(4, "PERPETRATOR", B, B + 13), ent(5, "DESTINATION", D, D + 5), ent(6, "AMOUNT_CURRENCY", A, A + 4)],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "RECRUITED"},
                      {"id": 2, "from_id": 2, "to_id": 3, "type": "ORIGIN"},
                      {"id": 3, "from_id": 4, "to_id": 6, "type": "AMOUNT"}]}


def test_valid_record_has_no_problems():
    assert check_record(good(), TEXT) == []


def test_misaligned_span_reported_with_its_text():
    rec = good()
    rec["entities"][0]["start_offset"] = R + 2  # "cruiter"
    (err,) = check_record(rec, TEXT)
    assert "not on token boundaries" in err and "[cruiter]" in err


def test_overlap_unknown_label_range_and_relations():
    rec = good()
    rec["entities"].append(ent(7, "VICTIM", W + 3, W + 8))           # overlaps "12 women"
    rec["entities"].append(ent(8, "SMUGGLER", D, D + 5))             # unknown label (and overlap)
    rec["entities"].append(ent(9, "STATUTE", 10, 10_000))            # out of range
    rec["relations"].append({"id": 4, "from_id": 3, "to_id": 5, "type": "DESTINATION"})   # allowed
    rec["relations"].append({"id": 5, "from_id": 6, "to_id": 2, "type": "AMOUNT"})        # wrong direction
    rec["relations"].append({"id": 6, "from_id": 1, "to_id": 42, "type": "RECRUITED"})    # no entity 42
    rec["relations"].append({"id": 7, "from_id": 1, "to_id": 2, "type": "HIRED"})         # unknown type
    rec["relations"].append({"id": 8, "from_id": 1, "to_id": 2, "type": "RECRUITED"})     # duplicate
    errs = "\n".join(check_record(rec, TEXT))
    assert "overlap" in errs
    assert "unknown label 'SMUGGLER'" in errs
    assert "out of range" in errs
    assert "AMOUNT does not allow AMOUNT_CURRENCY -> VICTIM" in errs
    assert "refers to entity 42" in errs
    assert "unknown type 'HIRED'" in errs
    assert "given twice" in errs
    assert "relation 4" not in errs


def test_entity_in_header_and_cross_paragraph_relation():
    text = "TAGS: KTIP NP\nSUBJECT: NEPAL: NOTE\n\n1. (U) Brokers took girls to Mumbai.\n\n2. (U) The brokers were jailed.\n"
    rec = {"id": "h", "entities": [ent(1, "VICTIM_ORIGIN", text.index("NEPAL"), text.index("NEPAL") + 5),
                                   ent(2, "RECRUITER", text.index("Brokers"), text.index("Brokers") + 7),
                                   ent(3, "VICTIM", text.index("girls"), text.index("girls") + 5),
                                   ent(4, "PERPETRATOR", text.index("brokers"), text.index("brokers") + 7)],
           "relations": [{"id": 1, "from_id": 4, "to_id": 3, "type": "EXPLOITED"}]}
    errs = "\n".join(check_record(rec, text))
    assert "outside the body" in errs and "'NEPAL'" in errs
    assert "different paragraphs" in errs


def test_cli_over_files_with_standoff(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "cable.txt").write_text(TEXT, encoding="utf-8")
    rec = good()
    del rec["text"]
    rec.update(source="cable.txt", sha256=sha256_bytes(TEXT.encode()))
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(rec) + "\n")
    runner = CliRunner()
    ok = runner.invoke(app, ["annotations", "check", str(gold), "--raw-dir", str(raw)])
    assert ok.exit_code == 0, ok.output
    assert "checked 1 records in 1 file(s): 0 with errors" in ok.stdout
    # the raw file changed: the hash no longer matches
    (raw / "cable.txt").write_text(TEXT.replace("Delhi", "Pune "), encoding="utf-8")
    bad = runner.invoke(app, ["annotations", "check", str(gold), "--raw-dir", str(raw)])
    assert bad.exit_code == 1
    assert "the raw file changed" in bad.stderr
    # a line that is not JSON
    gold.write_text(json.dumps(rec) + "\n{not json\n")
    bad = runner.invoke(app, ["annotations", "check", str(gold), "--raw-dir", str(raw)])
    assert bad.exit_code == 1 and "not valid JSON" in bad.stderr
