"""Fixtures for ``tipx run`` tests: a team-written corpus and one reference run over it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from batch_corpus import make_cable, write_corpus
from batch_support import DUPLICATE

from tipx.batch.engine import run_job


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """24 cables in two folders (one nested), a duplicate, binary and empty files, a cp1252 cable,
    and hidden files that must be ignored. Cables are ~300 words: a run takes a few seconds."""
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root / "a", 16, words=300, seed=1)
    write_corpus(root / "b" / "nested", 8, words=300, seed=1, start=16)
    shutil.copy(root / "a" / "cable-00000.txt", root / "b" / DUPLICATE)
    (root / "b" / "scan.txt").write_bytes(bytes(range(256)) * 64)
    (root / "b" / "empty.txt").write_bytes(b"")
    text = make_cable(500, words=120, seed=1).replace("SUBJECT: ", "SUBJECT: CAF\u00c9 \u2013 ")
    (root / "b" / "windows.txt").write_bytes(text.encode("cp1252"))
    (root / "b" / ".DS_Store").write_bytes(b"\x00\x01binary junk")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "secret.txt").write_text(make_cable(777, words=50), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def reference(tmp_path_factory, corpus_dir):
    """An uninterrupted local run over the corpus: (output folder, summary)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    summary = run_job([corpus_dir], out)
    return out, summary
