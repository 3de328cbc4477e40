"""Build the training corpus: authored reports -> schema JSONL, with seeded noisy copies.

Each file under ``annotations/authored/`` becomes one clean record and ``copies`` noisy ones (see
:mod:`.noise`), all with the same annotations shifted to the noisy text. Reports are split into
train and dev by a stable hash of their name, so a report and its copies are always in the same
split and adding a report never moves another one.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .markup import parse_file
from .noise import PROFILES, noisy_copy


@dataclass(frozen=True)
class BuildSettings:
    seed: int = 13
    copies: int = 2
    dev_percent: int = 15


def split_of(name: str, dev_percent: int) -> str:
    bucket = int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "dev" if bucket < dev_percent else "train"


def records_for(path: Path, settings: BuildSettings, root: Path | None = None) -> Iterator[dict]:
    """The clean record of an authored file and its noisy copies."""
    doc = parse_file(path)
    name = path.stem
    rel = str(path.relative_to(root)) if root else path.name
    meta = {**doc.meta, "authored": rel}
    yield {"id": name, "text": doc.text, "entities": doc.entities, "relations": doc.relations,
           "meta": {**meta, "variant": "clean"}}
    rng = random.Random(f"{settings.seed}:{name}")
    for profile in rng.sample(PROFILES, min(settings.copies, len(PROFILES))):
        text, ents = noisy_copy(doc.text, doc.entities, profile, seed=f"{settings.seed}:{name}")
        yield {"id": f"{name}#{profile}", "text": text, "entities": ents, "relations": doc.relations,
               "meta": {**meta, "variant": profile}}
