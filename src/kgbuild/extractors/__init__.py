"""The extractors, run in this order over each article (later ones read earlier output).

Each is one module with a versioned ``NAME`` and an ``extract(ctx)`` function that
appends plain records to ``ctx.out``; bump the version when its output changes.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from kgbuild.extractors import (
    agreements,
    casualties,
    conflicts,
    entities,
    events,
    placelinks,
    roles,
    statements,
)
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.tree import reading

__all__ = ["EXTRACTORS", "run_extractors"]

EXTRACTORS: tuple[ModuleType, ...] = (
    entities,
    events,
    roles,
    statements,
    casualties,
    agreements,
    placelinks,
    conflicts,
)


def run_extractors(ctx: ArticleContext, *, only: Callable[[str], bool] | None = None) -> None:
    """Run every registered extractor (or those ``only`` accepts) on ``ctx``."""
    # the parse tree's navigation is read once per token while the extractors run
    with reading(ctx.doc):
        for module in EXTRACTORS:
            if only is None or only(module.NAME):
                module.extract(ctx)  # type: ignore[attr-defined]
