"""End-to-end properties of ``kgbuild.build`` on the seed articles.

The seeds are built once per module (three times: the folder, the folder again, and
the two files in reversed order); every test reads those builds.  What is checked:

- determinism: each output format is byte-identical across the builds;
- round trips: every format parses back in pyoxigraph and in rdflib, with the quad
  (or triple) count of the dataset;
- the evidence layer: no blank nodes, every mention's ``nif:anchorOf`` is the article
  text at ``[beginIndex:endIndex]``, every fact has a mention;
- the graph conforms to the SHACL shapes and has one named graph per article plus kb;
- atomic writes: a missing folder or a failed serialisation leaves nothing behind;
- the public API (``kgbuild.__all__``) and the evaluation floor of issue 2.
"""

from __future__ import annotations
import __future__

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Dataset, Graph, URIRef

import kgbuild
from kgbuild.core.errors import InputError
from kgbuild.evaluation.evaluate import evaluate
from kgbuild.kg.graph import KnowledgeGraph

GRAPH_NS = "https://w3id.org/kgbuild/id/graph/"
KB_GRAPH = URIRef(GRAPH_NS + "kb")
RESOLUTION_GRAPH = URIRef(GRAPH_NS + "resolution")

#: format name (as given to ``serialize``) -> pyoxigraph format, rdflib format, has graphs
FORMATS: dict[str, tuple[pyoxigraph.RdfFormat, str, bool]] = {
    "trig": (pyoxigraph.RdfFormat.TRIG, "trig", True),
    "ttl": (pyoxigraph.RdfFormat.TURTLE, "turtle", False),
    "nq": (pyoxigraph.RdfFormat.N_QUADS, "nquads", True),
    "nt": (pyoxigraph.RdfFormat.N_TRIPLES, "nt", False),
    "jsonld": (pyoxigraph.RdfFormat.JSON_LD, "json-ld", True),
}
FORMAT_PARAMS = [pytest.param(name, id=name) for name in FORMATS]

PREFIXES = """
PREFIX kg:   <https://w3id.org/kgbuild/ontology#>
PREFIX gaf:  <http://groundedannotationframework.org/gaf#>
PREFIX nif:  <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""


# --- builds, once per module -------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_files(seeds_dir: Path) -> list[Path]:
    files = sorted(seeds_dir.glob("*.txt"))
    assert len(files) == 2, "the seed folder should hold the two seed articles"
    return files


@pytest.fixture(scope="module")
def kg(seeds_dir: Path) -> KnowledgeGraph:
    """The seed folder, built once for the module."""
    return kgbuild.build([seeds_dir])


@pytest.fixture(scope="module")
def other_builds(seeds_dir: Path, seed_files: list[Path]) -> dict[str, KnowledgeGraph]:
    """Independent builds to compare with ``kg``: the folder again, the files reversed."""
    return {
        "rebuilt": kgbuild.build([seeds_dir]),
        "reversed-files": kgbuild.build(list(reversed(seed_files))),
    }


@pytest.fixture(scope="module")
def serialized(kg: KnowledgeGraph) -> Callable[[str], bytes]:
    """``kg`` serialised per format, each format computed once."""
    cache: dict[str, bytes] = {}

    def get(fmt: str) -> bytes:
        if fmt not in cache:
            data = kg.serialize(format=fmt)
            assert isinstance(data, bytes)
            cache[fmt] = data
        return cache[fmt]

    return get


def _quad_count(ds: Dataset) -> int:
    return sum(1 for _ in ds.quads((None, None, None, None)))


# --- determinism ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "other",
    [pytest.param("rebuilt", id="rebuilt"), pytest.param("reversed-files", id="reversed-files")],
)
@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_output_is_byte_identical_across_builds(
    fmt: str,
    other: str,
    serialized: Callable[[str], bytes],
    other_builds: dict[str, KnowledgeGraph],
) -> None:
    first = serialized(fmt)
    second = other_builds[other].serialize(format=fmt)
    assert first, f"empty {fmt} output"
    assert first == second, f"{fmt} output differs between the seed build and the {other} build"


# --- round trips ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_output_parses_back_in_pyoxigraph(
    fmt: str,
    kg: KnowledgeGraph,
    serialized: Callable[[str], bytes],
    tmp_path: Path,
) -> None:
    ox_format, _, has_graphs = FORMATS[fmt]
    path = tmp_path / f"graph.{fmt}"
    kg.serialize(path)
    assert path.read_bytes() == serialized(fmt), "the file differs from the returned bytes"
    quads = list(pyoxigraph.parse(path=path, format=ox_format))
    store = pyoxigraph.Store()
    store.load(path=path, format=ox_format)
    if has_graphs:
        assert len(quads) == _quad_count(kg.dataset)
        assert len(store) == _quad_count(kg.dataset)
        graphs = {
            q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)
        }
        assert graphs == {str(g.identifier) for g in kg.dataset.graphs() if len(g)}
    else:
        assert len({q.triple for q in quads}) == len(kg.dataset)


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_output_parses_back_in_rdflib(
    fmt: str,
    kg: KnowledgeGraph,
    serialized: Callable[[str], bytes],
) -> None:
    _, rdflib_format, has_graphs = FORMATS[fmt]
    data = serialized(fmt)
    if has_graphs:
        ds = Dataset()
        ds.parse(data=data, format=rdflib_format)
        assert _quad_count(ds) == _quad_count(kg.dataset)
        assert set(ds.quads((None, None, None, None))) == set(
            kg.dataset.quads((None, None, None, None))
        )
    else:
        g = Graph()
        g.parse(data=data, format=rdflib_format)
        assert len(g) == len(kg.dataset)


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_load_reads_back_what_was_written(fmt: str, kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / f"graph.{fmt}"
    kg.serialize(path)
    loaded = kgbuild.load(path)
    assert len(loaded) == len(kg)


# --- the evidence layer --------------------------------------------------------------------
def test_no_blank_nodes_anywhere(kg: KnowledgeGraph) -> None:
    blanks = [
        q
        for q in kg.dataset.quads((None, None, None, None))
        if any(isinstance(t, BNode) for t in q)
    ]
    assert blanks == []


def test_every_mention_anchor_is_the_article_text_at_its_offsets(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        PREFIXES
        + """
        SELECT DISTINCT ?mention ?text ?begin ?end ?anchor WHERE {
          ?thing gaf:denotedBy ?mention .
          OPTIONAL { ?mention nif:referenceContext / nif:isString ?text }
          OPTIONAL { ?mention nif:beginIndex ?begin }
          OPTIONAL { ?mention nif:endIndex ?end }
          OPTIONAL { ?mention nif:anchorOf ?anchor }
        }"""
    ).to_dicts()
    assert len(rows) > 50, "the seeds should give many mentions"
    bad: list[tuple[str, ...]] = []
    for r in rows:
        if None in (r["text"], r["begin"], r["end"], r["anchor"]):
            bad.append((str(r["mention"]), "incomplete"))
            continue
        text, begin, end = str(r["text"]), int(r["begin"]), int(r["end"])
        if not 0 <= begin < end <= len(text) or text[begin:end] != str(r["anchor"]):
            bad.append((str(r["mention"]), str(r["anchor"]), text[begin:end]))
    assert bad == []


@pytest.mark.parametrize(
    "cls", [pytest.param(c, id=c) for c in ("Event", "Statement", "CasualtyClaim", "Agreement")]
)
def test_every_fact_has_a_mention(cls: str, kg: KnowledgeGraph) -> None:
    facts = kg.query(PREFIXES + f"SELECT DISTINCT ?f WHERE {{ ?f a kg:{cls} }}").rows
    assert facts, f"the seeds should give at least one kg:{cls}"
    bare = kg.query(
        PREFIXES
        + f"""
        SELECT DISTINCT ?f WHERE {{
          ?f a kg:{cls} .
          FILTER NOT EXISTS {{ ?f gaf:denotedBy ?m . ?m a kg:Mention }}
        }}"""
    ).rows
    assert list(bare) == []


# --- shape of the dataset ----------------------------------------------------------------
def test_seed_graph_conforms_to_the_shapes(kg: KnowledgeGraph) -> None:
    report = kg.validate()
    assert report.conforms, str(report)


def test_one_named_graph_per_article_plus_kb(kg: KnowledgeGraph, seed_files: list[Path]) -> None:
    # plus the resolution graph: the seeds report two events (and an agreement) in both
    expected = {URIRef(GRAPH_NS + f.name) for f in seed_files} | {KB_GRAPH, RESOLUTION_GRAPH}
    sizes = {g.identifier: len(g) for g in kg.dataset.graphs()}
    assert {name for name, n in sizes.items() if n} == expected
    # nothing outside them: the default graph (and any other) is empty
    assert all(n == 0 for name, n in sizes.items() if name not in expected)


# --- atomic writes -----------------------------------------------------------------------
def test_serialize_into_a_missing_folder_raises_and_leaves_nothing(
    kg: KnowledgeGraph,
    tmp_path: Path,
) -> None:
    target = tmp_path / "missing" / "graph.trig"
    with pytest.raises(InputError):
        kg.serialize(target)
    assert not (tmp_path / "missing").exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_serialization_keeps_the_previous_file(
    kg: KnowledgeGraph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "graph.trig"
    kg.serialize(target)
    before = target.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("serializer failed")

    import kgbuild.outputs.export as export

    monkeypatch.setattr(export, "write_trig", boom)  # the TriG writer fails half way
    with pytest.raises(RuntimeError, match="serializer failed"):
        kg.serialize(target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["graph.trig"]


def test_failure_while_writing_keeps_the_previous_file_and_no_temporary(
    kg: KnowledgeGraph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "graph.nq"
    target.write_bytes(b"previous content\n")
    import kgbuild.core.files as files

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        kg.serialize(target)
    assert target.read_bytes() == b"previous content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nq"]


# --- public API ----------------------------------------------------------------------------
def test_all_is_importable() -> None:
    for name in kgbuild.__all__:
        assert hasattr(kgbuild, name), f"kgbuild.__all__ lists {name!r} but kgbuild lacks it"
    namespace: dict[str, object] = {}
    exec("from kgbuild import *", namespace)
    assert set(kgbuild.__all__) <= set(namespace)


def test_all_is_complete() -> None:
    module = importlib.import_module("kgbuild")
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and not isinstance(value, __future__._Feature)
    }
    assert public <= set(kgbuild.__all__), (
        f"public but not exported: {sorted(public - set(kgbuild.__all__))}"
    )
    assert len(kgbuild.__all__) == len(set(kgbuild.__all__)), "duplicates in __all__"


# --- evaluation floor (issue 2) ------------------------------------------------------------
def test_evaluation_floor_on_the_gold(repo_root: Path, seeds_dir: Path) -> None:
    report = evaluate(repo_root / "tests" / "gold", [seeds_dir])
    assert report.mean_f1 is not None and report.mean_f1 >= 0.6, str(report)
    prov = report.provenance
    assert prov is not None and prov.rows_checked > 0 and prov.facts_checked > 0
    assert prov.offset_failures == (), prov.offset_failures
    assert prov.missing_facts == (), prov.missing_facts
