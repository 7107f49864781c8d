"""The SPARQL 1.1 Protocol rules the endpoint applies to a request's text: whether it is an
update, which result format its ``Accept`` header asks for, and the plain-text answer
every refusal and error is sent as.

>>> _is_update("PREFIX ex: <http://ex/#> INSERT DATA { ex:a ex:b ex:c }")
True
>>> _is_update("# comment\\nSELECT * WHERE { ?s ?p ?o }")
False
>>> _negotiate("text/csv;q=0.5, application/sparql-results+json", "solutions")[1]
'application/sparql-results+json'
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

__all__: list[str] = []

# media type -> pyoxigraph format, for query solutions (SELECT, ASK) and graphs (CONSTRUCT,
# DESCRIBE); the first entry of each is the default.
_RESULT_TYPES: dict[str, tuple[Any, str]] = {
    "application/sparql-results+json": (ox.QueryResultsFormat.JSON,
                                         "application/sparql-results+json"),
    "application/json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "application/sparql-results+xml": (ox.QueryResultsFormat.XML,
                                       "application/sparql-results+xml"),
    "application/xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "text/xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "text/csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "text/tab-separated-values": (ox.QueryResultsFormat.TSV,
                                  "text/tab-separated-values; charset=utf-8"),
}
_GRAPH_TYPES: dict[str, tuple[Any, str]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "application/x-turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "text/plain": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "application/xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "text/xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "application/json": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}

_UPDATE_WORDS = re.compile(
    r"(?i)(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)(?![\w:-])"
)
_PROLOGUE = re.compile(
    r"(?i)\s+|#[^\n]*|BASE\s*<[^<>\s]*>|PREFIX\s*[\w.-]*:\s*<[^<>\s]*>"
)


def _is_update(text: str) -> bool:
    """Whether the SPARQL text is an update (its first keyword after the prologue)."""
    pos = 0
    while True:
        match = _PROLOGUE.match(text, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
    return _UPDATE_WORDS.match(text, pos) is not None


def _negotiate(accept: str | None, kind: str) -> tuple[Any, str] | None:
    """Pick the result format for an ``Accept`` header; None when nothing fits.

    Args:
        accept: the header (None or empty: the default format).
        kind: ``"solutions"`` (SELECT, ASK) or ``"triples"`` (CONSTRUCT, DESCRIBE).

    Returns:
        ``(pyoxigraph format, response media type)``.
    """
    table = _RESULT_TYPES if kind == "solutions" else _GRAPH_TYPES
    default = next(iter(table.values()))
    if not accept or not accept.strip():
        return default
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and weight > 0:
            ranges.append((-weight, index, media.lower()))
    for _, _, media in sorted(ranges):
        if media in table:
            return table[media]
        if media == "*/*" or (media.endswith("/*") and default[1].startswith(media[:-1])):
            return default
    return None


def _text(status: int, message: str) -> tuple[int, str, bytes]:
    return status, "text/plain; charset=utf-8", (message.rstrip(".") + ".\n").encode("utf-8")
