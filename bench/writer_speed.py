"""Time kgbuild's Turtle/TriG writers on a built graph: rdflib-based against turtle_writer.

Usage::

    python bench/writer_speed.py big.nq                 # the new writer, N-Quads, pyoxigraph
    python bench/writer_speed.py big.nq --old trig,turtle  # also kgbuild.export's rdflib ones

The graph is an N-Quads file from ``kgbuild build FOLDER -o big.nq`` (for example of
``kgbuild.synthetic.write_corpus(FOLDER, 1000, seed=0)``), loaded into an rdflib Dataset
with kgbuild's prefixes bound, as ``kgbuild build`` holds it.  Each writer's seconds are
the best of ``--repeat`` runs; the new writer's output is parsed back by pyoxigraph and
compared with the loaded quads.  A command, not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from kgbuild.export import serialize
from kgbuild.namespaces import PREFIXES
from kgbuild.oxterms import to_ox
from rdflib import Dataset

from kgbuild.outputs.turtle_writer import dataset_quads, write_trig, write_turtle


def best_of(repeat: int, run: Callable[[], bytes]) -> tuple[float, bytes]:
    """The fastest of ``repeat`` runs and the output of the last."""
    best = float("inf")
    data = b""
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        data = run()
        best = min(best, time.perf_counter() - start)
    return best, data


def main() -> None:
    """Load the graph, time every writer, print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("nquads", type=Path, help="an N-Quads file written by kgbuild build")
    parser.add_argument("--old", default="nquads", help="kgbuild.export formats to time too")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="folder to write outputs to")
    args = parser.parse_args()

    start = time.perf_counter()
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    dataset.parse(args.nquads, format="nquads")
    quads = sum(1 for _ in dataset.quads((None, None, None, None)))
    print(f"loaded {quads} quads in {time.perf_counter() - start:.1f} s")

    runs: dict[str, Callable[[], bytes]] = {}
    for fmt in [f for f in args.old.split(",") if f]:
        runs[f"export.serialize {fmt}"] = lambda fmt=fmt: serialize(dataset, format=fmt)
    runs["turtle_writer trig"] = lambda: write_trig(
        dataset_quads(dataset), prefixes=dataset.namespaces()
    )
    runs["turtle_writer turtle"] = lambda: write_turtle(
        ((s, p, o) for s, p, o, _ in dataset_quads(dataset)), prefixes=dataset.namespaces()
    )

    def oxigraph_trig() -> bytes:
        # rdflib terms to pyoxigraph, sorted, through pyoxigraph's TriG serializer
        converted = sorted(
            (ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in dataset.quads()),
            key=str,
        )
        return ox.serialize(converted, format=ox.RdfFormat.TRIG, prefixes=dict(PREFIXES))

    runs["pyoxigraph.serialize trig (sorted)"] = oxigraph_trig

    outputs: dict[str, bytes] = {}
    for name, run in runs.items():
        seconds, data = best_of(args.repeat, run)
        outputs[name] = data
        print(f"{name:40s} {seconds:7.2f} s {len(data) / 1e6:8.1f} MB", flush=True)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / name.replace(" ", "_").replace(".", "_")).write_bytes(data)

    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    want = {str(q) for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}
    back = {str(q) for q in ox.parse(outputs["turtle_writer trig"], format=ox.RdfFormat.TRIG)}
    print("turtle_writer trig reads back as the graph:", back == want)


if __name__ == "__main__":
    main()
