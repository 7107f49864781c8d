"""Extraction quality floors measured with ``kgbuild eval`` (issue 3).

The seeds must reach mean F1 0.9 with no question below 0.8, kind accuracy 0.9, exact
provenance, and one node per corpus-level entity/event/agreement; the project's own
test corpus (tests/corpus, styles the seeds lack) must reach mean F1 0.8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgbuild.evaluation.evaluate import EvalReport, evaluate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seeds_report() -> EvalReport:
    return evaluate(ROOT / "tests" / "gold", [ROOT / "seeds"])


def test_seeds_mean_f1(seeds_report: EvalReport) -> None:
    assert seeds_report.mean_f1 >= 0.9, str(seeds_report)


def test_seeds_no_question_below_floor(seeds_report: EvalReport) -> None:
    low = {q: s.f1 for q, s in seeds_report.overall.items() if q != "provenance" and s.f1 < 0.8}
    assert not low, f"questions below 0.8: {low}"


def test_seeds_kind_accuracy_and_provenance(seeds_report: EvalReport) -> None:
    assert seeds_report.kind_accuracy is not None and seeds_report.kind_accuracy >= 0.9
    assert seeds_report.provenance.ok


def test_seeds_corpus_level_identity(seeds_report: EvalReport) -> None:
    assert seeds_report.corpus is not None
    required = [c for c in seeds_report.corpus.checks if c.required]
    assert required and all(c.passed for c in required), [c for c in required if not c.passed]


def test_own_corpus(tmp_path: Path) -> None:
    report = evaluate(ROOT / "tests" / "corpus" / "gold", [ROOT / "tests" / "corpus" / "articles"])
    assert report.mean_f1 >= 0.8, str(report)
    assert report.provenance.ok
