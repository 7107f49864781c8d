"""Run the contract queries on a graph, and score one article's graph against its gold.

The queries are the shipped ``*.rq`` files (or a given folder); their results become
plain rows (:func:`rows_from_result`) that :func:`score_graph` hands to the scoring core
of :mod:`kgbuild.evaluation.scores`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from kgbuild.evaluation.gold import QUESTIONS, SCORED_QUESTIONS, GoldArticle, GoldEntity
from kgbuild.evaluation.matching import Row
from kgbuild.evaluation.reports import ArticleReport
from kgbuild.evaluation.scores import QuestionScore, check_provenance, score_question


class _Queryable(Protocol):
    def query(self, sparql: str) -> Any: ...


def _plain(term: Any) -> str | int | None:
    if term is None:
        return None
    # Imported here so that the scoring core stays independent of rdflib.
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, bool):
        return str(term).lower()
    if isinstance(term, int):
        return term
    return str(term)


def rows_from_result(result: Any) -> list[dict[str, str | int | None]]:
    """Turn a SPARQL SELECT result into plain rows.

    Accepts a result with ``.vars`` and ``.rows`` (tuples of rdflib terms or
    None) or an rdflib ``Result``.  Literals become ``int`` (integer types) or
    their lexical ``str``; IRIs their string; blank nodes ``"_:id"``.

    Args:
        result: the query result.

    Returns:
        One dict per row, variable name to plain value.
    """
    names = [str(v) for v in (result.vars or ())]
    raw = getattr(result, "rows", None)
    if raw is None:
        raw = list(result)
    return [{n: _plain(v) for n, v in zip(names, tuple(row), strict=False)} for row in raw]


def run_queries(
    kg: _Queryable, queries_dir: Path, names: Iterable[str]
) -> tuple[dict[str, list[dict[str, str | int | None]]], tuple[str, ...]]:
    """Run the named contract queries (``NAME.rq`` of ``queries_dir``) on a graph.

    Args:
        kg: an object with ``.query(sparql)``.
        queries_dir: the folder of the ``*.rq`` files.
        names: the query names.

    Returns:
        The plain rows of each query, and the names whose file is missing (their rows
        are empty).
    """
    rows: dict[str, list[dict[str, str | int | None]]] = {}
    missing: list[str] = []
    for name in names:
        path = queries_dir / f"{name}.rq"
        if not path.is_file():
            missing.append(name)
            rows[name] = []
            continue
        rows[name] = rows_from_result(kg.query(path.read_text(encoding="utf-8")))
    return rows, tuple(missing)


def resolve_queries_dir(queries_dir: Path | None) -> Path:
    """The given folder of contract queries, or the shipped ``queries`` folder."""
    if queries_dir is not None:
        return Path(queries_dir)
    from kgbuild.core.resources import data_dir

    return Path(data_dir("queries"))


_FACT_VARS = (("events", "event"), ("casualties", "claim"), ("statements", "statement"))


def score_graph(
    kg_or_rows: _Queryable | Mapping[str, Sequence[Row]],
    gold_article: GoldArticle,
    *,
    entities: Mapping[str, GoldEntity],
    article_meta: Mapping[str, Any] | None = None,
    article_text: str | None = None,
    queries_dir: Path | None = None,
) -> ArticleReport:
    """Score one article's graph (or its query rows) against its gold.

    Args:
        kg_or_rows: an object with ``.query(sparql)`` (a built knowledge
            graph), or a mapping of query name (``"actors"``, ``"place-links"``
            ...) to plain rows.  A question missing from the mapping is scored
            as returning nothing.
        gold_article: the article's gold.
        entities: the gold entities.
        article_meta: the article's sidecar metadata (``"published"``).
        article_text: the article file's text; when given, the provenance rows
            are checked against it.
        queries_dir: folder of the contract ``*.rq`` files (default: the
            shipped ``queries`` folder); only used with a graph.

    Returns:
        The article's report.
    """
    missing: tuple[str, ...] = ()
    if isinstance(kg_or_rows, Mapping):
        rows: Mapping[str, Sequence[Row]] = kg_or_rows
    else:
        wanted = [q for q in QUESTIONS if q in gold_article.sections or q == "provenance"]
        for q, _var in _FACT_VARS:
            if q not in wanted:
                wanted.append(q)
        rows, missing = run_queries(kg_or_rows, resolve_queries_dir(queries_dir), wanted)
    scores: dict[str, QuestionScore] = {}
    for q in SCORED_QUESTIONS:
        if q in gold_article.sections:
            scores[q] = score_question(
                q,
                gold_article.sections[q],
                rows.get(q, ()),
                entities,
                article_meta=article_meta,
            )
    provenance = None
    if article_text is not None:
        facts = {
            str(r[var]) for q, var in _FACT_VARS for r in rows.get(q, ()) if r.get(var) is not None
        }
        provenance = check_provenance(
            rows.get("provenance", ()), article_text, gold_article.article, facts
        )
    return ArticleReport(
        article=gold_article.article,
        scores=scores,
        provenance=provenance,
        missing_queries=missing,
    )
