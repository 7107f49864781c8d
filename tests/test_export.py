"""Tests of kgbuild.outputs.export: sorted, diff-friendly RDF; JSON-LD with the published context;
GraphML for Gephi; and the ``build -o`` / ``export`` commands that write them.

Most tests use the checked-in sample graph (``tests/data/sample.trig``); the command-line
tests at the bottom also build the seed articles.
"""

from __future__ import annotations

import difflib
import json
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from click.testing import CliRunner, Result
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

import kgbuild
from kgbuild.cli import cli
from kgbuild.core.errors import InputError, RDFInputError
from kgbuild.core.namespaces import KG, KGR, PREFIXES
from kgbuild.outputs.export import (
    EXPORT_FORMATS,
    context_path,
    load_context,
    serialize,
    to_graphml,
    to_jsonld,
    to_networkx,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
ONTOLOGY = ROOT / "ontology" / "kgbuild.ttl"
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"

#: serialize() format -> pyoxigraph format, whether named graphs are kept
RDF_FORMATS = {
    "trig": (pyoxigraph.RdfFormat.TRIG, True),
    "turtle": (pyoxigraph.RdfFormat.TURTLE, False),
    "nquads": (pyoxigraph.RdfFormat.N_QUADS, True),
    "nt": (pyoxigraph.RdfFormat.N_TRIPLES, False),
    "json-ld": (pyoxigraph.RdfFormat.JSON_LD, True),
}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def sample() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(SAMPLE, format="trig")
    return dataset


def copy_of(dataset: Dataset, *, seed: int) -> Dataset:
    """The same quads and prefixes, added in a shuffled order."""
    quads = list(dataset.quads((None, None, None, None)))
    random.Random(seed).shuffle(quads)
    other = Dataset()
    for prefix, namespace in dataset.namespaces():
        other.bind(prefix, namespace, override=True, replace=True)
    for s, p, o, g in quads:
        other.graph(g).add((s, p, o))  # type: ignore[arg-type]
    return other


def quad_strings(data: bytes, fmt: pyoxigraph.RdfFormat, *, graphs: bool) -> set[str]:
    """The statements of a file as canonical N-Quads lines (graph names dropped if not kept)."""
    found = set()
    for quad in pyoxigraph.parse(data, format=fmt):
        found.add(str(quad) if graphs else str(quad.triple))
    return found


def expected_strings(dataset: Dataset, *, graphs: bool) -> set[str]:
    data = dataset.serialize(format="nquads", encoding="utf-8")
    return quad_strings(data, pyoxigraph.RdfFormat.N_QUADS, graphs=graphs)


# --- determinism and diffs -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_output_does_not_depend_on_insertion_order(sample: Dataset, fmt: str) -> None:
    first = serialize(sample, format=fmt)
    assert first
    for seed in (1, 2):
        assert serialize(copy_of(sample, seed=seed), format=fmt) == first


def test_turtle_subjects_are_in_iri_order(sample: Dataset) -> None:
    text = serialize(sample, format="turtle").decode("utf-8")
    subjects = re.findall(r"^<([^>]+)>", text, flags=re.MULTILINE)
    assert len(subjects) > 50
    assert subjects == sorted(subjects)
    assert len(subjects) == len(set(subjects))


def test_trig_graphs_and_subjects_are_in_order(sample: Dataset) -> None:
    text = serialize(sample, format="trig").decode("utf-8")
    graphs = re.findall(r"^<([^>]+)> \{", text, flags=re.MULTILINE)
    assert graphs == sorted(graphs) and len(graphs) == 3
    for block in text.split(" {\n")[1:]:
        subjects = re.findall(r"^    <([^>]+)>", block, flags=re.MULTILINE)
        assert subjects == sorted(subjects)


def test_a_small_change_gives_a_small_turtle_diff(sample: Dataset) -> None:
    """New claims about an event add their own lines and move nothing.

    (rdflib's own Turtle order puts often-referenced subjects last, so there the
    event's block would move and show up as removed and re-added.)
    """
    before = serialize(sample, format="turtle").decode("utf-8").splitlines()
    changed = copy_of(sample, seed=3)
    graph = changed.graph(URIRef(str(KGR) + "graph/001_sample.txt"))
    event = sorted(sample.subjects(RDF.type, KG.Event))[0]
    for i in range(3):
        claim = KGR[f"claim/000000000000000{i}"]
        graph.add((claim, RDF.type, KG.CasualtyClaim))
        graph.add((claim, RDFS.label, Literal("a new figure")))
        graph.add((claim, KG.about, event))
    graph.add((event, KG.timeText, Literal("at dawn")))
    after = serialize(changed, format="turtle").decode("utf-8").splitlines()
    diff = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    removed = [line for line in diff if line.startswith("-")]
    added = [line for line in diff if line.startswith("+")]
    assert len(removed) <= 1, diff  # the one line whose object list grows
    assert len(added) <= 3 * 4 + 2, diff


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_round_trip_in_pyoxigraph_and_rdflib(sample: Dataset, fmt: str) -> None:
    ox_format, graphs = RDF_FORMATS[fmt]
    data = serialize(sample, format=fmt)
    assert quad_strings(data, ox_format, graphs=graphs) == expected_strings(sample, graphs=graphs)
    back = Dataset()
    back.parse(data=data, format=fmt)
    reread = back.serialize(format="nquads", encoding="utf-8")
    assert quad_strings(reread, pyoxigraph.RdfFormat.N_QUADS, graphs=graphs) == expected_strings(
        sample, graphs=graphs
    )


def test_unknown_format() -> None:
    with pytest.raises(InputError, match="unknown export format"):
        serialize(Graph(), format="rdfxml")


# --- JSON-LD ---------------------------------------------------------------------------------


def test_jsonld_uses_the_published_context_inline(sample: Dataset) -> None:
    document = json.loads(serialize(sample, format="json-ld"))
    published = json.loads(context_path().read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"] == load_context()


def test_jsonld_is_compact(sample: Dataset) -> None:
    document = to_jsonld(sample)
    terms = set(document["@context"])
    graphs = document["@graph"]
    assert [g["@id"] for g in graphs] == sorted(g["@id"] for g in graphs)
    nodes = [node for graph in graphs for node in graph["@graph"]]
    assert nodes
    for node in nodes:
        assert node["@id"].startswith("kgr:"), node["@id"]
        for key in node:
            assert key.startswith("@") or key in terms, f"{key} has no term in the context"
        for value in (node.get("@type"),):
            for kind in value if isinstance(value, list) else [value]:
                assert kind is None or "://" not in kind
    claims = [n for n in nodes if n.get("@type") == "CasualtyClaim" and "count" in n]
    assert claims and all(isinstance(c["count"], int) for c in claims)
    mention = next(n for n in nodes if n.get("@type") == "Mention")
    assert isinstance(mention["beginIndex"], str)  # typed xsd:nonNegativeInteger by the term
    assert mention["referenceContext"].startswith("kgr:article/")


def test_jsonld_edge_cases_round_trip() -> None:
    """Values the context does not foresee still round-trip, as expanded value objects."""
    ex = "https://example.org/x/"
    dataset = Dataset()
    article = dataset.graph(URIRef(ex + "graph"))
    node, blank = URIRef(ex + "n"), BNode()
    article.add((node, KG.count, Literal("3.5", datatype=XSD.decimal)))  # not xsd:integer
    article.add((node, KG.count, Literal("007", datatype=XSD.integer)))  # not canonical
    article.add((node, KG.about, Literal("a literal where an IRI is expected")))
    article.add((node, RDFS.label, Literal("chat", lang="fr")))
    article.add((node, KG.date, Literal("2020", datatype=XSD.gYear)))
    article.add((node, URIRef(ex + "p"), blank))
    article.add((blank, RDFS.label, Literal("blank")))
    article.add((node, RDF.type, URIRef(ex + "Thing")))
    dataset.default_graph.add((node, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1")))
    data = serialize(dataset, format="json-ld")
    back = Dataset()
    back.parse(data=data, format="json-ld")

    def union(ds: Dataset) -> Graph:
        graph = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph

    assert isomorphic(union(back), union(dataset))
    assert len(list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.JSON_LD))) == 9


def test_context_covers_the_ontology() -> None:
    context = load_context()
    ontology = Graph().parse(ONTOLOGY, format="turtle")

    def expand(value: str) -> str:
        prefix, _, local = value.partition(":")
        return context[prefix] + local if prefix in context else context["@vocab"] + value

    terms: dict[str, tuple[str, object]] = {}
    for name, definition in context.items():
        if name.startswith("@") or (isinstance(definition, str) and "://" in definition):
            continue
        body = definition if isinstance(definition, dict) else {"@id": definition}
        terms[name] = (expand(body["@id"]), body.get("@type"))
    by_iri = {iri: coerce for iri, coerce in terms.values()}
    assert len(by_iri) == len(terms), "two terms for one property"
    for kind, coercions in (
        (OWL.ObjectProperty, {"@id"}),
        (OWL.DatatypeProperty, {None, str(XSD.integer), "xsd:integer"}),
    ):
        for prop in ontology.subjects(RDF.type, kind):
            if str(prop).startswith(str(KG._NS)):
                assert str(prop) in by_iri, f"{prop} has no term in ontology/context.jsonld"
                assert by_iri[str(prop)] in coercions, prop
    for prefix, namespace in PREFIXES.items():
        value = context.get(prefix)
        if isinstance(value, str) and "://" in value:
            assert value == namespace, prefix


def test_seed_predicates_have_terms(sample: Dataset) -> None:
    iris = {iri for iri, _ in _term_iris(load_context())}
    used = {str(p) for p in sample.predicates() if p != RDF.type}
    assert used <= iris, sorted(used - iris)


def _term_iris(context: dict[str, object]) -> list[tuple[str, str]]:
    found = []
    for name, definition in context.items():
        if name.startswith("@"):
            continue
        value = definition.get("@id") if isinstance(definition, dict) else definition
        if not isinstance(value, str) or "://" in value:
            continue
        prefix, _, local = value.partition(":")
        found.append((str(context[prefix]) + local, name))
    return found


# --- GraphML ---------------------------------------------------------------------------------


def test_graphml_reads_back_in_networkx(sample: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    path.write_bytes(to_graphml(sample))
    net = nx.read_graphml(path)
    assert isinstance(net, nx.MultiDiGraph)
    events = set(map(str, sample.subjects(RDF.type, KG.Event)))
    assert events <= set(net.nodes)
    for event in events:
        attrs = net.nodes[event]
        assert attrs["label"] and attrs["kind"] in {
            "Attack",
            "Deployment",
            "MilitaryOperation",
            "TerritorialCapture",
            "Destruction",
            "CeasefireViolation",
            "Mobilization",
            "War",
            "Airstrike",
        }
        assert attrs["mentions"] >= 1
    mentions = set(map(str, sample.subjects(RDF.type, KG.Mention)))
    assert not mentions & set(net.nodes)
    predicates = {data["predicate"] for _, _, data in net.edges(data=True)}
    assert {"kg:agent", "kg:about", "kg:article"} <= predicates
    agent = next(d for _, _, d in net.edges(data=True) if d["predicate"] == "kg:agent")
    assert agent["label"] == str(Graph().parse(ONTOLOGY).value(KG.agent, RDFS.label))


def test_graphml_is_well_formed_for_gephi(sample: Dataset) -> None:
    root = ET.fromstring(to_graphml(sample))
    assert root.tag == GRAPHML_NS + "graphml"
    keys = {k.get("id"): k for k in root.iter(GRAPHML_NS + "key")}
    names = {(k.get("for"), k.get("attr.name")) for k in keys.values()}
    assert {("node", "label"), ("node", "kind"), ("edge", "label"), ("edge", "predicate")} <= names
    for data in root.iter(GRAPHML_NS + "data"):
        assert data.get("key") in keys
    edge_ids = [e.get("id") for e in root.iter(GRAPHML_NS + "edge")]
    assert len(edge_ids) == len(set(edge_ids)), "Gephi drops edges with a repeated id"
    node_ids = {n.get("id") for n in root.iter(GRAPHML_NS + "node")}
    for edge in root.iter(GRAPHML_NS + "edge"):
        assert edge.get("source") in node_ids and edge.get("target") in node_ids


def test_networkx_attributes(sample: Dataset) -> None:
    net = to_networkx(sample)
    country = str(KGR["entity/country/northland"])
    attrs = net.nodes[country]
    assert attrs["kind"] == "Country"  # the most specific of Actor, Place, Country
    assert "kg:Actor" in attrs["types"] and attrs["label"] == "Northland"
    claim = next(
        n for n, d in net.nodes(data=True) if d["kind"] == "CasualtyClaim" and "count" in d
    )
    assert isinstance(net.nodes[claim]["count"], int)
    assert net.nodes[claim]["outcome"].startswith("outcome:")
    article = next(n for n, d in net.nodes(data=True) if d["kind"] == "Article")
    assert "nif:isString" not in net.nodes[article]  # the article text stays out
    with_mentions = to_networkx(sample, mentions=True)
    assert with_mentions.number_of_nodes() > net.number_of_nodes()
    assert any(d["predicate"] == "gaf:denotedBy" for _, _, d in with_mentions.edges(data=True))


def test_empty_graph_exports() -> None:
    assert nx.read_graphml(_bytes_file(to_graphml(Graph()))).number_of_nodes() == 0
    assert json.loads(serialize(Graph(), format="json-ld"))["@graph"] == []


def _bytes_file(data: bytes) -> object:
    import io

    return io.BytesIO(data)


def test_graphml_cannot_be_loaded_back(tmp_path: Path, sample: Dataset) -> None:
    path = tmp_path / "graph.graphml"
    path.write_bytes(to_graphml(sample))
    with pytest.raises(RDFInputError, match="GraphML"):
        kgbuild.load(path)


# --- the commands ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["graphml", "jsonld", "ttl", "trig", "nq", "nt"])
def test_export_command_writes_each_format(sample: Dataset, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"graph.{suffix}"
    result = run("export", SAMPLE, "-o", out)
    assert result.exit_code == 0, result.output
    fmt = {
        "graphml": "graphml",
        "jsonld": "json-ld",
        "ttl": "turtle",
        "trig": "trig",
        "nq": "nquads",
        "nt": "nt",
    }[suffix]
    assert out.read_bytes() == serialize(kgbuild.load(SAMPLE).dataset, format=fmt)


def test_export_graphml_to_stdout() -> None:
    result = run("export", SAMPLE, "--format", "graphml")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<?xml")
    assert "graphml" in result.stdout


@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("build-export")
    outputs = {}
    for suffix in ("graphml", "jsonld"):
        out = folder / f"seeds.{suffix}"
        result = run("build", seeds_dir, "-o", out)
        assert result.exit_code == 0, result.output
        outputs[suffix] = out
    return outputs


def test_build_writes_graphml(seed_outputs: dict[str, Path]) -> None:
    net = nx.read_graphml(seed_outputs["graphml"])
    kinds = {d["kind"] for _, d in net.nodes(data=True)}
    assert {"Country", "Statement", "CasualtyClaim", "Article"} <= kinds
    armenia = net.nodes[str(KGR["entity/country/armenia"])]
    assert armenia["label"] == "Armenia"


def test_build_writes_jsonld_that_loads_back(seed_outputs: dict[str, Path]) -> None:
    kg = kgbuild.load(seed_outputs["jsonld"])
    graphs = {str(g.identifier) for g in kg.dataset.graphs() if len(g)}
    # two articles, the KB graph and the resolution graph (the seeds share two events)
    assert str(KGR["graph/kb"]) in graphs and str(KGR["graph/resolution"]) in graphs
    assert len(graphs) == 4
    document = json.loads(seed_outputs["jsonld"].read_text(encoding="utf-8"))
    assert document["@context"] == load_context()
