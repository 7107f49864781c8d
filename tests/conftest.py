"""Shared pytest setup: the opt-in ``slow`` marker and paths to the shipped data.

Tests marked ``@pytest.mark.slow`` run only with ``--run-slow`` (CI passes it);
otherwise they are skipped with the reason shown by ``-ra``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run tests marked slow (long-running; CI runs them)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow test: run with --run-slow to include it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder."""
    return ROOT


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The folder of seed articles."""
    return ROOT / "seeds"


@pytest.fixture
def seeds_kg_with_a_second_label(seeds_dir: Path) -> object:
    """The seeds' graph in which an entity named in both seeds gets a second label in
    one article graph: a violation that only shows across article graphs."""
    from rdflib import Literal
    from rdflib.namespace import RDFS

    import kgbuild

    kg = kgbuild.build([seeds_dir])
    entity = next(s for s in kg.dataset.subjects(RDFS.label, None)
                  if "/entity/country/azerbaijan" in str(s))
    graph = next(g for g in kg.dataset.graphs() if str(g.identifier).endswith(".txt"))
    graph.add((entity, RDFS.label, Literal("Azerbaijan (second label)")))
    return kg
