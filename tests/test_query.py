"""Tests of kgbuild.query: safety rules, parameter binding, timeouts, engine parity,
and the query files' contract (tests/gold/FORMAT.md)."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kgbuild.core.errors import QueryError, QueryTimeout
from kgbuild.query import (
    QueryResult,
    list_queries,
    named_query,
    parse_header,
    run_named_query,
    run_query,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
QUERIES = ROOT / "queries"
ENGINES = ("rdflib", "oxigraph")

CONTRACT = {
    "actors": ("actor", "label", "kind"),
    "places": ("place", "label", "kind"),
    "place-links": ("label", "relation", "otherLabel"),
    "events": ("event", "kind", "agent", "target", "place", "time"),
    "casualties": ("claim", "source", "victim", "outcome", "count", "qualifier"),
    "statements": ("statement", "speaker", "stance", "addressee", "quote"),
    "agreements": ("agreement", "label", "date", "broker", "party"),
    "roles": ("person", "role", "organization"),
    "conflicts": ("claimA", "sourceA", "claimB", "sourceB", "topic"),
    "provenance": ("fact", "article", "begin", "end", "text"),
}
ANALYST = (
    "timeline",
    "claims-by-source",
    "about-entity",
    "casualty-figures",
    "cooccurrence",
    "sources-of-fact",
    "events-at-place",
    "agreements-violations",
)
KGR = "https://w3id.org/kgbuild/id/"
LABEL_QUERY = "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


@pytest.fixture(scope="module")
def sample() -> Dataset:
    ds = Dataset()
    ds.parse(SAMPLE, format="trig")
    return ds


@pytest.fixture(scope="module")
def tiny() -> Graph:
    g = Graph()
    g.add((URIRef("urn:x:a"), RDFS.label, Literal("A")))
    g.add((URIRef("urn:x:b"), RDFS.label, Literal('x" } ; DROP ALL # "')))
    g.add((URIRef("urn:x:c"), RDFS.label, Literal("C")))
    return g


def _all_query_files() -> list[Path]:
    return sorted(QUERIES.glob("*.rq"))


# --- safety -----------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "sparql",
    [
        pytest.param(
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", id="service"
        ),
        pytest.param(
            "SELECT * WHERE { ?s ?p ?o OPTIONAL {"
            " SERVICE SILENT <http://example.org/q> { ?s ?x ?y } } }",
            id="service-silent-nested",
        ),
        pytest.param(
            "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://e.org/q> { ?s ?p ?o } } } }",
            id="service-in-subquery",
        ),
    ],
)
def test_service_is_refused(tiny: Graph, sparql: str, engine: str) -> None:
    with pytest.raises(QueryError, match="SERVICE is disabled"):
        run_query(tiny, sparql, engine=engine)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "sparql",
    [
        pytest.param("SELECT * FROM <http://example.org/g.ttl> WHERE { ?s ?p ?o }", id="from"),
        pytest.param(
            "SELECT * FROM NAMED <http://example.org/g.ttl> WHERE { ?s ?p ?o }", id="from-named"
        ),
    ],
)
def test_from_is_refused(tiny: Graph, sparql: str, engine: str) -> None:
    with pytest.raises(QueryError, match="FROM and FROM NAMED are disabled"):
        run_query(tiny, sparql, engine=engine, allow_service=True)  # type: ignore[arg-type]


def test_service_word_inside_a_string_is_not_refused(tiny: Graph) -> None:
    result = run_query(tiny, 'SELECT ?s WHERE { ?s ?p ?o FILTER (STR(?o) != "SERVICE FROM") }')
    assert len(result) == 3


@pytest.mark.parametrize(
    "sparql",
    [
        pytest.param("INSERT DATA { <urn:a> <urn:b> <urn:c> }", id="update"),
        pytest.param("ASK { ?s ?p ?o }", id="ask"),
        pytest.param("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", id="construct"),
        pytest.param("SELECT ?s WHERE { ?s ?p }", id="syntax"),
        pytest.param("SELECT ?s WHERE { ?s undeclared:p ?o }", id="undeclared-prefix"),
    ],
)
def test_only_valid_select_queries_run(tiny: Graph, sparql: str) -> None:
    with pytest.raises(QueryError):
        run_query(tiny, sparql)


def test_unknown_engine(tiny: Graph) -> None:
    with pytest.raises(QueryError, match="unknown query engine"):
        run_query(tiny, LABEL_QUERY, engine="virtuoso")  # type: ignore[arg-type]


# --- parameters ---------------------------------------------------------------

HOSTILE = [
    pytest.param('x" } ; DROP ALL # "', id="quote-brace-drop"),
    pytest.param('A" . ?s ?p ?o . FILTER("1"="1', id="filter-injection"),
    pytest.param("A' } UNION { ?s ?p ?o } #", id="single-quote-union"),
    pytest.param("line\nbreak \\ backslash", id="newline-backslash"),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_just_strings(tiny: Graph, value: str, engine: str) -> None:
    result = run_query(tiny, LABEL_QUERY, params={"label": value}, engine=engine)  # type: ignore[arg-type]
    expected = [(URIRef("urn:x:b"),)] if value == 'x" } ; DROP ALL # "' else []
    assert list(result.rows) == expected
    assert len(tiny) == 3  # nothing was changed


@pytest.mark.parametrize("engine", ENGINES)
def test_param_binds_label(tiny: Graph, engine: str) -> None:
    result = run_query(tiny, LABEL_QUERY, params={"label": "C"}, engine=engine)  # type: ignore[arg-type]
    assert result.rows == ((URIRef("urn:x:c"),),)


@pytest.mark.parametrize("engine", ENGINES)
def test_iri_parameter_from_header(sample: Dataset, engine: str) -> None:
    events = run_query(sample, named_query("events").read_text(), engine=engine)  # type: ignore[arg-type]
    attack = next(row[0] for row in events.rows if row[-1] == Literal("2022-08-03"))
    sparql = named_query("sources-of-fact").read_text()
    result = run_query(sample, sparql, params={"fact": str(attack)}, engine=engine)  # type: ignore[arg-type]
    assert result.rows
    assert {row[0] for row in result.rows} == {attack}
    articles = {str(row[3]) for row in result.rows}
    assert articles == {"001_sample.txt", "002_sample.txt"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"nope": "x"}, "no such parameter", id="undeclared"),
        pytest.param({"fact": "not an iri"}, "not a valid absolute IRI", id="bad-iri"),
        pytest.param(
            {"fact": "http://x/> } ; DROP ALL"}, "not a valid absolute IRI", id="iri-injection"
        ),
        pytest.param({"fa ct": "x"}, "SPARQL variable name", id="bad-name"),
    ],
)
def test_bad_parameters(sample: Dataset, params: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        run_query(sample, named_query("sources-of-fact").read_text(), params=params)


def test_parameter_must_be_a_query_variable(tiny: Graph) -> None:
    with pytest.raises(QueryError, match="no variable of that name"):
        run_query(tiny, LABEL_QUERY, params={"labels": "A"})


def test_required_parameter_missing(tiny: Graph) -> None:
    sparql = "# param: label - the label\n" + LABEL_QUERY
    with pytest.raises(QueryError, match="needs the parameter"):
        run_query(tiny, sparql)


# --- timeout ------------------------------------------------------------------

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SLOW_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.mark.parametrize(
    ("engine", "sparql"),
    [
        pytest.param("rdflib", SLOW, id="rdflib-aggregate"),
        pytest.param("rdflib", SLOW_ROWS, id="rdflib-rows"),
        pytest.param("oxigraph", SLOW_ROWS, id="oxigraph-rows"),
    ],
)
def test_timeout_raises(sample: Dataset, engine: str, sparql: str) -> None:
    before = threading.active_count()
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than"):
        run_query(sample, sparql, engine=engine, timeout=0.5)  # type: ignore[arg-type]
    assert time.monotonic() - started < 5
    # the abandoned worker notices the cancellation and ends soon
    deadline = time.monotonic() + 10
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before


def test_query_timeout_is_a_query_error() -> None:
    assert issubclass(QueryTimeout, QueryError)


# --- results ------------------------------------------------------------------


def test_limit(sample: Dataset) -> None:
    result = run_query(sample, named_query("actors").read_text(), limit=2)
    assert len(result) == 2


def test_renderers(tiny: Graph) -> None:
    result = run_query(tiny, "SELECT ?s ?label ?none WHERE { ?s ?p ?label } ORDER BY ?s")
    assert result.vars == ("s", "label", "none")
    assert result.to_dicts()[0] == {"s": URIRef("urn:x:a"), "label": Literal("A"), "none": None}
    csv_text = result.to_csv()
    assert csv_text.splitlines()[0] == "s,label,none"
    assert '"x"" } ; DROP ALL # """' in csv_text
    tsv = result.to_tsv().splitlines()
    assert tsv[0] == "?s\t?label\t?none"
    assert tsv[2] == '<urn:x:b>\t"x\\" } ; DROP ALL # \\""\t'
    document = json.loads(result.to_json())
    assert document["head"]["vars"] == ["s", "label", "none"]
    assert document["results"]["bindings"][0] == {
        "s": {"type": "uri", "value": "urn:x:a"},
        "label": {"type": "literal", "value": "A"},
    }
    table = result.to_table()
    assert "urn:x:a" in table and "(3 rows)" in table


def test_typed_literals_in_json() -> None:
    result = QueryResult(vars=("n", "l"), rows=((Literal(3), Literal("chat", lang="fr")),))
    binding = json.loads(result.to_json())["results"]["bindings"][0]
    assert binding["n"] == {"type": "literal", "value": "3", "datatype": str(XSD.integer)}
    assert binding["l"] == {"type": "literal", "value": "chat", "xml:lang": "fr"}


def test_plain_graph_and_dataset_agree(sample: Dataset) -> None:
    union = Graph()
    for s, p, o, _ in sample.quads((None, None, None, None)):
        union.add((s, p, o))
    sparql = named_query("events").read_text()
    assert run_query(union, sparql).rows == run_query(sample, sparql).rows


# --- query files --------------------------------------------------------------


def test_every_contract_and_analyst_query_is_shipped() -> None:
    names = {info.name for info in list_queries()}
    assert set(CONTRACT) | set(ANALYST) <= names


@pytest.mark.parametrize("path", _all_query_files(), ids=lambda p: p.stem)
def test_query_header(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# Question: ")
    assert lines[1].startswith("# Columns: ")
    assert lines[2].startswith("# Parameters:")
    question, columns, parameters = parse_header(text)
    assert "?" in question
    if lines[2].strip() == "# Parameters: none":
        assert parameters == ()
    else:
        assert parameters
    if path.stem in CONTRACT:
        assert columns == CONTRACT[path.stem]
        assert parameters == ()


@pytest.mark.parametrize("path", _all_query_files(), ids=lambda p: p.stem)
def test_query_is_general(path: Path) -> None:
    """No query names a particular entity: no resource IRIs, no quoted names."""
    body = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )
    assert KGR not in body
    assert "kgr:" not in body
    assert "GRAPH" not in body.upper().replace("GRAPH>", "")


@pytest.mark.parametrize("path", _all_query_files(), ids=lambda p: p.stem)
def test_engines_agree(sample: Dataset, path: Path) -> None:
    sparql = path.read_text(encoding="utf-8")
    _, columns, _ = parse_header(sparql)
    by_engine = {engine: run_query(sample, sparql, engine=engine) for engine in ENGINES}  # type: ignore[arg-type]
    rdflib_result, oxigraph_result = by_engine["rdflib"], by_engine["oxigraph"]
    assert rdflib_result.vars == oxigraph_result.vars == columns
    assert rdflib_result.rows, f"{path.stem} returns nothing on the sample"
    assert sorted(map(repr, rdflib_result.rows)) == sorted(map(repr, oxigraph_result.rows))


@pytest.mark.parametrize(
    ("name", "params", "expected_rows"),
    [
        pytest.param(
            "claims-by-source",
            {"source": "Ministry of Defense of Northland"},
            2,
            id="claims-by-source",
        ),
        pytest.param("about-entity", {"entity": "2020 ceasefire agreement"}, 2, id="about-entity"),
        pytest.param("events-at-place", {"place": "Southland"}, 2, id="events-at-place"),
        pytest.param("events-at-place", {"place": "Riverton"}, 1, id="events-at-place-direct"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_parameterised_queries(
    sample: Dataset, name: str, params: dict[str, str], expected_rows: int, engine: str
) -> None:
    result = run_named_query(sample, name, params=params, engine=engine)
    assert len(result) == expected_rows


def test_timeline_is_ordered(sample: Dataset) -> None:
    result = run_named_query(sample, "timeline")
    dates = [str(row[0]) if row[0] is not None else "~" for row in result.rows]
    assert dates == sorted(dates)
    assert dates[-1] == "~"


def test_provenance_offsets_match_article_text(sample: Dataset) -> None:
    texts = {
        str(name): str(text)
        for name, text in run_query(
            sample,
            "SELECT ?name ?text WHERE { ?a <https://w3id.org/kgbuild/ontology#fileName> ?name ;"
            " <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?text }",
        ).rows
    }
    assert len(texts) == 2
    result = run_named_query(sample, "provenance")
    assert result.rows
    for _, article, begin, end, text in result.rows:
        assert texts[str(article)][int(begin) : int(end)] == str(text)  # type: ignore[arg-type]


def test_contract_values_on_sample(sample: Dataset) -> None:
    casualties = run_named_query(sample, "casualties").to_dicts()
    sources = {str(row["source"]) for row in casualties}
    assert "Northland Army Strikes Riverton, Two Southland Soldiers Killed" in sources  # own voice
    statements = run_named_query(sample, "statements").to_dicts()
    assert any(row["speaker"] is None for row in statements)
    roles = run_named_query(sample, "roles").rows
    assert roles == (
        (Literal("John Smith"), Literal("secretary"), Literal("Security Council of Southland")),
    )


def test_named_query_unknown() -> None:
    with pytest.raises(QueryError, match="no such query"):
        named_query("../pyproject")
    with pytest.raises(QueryError, match="no such query"):
        named_query("nonexistent")


# --- kind lists follow the ontology ------------------------------------------

ONTOLOGY = ROOT / "ontology" / "kgbuild.ttl"
KG_NS = "https://w3id.org/kgbuild/ontology#"


def _kinds_under(root: str) -> set[str]:
    """Local names of every class below ``kg:{root}`` in the ontology (transitively)."""
    graph = Graph().parse(ONTOLOGY, format="turtle")
    below: set[str] = set()
    for cls in graph.subjects(RDF.type, OWL.Class):
        todo, seen = [cls], set()
        while todo:
            for parent in graph.objects(todo.pop(), RDFS.subClassOf):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        if URIRef(KG_NS + root) in seen:
            below.add(str(cls)[len(KG_NS):])
    return below


def _values_block(text: str, variable: str) -> set[str]:
    """The kg: local names in the VALUES block that binds ``variable``."""
    start = re.search(r"VALUES\s*\(?\s*\?" + variable + r"\b", text)
    assert start is not None, f"no VALUES for ?{variable}"
    end = text.index("}", start.end())
    return set(re.findall(r"kg:(\w+)", text[start.end():end]))


@pytest.mark.parametrize(
    ("name", "variable", "root"),
    [
        pytest.param("events", "kind", "Event", id="events"),
        pytest.param("timeline", "kind", "Event", id="timeline"),
        pytest.param("events-at-place", "kind", "Event", id="events-at-place"),
        pytest.param("agreements-violations", "factKind", "Event", id="agreements-violations"),
        pytest.param("actors", "kind", "Actor", id="actors"),
        pytest.param("places", "kind", "Place", id="places"),
    ],
)
def test_kind_lists_cover_the_ontology(name: str, variable: str, root: str) -> None:
    text = named_query(name).read_text(encoding="utf-8")
    assert _values_block(text, variable) == _kinds_under(root)


@pytest.mark.parametrize("name", ["events", "timeline", "events-at-place"])
def test_kind_rank_is_the_lexical_order(name: str) -> None:
    """?kindRank stands for ?kind in ORDER BY, so it must follow the IRIs' order."""
    text = named_query(name).read_text(encoding="utf-8")
    pairs = re.findall(r"\(kg:(\w+) (\d+)\)", text)
    assert [int(rank) for _, rank in pairs] == list(range(1, len(pairs) + 1))
    assert [kind for kind, _ in pairs] == sorted(kind for kind, _ in pairs)
