"""The persistent store: builds into it, incremental rebuilds, locking, reading, and kills.

What is checked:

- a store build holds the same graph as a file build (seeds), and a store reads back
  (validate, export, both query engines) as the file does;
- a rebuild processes only new or changed articles; a changed article's graph is
  replaced, never duplicated; ``prune`` removes articles no longer in the sources;
- one writer at a time: a second build fails fast with a StoreError (in this
  process, from the command line, and from another process);
- a build killed at random points (slow) leaves a store that opens, in which every
  article is either fully in (exactly the graph of a clean build) or fully out, and
  that a rerun completes.
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal

import kgbuild
from kgbuild.cli import cli
from kgbuild.core.errors import InputError, QueryError, QueryTimeout, StoreError
from kgbuild.core.namespaces import KG, NIF
from kgbuild.graph.rdf import KB_GRAPH, RESOLUTION_GRAPH, graph_iri
from kgbuild.kg.stored import StoreKnowledgeGraph
from kgbuild.store import (
    LOCK_FILE,
    StoreWriter,
    content_hash,
    is_store,
    query_store,
)

# --- a small generated corpus ---------------------------------------------------------------

_SIDES = [("Azerbaijan", "Azerbaijani"), ("Armenia", "Armenian")]
_PLACES = ["Nagorno-Karabakh", "Stepanakert", "the Lachin region"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_NUMBERS = ["two", "three", "four", "five", "six", "seven"]


def article_text(index: int, *, variant: int = 0) -> str:
    """A short news article; ``variant`` changes its text (and so its hash)."""
    rng = random.Random(index * 7919 + variant)
    (attacker, adjective), (target, target_adj) = rng.sample(_SIDES, 2)
    place, number = rng.choice(_PLACES), rng.choice(_NUMBERS)
    # one calendar date per article: events of different articles never merge, so an
    # article's graph does not depend on which other articles share its build run
    # (cross-run event merging is not done; see kgbuild.store.oxstore)
    day = f"{_DAYS[index % len(_DAYS)]}, March {index % 28 + 1}, {2000 + index}"
    title = f"{attacker} shells positions near {place} (report {index}.{variant})"
    body = [
        f"{adjective} forces shelled {target_adj} positions near {place} on {day}, "
        f"killing {number} soldiers, the defense ministry of {target} said.",
        f"The ministry of {attacker} denied the report and accused {target} of "
        f"violating the ceasefire.",
        f"Russian peacekeepers said {rng.choice(_NUMBERS)} civilians were injured in "
        f"{place}.",
    ]
    return title + "\n\n" + "\n\n".join(body) + "\n"


def write_corpus(folder: Path, count: int, *, changed: frozenset[int] = frozenset()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        variant = 1 if index in changed else 0
        (folder / f"a{index:02d}.txt").write_text(article_text(index, variant=variant),
                                                   encoding="utf-8")
    return folder


def graphs_of(store_dir: Path) -> dict[str, frozenset[str]]:
    """Every named graph of a store (opened read-only) as a set of N-Quads lines.

    Also checks that the default graph holds exactly the union of the named graphs.
    """
    return graphs_in(ox.Store.read_only(str(store_dir / "oxigraph")))


def graphs_in(store: ox.Store) -> dict[str, frozenset[str]]:
    """:func:`graphs_of` on an open store."""
    graphs: dict[str, set[str]] = {}
    union: set[str] = set()
    default: set[str] = set()
    for quad in store:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default.add(str(quad.triple))
        else:
            graphs.setdefault(quad.graph_name.value, set()).add(str(quad))
            union.add(str(quad.triple))
    assert default == union, (
        f"the default graph is not the union of the named graphs: "
        f"{len(default - union)} extra, {len(union - default)} missing")
    return {name: frozenset(lines) for name, lines in graphs.items()}


def dataset_quads(ds: Dataset) -> set[tuple[object, ...]]:
    return set(ds.quads((None, None, None, None)))


# --- the seeds, built into a store once ----------------------------------------------------


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("store") / "kg"
    kg = kgbuild.build([seeds_dir], store=folder)
    assert isinstance(kg, StoreKnowledgeGraph)
    assert kg.stats.articles == 2 and kg.stats.unchanged == 0
    kg.close()
    return folder


@pytest.fixture(scope="module")
def seed_file_graph(seeds_dir: Path) -> Dataset:
    return kgbuild.build([seeds_dir]).dataset


def test_store_holds_the_graph_of_a_file_build(seed_store: Path, seed_file_graph: Dataset) -> None:
    assert is_store(seed_store)
    with kgbuild.load(seed_store) as kg:
        assert isinstance(kg, StoreKnowledgeGraph)
        assert dataset_quads(kg.dataset) == dataset_quads(seed_file_graph)
        names = set(graphs_of(seed_store))
    expected = {str(g.identifier) for g in seed_file_graph.graphs() if len(g)}
    assert names == expected
    assert str(KB_GRAPH) in names


def test_store_reads_back_like_the_file(seed_store: Path, seed_file_graph: Dataset) -> None:
    from kgbuild.query import named_query

    with kgbuild.load(seed_store) as kg:
        assert kg.validate().conforms
        sparql = named_query("actors").read_text(encoding="utf-8")
        on_store = kg.query(sparql, engine="oxigraph")
        copied = kg.query(sparql, engine="rdflib")
        assert on_store.rows and sorted(map(str, on_store.rows)) == sorted(map(str, copied.rows))
        from_file = kgbuild.KnowledgeGraph(seed_file_graph)
        assert kg.serialize(None, format="nq") == from_file.serialize(None, format="nq")


def test_content_hash_matches_the_rdf_stage(seed_store: Path, seeds_dir: Path) -> None:
    from kgbuild.inputs.articles import read_articles

    store = ox.Store.read_only(str(seed_store / "oxigraph"))
    for article in read_articles([seeds_dir]):
        graph = ox.NamedNode(str(graph_iri(article.id)))
        found = [q.object.value for q in store.quads_for_pattern(
            None, ox.NamedNode(str(KG.contentHash)), None, graph)]
        assert found == [content_hash(article)]


def test_rebuild_skips_unchanged_articles(seed_store: Path, seeds_dir: Path,
                                          seed_file_graph: Dataset) -> None:
    before = graphs_of(seed_store)
    kg = kgbuild.build([seeds_dir], store=seed_store)
    assert (kg.stats.articles, kg.stats.unchanged) == (0, 2)
    # distinct triples, as a file build counts them
    assert kg.stats.triples == len(seed_file_graph) < sum(len(g) for g in before.values())
    kg.close()
    assert graphs_of(seed_store) == before


# --- incremental builds on a generated corpus ----------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus", 4)


def test_a_chunked_store_build_is_a_run_per_chunk(tmp_path: Path) -> None:
    # A build in chunks of two articles stores what three runs of two, two and one
    # articles store (events merge within a chunk, entities everywhere), and its
    # counts do not double entities that several chunks mention.
    from kgbuild.core.config import Settings

    corpus = write_corpus(tmp_path / "corpus", 5)
    chunked = kgbuild.build([corpus], store=tmp_path / "chunked",
                            settings=Settings(store_chunk=2))
    chunked.close()
    runs = tmp_path / "runs"
    files = sorted(corpus.iterdir())
    for first in range(0, len(files), 2):
        kgbuild.build(files[first:first + 2], store=runs).close()
    assert graphs_of(tmp_path / "chunked") == graphs_of(runs)
    whole = kgbuild.build([corpus], store=tmp_path / "whole")
    whole.close()
    assert chunked.stats.articles == whole.stats.articles == 5
    assert chunked.stats.entities == whole.stats.entities
    assert chunked.stats.events >= whole.stats.events  # fewer merges, never more
    result = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "cli"),
                                      "--store-chunk", "2"])
    assert result.exit_code == 0, result.output
    assert graphs_of(tmp_path / "cli") == graphs_of(runs)


def _nquads(source: Path | list[Path], **kw: object) -> bytes:
    kg = kgbuild.build(source if isinstance(source, list) else [source], **kw)  # type: ignore[arg-type]
    try:
        data = kg.serialize(None, format="nq")
    finally:
        if isinstance(kg, StoreKnowledgeGraph):
            kg.close()
    assert data is not None
    return data



def _changed_copy(corpus: Path, changed: Path) -> Path:
    """A copy of a shared-events corpus in which one article reports another event and
    one article is gone."""
    shutil.copytree(corpus, changed)
    first = changed / "shared-00-0.txt"
    first.write_text(first.read_text(encoding="utf-8").replace("Stepanakert", "Shusha"),
                     encoding="utf-8")
    (changed / "shared-01-1.txt").unlink()
    (changed / "shared-01-1.meta.json").unlink()
    return changed


def test_events_merge_across_chunks_runs_and_prunes_as_in_a_file_build(
        tmp_path: Path, shared_events: Any) -> None:
    # Articles that report the same events, cut into chunks and runs every which way,
    # end as a file build of the same articles does: quad for quad.
    from kgbuild.core.config import Settings

    corpus = shared_events(tmp_path / "corpus", 4)
    shared_events.synthetic(corpus, 3, seed=2)
    files = sorted(corpus.glob("*.txt"))
    whole = _nquads(corpus)
    assert b"/graph/resolution>" in whole  # the corpus does merge events
    for chunk in (1, 3):
        assert _nquads(corpus, store=tmp_path / f"chunk{chunk}",
                       settings=Settings(store_chunk=chunk)) == whole, chunk
    # run by run: the second report of each event comes in a later run
    runs = tmp_path / "runs"
    _nquads(files[::2], store=runs)
    assert _nquads(corpus, store=runs) == whole
    # an article changed so that it reports another event, and a pruned one
    changed = _changed_copy(corpus, tmp_path / "changed")
    expected = _nquads(changed)
    assert expected != whole
    assert _nquads(changed, store=runs, prune=True) == expected


def test_changed_article_is_replaced_not_duplicated(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    kgbuild.build([corpus], store=store).close()
    old_text = (corpus / "a01.txt").read_text(encoding="utf-8")
    write_corpus(corpus, 4, changed=frozenset({1}))
    kg = kgbuild.build([corpus], store=store)
    assert (kg.stats.articles, kg.stats.unchanged) == (1, 3)
    ds = kg.dataset
    graph = ds.graph(graph_iri("a01.txt"))
    texts = {str(o) for o in graph.objects(None, NIF.isString)}
    hashes = list(graph.objects(None, KG.contentHash))
    assert texts == {(corpus / "a01.txt").read_text(encoding="utf-8")}
    assert len(hashes) == 1
    assert Literal(old_text) not in set(ds.objects(None, NIF.isString))
    kg.close()
    # the same as building the changed corpus alone, for the changed article
    fresh = kgbuild.build([corpus / "a01.txt"], store=tmp_path / "fresh")
    assert set(graphs_of(store)[str(graph_iri("a01.txt"))]) == set(
        graphs_of(tmp_path / "fresh")[str(graph_iri("a01.txt"))])
    fresh.close()


def test_new_articles_are_added_and_prune_removes_missing(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    kgbuild.build([corpus], store=store).close()
    write_corpus(corpus, 6)  # a04 and a05 are new
    (corpus / "a03.txt").unlink()
    kg = kgbuild.build([corpus], store=store)
    assert (kg.stats.articles, kg.stats.unchanged, kg.stats.pruned) == (2, 3, 0)
    kg.close()
    names = set(graphs_of(store))
    assert str(graph_iri("a03.txt")) in names  # kept without prune
    kg = kgbuild.build([corpus], store=store, prune=True)
    assert (kg.stats.articles, kg.stats.unchanged, kg.stats.pruned) == (0, 5, 1)
    kg.close()
    names = set(graphs_of(store))
    assert names == {str(graph_iri(f"a{i:02d}.txt")) for i in (0, 1, 2, 4, 5)} | {str(KB_GRAPH)}


def test_prune_is_skipped_when_an_input_was_skipped(corpus: Path, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    store = tmp_path / "kg"
    kgbuild.build([corpus], store=store).close()
    (corpus / "a02.txt").write_bytes(b"\x00\x01\x02 binary")
    kg = kgbuild.build([corpus], store=store, prune=True, on_problem=lambda err: None)
    assert kg.stats.skipped == 1 and kg.stats.pruned == 0
    kg.close()
    assert str(graph_iri("a02.txt")) in graphs_of(store)
    assert "not pruning" in caplog.text


def test_a_loaded_store_does_not_block_a_build_in_the_same_process(corpus: Path,
                                                                    tmp_path: Path) -> None:
    store = tmp_path / "kg"
    first = kgbuild.build([corpus], store=store)
    count = len(first)
    write_corpus(corpus, 5)
    second = kgbuild.build([corpus], store=store)  # `first` still alive: it lets go
    assert second.stats.articles == 1
    assert len(first) > count  # and reopens on its next use, seeing the new article
    rows = first.query(f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a <{KG.Article}> }}",
                       engine="oxigraph").rows
    assert int(rows[0][0]) == 5
    first.close()
    second.close()


# --- one writer ------------------------------------------------------------------------------


def test_a_second_build_fails_fast(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    with StoreWriter(store):
        started = time.perf_counter()
        with pytest.raises(StoreError, match=r"in use: a kgbuild build .* is writing"):
            kgbuild.build([corpus], store=store)
        assert time.perf_counter() - started < 2
    kgbuild.build([corpus], store=store).close()  # free again


def test_a_build_fails_while_the_store_is_read(corpus: Path, tmp_path: Path) -> None:
    from kgbuild.store import reader_lock

    store = tmp_path / "kg"
    kgbuild.build([corpus], store=store).close()
    lock = reader_lock(store)  # what `kgbuild serve` holds
    try:
        with pytest.raises(StoreError, match="reading it"):
            kgbuild.build([corpus], store=store)
    finally:
        lock.close()


def test_reading_fails_while_a_build_writes(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    kgbuild.build([corpus], store=store).close()
    with StoreWriter(store), pytest.raises(StoreError, match="wait until the build is done"):
        kgbuild.load(store)


def test_cli_second_build_exits_2(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    with StoreWriter(store):
        result = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store)])
    assert result.exit_code == 2, result.output
    assert "the store is in use" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_second_build_from_another_process_fails_fast(corpus: Path, tmp_path: Path,
                                                     repo_root: Path) -> None:
    store = tmp_path / "kg"
    env = dict(os.environ, PYTHONPATH=str(repo_root / "src"))
    with StoreWriter(store):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "kgbuild", "build", str(corpus), "--store",
                               str(store)], capture_output=True, text=True, env=env,
                              timeout=120, check=False)
        elapsed = time.perf_counter() - started
    assert done.returncode == 2, done.stderr
    assert f"process {os.getpid()}" in done.stderr and "is writing into it" in done.stderr
    assert elapsed < 30  # it does not wait for the first build


# --- store folders that are not stores -------------------------------------------------------


def test_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="not a kgbuild store"):
        kgbuild.load(tmp_path / "other")
    with pytest.raises(StoreError, match="not empty and not a kgbuild store"):
        StoreWriter(tmp_path / "other")
    with pytest.raises(StoreError, match="parent folder does not exist"):
        StoreWriter(tmp_path / "missing" / "kg")
    assert not (tmp_path / "other" / LOCK_FILE).exists()


def test_writes_keep_the_union_exact_through_replacements_and_prune(tmp_path: Path) -> None:
    # Two graphs share a triple; replacing one, then pruning the other, must keep the
    # shared triple exactly as long as one graph holds it. Odd literals go through
    # the SPARQL update text unchanged.
    from rdflib import URIRef
    from rdflib.namespace import RDFS, XSD

    ex = "https://example.org/"
    a, b = str(graph_iri("a.txt")), str(graph_iri("b.txt"))
    shared = (URIRef(ex + "s"), RDFS.label, Literal("shared"))
    odd = [Literal(v) for v in ('quote " and \\ backslash', "line\nbreak\ttab", "\u0001\u007f",
                                "emoji \U0001F600 and \u00e9\u0301", "")]
    odd += [Literal("3", datatype=XSD.integer), Literal("2022-08-03", datatype=XSD.date),
            Literal("Ereván", lang="es")]
    own_a = [(URIRef(ex + "a"), URIRef(ex + f"p{i}"), v) for i, v in enumerate(odd)]
    store = tmp_path / "kg"
    with StoreWriter(store) as writer:
        writer.replace_graphs([(a, [shared, *own_a]), (b, [shared])])
        assert len(writer) == 1 + len(own_a)
    first = graphs_of(store)  # checks default graph == union of the named graphs
    assert len(first[a]) == 1 + len(own_a) and len(first[b]) == 1
    with kgbuild.load(store) as kg:
        assert set(kg.dataset.graph(URIRef(a))) == {shared, *own_a}
    with StoreWriter(store) as writer:
        writer.replace_graph(a, own_a)  # a drops the shared triple: b still holds it
        assert len(writer) == 1 + len(own_a)
        graphs_in(writer.store)
        writer.replace_graph(a, [])  # an empty graph: a's triples leave the union
        assert len(writer) == 1
        graphs_in(writer.store)
        assert writer.prune(keep={a}) == 1  # b goes, and the shared triple with it
        assert len(writer) == 0
    assert graphs_of(store) == {}


def test_a_database_killed_while_being_created_is_never_in_place(tmp_path: Path) -> None:
    # A CI run killed a first build after RocksDB wrote CURRENT but before Oxigraph's
    # column families existed; the store then failed to open ("Column family not
    # found"). The database is now created under a staging name and renamed.
    store = tmp_path / "kg"
    with StoreWriter(store):
        pass
    db = store / "oxigraph"
    assert (db / "CURRENT").is_file()
    assert not (store / "oxigraph.creating").exists()
    # what a kill during creation leaves: a half-made staging database, no database
    shutil.rmtree(db)
    staging = store / "oxigraph.creating"
    staging.mkdir()
    (staging / "CURRENT").write_text("MANIFEST-000001\n", encoding="utf-8")
    with kgbuild.load(store) as kg:  # a reader sees an empty store
        assert len(kg) == 0
    with StoreWriter(store) as writer:  # a writer starts afresh
        assert len(writer) == 0
    assert not staging.exists()
    with kgbuild.load(store) as kg:
        assert len(kg) == 0


def test_cli_commands_accept_a_store(seed_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["query", str(seed_store), "actors", "--format", "csv"])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("actor,")
    done = runner.invoke(cli, ["validate", str(seed_store)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "graph.nq"
    done = runner.invoke(cli, ["export", str(seed_store), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert kgbuild.load(out).dataset.__len__() > 0
    done = runner.invoke(cli, ["build", "seeds/", "--store", str(seed_store), "-o", "x.trig"])
    assert done.exit_code == 2 and "not both" in done.output


def test_cli_build_store_summary(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    done = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store)])
    assert done.exit_code == 0, done.output
    assert "4 new or changed articles, 0 unchanged" in done.stderr
    done = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store), "--prune"])
    assert done.exit_code == 0, done.output
    assert "0 new or changed articles, 4 unchanged, 0 removed" in done.stderr


# --- queries on the store ---------------------------------------------------------------------


def _numbers_store(size: int) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:x:p"), ox.Literal(str(i)),
                         ox.NamedNode(f"urn:g:{i % 3}")) for i in range(size))
    return store


def test_query_store_rules() -> None:
    store = _numbers_store(50)
    result = query_store(store, "SELECT ?s WHERE { ?s ?p ?o }", limit=10)
    assert len(result.rows) == 10 and result.truncated
    with pytest.raises(QueryError, match="SERVICE is disabled"):
        query_store(store, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match="FROM"):
        query_store(store, "SELECT * FROM <http://127.0.0.1:9/> WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="only SELECT"):
        query_store(store, "ASK { ?s ?p ?o }")
    rows = query_store(store, "SELECT ?s WHERE { ?s ?p ?o }", params={"o": "7"}).rows
    assert [str(r[0]) for r in rows] == ["urn:x:7"]


def test_query_store_timeout() -> None:
    store = _numbers_store(400)
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        query_store(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                    timeout=0.5)
    assert time.perf_counter() - started < 5


# --- kills -------------------------------------------------------------------------------------


def _build_command(corpus: Path, store: Path, *, chunk: int | None = None) -> list[str]:
    command = [sys.executable, "-m", "kgbuild", "-v", "build", str(corpus), "--store",
               str(store)]
    return command + (["--store-chunk", str(chunk)] if chunk else [])


def _complete(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def _run_and_kill(command: list[str], env: dict[str, str], *, after_lines: int | None,
                  after_seconds: float | None, rng: random.Random) -> bool:
    """Run a build and SIGKILL it after its n-th stored graph or after some time.

    Returns:
        True when the process was killed, False when it finished first.
    """
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, env=env)
    assert process.stderr is not None
    stored = 0
    trigger = threading.Event()

    def read() -> None:
        nonlocal stored
        assert process.stderr is not None
        for line in process.stderr:
            if "stored " in line:
                stored += 1
                if after_lines is not None and stored >= after_lines:
                    trigger.set()
        trigger.set()  # the process ended

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if after_seconds is not None:
        trigger.wait(after_seconds)
    else:
        trigger.wait(300)
        time.sleep(rng.uniform(0, 0.01))
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    process.wait(60)
    reader.join(10)
    return killed


def _check_all_or_nothing(store: Path, references: list[dict[str, frozenset[str]]],
                          own: dict[str, frozenset[str]] | None = None) -> int:
    """Every article graph present equals that article's graph in one of the references,
    or (killed before the build merged events across articles) the article's own graph."""
    kgbuild.load(store).close()  # the store opens, and no lock is left behind
    present = graphs_of(store)
    articles = [name for name in present if name not in (str(KB_GRAPH), str(RESOLUTION_GRAPH))]
    for name in articles:
        assert (any(present[name] == ref.get(name) for ref in references)
                or present[name] == (own or {}).get(name)), (
            f"{name} is in the store but is not the graph of a complete build")
    return len(articles)


def _own_graphs(files: list[Path], folder: Path) -> dict[str, frozenset[str]]:
    """The graph of each article built alone (into a store, for the same N-Quads form)."""
    out: dict[str, frozenset[str]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        store = folder / path.stem
        kgbuild.build([path], store=store).close()
        name = str(graph_iri(path.name))
        out[name] = graphs_of(store)[name]
    return out


@pytest.mark.slow
def test_killed_builds_leave_every_article_fully_in_or_out(tmp_path: Path, repo_root: Path,
                                                           shared_events: Any) -> None:
    # A new seed each run explores other kill points; a failure prints it (rerun with it).
    # Some articles report the same events, and the killed builds work in chunks of
    # three that cut them apart: a killed build, rebuilt, equals a clean build (in
    # one chunk) quad for quad.
    seed = int(os.environ.get("KGBUILD_KILL_SEED", random.randrange(2**32)))
    print(f"KGBUILD_KILL_SEED={seed}")
    rng = random.Random(seed)
    # one article per transaction, or several (each transaction must be all or nothing)
    # (the generated articles hold 200 to 250 quads: "450" stores two at a time)
    per_transaction = rng.choice(["1", "450"])
    per_write = 1 if per_transaction == "1" else 2  # articles per "stored" log line
    print(f"KGBUILD_STORE_TRANSACTION_QUADS={per_transaction}")
    env = dict(os.environ, PYTHONPATH=str(repo_root / "src"),
               KGBUILD_STORE_TRANSACTION_QUADS=per_transaction)
    count = 20
    corpus = write_corpus(tmp_path / "corpus", count)
    shared_events(corpus, 3)
    shared = sorted(corpus.glob("shared-*.txt"))
    total = count + len(shared)
    chunk = 3
    # what a killed build may hold of these before it merged them: their own graphs
    own = _own_graphs(shared, tmp_path / "own")

    # clean references: the whole corpus, and the corpus with half its articles changed
    # built incrementally on top of it (the same batch a killed rerun processes)
    clean = tmp_path / "clean"
    started = time.perf_counter()
    _complete(_build_command(corpus, clean), env)
    clean_seconds = time.perf_counter() - started
    old = graphs_of(clean)
    assert len(old) == total + 2  # the articles, the KB graph, the resolution graph
    changed = frozenset(range(0, count, 2))
    changed_corpus = write_corpus(tmp_path / "changed", count, changed=changed)
    shared_events(changed_corpus, 3)
    shutil.copytree(clean, tmp_path / "clean-new")
    _complete(_build_command(changed_corpus, tmp_path / "clean-new"), env)
    new = graphs_of(tmp_path / "clean-new")

    kills: list[tuple[str, int]] = []
    # 1. fresh stores, killed at a random time or after a random number of stored graphs
    resumed = tmp_path / "kill-0"
    for attempt, (lines, seconds) in enumerate([
        (None, rng.uniform(0.4, 0.8) * clean_seconds),
        (rng.randint(1, count // per_write - 3), None),
    ]):
        store = tmp_path / f"kill-{attempt}"
        if _run_and_kill(_build_command(corpus, store, chunk=chunk), env, after_lines=lines,
                         after_seconds=seconds, rng=rng):
            if is_store(store):
                kills.append((f"fresh store, {lines or f'{seconds:.1f} s'}",
                              _check_all_or_nothing(store, [old], own)))
            else:
                kills.append((f"fresh store, {seconds:.1f} s, before the store existed", 0))
        if attempt == 1:  # (kill-0 is resumed below)
            # killed, then rebuilt: the clean build, quad for quad
            _complete(_build_command(corpus, store, chunk=chunk), env)
            assert graphs_of(store) == old, "a killed store, rebuilt, is not the clean build"
    # 2. a killed store resumed, killed again, then completed
    if _run_and_kill(_build_command(corpus, resumed, chunk=chunk), env, after_lines=1,
                     after_seconds=None, rng=rng):
        kills.append(("resumed store", _check_all_or_nothing(resumed, [old], own)))
    _complete(_build_command(corpus, resumed, chunk=chunk), env)
    final = graphs_of(resumed)
    assert final == old
    for name, quads in final.items():
        hashes = [q for q in quads if str(KG.contentHash) in q]
        assert name in (str(KB_GRAPH), str(RESOLUTION_GRAPH)) or len(hashes) == 1
    # 3. changed articles being replaced: each is the old graph, the new graph, or absent
    store = tmp_path / "replace"
    shutil.copytree(clean, store)
    lines = rng.randint(1, max(1, len(changed) // per_write - 2))
    if _run_and_kill(_build_command(changed_corpus, store, chunk=chunk), env,
                     after_lines=lines, after_seconds=None, rng=rng):
        present = _check_all_or_nothing(store, [old, new], own)
        after = graphs_of(store)
        replaced = 0
        for index in range(count):
            name = str(graph_iri(f"a{index:02d}.txt"))
            if index not in changed:
                assert after[name] == old[name]
            elif after.get(name) == new[name]:
                replaced += 1
        kills.append((f"replacing, after {lines} graphs ({replaced} of {len(changed)} "
                      "changed articles replaced)", present))
    _complete(_build_command(changed_corpus, store, chunk=chunk), env)
    assert graphs_of(store) == new
    assert len(kills) >= 3, kills
    assert any(0 < n < total for _, n in kills), f"no kill landed while writing: {kills}"
    print("kills (where, article graphs present):", kills)  # shown with -s


class _Killed(Exception):
    """Stands for a kill between two transactions of merge_events."""


class _MergeKiller:
    """Counts merge_events's transactions (their article counts in ``done``) and raises
    :class:`_Killed` after the ``after``-th (0: never)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.after = 0
        self.done: list[int] = []
        write = StoreWriter._write_merge

        def counted(writer: StoreWriter, update: str, articles: int, quads: int) -> None:
            write(writer, update, articles, quads)
            self.done.append(articles)
            if len(self.done) == self.after:
                raise _Killed

        monkeypatch.setattr(StoreWriter, "_write_merge", counted)

    def arm(self, after: int) -> None:
        self.after, self.done = after, []


def _merge(store: Path) -> None:
    from kgbuild.graph.rdf import kb_within
    from kgbuild.kb.knowledge_base import load_kb

    kb = load_kb()
    with StoreWriter(store) as writer:
        writer.merge_events(kb, kb_within(kb))


def test_merge_events_stopped_between_transactions_then_rerun_is_the_clean_build(
        tmp_path: Path, shared_events: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # merge_events writes one article per transaction here: stopped after each of them
    # in turn, the store stays consistent (each article's graph with its records, the
    # union exact), and the next merge ends with the quads of a clean build; also when
    # the store held older merges (changed and pruned articles leave stale records)
    from kgbuild.core.config import Settings

    monkeypatch.setenv("KGBUILD_STORE_MERGE_GRAPHS", "1")
    killer = _MergeKiller(monkeypatch)
    corpus = shared_events(tmp_path / "corpus", 4)
    shared_events.synthetic(corpus, 3, seed=2)
    clean = tmp_path / "clean"
    kgbuild.build([corpus], store=clean, settings=Settings(store_chunk=2)).close()
    expected = graphs_of(clean)
    transactions = len(killer.done)
    assert transactions >= 3 and set(killer.done) == {1}, killer.done
    unmerged = tmp_path / "unmerged"
    with monkeypatch.context() as patched:
        patched.setattr(StoreWriter, "merge_events", lambda self, kb, within: {})
        kgbuild.build([corpus], store=unmerged, settings=Settings(store_chunk=2)).close()
    # the articles changed: one reports another event, one is gone
    changed = _changed_copy(corpus, tmp_path / "changed")
    clean_changed = tmp_path / "clean-changed"
    shutil.copytree(clean, clean_changed)
    kgbuild.build([changed], store=clean_changed, prune=True).close()
    expected_changed = graphs_of(clean_changed)
    stopped = 0
    for kill in range(1, transactions):
        store = tmp_path / f"kill-{kill}"
        shutil.copytree(unmerged, store)
        killer.arm(kill)
        with pytest.raises(_Killed):
            _merge(store)
        assert graphs_of(store) != expected  # (graphs_of checks the union is exact)
        killer.arm(0)
        _merge(store)
        assert graphs_of(store) == expected, f"stopped after transaction {kill}"
        # then the changed corpus, stopped while its merges are rewritten
        killer.arm(kill)
        try:
            kgbuild.build([changed], store=store, prune=True).close()
        except _Killed:
            stopped += 1
        # read it once the stopped build's frames (which hold its open database) are
        # gone, as they are when a process dies
        gc.collect()
        graphs_of(store)
        killer.arm(0)
        kgbuild.build([changed], store=store, prune=True).close()
        assert graphs_of(store) == expected_changed, f"changed, stopped after {kill}"
    assert stopped, "no rebuild of the changed corpus was stopped during its merge"


_MERGE_KILLER = """
import os, sys
from kgbuild.store import StoreWriter
from kgbuild.cli import main
after, done = int(os.environ["KILL_AFTER_TRANSACTIONS"]), []
write = StoreWriter._write_merge
def killing(self, *args):
    write(self, *args)
    done.append(1)
    if len(done) == after:
        os._exit(9)  # no flush, no lock released: as a SIGKILL
StoreWriter._write_merge = killing
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_a_build_killed_during_a_multi_transaction_merge_then_rebuilt_is_the_clean_build(
        tmp_path: Path, repo_root: Path, shared_events: Any) -> None:
    # The real thing: a build process dies (os._exit) after the k-th of the merge's
    # transactions, at a random k (a failure prints the seed); rebuilt, it holds the
    # quads of a clean build.
    seed = int(os.environ.get("KGBUILD_KILL_SEED", random.randrange(2**32)))
    print(f"KGBUILD_KILL_SEED={seed}")
    rng = random.Random(seed)
    env = dict(os.environ, PYTHONPATH=str(repo_root / "src"), KGBUILD_STORE_MERGE_GRAPHS="2")
    corpus = shared_events(tmp_path / "corpus", 6)
    shared_events.synthetic(corpus, 4, seed=3)
    clean = tmp_path / "clean"
    _complete(_build_command(corpus, clean, chunk=3), env)
    expected = graphs_of(clean)
    store = tmp_path / "killed"
    kill = rng.randint(1, 2)
    killed = subprocess.run(
        [sys.executable, "-c", _MERGE_KILLER, "-v", "build", str(corpus), "--store", str(store),
         "--store-chunk", "3", "--no-answers"],
        env=dict(env, KILL_AFTER_TRANSACTIONS=str(kill)), capture_output=True, text=True,
        check=False)
    assert killed.returncode == 9, killed.stderr[-3000:]
    assert "merged events of" in killed.stderr
    assert graphs_of(store) != expected  # killed half-way through the merge
    _complete(_build_command(corpus, store, chunk=3), env)
    assert graphs_of(store) == expected


_BULK_WRITER = """
import sys
from rdflib import Literal, URIRef
from kgbuild.store import StoreWriter
folder, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ex = "https://example.org/"
with StoreWriter(folder) as writer:
    for n in range(first, first + count, 3):  # three new graphs per bulk load
        writer.replace_graphs([
            (f"{ex}graph/{i}", [(URIRef(f"{ex}s{i}-{j}"), URIRef(ex + "p"),
                                 Literal(f"value {i} {j}")) for j in range(400)]
             + [(URIRef(ex + "shared"), URIRef(ex + "p"), Literal(f"shared {i % 5}"))])
            for i in range(n, n + 3)])
        print("stored", n, flush=True)
"""


@pytest.mark.slow
def test_killed_bulk_loads_leave_every_graph_whole_or_absent(tmp_path: Path,
                                                              repo_root: Path) -> None:
    # New graphs go in by Oxigraph's bulk loader (sorted files ingested all at once);
    # kills at random moments, many of them while files are written or ingested, must
    # leave each graph whole or absent and the union exact, and the store must open.
    seed = int(os.environ.get("KGBUILD_KILL_SEED", random.randrange(2**32)))
    print(f"KGBUILD_KILL_SEED={seed}")
    rng = random.Random(seed)
    folder = tmp_path / "kg"
    env = dict(os.environ, PYTHONPATH=str(repo_root / "src"))
    ex = "https://example.org/"
    first = 0
    present_counts = []
    for _ in range(6):
        process = subprocess.Popen(
            [sys.executable, "-c", _BULK_WRITER, str(folder), str(first), "300"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        assert process.stdout is not None
        process.stdout.readline()  # the first batch is in: kill somewhere after it
        time.sleep(rng.uniform(0.0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait(60)
        with StoreWriter(folder):  # opens, and clears what the killed loader left
            pass
        assert not list((folder / "oxigraph").glob("bulk-*.sst"))
        graphs = graphs_of(folder)  # also checks the default graph is the union
        for name, quads in graphs.items():
            i = int(name.rsplit("/", 1)[1])
            assert len(quads) == 401, f"graph {i} is in the store but not whole"
            assert f'<{ex}s{i}-399> <{ex}p> "value {i} 399" <{name}>' in quads
        present_counts.append(len(graphs))
        first += 300
    print("graphs present after each kill:", present_counts)
    assert present_counts[-1] > 0


@pytest.fixture(autouse=True)
def _no_stray_locks() -> Iterator[None]:
    yield
    import gc

    gc.collect()


def test_input_errors_still_raise(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError):
        kgbuild.build([empty], store=tmp_path / "kg")


def test_ntriples_lines_of_every_kind_of_term() -> None:
    """The writer's converter gives, for every kind of term, Oxigraph's own N-Triples
    text, and keeps apart terms that differ only by datatype or language."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    from kgbuild.core.oxterms import to_ox
    from kgbuild.store.oxstore import _NTriplesLines

    s, p = URIRef("https://example.org/s"), URIRef("https://example.org/p")
    objects = [URIRef("https://example.org/o"), Literal("1", datatype=XSD.integer),
               Literal("1"), Literal("1", lang="en"), Literal("1", lang="fr"),
               Literal("01", datatype=XSD.integer), Literal('a "quoted"\nline')]
    convert = _NTriplesLines()
    lines = convert([(s, p, o) for o in objects] * 2)
    expected = [f"{to_ox(s)} {to_ox(p)} {to_ox(o)}" for o in objects] * 2
    assert lines == expected and len(set(lines)) == len(set(expected)) >= 6
    assert not convert.blank
    blank = BNode("b1")
    iri = URIRef("b1")  # not a valid IRI, but the same string: another term
    assert convert([(blank, p, s), (s, p, blank)]) == [
        f"{to_ox(blank)} {to_ox(p)} {to_ox(s)}", f"{to_ox(s)} {to_ox(p)} {to_ox(blank)}"]
    assert convert.blank
    with pytest.raises(ValueError):  # the string of a known blank node is not taken for it
        convert([(s, p, iri)])
