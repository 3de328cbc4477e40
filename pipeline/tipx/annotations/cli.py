"""``tipx annotations``: build, check and count the project's annotations."""
from __future__ import annotations

import typer

app = typer.Typer(help="Build the training corpus, check annotation files, count labels.", no_args_is_help=True)
