"""Tests of kgbuild.outputs.turtle_writer: sorted, deterministic Turtle and TriG that rdflib and
pyoxigraph read back as the graph that was written.

Graphs are compared through pyoxigraph's canonical form (blank nodes relabelled), so
graphs with blank nodes compare too; ``xsd:string`` and plain literals count as the same
there, and rdflib's reading is also compared term for term where that matters.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, XSD

from kgbuild.core.namespaces import PREFIXES as KGBUILD_PREFIXES
from kgbuild.outputs.turtle_writer import (
    TurtleWriteError,
    dataset_quads,
    iter_trig,
    write_trig,
    write_turtle,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
EX = "http://example.org/"
PREFIXES = {"ex": EX, "xsd": str(XSD), "rdf": str(RDF), "rdfs": str(RDFS)}

Quad = tuple[Any, Any, Any, Any]


def ex(local: str) -> URIRef:
    return URIRef(EX + local)


# --- comparing graphs ----------------------------------------------------------------------


def _to_ox(term: Any) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _graph_to_ox(graph: Any) -> Any:
    if isinstance(graph, Graph):
        graph = graph.identifier
    if graph is None or graph == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    return _to_ox(graph)


def canonical(quads: Iterable[Any]) -> set[str]:
    """pyoxigraph quads as canonical N-Quads lines (blank nodes relabelled)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


def expected(quads: Iterable[Quad], *, graphs: bool) -> set[str]:
    return canonical(
        ox.Quad(
            _to_ox(s), _to_ox(p), _to_ox(o), _graph_to_ox(g) if graphs else ox.DefaultGraph()
        )
        for s, p, o, g in quads
    )


def read_by_oxigraph(data: bytes, *, trig: bool) -> set[str]:
    fmt = ox.RdfFormat.TRIG if trig else ox.RdfFormat.TURTLE
    return canonical(ox.parse(data, format=fmt))


def rdflib_dataset(data: bytes, *, trig: bool) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=data, format="trig" if trig else "turtle")
    return dataset


def as_rdflib_reads(term: Any) -> Any:
    """A term as rdflib's parsers make it: typed literals normalised ("-0" -> "0")."""
    if isinstance(term, Literal) and term.datatype is not None:
        return Literal(str(term), datatype=term.datatype)
    return term


def normalised(quads: Iterable[Quad]) -> list[Quad]:
    return [(s, p, as_rdflib_reads(o), g) for s, p, o, g in quads]


def read_by_rdflib(data: bytes, *, trig: bool) -> set[str]:
    return expected(rdflib_dataset(data, trig=trig).quads((None, None, None, None)), graphs=trig)


def assert_round_trips(
    quads: list[Quad], prefixes: Any = PREFIXES, *, oxigraph: bool = True
) -> tuple[bytes, bytes]:
    """Write as TriG and as Turtle; both parsers read back what was written.

    ``oxigraph=False`` for graphs with IRIs that pyoxigraph rejects (``%`` without two
    hex digits): rdflib's reading is then compared term for term.
    """
    trig = write_trig(quads, prefixes=prefixes)
    turtle = write_turtle([(s, p, o) for s, p, o, _ in quads], prefixes=prefixes)
    for data, is_trig in ((trig, True), (turtle, False)):
        text = data.decode("utf-8")
        rdflib_want = {(s, p, o) for s, p, o, _ in normalised(quads)}
        if not oxigraph:
            assert rdflib_terms_back(data, trig=is_trig) == rdflib_want, text
            continue
        assert read_by_oxigraph(data, trig=is_trig) == expected(quads, graphs=is_trig), text
        want = expected(normalised(quads), graphs=is_trig)
        assert read_by_rdflib(data, trig=is_trig) == want, text
    return trig, turtle


def oxigraph_accepts(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def rdflib_terms_back(data: bytes, *, trig: bool) -> set[tuple[Any, Any, Any]]:
    """The triples rdflib reads (rdflib terms: xsd:string kept apart from plain)."""
    return {(s, p, o) for s, p, o, _ in rdflib_dataset(data, trig=trig).quads()}


# --- layout --------------------------------------------------------------------------------


def test_turtle_layout_groups_and_sorts() -> None:
    triples = [
        (ex("b"), RDFS.label, Literal("B")),
        (ex("a"), ex("q"), ex("z")),
        (ex("a"), RDF.type, ex("T2")),
        (ex("a"), ex("q"), ex("y")),
        (ex("a"), RDF.type, ex("T1")),
        (ex("a"), ex("p"), Literal("x")),
        (ex("a"), RDFS.label, Literal("A")),
        (BNode(), ex("p"), Literal("unreferenced")),
    ]
    text = write_turtle(triples, prefixes=PREFIXES).decode()
    assert text == (
        "@prefix ex: <http://example.org/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "\n"
        "ex:a a ex:T1,\n"
        "        ex:T2 ;\n"
        '    rdfs:label "A" ;\n'
        '    ex:p "x" ;\n'
        "    ex:q ex:y,\n"
        "        ex:z .\n"
        "\n"
        'ex:b rdfs:label "B" .\n'
        "\n"
        '[] ex:p "unreferenced" .\n'
    )


def test_trig_layout_default_graph_first_then_graphs_by_name() -> None:
    quads = [
        (ex("s"), ex("p"), ex("o"), ex("g2")),
        (ex("s"), ex("p"), ex("o"), ex("g1")),
        (ex("s"), ex("p"), Literal("d"), None),
        (ex("t"), ex("p"), ex("o"), DATASET_DEFAULT_GRAPH_ID),
    ]
    text = write_trig(quads, prefixes=PREFIXES).decode()
    assert text == (
        "@prefix ex: <http://example.org/> .\n"
        "\n"
        "{\n"
        '    ex:s ex:p "d" .\n'
        "\n"
        "    ex:t ex:p ex:o .\n"
        "}\n"
        "\n"
        "ex:g1 {\n"
        "    ex:s ex:p ex:o .\n"
        "}\n"
        "\n"
        "ex:g2 {\n"
        "    ex:s ex:p ex:o .\n"
        "}\n"
    )


def test_only_used_prefixes_are_written_sorted() -> None:
    prefixes = [("zz", "http://zz.example/"), ("ex", EX), ("aa", "http://aa.example/")]
    quads = [
        (ex("s"), RDF.type, URIRef("http://zz.example/T"), None),
        (ex("s"), ex("p"), URIRef("http://aa.example/x"), None),
    ]
    text = write_trig(quads, prefixes=prefixes).decode()
    # rdf:type is written "a": no rdf prefix although rdf is bound in PREFIXES elsewhere
    assert re.findall(r"^@prefix (\w*):", text, flags=re.MULTILINE) == ["aa", "ex", "zz"]
    text = write_trig(quads, prefixes=dict(reversed(prefixes))).decode()
    assert re.findall(r"^@prefix (\w*):", text, flags=re.MULTILINE) == ["aa", "ex", "zz"]


def test_rdf_type_as_object_uses_the_rdf_prefix() -> None:
    text = write_turtle([(ex("s"), ex("p"), RDF.type)], prefixes=PREFIXES).decode()
    assert "@prefix rdf:" in text and "ex:s ex:p rdf:type ." in text


def test_empty_input_gives_empty_output() -> None:
    assert write_trig([], prefixes=PREFIXES) == b""
    assert write_turtle([], prefixes=PREFIXES) == b""


def test_no_prefixes_gives_full_iris_and_no_blank_first_line() -> None:
    text = write_turtle([(ex("s"), ex("p"), ex("o"))]).decode()
    assert text == "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"


def test_iter_trig_chunks_join_to_the_document() -> None:
    quads = [(ex(f"s{i}"), ex("p"), Literal(i), ex(f"g{i % 7}")) for i in range(12000)]
    chunks = list(iter_trig(quads, prefixes=PREFIXES))
    assert len(chunks) > 2
    assert b"".join(chunks) == write_trig(quads, prefixes=PREFIXES)


# --- prefixed names ------------------------------------------------------------------------

#: local part -> whether it may be written as a prefixed name (without backslash escapes)
LOCAL_NAMES = {
    "a": True,
    "a.b": True,  # a dot inside is fine
    "a.": False,  # ... not at the end
    ".a": False,
    "a-b": True,
    "-a": False,
    "123": True,  # Turtle 1.1 allows a leading digit
    "1a.2": True,
    "_x": True,
    "a:b": True,
    ":a": True,
    "a%20b": True,  # %HH stays as written in the IRI
    "a%2": False,
    "a%zz": False,
    "%41": True,
    "a#b": False,
    "a/b": False,
    "a?b": False,
    "a=b,c": False,
    "a~b": False,
    "a'b": False,
    "a(b)": False,
    "é": True,
    "a·b": True,  # U+00B7 inside
    "·a": False,
    "a\u0300": True,  # combining mark inside
    "Ω-1": True,
    "a\u00d7b": False,  # U+00D7 is not a name character
    "": True,  # the namespace itself: "ex:"
    "Q42": True,
}


@pytest.mark.parametrize("local", sorted(LOCAL_NAMES))
def test_prefixed_name_only_for_valid_local_parts(local: str) -> None:
    iri = EX + local
    quads: list[Quad] = [(URIRef(iri), ex("p"), URIRef(iri), ex("g"))]
    trig, turtle = assert_round_trips(quads, oxigraph=oxigraph_accepts(iri))
    text = turtle.decode()
    if LOCAL_NAMES[local]:
        assert f"ex:{local} ex:p ex:{local} ." in text
    else:
        assert f"<{iri}> ex:p <{iri}> ." in text
    # what rdflib reads is the very IRI
    assert (URIRef(iri), ex("p"), URIRef(iri)) in rdflib_terms_back(trig, trig=True)


def test_the_longest_namespace_with_a_valid_local_part_wins() -> None:
    prefixes = {"a": "http://x.org/", "b": "http://x.org/ns/", "c": "http://x.org/ns/deep#"}
    quads: list[Quad] = [
        (URIRef("http://x.org/ns/deep#term"), URIRef("http://x.org/ns/p"),
         URIRef("http://x.org/y"), None),
        # the longest namespace leaves "bad/" invalid: the next one down leaves "deep#bad/..."
        # invalid too, and the shortest "ns/deep#bad/z": full IRI
        (URIRef("http://x.org/ns/deep#bad/z"), URIRef("http://x.org/ns/p"), Literal(1), None),
        # "deep.x" is valid under b
        (URIRef("http://x.org/ns/deep.x"), URIRef("http://x.org/ns/p"), Literal(2), None),
    ]
    _, turtle = assert_round_trips(quads, prefixes)
    text = turtle.decode()
    assert "c:term b:p a:y ." in text
    assert "<http://x.org/ns/deep#bad/z> b:p 1 ." in text
    assert "b:deep.x b:p 2 ." in text


def test_a_namespace_bound_twice_gets_the_first_prefix_by_name() -> None:
    quads: list[Quad] = [(ex("s"), ex("p"), ex("o"), None)]
    one = write_trig(quads, prefixes=[("zz", EX), ("ex", EX)])
    two = write_trig(quads, prefixes=[("ex", EX), ("zz", EX)])
    assert one == two
    assert b"@prefix ex:" in one and b"zz" not in one


def test_empty_prefix_and_invalid_prefix_names() -> None:
    prefixes = [("", EX), ("1bad", "http://bad.example/"), ("ok", "http://ok.example/")]
    quads: list[Quad] = [
        (ex("s"), ex("p"), URIRef("http://bad.example/x"), None),
        (ex("s"), ex("p"), URIRef("http://ok.example/x"), None),
    ]
    _, turtle = assert_round_trips(quads, prefixes)
    text = turtle.decode()
    assert "@prefix : <http://example.org/> ." in text
    assert ":s :p <http://bad.example/x>,\n        ok:x ." in text
    assert "1bad" not in text


def test_rdflib_dataset_namespaces_are_accepted() -> None:
    dataset = Dataset()
    dataset.bind("ex", EX)
    dataset.add((ex("s"), RDFS.label, Literal("x")))
    text = write_trig(dataset_quads(dataset), prefixes=dataset.namespaces()).decode()
    assert 'ex:s rdfs:label "x" .' in text
    assert re.findall(r"^@prefix (\w*):", text, flags=re.MULTILINE) == ["ex", "rdfs"]


# --- literals ------------------------------------------------------------------------------

AWKWARD_STRINGS = [
    "",
    'say "hi"',
    "back\\slash",
    "ends with backslash\\",
    "tab\tinside",
    "line\nbreak",
    "\n",
    "\n\n",
    "crlf\r\nline",
    "only\rcarriage",
    'quote at end of a long one\n"',
    'two at the end\n""',
    'three """ inside\n',
    '""""" five\n',
    '"\n"',
    "\\\n\\",
    "nul\x00 bell\x07 vt\x0b ff\x0c esc\x1b del\x7f",
    "line sep\u2028 next line\u0085 para\u2029",
    "bom\ufeff and noncharacter\ufffe",
    "astral \U0001f600",
    "'single' quotes ''' three",
]


@pytest.mark.parametrize("value", AWKWARD_STRINGS)
def test_awkward_strings_round_trip(value: str) -> None:
    quads: list[Quad] = [
        (ex("s"), ex("plain"), Literal(value), None),
        (ex("s"), ex("lang"), Literal(value, lang="en-GB"), ex("g")),
        (ex("s"), ex("typed"), Literal(value, datatype=ex("dt")), ex("g")),
    ]
    _, turtle = assert_round_trips(quads)
    # rdflib reads back the very same terms
    assert rdflib_terms_back(turtle, trig=False) == {(s, p, o) for s, p, o, _ in quads}


@pytest.mark.parametrize(
    ("lexical", "datatype", "written"),
    [
        ("42", XSD.integer, "42"),
        ("-7", XSD.integer, "-7"),
        ("0", XSD.integer, "0"),
        ("-0", XSD.integer, '"-0"^^xsd:integer'),
        ("+1", XSD.integer, '"+1"^^xsd:integer'),
        ("007", XSD.integer, '"007"^^xsd:integer'),
        ("1.5", XSD.decimal, "1.5"),
        ("-0.25", XSD.decimal, "-0.25"),
        ("1.0", XSD.decimal, "1.0"),
        ("1.50", XSD.decimal, '"1.50"^^xsd:decimal'),
        ("1", XSD.decimal, '"1"^^xsd:decimal'),
        (".5", XSD.decimal, '".5"^^xsd:decimal'),
        ("-0.0", XSD.decimal, '"-0.0"^^xsd:decimal'),
        ("1.0E3", XSD.double, "1.0E3"),
        ("-2.5E-3", XSD.double, "-2.5E-3"),
        ("0.0E0", XSD.double, "0.0E0"),
        ("1e3", XSD.double, '"1e3"^^xsd:double'),
        ("1.5e+300", XSD.double, '"1.5e+300"^^xsd:double'),
        ("NaN", XSD.double, '"NaN"^^xsd:double'),
        ("INF", XSD.double, '"INF"^^xsd:double'),
        ("true", XSD.boolean, "true"),
        ("false", XSD.boolean, "false"),
        ("1", XSD.boolean, '"1"^^xsd:boolean'),
        ("12", XSD.nonNegativeInteger, '"12"^^xsd:nonNegativeInteger'),
        ("2022-08-04", XSD.date, '"2022-08-04"^^xsd:date'),
        ("abc", XSD.integer, '"abc"^^xsd:integer'),
        ("x", XSD.string, '"x"^^xsd:string'),
        ("x", URIRef("http://dt.example/a/b"), '"x"^^<http://dt.example/a/b>'),
    ],
)
def test_typed_literals(lexical: str, datatype: URIRef, written: str) -> None:
    literal = Literal(lexical, datatype=datatype, normalize=False)
    quads: list[Quad] = [(ex("s"), ex("p"), literal, None)]
    trig, turtle = assert_round_trips(quads)
    assert f"ex:s ex:p {written} ." in turtle.decode()
    assert rdflib_terms_back(trig, trig=True) == {(ex("s"), ex("p"), as_rdflib_reads(literal))}


def test_objects_are_sorted_iris_blank_nodes_literals() -> None:
    b = BNode()
    triples = [
        (ex("s"), ex("p"), Literal("b")),
        (ex("s"), ex("p"), Literal("a", lang="en")),
        (ex("s"), ex("p"), Literal("a")),
        (ex("s"), ex("p"), b),
        (b, ex("q"), Literal(1)),
        (ex("s"), ex("p"), ex("z")),
        (ex("s"), ex("p"), ex("a")),
    ]
    text = write_turtle(triples, prefixes=PREFIXES).decode()
    objects = text.split("ex:s ex:p ")[1].split(",\n        ")
    assert objects == ["ex:a", "ex:z", "[ ex:q 1 ]", '"a"', '"a"@en', '"b" .\n']


def test_numbers_sort_by_value_before_other_literals() -> None:
    values = [
        Literal(10),
        Literal(9),
        Literal("2.5", datatype=XSD.double),
        Literal("-1.0", datatype=XSD.decimal),
        Literal("3", datatype=XSD.nonNegativeInteger),
        Literal("NaN", datatype=XSD.double, normalize=False),
        Literal("abc", datatype=XSD.integer, normalize=False),
        Literal("1"),
    ]
    for seed in range(3):
        random.Random(seed).shuffle(values)
        text = write_turtle([(ex("s"), ex("p"), v) for v in values], prefixes=PREFIXES).decode()
        objects = text.split("ex:s ex:p ")[1].split(",\n        ")
        assert objects == [
            "-1.0",
            '"2.5"^^xsd:double',
            '"3"^^xsd:nonNegativeInteger',
            "9",
            "10",
            '"1"',
            '"NaN"^^xsd:double',
            '"abc"^^xsd:integer .\n',
        ]


# --- blank nodes ---------------------------------------------------------------------------


def relabelled(quads: list[Quad], *, seed: int) -> list[Quad]:
    """The same graph with fresh blank node ids, shuffled."""
    fresh: dict[Any, BNode] = {}
    rng = random.Random(seed)

    def swap(t: Any) -> Any:
        if isinstance(t, BNode):
            return fresh.setdefault(t, BNode(f"r{rng.getrandbits(64):x}"))
        return t

    out = [(swap(s), p, swap(o), swap(g)) for s, p, o, g in quads]
    random.Random(seed).shuffle(out)
    return out


def blank_graph() -> list[Quad]:
    """Blank nodes of every kind: nested, shared, cyclic, lists, graph names."""
    nested, inner, shared, c1, c2, root, gname, across = (BNode() for _ in range(8))
    l1, l2, l3 = BNode(), BNode(), BNode()
    self_loop = BNode()
    g = ex("g")
    return [
        # nested twice: ex:a ex:p [ ex:q [ ex:r "deep" ] ]
        (ex("a"), ex("p"), nested, g),
        (nested, ex("q"), inner, g),
        (nested, ex("q"), Literal("n"), g),
        (inner, ex("r"), Literal("deep"), g),
        # shared by two subjects: a label
        (ex("a"), ex("shared"), shared, g),
        (ex("b"), ex("shared"), shared, g),
        (shared, RDFS.label, Literal("shared"), g),
        # a cycle of two blank nodes each referenced once
        (c1, ex("next"), c2, g),
        (c2, ex("next"), c1, g),
        (c1, RDFS.label, Literal("cycle"), g),
        # unreferenced
        (root, ex("p"), Literal("root"), g),
        (root, ex("q"), ex("a"), g),
        # a list ( 1 "two" [ ex:p 3 ] )
        (ex("a"), ex("list"), l1, g),
        (l1, RDF.first, Literal(1), g),
        (l1, RDF.rest, l2, g),
        (l2, RDF.first, Literal("two"), g),
        (l2, RDF.rest, l3, g),
        (l3, RDF.first, inner, g),  # inner is now referenced twice: a label
        (l3, RDF.rest, RDF.nil, g),
        # a blank graph name
        (ex("a"), ex("p"), Literal("in a blank graph"), gname),
        # a blank node whose statements are in two graphs
        (ex("a"), ex("p"), across, g),
        (across, ex("p"), Literal("here"), g),
        (across, ex("p"), Literal("there"), None),
        # a blank node that refers to itself
        (self_loop, ex("me"), self_loop, None),
    ]


def test_blank_nodes_round_trip() -> None:
    trig, _ = assert_round_trips(blank_graph())
    text = trig.decode()
    assert "( 1 \"two\" _:b" in text  # the list, its last item labelled (shared)
    assert '[] ex:p "root" ;' in text


def test_blank_node_output_does_not_depend_on_ids_or_order() -> None:
    quads = blank_graph()
    trig = write_trig(quads, prefixes=PREFIXES)
    turtle = write_turtle([(s, p, o) for s, p, o, _ in quads], prefixes=PREFIXES)
    for seed in range(5):
        other = relabelled(quads, seed=seed)
        assert write_trig(other, prefixes=PREFIXES) == trig
        assert write_turtle([(s, p, o) for s, p, o, _ in other], prefixes=PREFIXES) == turtle
    for b in {t for q in quads for t in q if isinstance(t, BNode)}:
        assert str(b) not in trig.decode()


def test_nested_blank_nodes_are_written_inline() -> None:
    b, c = BNode(), BNode()
    triples = [
        (ex("s"), ex("p"), b),
        (b, ex("q"), c),
        (b, ex("q"), Literal("x")),
        (b, ex("r"), Literal("y")),
        (c, ex("z"), Literal(1)),
    ]
    text = write_turtle(triples, prefixes=PREFIXES).decode()
    assert text.endswith(
        "ex:s ex:p [ ex:q [ ex:z 1 ],\n"
        '                "x" ;\n'
        '            ex:r "y" ] .\n'
    )
    assert_round_trips([(s, p, o, None) for s, p, o in triples])


def test_a_blank_node_object_without_statements_is_empty_brackets() -> None:
    text = write_turtle([(ex("s"), ex("p"), BNode())], prefixes=PREFIXES).decode()
    assert "ex:s ex:p [] ." in text


def test_deep_and_long_blank_node_chains() -> None:
    quads: list[Quad] = []
    node: Any = ex("top")
    for _ in range(100):  # deeper than the inline limit: parts get labels
        nxt = BNode()
        quads.append((node, ex("down"), nxt, None))
        node = nxt
    items = [BNode() for _ in range(500)]  # a long list stays one "( ... )"
    quads.append((ex("top"), ex("list"), items[0], None))
    for i, cell in enumerate(items):
        quads.append((cell, RDF.first, Literal(i), None))
        quads.append((cell, RDF.rest, items[i + 1] if i + 1 < len(items) else RDF.nil, None))
    trig, _ = assert_round_trips(quads)
    assert "( 0 1 2 3" in trig.decode()
    assert write_trig(relabelled(quads, seed=3), prefixes=PREFIXES) == trig


def test_a_list_whose_head_is_too_deep_to_nest() -> None:
    """The head gets a label; the rest of the list is still one "( ... )", not nested
    [ rdf:first ... ] blocks as deep as the list is long."""
    quads: list[Quad] = []
    node: Any = ex("top")
    for _ in range(32):
        nxt = BNode()
        quads.append((node, ex("down"), nxt, ex("g")))
        node = nxt
    items = [BNode() for _ in range(600)]
    quads.append((node, ex("list"), items[0], ex("g")))
    for i, cell in enumerate(items):
        quads.append((cell, RDF.first, Literal(f"item {i}"), ex("g")))
        quads.append((cell, RDF.rest, items[i + 1] if i + 1 < len(items) else RDF.nil, ex("g")))
    trig, _ = assert_round_trips(quads)
    text = trig.decode()
    assert re.search(r'_:b\w+ rdf:first "item 0" ;\n        rdf:rest \( "item 1" "item 2"', text)
    assert write_trig(relabelled(quads, seed=4), prefixes=PREFIXES) == trig


def test_symmetric_blank_nodes_are_deterministic() -> None:
    """Two shared blank nodes that nothing tells apart: the output is the same anyway."""
    b1, b2 = BNode(), BNode()
    quads: list[Quad] = [
        (ex("a"), ex("p"), b1, None),
        (ex("b"), ex("p"), b1, None),
        (ex("a"), ex("p"), b2, None),
        (ex("b"), ex("p"), b2, None),
    ]
    trig, _ = assert_round_trips(quads)
    for seed in range(4):
        assert write_trig(relabelled(quads, seed=seed), prefixes=PREFIXES) == trig


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("iri", ["http://x.org/a b", "http://x.org/<a>", "http://x.org/a\nb",
                                 'http://x.org/"', "http://x.org/{a}", "http://x.org/a\\b"])
def test_unwritable_iris_raise(iri: str) -> None:
    with pytest.raises(TurtleWriteError, match="does not look like a valid URI"):
        write_turtle([(URIRef(iri), ex("p"), ex("o"))], prefixes=PREFIXES)
    with pytest.raises(TurtleWriteError, match="does not look like a valid URI"):
        write_trig([(ex("s"), ex("p"), Literal("x", datatype=URIRef(iri)), None)])


def test_statements_turtle_cannot_hold_raise() -> None:
    with pytest.raises(TurtleWriteError, match="literal cannot be a subject"):
        write_turtle([(Literal("x"), ex("p"), ex("o"))])
    with pytest.raises(TurtleWriteError, match="predicate must be an IRI"):
        write_turtle([(ex("s"), BNode(), ex("o"))])
    with pytest.raises(TurtleWriteError, match="graph name"):
        write_trig([(ex("s"), ex("p"), ex("o"), Literal("g"))])


# --- hypothesis: any literal, any IRI that RDF allows ---------------------------------------

#: pieces of IRI paths: every character class PN_LOCAL treats apart, all valid in an IRI
IRI_PIECES = st.sampled_from(
    [*"aZ09-._~!$&'()*+,;=:@/", "%41", "%c3%A9", "é", "Ω", "·", "\u0300", "中", "\U0001f600"]
)
PATH = st.lists(IRI_PIECES, max_size=8).map("".join)
QUERY = st.one_of(st.just(""), PATH.map("?".__add__))
FRAGMENT = st.one_of(st.just(""), PATH.map("#".__add__))
LOCAL = st.tuples(PATH, QUERY, FRAGMENT).map("".join)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
LANGS = st.sampled_from(["en", "fr-CA", "zh-Hant-TW"])
DATATYPES = st.sampled_from(
    [XSD.integer, XSD.decimal, XSD.double, XSD.boolean, XSD.date, XSD.string, ex("dt")]
)
NUMERIC = st.one_of(
    st.integers().map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["true", "false", "1.0E3", "-0", "+5", "1.0", "0.0E0"]),
)


@st.composite
def literals(draw: st.DrawFn) -> Literal:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return Literal(draw(TEXT))
    if kind == 1:
        return Literal(draw(TEXT), lang=draw(LANGS))
    return Literal(draw(st.one_of(TEXT, NUMERIC)), datatype=draw(DATATYPES), normalize=False)


@st.composite
def graphs(draw: st.DrawFn) -> list[Quad]:
    nodes = [URIRef(EX + draw(LOCAL)) for _ in range(draw(st.integers(1, 4)))]
    nodes += [BNode() for _ in range(draw(st.integers(0, 3)))]
    names = [None, ex("g1"), URIRef(EX + draw(LOCAL))]
    quads = []
    for _ in range(draw(st.integers(1, 12))):
        s = draw(st.sampled_from(nodes))
        p = URIRef(EX + draw(LOCAL))
        o = draw(st.one_of(st.sampled_from(nodes), literals()))
        quads.append((s, p, o, draw(st.sampled_from(names))))
    return quads


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_any_graph_round_trips_and_is_deterministic(quads: list[Quad]) -> None:
    trig, turtle = assert_round_trips(quads)
    other = relabelled(quads, seed=1)
    assert write_trig(other, prefixes=PREFIXES) == trig
    assert write_turtle([(s, p, o) for s, p, o, _ in other], prefixes=PREFIXES) == turtle


@settings(max_examples=100, deadline=None)
@given(st.lists(literals(), min_size=1, max_size=5))
def test_any_literal_reads_back_as_the_same_rdflib_term(values: list[Literal]) -> None:
    triples = {(ex("s"), ex("p"), v) for v in values}
    data = write_turtle(triples, prefixes=PREFIXES)
    want = {(s, p, as_rdflib_reads(o)) for s, p, o in triples}
    assert rdflib_terms_back(data, trig=False) == want, data.decode()


# --- kgbuild graphs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(SAMPLE, format="trig")
    return dataset


def shuffled(dataset: Dataset, *, seed: int) -> list[Quad]:
    quads = list(dataset_quads(dataset))
    random.Random(seed).shuffle(quads)
    return quads


def test_sample_graph_round_trips_and_is_deterministic(sample: Dataset) -> None:
    quads = list(dataset_quads(sample))
    trig, turtle = assert_round_trips(quads, list(sample.namespaces()))
    for seed in (1, 2):
        other = shuffled(sample, seed=seed)
        assert write_trig(other, prefixes=sample.namespaces()) == trig
        triples = [(s, p, o) for s, p, o, _ in other]
        assert write_turtle(triples, prefixes=sample.namespaces()) == turtle


def as_this_writer_would(rdflib_text: bytes) -> bytes:
    """rdflib's sorted Turtle/TriG with this writer's two differences: no blank line at
    the end, and a decimal in a lexical form that is not canonical quoted (``46.550``)."""
    text = re.sub(
        r"(?<= )(-?[0-9]+\.[0-9]*0)(?=,?\n| [;.]\n)",
        r'"\1"^^xsd:decimal',
        rdflib_text.decode("utf-8"),
    )
    return text.rstrip("\n").encode("utf-8") + b"\n"


def test_sample_graph_matches_the_rdflib_based_writer(sample: Dataset) -> None:
    """The same text as kgbuild.export's rdflib-based writer, but for the differences
    :func:`as_this_writer_would` makes."""
    from kgbuild.outputs.export import serialize

    quads = list(dataset_quads(sample))
    trig = write_trig(quads, prefixes=list(sample.namespaces()))
    turtle = write_turtle([(s, p, o) for s, p, o, _ in quads], prefixes=list(sample.namespaces()))
    assert b'"46.550"^^xsd:decimal' in trig
    assert trig == as_this_writer_would(serialize(sample, format="trig"))
    assert turtle == as_this_writer_would(serialize(sample, format="turtle"))


@pytest.fixture(scope="module")
def seeds_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The seed articles built to N-Quads by the command line, then loaded."""
    from click.testing import CliRunner

    from kgbuild.cli import cli

    out = tmp_path_factory.mktemp("seeds") / "seeds.nq"
    args = ["build", str(ROOT / "seeds"), "-o", str(out), "--no-validate"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    dataset = Dataset(default_union=True)
    for prefix, namespace in KGBUILD_PREFIXES.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    dataset.parse(out, format="nquads")
    return dataset


def test_seeds_graph_round_trips(seeds_dataset: Dataset) -> None:
    quads = list(dataset_quads(seeds_dataset))
    assert len(quads) > 1000
    trig, _ = assert_round_trips(quads, list(seeds_dataset.namespaces()))
    text = trig.decode()
    assert "@prefix kg: <https://w3id.org/kgbuild/ontology#> ." in text
    # kgbuild's resource IRIs have "/" after the kgr: namespace: written in full
    assert "<https://w3id.org/kgbuild/id/graph/" in text
    other = shuffled(seeds_dataset, seed=5)
    assert write_trig(other, prefixes=seeds_dataset.namespaces()) == trig
