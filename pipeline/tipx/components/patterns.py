"""Load span_ruler pattern files (JSONL) shipped in ``tipx/resources/patterns``.

Code holds mechanisms, files hold lists: the pipeline's built-in ``span_ruler`` gets its patterns in
the config's ``[initialize]`` block::

    [initialize.components.span_ruler.patterns]
    @misc = "tipx.patterns.v1"
    paths = ["amount.jsonl", "statute.jsonl", "sentence.jsonl", "places.jsonl"]

One JSON object per line, ``{"label": ..., "pattern": [...] or "...", "id": ...}``; blank lines
and lines starting with ``//`` are skipped. Every line is checked before spaCy sees it, so a typo
fails with ``file:line`` and the offending label or text instead of an error deep in the Matcher.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from spacy.util import registry

from tipx.schema import LABELS

#: The folder the shipped pattern files live in; relative paths fall back to it.
PATTERNS_DIR = Path(__file__).resolve().parent.parent / "resources" / "patterns"

#: Labels a pattern may carry: the schema's, plus gazetteer candidates that later rules turn into
#: VICTIM_ORIGIN / DESTINATION.
CANDIDATE_LABELS: tuple[str, ...] = ("PLACE", "DEMONYM")
ALLOWED_LABELS: frozenset[str] = frozenset(LABELS) | frozenset(CANDIDATE_LABELS)


def _short(value, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def resolve_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Pattern files for ``paths``: a list, or one comma-separated string; a folder stands for its
    ``*.jsonl`` files (sorted); a relative path that does not exist as given is looked up in
    :data:`PATTERNS_DIR`."""
    if isinstance(paths, (str, Path)):
        items = [p.strip() for p in str(paths).split(",")] if isinstance(paths, str) else [paths]
    else:
        items = list(paths)
    files: list[Path] = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        path = Path(item)
        if not path.exists() and not path.is_absolute() and (PATTERNS_DIR / path).exists():
            path = PATTERNS_DIR / path
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"pattern file {str(item)!r} not found (looked here and in {PATTERNS_DIR})")
    return files


def _check(entry, where: str) -> dict:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: a pattern line must be a JSON object, got {_short(entry)}")
    label = entry.get("label")
    if label not in ALLOWED_LABELS:
        raise ValueError(f"{where}: unknown label {label!r} (allowed: {', '.join(sorted(ALLOWED_LABELS))})")
    if "pattern" not in entry:
        raise ValueError(f"{where}: no 'pattern' in {_short(entry)}")
    pattern = entry["pattern"]
    if isinstance(pattern, str):
        if not pattern.strip():
            raise ValueError(f"{where}: empty phrase pattern")
    elif isinstance(pattern, list):
        if not pattern or not all(isinstance(tok, dict) and tok for tok in pattern):
            raise ValueError(f"{where}: a token pattern must be a non-empty list of non-empty dicts, got {_short(pattern)}")
    else:
        raise ValueError(f"{where}: pattern must be a string or a list of dicts, got {_short(pattern)}")
    if "id" in entry and not isinstance(entry["id"], str):
        raise ValueError(f"{where}: 'id' must be a string, got {_short(entry['id'])}")
    return entry


def read_patterns(paths: str | Path | Iterable[str | Path]) -> list[dict]:
    """All patterns of the JSONL files ``paths`` (see :func:`resolve_paths`), checked line by line.

    Raises ``ValueError("file:line: ...")`` for a line that is not JSON, an unknown label, or a
    pattern that is neither a string nor a list of dicts.
    """
    out: list[dict] = []
    for path in resolve_paths(paths):
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                text = line.strip()
                if not text or text.startswith("//"):
                    continue
                where = f"{path}:{lineno}"
                try:
                    entry = json.loads(text)
                except json.JSONDecodeError as err:
                    raise ValueError(f"{where}: not valid JSON ({err.msg}): {_short(text)}") from None
                out.append(_check(entry, where))
    return out


@registry.misc("tipx.patterns.v1")
def make_patterns(paths: str | list[str] = "amount.jsonl,statute.jsonl,sentence.jsonl,places.jsonl") -> list[dict]:
    """Config hook: the checked patterns of ``paths`` (a list, or a comma-separated string)."""
    return read_patterns(paths)
