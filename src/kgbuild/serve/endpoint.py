"""A read-only SPARQL 1.1 Protocol endpoint, with a query page, over a store or a graph file.

``kgbuild serve DIR|FILE`` runs :func:`serve`.  The endpoint answers ``GET`` and
``POST`` queries at ``/query`` (also ``/sparql``, and ``/`` when a ``query``
parameter is given) and shows a query page at ``/``.

Why not the ``oxigraph serve-read-only`` binary: it follows ``SERVICE`` clauses
to any URL (a query can make it send requests into the local network) and has
no switch to turn that off.  This endpoint is a small ``http.server`` in front
of worker processes that open the store read-only with pyoxigraph:

- **read-only**: updates are refused (403), whether sent as ``update=``, as
  ``application/sparql-update``, or as ``query=``; the workers open the store
  read-only anyway;
- **no network**: a query with ``SERVICE`` is refused (403) before it runs (the
  lexical check of :mod:`kgbuild.query.checks`, on the canonical text that is then
  run); ``FROM`` and ``FROM NAMED`` only pick graphs of the store, Oxigraph never
  fetches them.  Without them (or ``default-graph-uri``) a query runs over the
  union of all graphs;
- **bounded**: a query runs in a worker process that is killed and replaced when
  it runs longer than the timeout, or when the worker's resident memory grows
  by more than ``memory_mb`` MiB during the query (503 with a message: never a
  partial answer; the parent reads the worker's ``/proc`` size every 20 ms);
  queries longer than ``max_query_bytes`` get 413 and results larger than
  ``max_result_bytes`` get 500 with a message;
- **busy**: the socket's listen backlog holds :data:`LISTEN_BACKLOG` connections,
  and at most ``queue_size`` queries wait for a free worker; a query beyond that
  gets 503 at once (a complete answer, never a connection reset).  A client that
  goes away, or is refused, costs one log line, never a traceback;
- **local**: it binds to 127.0.0.1 unless told otherwise, and while it does it
  answers only requests whose ``Host`` is a loopback name (against DNS
  rebinding from web pages);
- malformed requests get 400, unknown paths 404, other methods 405, unknown
  bodies 415, unsatisfiable ``Accept`` headers 406.

The endpoint is made of :mod:`~kgbuild.serve.protocol` (updates, content negotiation),
:mod:`~kgbuild.serve.workers` (the worker pool and its limits),
:mod:`~kgbuild.serve.page` (the query page) and :mod:`~kgbuild.serve.handler` (HTTP);
this module puts them together.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kgbuild.core.errors import KgbuildError, RDFInputError
from kgbuild.serve.handler import _LOOPBACK_NAMES, LISTEN_BACKLOG, _Handler, _Server, _Server6
from kgbuild.serve.workers import _Pool

__all__ = ["DEFAULT_PORT", "LISTEN_BACKLOG", "Endpoint", "serve"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 7878


def _load_file_into(path: Path, folder: Path) -> Path:
    """Parse a graph file (the checks of :func:`kgbuild.load`) into a new store."""
    from kgbuild.core.oxterms import to_ox as _to_ox
    from kgbuild.kg.reading import load

    kg = load(path)
    database = folder / "oxigraph"
    store = ox.Store(str(database))
    for graph in kg.dataset.graphs():
        name = graph.identifier
        if name != DATASET_DEFAULT_GRAPH_ID:
            target = _to_ox(name)
            store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), target) for s, p, o in graph)
    # the default graph holds the union of all graphs, as in a kgbuild store
    store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph())
                 for s, p, o, _ in kg.dataset.quads((None, None, None, None)))
    store.flush()
    del store
    return database


class Endpoint:
    """The SPARQL endpoint: an HTTP server and its query workers.

    Args:
        source: a store folder (``kgbuild build ... --store DIR``) or a graph file
            (copied into a temporary store first).
        host: address to bind; ``127.0.0.1`` unless you mean to expose the graph.
        port: TCP port; 0 picks a free one (see :attr:`url`).
        timeout: seconds a query may run before it is stopped.
        workers: queries that can run at the same time (one process each).
        max_query_bytes: longest query accepted.
        max_result_bytes: largest result sent.
        memory_mb: most memory (MiB) a worker may add while it runs one query;
            None: no cap.
        queue_size: queries that may wait for a free worker; more get 503.

    Attributes:
        url: the server's base URL (``http://127.0.0.1:7878/``); the endpoint is
            ``url + "query"``.
        quads: how many quads the store holds.

    Raises:
        StoreError: the store cannot be opened, or a build is writing into it.
        RDFInputError: the graph file is missing or cannot be parsed.
        KgbuildError: the address cannot be bound (port in use, bad host).
    """

    def __init__(self, source: str | os.PathLike[str], *, host: str = "127.0.0.1",
                 port: int = DEFAULT_PORT, timeout: float = 30.0, workers: int = 2,
                 max_query_bytes: int = 1_000_000,
                 max_result_bytes: int = 64 * 1024 * 1024, memory_mb: int | None = 1024,
                 queue_size: int = 64) -> None:
        if timeout <= 0 or workers < 1 or max_query_bytes < 1 or max_result_bytes < 1 \
                or (memory_mb is not None and memory_mb < 1) or queue_size < 0:
            raise KgbuildError("timeout, workers, memory and the size limits must be positive",
                               fix="pass positive values")
        self.host = host
        self.timeout = float(timeout)
        self.max_query_bytes = max_query_bytes
        self.max_result_bytes = max_result_bytes
        self.loopback = host in _LOOPBACK_NAMES or host.startswith("127.")
        self._closers: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        try:
            database = self._prepare(Path(source))
            self.triples = self._count(database)
            self.pool = _Pool(database, workers, memory_mb=memory_mb, queue_size=queue_size)
            self._closers.append(self.pool.close)
            self._bind(host, port)
        except BaseException:
            self.close()
            raise

    def _prepare(self, source: Path) -> Path:
        from kgbuild.store.layout import database_path, is_store, reader_lock

        self.source_name = source.name or str(source)
        if source.is_dir():
            if not is_store(source):
                database_path(source)  # raises the StoreError that explains
            lock = reader_lock(source)
            self._closers.append(lock.close)
            return database_path(source)
        if not source.is_file():
            raise RDFInputError("no such store folder or graph file", input=str(source),
                                fix="build one first: kgbuild build seeds/ --store kg/")
        folder = Path(tempfile.mkdtemp(prefix="kgbuild-serve-"))
        self._closers.append(lambda: shutil.rmtree(folder, ignore_errors=True))
        return _load_file_into(source, folder)

    @staticmethod
    def _count(database: Path) -> int:
        from kgbuild.store.layout import _open_failed, damaged_store
        from kgbuild.store.reading import _triple_count

        try:
            store = ox.Store.read_only(str(database))
        except (OSError, RuntimeError) as exc:
            raise _open_failed(database, exc, writing=False) from exc
        try:
            return _triple_count(store)
        except RuntimeError as exc:
            raise damaged_store(database, exc) from exc

    def _bind(self, host: str, port: int) -> None:
        server_class = _Server6 if ":" in host else _Server
        try:
            self.httpd = server_class((host, port), _Handler)
        except OSError as exc:
            raise KgbuildError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                               input=f"{host}:{port}",
                               fix="pick another --port (0 picks a free one) or --host"
                               ) from exc
        self.httpd.endpoint = self
        self._closers.append(self.httpd.server_close)
        address = self.httpd.server_address
        bound_host, bound_port = str(address[0]), address[1]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.port = int(bound_port)
        self.url = f"http://{shown}:{self.port}/"

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (or Ctrl-C in the caller)."""
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> Endpoint:
        """Answer requests in a background thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, name="kgbuild-sparql",
                                        daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop answering requests (from another thread than :meth:`serve_forever`'s)."""
        if getattr(self, "httpd", None) is not None:
            self.httpd.shutdown()

    def close(self) -> None:
        """Stop the server and the workers, and release the store."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(10)
            self._thread = None
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:  # keep closing the rest
                log.debug("error while closing the endpoint", exc_info=True)

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(source: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float = 30.0, workers: int = 2, max_query_bytes: int = 1_000_000,
          max_result_bytes: int = 64 * 1024 * 1024, memory_mb: int | None = 1024,
          queue_size: int = 64,
          on_ready: Callable[[Endpoint], None] | None = None) -> None:
    """Serve ``source`` read-only over SPARQL until interrupted (Ctrl-C or SIGTERM).

    SIGTERM stops the server as Ctrl-C does, from the start: a graph file being
    loaded into a temporary store when it arrives leaves no temporary store
    behind.

    Args:
        source: a store folder or a graph file.
        host: address to bind (default loopback only).
        port: TCP port (0: any free port; see ``on_ready``).
        timeout: seconds a query may run.
        workers: queries that can run at the same time.
        max_query_bytes: longest query accepted.
        max_result_bytes: largest result sent.
        memory_mb: most memory (MiB) one query may add to its worker.
        queue_size: queries that may wait for a free worker.
        on_ready: called with the :class:`Endpoint` once it listens.

    Raises:
        StoreError, RDFInputError, KgbuildError: see :class:`Endpoint`.
    """
    with _sigterm_interrupts():
        try:
            endpoint = Endpoint(source, host=host, port=port, timeout=timeout, workers=workers,
                                max_query_bytes=max_query_bytes,
                                max_result_bytes=max_result_bytes, memory_mb=memory_mb,
                                queue_size=queue_size)
        except KeyboardInterrupt:  # the temporary store is removed by Endpoint
            log.info("stopped while loading")
            return
        with endpoint as ep:
            if on_ready is not None:
                on_ready(ep)
            try:
                ep.serve_forever()
            except KeyboardInterrupt:
                log.info("stopped")


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Make SIGTERM raise KeyboardInterrupt (as Ctrl-C) while the block runs, so the
    ``finally`` clauses remove workers, lock and temporary store."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
