"""``tipx parse``: read cables into header fields and paragraphs, one JSON line each."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from .decode import CableReadError
from .reader import read_cable_file


@contextmanager
def json_lines(out: Path | None) -> Iterator[Callable[[dict], None]]:
    """A writer of one JSON record per line to ``out`` (or standard output), flushed per record."""
    sink = out.open("w", encoding="utf-8") if out else sys.stdout

    def write(record: dict) -> None:
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        sink.flush()

    try:
        yield write
    finally:
        if out:
            sink.close()


def parse(
    files: list[Path] = typer.Argument(..., help="Report files to read (cables, field reports; text or HTML).", show_default=False),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the JSON lines here instead of standard output."),
) -> None:
    """Read reports: one JSON line per file with its header fields and paragraphs.

    Each line has source, id (cable reference such as 08ASTANA1246, else the file stem), sha256,
    date, origin, classification, caveats, tags, subject, refs and paragraphs
    [{number, start, end, text, marking, section}], where start/end are character offsets into
    the file's text as decoded. Files that cannot be read are reported on standard error, one line
    each, and the others are still read; the exit code is 1 when any file failed.
    """
    failed = 0
    with json_lines(out) as write:
        for path in files:
            try:
                cable = read_cable_file(path)
            except CableReadError as err:
                failed += 1
                typer.echo(f"tipx parse: error: {err}", err=True)
                continue
            write(cable.to_record())
    if failed:
        typer.echo(f"tipx parse: {failed} of {len(files)} file(s) failed", err=True)
        raise typer.Exit(1)
