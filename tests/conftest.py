"""Shared pytest setup: the opt-in ``slow`` marker and paths to the shipped data.

Tests marked ``@pytest.mark.slow`` run only with ``--run-slow`` (CI passes it);
otherwise they are skipped with the reason shown by ``-ra``.
"""

from __future__ import annotations

import datetime as dt
import json
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


# --- a corpus in which several articles report the same events ------------------------

_SIDES = [("Azerbaijan", "Azerbaijani"), ("Armenia", "Armenian")]
# (the place an article names, the place another names for the same event); the
# knowledge base puts each first place within the second
_PLACES = [("Stepanakert", "Nagorno-Karabakh"), ("Shusha", "Nagorno-Karabakh"),
           ("Agdam", "Agdam District"), ("Askeran", "Nagorno-Karabakh")]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _write_shared_events(folder: Path, events: int) -> Path:
    """Two articles for each of ``events`` attacks: one names the town and a weekday
    (resolved by its publication date), the other the region and the calendar date."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(events):
        day = dt.date(2021, 3, 1) + dt.timedelta(days=3 * i)
        (attacker, adjective), (target, target_adj) = _SIDES[i % 2], _SIDES[1 - i % 2]
        town, region = _PLACES[i % len(_PLACES)]
        reports = [
            (day + dt.timedelta(days=1), f"{adjective} forces shell {town}",
             f"{adjective} forces shelled {target_adj} positions near {town} on "
             f"{_WEEKDAYS[day.weekday()]}, the defense ministry of {target} said."),
            (day + dt.timedelta(days=2), f"Fighting in {region}",
             f"{attacker} attacked {target_adj} troops in {region} on {day:%B} {day.day}, "
             "officials said."),
        ]
        for j, (published, title, body) in enumerate(reports):
            stem = f"shared-{i:02d}-{j}"
            (folder / f"{stem}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
            (folder / f"{stem}.meta.json").write_text(
                json.dumps({"published": published.isoformat(), "title": title}),
                encoding="utf-8")
    return folder


def _write_synthetic(folder: Path, count: int, *, seed: int) -> Path:
    """``count`` articles of :mod:`kgbuild.evaluation.synthetic` with their metadata sidecars."""
    from kgbuild.evaluation.synthetic import generate_articles

    folder.mkdir(parents=True, exist_ok=True)
    for a in generate_articles(count, seed=seed):
        (folder / f"{a.id}.txt").write_text(a.text, encoding="utf-8")
        (folder / f"{a.id}.meta.json").write_text(json.dumps(a.meta()), encoding="utf-8")
    return folder


class _SharedEvents:
    """``shared_events(folder, n)`` writes two reports of each of ``n`` attacks (see
    :func:`_write_shared_events`); ``shared_events.synthetic(folder, n, seed=s)`` adds
    synthetic wire copy."""

    def __call__(self, folder: Path, events: int) -> Path:
        return _write_shared_events(folder, events)

    @staticmethod
    def synthetic(folder: Path, count: int, *, seed: int) -> Path:
        return _write_synthetic(folder, count, seed=seed)


@pytest.fixture(scope="session")
def shared_events() -> _SharedEvents:
    """Writers of generated corpora in which articles report the same events."""
    return _SharedEvents()
