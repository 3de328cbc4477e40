"""The store of ``tipx run`` on its own: rows with relations and cases, deterministic publishing,
the lock, and the model guard. (The shipped placeholder model finds few relations, so these are
made here.)"""
from __future__ import annotations

import csv
import hashlib
import json
import random
import sqlite3
from types import SimpleNamespace

import pytest

from tipx.batch.store import OUTPUT_FILES, Store, StoreError, dump_tables
from tipx.cases import build_cases


def result(i: int) -> dict:
    """A process_items result with entities, relations and cases, as the pipeline would give."""
    text = (f"1. Recruiter Aliya {i} promised women from Moldova jobs in Dubai for {i} hundred dollars.\n\n"
            f"2. Police arrested Marat {i}, charged under Article {100 + i}, sentenced to {i % 9 + 1} years.")
    key = hashlib.sha256(text.encode()).hexdigest()

    def ent(n, label, s, para):
        return {"id": n, "label": label, "start_offset": s, "end_offset": s + 5, "score": 0.5 + n / 100,
                "text": text[s:s + 5], "paragraph": para}

    entities = [ent(1, "RECRUITER", 3, 1), ent(2, "VICTIM", 30, 1), ent(3, "VICTIM_ORIGIN", 41, 1),
                ent(4, "DESTINATION", 60, 1), ent(5, "PERPETRATOR", 110, 2), ent(6, "STATUTE", 130, 2)]
    relations = [{"id": 1, "from_id": 1, "to_id": 2, "type": "RECRUITED", "score": 0.9},
                 {"id": 2, "from_id": 2, "to_id": 3, "type": "ORIGIN", "score": 0.8},
                 {"id": 3, "from_id": 2, "to_id": 4, "type": "DESTINATION", "score": 0.7},
                 {"id": 4, "from_id": 5, "to_id": 6, "type": "CHARGED_UNDER", "score": 0.6}]
    record = {"source": f"r{i}.txt", "id": f"09TEST{i}", "sha256": key, "encoding": "utf-8", "date": "2009-01-02",
              "origin": "AMEMBASSY TEST", "classification": "UNCLAS", "caveats": [], "tags": ["KTIP", "KCRM"],
              "subject": f"CASE {i}", "refs": [],
              "paragraphs": [{"number": 1, "start": 0, "end": 90, "text": text[3:90], "marking": None, "section": None},
                             {"number": 2, "start": 92, "end": len(text), "text": text[95:], "marking": None, "section": None}],
              "entities": entities, "relations": relations, "cases": build_cases(entities, relations)}
    return {"ok": True, "key": key, "source": f"r{i}.txt", "path": f"in/r{i}.txt", "record": record, "text": text, "words": 30}


def failure(name: str) -> SimpleNamespace:
    return SimpleNamespace(source=name, path=f"in/{name}", error="empty file: nothing to read")


def publish(out, batches, fingerprint="m1"):
    with Store(out, fingerprint) as store:
        for results, failures in batches:
            store.commit(results, failures)
        store.publish()


def files(out):
    return {n: (out / n).read_bytes() for n in OUTPUT_FILES}


def test_rows_keys_and_flat_files(tmp_path):
    out = tmp_path / "out"
    results = [result(i) for i in range(6)]
    publish(out, [(results[:3], [failure("bad.txt")]), (results[3:], [])])
    conn = sqlite3.connect(out / "tipx.sqlite")
    conn.execute("PRAGMA foreign_keys = ON")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT count(*) FROM relations").fetchone()[0] == 24
    assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == sum(len(r["record"]["cases"]) for r in results) > 0
    # a relation to a missing entity is refused by the foreign keys
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO relations VALUES (?, 99, 1, 42, 'ORIGIN', 0.5)", (results[0]["key"],))
    # cases hold JSON arrays
    for row in conn.execute("SELECT recruiters, victims, routes, paragraphs FROM cases"):
        assert all(isinstance(json.loads(v), list) for v in row)
    assert conn.execute("SELECT tags FROM documents LIMIT 1").fetchone()[0] == "KTIP KCRM"
    with (out / "relations.csv").open(newline="") as fh:
        rels = list(csv.DictReader(fh))
    assert len(rels) == 24 and {r["from_label"] for r in rels} >= {"RECRUITER", "VICTIM", "PERPETRATOR"}
    with (out / "cases.csv").open(newline="") as fh:
        assert len(list(csv.DictReader(fh))) == conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    assert [json.loads(x)["path"] for x in (out / "errors.jsonl").read_text().splitlines()] == ["in/bad.txt"]


def test_publishing_does_not_depend_on_commit_order(tmp_path):
    results = [result(i) for i in range(8)]
    publish(tmp_path / "a", [(results, [failure("x.txt"), failure("y.txt")])])
    shuffled = results[:]
    random.Random(3).shuffle(shuffled)
    publish(tmp_path / "b", [([r], []) for r in shuffled] + [([], [failure("y.txt")]), ([], [failure("x.txt")])])
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_success_clears_an_earlier_error_of_the_same_path(tmp_path):
    out = tmp_path / "out"
    r = result(1)
    publish(out, [([], [SimpleNamespace(source=r["source"], path=r["path"], error="cannot read (Permission denied)")])])
    assert (out / "errors.jsonl").read_text() != ""
    publish(out, [([r], [])])
    assert (out / "errors.jsonl").read_text() == ""


def test_second_writer_is_refused(tmp_path):
    with Store(tmp_path / "out", "m1"):
        with pytest.raises(StoreError, match="another tipx run"):
            Store(tmp_path / "out", "m1")
    Store(tmp_path / "out", "m1").close()  # free again once the first is closed


def test_other_model_is_refused(tmp_path):
    publish(tmp_path / "out", [([result(1)], [])], fingerprint="m1")
    with pytest.raises(StoreError, match="another model"):
        Store(tmp_path / "out", "m2")


def test_nothing_new_means_nothing_rewritten(tmp_path):
    out = tmp_path / "out"
    publish(out, [([result(1)], [])])
    with Store(out, "m1") as store:
        assert not store.needs_publish()
        store.commit([], [])
        assert not store.needs_publish()
        store.commit([], [failure("new.txt")])
        assert store.needs_publish()
    before = dump_tables(out / "tipx.sqlite")
    assert before["documents"]
