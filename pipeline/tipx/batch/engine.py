"""Running the pipeline over many documents: a local engine and a Dask engine, one job loop.

The job (:func:`run_job`): plan the inputs (:mod:`.inputs`), skip documents the output folder
already holds (by sha256) and repeated content within the run (the first path is kept), cut the
rest into batches in input order, have an engine process them, and commit each batch's results
to the store (:mod:`.store`) in one transaction; at the end publish the output files.

A batch is processed by :func:`process_items`, the same code on every engine: each document is
read with :func:`tipx.cables.read_cable`, the clean bodies go through ``nlp.pipe`` inside
``nlp.memory_zone()``, and the ``tipx extract`` record (:func:`tipx.extract.doc_record`) is
taken out *inside* the zone (the Docs, and strings first seen in them, are freed when it ends).
So memory stays flat however many documents a run reads. A document the reader refuses, one
longer than ``max_chars``, or one the pipeline raises on becomes a failure with its reason; the
other documents of its batch are still processed (one by one, when the batch raised).

Engines:

* ``local``: in this process; with ``n_process > 1`` each chunk of ``batch_size * n_process * 2``
  documents goes through ``nlp.pipe(n_process=...)`` (workers forked per chunk, so their memory
  is returned after every chunk too);
* ``dask``: batches of ``batch_size`` documents are tasks on a Dask cluster (``--scheduler
  ADDRESS``, or a LocalCluster on 127.0.0.1 with ``n_process`` single-threaded workers). Every
  worker loads the model once (a per-process cache keyed by path and fingerprint) and checks that
  its copy is the same model as the client's; the client writes all results into the store.
  Workers need tipx installed and the model folder at the same path (a shared file system);
  the documents' bytes travel with the tasks, so the inputs need only be readable by the client.

The spaCy pipeline's results do not depend on how documents are batched (checked for the shipped
model), which is what makes outputs identical across engines, process counts and resumed runs.
"""
from __future__ import annotations

import hashlib
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..cables import CableReadError, read_cable
from .inputs import Failure, Item, iterate, plan
from .store import Store, Totals

#: A batch is closed once it holds this many bytes of input, whatever its document count:
#: whole cables are long, and the parser's memory grows with the tokens in a batch.
BATCH_BYTES = 400_000
#: The lemmatizer caches every (word, tag) it has seen, outside the memory zone; it is cleared
#: when it grows past this many entries, to keep long runs flat.
LEMMA_CACHE_LIMIT = 100_000
ENGINES = ("local", "dask")


class EngineError(RuntimeError):
    """The job cannot go on (a worker has another model, the cluster cannot be reached, ...)."""


# -- the model ------------------------------------------------------------------------------------
def model_fingerprint(path: str | Path) -> str:
    """sha256 over a model folder's files (relative names and bytes): which model made a row."""
    path = Path(path)
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = f.relative_to(path).as_posix()
        if rel.startswith(".") or "/." in rel or "__pycache__" in rel:
            continue
        h.update(rel.encode("utf-8") + b"\0")
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


def resolve_model(model: str | Path | None) -> Path:
    from ..extract import DEFAULT_MODEL, ModelError

    path = Path(model) if model else DEFAULT_MODEL
    if not (path / "config.cfg").is_file():
        raise ModelError(f"no spaCy pipeline at {path}: give --model DIR of a trained pipeline "
                         f"(train one with `tipx train`), or restore models/tipx-default")
    return path.resolve()


# -- processing one batch -----------------------------------------------------------------------------
def _ok(item: Item, cable, doc) -> dict:
    from ..extract import doc_record

    return {"ok": True, "key": item.key, "source": item.source, "path": item.path,
            "record": doc_record(cable, doc), "text": cable.raw, "words": len(cable.body.text.split())}


def _fail(item: Item, error: str) -> dict:
    return {"ok": False, "key": item.key, "source": item.source, "path": item.path, "error": error}


def _reason(err: BaseException) -> str:
    msg = str(err).strip().splitlines()
    return f"{type(err).__name__}: {msg[0]}" if msg else type(err).__name__


def _trim_caches(nlp) -> None:
    from spacy.pipeline import Lemmatizer

    for _, proc in nlp.pipeline:
        if isinstance(proc, Lemmatizer) and len(getattr(proc, "cache", ())) > LEMMA_CACHE_LIMIT:
            proc.cache.clear()


def process_items(nlp, items: list[Item], *, batch_size: int = 4, n_process: int = 1, max_chars: int | None = None) -> list[dict]:
    """Results for ``items``, in order: ``{"ok": True, key, source, path, record, text, words}`` or
    ``{"ok": False, key, source, path, error}``."""
    max_chars = max_chars or nlp.max_length
    results: list[dict | None] = [None] * len(items)
    todo = []
    for i, item in enumerate(items):
        try:
            cable = read_cable(item.data, source=item.source, stem=item.stem)
        except CableReadError as err:
            results[i] = _fail(item, str(err))
            continue
        except Exception as err:  # a reader bug must not stop the run
            results[i] = _fail(item, f"the reader failed: {_reason(err)}")
            continue
        n = len(cable.body.text)
        if n > max_chars:
            results[i] = _fail(item, f"the report body is {n:,} characters, over the limit of {max_chars:,} "
                                     f"(--max-chars; the parser needs about 1 GB per 100,000 characters): split the file")
            continue
        todo.append((i, cable))
    if todo:
        cables = dict(todo)
        try:
            with nlp.memory_zone():
                stream = nlp.pipe(((c.body.text, i) for i, c in todo), as_tuples=True,
                                  batch_size=batch_size, n_process=max(1, min(n_process, len(todo))))
                for doc, i in stream:
                    results[i] = _ok(items[i], cables[i], doc)
        except Exception:
            # something in the batch made the pipeline raise: find which, one document at a time
            for i, cable in todo:
                if results[i] is not None:
                    continue
                try:
                    with nlp.memory_zone():
                        results[i] = _ok(items[i], cable, nlp(cable.body.text))
                except Exception as err:
                    results[i] = _fail(items[i], f"the pipeline failed: {_reason(err)}")
        _trim_caches(nlp)
    return results  # type: ignore[return-value]


# -- engines ------------------------------------------------------------------------------------------
_FORK_PARENT: list[int] = []


def _remember_parent() -> None:
    _FORK_PARENT[:] = [os.getpid()]


def _die_with_parent() -> None:
    """In a process forked by nlp.pipe(n_process=...): be killed when the parent dies. spaCy's
    workers wait on a queue that they hold open themselves, so after a SIGKILL of the run they
    would otherwise wait for ever (and hold memory)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if _FORK_PARENT and os.getppid() != _FORK_PARENT[0]:
            os._exit(1)  # the parent died before prctl took effect
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


_FORK_HOOKS: list[bool] = []


def _install_fork_hooks() -> None:
    if not _FORK_HOOKS and sys.platform.startswith("linux") and hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_remember_parent, after_in_child=_die_with_parent)
        _FORK_HOOKS.append(True)


class LocalEngine:
    name = "local"

    def __init__(self, model_path: Path, *, batch_size: int = 4, n_process: int = 1, max_chars: int | None = None):
        self.model_path = model_path
        self.nlp = None  # loaded with the first batch: a run with nothing left to do starts fast
        self.started: float | None = None
        self.batch_size = batch_size
        self.n_process = n_process
        self.max_chars = max_chars
        factor = n_process * 2 if n_process > 1 else 1
        self.batch_docs = batch_size * factor
        self.batch_bytes = BATCH_BYTES * factor
        if n_process > 1:
            _install_fork_hooks()

    def __enter__(self) -> "LocalEngine":
        return self

    def describe(self) -> str:
        return f"local engine: {self.n_process} process(es), batches of {self.batch_size}"

    def __exit__(self, *exc) -> None:
        pass

    def map(self, batches: Iterable[list[Item]]) -> Iterator[list[dict]]:
        for batch in batches:
            if self.nlp is None:
                from ..extract import load_model

                self.nlp = load_model(self.model_path)
            if self.started is None:
                self.started = time.monotonic()
            yield process_items(self.nlp, batch, batch_size=self.batch_size, n_process=self.n_process, max_chars=self.max_chars)


_WORKER_MODELS: dict[tuple[str, str], object] = {}
_WORKER_LOCK = threading.Lock()


def _worker_model(model_path: str, fingerprint: str):
    key = (model_path, fingerprint)
    nlp = _WORKER_MODELS.get(key)
    if nlp is None:
        if not Path(model_path, "config.cfg").is_file():
            raise EngineError(f"a Dask worker has no model at {model_path}: the model folder must be at the same path on every worker")
        found = model_fingerprint(model_path)
        if found != fingerprint:
            raise EngineError(f"a Dask worker's model at {model_path} is not the client's (fingerprint {found[:12]}, "
                              f"expected {fingerprint[:12]}): give every worker the same model")
        from ..extract import load_model

        nlp = _WORKER_MODELS[key] = load_model(model_path)
    return nlp


def dask_task(model_path: str, fingerprint: str, items: list[Item], batch_size: int, max_chars: int | None) -> list[dict]:
    """One batch on a Dask worker (module-level, so workers import it by name)."""
    with _WORKER_LOCK:  # a worker with several threads shares one model; spaCy's memory zones are per process
        nlp = _worker_model(model_path, fingerprint)
        return process_items(nlp, items, batch_size=batch_size, n_process=1, max_chars=max_chars)


class DaskEngine:
    name = "dask"

    def __init__(self, model_path: Path, fingerprint: str, *, batch_size: int = 4, n_workers: int = 1,
                 scheduler: str | None = None, max_chars: int | None = None):
        self.model_path = str(model_path)
        self.fingerprint = fingerprint
        self.batch_size = batch_size
        self.n_workers = max(1, n_workers)
        self.scheduler = scheduler
        self.max_chars = max_chars
        self.batch_docs = batch_size
        self.batch_bytes = BATCH_BYTES
        self.client = None
        self.cluster = None
        self.started: float | None = None

    def __enter__(self) -> "DaskEngine":
        import logging

        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError('the dask engine needs Dask: pip install "dask[distributed]"') from None
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout="30s")
            else:
                self.cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                                            host="127.0.0.1", scheduler_port=0, dashboard_address=None,
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as err:
            self.__exit__()
            raise EngineError(f"cannot reach the Dask scheduler {self.scheduler or '(local cluster)'}: {err}") from None
        return self

    def describe(self) -> str:
        workers = self.client.scheduler_info().get("workers", {})
        where = "local cluster" if self.cluster is not None else "scheduler"
        return (f"dask engine: {where} {self.client.scheduler.address}, {len(workers)} worker(s) "
                f"({', '.join(sorted(workers))}), batches of {self.batch_size}")

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def map(self, batches: Iterable[list[Item]]) -> Iterator[list[dict]]:
        from distributed import as_completed

        client = self.client
        window = max(2, 2 * sum(client.nthreads().values()))
        batches = iter(batches)
        pending: dict = {}
        done = as_completed()

        def submit() -> bool:
            batch = next(batches, None)
            if batch is None:
                return False
            fut = client.submit(dask_task, self.model_path, self.fingerprint, batch, self.batch_size, self.max_chars, pure=False)
            pending[fut] = batch
            done.add(fut)
            return True

        self.started = time.monotonic()
        for _ in range(window):
            if not submit():
                break
        try:
            for fut in done:
                batch = pending.pop(fut)
                try:
                    results = fut.result()
                except EngineError:
                    raise
                except Exception as err:  # the task itself died (KilledWorker, ...): its documents failed
                    results = [_fail(item, f"the Dask task failed: {_reason(err)}") for item in batch]
                fut.release()
                yield results
                submit()
        finally:
            for fut in pending:
                fut.cancel()


# -- the job --------------------------------------------------------------------------------------------
@dataclass
class Summary:
    inputs: int = 0          # documents found (files, JSONL lines, inputs naming nothing)
    done: int = 0            # processed and committed in this run
    skipped: int = 0         # already in the output folder
    duplicates: int = 0      # same content as an earlier input of this run (first path kept)
    failed: int = 0
    entities: int = 0
    relations: int = 0
    cases: int = 0
    words: int = 0
    seconds: float = 0.0
    totals: Totals = field(default_factory=Totals)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0


class Reporter:
    """What a job tells about its progress (the CLI's progress bar implements it; this does nothing)."""

    def start(self, total: int) -> None: ...

    def advance(self, docs: int, *, words: int = 0, processed: int = 0) -> None: ...

    def failure(self, source: str, path: str, error: str) -> None: ...

    def info(self, message: str) -> None: ...

    def stop(self) -> None: ...


def _tally(summary: Summary, results: list[dict], reporter: Reporter) -> None:
    words = 0
    for r in results:
        if r["ok"]:
            rec = r["record"]
            summary.done += 1
            summary.entities += len(rec["entities"])
            summary.relations += len(rec["relations"])
            summary.cases += len(rec["cases"])
            words += r["words"]
        else:
            summary.failed += 1
            reporter.failure(r["source"], r["path"], r["error"])
    summary.words += words
    reporter.advance(len(results), words=words, processed=len(results))


def run_job(inputs: Iterable[str | Path], out: str | Path, *, model: str | Path | None = None, engine: str = "local",
            scheduler: str | None = None, n_process: int = 1, batch_size: int = 4, max_chars: int | None = None,
            include: Iterable[str] = (), reporter: Reporter | None = None) -> Summary:
    """Run the pipeline over ``inputs`` into the output folder ``out``; see the module docstring.

    Raises ModelError (no model), StoreError (folder locked or made by another model) and
    EngineError (cluster trouble); inputs that fail are counted, recorded and skipped."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if batch_size < 1 or n_process < 1:
        raise EngineError("--batch-size and --n-process must be at least 1")
    reporter = reporter or Reporter()
    model_path = resolve_model(model)
    fingerprint = model_fingerprint(model_path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    with Store(out, fingerprint) as store:
        sources, plan_failures = plan(inputs, exclude=[out], include=include)
        summary.inputs = sum(s.count for s in sources) + len(plan_failures)
        done_keys = store.done_keys()
        queued: set[str] = set()
        pending: list[Failure] = []

        def failed(f: Failure) -> None:
            summary.failed += 1
            pending.append(f)
            reporter.failure(f.source, f.path, f.error)
            reporter.advance(1)

        if engine == "local":
            eng = LocalEngine(model_path, batch_size=batch_size, n_process=n_process, max_chars=max_chars)
        else:
            eng = DaskEngine(model_path, fingerprint, batch_size=batch_size, n_workers=n_process,
                             scheduler=scheduler, max_chars=max_chars)

        def batches() -> Iterator[list[Item]]:
            """Items to process, in input order, cut into batches; the rest counted on the way."""
            batch: list[Item] = []
            size = 0
            for x in iterate(sources):
                if isinstance(x, Failure):
                    failed(x)
                elif x.key in done_keys:
                    summary.skipped += 1
                    reporter.advance(1)
                elif x.key in queued:
                    summary.duplicates += 1
                    reporter.advance(1)
                else:
                    queued.add(x.key)
                    batch.append(x)
                    size += len(x.data)
                    if len(batch) >= eng.batch_docs or size >= eng.batch_bytes:
                        yield batch
                        batch, size = [], 0
            if batch:
                yield batch

        reporter.start(summary.inputs)
        try:
            for f in plan_failures:
                failed(f)
            stream = batches()
            first = next(stream, None)
            if first is not None:  # else nothing is left to do: no model to load, no cluster to start
                with eng:
                    reporter.info(eng.describe())
                    for results in eng.map(itertools.chain([first], stream)):
                        failures, pending[:] = list(pending), []
                        store.commit(results, failures)
                        _tally(summary, results, reporter)
                    summary.seconds = time.monotonic() - eng.started
            if pending:
                store.commit([], pending)
                pending.clear()
        finally:
            reporter.stop()
        if store.needs_publish():
            store.publish()
        summary.totals = store.totals()
    return summary
