"""The graph a user holds: built in memory, loaded from a file, or read from a store."""

from __future__ import annotations

from kgbuild.kg.graph import FORMATS, BuildStats, KnowledgeGraph
from kgbuild.kg.reading import load
from kgbuild.kg.stored import StoreKnowledgeGraph

__all__ = ["FORMATS", "BuildStats", "KnowledgeGraph", "StoreKnowledgeGraph", "load"]
