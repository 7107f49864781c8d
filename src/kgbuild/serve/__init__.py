"""A read-only SPARQL endpoint over a store or a graph file, with a query page."""

from __future__ import annotations

from kgbuild.serve.endpoint import DEFAULT_PORT, LISTEN_BACKLOG, Endpoint, serve

__all__ = ["DEFAULT_PORT", "LISTEN_BACKLOG", "Endpoint", "serve"]
