"""Every query in ``queries/`` over the graph of the seed articles, on two SPARQL engines.

The seeds are built once for the module. Each query runs on rdflib and on pyoxigraph and
must give the same columns (those its header declares) and the same rows. Queries with
parameters also run with a value taken from the seed graph: the most frequent value of
the parameter's column in the query's own unparameterised answer; the bound answer must
be the same on both engines and equal the unbound rows that have that value.

The command line is checked on the same graph: ``kgbuild query --list`` prints every
query's header, and ``--param`` values are bound as terms (a hostile value is just a
string to compare with).

The module also checks the OWL 2 RL closure of the ontology plus the seed graph is
consistent (issue 4): no member of ``owl:Nothing`` and no error reported by owlrl.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import owlrl
import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph, Namespace
from rdflib.namespace import OWL, RDF
from rdflib.term import Node, _toPythonMapping

import kgbuild
from kgbuild.cli import cli
from kgbuild.query import QueryInfo, QueryResult, list_queries, run_query

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("rdflib", "oxigraph")
QUERIES = list_queries()
PARAMETERISED = [
    pytest.param(info, param.name, id=f"{info.name}:{param.name}")
    for info in QUERIES
    for param in info.parameters
]
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error messages


@pytest.fixture(scope="module")
def seed_graph(seeds_dir: Path) -> Dataset:
    return kgbuild.build([seeds_dir]).dataset


def run(dataset: Dataset, info: QueryInfo, engine: str, **params: str) -> QueryResult:
    return run_query(
        dataset,
        info.path.read_text(encoding="utf-8"),
        params=params or None,
        engine=engine,  # type: ignore[arg-type]
        timeout=120,
    )


def rows(result: QueryResult) -> list[str]:
    return sorted(map(repr, result.rows))


def test_the_library_is_complete() -> None:
    """The ten contract queries and the analyst's library are all there."""
    assert len(QUERIES) >= 18
    assert len(PARAMETERISED) >= 5


@pytest.mark.parametrize("info", QUERIES, ids=[info.name for info in QUERIES])
def test_engines_agree_on_the_seed_graph(seed_graph: Dataset, info: QueryInfo) -> None:
    by_engine = {engine: run(seed_graph, info, engine) for engine in ENGINES}
    rdflib_result, oxigraph_result = by_engine["rdflib"], by_engine["oxigraph"]
    assert rdflib_result.vars == oxigraph_result.vars == info.columns
    assert rows(rdflib_result) == rows(oxigraph_result)


def sample_value(seed_graph: Dataset, info: QueryInfo, name: str) -> Node:
    """The most frequent value of the parameter's column in the unbound answer."""
    assert name in info.columns, f"{info.name}: parameter {name} is not a column"
    result = run(seed_graph, info, "rdflib")
    column = info.columns.index(name)
    counts = Counter(row[column] for row in result.rows if row[column] is not None)
    if not counts:
        pytest.fail(f"{info.name} gives no value for ?{name} on the seed graph")
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]


@pytest.mark.parametrize(("info", "name"), PARAMETERISED)
def test_parameterised_queries_agree_on_the_seed_graph(
    seed_graph: Dataset, info: QueryInfo, name: str
) -> None:
    value = sample_value(seed_graph, info, name)
    bound = {engine: run(seed_graph, info, engine, **{name: str(value)}) for engine in ENGINES}
    assert bound["rdflib"].rows, f"{info.name} with {name}={value!s} gives nothing"
    assert rows(bound["rdflib"]) == rows(bound["oxigraph"])
    unbound = run(seed_graph, info, "rdflib")
    column = info.columns.index(name)
    expected = sorted(repr(row) for row in unbound.rows if row[column] == value)
    assert rows(bound["rdflib"]) == expected


def test_owl_rl_closure_of_ontology_and_seed_graph_is_consistent(seed_graph: Dataset) -> None:
    graph = Graph()
    for s, p, o, _ in seed_graph.quads((None, None, None, None)):
        graph.add((s, p, o))
    graph.parse(ROOT / "ontology" / "kgbuild.ttl", format="turtle")
    graph.parse(ROOT / "ontology" / "vocab.ttl", format="turtle")
    before = len(graph)
    parsers = dict(_toPythonMapping)
    try:
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    finally:  # owlrl adds and swaps rdflib's literal parsers, process-wide:
        # put rdflib's back, or later tests judge literals by owlrl's rules
        _toPythonMapping.clear()
        _toPythonMapping.update(parsers)
    assert len(graph) > before  # the closure drew conclusions
    assert not list(graph.subjects(RDF.type, OWL.Nothing))
    errors = [str(graph.value(n, ERR.error)) for n in graph.subjects(RDF.type, ERR.ErrorMessage)]
    assert errors == []


# --- the command line --------------------------------------------------------------------


def cli_run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def seed_file(seed_graph: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seeds.trig"
    path.write_bytes(seed_graph.serialize(format="trig", encoding="utf-8"))
    return path


def cli_rows(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.output
    bindings: list[dict[str, object]] = json.loads(result.stdout)["results"]["bindings"]
    return bindings


def test_query_list_prints_every_header() -> None:
    result = cli_run("query", "--list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for info in QUERIES:
        head = lines.index(f"{info.name}: {info.question}")
        assert lines[head + 1].split() == ["columns:", *("?" + c for c in info.columns)]
        block = "\n".join(lines[head + 2 : head + 2 + max(1, len(info.parameters))])
        if not info.parameters:
            assert block.strip() == "parameters: none"
        for param in info.parameters:
            assert f"--param {param.name}=" in block and param.description in block


@pytest.mark.parametrize("engine", ENGINES)
def test_cli_param_is_bound(seed_graph: Dataset, seed_file: Path, engine: str) -> None:
    info = next(i for i in QUERIES if i.name == "claims-by-source")
    value = str(sample_value(seed_graph, info, "source"))
    found = cli_rows(
        cli_run(
            "query",
            seed_file,
            info.name,
            "--param",
            f"source={value}",
            "--format",
            "json",
            "--engine",
            engine,
        )
    )
    assert found and {row["source"]["value"] for row in found} == {value}  # type: ignore[index]
    assert len(found) == len(run(seed_graph, info, "rdflib", source=value).rows)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "value",
    [
        pytest.param('x" } ; DROP ALL # ', id="quote-brace-drop"),
        pytest.param('x" ) } UNION { ?fact ?p ?text } #', id="union-injection"),
        pytest.param("x' . ?s ?p ?o . FILTER('1'='1", id="filter-injection"),
    ],
)
def test_cli_hostile_param_is_just_a_string(seed_file: Path, value: str, engine: str) -> None:
    before = seed_file.read_bytes()
    found = cli_rows(
        cli_run(
            "query",
            seed_file,
            "claims-by-source",
            "--param",
            f"source={value}",
            "--format",
            "json",
            "--engine",
            engine,
        )
    )
    assert found == []
    assert seed_file.read_bytes() == before


@pytest.mark.parametrize(
    ("param", "message"),
    [
        pytest.param(
            "fact=http://x/> } ; DROP ALL", "not a valid absolute IRI", id="iri-injection"
        ),
        pytest.param("fact=not an iri", "not a valid absolute IRI", id="not-an-iri"),
        pytest.param("nope=1", "no such parameter", id="undeclared"),
        pytest.param("fa ct=1", "NAME=VALUE", id="bad-name"),
    ],
)
def test_cli_bad_params_exit_2(seed_file: Path, param: str, message: str) -> None:
    result = cli_run("query", seed_file, "sources-of-fact", "--param", param)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_iri_param(seed_graph: Dataset, seed_file: Path) -> None:
    info = next(i for i in QUERIES if i.name == "sources-of-fact")
    fact = str(sample_value(seed_graph, info, "fact"))
    found = cli_rows(
        cli_run("query", seed_file, info.name, "--param", f"fact={fact}", "--format", "json")
    )
    assert found and {row["fact"]["value"] for row in found} == {fact}  # type: ignore[index]


def test_cli_own_query_file_with_a_parameter(seed_file: Path, tmp_path: Path) -> None:
    own = tmp_path / "said-by.rq"
    own.write_text(
        "# Question: What did a given speaker say?\n"
        "# Columns: ?quote\n"
        "# Parameters:\n"
        "# param: name - the speaker's label\n"
        "PREFIX kg: <https://w3id.org/kgbuild/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?quote WHERE { ?s kg:speaker ?p ; kg:quote ?quote . ?p rdfs:label ?name }\n",
        encoding="utf-8",
    )
    missing = cli_run("query", seed_file, own)
    assert missing.exit_code == 2 and "needs the parameter" in missing.stderr
    speakers = cli_rows(cli_run("query", seed_file, "statements", "--format", "json"))
    name = next(r["speaker"]["value"] for r in speakers if "speaker" in r)  # type: ignore[index]
    found = cli_rows(
        cli_run("query", seed_file, own, "--param", f"name={name}", "--format", "json")
    )
    assert found
