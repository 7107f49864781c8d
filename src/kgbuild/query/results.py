"""The solutions of a SELECT query, and their renderings: a text table, SPARQL 1.1 CSV,
TSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from kgbuild.core.namespaces import PREFIXES
from kgbuild.query.terms import _json_term, _ntriples

__all__ = ["MIN_COLUMN_WIDTH", "QueryResult"]


@dataclass(frozen=True)
class QueryResult:
    """The solutions of a SELECT query.

    Attributes:
        vars: the projected variable names, without ``?``.
        rows: one tuple per solution, aligned with ``vars``; unbound values are None.
            Literals typed ``xsd:string`` are returned as plain literals and
            integer-derived types (``xsd:nonNegativeInteger`` ...) as ``xsd:integer``,
            so that both engines give equal rows.
        truncated: True when the query had more solutions than the row limit
            allowed; ``rows`` holds the first ``limit`` of them.
    """

    vars: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...]
    truncated: bool = False

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def to_dicts(self) -> list[dict[str, Node | None]]:
        """Return the rows as dictionaries from variable name to term (None when unbound)."""
        return [dict(zip(self.vars, row, strict=True)) for row in self.rows]

    def to_table(self, *, max_width: int | None = 60, width: int | None = None) -> str:
        """Render the rows as a plain-text table with IRIs shortened by kgbuild's prefixes.

        Args:
            max_width: cells longer than this are cut with an ellipsis; None: never.
            width: fit the table into this many characters (a terminal's width)
                by cutting the widest columns first, none below
                :data:`MIN_COLUMN_WIDTH`; it replaces ``max_width``.

        Returns:
            The table, header and rule first, one line per row.

        >>> from rdflib import Literal
        >>> r = QueryResult(vars=("a", "b"), rows=((Literal("x" * 30), Literal("y" * 30)),))
        >>> print(r.to_table(width=40).splitlines()[2])
        xxxxxxxxxxxxxxxxxx…  yyyyyyyyyyyyyyyyyy…
        >>> len(r.to_table(max_width=None).splitlines()[2])
        62
        """
        texts = [[_display(value, None) for value in row] for row in self.rows]
        natural = [len(v) for v in self.vars]
        for row in texts:
            natural = [max(w, len(c)) for w, c in zip(natural, row, strict=True)]
        if width is not None:
            limits = _fit(natural, width)
        else:
            limits = [n if max_width is None else min(n, max_width) for n in natural]
        cells = [[_cut(c, limit) for c, limit in zip(row, limits, strict=True)] for row in texts]
        widths = [len(v) for v in self.vars]
        for row in cells:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
        lines = [
            "  ".join(v.ljust(w) for v, w in zip(self.vars, widths, strict=True)).rstrip(),
            "  ".join("-" * w for w in widths),
        ]
        lines.extend(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in cells
        )
        more = ", truncated at the row limit" if self.truncated else ""
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''}{more})")
        return "\n".join(lines)

    def to_csv(self) -> str:
        """Render as SPARQL 1.1 Query Results CSV (values as plain strings, CRLF lines)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.vars)
        for row in self.rows:
            writer.writerow(["" if value is None else str(value) for value in row])
        return buffer.getvalue()

    def to_tsv(self) -> str:
        """Render as SPARQL 1.1 Query Results TSV (terms in N-Triples syntax)."""
        lines = ["\t".join(f"?{v}" for v in self.vars)]
        for row in self.rows:
            lines.append("\t".join("" if value is None else _ntriples(value) for value in row))
        return "\n".join(lines) + "\n"

    def to_json(self, *, indent: int | None = 2) -> str:
        """Render as SPARQL 1.1 Query Results JSON.

        Args:
            indent: JSON indentation (None: one line).

        Returns:
            The JSON text.
        """
        bindings = []
        for row in self.rows:
            binding: dict[str, dict[str, str]] = {}
            for var, value in zip(self.vars, row, strict=True):
                if value is not None:
                    binding[var] = _json_term(value)
            bindings.append(binding)
        document = {"head": {"vars": list(self.vars)}, "results": {"bindings": bindings}}
        return json.dumps(document, indent=indent, ensure_ascii=False)


#: The narrowest a column is cut to when a table is fitted into a width.
MIN_COLUMN_WIDTH = 12


def _fit(natural: list[int], width: int) -> list[int]:
    """Column widths that fit ``width`` (two spaces between columns): the widest
    column loses a character at a time, none below :data:`MIN_COLUMN_WIDTH`."""
    limits = list(natural)
    budget = width - 2 * (len(limits) - 1)
    while sum(limits) > budget:
        widest = max(range(len(limits)), key=lambda i: limits[i])
        if limits[widest] <= MIN_COLUMN_WIDTH:
            break
        limits[widest] -= 1
    return limits


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "\u2026"


def _display(value: Node | None, max_width: int | None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, URIRef):
        text = _shorten(str(value))
    else:
        text = str(value)
    text = " ".join(text.split())
    return _cut(text, max_width)


def _shorten(iri: str) -> str:
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    return f"{best_prefix}:{iri[len(best) :]}" if best else iri
