"""The evaluation's reports: per article, corpus checks, overall; as text tables and JSON.

:class:`EvalReport` holds an :class:`ArticleReport` per gold article and the
:class:`CorpusReport`; it micro-averages the questions over articles, prints as the
table ``kgbuild eval`` shows and turns into the JSON of ``--format json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kgbuild.evaluation.gold import SCORED_QUESTIONS
from kgbuild.evaluation.scores import ProvenanceCheck, QuestionScore, plain_fields


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def _table(scores: Mapping[str, QuestionScore]) -> list[str]:
    lines = [
        f"  {'question':<12} {'P':>5} {'R':>5} {'F1':>5} {'ret':>4} {'pair':>4} "
        f"{'gold':>4} {'hit':>4} {'kind':>5}"
    ]
    for q in SCORED_QUESTIONS:
        s = scores.get(q)
        if s is None:
            continue
        lines.append(
            f"  {q:<12} {_fmt(s.precision):>5} {_fmt(s.recall):>5} {_fmt(s.f1):>5} "
            f"{s.returned_items:>4} {s.paired_items:>4} {s.gold_required:>4} "
            f"{s.gold_paired:>4} {_fmt(s.kind_accuracy):>5}"
        )
    return lines


def _kind_accuracy(scores: Iterable[QuestionScore]) -> float | None:
    items = [s for s in scores if s.question in ("actors", "places")]
    checked = sum(s.kind_checked for s in items)
    return sum(s.kind_correct for s in items) / checked if checked else None


@dataclass(frozen=True, slots=True)
class ArticleReport:
    """Scores of one article built alone."""

    article: str
    scores: Mapping[str, QuestionScore]
    provenance: ProvenanceCheck | None = None
    missing_queries: tuple[str, ...] = ()

    @property
    def mean_f1(self) -> float | None:
        """Mean F1 over the scored questions this article annotates."""
        return _mean(s.f1 for q, s in self.scores.items() if q in SCORED_QUESTIONS)

    @property
    def kind_accuracy(self) -> float | None:
        """Kind accuracy over the paired actors and places."""
        return _kind_accuracy(self.scores.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "article": self.article,
            "mean_f1": self.mean_f1,
            "kind_accuracy": self.kind_accuracy,
            "questions": {q: s.to_dict() for q, s in self.scores.items()},
            "provenance": self.provenance.to_dict() if self.provenance else None,
            "missing_queries": list(self.missing_queries),
        }

    def __str__(self) -> str:
        lines = [
            f"{self.article}: mean F1 {_fmt(self.mean_f1)}, "
            f"kind accuracy {_fmt(self.kind_accuracy)}"
        ]
        lines += _table(self.scores)
        if self.provenance is not None:
            lines.append(f"  {_provenance_line(self.provenance)}")
        if self.missing_queries:
            lines.append(f"  missing queries (scored as empty): {', '.join(self.missing_queries)}")
        return "\n".join(lines)


def _provenance_line(check: ProvenanceCheck) -> str:
    state = "ok" if check.ok else "FAILED"
    return (
        f"provenance {state}: {check.rows_checked} rows checked, "
        f"{len(check.offset_failures)} offset failures, "
        f"{len(check.missing_facts)} of {check.facts_checked} facts without provenance"
    )


@dataclass(frozen=True, slots=True)
class CorpusCheck:
    """One cross-article check: a key that must come out as exactly one node."""

    kind: str  # "entity" | "event" | "agreement" | "conflict"
    key: str
    nodes: tuple[str, ...]
    passed: bool
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return plain_fields(self)


@dataclass(frozen=True, slots=True)
class CorpusReport:
    """The checks of ``corpus.gold.json`` on all gold articles built together."""

    checks: tuple[CorpusCheck, ...]
    missing_queries: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        """Required checks that passed."""
        return sum(1 for c in self.checks if c.required and c.passed)

    @property
    def total(self) -> int:
        """Required checks."""
        return sum(1 for c in self.checks if c.required)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "passed": self.passed,
            "total": self.total,
            "checks": [c.to_dict() for c in self.checks],
            "missing_queries": list(self.missing_queries),
        }

    def __str__(self) -> str:
        lines = [f"corpus checks: {self.passed}/{self.total} passed"]
        for c in self.checks:
            mark = "ok  " if c.passed else ("FAIL" if c.required else "miss")
            what = "exactly one node" if c.kind != "conflict" else "a cross-article conflict"
            lines.append(
                f"  {mark} same {c.kind:<9} {c.key}: {len(c.nodes)} node(s), want {what}"
                + ("" if c.required else " (optional)")
            )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class EvalReport:
    """The whole evaluation: per article, overall (micro over articles), corpus."""

    articles: Mapping[str, ArticleReport]
    corpus: CorpusReport | None = None

    @property
    def overall(self) -> dict[str, QuestionScore]:
        """Per question, counts summed over articles (micro average)."""
        out: dict[str, QuestionScore] = {}
        for q in SCORED_QUESTIONS:
            scores = [a.scores[q] for a in self.articles.values() if q in a.scores]
            if scores:
                out[q] = QuestionScore.combine(q, scores)
        return out

    @property
    def mean_f1(self) -> float | None:
        """Mean over the scored questions of the overall F1 (the headline figure)."""
        return _mean(s.f1 for s in self.overall.values())

    @property
    def kind_accuracy(self) -> float | None:
        """Kind accuracy over paired actors and places of all articles."""
        return _kind_accuracy(self.overall.values())

    @property
    def provenance(self) -> ProvenanceCheck | None:
        """The provenance checks of all articles, summed."""
        checks = [a.provenance for a in self.articles.values() if a.provenance is not None]
        return ProvenanceCheck.combine(checks) if checks else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        prov = self.provenance
        return {
            "mean_f1": self.mean_f1,
            "kind_accuracy": self.kind_accuracy,
            "overall": {q: s.to_dict() for q, s in self.overall.items()},
            "provenance": prov.to_dict() if prov else None,
            "articles": {k: a.to_dict() for k, a in self.articles.items()},
            "corpus": self.corpus.to_dict() if self.corpus else None,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text.

        Args:
            indent: JSON indentation (None: one line).

        Returns:
            The JSON text.
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        lines: list[str] = []
        for art in self.articles.values():
            lines += [str(art), ""]
        lines.append(
            f"overall (micro over {len(self.articles)} articles): mean F1 {_fmt(self.mean_f1)}, "
            f"kind accuracy {_fmt(self.kind_accuracy)}"
        )
        lines += _table(self.overall)
        if (prov := self.provenance) is not None:
            lines.append(f"  {_provenance_line(prov)}")
        if self.corpus is not None:
            lines += ["", str(self.corpus)]
        return "\n".join(lines)
