"""``tipx annotations build`` and ``stats`` on a tiny authored folder."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from tipx.cli import app

REPORT = """@meta region: Africa
R 010900Z MAR 08
FM AMEMBASSY ABUJA
TO SECSTATE WASHDC 1
UNCLAS ABUJA 000{n}

E.O. 12958: N/A
TAGS: KTIP NI
SUBJECT: NIGERIA: NOTE {n}

1. (U) Police in Benin City arrested [a madam]{{PERPETRATOR#p}} who sent [girls]{{VICTIM#v}} to [Italy]{{DESTINATION#d}}
and charged each a debt of [EUR 40,000]{{AMOUNT_CURRENCY#a}}.
@rel p EXPLOITED v
@rel v DESTINATION d
@rel p AMOUNT a

2. (U) Comment: none. End comment.
"""


def test_build_is_deterministic_and_counts(tmp_path):
    authored = tmp_path / "authored"
    authored.mkdir()
    for n in range(10, 16):
        (authored / f"r{n}.txt").write_text(REPORT.format(n=n), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["annotations", "build", "--authored", str(authored), "--out", str(out), "--dev-percent", "50"])
    assert res.exit_code == 0, res.output
    first = (out / "train" / "reports.jsonl").read_text() + (out / "dev" / "reports.jsonl").read_text()
    recs = [json.loads(l) for l in first.splitlines()]
    assert len(recs) == 6 * 3  # each report: clean + 2 noisy copies
    assert {r["meta"]["variant"] for r in recs} <= {"clean", "ocr", "markdown", "web", "collapsed"}
    # same settings, same bytes
    runner.invoke(app, ["annotations", "build", "--authored", str(authored), "--out", str(out), "--dev-percent", "50"])
    assert (out / "train" / "reports.jsonl").read_text() + (out / "dev" / "reports.jsonl").read_text() == first
    # everything built passes the checker
    chk = runner.invoke(app, ["annotations", "check", str(out / "train" / "reports.jsonl"), str(out / "dev" / "reports.jsonl")])
    assert chk.exit_code == 0, chk.output
    st = runner.invoke(app, ["annotations", "stats", "--root", str(out)])
    assert st.exit_code == 0
    lines = {l.split("|")[1].strip(): [c.strip() for c in l.split("|")[2:-1]] for l in st.stdout.splitlines()[2:]}
    total_reports = sum(int(x) for x in lines["reports"])
    assert total_reports == 6
    assert sum(int(x) for x in lines["PERPETRATOR"]) == 6
    assert sum(int(x) for x in lines["AMOUNT"]) == 6
    assert sum(int(x) for x in lines["STATUTE"]) == 0


def test_build_refuses_bad_markup(tmp_path):
    authored = tmp_path / "authored"
    authored.mkdir()
    (authored / "bad.txt").write_text("1. [x]{NOPE}\n")
    res = CliRunner().invoke(app, ["annotations", "build", "--authored", str(authored), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "unknown label 'NOPE'" in res.stderr and "nothing written" in res.stderr
    assert not (tmp_path / "o").exists()
