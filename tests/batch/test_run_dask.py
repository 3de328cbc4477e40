"""``tipx run --engine dask``: a two-worker LocalCluster on 127.0.0.1 gives the local engine's outputs."""
from __future__ import annotations

import subprocess

import pytest
from batch_support import CORRUPT, N_DOCS, output_files, tipx_command

from tipx.batch.store import dump_tables

pytest.importorskip("distributed", reason='the dask engine needs "dask[distributed]"')


def test_dask_local_cluster_matches_local_engine(reference, corpus_dir, tmp_path):
    ref, _ = reference
    out = tmp_path / "dask"
    run = subprocess.run([*tipx_command(), "run", str(corpus_dir), "--out", str(out), "--engine", "dask",
                          "--n-process", "2", "--batch-size", "3"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr  # the corrupt files
    assert "local cluster tcp://127.0.0.1:" in run.stderr, run.stderr
    assert "2 worker(s) (tcp://127.0.0.1:" in run.stderr
    assert f"{N_DOCS} processed" in run.stderr and f"{len(CORRUPT)} failed" in run.stderr
    total = N_DOCS + len(CORRUPT) + 1  # and the duplicate
    assert f"{total}/{total} docs" in run.stderr and "words/s" in run.stderr and "ETA" in run.stderr  # the progress bar

    assert dump_tables(out / "tipx.sqlite") == dump_tables(ref / "tipx.sqlite")  # same rows, sorted
    assert output_files(out) == output_files(ref)  # and the same bytes

    # resuming with the dask engine skips everything
    again = subprocess.run([*tipx_command(), "run", str(corpus_dir), "--out", str(out), "--engine", "dask",
                            "--n-process", "2", "--no-progress"], capture_output=True, text=True, timeout=600)
    assert "0 processed" in again.stderr, again.stderr
    assert output_files(out) == output_files(ref)
