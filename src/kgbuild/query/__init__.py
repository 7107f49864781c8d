"""SPARQL: the shipped queries by name, parameters bound as RDF terms, two engines, limits."""

from __future__ import annotations

from kgbuild.query.catalogue import (
    QueryInfo,
    QueryParameter,
    list_queries,
    named_query,
    parse_header,
)
from kgbuild.query.limits import DEFAULT_MEMORY_MB, MEMORY_POLL_SECONDS
from kgbuild.query.results import MIN_COLUMN_WIDTH, QueryResult
from kgbuild.query.sparql import Engine, run_named_query, run_query

__all__ = ["DEFAULT_MEMORY_MB", "MEMORY_POLL_SECONDS", "MIN_COLUMN_WIDTH", "Engine", "QueryInfo",
           "QueryParameter", "QueryResult", "list_queries", "named_query", "parse_header",
           "run_named_query", "run_query"]
