"""Execution strategies: the same per-article step, run serially, in processes or on Dask.

:mod:`kgbuild.execution.step` holds the per-article step and the serial strategy;
:mod:`kgbuild.execution.processes` and :mod:`kgbuild.execution.dask_cluster` run it
elsewhere. :func:`extract_results` picks one from the settings; the orchestrator
(:mod:`kgbuild.pipeline`) calls only that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kgbuild.core.model import Article
from kgbuild.execution.processes import extract_in_processes
from kgbuild.execution.step import extract_stream
from kgbuild.kb.knowledge_base import KnowledgeBase

if TYPE_CHECKING:
    from kgbuild.core.config import Settings
    from kgbuild.graph.resolve import ArticleResult

__all__ = ["extract_results"]


def extract_results(articles: Iterable[Article], *, kb: KnowledgeBase, settings: Settings,
                    dask: Any = None, start_method: str = "auto") -> Iterator[ArticleResult]:
    """Extract with the means the settings ask for: this process, workers, or Dask.

    Args:
        articles: the article stream.
        kb: the knowledge base.
        settings: ``workers``, ``model`` and ``batch_size`` are used.
        dask: a scheduler address, ``"local"``, or a ``distributed.Client``;
            None: no Dask.
        start_method: how worker processes start (see
            :func:`kgbuild.execution.processes.start_method_for`).

    Returns:
        An iterator of :class:`~kgbuild.graph.resolve.ArticleResult`, in input order.
    """
    if dask is not None:
        from kgbuild.execution.dask_cluster import extract_on_dask

        return extract_on_dask(articles, kb=kb, address=dask, model=settings.model,
                               batch_size=settings.batch_size)
    if settings.workers > 1:
        return extract_in_processes(articles, kb=kb, workers=settings.workers,
                                    model=settings.model, batch_size=settings.batch_size,
                                    start_method=start_method)
    return extract_stream(articles, kb=kb, model=settings.model, batch_size=settings.batch_size)
