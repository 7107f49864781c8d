"""The graph a user holds: :class:`KnowledgeGraph` over an ``rdflib.Dataset``, and :func:`load`.

A built or loaded graph answers queries, checks itself against the shapes, writes
itself in any supported format and draws itself; each method is a thin shell over the
stage that does the work (query, check, outputs).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kgbuild.core.errors import InputError
from kgbuild.core.files import write_atomic
from kgbuild.graph.rdf import dataset_of, dataset_prefixes
from kgbuild.outputs.export import QUAD_FORMATS, serialize_graphs
from kgbuild.outputs.export import serialize_quads as serialize

Triple = tuple[Node, Node, Node]

__all__ = ["FORMATS", "BuildStats", "KnowledgeGraph"]


#: file suffix -> rdflib format name
FORMATS: dict[str, str] = {
    ".trig": "trig",
    ".ttl": "turtle",
    ".nq": "nquads",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".graphml": "graphml",
}


_FORMAT_NAMES = {"trig": "trig", "ttl": "turtle", "turtle": "turtle", "nq": "nquads",
                 "nquads": "nquads", "nt": "nt", "ntriples": "nt", "jsonld": "json-ld",
                 "json-ld": "json-ld", "graphml": "graphml"}


@dataclass
class BuildStats:
    """Counts of one build."""

    articles: int = 0
    skipped: int = 0
    triples: int = 0
    entities: int = 0
    events: int = 0
    statements: int = 0
    claims: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    unchanged: int = 0  # store builds: articles skipped because their text is unchanged
    pruned: int = 0  # store builds: article graphs removed by prune
    written: list[str] = field(default_factory=list)  # store builds: graph IRIs written
    answers: int = 0  # store builds: shipped queries' answers computed and kept


def _format_for(destination: str | os.PathLike[str] | None, fmt: str | None) -> str:
    if fmt:
        name = _FORMAT_NAMES.get(fmt.lower())
        if name is None:
            raise InputError(f"unknown output format {fmt!r}", input=fmt,
                             fix=f"use one of {', '.join(sorted(_FORMAT_NAMES))}")
        return name
    if destination is None or str(destination) == "-":
        return "trig"
    suffix = Path(destination).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot tell the RDF format from the suffix {suffix or '(none)'!r}",
                         input=str(destination),
                         fix=f"end the file name with one of {', '.join(FORMATS)} or pass --format")
    return FORMATS[suffix]


def _serialize_bytes(ds: Dataset, fmt: str) -> bytes:
    from kgbuild.outputs.export import serialize

    return serialize(ds, format=fmt)


class KnowledgeGraph:
    """A built (or loaded) knowledge graph.

    Attributes:
        dataset: the ``rdflib.Dataset``; its default graph is the union of all graphs.
        stats: counts of the build (zeros for a loaded graph, except triples).
    """

    _graphs: list[tuple[URIRef, list[Triple]]] | None = None  # a subclass may hold neither

    def __init__(self, dataset: Dataset | None = None, stats: BuildStats | None = None, *,
                 graphs: Sequence[tuple[URIRef, list[Triple]]] | None = None) -> None:
        if (dataset is None) == (graphs is None):
            raise TypeError("KnowledgeGraph needs a dataset or graphs, not both")
        self._dataset = dataset
        # a build's graphs, kept as (graph IRI, triples) until someone asks for the
        # rdflib Dataset: writing and checking need no Dataset, and making one costs
        # about as much as the rest of resolution and RDF together
        self._graphs = list(graphs) if graphs is not None else None
        self.stats = stats or BuildStats(triples=len(self))

    @property
    def dataset(self) -> Dataset:
        """The ``rdflib.Dataset`` (default graph = union of the named graphs), made on
        first use from a build's graphs."""
        if self._dataset is None:
            self._dataset = dataset_of(self._graphs or ())
            self._graphs = None
        return self._dataset

    @dataset.setter
    def dataset(self, value: Dataset) -> None:
        self._dataset = value
        self._graphs = None

    def named_graphs(self) -> Iterator[tuple[Node, Sequence[Triple]]]:
        """Each named graph as (graph IRI, triples), without making a Dataset if none is made.

        >>> KnowledgeGraph(graphs=[(URIRef("urn:g"), [])]).stats.triples
        0
        """
        if self._graphs is not None:
            yield from self._graphs
            return
        for graph in self.dataset.graphs():
            if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
                yield graph.identifier, list(graph)

    def __len__(self) -> int:
        if self._graphs is not None:
            return len({t for _, triples in self._graphs for t in triples})
        return len(self.dataset)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {len(self)} triples>"

    def query(self, sparql: str, *, params: Mapping[str, Any] | None = None,
              engine: str = "rdflib", timeout: float | None = 30, limit: int | None = None,
              allow_service: bool = False, memory_mb: int | None = 1024) -> Any:
        """Run a SPARQL SELECT over the union of all graphs (see :func:`kgbuild.query.run_query`).

        >>> kg = KnowledgeGraph(Dataset())
        >>> kg.query("SELECT ?s WHERE { ?s ?p ?o }").rows
        ()
        """
        from kgbuild.query import run_query

        return run_query(self.dataset, sparql, params=params, engine=engine,  # type: ignore[arg-type]
                         timeout=timeout, limit=limit, allow_service=allow_service,
                         memory_mb=memory_mb)

    def validate(self, *, shapes: Sequence[str | os.PathLike[str]] = (),
                 engine: str = "auto", workers: int = 1) -> Any:
        """Check the union of all graphs against kgbuild's SHACL shapes (plus ``shapes``).

        Each extra shapes file is first checked by :func:`kgbuild.inputs.rdfio.check_rdf`
        (size limit, no RDF/XML DOCTYPE or entities, no remote JSON-LD context).

        Args:
            shapes: extra shapes files.
            engine: ``"auto"`` or ``"sparql"``: the shapes compiled to SPARQL and run on
                Oxigraph (pySHACL's results, in seconds for a million triples);
                ``"pyshacl"``: pySHACL itself (see :mod:`kgbuild.check.engines`).
            workers: processes for pySHACL's batches of a big graph.

        Returns:
            A :class:`kgbuild.check.validate.ValidationReport`.
        """
        from kgbuild.check.engines import check_dataset, check_graphs
        from kgbuild.inputs.rdfio import check_rdf

        for path in shapes:
            check_rdf(path)
        files = [Path(s) for s in shapes]
        if self._graphs is not None:
            return check_graphs(self._graphs, shapes=files, engine=engine, workers=workers)
        return check_dataset(self.dataset, shapes=files, engine=engine, workers=workers)

    def serialize(self, destination: str | os.PathLike[str] | None = None, *,
                  format: str | None = None) -> bytes | None:
        """Serialise the graph; written atomically to ``destination``, or returned as bytes.

        The format follows the suffix (``.trig .ttl .nq .nt .jsonld .graphml``)
        unless given.  Output is deterministic and sorted (see :mod:`kgbuild.outputs.export`):
        N-Quads/N-Triples lines, Turtle/TriG graphs and subjects, JSON-LD nodes
        (compacted with ``ontology/context.jsonld``); GraphML is for Gephi.
        """
        fmt = _format_for(destination, format)
        if self._graphs is not None and fmt in QUAD_FORMATS:
            data = serialize_graphs(self._graphs, format=fmt)
        elif self._graphs is not None and fmt in ("trig", "turtle"):
            data = serialize(self._graphs, format=fmt, prefixes=dataset_prefixes())
        else:
            data = _serialize_bytes(self.dataset, fmt)
        if destination is None:
            return data
        write_atomic(Path(destination), data)
        return None

    # --- notebook helpers: thin shells over kgbuild.outputs.viz (pyvis, matplotlib, pandas:
    # pip install 'kgbuild[viz]')

    def to_networkx(self, view: str = "entities", *, article: str | None = None) -> Any:
        """A networkx ``MultiDiGraph`` view (see :func:`kgbuild.outputs.viz.to_networkx`).

        Args:
            view: ``"entities"``, ``"events"``, ``"claims"`` or ``"rdf"``.
            article: only this article (its file name).

        Returns:
            The view; nodes carry label, kind, n_articles, kb; edges label and evidence.

        Raises:
            kgbuild.core.errors.InputError: unknown view or article.

        >>> KnowledgeGraph(Dataset()).to_networkx("claims").number_of_nodes()
        0
        """
        from kgbuild.outputs.viz import to_networkx

        return to_networkx(self.dataset, view=view, article=article)

    def show(self, view: str = "entities", *, article: str | None = None,
             title: str | None = None, height: int = 720, edge_labels: bool = True) -> Any:
        """An interactive, offline view for Jupyter (see :func:`kgbuild.outputs.viz.show`).

        Returns:
            A :class:`kgbuild.outputs.viz.GraphView`; ``.save("graph.html")`` writes the page.
        """
        from kgbuild.outputs.viz import show

        return show(self.to_networkx(view, article=article), title=title, height=height,
                    edge_labels=edge_labels)

    def draw(self, view: str = "entities", *, article: str | None = None,
             path: str | os.PathLike[str] | None = None, title: str | None = None,
             font_size: float = 9.0) -> Any:
        """A static figure, saved to ``path`` (.png/.svg/.pdf) when given (see
        :func:`kgbuild.outputs.viz.draw`).

        Returns:
            The matplotlib ``Figure``.
        """
        from kgbuild.outputs.viz import draw

        return draw(self.to_networkx(view, article=article), path=path, title=title,
                    font_size=font_size)

    def query_df(self, sparql: str, *, params: Mapping[str, Any] | None = None,
                 engine: str = "rdflib", timeout: float | None = 30,
                 limit: int | None = None, shorten: bool = False) -> Any:
        """Run a SELECT query (SPARQL text, or a shipped query's name such as
        ``"events"``) and return a pandas ``DataFrame`` (see
        :func:`kgbuild.outputs.viz.to_dataframe`).

        Raises:
            kgbuild.core.errors.QueryError: bad query or parameters.
        """
        from kgbuild.outputs.viz import resolve_query_text, to_dataframe

        result = self.query(resolve_query_text(sparql), params=params, engine=engine,
                            timeout=timeout, limit=limit)
        return to_dataframe(result, shorten=shorten)


