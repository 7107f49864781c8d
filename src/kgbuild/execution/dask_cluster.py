"""Extraction on a Dask cluster (``dask.distributed``; the optional ``dask`` extra).

The client (the process running :func:`kgbuild.build`) reads the articles and sends
them in chunks to the cluster's workers; each worker loads the spaCy pipeline once
(a worker plugin does it at start-up), receives the knowledge base once (it is
scattered to every worker), and returns :class:`~kgbuild.graph.resolve.ArticleResult`
records.  Keys and IRIs depend only on the article and the knowledge base, so the
chunks merge without any coordination; the client then runs the cheap second pass
(cross-article entity and event merging, :func:`kgbuild.resolve.resolve`) and writes
the RDF, exactly as a serial build does.

Addresses: ``"local"`` starts a ``LocalCluster`` on 127.0.0.1 (one single-threaded
worker process per core, no dashboard); ``"tcp://host:8786"`` connects to a running
scheduler; a ``distributed.Client`` is used as it is.  Every worker needs kgbuild
installed, with the same spaCy pipeline package.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kgbuild.core.errors import ConfigError, KgbuildError
from kgbuild.core.model import Article
from kgbuild.execution.step import CHUNK_ARTICLES, chunked, default_chunk_size, extract_chunk
from kgbuild.kb.knowledge_base import KnowledgeBase
from kgbuild.nlp.spacy_pipeline import DEFAULT_MODEL, load_pipeline

if TYPE_CHECKING:
    from kgbuild.graph.resolve import ArticleResult

__all__ = ["PipelinePlugin", "connect", "extract_on_dask"]

log = logging.getLogger(__name__)

_INSTALL_FIX = "install the extra: pip install 'kgbuild[dask]'"

_WorkerPlugin: type
try:  # the plugin base class only exists with the extra installed
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - exercised without the extra
    _WorkerPlugin = object


class PipelinePlugin(_WorkerPlugin):  # type: ignore[misc]  # Any without dask's stubs
    """A Dask worker plugin that loads kgbuild's spaCy pipeline when a worker starts.

    Args:
        model: the spaCy pipeline's package name.
    """

    idempotent = True

    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        self.model = model
        self.name = f"kgbuild-pipeline-{model}"

    def setup(self, worker: Any) -> None:
        """Load the pipeline into the worker process's cache (once per process)."""
        try:
            load_pipeline(self.model)
        except KgbuildError as exc:  # the tasks raise it again, where the client sees it
            log.error("%s", exc)


def _dask_task(articles: list[Article], kb: KnowledgeBase, model: str,
               batch_size: int) -> list[ArticleResult]:
    # no graphs, as with local workers: the client writes each from the records as it
    # arrives, faster than it could unpickle their RDF terms
    return extract_chunk(articles, kb=kb, model=model, batch_size=batch_size, graphs=False)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ConfigError("Dask's distributed scheduler is not installed", input="--dask",
                          fix=_INSTALL_FIX) from exc
    return distributed


@contextmanager
def connect(address: Any, *, workers: int | None = None,
            timeout: float = 30) -> Iterator[Any]:
    """Open a Dask client for ``address``; close what was opened here on exit.

    Args:
        address: ``"local"`` (a ``LocalCluster`` on 127.0.0.1), a scheduler
            address such as ``"tcp://10.0.0.5:8786"``, or a ``distributed.Client``
            (used as is, never closed here).
        workers: worker processes of a local cluster (default: the cores, at most 8).
        timeout: seconds to wait for a remote scheduler.

    Returns:
        A context manager yielding the ``distributed.Client``.

    Raises:
        kgbuild.core.errors.ConfigError: when Dask is not installed or the scheduler
            cannot be reached.
    """
    distributed = _import_distributed()
    if isinstance(address, distributed.Client):
        yield address
        return
    if not isinstance(address, str) or not address.strip():
        raise ConfigError(f"{address!r} is not a Dask scheduler address", input=str(address),
                          fix="pass --dask local or --dask tcp://HOST:8786")
    if address == "local":
        n = workers or min(os.cpu_count() or 1, 8)
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None)
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler ({exc})", input=address,
            fix="start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
            "check the address, or use --dask local") from exc
    try:
        yield client
    finally:
        client.close()


def extract_on_dask(articles: Iterable[Article], *, kb: KnowledgeBase, address: Any,
                    model: str = DEFAULT_MODEL, batch_size: int = 4,
                    chunk_size: int | None = None) -> Iterator[ArticleResult]:
    """Extract articles on a Dask cluster; results come back in input order.

    Args:
        articles: any iterable of articles; it is consumed lazily (at most two
            chunks per worker are in flight).
        kb: the knowledge base, scattered once to every worker.
        address: see :func:`connect`.
        model: the spaCy pipeline's package name (installed on every worker).
        batch_size: articles per ``nlp.pipe`` batch.
        chunk_size: articles per task (rounded up to whole batches); default
            :data:`kgbuild.execution.step.CHUNK_ARTICLES`.

    Returns:
        An iterator of :class:`~kgbuild.graph.resolve.ArticleResult`.

    Raises:
        kgbuild.core.errors.ConfigError: Dask missing, or the scheduler unreachable.
    """

    size = default_chunk_size(batch_size, articles=chunk_size or CHUNK_ARTICLES)
    with connect(address) as client:
        client.register_plugin(PipelinePlugin(model))
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        [kb_future] = client.scatter([kb], broadcast=True)
        pending: deque[Any] = deque()
        try:
            for chunk in chunked(articles, size):
                pending.append(client.submit(_dask_task, chunk, kb_future, model, batch_size,
                                             pure=False))
                if len(pending) >= 2 * n_workers:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for fut in pending:
                fut.cancel()
