"""Is ``tipx run``'s memory flat? Peak RSS over N and 10x N documents (not a test: it takes a while).

Writes N cable-style documents (team-written templates with varied names, posts, places and
numbers: ``tests/batch/batch_corpus.py``; nothing from ../shared), runs ``tipx run`` on each
corpus size in a fresh process, and reads the peak resident set size of that process from
``os.wait4``. Prints a markdown table on standard output; the issue's bar is peak RSS at 10,000
documents within 10% of that at 1,000.

    .venv/bin/python benchmarks/memory_flat.py                      # 1,000 and 10,000 documents
    .venv/bin/python benchmarks/memory_flat.py --sizes 50 200       # a quick check
    .venv/bin/python benchmarks/memory_flat.py --n-process 2 --words 400

With ``--n-process > 1`` the workers that ``nlp.pipe`` forks are children of the measured process:
``ru_maxrss`` is then the peak of the largest single process (the parent or one worker), not
their sum.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "batch"))

from batch_corpus import write_corpus  # noqa: E402


def tipx_command() -> list[str]:
    script = Path(sys.executable).with_name("tipx")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from tipx.cli import main; main()"]


def measure(corpus: Path, out: Path, n_process: int, batch_size: int, model: str | None) -> dict:
    cmd = [*tipx_command(), "run", str(corpus), "--out", str(out), "--no-progress",
           "--n-process", str(n_process), "--batch-size", str(batch_size)]
    if model:
        cmd += ["--model", model]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would keep the maximum of all runs so far)
    stderr = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"tipx run failed ({proc.returncode}):\n{stderr}")
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    summary = [line for line in stderr.splitlines() if line.startswith("tipx run:") and "input document" in line]
    return {"peak_rss_mib": usage.ru_maxrss * scale / 2**20, "seconds": seconds, "summary": summary[-1] if summary else ""}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes (default: 1000 10000)")
    ap.add_argument("--words", type=int, default=300, help="rough words per document (default: 300)")
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--model", default=None, help="model folder (default: the shipped one)")
    ap.add_argument("--workdir", type=Path, default=None, help="where corpora and outputs go (default: a temp folder, removed)")
    args = ap.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="tipx-memory-"))
    rows = []
    try:
        largest = max(args.sizes)
        corpus_all = work / "corpus-all"
        print(f"writing {largest} documents of ~{args.words} words into {corpus_all} ...", file=sys.stderr)
        paths = write_corpus(corpus_all, largest, words=args.words, seed=7)
        for n in sorted(args.sizes):
            corpus = work / f"corpus-{n}"
            if corpus.exists():
                shutil.rmtree(corpus)
            corpus.mkdir(parents=True)
            for p in paths[:n]:  # the first n documents: each size is a prefix of the next
                os.link(p, corpus / p.name) if hasattr(os, "link") else shutil.copy(p, corpus / p.name)
            out = work / f"out-{n}"
            if out.exists():
                shutil.rmtree(out)
            print(f"tipx run over {n} documents ...", file=sys.stderr)
            r = measure(corpus, out, args.n_process, args.batch_size, args.model)
            rows.append((n, r))
            print(f"  peak RSS {r['peak_rss_mib']:.0f} MiB in {r['seconds']:.0f} s", file=sys.stderr)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    base = rows[0][1]["peak_rss_mib"]
    print(f"### tipx run: peak RSS by corpus size\n")
    print(f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
          f"~{args.words} words per document, --n-process {args.n_process}, --batch-size {args.batch_size}\n")
    print("| documents | peak RSS (MiB) | vs smallest | wall time (s) |")
    print("|---:|---:|---:|---:|")
    for n, r in rows:
        print(f"| {n:,} | {r['peak_rss_mib']:.0f} | {100 * (r['peak_rss_mib'] / base - 1):+.1f}% | {r['seconds']:.0f} |")
    print()
    for n, r in rows:
        print(f"- {n:,}: `{r['summary']}`")
    if len(rows) > 1:
        growth = rows[-1][1]["peak_rss_mib"] / base - 1
        print(f"\nflat within 10%: {'yes' if growth <= 0.10 else 'NO'} ({100 * growth:+.1f}% from {rows[0][0]:,} to {rows[-1][0]:,} documents)")


if __name__ == "__main__":
    main()
