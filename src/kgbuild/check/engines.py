"""Which engine checks the shapes: SHACL compiled to SPARQL on Oxigraph, or pySHACL.

``auto`` (the default) and ``sparql`` run :mod:`kgbuild.check.shacl_sparql`: each shape
becomes a few SPARQL queries over an Oxigraph store (the build's own store, or an
in-memory copy of a graph), with pySHACL's results. A user shape that uses a feature
the compiler does not cover is still checked, by pySHACL, and the report says so.
``pyshacl`` runs pySHACL itself: on the whole graph up to
:data:`WHOLE_VALIDATION_TRIPLES`, in batches of article graphs beyond
(:mod:`kgbuild.check.batched`). RDFS inference with the ontology (``ontology=True``)
needs pySHACL.

>>> check_graphs([]).conforms
True
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.term import Node

from kgbuild.check.shacl_sparql import validate_dataset, validate_store
from kgbuild.core.errors import ConfigError
from kgbuild.core.oxterms import to_ox

__all__ = ["ENGINES", "WHOLE_VALIDATION_TRIPLES", "check_dataset", "check_graphs",
           "check_store"]

#: The engines ``--engine`` accepts.
ENGINES: tuple[str, ...] = ("auto", "sparql", "pyshacl")
#: pySHACL checks graphs up to this many triples whole, larger ones in batches of articles.
WHOLE_VALIDATION_TRIPLES = 50_000

Triple = tuple[Node, Node, Node]


def _engine(engine: str, *, ontology: bool = False) -> str:
    if engine not in ENGINES:
        raise ConfigError(f"unknown SHACL engine {engine!r}", input=engine,
                          fix=f"use one of {', '.join(ENGINES)}")
    if ontology and engine == "sparql":
        raise ConfigError("RDFS inference with the ontology needs pySHACL", input=engine,
                          fix="use --engine pyshacl (or auto) with the ontology")
    return "pyshacl" if engine == "pyshacl" or ontology else "sparql"


def check_dataset(data: Dataset | Graph, *, shapes: Sequence[str | Path] = (),
                  engine: str = "auto", ontology: bool = False, workers: int = 1) -> Any:
    """Check the union of an rdflib dataset's graphs against the shipped shapes (plus ``shapes``).

    Returns:
        A :class:`kgbuild.check.validate.ValidationReport`.

    Raises:
        ConfigError: an unknown engine.
        kgbuild.core.errors.RDFInputError: a shapes file is missing or cannot be parsed.
    """
    if _engine(engine, ontology=ontology) == "sparql":
        return validate_dataset(data, shapes=[Path(s) for s in shapes])
    from kgbuild.check.validate import validate

    if ontology or len(data) <= WHOLE_VALIDATION_TRIPLES:
        return validate(data, shapes=[Path(s) for s in shapes], ontology=ontology)
    from kgbuild.check.batched import validate_in_batches

    return validate_in_batches(data, shapes=[str(s) for s in shapes], workers=workers)


def check_graphs(graphs: Iterable[tuple[Node, Sequence[Triple]]], *,
                 shapes: Sequence[str | Path] = (), engine: str = "auto",
                 workers: int = 1) -> Any:
    """Check a build's (graph IRI, triples) pairs without making an rdflib Dataset.

    The union of the triples is loaded into an in-memory Oxigraph store (with the
    ``pyshacl`` engine, into a Dataset) and checked as :func:`check_dataset` would.
    """
    if _engine(engine) == "pyshacl":
        from kgbuild.graph.rdf import dataset_of

        return check_dataset(dataset_of(graphs), shapes=shapes, engine="pyshacl",  # type: ignore[arg-type]
                             workers=workers)
    store = ox.Store()
    store.extend(_union_quads(graphs))
    return validate_store(store, shapes=[Path(s) for s in shapes], union=True)


def _union_quads(graphs: Iterable[tuple[Node, Sequence[Triple]]]) -> Iterator[Any]:
    """Each distinct triple once, in the default graph (terms converted once each)."""
    made: dict[Node, Any] = {}
    seen: set[Triple] = set()
    default = ox.DefaultGraph()

    def term(node: Node) -> Any:
        found = made.get(node)
        if found is None:
            found = made[node] = to_ox(node)
        return found

    for _, triples in graphs:
        for triple in triples:
            if triple not in seen:
                seen.add(triple)
                s, p, o = triple
                yield ox.Quad(term(s), term(p), term(o), default)


def check_store(store: Any, *, shapes: Sequence[str | Path] = (),
                graphs: Collection[str] | None = None, engine: str = "auto",
                workers: int = 1) -> Any:
    """Check a kgbuild store (its default graph holds the union of its article graphs).

    Args:
        store: the ``pyoxigraph.Store``.
        shapes: extra shapes files.
        graphs: check only what these named graphs state (the articles a store build
            has just written), with the knowledge-base graph; None: everything.
        engine: one of :data:`ENGINES`.
        workers: processes for pySHACL batches.
    """
    if _engine(engine) == "pyshacl":
        from kgbuild.check.batched import validate_in_batches

        return validate_in_batches(store, shapes=[str(s) for s in shapes], workers=workers,
                                   graphs=set(graphs) if graphs is not None else None)
    from kgbuild.core.namespaces import KGR

    if graphs is not None:
        graphs = {*graphs, str(KGR["graph/kb"])}
    return validate_store(store, shapes=[Path(s) for s in shapes], graphs=graphs)
