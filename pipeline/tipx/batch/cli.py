"""``tipx run``: the batch job over a corpus, with a progress bar and a summary."""
from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path

import typer

from .engine import Reporter, Summary

#: Failures printed on standard error before the rest are left to errors.jsonl.
MAX_PRINTED_ERRORS = 20


class Engine(str, Enum):
    local = "local"
    dask = "dask"


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA -:--:--"
    seconds = int(seconds + 0.5)
    return f"ETA {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressReporter(Reporter):
    """A progress bar on standard error: documents, words/s and ETA; failures printed above it."""

    def __init__(self, bar: bool = True):
        self.bar = bar
        self.total = 0
        self.completed = 0
        self.processed = 0
        self.words = 0
        self.t0 = time.monotonic()
        self.printed = 0
        self.progress = None
        self._last = 0.0

    # rates over processed documents only: skipped ones go by in no time
    def rate(self) -> tuple[float, float]:
        if not self.processed:
            return 0.0, 0.0
        elapsed = max(time.monotonic() - self.t0, 1e-6)
        return self.processed / elapsed, self.words / elapsed

    def eta(self) -> float | None:
        docs_s, _ = self.rate()
        return (self.total - self.completed) / docs_s if docs_s > 0 else None

    def start(self, total: int) -> None:
        self.total = total
        self.t0 = time.monotonic()
        if not self.bar:
            return
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
            from rich.text import Text
        except ImportError:  # pragma: no cover - rich comes with typer
            self.bar = False
            return
        reporter = self

        class Rates(ProgressColumn):
            def render(self, task):
                _, words_s = reporter.rate()
                return Text(f"{words_s:,.0f} words/s  {_eta(reporter.eta())}")

        self.progress = Progress(TextColumn("tipx run"), BarColumn(), MofNCompleteColumn(), TextColumn("docs"), Rates(),
                                 console=Console(stderr=True), auto_refresh=False, transient=False)
        self.progress.start()
        self.task = self.progress.add_task("run", total=total)

    def advance(self, docs: int, *, words: int = 0, processed: int = 0) -> None:
        self.completed += docs
        self.words += words
        self.processed += processed
        if self.progress is not None:
            self.progress.update(self.task, advance=docs)
            now = time.monotonic()
            if processed or now - self._last > 0.2:
                self._last = now
                self.progress.refresh()

    def failure(self, source: str, path: str, error: str) -> None:
        self.printed += 1
        if self.printed > MAX_PRINTED_ERRORS:
            return
        line = f"tipx run: error: {path}: {error}"
        if self.printed == MAX_PRINTED_ERRORS:
            line += "\ntipx run: (further errors are not printed; errors.jsonl lists them all)"
        if self.progress is not None:
            self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line, err=True)

    def info(self, message: str) -> None:
        line = f"tipx run: {message}"
        if self.progress is not None:
            self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line, err=True)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.refresh()
            self.progress.stop()
            self.progress = None


def summary_line(s: Summary, out: Path) -> str:
    parts = [f"{s.done} processed", f"{s.skipped} already done (skipped)"]
    if s.duplicates:
        parts.append(f"{s.duplicates} duplicate content of an earlier input (first path kept)")
    parts.append(f"{s.failed} failed")
    t = s.totals
    return (f"tipx run: {s.inputs} input document(s): {', '.join(parts)}; "
            f"{s.entities} entities, {s.relations} relations, {s.cases} cases; "
            f"{s.words_per_second:,.0f} words/s over {s.seconds:.1f} s. "
            f"{out} now holds {t.documents} documents, {t.entities} entities, {t.relations} relations, "
            f"{t.cases} cases, {t.errors} errors.")


def run(
    inputs: list[str] = typer.Argument(..., show_default=False,
                                       help="Report files, folders (read recursively), globs (quote them: 'cables/**/*.txt'), "
                                            "or .jsonl files of {\"id\": ..., \"text\": ...} lines."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder; run again with the same folder to resume or extend it."),
    model: Path | None = typer.Option(None, "--model", "-m", help="A trained pipeline folder (default: the shipped models/tipx-default)."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: this machine; dask: a Dask cluster (--scheduler, else a local one on 127.0.0.1)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Address of a Dask scheduler (tcp://HOST:8786), with --engine dask."),
    n_process: int = typer.Option(1, "--n-process", "-j", help="local: processes for nlp.pipe; dask without --scheduler: workers of the local cluster."),
    batch_size: int = typer.Option(4, "--batch-size", help="Cables per batch (whole cables are long: large batches cost memory, not speed)."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", help="Longest report body to process; longer ones are recorded as errors."),
    include: list[str] = typer.Option([], "--include", help="Only files matching this name pattern ('*.txt') when walking folders; repeatable."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on standard error."),
) -> None:
    """Run the pipeline over a corpus into an output folder, crash-safe and resumable.

    DIR gets extractions.jsonl (the `tipx extract` records), entities.csv, relations.csv,
    cases.csv, tipx.sqlite (tables documents, paragraphs, entities, relations, cases, ...) and
    errors.jsonl (every input that failed, with its reason). Documents already in DIR (same
    sha256) are skipped, so a killed run picks up where it stopped and ends with the same outputs.
    Failed inputs do not stop the run; the exit code is 1 when any failed, 2 when the run could
    not start.
    """
    from ..extract import ModelError
    from .engine import EngineError, run_job
    from .store import StoreError

    if scheduler and engine is not Engine.dask:
        typer.echo("tipx run: error: --scheduler goes with --engine dask", err=True)
        raise typer.Exit(2)
    reporter = ProgressReporter(bar=progress)
    try:
        summary = run_job(inputs, out, model=model, engine=engine.value, scheduler=scheduler, n_process=n_process,
                          batch_size=batch_size, max_chars=max_chars, include=include, reporter=reporter)
    except (ModelError, StoreError, EngineError) as err:
        typer.echo(f"tipx run: error: {err}", err=True)
        raise typer.Exit(2)
    except KeyboardInterrupt:
        typer.echo("tipx run: interrupted; the batches committed so far are kept: run the same command again to go on",
                   err=True)
        raise typer.Exit(130)
    typer.echo(summary_line(summary, out), err=True)
    sys.stderr.flush()
    if summary.failed:
        raise typer.Exit(1)
