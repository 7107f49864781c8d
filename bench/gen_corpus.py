"""Write a synthetic news corpus that ``kgbuild build`` reads (seeded, reproducible).

Usage::

    python bench/gen_corpus.py OUT_DIR --articles 1000 [--seed 0] [--format txt|jsonl]

Article ``i`` of a seed is always the same text, so a 1,000-article corpus is the
first tenth of the 10,000-article one.  The generator itself is
:mod:`kgbuild.evaluation.synthetic` (the tests use it too).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kgbuild.evaluation.synthetic import write_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (created if missing)")
    parser.add_argument("--articles", type=int, default=1000, help="how many articles")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--format", choices=("txt", "jsonl"), default="txt",
                        help="txt + .meta.json sidecars (default), or one corpus.jsonl")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = write_corpus(args.out, args.articles, seed=args.seed, format=args.format)
    print(f"wrote {args.articles} articles ({len(files)} file(s)) to {args.out} "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
