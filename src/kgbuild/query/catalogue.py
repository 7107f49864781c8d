"""The shipped queries: their files by name, and what each file's header says about it.

Query files (``queries/*.rq``) start with a comment block that
:func:`list_queries` reads::

    # Question: Which events happened at or within a place?
    # Columns: ?place ?event ?kind ?time
    # Parameters:
    # param: place - label of a place (optional)

A parameter is the query variable of the same name. ``iri`` after the name
(``# param: fact iri - ...``) says that a string value is an IRI, otherwise a
string value is a plain literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kgbuild.core.errors import QueryError
from kgbuild.core.resources import data_dir

__all__ = ["QueryInfo", "QueryParameter", "list_queries", "named_query", "parse_header"]

_QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PARAM_LINE = re.compile(
    r"^#\s*param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\s+(?P<kind>iri|literal))?"
    r"\s*(?:[-\u2013:]\s*(?P<description>.*))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryParameter:
    """A parameter declared in a query file's header.

    Attributes:
        name: the query variable it binds (without ``?``).
        description: what to pass.
        optional: the query also runs without it (the variable stays free).
        kind: ``"literal"`` (a string value becomes a plain literal) or
            ``"iri"`` (a string value becomes an IRI).
    """

    name: str
    description: str = ""
    optional: bool = True
    kind: str = "literal"


@dataclass(frozen=True)
class QueryInfo:
    """What a query file says about itself in its header.

    Attributes:
        name: the file name without ``.rq``.
        path: the file.
        question: the competency question it answers.
        parameters: the parameters it accepts.
        columns: the projected variable names (without ``?``).
    """

    name: str
    path: Path
    question: str
    parameters: tuple[QueryParameter, ...]
    columns: tuple[str, ...]


def parse_header(sparql: str) -> tuple[str, tuple[str, ...], tuple[QueryParameter, ...]]:
    """Read the leading comment block of a query.

    Args:
        sparql: the query text.

    Returns:
        ``(question, columns, parameters)``; empty values for what is missing.

    >>> parse_header("# Question: Who?\\n# Columns: ?a ?b\\n# param: a iri - x (optional)\\nSELECT")
    ('Who?', ('a', 'b'), (QueryParameter(name='a', description='x', optional=True, kind='iri'),))
    """
    question = ""
    columns: tuple[str, ...] = ()
    parameters: list[QueryParameter] = []
    for raw in sparql.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        lowered = body.lower()
        if lowered.startswith("question:"):
            question = body.split(":", 1)[1].strip()
        elif lowered.startswith("columns:"):
            columns = tuple(c.lstrip("?$") for c in body.split(":", 1)[1].split() if c.strip())
        elif lowered.startswith("param:"):
            match = _PARAM_LINE.match("# " + body)
            if match is None:
                continue
            description = (match["description"] or "").strip()
            optional = description.lower().endswith("(optional)")
            if optional:
                description = description[: -len("(optional)")].rstrip()
            parameters.append(
                QueryParameter(
                    name=match["name"],
                    description=description,
                    optional=optional,
                    kind=(match["kind"] or "literal").lower(),
                )
            )
    return question, columns, tuple(parameters)


def _queries_dir() -> Path:
    return data_dir("queries")


def named_query(name: str) -> Path:
    """Return the path of a shipped query file.

    Args:
        name: the query's name, with or without ``.rq`` (``"actors"``).

    Returns:
        The file's path.

    Raises:
        QueryError: when no shipped query has that name.

    >>> named_query("actors.rq").name
    'actors.rq'
    """
    stem = name[:-3] if name.endswith(".rq") else name
    folder = _queries_dir()
    path = folder / f"{stem}.rq"
    if not _QUERY_NAME.match(stem) or not path.is_file():
        names = ", ".join(sorted(p.stem for p in folder.glob("*.rq")))
        raise QueryError(
            "no such query",
            input=name,
            fix=f"use one of: {names} (or pass your own .rq file)",
        )
    return path


def list_queries() -> list[QueryInfo]:
    """Describe every shipped query, sorted by name.

    Returns:
        One :class:`QueryInfo` per ``queries/*.rq`` file.
    """
    infos = []
    for path in sorted(_queries_dir().glob("*.rq")):
        question, columns, parameters = parse_header(path.read_text(encoding="utf-8"))
        infos.append(
            QueryInfo(
                name=path.stem,
                path=path,
                question=question,
                parameters=parameters,
                columns=columns,
            )
        )
    return infos
