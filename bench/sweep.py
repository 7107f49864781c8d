"""Corpus-size sweep: the whole ``kgbuild build`` command on 250, 1,000 and 5,000 short
reports, written as N-Quads, TriG and Turtle; wall seconds, the parts the summary line
reports, and the peak memory of the command's process.

Usage::

    python bench/sweep.py [--sizes 250,1000,5000] [--formats nq,trig,ttl] [--work DIR]
                          [--out bench/results-sweep.json]

Each run is one fresh process (``python -m kgbuild build corpus.jsonl -o graph.FMT``,
serial, shapes checked as by default). The reports are about fifteen words each, made
from invented names by a seeded generator, so report ``i`` is the same text in every
corpus and a corpus is the first part of the next one: cost that grows faster than the
corpus shows as seconds per report that rise with the size.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_SYLLABLES = ["ka", "lo", "mi", "ra", "tu", "ne", "so", "va", "di", "ba", "ze", "ro", "ha"]
_GROUPS = ["militants", "gunmen", "rebels", "soldiers", "police", "protesters", "fighters"]
_ACTS = [
    ("attacked", "a checkpoint near"), ("shelled", "the outskirts of"),
    ("clashed with", "soldiers in"), ("raided", "a market in"), ("abducted", "two traders in"),
    ("protested against", "the governor in"), ("ambushed", "a convoy near"),
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _name(rng: random.Random, parts: int = 3) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def report(index: int) -> dict[str, str]:
    """Report ``index``: about fifteen words, the same text whatever the corpus size."""
    rng = random.Random(index * 104729 + 7)
    group, (verb, obj), day = rng.choice(_GROUPS), rng.choice(_ACTS), rng.choice(_DAYS)
    text = (f"{_name(rng)} {group} {verb} {obj} {_name(rng)} on {day}, killing "
            f"{rng.randint(2, 19)} people, local officials said.")
    return {"id": f"r{index:06d}", "text": text, "published": f"2021-0{1 + index % 9}-1{index % 9}"}


def write_corpus(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i in range(size):
            out.write(json.dumps(report(i)) + "\n")
    return path


_CHILD = """
import resource, sys
from kgbuild.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code or 0
print(f"PEAK_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""

_SUMMARY = re.compile(r"in ([\d.]+) s \(build ([\d.]+) s, write ([\d.]+) s, shapes ([\d.]+) s\)")


def run(corpus: Path, out: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, "build", str(corpus), "-o", str(out)],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: the graph is written but violates the shapes
        raise SystemExit(f"build failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = re.search(r"PEAK_KB (\d+)", done.stderr)
    parts = _SUMMARY.search(done.stderr)
    row: dict[str, Any] = {"wall_s": round(wall, 2),
                           "peak_mb": round(int(peak.group(1)) / 1024, 1) if peak else None}
    if parts:
        total, build, write, shapes = (float(x) for x in parts.groups())
        row.update(summary_s=total, build_s=build, write_s=write, shapes_s=shapes,
                   write_share=round(write / total, 3) if total else None)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,5000")
    parser.add_argument("--formats", default="nq,trig,ttl")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kgbuild-sweep"))
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results-sweep.json"))
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = write_corpus(args.work / f"reports-{size}.jsonl", size)
        for fmt in args.formats.split(","):
            row = {"articles": size, "format": fmt,
                   **run(corpus, args.work / f"graph-{size}.{fmt}")}
            row["s_per_1k"] = round(row["wall_s"] / size * 1000, 2)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print("| articles | format | wall s | s per 1k | build s | write s | shapes s | write share "
          "| peak MB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['articles']} | {r['format']} | {r['wall_s']} | {r['s_per_1k']} | "
              f"{r.get('build_s', '-')} | {r.get('write_s', '-')} | {r.get('shapes_s', '-')} | "
              f"{r.get('write_share', '-')} | {r['peak_mb']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
