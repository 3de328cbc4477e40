"""``tipx doccano`` without a server: help, credentials, one-line errors, record conversion."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tipx.annotations.records import RecordError, write_jsonl
from tipx.cli import app
from tipx.doccano import server as dserver
from tipx.doccano.sync import example_to_record, prepare_record, standoff_form

TEXT = "A recruiter lured 12 women from Osh to Dubai."


def _dead_url() -> str:
    return f"http://127.0.0.1:{dserver.free_port()}"  # nothing listens there


@pytest.fixture()
def batch(tmp_path):
    path = tmp_path / "batch.jsonl"
    write_jsonl(path, [{"id": "r1", "text": TEXT, "entities": [{"id": 1, "label": "RECRUITER", "start_offset": 2, "end_offset": 11}], "relations": []}])
    return path


def test_help_lists_the_subcommands():
    runner = CliRunner()
    res = runner.invoke(app, ["doccano", "--help"])
    assert res.exit_code == 0
    for name in ("install", "serve", "push", "pull"):
        assert name in res.output
        sub = runner.invoke(app, ["doccano", name, "--help"])
        assert sub.exit_code == 0, sub.output
        assert "Usage:" in sub.output


def test_push_to_a_server_that_is_down_is_one_line_and_exit_1(batch):
    """Run as a real process: exit status and stderr as a user sees them."""
    url = _dead_url()
    env = {"DOCCANO_URL": url, "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": "x", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", "from tipx.cli import main; main()", "doccano", "push", str(batch), "--project", "tipx"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [f"Error: cannot reach doccano at {url}: is the server running? (`tipx doccano serve` starts one)"]
    assert "Traceback" not in proc.stdout + proc.stderr


def test_pull_from_a_server_that_is_down_writes_nothing(tmp_path):
    out = tmp_path / "out.jsonl"
    env = {"DOCCANO_URL": _dead_url(), "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": "x"}
    res = CliRunner().invoke(app, ["doccano", "pull", "-p", "tipx", "-o", str(out), "--docbin", str(tmp_path / "out.spacy")], env=env)
    assert res.exit_code == 1
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("Error: cannot reach doccano")
    assert list(tmp_path.iterdir()) == []


def test_missing_credentials_are_asked_for_and_the_password_is_hidden(batch):
    url = _dead_url()
    env = {"DOCCANO_URL": None, "DOCCANO_USERNAME": None, "DOCCANO_PASSWORD": None}
    res = CliRunner().invoke(app, ["doccano", "push", str(batch), "-p", "tipx"], input=f"{url}\nannot\nsup3r-secret\n", env=env)
    assert res.exit_code == 1
    assert "doccano URL" in res.output and "doccano user name" in res.output and "Password of annot" in res.output
    assert "sup3r-secret" not in res.output
    assert "cannot reach doccano" in res.stderr


def test_bad_url_is_a_clear_error(batch):
    env = {"DOCCANO_URL": "localhost:8000", "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": "x"}
    res = CliRunner().invoke(app, ["doccano", "push", str(batch), "-p", "tipx"], env=env)
    assert res.exit_code == 1
    assert res.stderr.strip() == "Error: 'localhost:8000' is not a doccano URL (expected http://HOST:PORT)"


def test_prepare_record_refuses_what_doccano_would_mangle():
    good = {"id": "r", "text": TEXT, "entities": [{"id": 5, "label": "RECRUITER", "start_offset": 2, "end_offset": 11}], "relations": []}
    assert prepare_record(good, TEXT, "r")["entities"][0]["id"] == 1
    assert prepare_record(good, TEXT, "r", with_annotations=False)["entities"] == []
    with pytest.raises(RecordError, match="'PLACE', which is not in the schema"):
        prepare_record(dict(good, entities=[{"id": 1, "label": "PLACE", "start_offset": 0, "end_offset": 1}]), TEXT, "r")
    with pytest.raises(RecordError, match="not a span of the text"):
        prepare_record(dict(good, entities=[{"id": 1, "label": "VICTIM", "start_offset": 40, "end_offset": 99}]), TEXT, "r")
    with pytest.raises(RecordError, match="overlap"):
        prepare_record(dict(good, entities=[good["entities"][0], {"id": 2, "label": "VICTIM", "start_offset": 5, "end_offset": 20}]), TEXT, "r")
    with pytest.raises(RecordError, match="type 'LURED'"):
        prepare_record(dict(good, relations=[{"id": 1, "from_id": 5, "to_id": 5, "type": "LURED"}]), TEXT, "r")
    with pytest.raises(RecordError, match="entity 7"):
        prepare_record(dict(good, relations=[{"id": 1, "from_id": 5, "to_id": 7, "type": "RECRUITED"}]), TEXT, "r")
    with pytest.raises(RecordError, match="empty text"):
        prepare_record(dict(good, text=""), "", "r")


def test_example_to_record_maps_labels_and_renumbers_ids():
    spans = [(907, 18, 26, 3), (905, 2, 11, 1), (910, 32, 35, 4)]  # doccano ids, out of offset order
    relations = [(77, 907, 910, 2), (70, 905, 907, 1)]
    rec = example_to_record(
        41, TEXT, {"id": "r1", "cable_id": "C1", "tipx_push": "token:0"}, spans, relations,
        {1: "RECRUITER", 3: "VICTIM", 4: "VICTIM_ORIGIN"}, {1: "RECRUITED", 2: "ORIGIN"},
    )
    assert rec == {
        "id": "r1",
        "text": TEXT,
        "entities": [
            {"id": 1, "label": "RECRUITER", "start_offset": 2, "end_offset": 11},
            {"id": 2, "label": "VICTIM", "start_offset": 18, "end_offset": 26},
            {"id": 3, "label": "VICTIM_ORIGIN", "start_offset": 32, "end_offset": 35},
        ],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "RECRUITED"}, {"id": 2, "from_id": 2, "to_id": 3, "type": "ORIGIN"}],
        "cable_id": "C1",
    }
    # a document pushed without an id gets doccano's
    assert example_to_record(41, TEXT, {}, [], [], {}, {})["id"] == 41


def test_standoff_form_only_when_the_hash_pins_the_text():
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    rec = {"id": 1, "text": TEXT, "entities": [], "relations": [], "source": "a.txt", "sha256": digest}
    assert standoff_form(rec) == {"id": 1, "entities": [], "relations": [], "source": "a.txt", "sha256": digest}
    assert standoff_form(dict(rec, sha256="0" * 64)) == dict(rec, sha256="0" * 64)
    assert standoff_form({"id": 2, "text": TEXT}) == {"id": 2, "text": TEXT}


def test_doccano_env_points_into_the_data_dir_and_drops_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCCANO_PASSWORD", "secret")
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/db")
    env = dserver.doccano_env(tmp_path)
    assert env["DOCCANO_HOME"] == str(tmp_path)
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert env["TIPX_DOCCANO_HOST"] == "127.0.0.1"
    assert "DOCCANO_PASSWORD" not in env
    assert env["SECRET_KEY"] == dserver.doccano_env(tmp_path)["SECRET_KEY"]  # made once, kept in the data dir
