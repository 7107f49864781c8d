"""Time every shipped SPARQL query on a read-only Oxigraph store.

For each query this prints one row:

- ``rows``: the number of rows of the full answer;
- ``ox s``: the bare ``store.query(text)`` iterated to the end, no term conversion
  (Oxigraph alone);
- ``all s``: :func:`kgbuild.store.query_store` returning every row (parsing and checks,
  parameter binding, every row converted to rdflib terms), as kgbuild runs it;
- ``first100 s``: the same with ``limit=100``;
- ``param s``: the same, all rows, with each declared parameter bound to a typical
  value: the most frequent value of the parameter's column in the full answer (or the
  value given with ``--param``);
- ``kept s`` and ``kept100 s`` (modes ``kept``, ``kept100``; ``--store`` must then be a
  kgbuild store folder): every row and the first 100 through the answers kept beside the
  store (:mod:`kgbuild.store.answers`), as ``kgbuild query --store`` reads them: the
  first run keeps the answer when it is missing, the best of ``--repeat`` reads it back.
  Precompute them first with ``StoreWriter(folder).precompute_answers()``.

Each figure is the best of ``--repeat`` runs (wall-clock: on a shared machine, compare
figures measured in the same session). Every query runs in a child process that is
killed when one measurement's runs take longer than ``--timeout`` seconds each
(Oxigraph cannot be interrupted while it sorts); the cell then reads ``>T`` and the
query's remaining measurements are skipped (``-``).

A query sorted by variables runs unsorted in Oxigraph and kgbuild sorts its rows
(:mod:`kgbuild.query.ordering`); every row is read before the first comes out, so
``first100`` saves only the conversion of the other rows to rdflib terms.  ``ox s`` is
Oxigraph sorting the query itself.

The store (a database folder, or a kgbuild store folder) is opened with
``pyoxigraph.Store.read_only`` and queried over its default graph (``union=False``): a
kgbuild store keeps the union of its article graphs there.

Examples::

    python bench/query_speed.py --store bench/.work/oxigraph-big-union
    python bench/query_speed.py --store STORE --queries events,timeline --repeat 5
    python bench/query_speed.py --store STORE --query-dir /tmp/old-queries --dump /tmp/old
    python bench/query_speed.py --store STORE --queries events-at-place --param place=Kyiv

``--dump DIR`` writes each query's full answer (``repr`` of the rows, in the order
returned) to ``DIR/<name>.json``, so that two versions of the queries can be compared
with ``--compare OLD_DIR NEW_DIR`` (same rows as multisets, same order where the
``ORDER BY`` keys differ).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

MODES = ("ox", "all", "first100", "param")
KEPT = ("kept", "kept100")


# --- the child: one query, every measurement, one JSON line each ---------------------------


def _measure(store_path: str, query_file: str, modes: list[str], repeat: int,
             params: dict[str, str], dump: str | None) -> None:
    import pyoxigraph as ox

    from kgbuild.query import parse_header
    from kgbuild.store import database_path, is_store, query_store

    folder = store_path if is_store(store_path) else None
    store = ox.Store.read_only(str(database_path(folder)) if folder else store_path)
    sparql = Path(query_file).read_text(encoding="utf-8")
    _, columns, declared = parse_header(sparql)

    def emit(**fields: Any) -> None:
        print(json.dumps(fields), flush=True)

    def best(fn: Any) -> tuple[float, Any]:
        times, value = [], None
        for _ in range(repeat):
            start = time.perf_counter()
            value = fn()
            times.append(time.perf_counter() - start)
        return min(times), value

    full: Any = None
    for mode in modes:
        if mode == "ox":
            def bare() -> int:
                return sum(1 for _ in store.query(sparql, use_default_graph_as_union=False))
            seconds, count = best(bare)
            emit(mode=mode, seconds=seconds, rows=count)
        elif mode == "all":
            seconds, full = best(lambda: query_store(store, sparql, timeout=None, union=False))
            emit(mode=mode, seconds=seconds, rows=len(full.rows))
            if dump:
                out = Path(dump) / (Path(query_file).stem + ".json")
                out.write_text(json.dumps({"vars": list(full.vars),
                                           "rows": [repr(r) for r in full.rows]}),
                               encoding="utf-8")
        elif mode == "first100":
            seconds, page = best(lambda: query_store(store, sparql, timeout=None, union=False,
                                                     limit=100))
            emit(mode=mode, seconds=seconds, rows=len(page.rows))
        elif mode in KEPT:
            if folder is None:
                emit(mode=mode, seconds=None, rows=None, note="not a kgbuild store folder")
                continue
            first = 100 if mode == "kept100" else None
            seconds, page = best(lambda f=first: query_store(
                store, sparql, timeout=None, union=False, limit=f, source=folder))
            emit(mode=mode, seconds=seconds, rows=len(page.rows))
        elif mode == "param":
            if not declared:
                emit(mode=mode, seconds=None, rows=None, note="no parameters")
                continue
            bound: dict[str, Any] = {}
            for p in declared:
                if p.name in params:
                    bound[p.name] = params[p.name]
                    continue
                if full is None:
                    full = query_store(store, sparql, timeout=None, union=False)
                column = list(full.vars).index(p.name)
                counts = Counter(r[column] for r in full.rows if r[column] is not None)
                if counts:
                    value = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]
                    bound[p.name] = str(value)
            seconds, result = best(lambda b=bound: query_store(store, sparql, timeout=None,
                                                               union=False, params=b))
            emit(mode=mode, seconds=seconds, rows=len(result.rows), params=bound)
    del columns


# --- the parent: one child per query, killed on timeout -------------------------------------


def _run_child(args: argparse.Namespace, query_file: Path) -> dict[str, dict[str, Any]]:
    command = [sys.executable, os.path.abspath(__file__), "--worker", "--store", args.store,
               "--repeat", str(args.repeat), "--modes", ",".join(args.modes),
               str(query_file)]
    for item in args.param or ():
        command += ["--param", item]
    if args.dump:
        command += ["--dump", args.dump]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    results: dict[str, dict[str, Any]] = {}
    lines: list[str] = []
    done = threading.Event()

    def reader() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            done.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    budget = args.timeout * args.repeat + 30  # per measurement, plus start-up
    for mode in args.modes:
        deadline = time.monotonic() + budget
        while not any(json.loads(x).get("mode") == mode for x in lines):
            if child.poll() is not None and not thread.is_alive():
                break
            if time.monotonic() > deadline:
                child.kill()
                results[mode] = {"timeout": True}
                break
            done.wait(0.1)
            done.clear()
        if results.get(mode, {}).get("timeout"):
            break
        for line in lines:
            record = json.loads(line)
            if record.get("mode") == mode:
                results[mode] = record
    child.wait()
    return results


def _cell(record: dict[str, Any] | None, limit: float) -> str:
    if record is None:
        return "-"
    if record.get("timeout"):
        return f">{limit:g}"
    if record.get("seconds") is None:
        return "n/a"
    return f"{record['seconds']:.3f}"


def _compare(old_dir: str, new_dir: str) -> int:
    failures = 0
    for old in sorted(Path(old_dir).glob("*.json")):
        new = Path(new_dir) / old.name
        if not new.exists():
            print(f"{old.stem:24} missing in {new_dir}")
            failures += 1
            continue
        a = json.loads(old.read_text(encoding="utf-8"))
        b = json.loads(new.read_text(encoding="utf-8"))
        if a["vars"] != b["vars"]:
            verdict = f"columns differ {a['vars']} != {b['vars']}"
        elif Counter(a["rows"]) != Counter(b["rows"]):
            verdict = (f"ROWS DIFFER ({len(a['rows'])} vs {len(b['rows'])}; "
                       f"{sum((Counter(a['rows']) - Counter(b['rows'])).values())} only before, "
                       f"{sum((Counter(b['rows']) - Counter(a['rows'])).values())} only after)")
        elif a["rows"] != b["rows"]:
            verdict = "same rows, different order (ties of the ORDER BY keys?)"
        else:
            verdict = "identical"
        failures += verdict.startswith(("ROWS", "columns"))
        print(f"{old.stem:24} {len(a['rows']):>7} rows  {verdict}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="an Oxigraph database folder, or a kgbuild store folder")
    parser.add_argument("--queries", help="comma-separated query names (default: all)")
    parser.add_argument("--query-dir", help="folder of .rq files (default: kgbuild's queries/)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure, best kept")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds per run before the query's child is killed")
    parser.add_argument("--modes", default=",".join(MODES),
                        help=f"comma-separated subset of {','.join(MODES + KEPT)}")
    parser.add_argument("--param", action="append",
                        help="NAME=VALUE for the parameterised run (repeatable)")
    parser.add_argument("--dump", help="folder to write each full answer to, as JSON")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"),
                        help="compare two --dump folders and exit")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("query_file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.modes = [m for m in args.modes.split(",") if m]
    params = dict(item.split("=", 1) for item in args.param or ())

    if args.compare:
        return _compare(*args.compare)
    if not args.store:
        parser.error("--store is required")
    if args.worker:
        _measure(args.store, args.query_file, args.modes, args.repeat, params, args.dump)
        return 0

    if args.query_dir:
        files = sorted(Path(args.query_dir).glob("*.rq"))
    else:
        from kgbuild.query import list_queries
        files = [info.path for info in list_queries()]
    if args.queries:
        wanted = set(args.queries.split(","))
        files = [f for f in files if f.stem in wanted]
        missing = wanted - {f.stem for f in files}
        if missing:
            parser.error(f"no such queries: {', '.join(sorted(missing))}")
    if args.dump:
        Path(args.dump).mkdir(parents=True, exist_ok=True)

    kept = [m for m in args.modes if m in KEPT]
    header = f"{'query':24} {'rows':>7} {'ox s':>8} {'all s':>8} {'first100 s':>10} {'param s':>8}"
    header += "".join(f" {m + ' s':>10}" for m in kept)
    print(header)
    print("-" * len(header), flush=True)
    for path in files:
        results = _run_child(args, path)
        rows = next((r["rows"] for m in ("all", "ox", *KEPT) if (r := results.get(m))
                     and r.get("rows") is not None), None)
        param = results.get("param") or {}
        note = ""
        if param.get("params"):
            note = "  " + ", ".join(f"{k}={v!r}" for k, v in param["params"].items())
            note += f" ({param['rows']} rows)"
        print(f"{path.stem:24} {rows if rows is not None else '?':>7} "
              f"{_cell(results.get('ox'), args.timeout):>8} "
              f"{_cell(results.get('all'), args.timeout):>8} "
              f"{_cell(results.get('first100'), args.timeout):>10} "
              f"{_cell(results.get('param'), args.timeout):>8}"
              + "".join(f" {_cell(results.get(m), args.timeout):>10}" for m in kept)
              + note, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
