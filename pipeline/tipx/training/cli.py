"""``tipx train``: build the training DocBins from the annotations, then ``spacy train`` a config."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import typer

TRAIN_JSONL = Path("annotations/train/reports.jsonl")
DEV_JSONL = Path("annotations/dev/reports.jsonl")


def corpus_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def train(
    config: Path = typer.Argument(..., help="A training config, e.g. configs/tipx_sm.cfg.", exists=True, dir_okay=False),
    output: Path = typer.Option(Path("training/output"), "--output", "-o", help="Folder for model-best/ and model-last/."),
    train_jsonl: Path = typer.Option(TRAIN_JSONL, help="Training records (schema JSONL)."),
    dev_jsonl: Path = typer.Option(DEV_JSONL, help="Dev records (schema JSONL), used for early stopping and calibration."),
    corpus_dir: Path = typer.Option(Path("training"), help="Where the .spacy files are written."),
    ship: bool = typer.Option(False, help="Copy model-best to models/tipx-default when done."),
) -> None:
    """Train a pipeline from the annotations: every knob is in CONFIG; this only prepares the data.

    Converts the train/dev JSONL to spaCy DocBins over the cable reader's clean text (the text the
    pipeline sees at run time), runs `spacy train CONFIG`, and records the training data's hash in
    the model's meta.json.
    """
    import spacy
    from spacy.cli.train import train as spacy_train

    from .corpus import write_training_docbin

    nlp = spacy.blank("en")
    paths = {}
    for name, src in (("train", train_jsonl), ("dev", dev_jsonl)):
        if not src.is_file():
            typer.echo(f"tipx train: {src} not found; run `tipx annotations build` first", err=True)
            raise typer.Exit(2)
        out = corpus_dir / f"{name}.spacy"
        stats = write_training_docbin(nlp, [src], out)
        typer.echo(f"{out}: {stats.records} docs, {stats.entities} entities, {stats.relations} relations"
                   + (f", {len(stats.misaligned)} spans could not be aligned" if stats.misaligned else ""))
        paths[name] = out
    spacy_train(config, output, overrides={"paths.train": str(paths["train"]), "paths.dev": str(paths["dev"])})
    digest = corpus_hash([train_jsonl, dev_jsonl])
    for sub in ("model-best", "model-last"):
        meta_path = output / sub / "meta.json"
        if meta_path.is_file():
            meta = json.loads(meta_path.read_text())
            meta["name"] = "tipx_default"
            meta["description"] = "tipx: trafficking-in-persons entities and relations from cables"
            meta["sources"] = [{"name": "tipx annotated training reports (team-written)", "url": str(train_jsonl),
                                "sha256": digest, "config": str(config)}]
            meta_path.write_text(json.dumps(meta, indent=2))
    if ship:
        dest = Path("models/tipx-default")
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(output / "model-best", dest)
        typer.echo(f"shipped {output / 'model-best'} as {dest}")
