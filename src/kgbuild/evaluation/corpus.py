"""The cross-article checks of ``corpus.gold.json`` on all gold articles built together.

An entity, event or agreement annotated in several articles must come out as exactly
one node; a conflict between articles must be returned with claims stated in both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kgbuild.evaluation.gold import AgreementGold, EventGold, GoldSet, normalise_label
from kgbuild.evaluation.matching import MatchContext, Row, label_matches, pair_rows, render_row
from kgbuild.evaluation.reports import CorpusCheck
from kgbuild.evaluation.times import published_date


def corpus_checks(
    gold: GoldSet,
    rows: Mapping[str, Sequence[Row]],
    metas: Mapping[str, Mapping[str, Any] | None],
) -> tuple[CorpusCheck, ...]:
    """Run the checks of ``gold.corpus`` on the query rows of the graph of all gold articles.

    Args:
        gold: the gold set (no checks when it has no corpus gold).
        rows: query name (``"actors"``, ``"places"``, ``"events"``, ``"agreements"``,
            ``"conflicts"``, ``"provenance"``) to plain rows.
        metas: each gold article's metadata (``"published"``), by file name.

    Returns:
        One check per ``same_entity``, ``same_event``, ``same_agreement`` key and conflict.
    """
    corpus = gold.corpus
    if corpus is None:
        return ()
    checks: list[CorpusCheck] = []
    for key in corpus.same_entity:
        entity_nodes = {
            str(r[var])
            for q, var in (("actors", "actor"), ("places", "place"))
            for r in rows.get(q, ())
            if r.get(var) is not None and label_matches(r.get("label"), (key,), gold.entities)
        }
        checks.append(
            CorpusCheck("entity", key, tuple(sorted(entity_nodes)), len(entity_nodes) == 1)
        )

    fact_articles: dict[str, set[str]] = {}
    for r in rows.get("provenance", ()):
        if r.get("fact") is not None and r.get("article") is not None:
            fact_articles.setdefault(str(r["fact"]), set()).add(str(r["article"]))

    def stated_in(node: str, article: str) -> bool:
        return any(a.endswith(article) for a in fact_articles.get(node, ()))

    def stated(node: str | int, articles: tuple[str, ...]) -> bool:
        return any(stated_in(str(node), art) for art in articles)

    event_rows = list(rows.get("events", ()))
    for event_id in corpus.same_event:
        nodes: set[str] = set()
        for name, art in gold.articles.items():
            golds = art.sections.get("events", ())
            if not any(isinstance(g, EventGold) and g.id == event_id for g in golds):
                continue
            local = [r for r in event_rows if r.get("event") is not None]
            if fact_articles:  # restrict to the events this article states
                local = [r for r in local if stated_in(str(r["event"]), name)]
            ctx = MatchContext(gold.entities, published_date(metas.get(name)))
            pairing = pair_rows("events", golds, local, ctx)
            for i, j in pairing.pairs.items():
                g = golds[j]
                if isinstance(g, EventGold) and g.id == event_id:
                    nodes.add(pairing.items[i][0])
        checks.append(CorpusCheck("event", event_id, tuple(sorted(nodes)), len(nodes) == 1))

    for agreement_id in corpus.same_agreement:
        names: set[str] = set()
        for art in gold.articles.values():
            for g in art.sections.get("agreements", ()):
                if isinstance(g, AgreementGold) and g.id == agreement_id:
                    names |= g.names
        agreement_nodes = {
            str(r["agreement"])
            for r in rows.get("agreements", ())
            if r.get("agreement") is not None
            and r.get("label") is not None
            and normalise_label(str(r["label"])) in names
        }
        checks.append(
            CorpusCheck(
                "agreement",
                agreement_id,
                tuple(sorted(agreement_nodes)),
                len(agreement_nodes) == 1,
            )
        )

    for conflict in corpus.conflicts:
        found: set[str] = set()
        for r in rows.get("conflicts", ()):
            a, b = r.get("claimA"), r.get("claimB")
            if a is None or b is None:
                continue
            if (stated(a, conflict.a) and stated(b, conflict.b)) or (
                stated(a, conflict.b) and stated(b, conflict.a)
            ):
                found.add(render_row(r))
        checks.append(
            CorpusCheck(
                "conflict",
                f"{'|'.join(conflict.a)} vs {'|'.join(conflict.b)}",
                tuple(sorted(found)),
                bool(found),
                required=conflict.required,
            )
        )
    return tuple(checks)
