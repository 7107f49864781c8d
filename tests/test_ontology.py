"""Tests of the ontology (ontology/kgbuild.ttl) and its SKOS vocabularies (ontology/vocab.ttl)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import owlrl
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kgbuild.namespaces import (
    GAF,
    GEO,
    KG,
    NIF,
    ONTOLOGY_IRI,
    ORG,
    OUTCOME,
    PROV,
    QUALIFIER,
    SCHEMA,
    SEM,
    STANCE,
)

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "kgbuild.ttl"
VOCAB = ROOT / "ontology" / "vocab.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error messages

KG_TERMS = sorted(name for name in KG.__annotations__ if not name.startswith("_"))
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(VOCAB, format="turtle")


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")


@pytest.mark.parametrize("name", KG_TERMS)
def test_every_term_is_declared_and_documented(ontology: Graph, name: str) -> None:
    term = KG[name]
    kinds = set(ontology.objects(term, RDF.type))
    assert kinds & set(DECLARATIONS), f"kg:{name} is not declared"
    for prop in (RDFS.label, RDFS.comment):
        values = list(ontology.objects(term, prop))
        assert len(values) == 1 and str(values[0]).strip(), f"kg:{name} lacks one {prop}"
    if kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}:
        assert ontology.value(term, RDFS.domain) is not None, f"kg:{name} has no domain"
        assert ontology.value(term, RDFS.range) is not None, f"kg:{name} has no range"
    if name[0].isupper():
        assert OWL.Class in kinds
    else:
        assert OWL.Class not in kinds


def test_no_term_outside_the_closed_namespace(ontology: Graph) -> None:
    namespace = str(KG._NS)
    used = {
        node
        for triple in ontology
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(namespace)
    }
    unknown = sorted(str(node)[len(namespace) :] for node in used)
    assert set(unknown) <= set(KG_TERMS), set(unknown) - set(KG_TERMS)


@pytest.mark.parametrize(
    ("subject", "relation", "target"),
    [
        pytest.param(KG.Event, RDFS.subClassOf, SEM.Event, id="Event-sem"),
        pytest.param(KG.Actor, RDFS.subClassOf, SEM.Actor, id="Actor-sem"),
        pytest.param(KG.Place, RDFS.subClassOf, SEM.Place, id="Place-sem"),
        pytest.param(KG.agent, RDFS.subPropertyOf, SEM.hasActor, id="agent-sem"),
        pytest.param(KG.place, RDFS.subPropertyOf, SEM.hasPlace, id="place-sem"),
        pytest.param(KG.Post, RDFS.subClassOf, ORG.Post, id="Post-org"),
        pytest.param(KG.GovernmentBody, RDFS.subClassOf, ORG.Organization, id="GovernmentBody-org"),
        pytest.param(KG.Article, RDFS.subClassOf, SCHEMA.NewsArticle, id="Article-schema"),
        pytest.param(KG.Article, RDFS.subClassOf, NIF.Context, id="Article-nif"),
        pytest.param(KG.Article, RDFS.subClassOf, KG.Source, id="Article-Source"),
        pytest.param(KG.Mention, RDFS.subClassOf, NIF.String, id="Mention-nif"),
        pytest.param(KG.within, RDFS.subPropertyOf, GEO.sfWithin, id="within-geo"),
        pytest.param(KG.Statement, RDFS.subClassOf, PROV.Entity, id="Statement-prov"),
        pytest.param(KG.CasualtyClaim, RDFS.subClassOf, SCHEMA.Claim, id="CasualtyClaim-schema"),
        pytest.param(KG.Stance, RDFS.subClassOf, SKOS.Concept, id="Stance-skos"),
        pytest.param(KG.evidence, RDFS.subPropertyOf, GAF.denotedBy, id="evidence-gaf"),
        pytest.param(KG.Country, RDFS.subClassOf, KG.Actor, id="Country-Actor"),
        pytest.param(KG.Country, RDFS.subClassOf, KG.Place, id="Country-Place"),
    ],
)
def test_alignments(ontology: Graph, subject: URIRef, relation: URIRef, target: URIRef) -> None:
    assert (subject, relation, target) in ontology


def test_no_disjointness_that_real_data_breaks(ontology: Graph) -> None:
    touchy = {KG.Actor, KG.Place, KG.Country, KG.Source, KG.Article}
    for s, _, o in ontology.triples((None, OWL.disjointWith, None)):
        assert not ({s, o} & touchy)
    assert not list(ontology.triples((None, RDF.type, OWL.AllDisjointClasses)))


@pytest.mark.parametrize(
    ("scheme", "namespace", "names"),
    [
        pytest.param(
            "stance",
            STANCE,
            ["Claim", "Denial", "Confirmation", "Accusation", "Appeal", "Warning"],
            id="stance",
        ),
        pytest.param("outcome", OUTCOME, ["killed", "injured", "killed-or-injured"], id="outcome"),
        pytest.param(
            "qualifier",
            QUALIFIER,
            ["exact", "at-least", "at-most", "approximate", "several", "none"],
            id="qualifier",
        ),
    ],
)
def test_vocabulary(vocab: Graph, scheme: str, namespace: type, names: list[str]) -> None:
    scheme_iri = URIRef(f"https://w3id.org/kgbuild/vocab/{scheme}")
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in vocab
    members = set(vocab.subjects(SKOS.inScheme, scheme_iri))
    expected = {URIRef(str(namespace._NS) + name) for name in names}  # type: ignore[attr-defined]
    assert members == expected
    for concept in expected:
        assert (concept, RDF.type, SKOS.Concept) in vocab
        assert vocab.value(concept, SKOS.prefLabel) is not None
        assert vocab.value(concept, SKOS.definition) is not None


def test_shape_value_sets_come_from_the_vocabulary(vocab: Graph) -> None:
    shapes = Graph().parse(SHAPES, format="turtle")
    concepts = set(vocab.subjects(RDF.type, SKOS.Concept))
    for listed in shapes.objects(None, SH["in"]):
        values = list(shapes.items(listed))
        vocabulary_values = [
            v for v in values if str(v).startswith("https://w3id.org/kgbuild/vocab/")
        ]
        assert set(vocabulary_values) <= concepts


def test_owl_rl_closure_of_ontology_and_sample_is_consistent(ontology: Graph, vocab: Graph) -> None:
    dataset = Dataset()
    dataset.parse(SAMPLE, format="trig")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    graph += ontology
    graph += vocab
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert not list(graph.subjects(RDF.type, OWL.Nothing))
    errors = [
        str(graph.value(node, ERR.error)) for node in graph.subjects(RDF.type, ERR.ErrorMessage)
    ]
    assert errors == []
    # the closure draws the intended conclusions
    country = URIRef("https://w3id.org/kgbuild/id/entity/country/northland")
    assert (country, RDF.type, SEM.Actor) in graph
    assert (country, RDF.type, SEM.Place) in graph
    article = URIRef("https://w3id.org/kgbuild/id/article/001_sample.txt")
    assert (article, RDF.type, KG.Source) in graph
    assert (article, RDF.type, SCHEMA.NewsArticle) in graph


def test_ontology_doc_is_current() -> None:
    """docs/ontology.md is generated; regenerate with python scripts/gen_ontology_doc.py."""
    script = ROOT / "scripts" / "gen_ontology_doc.py"
    spec = importlib.util.spec_from_file_location("gen_ontology_doc", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    current = (ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")
    assert current == expected, "docs/ontology.md is stale: run python scripts/gen_ontology_doc.py"
    for name in KG_TERMS:
        assert f"`kg:{name}`" in current
