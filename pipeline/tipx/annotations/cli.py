"""``tipx annotations``: build the training corpus, check annotation files, count labels."""
from __future__ import annotations

from pathlib import Path

import typer

from .build import BuildSettings, records_for, split_of
from .check import CheckResult, Problem, check_records
from .markup import MarkupError, parse_file
from .records import RecordError, read_jsonl, write_jsonl
from .stats import split_stats, stats_table

app = typer.Typer(help="Build the training corpus, check annotation files, count labels.", no_args_is_help=True)

DEFAULT_RAW_DIRS = [Path("../shared/seeds")]


@app.command()
def build(
    authored: Path = typer.Option(Path("annotations/authored"), help="Folder of authored reports (inline markup, see annotations/AUTHORING.md)."),
    out: Path = typer.Option(Path("annotations"), help="Folder that receives train/reports.jsonl and dev/reports.jsonl."),
    seed: int = typer.Option(13, help="Seed of the noisy copies; the same seed gives the same corpus."),
    copies: int = typer.Option(2, min=0, max=4, help="Noisy copies per report (profiles: ocr, markdown, web, collapsed)."),
    dev_percent: int = typer.Option(15, min=0, max=100, help="Share of reports (by a stable hash of the name) that go to dev."),
) -> None:
    """Convert authored reports to the schema's JSONL, with seeded noisy copies, split train/dev."""
    files = sorted(authored.glob("*.txt"))
    if not files:
        typer.echo(f"tipx annotations build: no authored reports (*.txt) in {authored}", err=True)
        raise typer.Exit(2)
    settings = BuildSettings(seed=seed, copies=copies, dev_percent=dev_percent)
    splits: dict[str, list[dict]] = {"train": [], "dev": []}
    failed = 0
    with typer.progressbar(files, label="building", show_pos=True) as bar:
        for path in bar:
            try:
                recs = list(records_for(path, settings, root=authored.parent.parent if authored.parent.name == "annotations" else None))
            except MarkupError as err:
                failed += 1
                typer.echo(f"\ntipx annotations build: error: {err}", err=True)
                continue
            splits[split_of(path.stem, dev_percent)].extend(recs)
    if failed:
        typer.echo(f"tipx annotations build: {failed} file(s) have markup errors; nothing written", err=True)
        raise typer.Exit(1)
    for name, recs in splits.items():
        n = write_jsonl(out / name / "reports.jsonl", recs)
        typer.echo(f"{out / name / 'reports.jsonl'}: {n} records")


def _default_files() -> list[Path]:
    root = Path("annotations")
    return sorted(root.rglob("*.jsonl")) + sorted((root / "authored").glob("*.txt"))


@app.command()
def check(
    files: list[Path] = typer.Argument(None, help="JSONL files or authored .txt files; default: every annotation file under annotations/.", show_default=False),
    raw_dir: list[Path] = typer.Option(None, "--raw-dir", help="Where standoff records' raw files are (default: ../shared/seeds)."),
    body: bool = typer.Option(True, help="Also require entities to lie in the body the reader finds, and relations within one paragraph."),
) -> None:
    """Validate annotation records against the schema; non-zero exit on any error."""
    files = files or _default_files()
    if not files:
        typer.echo("tipx annotations check: no annotation files given or found under annotations/", err=True)
        raise typer.Exit(2)
    raw_dirs = list(raw_dir) if raw_dir else DEFAULT_RAW_DIRS
    total = CheckResult()
    for path in files:
        if path.suffix == ".txt":
            total.records += 1
            try:
                parse_file(path)
            except (MarkupError, OSError, UnicodeDecodeError) as err:
                total.failed_records += 1
                total.problems.append(Problem(str(path), str(err).split(": ", 1)[-1]))
            continue
        dirs = [path.parent, *raw_dirs]
        try:
            res = check_records(read_jsonl(path), dirs, check_body=body)
        except (RecordError, OSError) as err:
            total.failed_records += 1
            total.problems.append(Problem(str(path), str(err)))
            continue
        total.records += res.records
        total.failed_records += res.failed_records
        total.problems.extend(res.problems)
    for p in total.problems:
        typer.echo(f"error: {p}", err=True)
    typer.echo(f"checked {total.records} records in {len(files)} file(s): {total.failed_records} with errors, {len(total.problems)} error(s)")
    if total.problems:
        raise typer.Exit(1)


@app.command()
def stats(
    root: Path = typer.Option(Path("annotations"), help="Annotations folder: its train/, dev/ and gold/ subfolders are the splits."),
) -> None:
    """Print counts per label and relation type per split, as a markdown table."""
    per_split = {}
    for split in ("train", "dev", "gold"):
        files = sorted((root / split).glob("*.jsonl"))
        if not files:
            continue
        recs = (rec for f in files for rec in read_jsonl(f))
        per_split[split] = split_stats(recs)
    if not per_split:
        typer.echo(f"tipx annotations stats: no train/, dev/ or gold/ JSONL under {root}", err=True)
        raise typer.Exit(2)
    typer.echo(stats_table(per_split))
