"""Open a graph again: a graph file of any supported format, or a store folder."""

from __future__ import annotations

import os
from pathlib import Path

from kgbuild.core.errors import InputError, RDFInputError
from kgbuild.kg.graph import KnowledgeGraph, _format_for
from kgbuild.kg.stored import StoreKnowledgeGraph

__all__ = ["load"]


def load(path: str | os.PathLike[str], *, format: str | None = None,
         max_bytes: int | None = None, check_iris: bool = True) -> KnowledgeGraph:
    """Load a graph file written by :func:`build` (any supported format), or a store folder.

    A store folder (``build(..., store=DIR)``) gives a
    :class:`kgbuild.kg.stored.StoreKnowledgeGraph` that reads the store in place.
    Files are read through :func:`kgbuild.inputs.rdfio.parse_rdf`: at most ``max_bytes``
    (default from a 4 GiB memory budget, about 82 MiB: see :mod:`kgbuild.inputs.rdfio`),
    no RDF/XML DOCTYPE or
    entities, no remote JSON-LD contexts, and no IRI with a character RDF forbids
    (a space...) unless ``check_iris=False``.

    Raises:
        kgbuild.core.errors.RDFInputError: when the file is missing, too big, refused,
            holds an invalid IRI, or cannot be parsed.
        kgbuild.core.errors.StoreError: when the folder is not a store or a build is writing it.
    """
    p = Path(path)
    if p.is_dir():
        return StoreKnowledgeGraph(p)
    if not p.is_file():
        raise RDFInputError("graph file does not exist", input=str(p),
                            fix="build one first: kgbuild build seeds/ -o graph.trig")
    from kgbuild.inputs.rdfio import SUFFIXES, parse_rdf

    try:
        fmt = _format_for(p, format)
    except InputError as exc:
        if format is not None or p.suffix.lower() not in SUFFIXES:
            raise RDFInputError(exc.message, input=str(p), fix=exc.fix) from exc
        fmt = SUFFIXES[p.suffix.lower()]  # RDF/XML (.rdf, .owl, .xml)
    if fmt == "graphml":
        raise RDFInputError("GraphML is an export format for Gephi; it cannot be read back as RDF",
                            input=str(p), fix="load the .trig (or .nq, .ttl, .jsonld) file instead")
    return KnowledgeGraph(parse_rdf(p, format=fmt, max_bytes=max_bytes, check_iris=check_iris))
