"""Scores of one question (precision, recall, F1, kind accuracy) and the provenance check.

:func:`score_question` and :func:`check_provenance` are the pure scoring core: they
compare plain query rows (``dict`` of variable name to ``str``, ``int`` or ``None``)
with gold rows or with the article text, and know nothing of RDF.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from kgbuild.evaluation.gold import GOLD_ROW_TYPES, SCORED_QUESTIONS, GoldEntity, GoldRow
from kgbuild.evaluation.matching import MatchContext, Row, as_int, pair_rows
from kgbuild.evaluation.times import published_date


def plain_fields(record: Any, *, leave_out: Container[str] = ()) -> dict[str, Any]:
    """A dataclass record's fields as JSON-ready values, in the order they are declared.

    Tuples (nested ones too) become lists; other values are kept as they are.

    Args:
        record: a dataclass instance.
        leave_out: names of fields to leave out.

    Returns:
        Field name to value.

    >>> plain_fields(ProvenanceCheck(2, ("x",)), leave_out=("facts_checked",))
    {'rows_checked': 2, 'offset_failures': ['x'], 'missing_facts': []}
    """
    return {
        f.name: _plain(getattr(record, f.name)) for f in fields(record) if f.name not in leave_out
    }


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


def _prf(
    returned: int, paired: int, required: int, required_paired: int
) -> tuple[float, float, float]:
    precision = paired / returned if returned else 1.0
    recall = required_paired / required if required else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(frozen=True, slots=True)
class QuestionScore:
    """How one question's rows compare with the gold.

    ``kind_accuracy`` (actors, places) is the fraction of paired nodes whose
    ``?kind`` is among the gold entity's kinds; None for other questions or
    when nothing paired.
    """

    question: str
    precision: float
    recall: float
    f1: float
    returned_items: int
    paired_items: int
    gold_required: int
    gold_paired: int
    kind_accuracy: float | None = None
    unmatched_gold: tuple[str, ...] = ()
    unmatched_returned: tuple[str, ...] = ()
    kind_checked: int = 0
    kind_correct: int = 0
    pairs: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (the kind counts are behind ``kind_accuracy``)."""
        return plain_fields(self, leave_out=("kind_checked", "kind_correct"))

    @classmethod
    def combine(cls, question: str, scores: Iterable[QuestionScore]) -> QuestionScore:
        """Micro-average: sum the counts of several scores, then recompute P/R/F1.

        Args:
            question: the question name.
            scores: scores of that question (for example one per article).

        Returns:
            The combined score (unmatched lists concatenated).
        """
        items = list(scores)
        return cls._from_counts(
            question,
            returned=sum(s.returned_items for s in items),
            paired=sum(s.paired_items for s in items),
            required=sum(s.gold_required for s in items),
            required_paired=sum(s.gold_paired for s in items),
            kind_checked=sum(s.kind_checked for s in items),
            kind_correct=sum(s.kind_correct for s in items),
            unmatched_gold=tuple(u for s in items for u in s.unmatched_gold),
            unmatched_returned=tuple(u for s in items for u in s.unmatched_returned),
        )

    @classmethod
    def _from_counts(
        cls,
        question: str,
        *,
        returned: int,
        paired: int,
        required: int,
        required_paired: int,
        kind_checked: int,
        kind_correct: int,
        unmatched_gold: tuple[str, ...],
        unmatched_returned: tuple[str, ...],
        pairs: tuple[tuple[str, str], ...] = (),
    ) -> QuestionScore:
        """A score whose precision, recall, F1 and kind accuracy follow from its counts."""
        precision, recall, f1 = _prf(returned, paired, required, required_paired)
        return cls(
            question,
            precision,
            recall,
            f1,
            returned,
            paired,
            required,
            required_paired,
            kind_accuracy=(kind_correct / kind_checked) if kind_checked else None,
            unmatched_gold=unmatched_gold,
            unmatched_returned=unmatched_returned,
            kind_checked=kind_checked,
            kind_correct=kind_correct,
            pairs=pairs,
        )


def score_question(
    question: str,
    gold_rows: Sequence[GoldRow],
    returned_rows: Sequence[Row],
    entities: Mapping[str, GoldEntity],
    *,
    article_meta: Mapping[str, Any] | None = None,
) -> QuestionScore:
    """Score one question's returned rows against its gold rows.

    Args:
        question: a scored question name (``"actors"`` ... ``"conflicts"``).
        gold_rows: the gold rows of that question for one article.
        returned_rows: the query rows, variable name to plain value.
        entities: the gold entities (``GoldSet.entities``).
        article_meta: the article's sidecar metadata; ``"published"`` (ISO
            date) resolves weekday names and dates without a year.

    Returns:
        Precision, recall, F1, the counts behind them and what did not pair.

    Raises:
        ValueError: for an unknown question, or ``provenance`` (use
            :func:`check_provenance`).
        TypeError: when a gold row is not of the question's gold type.

    >>> from kgbuild.evaluation.gold import EntityGold
    >>> ents = {"eu": GoldEntity("eu", "European Union", ("InternationalOrganization",), ("EU",))}
    >>> rows = [{"actor": "x:1", "label": "EU", "kind": "InternationalOrganization"},
    ...         {"actor": "x:2", "label": "European Union", "kind": "Organization"}]
    >>> s = score_question("actors", [EntityGold("eu")], rows, ents)
    >>> (s.precision, s.recall, s.kind_accuracy)
    (0.5, 1.0, 1.0)
    """
    if question == "provenance":
        raise ValueError("provenance has no gold rows; use check_provenance() for it")
    if question not in GOLD_ROW_TYPES:
        raise ValueError(f"unknown question {question!r}; expected one of {list(SCORED_QUESTIONS)}")
    expected = GOLD_ROW_TYPES[question]
    for gold in gold_rows:
        if not isinstance(gold, expected):
            raise TypeError(
                f"question {question!r} takes {expected.__name__} gold rows, "
                f"got {type(gold).__name__}"
            )
    ctx = MatchContext(entities=entities, published=published_date(article_meta))
    pairing = pair_rows(question, gold_rows, returned_rows, ctx)
    paired_gold = set(pairing.pairs.values())
    return QuestionScore._from_counts(
        question,
        returned=len(pairing.items),
        paired=len(pairing.pairs),
        required=sum(1 for g in gold_rows if g.required),
        required_paired=sum(1 for j in paired_gold if gold_rows[j].required),
        kind_checked=len(pairing.kind_ok),
        kind_correct=sum(pairing.kind_ok.values()),
        unmatched_gold=tuple(
            g.describe() for j, g in enumerate(gold_rows) if g.required and j not in paired_gold
        ),
        unmatched_returned=tuple(
            key for i, (key, _rows) in enumerate(pairing.items) if i not in pairing.pairs
        ),
        pairs=tuple(
            (pairing.items[i][0], gold_rows[j].describe()) for i, j in sorted(pairing.pairs.items())
        ),
    )


@dataclass(frozen=True, slots=True)
class ProvenanceCheck:
    """Result of checking ``provenance.rq`` rows against the article text."""

    rows_checked: int
    offset_failures: tuple[str, ...] = ()
    facts_checked: int = 0
    missing_facts: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every row's offsets hold and every fact has provenance."""
        return not self.offset_failures and not self.missing_facts

    @property
    def failures(self) -> int:
        """Number of failed rows plus facts without provenance."""
        return len(self.offset_failures) + len(self.missing_facts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"ok": self.ok, **plain_fields(self)}

    @classmethod
    def combine(cls, checks: Iterable[ProvenanceCheck]) -> ProvenanceCheck:
        """Sum several checks (for example one per article).

        Args:
            checks: the checks.

        Returns:
            One check with all counts added and failures concatenated.
        """
        items = list(checks)
        return cls(
            rows_checked=sum(c.rows_checked for c in items),
            offset_failures=tuple(f for c in items for f in c.offset_failures),
            facts_checked=sum(c.facts_checked for c in items),
            missing_facts=tuple(f for c in items for f in c.missing_facts),
        )


def check_provenance(
    rows: Sequence[Row],
    article_text: str,
    article_name: str,
    facts: Iterable[str] = (),
) -> ProvenanceCheck:
    """Check ``provenance.rq`` rows of one article.

    Every row must name the article (its file name, or an IRI ending in it),
    and ``article_text[begin:end]`` must equal ``?text``; every fact node
    (events, claims, statements of the other questions) must appear as
    ``?fact``.

    Args:
        rows: the provenance rows (``fact article begin end text``).
        article_text: the article file's text as read (UTF-8, newlines kept).
        article_name: the article's file name.
        facts: node values that need provenance.

    Returns:
        The number of rows checked, the failures, and the facts lacking provenance.

    >>> check_provenance([{"fact": "e1", "article": "a.txt", "begin": 0, "end": 5,
    ...                    "text": "Hello"}], "Hello world", "a.txt", ["e1"]).ok
    True
    """
    failures: list[str] = []
    covered: set[str] = set()
    for row in rows:
        fact, article = row.get("fact"), row.get("article")
        begin, end, text = as_int(row.get("begin")), as_int(row.get("end")), row.get("text")
        where = f"fact {fact}"
        if fact is not None:
            covered.add(str(fact))
        if article is None or not str(article).endswith(article_name):
            failures.append(f"{where}: ?article {article!r} is not {article_name!r}")
            continue
        if begin is None or end is None or not 0 <= begin <= end <= len(article_text):
            failures.append(
                f"{where}: offsets {row.get('begin')!r}..{row.get('end')!r} are not within "
                f"the text (length {len(article_text)})"
            )
            continue
        if text is None or article_text[begin:end] != str(text):
            failures.append(
                f"{where}: text[{begin}:{end}] is {article_text[begin:end]!r}, ?text is {text!r}"
            )
    wanted = sorted(set(facts))
    missing = tuple(f for f in wanted if f not in covered)
    return ProvenanceCheck(
        rows_checked=len(rows),
        offset_failures=tuple(failures),
        facts_checked=len(wanted),
        missing_facts=missing,
    )
