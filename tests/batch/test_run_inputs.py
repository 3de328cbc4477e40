"""Finding the documents of ``tipx run``: folders, globs, JSONL, what is skipped, what fails."""
from __future__ import annotations

import hashlib
import json

from tipx.batch.inputs import Failure, Item, iterate, plan


def names(sources):
    return [s.path.name for s in sources]


def test_folders_globs_and_files(tmp_path):
    (tmp_path / "c" / "z").mkdir(parents=True)
    (tmp_path / "c" / "b.txt").write_text("b")
    (tmp_path / "c" / "a.txt").write_text("a")
    (tmp_path / "c" / "z" / "c.html").write_text("c")
    (tmp_path / "c" / ".git").mkdir()
    (tmp_path / "c" / ".git" / "HEAD").write_text("x")
    (tmp_path / "c" / ".DS_Store").write_bytes(b"x")
    (tmp_path / "c" / "out").mkdir()
    (tmp_path / "c" / "out" / "extractions.jsonl").write_text("{}\n")
    sources, failures = plan([tmp_path / "c"], exclude=[tmp_path / "c" / "out"])
    assert names(sources) == ["a.txt", "b.txt", "c.html"] and failures == []  # sorted, recursive
    sources, _ = plan([tmp_path / "c"], include=["*.txt"])
    assert names(sources) == ["a.txt", "b.txt"]  # the out folder was not excluded here: include filtered it
    sources, failures = plan([str(tmp_path / "c" / "**" / "*.html"), tmp_path / "c" / "a.txt", tmp_path / "c"],
                             exclude=[tmp_path / "c" / "out"])
    assert names(sources) == ["c.html", "a.txt", "b.txt"]  # input order, each file once
    sources, failures = plan([tmp_path / "nope.txt", str(tmp_path / "*.none")])
    assert sources == [] and [f.error for f in failures] == ["no such file or folder", "no file matches this pattern"]


def test_items_are_keyed_by_sha256(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"some report")
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": 7, "text": "caf\u00e9"}) + "\n\n[1, 2]\n", encoding="utf-8")
    (tmp_path / "none.jsonl").write_text("\n", encoding="utf-8")
    sources, _ = plan([tmp_path / "a.txt", tmp_path / "docs.jsonl", tmp_path / "none.jsonl"])
    assert [s.count for s in sources] == [1, 2, 1]
    items = list(iterate(sources))
    assert items[0] == Item(hashlib.sha256(b"some report").hexdigest(), "a.txt", str(tmp_path / "a.txt"), "a", b"some report")
    assert items[1] == Item(hashlib.sha256("caf\u00e9".encode()).hexdigest(), "7", f"{tmp_path / 'docs.jsonl'}:1", "7", "caf\u00e9".encode())
    assert isinstance(items[2], Failure) and items[2].path.endswith("docs.jsonl:3")
    assert isinstance(items[3], Failure) and "empty JSONL" in items[3].error
    assert len(items) == sum(s.count for s in sources)  # the progress bar's total is right
