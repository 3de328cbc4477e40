"""``tipx report DIR``: the static HTML report of a ``tipx run`` output folder."""
from __future__ import annotations

from pathlib import Path

import typer


def report(
    run_dir: Path = typer.Argument(
        ..., metavar="DIR", show_default=False,
        help="Output folder of `tipx run` (it holds tipx.sqlite).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", show_default=False,
        help="Folder to write the report to (default: DIR/report).",
    ),
) -> None:
    """Write a static HTML report of a run; open DIR/report/index.html in a browser.

    index.html: the documents (each linked to its page), entity counts by label,
    the route graph of origin -> destination flows (routes.svg), top perpetrators
    and recruiters, statutes, and amounts summed per currency.
    docs/*.html: one page per cable with its text, entities highlighted,
    and its relations and cases.

    Reads only DIR/tipx.sqlite. The pages run no script and need no network.
    Exit code 2 when DIR is missing, has no tipx.sqlite, or has another schema.
    """
    from .store import ReportError
    from .build import build_report

    try:
        index = build_report(run_dir, out)
    except ReportError as err:
        typer.echo(f"tipx report: error: {err}", err=True)
        raise typer.Exit(2)
    typer.echo(f"wrote {index}")
