"""In-article coreference: pronouns and definite descriptions resolve by salience and
kind agreement (see the docstring of ``kgbuild.extractors.entities``), and nothing is
resolved when no agreeing candidate is in reach (a wrong merge is worse than a miss)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kgbuild

ROOT = Path(__file__).resolve().parents[1]


def _statements(tmp_path: Path, body: str) -> list[tuple[str | None, str]]:
    article = tmp_path / "a.txt"
    article.write_text("Update\n\n" + body + "\n", encoding="utf-8")
    kg = kgbuild.build([article])
    rows = kg.query((ROOT / "queries" / "statements.rq").read_text(encoding="utf-8")).rows
    return sorted({(str(r[1]) if r[1] is not None else None, str(r[2]).rsplit("/", 1)[-1])
                   for r in rows},
                  key=lambda x: (x[0] or "", x[1]))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "Georgia's defense ministry said on Monday that its troops had been attacked. "
            "It warned that any provocation would be answered.",
            {("Ministry of Defense of Georgia", "Claim"),
             ("Ministry of Defense of Georgia", "Warning")},
            id="it-is-the-previous-subject",
        ),
        pytest.param(
            "The Turkish foreign ministry issued a statement on Monday. "
            "The ministry accused Iran of shelling a border post.",
            {("Ministry of Foreign Affairs of Turkey", "Accusation")},
            id="the-ministry-is-the-last-ministry",
        ),
        pytest.param(
            "Azerbaijan's defense ministry reported shelling. "
            "Armenia's foreign ministry rejected the report. "
            "The Azeri ministry said its positions had come under fire again.",
            {("Ministry of Defense of Azerbaijan", "Claim")},
            id="the-x-ministry-agrees-in-country",
        ),
    ],
)
def test_anaphors_resolve(tmp_path: Path, body: str, expected: set[tuple[str, str]]) -> None:
    assert expected <= set(_statements(tmp_path, body))


def test_pronoun_without_candidate_stays_unresolved(tmp_path: Path) -> None:
    # no actor in reach: "It" must not be attached to anything
    assert _statements(tmp_path, "It said the road was closed.") == []
