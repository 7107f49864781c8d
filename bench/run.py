"""kgbuild's benchmarks: print a table of figures and write them to bench/results.json.

Usage::

    python bench/run.py                      # everything, the sizes of bench/README.md
    python bench/run.py --articles 5 --memory-sizes 5 --triples 20000 --shacl-triples 5000
    python bench/run.py --sections throughput,queries

Sections (each measured in this run, ratios against a baseline of the same run):

throughput  articles/s and words/s of kgbuild's extraction (read, spaCy, extractors)
            and of the whole in-memory build (plus resolution and RDF) against bare
            spaCy ``nlp.pipe`` on the same texts, same pipeline, batch size 4; serially
            and with ``--workers`` processes (spaCy's own ``n_process`` for the baseline).
memory      peak RSS of a build of each ``--memory-sizes`` corpus, one subprocess per
            size and mode (``stream``: the streaming extraction alone; ``store``: a
            whole build into a store, written in chunks; ``build``: the whole
            in-memory build, which holds the graph), with RSS samples along the way;
            a run past ``--memory-budget`` seconds is stopped and reported as far
            as it got.
queries     every query in queries/ on a store of at least ``--triples`` quads (the
            built corpus, its article graphs copied under new names), on Oxigraph (on
            disk: the union in the default graph, as a kgbuild store keeps it, and
            named graphs only, queried as their union) and on rdflib's in-memory
            engine (stopped after ``--rdflib-timeout``).
shacl       SHACL time per 100k triples: whole-graph pySHACL against the batched
            validation of kgbuild.check.batched (serial and in workers), and the
            batched validation of the big store.
load        load time per million triples: Oxigraph bulk load on disk, Oxigraph in
            memory, rdflib, and kgbuild's store writer.

This is a command, not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTIONS = ("throughput", "memory", "queries", "shacl", "load")
KB_GRAPH = "<https://w3id.org/kgbuild/id/graph/kb>"
# IRIs that belong to one article: renamed in each copy; entities and agreements are shared
_PER_ARTICLE = re.compile(
    r"<https://w3id\.org/kgbuild/id/(article|graph|statement|event|claim|contradiction|post)/")


# ------------------------------------------------------------------------------ helpers
def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _status_mb(field: str) -> float:
    """A size from /proc/self/status (``VmRSS``, ``VmHWM``), in MB; ru_maxrss elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """This process's current resident set size, in MB."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    return _status_mb("VmHWM")


def children_rss_mb() -> float:
    """Current RSS of this process's descendants, in MB (psutil if installed)."""
    try:
        import psutil
    except ImportError:
        return float("nan")
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            total += child.memory_info().rss / 2**20
        except psutil.Error:
            continue
    return total


def machine() -> dict[str, Any]:
    import pyoxigraph
    import pyshacl
    import rdflib
    import spacy

    from kgbuild.core.config import Settings

    facts: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "spacy": spacy.__version__,
        "model": Settings().model,
        "rdflib": rdflib.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "pyshacl": pyshacl.__version__,
        "load_average_at_start": os.getloadavg(),
    }
    try:
        facts["free_h"] = subprocess.run(["free", "-h"], capture_output=True, text=True,
                                         check=False).stdout.strip()
    except OSError:
        facts["free_h"] = "n/a"
    return facts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def corpus(work: Path, articles: int, seed: int) -> Path:
    """The generated corpus of ``articles`` articles (written once, then reused)."""
    from kgbuild.evaluation.synthetic import write_corpus

    folder = work / f"corpus-{seed}-{articles}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        seconds, _ = timed(lambda: write_corpus(folder, articles, seed=seed))
        done.write_text("ok\n")
        log(f"generated {articles} articles in {seconds:.1f} s -> {folder}")
    return folder


@contextmanager
def alarm(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread after ``seconds`` (pure-Python work)."""
    def ring(signum: int, frame: Any) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------------------ throughput
def throughput(work: Path, *, articles: int, workers: int, seed: int, repeat: int
               ) -> dict[str, Any]:
    import kgbuild
    from kgbuild.core.config import Settings
    from kgbuild.execution.processes import extract_in_processes
    from kgbuild.execution.step import extract_stream
    from kgbuild.inputs.articles import read_articles
    from kgbuild.kb.knowledge_base import load_kb
    from kgbuild.nlp.spacy_pipeline import load_pipeline

    folder = corpus(work, articles, seed)
    docs = list(read_articles([folder]))
    texts = [a.body for a in docs]
    words = sum(len(t.split()) for t in texts)
    kb = load_kb()
    nlp = load_pipeline()
    for _ in nlp.pipe(texts[:8], batch_size=4):  # warm up
        pass

    def bare(n_process: int) -> Callable[[], int]:
        def run() -> int:
            return sum(1 for _ in nlp.pipe(texts, batch_size=4, n_process=n_process))
        return run

    def ours(n: int) -> Callable[[], int]:
        def run() -> int:
            stream = read_articles([folder])
            if n == 1:
                return sum(1 for _ in extract_stream(stream, kb=kb, batch_size=4))
            return sum(1 for _ in extract_in_processes(stream, kb=kb, workers=n, batch_size=4))
        return run

    def build(n: int) -> Callable[[], int]:
        settings = Settings(workers=n)

        def run() -> int:
            return kgbuild.build([folder], settings=settings).stats.articles
        return run

    measures: dict[str, Callable[[], Any]] = {
        "spacy_serial": bare(1),
        "kgbuild_extract_serial": ours(1),
        "kgbuild_build_serial": build(1),
        f"spacy_{workers}proc": bare(workers),
        f"kgbuild_extract_{workers}workers": ours(workers),
        f"kgbuild_build_{workers}workers": build(workers),
    }
    best: dict[str, float] = {}
    # the serial runs' CPU seconds too: one process, so they count all of its work, and
    # other work on the machine changes them far less than the wall-clock seconds
    cpu: dict[str, float] = {}
    for rep in range(repeat):  # interleaved, best of: the machine's load varies
        for name, fn in measures.items():
            cpu_started = time.process_time()
            seconds, count = timed(fn)
            if name.endswith("serial"):
                cpu[name] = min(cpu.get(name, math.inf), time.process_time() - cpu_started)
            if count != len(texts):
                raise RuntimeError(f"{name} saw {count} of {len(texts)} texts")
            best[name] = min(best.get(name, math.inf), seconds)
            log(f"throughput {name} (run {rep + 1}): {seconds:.1f} s")
    rates = {name: {"seconds": round(s, 2), "articles_per_s": round(len(texts) / s, 2),
                    "words_per_s": round(words / s, 1)} for name, s in best.items()}

    def ratio(ours_name: str, base: str) -> float:
        return round(best[base] / best[ours_name], 3)

    return {
        "articles": len(texts), "words": words, "workers": workers, "repeat": repeat,
        "rates": rates,
        "cpu_seconds_serial": {name: round(s, 2) for name, s in cpu.items()},
        "cpu_ratios_serial": {
            "extract_serial_vs_spacy": round(cpu["spacy_serial"]
                                             / cpu["kgbuild_extract_serial"], 3),
            "build_serial_vs_spacy": round(cpu["spacy_serial"]
                                           / cpu["kgbuild_build_serial"], 3),
        },
        "ratios": {
            "extract_serial_vs_spacy": ratio("kgbuild_extract_serial", "spacy_serial"),
            f"extract_{workers}workers_vs_spacy_{workers}proc":
                ratio(f"kgbuild_extract_{workers}workers", f"spacy_{workers}proc"),
            "build_serial_vs_spacy": ratio("kgbuild_build_serial", "spacy_serial"),
            f"build_{workers}workers_vs_spacy_{workers}proc":
                ratio(f"kgbuild_build_{workers}workers", f"spacy_{workers}proc"),
            f"speedup_extract_{workers}workers": ratio(f"kgbuild_extract_{workers}workers",
                                                       "kgbuild_extract_serial"),
            f"speedup_spacy_{workers}proc": ratio(f"spacy_{workers}proc", "spacy_serial"),
        },
    }


# ------------------------------------------------------------------------------ memory
def memory_child(args: argparse.Namespace) -> int:
    """Run in a subprocess: one build, RSS samples to --progress-file, summary to stdout."""
    from kgbuild.core.config import Settings
    from kgbuild.inputs.articles import read_articles

    folder, samples = Path(args.corpus), Path(args.progress_file)
    started = time.perf_counter()
    sample_every = max(1, args.sample_every)

    peak_children = 0.0
    last_done = 0
    lock = threading.Lock()

    def write_sample(done: int, children: float, phase: str) -> None:
        with lock, samples.open("a") as fh:
            fh.write(json.dumps({"articles": done, "phase": phase,
                                 "seconds": round(time.perf_counter() - started, 1),
                                 "rss_mb": round(rss_mb(), 1),
                                 "children_rss_mb": round(children, 1)}) + "\n")

    def sample(done: int, _total: int | None = None, *, force: bool = False) -> None:
        nonlocal peak_children, last_done
        last_done = done
        children = children_rss_mb()
        if children == children:  # not NaN: psutil is installed
            peak_children = max(peak_children, children)
        if force or done % sample_every == 0:
            write_sample(done, children, "articles")

    # between progress calls too (the end-of-build steps call none, and a child process
    # computes the kept answers): the peak of the children, and a sample every 5 s. Only
    # in a store build, which starts its workers from a forkserver anyway: another
    # thread here would make the other builds choose a forkserver over a plain fork
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak_children
        tick = 0
        while not stop.wait(0.5):
            children = children_rss_mb()
            if children == children:
                peak_children = max(peak_children, children)
            tick += 1
            if tick % 10 == 0:
                write_sample(last_done, children, "timer")

    watcher = threading.Thread(target=watch, name="bench-memory-watch", daemon=True)
    if args.mode == "store":
        watcher.start()

    settings = Settings(workers=args.workers)
    if args.mode == "stream":  # the streaming part of a build: nothing is kept
        from kgbuild.execution import extract_results
        from kgbuild.kb.knowledge_base import load_kb

        done = 0
        stream = extract_results(read_articles([folder]), kb=load_kb(), settings=settings)
        for done, _ in enumerate(stream, start=1):
            sample(done)
        triples = 0
    elif args.mode == "store":  # a store build: chunks written and dropped
        import kgbuild

        folder_store = Path(args.progress_file).with_suffix(".store")
        shutil.rmtree(folder_store, ignore_errors=True)
        kg = kgbuild.build([folder], settings=settings, progress=sample, store=folder_store)
        done, triples = kg.stats.articles, kg.stats.triples
        kg.close()
        shutil.rmtree(folder_store, ignore_errors=True)
    else:  # the whole in-memory build: Article records, ArticleResults, rdflib Dataset
        import kgbuild

        kg = kgbuild.build([folder], settings=settings, progress=sample)
        done, triples = kg.stats.articles, len(kg)
    stop.set()
    if watcher.is_alive():
        watcher.join()
    sample(done, force=True)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a child of
    # a big process would report its parent's size
    self_peak = peak_rss_mb()
    print(json.dumps({"articles": done, "triples": triples,
                      "seconds": round(time.perf_counter() - started, 1),
                      "peak_rss_mb": round(self_peak, 1),
                      "peak_children_rss_mb_sampled": round(peak_children, 1)}))
    return 0


def memory(work: Path, *, sizes: list[int], workers: int, seed: int, budget: float,
           modes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"workers": workers, "budget_s": budget, "runs": []}
    for size in sizes:
        folder = corpus(work, size, seed)
        for mode in modes:
            progress = work / f"memory-{mode}-{size}.jsonl"
            progress.unlink(missing_ok=True)
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child-memory",
                   "--corpus", str(folder), "--mode", mode, "--workers", str(workers),
                   "--progress-file", str(progress), "--sample-every", str(max(1, size // 20))]
            log(f"memory: {mode} build of {size} articles ({workers} workers), "
                f"budget {budget:.0f} s")
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                                    start_new_session=True)
            try:
                stdout, _ = proc.communicate(timeout=budget)
                finished = proc.returncode == 0
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the child and its workers
                stdout, _ = proc.communicate()
                finished = False
            elapsed = time.perf_counter() - started
            samples = [json.loads(line) for line in progress.read_text().splitlines()
                       ] if progress.exists() else []
            run: dict[str, Any] = {"articles": size, "mode": mode, "finished": finished,
                                   "wall_s": round(elapsed, 1), "samples": samples}
            if finished and stdout.strip():
                run.update(json.loads(stdout.strip().splitlines()[-1]))
            elif samples:
                run["articles_done"] = samples[-1]["articles"]
                run["peak_rss_mb_seen"] = max(s["rss_mb"] for s in samples)
            out["runs"].append(run)
            log(f"memory: {run}")
    return out


# ------------------------------------------------------------------------------ big store
def big_nquads(work: Path, *, base_articles: int, seed: int, triples: int) -> dict[str, Any]:
    """N-Quads of at least ``triples`` triples: the built corpus, its article graphs
    copied under new names (entities, agreements and the KB graph are shared)."""
    import kgbuild

    folder = corpus(work, base_articles, seed)
    base = work / f"base-{seed}-{base_articles}.nq"
    if not base.exists():
        kg = kgbuild.build([folder])
        kg.serialize(base, format="nquads")
    lines = base.read_text(encoding="utf-8").splitlines()
    kb_lines = [ln for ln in lines if ln.endswith(f"{KB_GRAPH} .")]
    article_lines = [ln for ln in lines if not ln.endswith(f"{KB_GRAPH} .")]
    copies = max(1, math.ceil((triples - len(kb_lines)) / max(1, len(article_lines))))
    path = work / f"big-{seed}-{base_articles}x{copies}.nq"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write("\n".join(kb_lines) + "\n")
            for k in range(copies):
                prefix = f"c{k}-"
                for ln in article_lines:
                    fh.write(_PER_ARTICLE.sub(
                        lambda m, p=prefix: f"<https://w3id.org/kgbuild/id/{m.group(1)}/{p}",
                        ln) + "\n")
        tmp.rename(path)
    quads = len(kb_lines) + copies * len(article_lines)
    return {"path": str(path), "quads": quads, "copies": copies,
            "base_articles": base_articles, "articles": copies * base_articles,
            "base_quads": len(lines)}


def queries_child(args: argparse.Namespace) -> int:
    """Run in a subprocess: time queries on an Oxigraph store, one JSON line each.

    Queries go through :func:`kgbuild.store.query_store`, the path of ``kgbuild query``
    on a store (the union of all graphs, parameters bound as terms, rows converted).
    Each job is ``name`` (every row), ``name@100`` (the first 100 rows) or
    ``name?param`` (with the parameter value in --params).
    """
    import pyoxigraph as ox

    from kgbuild.query import named_query
    from kgbuild.store import query_store

    # a runaway join must not take the machine's memory: cap this process
    limit = int(args.memory_limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    store = ox.Store.read_only(args.store)
    values = json.loads(args.params or "{}")
    for job in args.queries.split(","):
        name, _, rest = job.replace("@", "?@").partition("?")
        sparql = named_query(name).read_text(encoding="utf-8")
        params = {rest: values[rest]} if rest and not rest.startswith("@") else None
        first = 100 if rest == "@100" else None
        started = time.perf_counter()
        result = query_store(store, sparql, params=params, timeout=None, limit=first,
                             union=args.union)
        print(json.dumps({"query": job, "seconds": round(time.perf_counter() - started, 3),
                          "rows": len(result.rows)}), flush=True)
    return 0


def query_parameters(union_nt: Path) -> dict[str, str]:
    """Typical values for the queries' parameters, taken from the data: the most
    frequent event place, speaker and claim topic."""
    from collections import Counter

    kg = "<https://w3id.org/kgbuild/ontology#"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    places: Counter[str] = Counter()
    speakers: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    labels: dict[str, str] = {}
    with union_nt.open(encoding="utf-8") as fh:
        for line in fh:
            s, p, o = line.rstrip(" .\n").split(" ", 2)
            if p == f"{kg}place>":
                places[o] += 1
            elif p == f"{kg}speaker>":
                speakers[o] += 1
            elif p == f"{kg}about>" and "/id/claim/" in s:
                topics[o] += 1
            elif p == label:
                labels.setdefault(s, json.loads(o.rsplit("@", 1)[0].split("^^")[0]))
    place = places.most_common(1)[0][0]
    speaker = speakers.most_common(1)[0][0]
    event = topics.most_common(1)[0][0]
    return {"place": labels[place], "source": labels[speaker], "entity": labels[speaker],
            "event": event.strip("<>"), "fact": event.strip("<>")}


def oxigraph_queries(store_path: Path, names: list[str], *, params: dict[str, str],
                     timeout: float, union: bool = False) -> dict[str, dict[str, Any]]:
    """Time each query in a child process, killed when one runs past ``timeout``
    (an abandoned Oxigraph query would otherwise go on using a core)."""
    import selectors

    out: dict[str, dict[str, Any]] = {}
    todo = list(names)
    while todo:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child-queries", "--store",
               str(store_path), "--queries", ",".join(todo), "--params", json.dumps(params)]
        if union:  # the union of the named graphs, computed by Oxigraph at query time
            cmd.append("--union")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, start_new_session=True)
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        startup = 30.0  # opening the store
        while todo:
            if not sel.select(timeout=timeout + startup):
                os.killpg(proc.pid, signal.SIGKILL)
                out[todo.pop(0)] = {"seconds": None, "error": f"stopped after {timeout:g} s"}
                break
            line = proc.stdout.readline()
            if not line:  # the child failed
                out[todo.pop(0)] = {"seconds": None, "error": "the query process failed"}
                break
            done = json.loads(line)
            out[done["query"]] = done
            todo.remove(done["query"])
            startup = 0.0
        proc.wait()
        sel.close()
    return out


def _load_store(folder: Path | None, data: Path, fmt: Any) -> tuple[float, int]:
    """Load a file into a new Oxigraph store (on disk with bulk_load, or in memory)."""
    import pyoxigraph as ox

    if folder is None:
        store = ox.Store()
        seconds, _ = timed(lambda: store.load(path=str(data), format=fmt))
        return seconds, len(store)
    shutil.rmtree(folder, ignore_errors=True)
    store = ox.Store(str(folder))
    seconds, _ = timed(lambda: store.bulk_load(path=str(data), format=fmt))
    store.flush()
    return seconds, len(store)


def load_and_query(work: Path, big: dict[str, Any], *, rdflib_timeout: float,
                   oxigraph_timeout: float, keep_rdflib: bool) -> tuple[dict[str, Any],
                                                                       dict[str, Any], Any]:
    import pyoxigraph as ox
    from rdflib import Dataset

    from kgbuild.query import list_queries

    path = Path(big["path"])
    million = big["quads"] / 1e6
    load: dict[str, Any] = {"quads": big["quads"]}
    # kgbuild's layout: one named graph per article (queried as the union of all graphs)
    disk = work / "oxigraph-big"
    shutil.rmtree(disk, ignore_errors=True)
    store = ox.Store(str(disk))
    seconds, _ = timed(lambda: store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS))
    load["oxigraph_disk_bulk_load_s"] = round(seconds, 1)
    load["oxigraph_disk_bulk_load_s_per_million"] = round(seconds / million, 1)
    log(f"load: oxigraph bulk_load on disk {seconds:.1f} s ({len(store)} quads)")
    store.flush()
    # the same triples once each, in the default graph (what rdflib's union gives)
    union_nt = work / (path.stem + "-union.nt")
    if not union_nt.exists():
        seen = {ln.rsplit(" ", 2)[0] for ln in path.read_text(encoding="utf-8").splitlines()}
        union_nt.write_text("".join(f"{t} .\n" for t in sorted(seen)), encoding="utf-8")
    union_disk = work / "oxigraph-big-union"
    seconds, union_triples = _load_store(union_disk, union_nt, ox.RdfFormat.N_TRIPLES)
    load["union_triples"] = union_triples
    load["oxigraph_disk_bulk_load_union_s_per_million"] = round(
        seconds / (union_triples / 1e6), 1)
    seconds, _ = _load_store(None, path, ox.RdfFormat.N_QUADS)
    load["oxigraph_memory_load_s_per_million"] = round(seconds / million, 1)
    log(f"load: oxigraph in memory {seconds:.1f} s")
    ds = Dataset(default_union=True)
    seconds, _ = timed(lambda: ds.parse(str(path), format="nquads"))
    load["rdflib_parse_s_per_million"] = round(seconds / million, 1)
    load["rdflib_rss_mb_after_parse"] = round(rss_mb(), 1)
    log(f"load: rdflib parse {seconds:.1f} s ({len(ds)} quads)")

    infos = list_queries()
    params = query_parameters(union_nt)
    jobs = [info.name for info in infos]
    jobs += [f"{info.name}@100" for info in infos]
    jobs += [f"{info.name}?{p.name}" for info in infos for p in info.parameters]
    log(f"query parameters: {params}")
    on_union = oxigraph_queries(union_disk, jobs, params=params, timeout=oxigraph_timeout)
    # the layout kgbuild stores had before format 2: named graphs only, queried with
    # use_default_graph_as_union (kept to show why the store now keeps the union)
    on_graphs = oxigraph_queries(disk, [info.name for info in infos], params=params,
                                 timeout=min(10.0, oxigraph_timeout), union=True)
    rows: list[dict[str, Any]] = []
    for info in infos:
        sparql = Path(info.path).read_text(encoding="utf-8")
        a, b = on_union[info.name], on_graphs[info.name]
        first = on_union[f"{info.name}@100"]
        row: dict[str, Any] = {"query": info.name,
                               "oxigraph_s": a["seconds"], "oxigraph_rows": a.get("rows"),
                               "oxigraph_error": a.get("error"),
                               "oxigraph_first100_s": first["seconds"],
                               "oxigraph_first100_error": first.get("error"),
                               "oxigraph_named_graphs_s": b["seconds"],
                               "oxigraph_named_graphs_rows": b.get("rows"),
                               "oxigraph_named_graphs_error": b.get("error")}
        for p in info.parameters:
            with_param = on_union[f"{info.name}?{p.name}"]
            row["oxigraph_param"] = f"{p.name}={params[p.name]}"
            row["oxigraph_param_s"] = with_param["seconds"]
            row["oxigraph_param_rows"] = with_param.get("rows")
            row["oxigraph_param_error"] = with_param.get("error")
        try:
            with alarm(rdflib_timeout):
                seconds, count = timed(lambda s=sparql: sum(1 for _ in ds.query(s)))
            row["rdflib_s"] = round(seconds, 3)
            row["rdflib_rows"] = count
        except TimeoutError:
            row["rdflib_s"] = None
            row["rdflib_error"] = f"stopped after {rdflib_timeout:g} s"
        except Exception as exc:
            row["rdflib_s"] = None
            row["rdflib_error"] = f"{type(exc).__name__}: {exc}"[:200]
        log(f"query {row}")
        rows.append(row)
    queries = {"quads": big["quads"], "union_triples": load["union_triples"],
               "articles": big["articles"], "rows": rows,
               "rdflib_timeout_s": rdflib_timeout, "oxigraph_timeout_s": oxigraph_timeout}
    return load, queries, (store, ds if keep_rdflib else None)


def store_writer_load(work: Path, ds: Any, quads: int) -> dict[str, Any]:
    """kgbuild's own store writer (atomic writes of whole article graphs, about 20k quads
    each, and the union) on the big graph, into a new store.

    ``write`` reads the rdflib Dataset; ``write_graphs`` is given (graph, triples) lists,
    as a build does. Each figure is the whole writer session: opening the store, writing,
    and closing it (the final flush and compaction)."""
    try:
        from kgbuild.store import StoreWriter
    except ImportError as exc:
        return {"error": str(exc)}
    from rdflib import URIRef

    graphs = [(g.identifier, list(g)) for g in ds.graphs()
              if isinstance(g.identifier, URIRef) and len(g) > 0]
    folder = work / "kgbuild-store-big"
    out: dict[str, Any] = {}
    million = quads / 1e6
    for label, write in (("write", lambda w: w.write(ds)),
                         ("write_graphs", lambda w: w.write_graphs(graphs))):
        shutil.rmtree(folder, ignore_errors=True)
        try:
            started = time.perf_counter()
            with StoreWriter(folder) as writer:
                seconds, _ = timed(lambda w=writer, f=write: f(w))
            total = time.perf_counter() - started
        except Exception as exc:  # another developer's API may change; report, don't fail
            return {"error": f"{type(exc).__name__}: {exc}"[:200]}
        key = "kgbuild_store_write" if label == "write" else "kgbuild_store_write_graphs"
        out[f"{key}_s"] = round(seconds, 1)
        out[f"{key}_session_s"] = round(total, 1)
        out[f"{key}_s_per_million"] = round(total / million, 1)
        log(f"load: kgbuild store writer, {label}: {seconds:.1f} s, {total:.1f} s with "
            "opening and closing (compaction)")
    # the answers of the shipped queries, computed once and kept beside the store
    with StoreWriter(folder) as writer:
        seconds, kept = timed(writer.precompute_answers)
    out["kgbuild_precompute_answers_s"] = round(seconds, 1)
    out["kgbuild_precompute_answers_s_per_million"] = round(seconds / million, 1)
    out["kgbuild_precompute_answers_kept"] = kept
    log(f"load: the shipped queries' answers precomputed in {seconds:.1f} s ({kept} kept)")
    return out


# ------------------------------------------------------------------------------ SHACL
def shacl(work: Path, *, articles_for_100k: int, seed: int, workers: int, big_store: Any,
          big_quads: int, do_big: bool, batch_articles: int) -> dict[str, Any]:
    import kgbuild
    from kgbuild.check.batched import validate_in_batches
    from kgbuild.check.validate import validate

    folder = corpus(work, articles_for_100k, seed)
    kg = kgbuild.build([folder])
    n = len(kg)
    per = 1e5 / n
    out: dict[str, Any] = {"triples": n, "articles": articles_for_100k,
                           "batch_articles": batch_articles}
    from kgbuild.check.shacl_sparql import validate_dataset, validate_store

    seconds, compiled = timed(lambda: kg.validate())  # the build's graphs, on Oxigraph
    out["compiled_from_build_s"] = round(seconds, 2)
    out["compiled_from_build_s_per_100k"] = round(seconds * per, 2)
    log(f"shacl: compiled to SPARQL, from the build's graphs {seconds:.2f} s, "
        f"{compiled.counts()}")
    seconds, compiled_ds = timed(lambda: validate_dataset(kg.dataset))
    out["compiled_from_dataset_s"] = round(seconds, 2)
    log(f"shacl: compiled to SPARQL, from an rdflib Dataset {seconds:.2f} s")
    seconds, whole = timed(lambda: validate(kg.dataset))
    out["whole_pyshacl_s"] = round(seconds, 1)
    out["whole_pyshacl_s_per_100k"] = round(seconds * per, 1)
    log(f"shacl: whole graph {seconds:.1f} s for {n} triples, {whole.counts()}")
    seconds, serial = timed(lambda: validate_in_batches(kg.dataset,
                                                        batch_articles=batch_articles))
    out["batched_serial_s_per_100k"] = round(seconds * per, 1)
    log(f"shacl: batched serial {seconds:.1f} s, {serial.counts()}")
    seconds, parallel = timed(lambda: validate_in_batches(kg.dataset,
                                                          batch_articles=batch_articles,
                                                          workers=workers))
    out[f"batched_{workers}workers_s_per_100k"] = round(seconds * per, 1)
    log(f"shacl: batched {workers} workers {seconds:.1f} s, {parallel.counts()}")
    same = {_key(r) for r in whole} == {_key(r) for r in serial} == {_key(r) for r in parallel}
    out["same_results_as_whole_graph"] = same
    out["compiled_same_results"] = ({_key(r) for r in compiled} == {_key(r) for r in whole}
                                    == {_key(r) for r in compiled_ds})
    out["counts"] = whole.counts()
    if big_store is not None:
        seconds, fast = timed(lambda: validate_store(big_store))
        out["big_quads"] = big_quads
        out["big_compiled_s"] = round(seconds, 1)
        out["big_compiled_counts"] = fast.counts()
        log(f"shacl: big store, compiled to SPARQL {seconds:.1f} s, {fast.counts()}")
    if do_big and big_store is not None:
        seconds, report = timed(lambda: validate_in_batches(big_store,
                                                            batch_articles=batch_articles,
                                                            workers=workers))
        out["big_quads"] = big_quads
        out[f"big_batched_{workers}workers_s"] = round(seconds, 1)
        out[f"big_batched_{workers}workers_s_per_100k"] = round(seconds * 1e5 / big_quads, 1)
        out["big_counts"] = report.counts()
        log(f"shacl: big store {seconds:.1f} s, {report.counts()}")
    return out


def _key(r: Any) -> tuple[str, ...]:
    return (r.severity, r.shape_name, str(r.focus), str(r.path), str(r.value), *r.articles)


# ------------------------------------------------------------------------------ report
def table(results: dict[str, Any]) -> str:
    lines: list[str] = []

    def row(*cells: Any) -> None:
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")

    m = results["machine"]
    lines.append(f"machine: {m['nproc']} cores ({m['cpu']}), Python {m['python']}, "
                 f"spaCy {m['spacy']} ({m['model']}), rdflib {m['rdflib']}, "
                 f"pyoxigraph {m['pyoxigraph']}, pySHACL {m['pyshacl']}; "
                 f"load average {m['load_average_at_start']} at start, "
                 f"{results.get('load_average_at_end')} at end")
    t = results.get("throughput")
    if t:
        lines += ["", f"## Throughput ({t['articles']} articles, {t['words']} words, "
                  f"batch size 4, best of {t['repeat']})", ""]
        row("run", "seconds", "articles/s", "words/s")
        row("---", "---:", "---:", "---:")
        for name, r in t["rates"].items():
            row(name, r["seconds"], r["articles_per_s"], r["words_per_s"])
        lines.append("")
        row("ratio", "value", "target")
        row("---", "---:", "---")
        for name, value in t["ratios"].items():
            # the whole build: issue 14's target; extraction alone: the earlier one
            target = ("-" if "_vs_" not in name
                      else ">= 0.85" if name.startswith("build") else ">= 0.8")
            row(name, value, target)
        if "cpu_ratios_serial" in t:
            lines.append("")
            lines.append("Serial runs in CPU seconds (best of the runs): " + ", ".join(
                f"{name} {value}" for name, value in t["cpu_seconds_serial"].items()) + "; "
                + ", ".join(f"{name} {value}" for name, value in t["cpu_ratios_serial"].items()))
    mem = results.get("memory")
    if mem:
        lines += ["", f"## Peak memory ({mem['workers']} workers; budget "
                  f"{mem['budget_s']:.0f} s per run)", ""]
        row("articles", "mode", "finished", "articles done", "seconds", "peak RSS MB (parent)",
            "peak RSS MB (workers, sampled)", "triples")
        row("---:", "---", "---", "---:", "---:", "---:", "---:", "---:")
        for r in mem["runs"]:
            row(r["articles"], r["mode"], r["finished"], r.get("articles",
                r.get("articles_done")) if r["finished"] else r.get("articles_done", 0),
                r.get("seconds", r["wall_s"]),
                r.get("peak_rss_mb", r.get("peak_rss_mb_seen", "")),
                r.get("peak_children_rss_mb_sampled", ""), r.get("triples", ""))
        lines.append("")
        lines.append("RSS samples (articles: parent MB / workers MB):")
        for r in mem["runs"]:
            pts = ", ".join(f"{s['articles']}: {s['rss_mb']:.0f}/{s['children_rss_mb']:.0f}"
                            for s in r["samples"][:: max(1, len(r["samples"]) // 10)])
            lines.append(f"- {r['mode']} {r['articles']}: {pts}")
    q = results.get("queries")
    if q:
        lines += ["", f"## Queries on {q['quads']:,} quads ({q['articles']:,} articles; "
                  f"{q['union_triples']:,} distinct triples)", "",
                  "Oxigraph through kgbuild.store.query_store (rows converted to Python); "
                  "'union store': the distinct triples in the default graph; 'named graphs': "
                  "kgbuild's store layout, one graph per article; rdflib: Dataset.query on "
                  "the union, rows counted.", ""]
        row("query", "rows", "Oxigraph union store: all rows", "first 100 rows",
            "with a parameter", "Oxigraph named graphs", "rdflib", "target < 1 s")
        row("---", "---:", "---:", "---:", "---:", "---:", "---:", "---")

        def shown(r: dict[str, Any], key: str) -> Any:
            return r[key] if r.get(key) is not None else r.get(key.removesuffix("_s") + "_error")

        for r in q["rows"]:
            counts = {r.get("oxigraph_rows"), r.get("rdflib_rows")} - {None}
            rows = "/".join(str(c) for c in sorted(counts))
            param = (f"{shown(r, 'oxigraph_param_s')} ({r['oxigraph_param_rows']} rows)"
                     if "oxigraph_param" in r else "-")
            ok = [r.get(k) is not None and r[k] < 1 for k in
                  ("oxigraph_s", "oxigraph_first100_s", "oxigraph_param_s") if k in r]
            verdict = "all rows" if ok[0] else "first page" if ok[1] else "NO"
            if len(ok) > 2 and ok[2] and not ok[0]:
                verdict += ", parameter"
            row(r["query"], rows, shown(r, "oxigraph_s"), shown(r, "oxigraph_first100_s"),
                param, shown(r, "oxigraph_named_graphs_s"), shown(r, "rdflib_s"), verdict)
        params = sorted({r["oxigraph_param"] for r in q["rows"] if "oxigraph_param" in r})
        lines.append("")
        lines.append("parameters: " + "; ".join(params))
    s = results.get("shacl")
    if s:
        lines += ["", f"## SHACL ({s['triples']:,} triples, {s['articles']} articles)", ""]
        row("approach", "seconds per 100k triples")
        row("---", "---:")
        for key, value in s.items():
            if key.endswith("_per_100k"):
                row(key.removesuffix("_s_per_100k"), value)
        lines.append("")
        lines.append(f"same results as whole-graph validation: "
                     f"{s['same_results_as_whole_graph']}; counts {s['counts']}")
        if "big_compiled_s" in s:
            lines.append(f"big store, compiled to SPARQL: {s['big_quads']:,} quads in "
                         f"{s['big_compiled_s']} s ({s['big_compiled_counts']})")
        key = next((k for k in s if k.startswith("big_batched") and k.endswith("workers_s")),
                   None)
        if key is not None:
            lines.append(f"big store, batched pySHACL: {s['big_quads']:,} quads in {s[key]} s "
                         f"({s['big_counts']})")
    ld = results.get("load")
    if ld:
        lines += ["", f"## Load ({ld['quads']:,} quads)", ""]
        row("loader", "seconds per million triples")
        row("---", "---:")
        for key, value in ld.items():
            if key.endswith("_per_million"):
                row(key.removesuffix("_s_per_million"), value)
        if "error" in ld:
            lines.append(f"kgbuild store writer: {ld['error']}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated, of {', '.join(SECTIONS)}")
    parser.add_argument("--articles", type=int, default=400,
                        help="articles of the throughput corpus (also the base of the store)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="throughput runs, best kept")
    parser.add_argument("--memory-sizes", default="1000,10000")
    parser.add_argument("--memory-modes", default="stream,store,build")
    parser.add_argument("--memory-budget", type=float, default=600,
                        help="seconds before a memory run is stopped")
    parser.add_argument("--triples", type=int, default=1_000_000,
                        help="least size of the query store")
    parser.add_argument("--rdflib-timeout", type=float, default=30)
    parser.add_argument("--oxigraph-timeout", type=float, default=30)
    parser.add_argument("--shacl-triples", type=int, default=100_000,
                        help="about this many triples for the per-100k SHACL figures")
    parser.add_argument("--shacl-big", action=argparse.BooleanOptionalAction, default=True,
                        help="also validate the big store in batches")
    parser.add_argument("--batch-articles", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    # the memory subprocess
    parser.add_argument("--child-memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="stream", help=argparse.SUPPRESS)
    parser.add_argument("--progress-file", help=argparse.SUPPRESS)
    parser.add_argument("--sample-every", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--child-queries", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--queries", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    parser.add_argument("--union", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-limit-gb", type=float, default=4.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_memory:
        return memory_child(args)
    if args.child_queries:
        return queries_child(args)

    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "arguments": {
        k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
        if not k.startswith(("child", "corpus", "mode", "progress", "sample", "store",
                             "queries", "params", "memory_limit"))}}
    started = time.perf_counter()
    if "throughput" in sections:
        results["throughput"] = throughput(args.work, articles=args.articles,
                                           workers=args.workers, seed=args.seed,
                                           repeat=args.repeat)
    if "memory" in sections:
        sizes = [int(x) for x in args.memory_sizes.split(",") if x.strip()]
        modes = [m.strip() for m in args.memory_modes.split(",") if m.strip()]
        results["memory"] = memory(args.work, sizes=sizes, workers=args.workers,
                                   seed=args.seed, budget=args.memory_budget, modes=modes)
    big_store = None
    big: dict[str, Any] = {}
    if {"queries", "load"} & set(sections) or ("shacl" in sections and args.shacl_big):
        big = big_nquads(args.work, base_articles=args.articles, seed=args.seed,
                         triples=args.triples)
        log(f"big graph: {big}")
        load, queries, (big_store, big_ds) = load_and_query(
            args.work, big, rdflib_timeout=args.rdflib_timeout,
            oxigraph_timeout=args.oxigraph_timeout, keep_rdflib="load" in sections)
        if "queries" in sections:
            results["queries"] = queries
        if "load" in sections:
            load.update(store_writer_load(args.work, big_ds, big["quads"]))
            results["load"] = load
        del big_ds
    if "shacl" in sections:
        per_article = 300  # about; the first build tells
        base = args.work / f"base-{args.seed}-{args.articles}.nq"
        if base.exists():
            per_article = max(1, sum(1 for _ in base.open()) // args.articles)
        n = max(1, round(args.shacl_triples / per_article))
        results["shacl"] = shacl(args.work, articles_for_100k=n, seed=args.seed,
                                 workers=args.workers, big_store=big_store,
                                 big_quads=big.get("quads", 0), do_big=args.shacl_big,
                                 batch_articles=args.batch_articles)
    results["load_average_at_end"] = os.getloadavg()
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    print(table(results))
    log(f"wrote {args.out} in {results['total_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
