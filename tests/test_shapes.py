"""Tests of the SHACL shapes (ontology/shapes.ttl): for every shape, a small graph that
violates it and one that conforms to it.

The graphs are written inline as Turtle: ``VALID`` describes one node of every kind,
fully conforming; each case replaces the objects of a few (subject, predicate) pairs
to break exactly one shape (and, where useful, to show an edge case that conforms).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kgbuild.check.validate import ValidationReport, validate
from kgbuild.core.errors import ValidationFailed

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
KGSH = "https://w3id.org/kgbuild/shapes#"

PREFIXES = """
@prefix ex:        <https://example.org/test/> .
@prefix kg:        <https://w3id.org/kgbuild/ontology#> .
@prefix rdfs:      <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:       <http://www.w3.org/2002/07/owl#> .
@prefix xsd:       <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:      <http://www.w3.org/2004/02/skos/core#> .
@prefix gaf:       <http://groundedannotationframework.org/gaf#> .
@prefix nif:       <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix org:       <http://www.w3.org/ns/org#> .
@prefix schema:    <https://schema.org/> .
@prefix wgs84:     <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix wd:        <http://www.wikidata.org/entity/> .
@prefix stance:    <https://w3id.org/kgbuild/vocab/stance/> .
@prefix outcome:   <https://w3id.org/kgbuild/vocab/outcome/> .
@prefix qualifier: <https://w3id.org/kgbuild/vocab/qualifier/> .
"""

GROUND = {"gaf:denotedBy": ["ex:m"], "kg:article": ["ex:art"]}
NNI = "^^xsd:nonNegativeInteger"

# One conforming node of every kind, as {subject: {predicate: [objects]}} in Turtle syntax.
VALID: dict[str, dict[str, list[str]]] = {
    "ex:art": {
        "a": ["kg:Article"],
        "rdfs:label": ['"Hello"'],
        "schema:headline": ['"Hello"'],
        "kg:fileName": ['"a.txt"'],
        "kg:contentHash": ['"sha256:' + "0" * 64 + '"'],
        "nif:isString": ['"Hello world"'],
        "schema:url": ['"https://example.org/a"^^xsd:anyURI'],
        "schema:datePublished": ['"2022-08-04"^^xsd:date'],
    },
    "ex:m": {
        "a": ["kg:Mention"],
        "nif:referenceContext": ["ex:art"],
        "nif:beginIndex": [f'"0"{NNI}'],
        "nif:endIndex": [f'"5"{NNI}'],
        "nif:anchorOf": ['"Hello"'],
        "kg:extractor": ['"events.v1"'],
    },
    "ex:actor": {
        "a": ["kg:Country", "kg:Actor", "kg:Place"],
        "rdfs:label": ['"Northland"'],
        "skos:altLabel": ['"Northlandish"'],
        "owl:sameAs": ["wd:Q1"],
        "kg:country": ["ex:actor"],
        **GROUND,
    },
    "ex:org": {
        "a": ["kg:GovernmentBody", "kg:Actor"],
        "rdfs:label": ['"Security Council of Northland"'],
        "owl:sameAs": ["wd:Q2"],
        "kg:country": ["ex:actor"],
        **GROUND,
    },
    "ex:person": {
        "a": ["kg:Person", "kg:Actor"],
        "rdfs:label": ['"Jo Doe"'],
        "owl:sameAs": ["wd:Q3"],
        "org:holds": ["ex:post"],
        **GROUND,
    },
    "ex:place": {
        "a": ["kg:Settlement", "kg:Place"],
        "rdfs:label": ['"Riverton"'],
        "owl:sameAs": ["wd:Q4"],
        "wgs84:lat": ['"40.1"^^xsd:decimal'],
        "wgs84:long": ['"47.5"^^xsd:decimal'],
        "kg:within": ["ex:actor"],
        "kg:connects": ["ex:actor"],
        **GROUND,
    },
    "ex:ev": {
        "a": ["kg:Attack", "kg:Event"],
        "rdfs:label": ['"Attack (Riverton)"'],
        "kg:trigger": ['"attack"'],
        "kg:agent": ["ex:actor"],
        "kg:target": ["ex:person"],
        "kg:place": ["ex:place"],
        "kg:timeText": ['"early on Wednesday"'],
        "kg:date": ['"2022-08-03"^^xsd:date'],
        "kg:name": ['"Operation Test"'],
        "kg:respondsTo": ["ex:ev"],
        "kg:violates": ["ex:agr"],
        **GROUND,
    },
    "ex:agr": {
        "a": ["kg:Agreement"],
        "rdfs:label": ['"2020 ceasefire agreement"'],
        "kg:date": ['"2020-11"^^xsd:gYearMonth'],
        "kg:broker": ["ex:org"],
        "kg:party": ["ex:actor"],
        "kg:provides": ["ex:ev"],
        **GROUND,
    },
    "ex:st": {
        "a": ["kg:Statement"],
        "kg:speaker": ["ex:person"],
        "kg:stance": ["stance:Denial"],
        "kg:reportingVerb": ['"denied"'],
        "kg:addressee": ["ex:actor"],
        "kg:quote": ['"nothing \\"happened\\""'],
        "kg:about": ["ex:ev"],
        **GROUND,
    },
    "ex:cl": {
        "a": ["kg:CasualtyClaim"],
        "kg:source": ["ex:org"],
        "kg:victim": ["ex:actor"],
        "kg:outcome": ["outcome:killed"],
        "kg:count": ["3"],
        "kg:countText": ['"three"'],
        "kg:qualifier": ["qualifier:exact"],
        "kg:about": ["ex:ev"],
        "kg:contradicts": ["ex:cl2"],
        **GROUND,
    },
    "ex:cl2": {
        "a": ["kg:CasualtyClaim"],
        "kg:source": ["ex:art"],
        "kg:outcome": ["outcome:killed-or-injured"],
        "kg:count": ["0"],
        "kg:countText": ['"no"'],
        "kg:qualifier": ["qualifier:none"],
        **GROUND,
    },
    "ex:con": {
        "a": ["kg:Contradiction"],
        "kg:claimA": ["ex:cl"],
        "kg:claimB": ["ex:cl2"],
        "kg:topic": ['"Northland casualties"'],
    },
    "ex:post": {
        "a": ["kg:Post", "org:Post"],
        "rdfs:label": ['"Secretary, Security Council of Northland"'],
        "kg:roleTitle": ['"secretary"'],
        "org:postIn": ["ex:org"],
        "org:heldBy": ["ex:person"],
        **GROUND,
    },
}

Changes = Mapping[tuple[str, str], Sequence[str] | None]


def turtle(changes: Changes = {}) -> str:  # noqa: B006 - read-only default
    """Render VALID with some (subject, predicate) objects replaced (None: removed)."""
    lines = [PREFIXES]
    for subject, properties in VALID.items():
        merged: dict[str, Sequence[str] | None] = dict(properties)
        for (s, p), objects in changes.items():
            if s == subject:
                merged[p] = objects
        pairs = [f"    {p} {', '.join(objs)}" for p, objs in merged.items() if objs]
        if pairs:
            lines.append(f"{subject}\n" + " ;\n".join(pairs) + " .\n")
    return "\n".join(lines)


def case(
    shape: str,
    violating: Changes,
    conforming: Changes | None = None,
    severity: str = "Violation",
) -> object:
    return pytest.param(shape, violating, conforming or {}, severity, id=shape)


CASES = [
    # articles
    case("ArticleShape", {("ex:art", "kg:fileName"): None}),
    case("Article-label", {("ex:art", "rdfs:label"): ['"Hello"', '"Hi"']}),
    case("Article-headline", {("ex:art", "schema:headline"): None}),
    case("Article-fileName", {("ex:art", "kg:fileName"): ["5"]}),
    case("Article-contentHash", {("ex:art", "kg:contentHash"): ['"md5:abc"']}),
    case("Article-isString", {("ex:art", "nif:isString"): None}),
    case(
        "Article-url",
        {("ex:art", "schema:url"): ['"https://example.org/a"']},
        {("ex:art", "schema:url"): None},
    ),
    case(
        "Article-datePublished",
        {("ex:art", "schema:datePublished"): ['"yesterday"']},
        {("ex:art", "schema:datePublished"): ['"2022"^^xsd:gYear']},
    ),
    # mentions
    case(
        "MentionShape",
        {("ex:m", "nif:anchorOf"): ['"Hellx"']},
        {("ex:m", "nif:endIndex"): [f'"11"{NNI}'], ("ex:m", "nif:anchorOf"): ['"Hello world"']},
    ),
    case("Mention-referenceContext", {("ex:m", "nif:referenceContext"): ["ex:place"]}),
    case("Mention-beginIndex", {("ex:m", "nif:beginIndex"): ['"0"']}),
    case("Mention-endIndex", {("ex:m", "nif:endIndex"): None}),
    case(
        "Mention-offsetOrder",
        {("ex:m", "nif:beginIndex"): [f'"6"{NNI}']},
        {("ex:m", "nif:beginIndex"): [f'"5"{NNI}'], ("ex:m", "nif:anchorOf"): ['""']},
    ),
    case("Mention-anchorOf", {("ex:m", "nif:anchorOf"): ['"Hello"@en']}),
    case("Mention-extractor", {("ex:m", "kg:extractor"): ['"events"']}),
    case("Mention-extractorMissing", {("ex:m", "kg:extractor"): None}, severity="Warning"),
    # provenance
    case("GroundedFactShape", {("ex:st", "gaf:denotedBy"): None}),
    case("Fact-denotedBy", {("ex:ev", "gaf:denotedBy"): ["ex:place"]}),
    case("CompleteMentionShape", {("ex:m", "nif:anchorOf"): None}),
    case("Fact-article", {("ex:cl", "kg:article"): None}),
    case("GroundedEntityShape", {("ex:post", "gaf:denotedBy"): None}, severity="Warning"),
    case("Entity-denotedBy", {("ex:actor", "gaf:denotedBy"): None}, severity="Warning"),
    case("Entity-article", {("ex:place", "kg:article"): None}, severity="Warning"),
    # actors and places
    case("NamedEntityShape", {("ex:org", "rdfs:label"): None}),
    case("Entity-label", {("ex:place", "rdfs:label"): ['"Riverton"', '"River Town"']}),
    case("Entity-altLabel", {("ex:actor", "skos:altLabel"): ["ex:name"]}),
    case("Entity-sameAs", {("ex:actor", "owl:sameAs"): ['"Q1"']}),
    case("Entity-sameAsMissing", {("ex:org", "owl:sameAs"): None}, severity="Info"),
    case("Entity-country", {("ex:org", "kg:country"): ["ex:place"]}),
    case("Entity-lat", {("ex:place", "wgs84:lat"): ['"100.0"^^xsd:decimal']}),
    case("Entity-long", {("ex:place", "wgs84:long"): ['"47.5"']}),
    # an actor or place typed only with the root class is an unclassified guess: Info
    case("ActorShape", {("ex:org", "a"): ["kg:Actor"]}, severity="Info"),
    case("Actor-kind", {("ex:org", "a"): ["kg:Actor"]}, severity="Info"),
    case("ActorKindShape", {("ex:org", "a"): ["kg:GovernmentBody"]}),
    case("ActorKind-superclass", {("ex:person", "a"): ["kg:Person"]}),
    case("PlaceShape", {("ex:place", "a"): ["kg:Place"]}, severity="Info"),
    case("Place-kind", {("ex:place", "a"): ["kg:Place"]}, severity="Info"),
    case("Place-within", {("ex:place", "kg:within"): ['"Northland"']}),
    case("Place-connects", {("ex:place", "kg:connects"): ["ex:ev"]}),
    case("PlaceKindShape", {("ex:place", "a"): ["kg:Settlement"]}),
    case("PlaceKind-superclass", {("ex:actor", "a"): ["kg:Country", "kg:Actor"]}),
    # events
    case("EventShape", {("ex:ev", "rdfs:label"): None}),
    case(
        "Event-kind",
        {("ex:ev", "a"): ["kg:Event"]},
        {("ex:ev", "a"): ["kg:MilitaryOperation", "kg:Attack", "kg:Event"]},
    ),
    case("Event-label", {("ex:ev", "rdfs:label"): ['"a"', '"b"']}),
    case("Event-trigger", {("ex:ev", "kg:trigger"): None}, severity="Warning"),
    case("Event-agent", {("ex:ev", "kg:agent"): ['"Northland"']}),
    case("Event-agentClass", {("ex:ev", "kg:agent"): ["ex:place"]}, severity="Warning"),
    case("Event-target", {("ex:ev", "kg:target"): ['"Jo"']}),
    case("Event-targetClass", {("ex:ev", "kg:target"): ["ex:post"]}, severity="Warning"),
    case("Event-place", {("ex:ev", "kg:place"): ["ex:person"]}),
    case("Event-placeMissing", {("ex:ev", "kg:place"): None}, severity="Warning"),
    case("Event-timeText", {("ex:ev", "kg:timeText"): ['"Wednesday"', '"early"']}),
    case(
        "Event-date",
        {("ex:ev", "kg:date"): ['"2022-08-03"']},
        {("ex:ev", "kg:date"): ['"2022"^^xsd:gYear']},
    ),
    case("Event-name", {("ex:ev", "kg:name"): ['"A"', '"B"']}),
    case("Event-respondsTo", {("ex:ev", "kg:respondsTo"): ["ex:actor"]}),
    case("Event-violates", {("ex:ev", "kg:violates"): ["ex:ev"]}),
    case("EventKindShape", {("ex:ev", "a"): ["kg:Attack"]}),
    case("EventKind-superclass", {("ex:ev", "a"): ["kg:Attack"]}),
    # statements
    case("StatementShape", {("ex:st", "kg:quote"): None}),
    case(
        "Statement-speaker",
        {("ex:st", "kg:speaker"): ["ex:person", "ex:org"]},
        {("ex:st", "kg:speaker"): None},
    ),
    case(
        "Statement-stance",
        {("ex:st", "kg:stance"): ["stance:Sarcasm"]},
        {("ex:st", "kg:stance"): ["stance:Warning"]},
    ),
    case("Statement-reportingVerb", {("ex:st", "kg:reportingVerb"): None}),
    case("Statement-addressee", {("ex:st", "kg:addressee"): ["ex:place"]}),
    case("Statement-quote", {("ex:st", "kg:quote"): ['"a"', '"b"']}),
    case(
        "Statement-about",
        {("ex:st", "kg:about"): ['"the attack"']},
        {("ex:st", "kg:about"): ["ex:agr", "ex:actor"]},
    ),
    # casualty claims
    case("CasualtyClaimShape", {("ex:cl", "kg:countText"): None}),
    case(
        "Claim-source", {("ex:cl", "kg:source"): ["ex:place"]}, {("ex:cl", "kg:source"): ["ex:art"]}
    ),
    case("Claim-victim", {("ex:cl", "kg:victim"): ["ex:place"]}),
    case(
        "Claim-outcome",
        {("ex:cl", "kg:outcome"): ["outcome:dead"]},
        {("ex:cl", "kg:outcome"): ["outcome:injured"]},
    ),
    case("Claim-count", {("ex:cl", "kg:count"): ["-1"]}, {("ex:cl", "kg:count"): None}),
    case("Claim-countText", {("ex:cl", "kg:countText"): None}),
    case(
        "Claim-qualifier",
        {("ex:cl", "kg:qualifier"): ["qualifier:many"]},
        {("ex:cl", "kg:qualifier"): ["qualifier:at-least"]},
    ),
    case("Claim-about", {("ex:cl", "kg:about"): ["ex:actor"]}),
    case(
        "Claim-victimGroup",
        {("ex:cl", "kg:victimGroup"): ['"civilians"', '"soldiers"']},
        {("ex:cl", "kg:victimGroup"): ['"police officers"']},
    ),
    case("Claim-victimSide", {("ex:cl", "kg:victimSide"): ["ex:place"]}),
    # contradictions
    case("ContradictionShape", {("ex:cl", "kg:contradicts"): None}),
    case("Contradiction-claimA", {("ex:con", "kg:claimA"): ["ex:cl2"]}),
    case("Contradiction-claimB", {("ex:con", "kg:claimB"): ["ex:ev"]}),
    case("Contradiction-topic", {("ex:con", "kg:topic"): None}),
    # agreements
    case("AgreementShape", {("ex:agr", "rdfs:label"): None}),
    case("Agreement-label", {("ex:agr", "rdfs:label"): ['"a"', '"b"']}),
    case(
        "Agreement-date",
        {("ex:agr", "kg:date"): ['"November 2020"']},
        {("ex:agr", "kg:date"): ['"2020-11-10"^^xsd:date']},
    ),
    case("Agreement-broker", {("ex:agr", "kg:broker"): ["ex:place"]}),
    case("Agreement-party", {("ex:agr", "kg:party"): ['"Northland"']}),
    case("Agreement-provides", {("ex:agr", "kg:provides"): ["ex:actor"]}),
    case(
        "Agreement-signingPlace",
        {("ex:agr", "kg:signingPlace"): ["ex:person"]},
        {("ex:agr", "kg:signingPlace"): ["ex:place"]},
    ),
    case(
        "Agreement-provision",
        {("ex:agr", "kg:provision"): ["ex:ev"]},
        {("ex:agr", "kg:provision"): ['"withdraw heavy weapons"']},
    ),
    # posts
    case("PostShape", {("ex:post", "kg:roleTitle"): None}),
    case("PostHolderShape", {("ex:person", "org:holds"): None}, severity="Warning"),
    case("Post-type", {("ex:post", "a"): ["kg:Post"]}),
    case("Post-label", {("ex:post", "rdfs:label"): None}),
    case("Post-roleTitle", {("ex:post", "kg:roleTitle"): ['"Secretary"']}),
    case("Post-postIn", {("ex:post", "org:postIn"): ['"Council"']}),
    case("Post-heldBy", {("ex:post", "org:heldBy"): ["ex:actor"]}),
    case(
        "Post-heldByMissing",
        {("ex:post", "org:heldBy"): None, ("ex:person", "org:holds"): None},
        severity="Warning",
    ),
]


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def named_shapes(shapes: Graph) -> set[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    return {s for s in found if isinstance(s, URIRef) and str(s).startswith(KGSH)}


def owned(shapes: Graph, shape: URIRef) -> set[Node]:
    """The shape and the property shapes it holds (their results stand for it)."""
    return {shape, *shapes.objects(shape, SH.property)}


def results_of(report: ValidationReport, shapes: Graph, shape: URIRef) -> list[object]:
    mine = owned(shapes, shape)
    # a node shape used through sh:node reports on the shape that references it
    referrers = set(shapes.subjects(SH.node, shape))
    return [
        r
        for r in report
        if r.shape in mine or (r.shape in referrers and r.constraint == SH.NodeConstraintComponent)
    ]


def check(text: str) -> ValidationReport:
    return validate(Graph().parse(data=text, format="turtle"))


def test_valid_graph_has_no_results_at_all() -> None:
    report = check(turtle())
    assert report.conforms
    assert list(report) == [], str(report)


def test_every_shape_has_a_case(shapes_graph: Graph) -> None:
    covered = {KGSH + p.values[0] for p in CASES}  # type: ignore[attr-defined]
    assert {str(s) for s in named_shapes(shapes_graph)} == covered


def test_shapes_are_named_and_have_messages(shapes_graph: Graph) -> None:
    for shape in named_shapes(shapes_graph):
        name = shapes_graph.value(shape, SH.name) or shapes_graph.value(shape, RDFS.label)
        assert name is not None, shape
        assert shapes_graph.value(shape, SH.message) is not None, shape
    for constraint in shapes_graph.objects(None, SH.sparql):
        assert shapes_graph.value(constraint, SH.message) is not None


def test_object_properties_require_iris(shapes_graph: Graph) -> None:
    for shape in shapes_graph.subjects(SH["class"], None):
        if isinstance(shape, BNode):
            continue
        severity = shapes_graph.value(shape, SH.severity)
        if severity is None:  # violations on object values also check the node kind
            assert shapes_graph.value(shape, SH.nodeKind) == SH.IRI, shape


@pytest.mark.parametrize(("shape", "violating", "conforming", "severity"), CASES)
def test_shape(
    shapes_graph: Graph, shape: str, violating: Changes, conforming: Changes, severity: str
) -> None:
    iri = URIRef(KGSH + shape)
    bad = check(turtle(violating))
    found = results_of(bad, shapes_graph, iri)
    assert found, f"{shape} did not fire:\n{bad}"
    assert {r.severity for r in found} == {severity}  # type: ignore[attr-defined]
    assert all(r.message for r in found)  # type: ignore[attr-defined]
    assert bad.conforms == (severity != "Violation")
    good = check(turtle(conforming))
    assert results_of(good, shapes_graph, iri) == [], str(good)


def test_sample_dataset_conforms() -> None:
    dataset = Dataset()
    dataset.parse(SAMPLE, format="trig")
    report = validate(dataset)
    assert report.conforms, str(report)
    assert report.counts()["Violation"] == 0
    assert report.exit_code() == 0
    report.raise_for_violations()


def test_named_graphs_are_validated_as_a_union() -> None:
    """An event in one article graph points to a place described in the kb graph."""
    dataset = Dataset()
    graph = Graph().parse(data=turtle(), format="turtle")
    article_graph = dataset.graph(URIRef("https://example.org/graph/a"))
    kb_graph = dataset.graph(URIRef("https://example.org/graph/kb"))
    place = URIRef("https://example.org/test/place")
    for triple in graph:
        (kb_graph if triple[0] == place else article_graph).add(triple)
    assert validate(dataset).conforms


def test_report_object() -> None:
    report = check(
        turtle(
            {
                ("ex:cl", "kg:count"): ["-1"],
                ("ex:ev", "kg:place"): None,
                ("ex:org", "owl:sameAs"): None,
            }
        )
    )
    assert not report.conforms
    assert report.counts() == {"Violation": 1, "Warning": 1, "Info": 1}
    assert report.exit_code() == 1 and report.exit_code("warning") == 1
    violation = report.results[0]
    assert violation.severity == "Violation"
    assert violation.shape == URIRef(KGSH + "Claim-count")
    assert violation.shape_name == "claim count"
    assert violation.focus == URIRef("https://example.org/test/cl")
    assert violation.articles == ("a.txt",)
    assert str(violation.value) == "-1"
    text = str(report)
    assert "does NOT conform" in text and "claim count" in text and "a.txt" in text
    assert text.index("== Violation") < text.index("== Warning") < text.index("== Info")
    assert len(report.graph) > 0
    with pytest.raises(ValidationFailed, match="claim count") as raised:
        report.raise_for_violations()
    assert raised.value.report is report  # type: ignore[attr-defined]


def test_warnings_only_report() -> None:
    report = check(turtle({("ex:ev", "kg:place"): None}))
    assert report.conforms
    assert report.exit_code() == 0
    assert report.exit_code("warning") == 1
    report.raise_for_violations()


def test_extra_user_shapes(tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        PREFIXES
        + """
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:NeedsDateShape a sh:NodeShape ; rdfs:label "agreement date required" ;
    sh:message "agreements need a date" ; sh:targetClass kg:Agreement ;
    sh:property [ sh:path kg:date ; sh:minCount 1 ; sh:message "agreements need a date" ] .
""",
        encoding="utf-8",
    )
    graph = Graph().parse(data=turtle({("ex:agr", "kg:date"): None}), format="turtle")
    assert validate(graph).conforms
    report = validate(graph, shapes=[extra])
    assert not report.conforms
    assert [r.message for r in report] == ["agreements need a date"]


def test_ontology_option_accepts_subclasses() -> None:
    """With the ontology, a kg:Country is a kg:Place by inference too."""
    graph = Graph().parse(data=turtle(), format="turtle")
    assert validate(graph, ontology=True).conforms


# --- ACLED-aligned classes and unclassified guesses -------------------------------

ACLED_NODES = """
ex:rebels a kg:RebelGroup , kg:NonStateArmedGroup , kg:ArmedForce , kg:Actor ;
    rdfs:label "Red Hill Front" ; gaf:denotedBy ex:m ; kg:article ex:art .
ex:gunmen a kg:UnidentifiedArmedGroup , kg:NonStateArmedGroup , kg:ArmedForce , kg:Actor ;
    rdfs:label "unidentified gunmen" ; gaf:denotedBy ex:m ; kg:article ex:art .
ex:somewhere a kg:Place ;
    rdfs:label "Oldtown" ; gaf:denotedBy ex:m ; kg:article ex:art .
ex:someone a kg:Actor ;
    rdfs:label "the Watchers" ; gaf:denotedBy ex:m ; kg:article ex:art .
ex:clash a kg:ArmedClash , kg:Battle , kg:Attack , kg:Event ;
    rdfs:label "ArmedClash (clashed)" ; kg:trigger "clashed" ;
    kg:agent ex:rebels , ex:gunmen , ex:someone ; kg:place ex:somewhere ;
    gaf:denotedBy ex:m ; kg:article ex:art .
ex:protest a kg:PeacefulProtest , kg:Protest , kg:Event ;
    rdfs:label "PeacefulProtest (rallied)" ; kg:trigger "rallied" ; kg:place ex:somewhere ;
    gaf:denotedBy ex:m ; kg:article ex:art .
"""


def test_acled_classes_and_guesses_conform() -> None:
    """Non-state groups without a country, and guesses typed kg:Actor or kg:Place alone,
    never break the shapes; the guesses are reported as Info."""
    report = check(turtle() + ACLED_NODES)
    assert report.conforms, str(report)
    counts = report.counts()
    assert counts["Violation"] == 0 and counts["Warning"] == 0, str(report)
    infos = {(r.shape, r.focus) for r in report if r.severity == "Info"
             and r.shape in (URIRef(KGSH + "Actor-kind"), URIRef(KGSH + "Place-kind"))}
    ex = "https://example.org/test/"
    assert infos == {(URIRef(KGSH + "Actor-kind"), URIRef(ex + "someone")),
                     (URIRef(KGSH + "Place-kind"), URIRef(ex + "somewhere"))}


def test_a_fine_event_class_without_kg_event_is_flagged() -> None:
    text = turtle() + ACLED_NODES.replace(
        "ex:protest a kg:PeacefulProtest , kg:Protest , kg:Event ;",
        "ex:protest a kg:PeacefulProtest , kg:Protest ;",
    )
    report = check(text)
    assert not report.conforms
    assert {r.shape for r in report if r.severity == "Violation"} == {
        URIRef(KGSH + "EventKind-superclass")
    }
