"""``tipx run``: the outputs agree with each other, with ``tipx extract``, and across runs."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from batch_corpus import make_cable, write_corpus, write_corrupt
from batch_support import CORRUPT, DUPLICATE, N_DOCS, count, output_files
from tipx.batch.engine import run_job
from tipx.batch.store import OUTPUT_FILES, dump_tables
from tipx.cables import read_cable_file
from tipx.cli import app
from tipx.extract import extract_cables, load_model

CONTRACT = {
    "documents": ["doc_key", "id", "source", "path", "date", "origin", "classification", "subject", "tags", "text",
                  "n_entities", "n_relations"],
    "paragraphs": ["doc_key", "number", "start", "end", "text"],
    "entities": ["doc_key", "entity_id", "label", "start_offset", "end_offset", "text", "score", "paragraph"],
    "relations": ["doc_key", "relation_id", "from_id", "to_id", "type", "score"],
    "cases": ["doc_key", "case_id", "recruiters", "perpetrators", "victims", "origins", "destinations", "routes",
              "amounts", "statutes", "sentences", "paragraphs"],
}


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_outputs_exist_and_agree(reference):
    out, summary = reference
    for name in OUTPUT_FILES:
        assert (out / name).is_file(), name
    db = out / "tipx.sqlite"
    records = jsonl(out / "extractions.jsonl")
    assert len(records) == count(db, "documents") == N_DOCS == summary.done
    n_ents = sum(len(r["entities"]) for r in records)
    n_rels = sum(len(r["relations"]) for r in records)
    n_cases = sum(len(r["cases"]) for r in records)
    assert count(db, "entities") == len(csv_rows(out / "entities.csv")) == n_ents == summary.entities
    assert count(db, "relations") == len(csv_rows(out / "relations.csv")) == n_rels == summary.relations
    assert count(db, "cases") == len(csv_rows(out / "cases.csv")) == n_cases == summary.cases
    assert count(db, "paragraphs") == sum(len(r["paragraphs"]) for r in records)
    assert n_ents > 0, "the corpus is made so that even a weak model finds statutes and amounts"

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table, columns in CONTRACT.items():
            assert [r[1] for r in conn.execute(f"PRAGMA table_info({table})")] == columns, table
        fks = {(t, tuple(r[3] for r in conn.execute(f"PRAGMA foreign_key_list({t})"))) for t in CONTRACT}
        assert ("relations", ("doc_key", "from_id", "doc_key", "to_id")) in fks or \
               ("relations", ("doc_key", "to_id", "doc_key", "from_id")) in fks
        indexed = {(r[2], conn.execute(f"PRAGMA index_info({r[1]})").fetchone()[2])
                   for r in conn.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        assert {("entities", "label"), ("relations", "type"), ("documents", "id")} <= indexed
        # per-document counts and the JSON records agree with the rows
        for key, n_e, n_r, record in conn.execute(
                "SELECT d.doc_key, d.n_entities, d.n_relations, x.record FROM documents d JOIN extractions x USING (doc_key)"):
            rec = json.loads(record)
            assert rec["sha256"] == key and len(rec["entities"]) == n_e and len(rec["relations"]) == n_r
            rows = conn.execute("SELECT entity_id, label, start_offset, end_offset, text FROM entities WHERE doc_key = ? "
                                "ORDER BY entity_id", (key,)).fetchall()
            assert rows == [(e["id"], e["label"], e["start_offset"], e["end_offset"], e["text"]) for e in rec["entities"]]
            raw = conn.execute("SELECT text FROM documents WHERE doc_key = ?", (key,)).fetchone()[0]
            for e in rec["entities"]:  # offsets point into documents.text
                assert raw[e["start_offset"]:e["end_offset"]].split() == e["text"].split()
        # sorted by doc_key, one line per document
        assert [r["sha256"] for r in records] == sorted(r["sha256"] for r in records)
    finally:
        conn.close()
    # the working store is in WAL mode
    state = sqlite3.connect(out / ".tipx" / "state.sqlite")
    try:
        assert state.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        state.close()


@pytest.fixture(scope="module")
def nlp():
    return load_model()


def test_records_are_tipx_extract_records(reference, nlp):
    """The same records as ``tipx extract`` (which runs without memory zones, in batches of 8)."""
    out, _ = reference
    records = jsonl(out / "extractions.jsonl")
    paths = [Path(r) for (r,) in sqlite3.connect(out / "tipx.sqlite").execute("SELECT path FROM documents ORDER BY doc_key")]
    expected = list(extract_cables(nlp, (read_cable_file(p) for p in paths), batch_size=8))
    assert [json.dumps(r, sort_keys=True) for r in records] == [json.dumps(r, sort_keys=True) for r in expected]


def test_errors_are_recorded_and_valid_documents_kept(reference, corpus_dir):
    out, summary = reference
    errors = jsonl(out / "errors.jsonl")
    assert sorted(Path(e["path"]).name for e in errors) == sorted(CORRUPT)
    assert all(set(e) == {"source", "path", "error"} and e["error"] for e in errors)
    assert summary.failed == len(CORRUPT)
    conn = sqlite3.connect(out / "tipx.sqlite")
    paths = {Path(p).name for (p,) in conn.execute("SELECT path FROM documents")}
    valid = {p.name for p in corpus_dir.rglob("*.txt") if not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)}
    assert paths == valid - set(CORRUPT) - {DUPLICATE}
    enc = {json.loads(r)["source"]: json.loads(r)["encoding"] for (r,) in conn.execute("SELECT record FROM extractions")}
    assert enc["windows.txt"] == "cp1252"
    assert "secret.txt" not in paths  # hidden folders are not read


def test_duplicate_content_is_one_document(reference):
    out, summary = reference
    assert summary.duplicates == 1
    conn = sqlite3.connect(out / "tipx.sqlite")
    paths = [p for (p,) in conn.execute("SELECT path FROM documents WHERE source LIKE 'cable-00000%' OR source = ?", (DUPLICATE,))]
    assert [Path(p).name for p in paths] == ["cable-00000.txt"]  # the first path is kept


def test_second_run_skips_everything(reference, corpus_dir, tmp_path):
    ref, _ = reference
    out = tmp_path / "out"
    shutil.copytree(ref, out)
    summary = run_job([corpus_dir], out)
    assert summary.done == 0
    assert summary.skipped == N_DOCS + 1  # the duplicate too: its content is already done
    assert summary.failed == len(CORRUPT)  # failed inputs are tried again (and fail again)
    assert output_files(out) == output_files(ref)


def test_n_process_2_gives_the_same_bytes(reference, corpus_dir, tmp_path):
    ref, _ = reference
    summary = run_job([corpus_dir], tmp_path / "out", n_process=2, batch_size=3)
    assert summary.done == N_DOCS
    assert output_files(tmp_path / "out") == output_files(ref)


def test_corrupt_files_among_valid_ones(tmp_path):
    """Binary, empty, whitespace-only, 5 MB and cp1252 files among valid cables, through the CLI."""
    corpus = tmp_path / "in"
    valid = write_corpus(corpus, 3, words=80, seed=3)
    bad = write_corrupt(corpus)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(corpus), "--out", str(out), "--no-progress"])
    assert result.exit_code == 1, result.output
    assert "4 failed" in result.output and "4 processed" in result.output
    errors = {Path(e["path"]).name: e["error"] for e in jsonl(out / "errors.jsonl")}
    assert set(errors) == {bad[k].name for k in ("binary", "empty", "blank", "huge")}
    assert "binary" in errors["scan.txt"] and "empty" in errors["empty.txt"]
    assert "over the limit" in errors["huge.txt"]
    docs = {Path(p).name for (p,) in sqlite3.connect(out / "tipx.sqlite").execute("SELECT path FROM documents")}
    assert docs == {p.name for p in valid} | {bad["cp1252"].name}


def test_jsonl_input(tmp_path):
    texts = [make_cable(i, words=60, seed=9) for i in range(3)]
    src = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": f"doc-{i}", "text": t}) for i, t in enumerate(texts)]
    lines.insert(1, "{not json")
    lines.append(json.dumps({"id": "no-text"}))
    lines.append("")
    lines.append(json.dumps({"text": texts[0]}))  # same text as doc-0: one document
    lines.append(json.dumps({"text": make_cable(50, words=60, seed=9)}))  # no id: FILE-STEM:LINE stands in
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_job([src], out)
    assert (summary.done, summary.failed, summary.duplicates) == (4, 2, 1)
    conn = sqlite3.connect(out / "tipx.sqlite")
    rows = dict(conn.execute("SELECT source, doc_key FROM documents"))
    assert set(rows) == {"doc-0", "doc-1", "doc-2", "docs:8"}
    for i, t in enumerate(texts):
        assert rows[f"doc-{i}"] == hashlib.sha256(t.encode("utf-8")).hexdigest()
    paths = {p for (p,) in conn.execute("SELECT path FROM documents")}
    assert {f"{src}:1", f"{src}:3", f"{src}:4", f"{src}:8"} == paths  # line 7 repeats line 1's text
    errors = {e["path"]: e for e in jsonl(out / "errors.jsonl")}
    assert set(errors) == {f"{src}:2", f"{src}:5"}
    assert errors[f"{src}:2"]["source"] == "docs:2" and "not a JSON line" in errors[f"{src}:2"]["error"]
    assert errors[f"{src}:5"]["source"] == "no-text" and "text" in errors[f"{src}:5"]["error"]
    # records carry the JSONL id as their source; offsets index the text as given
    for rec in jsonl(out / "extractions.jsonl"):
        text = {f"doc-{i}": t for i, t in enumerate(texts)}.get(rec["source"])
        if text:
            for e in rec["entities"]:
                assert text[e["start_offset"]:e["end_offset"]] == e["text"]


def test_crash_while_publishing_then_rerun(tmp_path, monkeypatch):
    """Killed after some output files were replaced but before tipx.sqlite: the next run redoes them."""
    from tipx.batch.store import Store

    corpus = tmp_path / "in"
    write_corpus(corpus, 5, words=80, seed=4)
    clean = tmp_path / "clean"
    run_job([corpus], clean)

    crashed = tmp_path / "crashed"
    real = Store._publish_db

    def boom(self):
        raise KeyboardInterrupt("killed while publishing")

    monkeypatch.setattr(Store, "_publish_db", boom)
    with pytest.raises(KeyboardInterrupt):
        run_job([corpus], crashed)
    assert not (crashed / "tipx.sqlite").exists()
    monkeypatch.setattr(Store, "_publish_db", real)
    summary = run_job([corpus], crashed)
    assert summary.done == 0 and summary.skipped == 5
    assert output_files(crashed) == output_files(clean)
    assert dump_tables(crashed / "tipx.sqlite") == dump_tables(clean / "tipx.sqlite")
