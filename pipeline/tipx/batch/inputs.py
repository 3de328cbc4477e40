"""Finding the documents of a ``tipx run``: files, folders, globs and JSONL files of ``{id, text}``.

:func:`plan` turns the command-line inputs into a list of :class:`Source` (a file, or a JSONL file
whose lines are documents) plus :class:`Failure` for inputs that name nothing, in a deterministic
order: inputs in the order given, folders walked recursively in sorted order, glob matches
sorted. :func:`iterate` then reads the sources lazily, one :class:`Item` (or :class:`Failure`) at
a time, so a run over a large corpus never holds more than a batch of documents in memory.

Rules:

* a folder is walked recursively; names starting with ``.`` (``.git``, ``.DS_Store``) and the
  run's own output folder are skipped; ``include`` patterns (``*.txt``), when given, filter the
  *file names found in folders* (files named on the command line are always taken);
* an input that is neither a file nor a folder is a glob (``**`` allowed); one that matches
  nothing is a failure;
* a file whose name ends in ``.jsonl`` holds one document per line, ``{"id": ..., "text": ...}``
  (``id`` optional: the file stem and line number stand in); the text is read with the same
  reader as files (:func:`tipx.cables.read_cable` of its UTF-8 bytes), its ``source`` is the
  ``id`` and its ``path`` is ``FILE:LINE``;
* a document's key is the sha256 of its bytes (a file's bytes, a JSONL text's UTF-8 bytes).
"""
from __future__ import annotations

import fnmatch
import glob
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Files larger than this are not read into memory (a report is a few hundred kilobytes at most).
MAX_FILE_BYTES = 64 * 1024 * 1024
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Item:
    """One document to process: its key (sha256 of ``data``), names, and bytes."""

    key: str
    source: str
    path: str
    stem: str
    data: bytes


@dataclass(frozen=True)
class Failure:
    """An input that could not be read, with a one-line reason."""

    source: str
    path: str
    error: str


@dataclass(frozen=True)
class Source:
    path: Path
    jsonl: bool
    count: int = 1  # documents in it (JSONL: non-blank lines), for the progress bar's total


def _is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith(".jsonl")


def _count_lines(path: Path) -> int:
    n = 0
    try:
        with path.open("rb") as fh:
            for line in fh:
                if line.strip():
                    n += 1
    except OSError:
        return 1  # one failure will stand for it
    return max(n, 1)  # an empty JSONL file is one failure


def _source(path: Path) -> Source:
    if _is_jsonl(path):
        return Source(path, True, _count_lines(path))
    return Source(path, False, 1)


def _walk(folder: Path, exclude: list[Path], include: list[str]) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        rootp = Path(root)
        keep = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            sub = rootp / d
            try:
                if sub.resolve() in exclude:
                    continue
            except OSError:
                pass
            keep.append(d)
        dirs[:] = keep
        for name in sorted(files):
            if name.startswith("."):
                continue
            if include and not any(fnmatch.fnmatch(name, pat) for pat in include):
                continue
            yield rootp / name


def plan(inputs: Iterable[str | Path], exclude: Iterable[Path] = (), include: Iterable[str] = ()) -> tuple[list[Source], list[Failure]]:
    """Sources named by ``inputs`` (each file once, first mention wins) and inputs naming nothing."""
    exclude = [Path(p).resolve() for p in exclude]
    include = list(include)
    sources: list[Source] = []
    failures: list[Failure] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        try:
            real = path.resolve()
        except OSError:
            real = path.absolute()
        if real in seen:
            return
        seen.add(real)
        sources.append(_source(path))

    def take(path: Path) -> None:
        if path.is_dir():
            if path.resolve() in exclude:
                return
            for f in _walk(path, exclude, include):
                add(f)
        else:
            add(path)

    for raw in inputs:
        text = str(raw)
        path = Path(text)
        if path.exists():
            take(path)
        elif _GLOB_CHARS & set(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                failures.append(Failure(text, text, "no file matches this pattern"))
            for m in matches:
                take(Path(m))
        elif path.is_symlink():
            failures.append(Failure(path.name, text, "broken symbolic link"))
        else:
            failures.append(Failure(path.name or text, text, "no such file or folder"))
    return sources, failures


def _read_file(path: Path) -> Item | Failure:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Failure(path.name, str(path), f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit for one report")
        data = path.read_bytes()
    except IsADirectoryError:
        return Failure(path.name, str(path), "is a folder, not a file")
    except OSError as err:
        return Failure(path.name, str(path), f"cannot read ({err.strerror or err})")
    return Item(hashlib.sha256(data).hexdigest(), path.name, str(path), path.stem, data)


def _read_jsonl(path: Path) -> Iterator[Item | Failure]:
    try:
        fh = path.open("rb")
    except OSError as err:
        yield Failure(path.name, str(path), f"cannot read ({err.strerror or err})")
        return
    with fh:
        empty = True
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            empty = False
            where = f"{path}:{lineno}"
            fallback = f"{path.stem}:{lineno}"
            try:
                obj = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as err:
                yield Failure(fallback, where, f"not a JSON line ({str(err).splitlines()[0]})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                named = isinstance(obj, dict) and obj.get("id") not in (None, "")
                yield Failure(str(obj["id"]) if named else fallback, where, 'a JSONL input line must be an object {"id": ..., "text": "..."} with a string text')
                continue
            ident = obj.get("id")
            ident = fallback if ident is None or str(ident) == "" else str(ident)
            try:
                data = obj["text"].encode("utf-8")
            except UnicodeEncodeError:
                yield Failure(ident, where, "the text holds lone surrogate escapes (\\udXXX): not valid Unicode")
                continue
            yield Item(hashlib.sha256(data).hexdigest(), ident, where, ident, data)
        if empty:
            yield Failure(path.name, str(path), "empty JSONL file: no documents")


def iterate(sources: Iterable[Source]) -> Iterator[Item | Failure]:
    """Read the sources in order: one Item or Failure per document."""
    for src in sources:
        if src.jsonl:
            yield from _read_jsonl(src.path)
        else:
            yield _read_file(src.path)
