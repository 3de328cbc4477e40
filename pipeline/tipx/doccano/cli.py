"""``tipx doccano``: serve, push and pull annotations through a real doccano server."""
from __future__ import annotations

import typer

app = typer.Typer(help="Annotate in doccano: start a local server, push documents, pull annotations.", no_args_is_help=True)
