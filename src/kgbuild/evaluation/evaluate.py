"""Score a knowledge graph against hand-made gold annotations: the entry point.

The gold format and the scoring rules are the contract written in
``tests/gold/FORMAT.md``; the modules of :mod:`kgbuild.evaluation` implement them in
three layers, and this module is their public face (every name of ``__all__``):

* :func:`load_gold` (:mod:`~kgbuild.evaluation.gold_loader`) reads and strictly
  validates a gold folder (``entities.json``, every ``*.gold.json``, optional
  ``corpus.gold.json``) into a :class:`GoldSet` (the records of
  :mod:`~kgbuild.evaluation.gold`), raising :class:`GoldFormatError` that names the
  file, the JSON path of the bad item and the fix.
* :func:`score_question` and :func:`check_provenance`
  (:mod:`~kgbuild.evaluation.scores`) are the pure scoring core: they compare plain
  query rows (``dict`` of variable name to ``str``, ``int`` or ``None``) with gold
  rows and know nothing of RDF; rows are paired with gold rows by
  :mod:`~kgbuild.evaluation.matching` and times compared by
  :mod:`~kgbuild.evaluation.times`.  :func:`score_graph`
  (:mod:`~kgbuild.evaluation.graph_scoring`) runs (or takes) the rows of every
  contract query for one article.
* :func:`evaluate` (here) builds each gold article alone with
  :func:`kgbuild.pipeline.build`, scores it, then builds all gold articles
  together for the cross-article checks of ``corpus.gold.json``
  (:mod:`~kgbuild.evaluation.corpus`), and returns an :class:`EvalReport`
  (:mod:`~kgbuild.evaluation.reports`; printable, ``to_dict``, ``to_json``).

Interpretation choices where FORMAT.md leaves room (all deliberate):

* Pairing is one to one and computed as a maximum bipartite matching, so it
  does not depend on row order.  Among the maximum matchings, one that pairs
  the most *required* gold rows is chosen, and then (actors, places) the one
  whose paired nodes have the most correct kinds.
* A node (``?actor``, ``?event`` ...) pairs with a gold row when ANY one of its
  rows matches every field the gold row gives.  Agreements are the exception,
  judged over all rows of the node: its label matches the gold label or an
  alias, its date matches (gold year equal; gold month, when not null, equal;
  a date without a month fails a gold month), its broker matches one of the
  gold brokers when gold gives any, and EVERY gold party is among the node's
  ``?party`` values.
* A gold field that is absent or ``null`` is not compared, except
  ``casualties.count``: ``null`` there demands an unbound ``?count``.
* Lists of entity keys, kinds, stances, outcomes, qualifiers and roles are
  alternatives (any one matches); a single string is accepted for a list.
* Event ``name`` is not compared (``events.rq`` has no variable for it).
  Conflict ``topic`` is free text and is not compared either; the sources
  ``a``/``b`` match ``?sourceA``/``?sourceB`` in either order.
* Roles: the returned ``?role`` matches when its normalised text equals a gold
  role, or when their local names agree with case, hyphens, underscores and
  spaces ignored (``chairman-in-office`` = ``ChairmanInOffice``).
* Event times: a gold ``time_text`` matches when the normalised returned
  ``?time`` contains it as whole words, or when both resolve to the same date
  against the article's publication date (or the returned date lies within a
  coarser gold period: ``2020`` accepts ``2020-11-10``).  Resolution knows ISO
  values, ``Month D[, YYYY]``, ``D Month [YYYY]`` (publication year when none
  is written), ``Month YYYY``, weekday names, ``today``/``yesterday`` and bare
  years.  A weekday name means the most recent such day ON OR BEFORE the
  publication date (news reports "on Wednesday" for a past day; the day of
  publication itself is allowed).  Without a publication date, ``Month D`` and
  weekday names still match a returned full date with that month and day, or
  that weekday.
* Precision of a question that returned nothing is 1.0 and recall of a
  question without required gold rows is 1.0; F1 is 0 when either is 0.
* A gold section that is absent from an article's file is "not annotated" and
  that question is not scored for the article; an empty list is scored.
* Items of ``place-links``, ``roles`` and ``conflicts`` are distinct rows of
  all projected variables, so a conflict returned in both orders is two items.
* ``corpus.gold.json`` ``conflicts`` (``a``/``b`` are article file names) are
  checked when both seeds are built together: a returned conflict row passes
  when ``?claimA`` and ``?claimB`` are stated (per ``provenance.rq``) in
  articles of ``a`` and ``b``, in either order.
* Article text for the provenance check, and the publication date, are those
  :func:`kgbuild.inputs.articles.read_articles` gives (UTF-8, BOM removed, newlines
  kept; the sidecar ``.meta.json``).

>>> normalise_label("The Niger’s Defence-Ministry!")
'niger defense ministry'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kgbuild.core.errors import InputError
from kgbuild.core.model import Article
from kgbuild.evaluation.corpus import corpus_checks
from kgbuild.evaluation.gold import (
    QUESTIONS,
    SCORED_QUESTIONS,
    AgreementGold,
    CasualtyGold,
    ConflictGold,
    CorpusGold,
    EntityGold,
    EventGold,
    GoldArticle,
    GoldEntity,
    GoldRow,
    GoldSet,
    PlaceLinkGold,
    RoleGold,
    StatementGold,
    local_key,
    normalise_label,
)
from kgbuild.evaluation.gold_loader import load_gold
from kgbuild.evaluation.graph_scoring import (
    resolve_queries_dir,
    rows_from_result,
    run_queries,
    score_graph,
)
from kgbuild.evaluation.matching import Row, label_matches
from kgbuild.evaluation.reports import ArticleReport, CorpusCheck, CorpusReport, EvalReport
from kgbuild.evaluation.scores import (
    ProvenanceCheck,
    QuestionScore,
    check_provenance,
    score_question,
)
from kgbuild.evaluation.times import resolve_time, time_matches

__all__ = [
    "QUESTIONS",
    "SCORED_QUESTIONS",
    "AgreementGold",
    "ArticleReport",
    "CasualtyGold",
    "ConflictGold",
    "CorpusCheck",
    "CorpusGold",
    "CorpusReport",
    "EntityGold",
    "EvalReport",
    "EventGold",
    "GoldArticle",
    "GoldEntity",
    "GoldRow",
    "GoldSet",
    "PlaceLinkGold",
    "ProvenanceCheck",
    "QuestionScore",
    "RoleGold",
    "Row",
    "StatementGold",
    "check_provenance",
    "evaluate",
    "label_matches",
    "load_gold",
    "local_key",
    "normalise_label",
    "resolve_time",
    "rows_from_result",
    "score_graph",
    "score_question",
    "time_matches",
]


def _source_files(sources: Sequence[str | Path]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for source in sources:
        path = Path(source)
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            files.setdefault(candidate.name, candidate)
    return files


def _article_meta(article: Article) -> dict[str, Any]:
    return {
        "published": article.published.isoformat() if article.published else None,
        "publisher": article.publisher,
        "url": article.url,
        "title": article.title,
    }


def evaluate(
    gold_dir: Path,
    sources: Sequence[str | Path],
    *,
    settings: object | None = None,
    queries_dir: Path | None = None,
) -> EvalReport:
    """Build each gold article, run the contract queries and score them.

    Each article is built alone and scored against its gold; then, when the
    gold folder has ``corpus.gold.json``, all gold articles are built together
    once for the cross-article checks.

    Args:
        gold_dir: the gold folder (see :func:`load_gold`).
        sources: article files or folders; a gold article is found by file name.
        settings: pipeline settings passed to :func:`kgbuild.pipeline.build`.
        queries_dir: folder of the contract ``*.rq`` files (default: the
            shipped ``queries`` folder).

    Returns:
        The report (``print`` it, or ``to_json()``).

    Raises:
        GoldFormatError: the gold does not follow FORMAT.md.
        InputError: a gold article is not among the sources.
    """
    from kgbuild.inputs.articles import read_articles
    from kgbuild.pipeline import build

    gold = load_gold(Path(gold_dir))
    files = _source_files(sources)
    absent = [name for name in gold.articles if name not in files]
    if absent:
        raise InputError(
            f"gold article(s) {absent} not found among the sources",
            input=", ".join(str(s) for s in sources),
            fix="pass the files or the folder that holds them (for example seeds/)",
        )
    qdir = resolve_queries_dir(queries_dir)
    # The article as the pipeline reads it: its text (provenance offsets) and
    # its sidecar metadata (publication date for resolving times).
    texts: dict[str, Article] = {}
    for name in gold.articles:
        read = list(read_articles([files[name]]))
        texts[name] = next((a for a in read if a.id == name), read[0])
    metas = {name: _article_meta(article) for name, article in texts.items()}
    reports: dict[str, ArticleReport] = {}
    for name, art in gold.articles.items():
        kg = build([files[name]], settings=settings)
        reports[name] = score_graph(
            kg,
            art,
            entities=gold.entities,
            article_meta=metas[name],
            article_text=texts[name].text,
            queries_dir=qdir,
        )
    corpus = None
    if gold.corpus is not None:
        kg = build([files[name] for name in gold.articles], settings=settings)
        rows, missing = run_queries(
            kg, qdir, ("actors", "places", "events", "agreements", "conflicts", "provenance")
        )
        corpus = CorpusReport(checks=corpus_checks(gold, rows, metas), missing_queries=missing)
    return EvalReport(articles=reports, corpus=corpus)
