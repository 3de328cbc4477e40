"""The ``tipx`` command line: one typer app, one sub-command per job."""
from __future__ import annotations

import typer

from .annotations.cli import app as annotations_app
from .batch.cli import run
from .cables.cli import parse
from .doccano.cli import app as doccano_app
from .pipeline_cli import evaluate, extract
from .report.cli import report
from .training.cli import train

app = typer.Typer(
    name="tipx",
    help=(
        "Extract trafficking-in-persons cases from diplomatic cables and field reports.\n\n"
        "Read cables (parse), manage annotations (annotations, doccano), and run the pipeline."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("parse")(parse)
app.command("extract")(extract)
app.command("train")(train)
app.command("evaluate")(evaluate)
app.command("run")(run)
app.command("report")(report)
app.add_typer(annotations_app, name="annotations")
app.add_typer(doccano_app, name="doccano")


def main() -> None:  # pragma: no cover - console entry point
    app()
