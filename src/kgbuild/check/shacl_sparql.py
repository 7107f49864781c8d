"""SHACL validation compiled to SPARQL and run on Oxigraph, reporting what pySHACL reports.

pySHACL checks a graph one focus node at a time, in Python, over rdflib's in-memory
graph; a million quads take it minutes.  This module translates the constraints of a
shapes graph into SPARQL ``SELECT`` queries that find the failing focus nodes (and
values) of a shape all at once, and runs them on a ``pyoxigraph.Store``.  The results
are assembled as pySHACL assembles them for :func:`kgbuild.check.validate.validate` (SHACL-AF
on, warnings and infos allowed, no inference): the same focus nodes, result paths,
values, severities, source shapes and constraint components, the shapes' ``sh:message``
texts (SPARQL-constraint messages with their ``{?var}`` filled in), pySHACL's own
wording for the common constraints of shapes without a message, and the ``sh:detail``
results of ``sh:node``.

How the queries are shaped (Oxigraph looks a pattern up once per row it joins with,
and reads a whole index range fast):

- Each top-level shape (one with targets) gets one query for the values of all its
  paths, with one boolean per value-level constraint, and one for the counts
  (``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``, qualified counts); SPARQL,
  ``sh:equals`` and ``sh:lessThan`` constraints get one each.
- A shape with many focus nodes reads each of its paths whole (an index scan) and
  joins the focus nodes by hash; one with few has its focus nodes written in VALUES
  blocks, and their values looked up.  A run limited to some named graphs (the
  articles a store build wrote) finds the subjects of those graphs once, and checks
  the focus nodes among them by lookups.
- The store's default graph is read when it holds the union of the named graphs (as
  in kgbuild's stores): Oxigraph reads it several times faster than
  ``use_default_graph_as_union``.
- Shapes inside shapes (``sh:node``, ``sh:or``, qualified value shapes...) become
  boolean expressions (``EXISTS`` / ``NOT EXISTS``) over the value.  The details of a
  failed ``sh:node`` are computed afterwards, for the failing values only.

Covered (every feature ``ontology/shapes.ttl`` uses, and more):

- targets: ``sh:targetClass`` (instances of subclasses too, through
  ``rdfs:subClassOf`` in the data graph), implicit class targets (a shape that is
  an ``rdfs:Class``), ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``;
- paths: predicates, ``sh:inversePath``, sequences, ``sh:alternativePath``,
  ``sh:zeroOrMorePath``, ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
- constraints: ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:minCount``,
  ``sh:maxCount``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``,
  ``sh:maxExclusive``, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with
  ``sh:flags``), ``sh:in``, ``sh:hasValue``, ``sh:equals``, ``sh:disjoint``,
  ``sh:lessThan``, ``sh:lessThanOrEquals``, ``sh:node`` (with pySHACL's nested
  ``sh:detail`` results), ``sh:property``, ``sh:or``, ``sh:and``, ``sh:not``,
  ``sh:xone``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` /
  ``sh:qualifiedMaxCount`` / ``sh:qualifiedValueShapesDisjoint``, and SPARQL-based
  constraints (``sh:sparql`` with ``sh:select``, ``sh:prefixes`` / ``sh:declare``,
  ``$this``, ``$PATH``, ``$currentShape``, ``?failure``, ``?path``, ``?value``);
- ``sh:severity``, ``sh:message``, ``sh:deactivated``.

Not covered, reported by :func:`compile_shapes` (the shape is then left to pySHACL,
see :func:`validate_store`): ``sh:closed``, ``sh:languageIn``, ``sh:uniqueLang``,
SHACL-AF rules, functions, custom targets and expressions, custom constraint
components, recursive shapes, SPARQL constraints inside ``sh:node`` / ``sh:or`` /
... (nested), nested ``sh:minCount`` above 3 or ``sh:maxCount`` above 2, and
constants that are blank nodes.

Known differences from pySHACL, all about literals the store rewrites or parses
its own way:

- Oxigraph keeps integer literals of a datatype derived from ``xsd:integer`` (such
  as ``"3"^^xsd:nonNegativeInteger``) as ``xsd:integer``.  ``sh:datatype D`` for
  such a ``D`` therefore accepts an ``xsd:integer`` value within ``D``'s range
  (pySHACL on an rdflib graph would reject a genuine ``xsd:integer``), and values
  reported on such a property get ``D`` back (as :mod:`kgbuild.check.batched`
  does).  Valid literals come back in canonical form (``"+3"`` as ``"3"``).
- A literal of ``sh:datatype`` whose lexical form Oxigraph cannot parse is checked
  again with rdflib (pySHACL's judge); one that Oxigraph parses is taken as valid.
  Inside nested shapes (``sh:or`` members...) Oxigraph's judgement is used alone.
- ``sh:pattern`` runs Oxigraph's regular expressions (Rust syntax), and Python's
  when Oxigraph cannot compile the pattern; both search anywhere in the string.
- Comparisons (``sh:minInclusive``..., ``sh:lessThan``...) between literals of
  incomparable datatypes (a date and a number) count as failures; pySHACL orders
  them by rdflib's rules (by datatype IRI) or stops with an error.
- A literal typed ``xsd:string`` is reported as a plain literal (Oxigraph, like
  RDF 1.1, does not tell them apart).

This module is the public face: it holds :func:`validate_store`, :func:`validate_dataset`
and :func:`load_store`, and re-exports the public names of the modules that do the work,
one job each (each imports only those listed before it):

- :mod:`kgbuild.check.shacl_terms`: SPARQL text for terms, paths and value tests;
- :mod:`kgbuild.check.shacl_shapes`: the shapes graph read into shape records;
- :mod:`kgbuild.check.shacl_expressions`: boolean expressions over one node;
- :mod:`kgbuild.check.shacl_queries`: the top-level queries of a shape;
- :mod:`kgbuild.check.shacl_runner`: queries run, rows read into results and messages;
- :mod:`kgbuild.check.shacl_compile`: :func:`compile_shapes` and :class:`CompiledShapes`;
- :mod:`kgbuild.check.shacl_report`: the report graph and kgbuild's report of it.

>>> from rdflib import Graph
>>> compile_shapes(Graph()).unsupported
()
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH

from kgbuild.check.shacl_compile import CompiledShapes, _default_graph_is_union, compile_shapes
from kgbuild.check.shacl_report import (
    _describe_foci,
    _merge_pyshacl,
    _report_graph,
    _validation_report,
)
from kgbuild.check.shacl_runner import RawResult
from kgbuild.check.shacl_shapes import Unsupported, UnsupportedShapes
from kgbuild.check.shacl_terms import compare_fails as compare_fails
from kgbuild.check.shacl_terms import datatype_matches as datatype_matches
from kgbuild.check.shacl_terms import datatype_well_formed as datatype_well_formed
from kgbuild.check.shacl_terms import from_ox as from_ox
from kgbuild.core.oxterms import memoized, to_ox

if TYPE_CHECKING:  # imported when used: kgbuild.check.validate loads pySHACL
    from kgbuild.check.validate import ValidationReport

__all__ = [
    "CompiledShapes",
    "RawResult",
    "Unsupported",
    "UnsupportedShapes",
    "compile_shapes",
    "load_store",
    "validate_dataset",
    "validate_store",
]

logger = logging.getLogger(__name__)


def _shapes_graph(shapes: Sequence[Path | str]) -> Graph:
    """The shipped shapes and the extra shapes files, parsed into one graph."""
    from kgbuild.check.validate import _parse_into, default_shapes_path

    graph = Graph()
    for path in (default_shapes_path(), *map(Path, shapes)):
        _parse_into(graph, path)
    return graph


#: Compiled shapes by the shapes files (and their sizes and times) they come from.
_COMPILED: dict[tuple[tuple[str, int, int], ...], CompiledShapes] = {}


def _compiled(shapes: Sequence[Path | str]) -> CompiledShapes:
    from kgbuild.check.validate import default_shapes_path

    key = []
    for path in (default_shapes_path(), *map(Path, shapes)):
        try:
            stat = Path(path).stat()
            key.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            key.append((str(path), -1, -1))  # _parse_into reports the missing file
    found = _COMPILED.get(tuple(key))
    if found is None:
        found = _COMPILED[tuple(key)] = compile_shapes(_shapes_graph(shapes))
    return found


def validate_store(store: Any, *, shapes: Sequence[Path | str] = (),
                   graphs: Collection[str] | None = None, union: bool | None = None,
                   fallback: bool = True) -> ValidationReport:
    """Validate a pyoxigraph store against kgbuild's shapes with SPARQL queries.

    Args:
        store: a ``pyoxigraph.Store`` (a kgbuild store, or any).
        shapes: extra shapes files, used besides the shipped ``ontology/shapes.ttl``.
        graphs: check only the focus nodes that are the subject of a triple in these
            named graphs (for example the articles a store build has just written);
            the constraints still read every graph.
        union: see :meth:`CompiledShapes.run` (None: find out).
        fallback: check the shapes the compiler does not cover with pySHACL (on an
            rdflib copy of the graph); False: leave them unchecked.  Either way the
            report graph names them (``kgsh:uncompiledShape``) and says how they were
            checked, and a warning is logged.

    Returns:
        A :class:`kgbuild.check.validate.ValidationReport` with the results pySHACL gives.

    Raises:
        kgbuild.errors.RDFInputError: when a shapes file is missing or cannot be parsed.
    """
    compiled = _compiled(shapes)
    return _validate(store, compiled, graphs=graphs, union=union, fallback=fallback, data=None)


def validate_dataset(data: Dataset | Graph, *, shapes: Sequence[Path | str] = (),
                     graphs: Collection[str] | None = None, fallback: bool = True
                     ) -> ValidationReport:
    """Validate an rdflib dataset or graph (the union of its graphs) with SPARQL queries.

    The quads are copied into an in-memory Oxigraph store first (see
    :func:`validate_store` for the arguments).

    Args:
        data: the graph to check.
        shapes: extra shapes files.
        graphs: check only focus nodes stated in these named graphs.
        fallback: check uncovered shapes with pySHACL (on ``data`` itself).

    Returns:
        A :class:`kgbuild.check.validate.ValidationReport`.

    Raises:
        kgbuild.errors.RDFInputError: when a shapes file is missing or cannot be parsed.

    >>> validate_dataset(Graph()).conforms
    True
    """
    compiled = _compiled(shapes)
    store = load_store(data, named=graphs is not None)
    return _validate(store, compiled, graphs=graphs, union=False, fallback=fallback, data=data)


def load_store(data: Dataset | Graph, *, named: bool = False) -> ox.Store:
    """Copy an rdflib dataset or graph into a new in-memory Oxigraph store.

    Args:
        data: the quads to copy.
        named: also keep the named graphs (needed to restrict focus nodes to some
            graphs); the default graph always holds the union of all graphs.

    Returns:
        The store.
    """
    store = ox.Store()
    term = memoized(to_ox)
    default = ox.DefaultGraph()

    def quads() -> Iterator[Any]:
        if isinstance(data, Dataset):
            for s, p, o, g in data.quads((None, None, None, None)):
                triple = (term(s), term(p), term(o))
                yield ox.Quad(*triple, default)
                name = getattr(g, "identifier", g)
                if named and isinstance(name, URIRef) and not str(name).startswith(
                        "urn:x-rdflib:"):
                    yield ox.Quad(*triple, term(name))
        else:
            for s, p, o in data:
                yield ox.Quad(term(s), term(p), term(o), default)

    store.extend(quads())
    return store


def _validate(store: Any, compiled: CompiledShapes, *, graphs: Collection[str] | None,
              union: bool | None, fallback: bool, data: Dataset | Graph | None
              ) -> ValidationReport:
    from kgbuild.check.validate import KGSH

    if union is None:
        union = not _default_graph_is_union(store)
    namespaces = list(data.namespaces()) if data is not None else []
    results = compiled.run(store, graphs=graphs, union=union, namespaces=namespaces)
    graph, root, nodes = _report_graph(results, compiled.shapes_graph)
    options: dict[str, Any] = {"use_default_graph_as_union": union}
    if compiled.unsupported:
        left = sorted(compiled.unsupported_shapes, key=str)
        for shape in left:
            graph.add((root, KGSH.uncompiledShape, shape))
        how = "checked with pySHACL" if fallback else "NOT checked"
        reasons = "; ".join(str(p) for p in compiled.unsupported)
        graph.add((root, RDFS.comment, Literal(
            f"{len(left)} shape(s) use SHACL features the SPARQL compiler does not cover "
            f"and were {how}: {reasons}")))
        logger.warning("%d shape(s) not compiled to SPARQL, %s: %s", len(left), how, reasons)
        if fallback:
            _merge_pyshacl(graph, root, compiled, store, options, graphs, data)
    foci = {o for o in graph.objects(None, SH.focusNode)}
    described = _describe_foci(store, options, foci)
    report = _validation_report(graph, compiled.shapes_graph, described, nodes)
    logger.info("SPARQL validation: %s",
                ", ".join(f"{v} {k}" for k, v in report.counts().items()))
    return report
