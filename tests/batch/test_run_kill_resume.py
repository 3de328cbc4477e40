"""Kill ``tipx run`` with SIGKILL part-way, run it again: the outputs are those of an uninterrupted run."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from batch_support import CORRUPT, N_DOCS, output_files, tipx_command

from tipx.batch.store import dump_tables

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def committed(state: Path) -> int:
    """Documents committed in a run's working store (0 while it does not exist yet)."""
    if not state.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # created but the tables not yet there, or busy
        return 0


def start(corpus: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*tipx_command(), "run", str(corpus), "--out", str(out), "--no-progress", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_after(proc: subprocess.Popen, state: Path, at_least: int, timeout: float = 240) -> int:
    """SIGKILL ``proc`` once its store holds ``at_least`` committed documents; returns how many."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = committed(state)
        if n >= at_least:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stdout.close()
            proc.stderr.close()
            return committed(state)
        if proc.poll() is not None:
            pytest.fail(f"tipx run ended (rc {proc.returncode}) before it could be killed:\n{proc.stderr.read()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("tipx run committed nothing in time")


def test_sigkill_then_resume_gives_the_same_outputs(reference, corpus_dir, tmp_path):
    ref, _ = reference
    out = tmp_path / "killed"
    state = out / ".tipx" / "state.sqlite"

    # killed twice: after its first committed batch (with nlp.pipe's forked workers: they must not
    # keep the folder locked), then a few batches later
    n1 = kill_after(start(corpus_dir, out, "--batch-size", "2", "--n-process", "2"), state, at_least=1)
    assert 1 <= n1 < N_DOCS, "the run was to be killed part-way"
    n2 = kill_after(start(corpus_dir, out, "--batch-size", "3"), state, at_least=n1 + 3)
    assert n1 < n2 < N_DOCS
    assert not (out / "extractions.jsonl").exists()  # nothing published by a killed run

    done = subprocess.run([*tipx_command(), "run", str(corpus_dir), "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr  # the corrupt files fail, every time
    assert f" {N_DOCS - n2} processed, " in done.stderr  # only what the killed runs had not committed

    # every output file byte for byte, tipx.sqlite included (it is rebuilt in a fixed order)
    assert output_files(out) == output_files(ref)
    assert dump_tables(out / "tipx.sqlite") == dump_tables(ref / "tipx.sqlite")
    assert len((out / "errors.jsonl").read_text().splitlines()) == len(CORRUPT)
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
