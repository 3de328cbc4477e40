"""``tipx parse``: read cables into header fields and paragraphs."""
from __future__ import annotations

from pathlib import Path

import typer


def parse(files: list[Path] = typer.Argument(..., help="Cable files to read.")) -> None:
    """Print one JSON line per cable: header fields and numbered paragraphs with raw offsets."""
    raise typer.Exit(2)
