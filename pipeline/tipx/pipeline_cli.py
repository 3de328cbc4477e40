"""``tipx extract`` and ``tipx evaluate``: run a trained pipeline over cables, or over the gold set."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer

from .cables import CableReadError, read_cable_file
from .cables.cli import json_lines


def extract(
    files: list[Path] = typer.Argument(..., help="Report files to read.", show_default=False),
    model: Path | None = typer.Option(None, "--model", "-m", help="A trained pipeline folder (default: the shipped models/tipx-default)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write JSON lines here instead of standard output."),
    batch_size: int = typer.Option(4, help="Cables per batch for nlp.pipe (whole cables are long: keep it small)."),
) -> None:
    """Extract entities, relations and case records: one JSON line per file.

    Each line has source, id, sha256, the header fields, entities [{id, label, start_offset,
    end_offset, score, text, paragraph}] with offsets into the file's text as decoded, relations
    [{id, from_id, to_id, type, score}], and cases. Unreadable files are reported on standard error
    and skipped; the exit code is 1 when any failed.
    """
    from .extract import ModelError, extract_cables, load_model

    try:
        nlp = load_model(model)
    except ModelError as err:
        typer.echo(f"tipx extract: error: {err}", err=True)
        raise typer.Exit(2)
    failed = 0

    def cables():
        nonlocal failed
        for path in files:
            try:
                yield read_cable_file(path)
            except CableReadError as err:
                failed += 1
                typer.echo(f"tipx extract: error: {err}", err=True)

    with json_lines(out) as write:
        for record in extract_cables(nlp, cables(), batch_size=batch_size):
            write(record)
    if failed:
        typer.echo(f"tipx extract: {failed} of {len(files)} file(s) failed", err=True)
        raise typer.Exit(1)


def evaluate(
    gold: list[Path] = typer.Option([Path("annotations/gold/seeds.jsonl")], "--gold", "-g", help="Gold JSONL (standoff records resolve their raw files)."),
    model: Path | None = typer.Option(None, "--model", "-m", help="A trained pipeline folder (default: the shipped models/tipx-default)."),
    raw_dir: list[Path] = typer.Option([Path("../shared/seeds")], "--raw-dir", help="Where standoff records' raw files are."),
    out: Path = typer.Option(Path("metrics"), "--out", "-o", help="Folder for metrics.json and metrics.md."),
    sm_baseline: bool = typer.Option(True, help="Also score en_core_web_sm's own NER mapped to the schema."),
    card: bool = typer.Option(False, help="Write the scores into the model's meta.json and README.md (its model card)."),
    scope_filter: str | None = typer.Option(None, help="Override where entities must sit to be kept (off, document, paragraph: one with a trafficking cue); default: the model's own setting."),
    entity_mode: str | None = typer.Option(None, help="Override how rules and NER merge (ner_only, rules_first, ner_first, rules_refine) to compare them; default: the model's own setting."),
) -> None:
    """Score the pipeline and the baselines on the gold set: per-label P/R/F strict and overlap,
    per-relation-type P/R/F end to end; writes metrics.json and a markdown table."""
    from .annotations.records import RecordError
    from .evaluate import evaluate as run_eval
    from .evaluate import write_report
    from .extract import ModelError, load_model

    try:
        nlp = load_model(model)
    except ModelError as err:
        typer.echo(f"tipx evaluate: error: {err}", err=True)
        raise typer.Exit(2)
    if entity_mode:
        from .components.entities import MODES

        if entity_mode not in MODES or entity_mode == "rules_only":
            typer.echo(f"tipx evaluate: error: --entity-mode must be one of {', '.join(m for m in MODES if m != 'rules_only')}", err=True)
            raise typer.Exit(2)
        nlp.get_pipe("tipx_entities").mode = entity_mode
    if scope_filter is not None:
        nlp.get_pipe("tipx_entities").scope_filter = scope_filter
    try:
        results, info = run_eval(nlp, gold, raw_dir, with_sm=sm_baseline)
    except (RecordError, CableReadError) as err:
        typer.echo(f"tipx evaluate: error: {err}", err=True)
        raise typer.Exit(2)
    command = "tipx evaluate " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    js, md = write_report(results, info, out, command)
    typer.echo(md.read_text())
    typer.echo(f"wrote {js} and {md}")
    if card:
        from .extract import DEFAULT_MODEL
        from .model_card import write_model_card

        path = write_model_card(Path(model) if model else DEFAULT_MODEL, results, info, command)
        typer.echo(f"updated the model card {path}")
