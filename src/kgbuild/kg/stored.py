"""A :class:`~kgbuild.kg.graph.KnowledgeGraph` that reads an Oxigraph store folder in place."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from kgbuild.core.namespaces import PREFIXES
from kgbuild.kg.graph import BuildStats, KnowledgeGraph
from kgbuild.store.layout import _guard, _Lock, reader_lock
from kgbuild.store.reading import (
    _READERS,
    _open_read_only,
    _restore_datatypes,
    _triple_count,
    query_store,
)

__all__ = ["StoreKnowledgeGraph"]


class StoreKnowledgeGraph(KnowledgeGraph):
    """A :class:`~kgbuild.kg.graph.KnowledgeGraph` read from a store folder.

    Queries with ``engine="oxigraph"`` run on the store itself; everything else
    (the rdflib engine, :meth:`validate`, :meth:`serialize`) works on an
    ``rdflib.Dataset`` copied from the store on first use.  The object holds a
    shared lock on the store (builds into it fail) until :meth:`close`, the end of
    a ``with`` block, or garbage collection; a build in this same process closes
    it first, and it opens the store again on its next use.

    Attributes:
        path: the store folder.
        store: the read-only ``pyoxigraph.Store``.
        stats: counts of the build that returned it (for a loaded store: triples).
    """

    def __init__(self, path: str | os.PathLike[str], stats: BuildStats | None = None) -> None:
        self.path = Path(path)
        self._lock: _Lock | None = None
        self._store: Any = None
        self._dataset: Dataset | None = None
        self._open()
        with _guard(self.path):
            self.stats = stats or BuildStats(triples=len(self._open()))
        _READERS.add(self)

    def _open(self) -> Any:
        if self._store is None:
            lock = reader_lock(self.path)
            try:
                self._store = _open_read_only(self.path)
            except BaseException:
                lock.close()
                raise
            self._lock = lock
        return self._store

    @property
    def store(self) -> Any:
        """The read-only ``pyoxigraph.Store`` (reopened after :meth:`close`)."""
        return self._open()

    def _suspend(self) -> None:
        # A writer in this process is about to change the store: let go of it.
        self.close()
        self._dataset = None

    @property
    def dataset(self) -> Dataset:
        """The store's quads as an ``rdflib.Dataset`` (default graph = union), copied once.

        Oxigraph keeps integer-derived datatypes as ``xsd:integer``; the copy
        gives properties whose shape asks for one (``nif:beginIndex``) that
        datatype back, so it validates and exports as a file build does.
        """
        if self._dataset is None:
            with _guard(self.path):
                self._dataset = self._copy()
        return self._dataset

    def _copy(self) -> Dataset:
        ds = Dataset(default_union=True)
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True, replace=True)
        # the named graphs only: the default graph repeats their union
        for name in sorted(g.value for g in self.store.named_graphs()):
            data = self.store.dump(format=ox.RdfFormat.N_TRIPLES,
                                   from_graph=ox.NamedNode(name))
            if data:
                ds.graph(URIRef(name)).parse(data=data.decode("utf-8"), format="nt")
        _restore_datatypes(ds)
        return ds

    @dataset.setter
    def dataset(self, value: Dataset) -> None:
        self._dataset = value

    def __len__(self) -> int:
        with _guard(self.path):
            return _triple_count(self.store)

    def __repr__(self) -> str:
        return f"<StoreKnowledgeGraph {self.path}>"

    def __enter__(self) -> StoreKnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the store and its lock; any later use opens it again."""
        self._store = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def validate(self, *, shapes: Sequence[str | os.PathLike[str]] = (),
                 engine: str = "auto", workers: int = 1,
                 graphs: Collection[str] | None = None) -> Any:
        """Check the store against the shapes in place (see :meth:`KnowledgeGraph.validate`);
        ``graphs``: only what these article graphs state, with the knowledge base."""
        from kgbuild.check.engines import check_store
        from kgbuild.inputs.rdfio import check_rdf

        for path in shapes:
            check_rdf(path)
        with _guard(self.path):
            return check_store(self.store, shapes=[Path(s) for s in shapes], graphs=graphs,
                               engine=engine, workers=workers)

    def query(self, sparql: str, *, params: Mapping[str, Any] | None = None,
              engine: str = "rdflib", timeout: float | None = 30, limit: int | None = None,
              allow_service: bool = False, memory_mb: int | None = 1024) -> Any:
        """Run a SPARQL SELECT (see :func:`kgbuild.query.run_query`); Oxigraph reads the store."""
        if engine == "oxigraph":
            return query_store(self.store, sparql, params=params, timeout=timeout,
                               limit=limit, allow_service=allow_service, union=False,
                               memory_mb=memory_mb, source=self.path)
        return super().query(sparql, params=params, engine=engine, timeout=timeout,
                             limit=limit, allow_service=allow_service, memory_mb=memory_mb)
