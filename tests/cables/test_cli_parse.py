"""``tipx parse`` over many files: per-file errors, the others still read, exit code says so."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from tipx.cli import app

runner = CliRunner()


def _records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_parse_good_files(cable_fixture):
    files = [str(cable_fixture(n)) for n in ("ocr_print.txt", "web_wrapped.txt")]
    result = runner.invoke(app, ["parse", *files])
    assert result.exit_code == 0, result.output
    recs = _records(result.stdout)
    assert [r["id"] for r in recs] == ["07BANGKOK815", "07LIMA1902"]
    r = recs[0]
    assert set(r) >= {"source", "id", "sha256", "date", "origin", "classification", "caveats", "tags", "subject", "refs", "paragraphs"}
    assert r["source"] == "ocr_print.txt" and len(r["sha256"]) == 64
    p = r["paragraphs"][1]
    assert set(p) >= {"number", "start", "end", "text"} and p["number"] == 2


def test_bad_files_reported_and_others_kept(tmp_path, cable_fixture):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "win.txt").write_bytes(
        "UNCLAS QUITO 000077\n\nTAGS: KTIP EC\nSUBJECT: ECUADOR: NOTE\n\n1. (U) A \u201cbroker\u201d charged $300.\n".encode("cp1252"))
    big = ("" + "Workers were moved across the border and held without pay. " * 20 + "\n\n") * 4500
    (tmp_path / "big.txt").write_text(big, encoding="utf-8")
    assert (tmp_path / "big.txt").stat().st_size > 5_000_000
    files = [tmp_path / "empty.txt", tmp_path / "blob.bin", tmp_path / "win.txt", tmp_path / "big.txt",
             tmp_path / "missing.txt", tmp_path, cable_fixture("page.html")]
    result = runner.invoke(app, ["parse", *map(str, files)])
    assert result.exit_code == 1
    err_lines = [l for l in result.stderr.splitlines() if l.startswith("tipx parse: error:")]
    assert len(err_lines) == 4
    assert any("empty.txt: empty file" in l for l in err_lines)
    assert any("blob.bin: binary file" in l for l in err_lines)
    assert any("missing.txt: cannot read" in l for l in err_lines)
    assert any("is a folder" in l for l in err_lines)
    assert "4 of 7 file(s) failed" in result.stderr
    recs = _records(result.stdout)
    assert [r["source"] for r in recs] == ["win.txt", "big.txt", "page.html"]
    assert recs[0]["paragraphs"][0]["text"] == "A \u201cbroker\u201d charged $300."
    assert len(recs[1]["paragraphs"]) == 4500


def test_out_option_writes_file(tmp_path, cable_fixture):
    out = tmp_path / "parsed.jsonl"
    result = runner.invoke(app, ["parse", str(cable_fixture("collapsed.txt")), "--out", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["paragraphs"][0]["number"] == 1


def test_help_reads_well():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "parse" in result.stdout
    result = runner.invoke(app, ["parse", "--help"])
    assert "one JSON line per file" in result.stdout
