"""The outputs of ``tipx run``: a SQLite store committed batch by batch, and the files made from it.

Layout of the output folder ``DIR``::

    DIR/.tipx/state.sqlite   the working store (WAL): the source of truth while a run goes on
    DIR/.tipx/lock           held (flock) by the run writing to DIR; a second run is refused
    DIR/tipx.sqlite          the published database (same tables), rebuilt at the end of a run
    DIR/extractions.jsonl    one ``tipx extract`` record per document
    DIR/entities.csv         doc_key,id,entity_id,label,start_offset,end_offset,text,score,paragraph
    DIR/relations.csv        doc_key,id,relation_id,from_id,to_id,type,score,
                             from_label,from_text,to_label,to_text
    DIR/cases.csv            doc_key,id,case_id,recruiters,perpetrators,victims,origins,
                             destinations,routes,amounts,statutes,sentences,paragraphs (JSON arrays)
    DIR/errors.jsonl         {"source", "path", "error"} for every input that failed

Every batch of results is committed to the working store in one transaction, so a run killed at
any point (SIGKILL included) loses at most the batch in flight; the next run skips every document
already committed (by sha256) and carries on. At the end of a run the files above are written
from the store in a fixed order (documents by ``doc_key``, then their rows by id; errors by
path), each to a temporary file renamed into place, and ``tipx.sqlite`` is rebuilt the same way
from scratch: the same documents give byte-identical outputs however the work was split, killed
and resumed, whichever engine and however many processes ran it. The folder accumulates: its
outputs cover every document ever committed to it, also by earlier runs over other inputs.

Tables (``tipx.sqlite``; the names are a contract, the HTML report reads them)::

    documents(doc_key TEXT PRIMARY KEY,     -- sha256 of the document's bytes
              id TEXT,                      -- cable reference (08ASTANA1246), else file stem / JSONL id
              source TEXT,                  -- file name, or the JSONL line's id
              path TEXT,                    -- path as found (JSONL: FILE:LINE); first one seen
              date TEXT, origin TEXT, classification TEXT, subject TEXT,
              tags TEXT,                    -- space-joined
              text TEXT,                    -- raw text as decoded (offsets point into it)
              n_entities INT, n_relations INT)
    paragraphs(doc_key TEXT REFERENCES documents, number INT, start INT, end INT, text TEXT)
    entities(doc_key TEXT REFERENCES documents, entity_id INT, label TEXT,
             start_offset INT, end_offset INT, text TEXT, score REAL, paragraph INT,
             PRIMARY KEY(doc_key, entity_id))
    relations(doc_key TEXT, relation_id INT, from_id INT, to_id INT, type TEXT, score REAL,
              PRIMARY KEY(doc_key, relation_id),
              FOREIGN KEY(doc_key, from_id) REFERENCES entities(doc_key, entity_id),
              FOREIGN KEY(doc_key, to_id) REFERENCES entities(doc_key, entity_id))
    cases(doc_key TEXT REFERENCES documents, case_id INT, recruiters TEXT, perpetrators TEXT,
          victims TEXT, origins TEXT, destinations TEXT, routes TEXT, amounts TEXT,
          statutes TEXT, sentences TEXT, paragraphs TEXT,   -- JSON arrays
          PRIMARY KEY(doc_key, case_id))
    -- indexes: entities(label), relations(type), documents(id), paragraphs(doc_key, number)

and three more: ``extractions(doc_key PRIMARY KEY REFERENCES documents, record TEXT)`` (the full
``tipx extract`` JSON record, as written to extractions.jsonl), ``errors(path TEXT PRIMARY KEY,
source TEXT, error TEXT)`` and ``meta(key TEXT PRIMARY KEY, value TEXT)`` (``schema_version``,
``model``: the sha256 fingerprint of the model folder that made the rows).

Entity offsets are character offsets into ``documents.text``; ``paragraph`` is the cable's own
paragraph number. Example: victims' origins across the corpus::

    SELECT e.text, count(*) FROM entities e WHERE e.label = 'VICTIM_ORIGIN' GROUP BY 1 ORDER BY 2 DESC;
"""
from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX only; elsewhere the lock is skipped
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = "1"
STATE_DIR = ".tipx"
STATE_DB = "state.sqlite"
PUBLISHED_DB = "tipx.sqlite"
OUTPUT_FILES = ("extractions.jsonl", "entities.csv", "relations.csv", "cases.csv", "errors.jsonl", PUBLISHED_DB)

CASE_FIELDS = ("recruiters", "perpetrators", "victims", "origins", "destinations", "routes",
               "amounts", "statutes", "sentences", "paragraphs")

# {s} is the schema prefix ("" for the working store, "pub." for the published copy). Foreign
# keys name tables without prefix: SQLite resolves them in the schema of the referencing table.
_TABLES = [
    """CREATE TABLE IF NOT EXISTS {s}meta (key TEXT PRIMARY KEY, value TEXT)""",
    """CREATE TABLE IF NOT EXISTS {s}documents (
        doc_key TEXT PRIMARY KEY, id TEXT, source TEXT, path TEXT, date TEXT, origin TEXT,
        classification TEXT, subject TEXT, tags TEXT, text TEXT, n_entities INT, n_relations INT)""",
    """CREATE TABLE IF NOT EXISTS {s}paragraphs (
        doc_key TEXT REFERENCES documents(doc_key), number INT, start INT, end INT, text TEXT)""",
    """CREATE TABLE IF NOT EXISTS {s}entities (
        doc_key TEXT REFERENCES documents(doc_key), entity_id INT, label TEXT, start_offset INT,
        end_offset INT, text TEXT, score REAL, paragraph INT, PRIMARY KEY (doc_key, entity_id))""",
    """CREATE TABLE IF NOT EXISTS {s}relations (
        doc_key TEXT, relation_id INT, from_id INT, to_id INT, type TEXT, score REAL,
        PRIMARY KEY (doc_key, relation_id),
        FOREIGN KEY (doc_key, from_id) REFERENCES entities(doc_key, entity_id),
        FOREIGN KEY (doc_key, to_id) REFERENCES entities(doc_key, entity_id))""",
    """CREATE TABLE IF NOT EXISTS {s}cases (
        doc_key TEXT REFERENCES documents(doc_key), case_id INT, recruiters TEXT, perpetrators TEXT,
        victims TEXT, origins TEXT, destinations TEXT, routes TEXT, amounts TEXT, statutes TEXT,
        sentences TEXT, paragraphs TEXT, PRIMARY KEY (doc_key, case_id))""",
    """CREATE TABLE IF NOT EXISTS {s}extractions (
        doc_key TEXT PRIMARY KEY REFERENCES documents(doc_key), record TEXT)""",
    """CREATE TABLE IF NOT EXISTS {s}errors (path TEXT PRIMARY KEY, source TEXT, error TEXT)""",
]
_INDEXES = [
    "CREATE INDEX IF NOT EXISTS {s}entities_label ON entities(label)",
    "CREATE INDEX IF NOT EXISTS {s}relations_type ON relations(type)",
    "CREATE INDEX IF NOT EXISTS {s}documents_id ON documents(id)",
    "CREATE INDEX IF NOT EXISTS {s}paragraphs_doc ON paragraphs(doc_key, number)",
]
#: Tables in the order they are copied to the published database, with their row order.
_PUBLISH_ORDER = [
    ("meta", "key", "key <> 'published'"),
    ("documents", "doc_key", None),
    ("paragraphs", "doc_key, start, number, end, text", None),
    ("entities", "doc_key, entity_id", None),
    ("relations", "doc_key, relation_id", None),
    ("cases", "doc_key, case_id", None),
    ("extractions", "doc_key", None),
    ("errors", "path", None),
]


#: Lock files this process holds. A process forked from it (nlp.pipe's workers) closes its copies
#: at once: an flock is shared by every copy of the descriptor, so a worker left behind by a killed
#: run would otherwise keep the folder locked against the run that resumes it.
_HELD_LOCKS: set = set()


def _close_locks_in_child() -> None:
    for fh in list(_HELD_LOCKS):
        try:
            fh.close()
        except OSError:  # pragma: no cover
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_locks_in_child)


class StoreError(RuntimeError):
    """The output folder cannot be used (locked by another run, made by another model, ...)."""


@dataclass
class Totals:
    documents: int = 0
    entities: int = 0
    relations: int = 0
    cases: int = 0
    errors: int = 0


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class Store:
    """The working store of one output folder. Use as a context manager."""

    def __init__(self, out: str | Path, model_fingerprint: str):
        self.out = Path(out)
        self.state_dir = self.out / STATE_DIR
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fh = open(self.state_dir / "lock", "a+")
        if fcntl is not None:
            try:
                fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self._lock_fh.close()
                raise StoreError(f"another tipx run is writing to {self.out} (its lock {self.state_dir / 'lock'} is held)") from None
        _HELD_LOCKS.add(self._lock_fh)
        self.conn = sqlite3.connect(self.state_dir / STATE_DB, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        for ddl in _TABLES + _INDEXES:
            self.conn.execute(ddl.format(s=""))
        meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        have_docs = self.conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None
        if have_docs and meta.get("model") not in (None, model_fingerprint):
            self.close()
            raise StoreError(
                f"{self.out} holds results of another model (fingerprint {meta.get('model', '?')[:12]}, this one "
                f"{model_fingerprint[:12]}); give a new --out folder, or delete {self.out} to start over")
        if meta.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
            self.close()
            raise StoreError(f"{self.out} was written by another tipx version (schema {meta['schema_version']}); give a new --out folder")
        if meta.get("model") != model_fingerprint or meta.get("schema_version") != SCHEMA_VERSION:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('model', ?)", (model_fingerprint,))
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('published', '0')")
            self.conn.execute("COMMIT")

    # -- context management -------------------------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "conn", None) is not None:
            self.conn.close()
            self.conn = None
        _HELD_LOCKS.discard(self._lock_fh)
        if not self._lock_fh.closed:
            self._lock_fh.close()

    # -- reading --------------------------------------------------------------------------------
    def done_keys(self) -> set[str]:
        return {k for (k,) in self.conn.execute("SELECT doc_key FROM documents")}

    def totals(self) -> Totals:
        q = lambda t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: E731
        return Totals(q("documents"), q("entities"), q("relations"), q("cases"), q("errors"))

    # -- writing --------------------------------------------------------------------------------
    def commit(self, results: Iterable[dict], failures: Iterable) -> None:
        """Write one batch in one transaction: results of :func:`tipx.batch.engine.process_items`
        (``ok`` records and failures) and input failures (objects with source, path, error)."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            before = c.total_changes
            for r in results:
                if r["ok"]:
                    self._insert_document(r)
                else:
                    self._upsert_error(r["source"], r["path"], r["error"])
            for f in failures:
                self._upsert_error(f.source, f.path, f.error)
            if c.total_changes != before:
                c.execute("INSERT OR REPLACE INTO meta VALUES ('published', '0')")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _upsert_error(self, source: str, path: str, error: str) -> None:
        self.conn.execute(
            "INSERT INTO errors (path, source, error) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "source = excluded.source, error = excluded.error "
            "WHERE errors.source IS NOT excluded.source OR errors.error IS NOT excluded.error",
            (path, source, error))

    def _insert_document(self, r: dict) -> None:
        c = self.conn
        rec = r["record"]
        key = r["key"]
        cur = c.execute(
            "INSERT OR IGNORE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, rec.get("id"), r["source"], r["path"], rec.get("date"), rec.get("origin"),
             rec.get("classification"), rec.get("subject"), " ".join(rec.get("tags") or []), r["text"],
             len(rec["entities"]), len(rec["relations"])))
        c.execute("DELETE FROM errors WHERE path = ?", (r["path"],))
        if cur.rowcount == 0:
            return  # already there (same content under another path): the first one stays
        c.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)",
                      [(key, p.get("number"), p.get("start"), p.get("end"), p.get("text")) for p in rec.get("paragraphs", [])])
        c.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      [(key, e["id"], e["label"], e["start_offset"], e["end_offset"], e["text"], e.get("score"), e.get("paragraph"))
                       for e in rec["entities"]])
        c.executemany("INSERT INTO relations VALUES (?, ?, ?, ?, ?, ?)",
                      [(key, x["id"], x["from_id"], x["to_id"], x["type"], x.get("score")) for x in rec["relations"]])
        c.executemany(f"INSERT INTO cases VALUES (?, ?, {', '.join('?' * len(CASE_FIELDS))})",
                      [(key, k["case_id"], *(_json(k.get(f, [])) for f in CASE_FIELDS)) for k in rec.get("cases", [])])
        c.execute("INSERT INTO extractions VALUES (?, ?)", (key, _json(rec)))

    # -- publishing -------------------------------------------------------------------------------
    def needs_publish(self) -> bool:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'published'").fetchone()
        return not (row and row[0] == "1") or not all((self.out / f).is_file() for f in OUTPUT_FILES)

    def publish(self) -> None:
        """Write the output files and tipx.sqlite from the store, deterministically and atomically."""
        for name, writer in (("extractions.jsonl", self._write_extractions), ("entities.csv", self._write_entities),
                             ("relations.csv", self._write_relations), ("cases.csv", self._write_cases),
                             ("errors.jsonl", self._write_errors)):
            _atomic_write(self.out / name, writer)
        self._publish_db()
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('published', '1')")

    def _write_extractions(self, fh) -> None:
        for (record,) in self.conn.execute("SELECT record FROM extractions ORDER BY doc_key"):
            fh.write(record + "\n")

    def _write_errors(self, fh) -> None:
        for source, path, error in self.conn.execute("SELECT source, path, error FROM errors ORDER BY path"):
            fh.write(_json({"source": source, "path": path, "error": error}) + "\n")

    def _csv(self, fh, header: list[str], rows) -> None:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])

    def _write_entities(self, fh) -> None:
        self._csv(fh, ["doc_key", "id", "entity_id", "label", "start_offset", "end_offset", "text", "score", "paragraph"],
                  self.conn.execute(
                      "SELECT e.doc_key, d.id, e.entity_id, e.label, e.start_offset, e.end_offset, e.text, e.score, e.paragraph "
                      "FROM entities e JOIN documents d USING (doc_key) ORDER BY e.doc_key, e.entity_id"))

    def _write_relations(self, fh) -> None:
        self._csv(fh, ["doc_key", "id", "relation_id", "from_id", "to_id", "type", "score",
                       "from_label", "from_text", "to_label", "to_text"],
                  self.conn.execute(
                      "SELECT r.doc_key, d.id, r.relation_id, r.from_id, r.to_id, r.type, r.score, "
                      "a.label, a.text, b.label, b.text FROM relations r JOIN documents d USING (doc_key) "
                      "JOIN entities a ON a.doc_key = r.doc_key AND a.entity_id = r.from_id "
                      "JOIN entities b ON b.doc_key = r.doc_key AND b.entity_id = r.to_id "
                      "ORDER BY r.doc_key, r.relation_id"))

    def _write_cases(self, fh) -> None:
        cols = ", ".join(f"c.{f}" for f in CASE_FIELDS)
        self._csv(fh, ["doc_key", "id", "case_id", *CASE_FIELDS],
                  self.conn.execute(f"SELECT c.doc_key, d.id, c.case_id, {cols} FROM cases c JOIN documents d USING (doc_key) "
                                    "ORDER BY c.doc_key, c.case_id"))

    def _publish_db(self) -> None:
        target = self.out / PUBLISHED_DB
        tmp = target.with_name(target.name + ".tmp")
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            if leftover.exists():
                leftover.unlink()
        c = self.conn
        c.execute("ATTACH DATABASE ? AS pub", (str(tmp),))
        try:
            c.execute("PRAGMA pub.page_size = 4096")
            c.execute("PRAGMA pub.journal_mode = DELETE")
            c.execute("BEGIN")
            for ddl in _TABLES:
                c.execute(ddl.format(s="pub."))
            for table, order, where in _PUBLISH_ORDER:
                c.execute(f"INSERT INTO pub.{table} SELECT * FROM main.{table}"
                          + (f" WHERE {where}" if where else "") + f" ORDER BY {order}")
            for ddl in _INDEXES:
                c.execute(ddl.format(s="pub."))
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        finally:
            c.execute("DETACH DATABASE pub")
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync_dir(self.out)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:  # pragma: no cover - platforms without directory fsync
        pass


def _atomic_write(path: Path, writer) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def dump_tables(db: str | Path) -> dict[str, list[tuple]]:
    """Every table of a tipx database, rows sorted: for comparing two runs' contents."""
    conn = sqlite3.connect(db)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}
    finally:
        conn.close()


__all__ = ["Store", "StoreError", "Totals", "dump_tables", "OUTPUT_FILES", "PUBLISHED_DB"]
