"""SHACL on an existing kgbuild store: compiled to SPARQL against batched pySHACL.

Usage::

    python bench/shacl_store.py STORE_FOLDER_OR_DB [--workers 2] [--engines sparql,pyshacl]

Each engine runs in a fresh process (so its peak memory is its own); the line printed
per engine gives seconds, peak resident memory and the result counts, and the last
line says whether both engines found the same results (focus, path, value, shape,
severity).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

_CHILD = r"""
import json, resource, sys, time
import pyoxigraph as ox
from kgbuild.check.engines import check_store
path, engine, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = ox.Store.read_only(path)
quads = sum(1 for _ in store.quads_for_pattern(None, None, None, None))
started = time.perf_counter()
report = check_store(store, engine=engine, workers=workers)
seconds = time.perf_counter() - started
keys = sorted("|".join(map(str, (r.focus, r.path, r.value, r.shape, r.severity)))
              for r in report)
print(json.dumps({"engine": engine, "seconds": round(seconds, 1), "quads": quads,
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "counts": report.counts(), "keys": keys}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="the store's database folder (the one RocksDB opens)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="sparql,pyshacl")
    args = parser.parse_args(argv)
    runs = []
    for engine in args.engines.split(","):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _CHILD, args.store, engine,
                               str(args.workers)], capture_output=True, text=True, check=True)
        run = json.loads(done.stdout.strip().splitlines()[-1])
        run["wall_s"] = round(time.perf_counter() - started, 1)
        runs.append(run)
        print(json.dumps({k: v for k, v in run.items() if k != "keys"}))
    if len(runs) > 1:
        print(json.dumps({"same_results": all(r["keys"] == runs[0]["keys"] for r in runs)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
