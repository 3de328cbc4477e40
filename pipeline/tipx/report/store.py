"""Read a ``tipx run`` folder's ``tipx.sqlite``: open it read-only, check its schema, stream rows.

Only the columns the report shows are required; extra tables and columns are ignored. Rows are
streamed in ``doc_key`` order (one sorted query per table, merged per document), so a corpus of
many thousands of cables is reported without holding all of its entities in memory.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

DB_NAME = "tipx.sqlite"

#: table -> the columns the report reads, in the order they are selected.
REQUIRED: dict[str, tuple[str, ...]] = {
    "documents": ("doc_key", "id", "source", "path", "date", "origin", "classification", "subject", "tags", "text"),
    "paragraphs": ("doc_key", "number", "start", "end"),
    "entities": ("doc_key", "entity_id", "label", "start_offset", "end_offset", "text", "score", "paragraph"),
    "relations": ("doc_key", "relation_id", "from_id", "to_id", "type", "score"),
    "cases": ("doc_key", "case_id", "recruiters", "perpetrators", "victims", "origins", "destinations",
              "routes", "amounts", "statutes", "sentences", "paragraphs"),
}

_ORDER = {
    "paragraphs": "doc_key, number, start",
    "entities": "doc_key, start_offset, end_offset, entity_id",
    "relations": "doc_key, relation_id",
    "cases": "doc_key, case_id",
}


class ReportError(RuntimeError):
    """A run folder that cannot be reported on; the message says why, on one line."""


def open_run(run_dir: Path) -> sqlite3.Connection:
    """The run's database, opened read-only, after checking the folder, the file and the schema."""
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise ReportError(f"run folder not found: {run_dir}")
    if not run_dir.is_dir():
        raise ReportError(f"not a folder: {run_dir} (give the output folder of `tipx run`)")
    db = run_dir / DB_NAME
    if not db.is_file():
        raise ReportError(f"no {DB_NAME} in {run_dir}: is it the output folder of `tipx run`?")
    try:
        con = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        check_schema(con, db)
    except sqlite3.DatabaseError as err:
        raise ReportError(f"cannot read {db}: {err}") from None
    return con


def check_schema(con: sqlite3.Connection, db: Path | str = DB_NAME) -> None:
    problems = []
    for table, columns in REQUIRED.items():
        have = {row[1] for row in con.execute(f'PRAGMA table_info("{table}")')}
        if not have:
            problems.append(f"no table {table}")
            continue
        missing = [c for c in columns if c not in have]
        if missing:
            problems.append(f"table {table} lacks column(s) {', '.join(missing)}")
    if problems:
        raise ReportError(f"wrong schema in {db}: " + "; ".join(problems) + " (was it written by `tipx run`?)")


def _select(table: str) -> str:
    cols = ", ".join(f'"{c}"' for c in REQUIRED[table])
    order = _ORDER.get(table, "doc_key")
    return f'SELECT {cols} FROM "{table}" WHERE doc_key IS NOT NULL ORDER BY {order}'


def document_index(con: sqlite3.Connection) -> list[sqlite3.Row]:
    """doc_key, id, date, source of every document (no text): for the page names and the order."""
    return con.execute("SELECT doc_key, id, date, source FROM documents WHERE doc_key IS NOT NULL ORDER BY doc_key").fetchall()


class _Grouped:
    """Rows of a table sorted by doc_key, handed out one document at a time."""

    def __init__(self, rows: Iterator[sqlite3.Row]):
        self._rows = rows
        self._next = next(self._rows, None)

    def take(self, doc_key: str) -> list[sqlite3.Row]:
        # skip rows of documents that are not in the documents table (doc_key sorts below)
        while self._next is not None and self._next["doc_key"] < doc_key:
            self._next = next(self._rows, None)
        out = []
        while self._next is not None and self._next["doc_key"] == doc_key:
            out.append(self._next)
            self._next = next(self._rows, None)
        return out


def iter_documents(con: sqlite3.Connection) -> Iterator[tuple[sqlite3.Row, dict[str, list[sqlite3.Row]]]]:
    """(document row, {"paragraphs": [...], "entities": [...], "relations": [...], "cases": [...]})
    per document, in doc_key order."""
    groups = {t: _Grouped(iter(con.cursor().execute(_select(t)))) for t in ("paragraphs", "entities", "relations", "cases")}
    for doc in con.cursor().execute(_select("documents")):
        yield doc, {t: g.take(doc["doc_key"]) for t, g in groups.items()}
