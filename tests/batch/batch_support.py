"""Helpers and constants shared by the ``tipx run`` tests (importable as ``batch_support``)."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

#: What the shared corpus holds (see ``corpus_dir``).
N_VALID_FILES = 24  # generated cables, plus windows.txt (cp1252, valid) = 25 documents
N_DOCS = N_VALID_FILES + 1
CORRUPT = ("scan.txt", "empty.txt")  # must end up in errors.jsonl
DUPLICATE = "copy-of-first.txt"  # same bytes as a/cable-00000.txt


def tipx_command() -> list[str]:
    script = Path(sys.executable).with_name("tipx")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from tipx.cli import main; main()"]


def output_files(folder: Path) -> dict[str, bytes]:
    """Every output file of a run folder (not the working state in .tipx/), name -> bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()
