"""``kgbuild validate`` end to end: the grouped report, ``--report``, ``--fail-on``,
``--shapes``, and validation of named graphs as their union.

The graphs are the checked-in sample (``tests/data/sample.trig``: it conforms, with one
warning and thirteen infos) and small edits of it made in each test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kgbuild.check.validate import validate
from kgbuild.cli import cli
from kgbuild.core.namespaces import KG

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
KGR = "https://w3id.org/kgbuild/id/"
KGSH = "https://w3id.org/kgbuild/shapes#"
GRAPH_A = URIRef(KGR + "graph/001_sample.txt")
GRAPH_B = URIRef(KGR + "graph/002_sample.txt")
SAMPLE_COUNTS = "0 violations, 1 warning, 13 infos"

EXTRA_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/kgbuild/ontology#> .
@prefix ex: <https://example.org/shapes#> .
ex:DatedEvent a sh:NodeShape ;
    sh:name "dated event (house rule)" ;
    sh:targetClass kg:Event ;
    sh:property [ sh:path kg:date ; sh:minCount 1 ;
                  sh:message "Our desk wants a date on every event." ] .
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def sample() -> Dataset:
    dataset = Dataset()
    dataset.parse(SAMPLE, format="trig")
    return dataset


def write(dataset: Dataset, path: Path) -> Path:
    dataset.serialize(destination=str(path), format="trig")
    return path


def claim_with_count(dataset: Dataset) -> tuple[URIRef, Graph]:
    for s, _, _, name in sorted(dataset.quads((None, KG.count, None, None))):
        assert isinstance(s, URIRef) and isinstance(name, URIRef)
        return s, dataset.graph(name)
    raise AssertionError("the sample has no claim with a count")


@pytest.fixture()
def violated(tmp_path: Path) -> Path:
    """The sample with one violation: a negative casualty count."""
    dataset = sample()
    claim, graph = claim_with_count(dataset)
    graph.remove((claim, KG.count, None))
    graph.add((claim, KG.count, Literal("-3", datatype=XSD.integer)))
    return write(dataset, tmp_path / "violated.trig")


# --- the printed report -------------------------------------------------------------------


def test_conforming_graph_prints_counts_and_exits_0() -> None:
    result = run("validate", SAMPLE)
    assert result.exit_code == 0, result.output
    assert f"SHACL validation: conforms ({SAMPLE_COUNTS})" in result.stderr
    assert result.stdout == ""  # the report is a message, stdout stays free


def test_report_is_grouped_by_severity_then_shape(violated: Path) -> None:
    result = run("validate", violated)
    assert result.exit_code == 1
    text = result.stderr
    assert "does NOT conform (1 violation, 1 warning, 13 infos)" in text
    sections = [
        text.index(f"== {s} ({n}) ==") for s, n in (("Violation", 1), ("Warning", 1), ("Info", 13))
    ]
    assert sections == sorted(sections)
    violation_part = text[sections[0] : sections[1]]
    assert "kgsh:Claim-count (claim count): 1 result(s)" in violation_part
    assert 'value="-3"^^xsd:integer' in violation_part
    info_part = text[sections[2] :]
    assert "kgsh:Entity-sameAsMissing" in info_part and ": 13 result(s)" in info_part


def test_focus_nodes_are_named_by_label_and_article() -> None:
    text = run("validate", SAMPLE).stderr
    warning = next(line for line in text.splitlines() if "event/fcb60bc535f44919" in line)
    assert '"Operation Dawn"' in warning and "[002_sample.txt]" in warning
    assert "path=kg:place" in warning
    shared = next(line for line in text.splitlines() if "valley-region" in line)
    assert '"Valley Region"' in shared and "[001_sample.txt, 002_sample.txt]" in shared


def test_quiet_prints_nothing_but_keeps_the_exit_code(violated: Path) -> None:
    result = run("-q", "validate", violated)
    assert result.exit_code == 1
    assert result.stderr == ""


# --- --report -----------------------------------------------------------------------------


def test_report_graph_is_written(violated: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.ttl"
    result = run("-q", "validate", violated, "--report", out)
    assert result.exit_code == 1
    report = Graph().parse(out, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert len(results) == 15
    severities = sorted(str(report.value(r, SH.resultSeverity)).split("#")[1] for r in results)
    assert severities == ["Info"] * 13 + ["Violation", "Warning"]
    shapes = {report.value(r, SH.sourceShape) for r in results}
    assert URIRef(KGSH + "Claim-count") in shapes


def test_report_of_a_conforming_graph_says_so(tmp_path: Path) -> None:
    out = tmp_path / "report.ttl"
    assert run("validate", SAMPLE, "--report", out).exit_code == 0
    report = Graph().parse(out, format="turtle")
    assert Literal(True) in set(report.objects(None, SH.conforms))


def test_report_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", SAMPLE, "--report", tmp_path / "nope" / "report.ttl")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


# --- --fail-on ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "fail_on", "code"),
    [
        pytest.param("sample", None, 0, id="warnings-default"),
        pytest.param("sample", "violation", 0, id="warnings-fail-on-violation"),
        pytest.param("sample", "warning", 1, id="warnings-fail-on-warning"),
        pytest.param("violated", None, 1, id="violation-default"),
        pytest.param("violated", "warning", 1, id="violation-fail-on-warning"),
    ],
)
def test_fail_on_decides_the_exit_code(
    graph: str, fail_on: str | None, code: int, violated: Path
) -> None:
    path = SAMPLE if graph == "sample" else violated
    options = ["--fail-on", fail_on] if fail_on else []
    assert run("validate", path, *options).exit_code == code


def test_fail_on_from_the_settings_file_and_overridden(tmp_path: Path) -> None:
    config = tmp_path / "kgbuild.toml"
    config.write_text('fail_on = "warning"\n', encoding="utf-8")
    assert run("--config", config, "validate", SAMPLE).exit_code == 1
    assert run("--config", config, "validate", SAMPLE, "--fail-on", "violation").exit_code == 0


def test_fail_on_rejects_other_levels() -> None:
    result = run("validate", SAMPLE, "--fail-on", "info")
    assert result.exit_code == 2
    assert "violation" in result.stderr and "warning" in result.stderr


# --- --shapes -----------------------------------------------------------------------------


def test_user_shapes_are_checked_besides_the_shipped_ones(tmp_path: Path) -> None:
    extra = tmp_path / "house.ttl"
    extra.write_text(EXTRA_SHAPES, encoding="utf-8")
    result = run("validate", SAMPLE, "--shapes", extra)
    assert result.exit_code == 1
    text = result.stderr
    assert "[dated event (house rule), path kg:date]: 2 result(s)" in text
    assert "Our desk wants a date on every event." in text
    assert "kgsh:Event-placeMissing" in text  # the shipped shapes still run


def test_several_user_shapes_files(tmp_path: Path) -> None:
    first = tmp_path / "a.ttl"
    first.write_text(EXTRA_SHAPES, encoding="utf-8")
    second = tmp_path / "b.ttl"
    second.write_text(
        EXTRA_SHAPES.replace("DatedEvent", "NamedEvent")
        .replace("kg:date", "kg:name")
        .replace("dated event", "named event")
        .replace("a date", "a name"),
        encoding="utf-8",
    )
    text = run("validate", SAMPLE, "--shapes", first, "--shapes", second).stderr
    assert "[dated event (house rule), path kg:date]" in text
    assert "[named event (house rule), path kg:name]" in text


def test_anonymous_user_property_shapes_are_named_by_their_node_shape(tmp_path: Path) -> None:
    extra = tmp_path / "house.ttl"
    extra.write_text(EXTRA_SHAPES.replace('sh:name "dated event (house rule)" ;', ""), "utf-8")
    text = run("validate", SAMPLE, "--shapes", extra).stderr
    assert "[ex:DatedEvent, path kg:date]: 2 result(s)" in text
    assert "(anonymous shape)" not in text


def test_broken_user_shapes_file_exits_2_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("this is not turtle .", encoding="utf-8")
    result = run("validate", SAMPLE, "--shapes", bad)
    assert result.exit_code == 2
    assert "broken.ttl" in result.stderr and "Fix:" in result.stderr


def test_missing_user_shapes_file_exits_2(tmp_path: Path) -> None:
    result = run("validate", SAMPLE, "--shapes", tmp_path / "none.ttl")
    assert result.exit_code == 2


def test_unparseable_graph_exits_2(tmp_path: Path) -> None:
    graph = tmp_path / "bad.trig"
    graph.write_text("<a> <b> .", encoding="utf-8")
    result = run("validate", graph)
    assert result.exit_code == 2
    assert "bad.trig" in result.stderr


# --- named graphs: the shapes hold over the union -------------------------------------------


def split_agent_type(dataset: Dataset) -> tuple[URIRef, URIRef]:
    """Move the type triples of an event's agent out of the event's article graph.

    An event in article A's graph keeps ``kg:agent X``; every ``X rdf:type`` triple is
    then asserted in article B's graph only. Returns (event, agent).
    """
    graph_a, graph_b = dataset.graph(GRAPH_A), dataset.graph(GRAPH_B)
    event, agent = next(
        (s, o)
        for s, o in sorted(graph_a.subject_objects(KG.agent))
        if (s, RDF.type, KG.Event) in graph_a
    )
    types = {t for _, _, t, _ in dataset.quads((agent, RDF.type, None, None))}
    assert KG.Actor in types
    for graph in dataset.graphs():
        graph.remove((agent, RDF.type, None))
    for kind in types:
        graph_b.add((agent, RDF.type, kind))
    assert not list(graph_a.objects(agent, RDF.type))
    return event, agent  # type: ignore[return-value]


def test_cross_graph_link_gives_no_false_result() -> None:
    dataset = sample()
    event, _ = split_agent_type(dataset)
    report = validate(dataset)
    assert report.conforms
    assert not [r for r in report if r.focus == event and r.path == KG.agent], str(report)
    assert report.counts() == validate(sample()).counts()
    # the check is meaningful: article A's graph on its own lacks the agent's type
    alone = validate(dataset.graph(GRAPH_A))
    assert any(r.focus == event and r.shape == URIRef(KGSH + "Event-agentClass") for r in alone), (
        str(alone)
    )


def test_cross_graph_link_through_the_command_line(tmp_path: Path) -> None:
    dataset = sample()
    split_agent_type(dataset)
    path = write(dataset, tmp_path / "split.trig")
    result = run("validate", path)
    assert result.exit_code == 0, result.stderr
    assert f"conforms ({SAMPLE_COUNTS})" in result.stderr
    assert "Event-agentClass" not in result.stderr
