"""Against a real doccano 1.8.4 (webserver + celery worker on 127.0.0.1): push, annotate, pull.

The server comes from the session fixture in ``conftest.py``; the first run builds ``.venv-doccano``.
"""
from __future__ import annotations

import hashlib
import json
import urllib.request

import pytest
from typer.testing import CliRunner

from tipx.annotations.check import check_record
from tipx.annotations.docbin import docs_to_records, read_docbin
from tipx.annotations.records import read_jsonl, write_jsonl
from tipx.cli import app
from tipx.doccano.sync import connect, find_project
from tipx.schema import LABELS, RELATION_TYPES

pytestmark = pytest.mark.doccano

TEST_PROJECT = "tipx-test"  # made by the doccano_server fixture (conftest.py)


def ent(text: str, phrase: str, label: str, eid: int) -> dict:
    start = text.index(phrase)
    return {"id": eid, "label": label, "start_offset": start, "end_offset": start + len(phrase)}


def rel(rid: int, head: int, tail: int, typ: str) -> dict:
    return {"id": rid, "from_id": head, "to_id": tail, "type": typ}


T1 = "Rustam K. recruited 12 women from Osh and sold them in Dubai for $400 each."
T2 = "The court sentenced the madam of the sauna to eight years in prison under article 128 of the criminal code.\n"
# leading and trailing whitespace must survive doccano untouched (offsets depend on it)
T3 = "  Женщины из Узбекистана были проданы в Алматы за 2,000 тенге.\nTwo businesswomen lured them.  "


def input_records(raw_dir) -> list[dict]:
    (raw_dir / "case2.txt").write_bytes(T2.encode("utf-8"))
    return [
        {
            "id": "tc-1",
            "text": T1,
            # ids out of offset order on purpose: they come back as 1..n by offset
            "entities": [
                ent(T1, "$400", "AMOUNT_CURRENCY", 15), ent(T1, "Rustam K.", "RECRUITER", 11), ent(T1, "12 women", "VICTIM", 12),
                ent(T1, "Osh", "VICTIM_ORIGIN", 13), ent(T1, "Dubai", "DESTINATION", 14),
            ],
            "relations": [rel(1, 12, 15, "AMOUNT"), rel(2, 11, 12, "RECRUITED"), rel(3, 12, 13, "ORIGIN"), rel(4, 12, 14, "DESTINATION")],
            "cable_id": "08OSH123",
            "split": "train",
        },
        {
            "id": "tc-2",
            "entities": [
                ent(T2, "madam of the sauna", "PERPETRATOR", 1), ent(T2, "eight years in prison", "SENTENCE", 2),
                ent(T2, "article 128 of the criminal code", "STATUTE", 3),
            ],
            "relations": [rel(1, 1, 2, "SENTENCED_TO"), rel(2, 1, 3, "CHARGED_UNDER")],
            "source": "case2.txt",
            "sha256": hashlib.sha256(T2.encode("utf-8")).hexdigest(),
            "cable_id": "09ALMATY77",
        },
        {
            "id": 3,
            "text": T3,
            "entities": [
                ent(T3, "Женщины", "VICTIM", 1), ent(T3, "Узбекистана", "VICTIM_ORIGIN", 2), ent(T3, "Алматы", "DESTINATION", 3),
                ent(T3, "2,000 тенге", "AMOUNT_CURRENCY", 4), ent(T3, "Two businesswomen", "RECRUITER", 5),
            ],
            "relations": [rel(1, 1, 2, "ORIGIN"), rel(2, 1, 3, "DESTINATION"), rel(3, 5, 1, "RECRUITED")],
            "meta": {"note": "pre-annotated by a model", "scores": [0.5, 1], "reviewed": False, "reviewer": None},
        },
    ]


def expected_records() -> list[dict]:
    """What the pull must give after the edits: the "$400" span deleted (its AMOUNT relation goes
    with it) and "Two businesswomen" relabelled PERPETRATOR, its RECRUITED relation retyped
    EXPLOITED (the schema lets only a RECRUITER head RECRUITED)."""
    return [
        {
            "id": "tc-1",
            "text": T1,
            "entities": [
                ent(T1, "Rustam K.", "RECRUITER", 1), ent(T1, "12 women", "VICTIM", 2), ent(T1, "Osh", "VICTIM_ORIGIN", 3),
                ent(T1, "Dubai", "DESTINATION", 4),
            ],
            "relations": [rel(1, 1, 2, "RECRUITED"), rel(2, 2, 3, "ORIGIN"), rel(3, 2, 4, "DESTINATION")],
            "cable_id": "08OSH123",
            "split": "train",
        },
        {  # standoff in, standoff out: source and sha256 pin the text
            "id": "tc-2",
            "entities": [
                ent(T2, "madam of the sauna", "PERPETRATOR", 1), ent(T2, "eight years in prison", "SENTENCE", 2),
                ent(T2, "article 128 of the criminal code", "STATUTE", 3),
            ],
            "relations": [rel(1, 1, 2, "SENTENCED_TO"), rel(2, 1, 3, "CHARGED_UNDER")],
            "source": "case2.txt",
            "sha256": hashlib.sha256(T2.encode("utf-8")).hexdigest(),
            "cable_id": "09ALMATY77",
        },
        {
            "id": 3,
            "text": T3,
            "entities": [
                ent(T3, "Женщины", "VICTIM", 1), ent(T3, "Узбекистана", "VICTIM_ORIGIN", 2), ent(T3, "Алматы", "DESTINATION", 3),
                ent(T3, "2,000 тенге", "AMOUNT_CURRENCY", 4), ent(T3, "Two businesswomen", "PERPETRATOR", 5),
            ],
            "relations": [rel(1, 1, 2, "ORIGIN"), rel(2, 1, 3, "DESTINATION"), rel(3, 5, 1, "EXPLOITED")],
            "meta": {"note": "pre-annotated by a model", "scores": [0.5, 1], "reviewed": False, "reviewer": None},
        },
    ]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


def test_server_is_up_on_loopback_with_worker_and_schema_project(doccano_server, doccano_env):
    assert doccano_server.base_url.startswith("http://127.0.0.1:")
    assert doccano_server.webserver.poll() is None and doccano_server.worker.poll() is None
    # listening on 127.0.0.1 only (0100007F is 127.0.0.1 in /proc's little-endian hex)
    assert _listening_addresses(doccano_server.port) == {"0100007F"}
    with urllib.request.urlopen(f"{doccano_server.base_url}/v1/health/", timeout=30) as resp:  # also round-trips a celery task
        assert resp.status == 200
    client = connect(doccano_server.base_url, doccano_server.username, doccano_server.password)
    pid = find_project(client, TEST_PROJECT)
    assert (doccano_server.project, pid) == (TEST_PROJECT, doccano_server.project_id)
    project = client.find_project_by_id(pid)
    assert project.project_type.value == "SequenceLabeling" and project.use_relation and project.collaborative_annotation
    assert [lt.text for lt in client.list_label_types(pid, "span")] == list(LABELS)
    assert [lt.text for lt in client.list_label_types(pid, "relation")] == list(RELATION_TYPES)


def test_push_edit_pull_round_trip(doccano_server, doccano_env, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    src = tmp_path / "batch.jsonl"
    write_jsonl(src, input_records(raw))
    runner = CliRunner()

    pushed = runner.invoke(app, ["doccano", "push", str(src), "--project", TEST_PROJECT, "--raw-dir", str(raw)], env=doccano_env)
    assert pushed.exit_code == 0, pushed.output
    assert "Pushed 3 documents" in pushed.output

    # an annotator's corrections, through the API
    client = connect(doccano_server.base_url, doccano_server.username, doccano_server.password)
    pid = doccano_server.project_id
    examples = sorted(client.list_examples(pid), key=lambda e: e.id)
    assert [e.meta.get("id") for e in examples] == ["tc-1", "tc-2", 3]
    assert examples[1].text == T2 and examples[1].meta["sha256"] == hashlib.sha256(T2.encode()).hexdigest()
    assert examples[2].meta["meta"] == {"note": "pre-annotated by a model", "scores": [0.5, 1], "reviewed": False, "reviewer": None}
    span_types = {lt.id: lt.text for lt in client.list_label_types(pid, "span")}
    spans1 = client.list_spans(pid, examples[0].id)
    assert len(spans1) == 5 and len(client.list_relations(pid, examples[0].id)) == 4
    amount = next(s for s in spans1 if T1[s.start_offset:s.end_offset] == "$400")
    client.delete_span(pid, examples[0].id, amount.id)
    spans3 = client.list_spans(pid, examples[2].id)
    women = next(s for s in spans3 if T3[s.start_offset:s.end_offset] == "Two businesswomen")
    assert span_types[women.label] == "RECRUITER"
    client.update_span(pid, examples[2].id, women.id, label="PERPETRATOR")
    lured = next(r for r in client.list_relations(pid, examples[2].id) if r.from_id == women.id)
    client.update_relation(pid, examples[2].id, lured.id, label="EXPLOITED")

    out, docbin = tmp_path / "pulled.jsonl", tmp_path / "pulled.spacy"
    pulled = runner.invoke(app, ["doccano", "pull", "--project", TEST_PROJECT, "--out", str(out), "--docbin", str(docbin)], env=doccano_env)
    assert pulled.exit_code == 0, pulled.output
    got = [{k: v for k, v in r.items() if k != "_where"} for r in read_jsonl(out)]
    assert got == expected_records()
    # and they pass the annotation checker (labels, relation heads and tails, offsets)
    assert [check_record(r, text, check_body=False) for r, text in zip(got, (T1, T2, T3))] == [[], [], []]
    # the DocBin holds the same records (entities in doc.ents, relations and metadata in user_data)
    assert docs_to_records(read_docbin(docbin)) == expected_records()

    # --with-text keeps the standoff record's text
    full = tmp_path / "full.jsonl"
    again = runner.invoke(app, ["doccano", "pull", "-p", TEST_PROJECT, "-o", str(full), "--with-text"], env=doccano_env)
    assert again.exit_code == 0, again.output
    assert [r.get("text") for r in read_jsonl(full)] == [T1, T2, T3]


def test_push_without_annotations_into_a_new_project(doccano_server, doccano_env, tmp_path):
    src = tmp_path / "plain.jsonl"
    write_jsonl(src, [{"id": "p-1", "text": T1, "entities": [ent(T1, "Osh", "VICTIM_ORIGIN", 1)], "relations": [], "split": "dev"}])
    runner = CliRunner()
    res = runner.invoke(app, ["doccano", "push", str(src), "-p", "tipx-plain", "--create", "--no-annotations"], env=doccano_env)
    assert res.exit_code == 0, res.output
    out = tmp_path / "plain-out.jsonl"
    res = runner.invoke(app, ["doccano", "pull", "-p", "tipx-plain", "-o", str(out)], env=doccano_env)
    assert res.exit_code == 0, res.output
    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        {"id": "p-1", "text": T1, "entities": [], "relations": [], "split": "dev"}
    ]


def test_wrong_password_is_one_line_and_writes_nothing(doccano_server, doccano_env, tmp_path):
    out = tmp_path / "never.jsonl"
    env = dict(doccano_env, DOCCANO_PASSWORD="not-the-password")
    res = CliRunner().invoke(app, ["doccano", "pull", "-p", TEST_PROJECT, "-o", str(out), "--docbin", str(tmp_path / "never.spacy")], env=env)
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Error: doccano at {doccano_server.base_url} rejected the login of user 'admin': wrong username or password"
    assert "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []


def test_unknown_project_and_bad_label_are_clear_errors(doccano_server, doccano_env, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["doccano", "pull", "-p", "no-such-project", "-o", str(tmp_path / "x.jsonl")], env=doccano_env)
    assert res.exit_code == 1 and len(res.stderr.strip().splitlines()) == 1
    assert "has no project named 'no-such-project'" in res.stderr
    src = tmp_path / "bad.jsonl"
    write_jsonl(src, [{"id": "b", "text": T1, "entities": [ent(T1, "Osh", "PLACE", 1)], "relations": []}])
    res = runner.invoke(app, ["doccano", "push", str(src), "-p", TEST_PROJECT], env=doccano_env)
    assert res.exit_code == 1 and len(res.stderr.strip().splitlines()) == 1
    assert "'PLACE', which is not in the schema" in res.stderr
