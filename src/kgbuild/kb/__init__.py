"""World knowledge: the curated knowledge base, and the gazetteer of every country and town."""

from __future__ import annotations

from kgbuild.kb.knowledge_base import EntityTable, KBEntity, KnowledgeBase, load_kb

__all__ = ["EntityTable", "KBEntity", "KnowledgeBase", "load_kb"]
