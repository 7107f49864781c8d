"""Events reported by several articles merge only on evidence (issue 12, case 10).

Before: 200 generated reports "X attacked the village of P on Monday" (no publication
dates, six phrasings of two sides, 200 villages) gave 2 events of 100 places each, and
40 undated reports of 40 attacks gave 2 events: every weekday was read as one day, and
an undated event merged with any event of its side.  Now a weekday that no publication
date anchors is no day, an undated event links to nothing (unless named), and linked
reports must agree on the day, the side and the place (the same place, or one within
the other).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

import kgbuild
from kgbuild.core.namespaces import KG
from kgbuild.graph.rdf import RESOLUTION_GRAPH
from kgbuild.graph.resolve import FactReport, merge_reports

_ACTORS = ["Azerbaijani forces", "Armenian forces", "Azerbaijani troops", "Armenian troops",
           "The Azerbaijani army", "The Armenian army"]
_SYLLABLES = ["ar", "an", "ber", "da", "gar", "lu", "ma", "nor", "ov", "ra", "sar", "tak",
              "ur", "vard", "zor", "gol", "kend", "li", "sha", "vil"]


def villages(count: int, *, seed: int = 0) -> list[str]:
    """``count`` distinct invented village names."""
    rng = random.Random(seed)
    names: list[str] = []
    while len(names) < count:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        if name not in names:
            names.append(name)
    return names


def write_reports(folder: Path, count: int, *, when: str = "",
                  published: list[str] | None = None) -> Path:
    """``count`` one-line reports, each of its own attack on its own village."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, village in enumerate(villages(count)):
        actor = _ACTORS[i % len(_ACTORS)]
        text = f"Attack on {village}\n\n{actor} attacked the village of {village}{when}, " \
               "residents said.\n"
        (folder / f"r{i:04d}.txt").write_text(text, encoding="utf-8")
        if published:
            (folder / f"r{i:04d}.meta.json").write_text(
                json.dumps({"published": published[i % len(published)]}), encoding="utf-8")
    return folder


def events_of(kg: Any) -> dict[Node, set[Node]]:
    """Each event node -> its places."""
    ds = kg.dataset
    return {e: set(ds.objects(e, KG.place)) for e in set(ds.subjects(RDF.type, KG.Event))}


def test_reports_on_an_unanchored_weekday_stay_apart(tmp_path: Path) -> None:
    kg = kgbuild.build([write_reports(tmp_path / "c", 200, when=" on Monday")])
    events = events_of(kg)
    assert len(events) == 200
    assert all(len(places) == 1 for places in events.values())
    assert len(kg.dataset.graph(RESOLUTION_GRAPH)) == 0


def test_undated_reports_stay_apart(tmp_path: Path) -> None:
    kg = kgbuild.build([write_reports(tmp_path / "c", 40)])
    events = events_of(kg)
    assert len(events) == 40
    assert all(len(places) == 1 for places in events.values())


def test_a_resolved_weekday_at_different_villages_stays_apart(tmp_path: Path) -> None:
    # every report published on the same Tuesday: "Monday" is one day for all, and the
    # sides repeat, but each attack hits its own village
    kg = kgbuild.build([write_reports(tmp_path / "c", 30, when=" on Monday",
                                      published=["2022-08-02"])])
    assert len(events_of(kg)) == 30


def test_reports_of_the_same_events_merge(tmp_path: Path, shared_events: Any) -> None:
    kg = kgbuild.build([shared_events(tmp_path / "c", 4)])
    events = events_of(kg)
    assert len(events) == 4
    # one report names the town, the other the region the town lies in
    assert all(len(places) == 2 for places in events.values())
    records = list(kg.dataset.graph(RESOLUTION_GRAPH).subject_objects(OWL.sameAs))
    assert len(records) == 4
    reasons = {str(c) for c in kg.dataset.graph(RESOLUTION_GRAPH).objects(None, None)
               if "the same day" in str(c)}
    assert len(reasons) == 4 and all("within" in r for r in reasons), reasons


def _report(article: str, key: str, **kw: Any) -> FactReport:
    kind = kw.pop("kind", "Attack")
    base: dict[str, Any] = {
        "agents": frozenset({"entity/country/azerbaijan"}),
        "agent_sides": frozenset({"entity/country/azerbaijan"}),
        "targets": frozenset({"entity/armedforce/armed-forces-of-armenia"}),
        "target_sides": frozenset({"entity/country/armenia"}),
        "places": frozenset({"entity/settlement/v1"}),
        "date": "2022-08-03",
    }
    base.update(kw)
    return FactReport(article, key, kind, **base)


def test_what_links_two_reports() -> None:
    a = _report("a.txt", "event/a")
    same = _report("b.txt", "event/b")
    assert {m.into for m in merge_reports([a, same]).values()} == {"event/a"}
    cases = {
        "another year, same month and day": _report("b.txt", "event/b", date="2021-08-03"),
        "the next day": _report("b.txt", "event/b", date="2022-08-04"),
        "another village": _report("b.txt", "event/b", places=frozenset({"entity/v2"})),
        "the other side": _report("b.txt", "event/b",
                                  agents=frozenset({"entity/country/armenia"}),
                                  agent_sides=frozenset({"entity/country/armenia"})),
        "undated": _report("b.txt", "event/b", date=None),
        "a weekday only": _report("b.txt", "event/b", date=None, time_text="on Monday"),
        "the same article": _report("a.txt", "event/b"),
    }
    for why, other in cases.items():
        assert merge_reports([a, other]) == {}, why
    # a date written out without a year is that day in any year; a named operation
    # links without a date
    written = _report("b.txt", "event/b", date=None, time_text="on August 3")
    assert len(merge_reports([a, written])) == 2
    named = [_report("a.txt", "event/a", name="Operation Revenge", date=None),
             _report("b.txt", "event/b", name="operation revenge", date=None,
                     places=frozenset({"entity/v2"}))]
    assert len(merge_reports(named)) == 2


def test_a_chain_never_glues_two_events() -> None:
    # b (no year) matches both a (2022) and c (2021); a and c cannot be one event
    a = _report("a.txt", "event/a")
    b = _report("b.txt", "event/b", date=None, time_text="on August 3")
    c = _report("c.txt", "event/c", date="2021-08-03")
    merges = merge_reports([c, b, a])
    groups: dict[str, set[str]] = {}
    for m in merges.values():
        groups.setdefault(m.into, set()).add(m.article_id)
    assert all(not {"a.txt", "c.txt"} <= g for g in groups.values()), groups


def test_the_decision_does_not_depend_on_order() -> None:
    rng = random.Random(5)
    reports = []
    for i in range(60):
        reports.append(_report(
            f"{rng.randrange(20):02d}-{i}.txt", f"event/{i:03d}",
            date=rng.choice(["2022-08-03", "2022-08-04", None]),
            time_text=rng.choice([None, "on August 3", "on Monday"]),
            places=frozenset(rng.sample(["entity/v1", "entity/v2", "entity/d"], k=1)),
            within=frozenset({("entity/v1", "entity/d"), ("entity/v2", "entity/d")}),
            agent_sides=frozenset(rng.sample(["entity/country/azerbaijan",
                                              "entity/country/armenia"], k=1))))
    expected = merge_reports(reports)
    assert expected  # the set is built to have merges
    for _ in range(5):
        rng.shuffle(reports)
        assert merge_reports(reports) == expected


@pytest.mark.parametrize("count", [1000])
def test_many_like_reports_are_decided_quickly(count: int) -> None:
    # thousands of reports of one side on one day: blocking keeps this linear
    import time

    reports = [_report(f"{i:05d}.txt", f"event/{i:05d}",
                       places=frozenset({f"entity/v{i}"})) for i in range(count)]
    reports += [_report(f"x{i:05d}.txt", f"event/x{i:05d}", places=frozenset())
                for i in range(count)]
    started = time.perf_counter()
    merges = merge_reports(reports)
    assert time.perf_counter() - started < 10
    # a placeless report may join a placed one, but each placed report is at its own
    # village: no two of them are one event
    placed = {}
    for m in merges.values():
        if not m.article_id.startswith("x"):
            placed.setdefault(m.into, []).append(m.article_id)
    assert all(len(v) == 1 for v in placed.values())
