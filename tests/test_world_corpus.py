"""The world corpus (``tests/world/``): its shape, the scorer's matching, and recall floors.

The default run checks that the corpus is well formed and covers what it promises (60
countries on every inhabited continent, every ACLED sub-event type at least 8 times, 40
calm reports), that the README's counts are current, and the scorer's name matching and
counting on small inline cases. The slow tests build the whole corpus once and hold the
recall floors of ``tests/world/floors.json`` (and the ceilings of the calm-report false
alarms) and a clean ``kgbuild validate``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

WORLD = Path(__file__).resolve().parent / "world"


def _load_scorer() -> Any:
    spec = importlib.util.spec_from_file_location("world_score", WORLD / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["world_score"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


score = _load_scorer()
REPORTS = score.load_corpus()


# --- the corpus ---------------------------------------------------------------------------


def test_reports_are_well_formed() -> None:
    problems = [p for r in REPORTS for p in score.check_report(r)]
    assert problems == []


def test_ids_are_unique() -> None:
    dup = [i for i, n in Counter(r["id"] for r in REPORTS).items() if n > 1]
    assert dup == []


def test_coverage() -> None:
    st = score.corpus_stats(REPORTS)
    assert st["reports"] >= 220
    assert st["countries"] >= 60
    assert all(st["continents"][c]["reports"] > 0 for c in score.CONTINENTS)
    thin = {k: n for k, n in st["sub_events"].items() if n < 8}
    assert thin == {}
    assert st["calm"] >= 40
    assert set(st["styles"]) == set(score.STYLES)


def test_readme_counts_are_current() -> None:
    readme = (WORLD / "README.md").read_text(encoding="utf-8")
    stats = score.format_stats(score.corpus_stats(REPORTS))
    assert stats in readme, (
        "tests/world/README.md is out of date; paste the output of "
        "`PYTHONPATH=src python tests/world/score.py --stats` into it")


def test_floors_name_known_categories() -> None:
    floors = json.loads((WORLD / "floors.json").read_text(encoding="utf-8"))
    assert set(floors["min"]) <= set(score.CATEGORIES)
    assert set(floors["max"]) <= {"calm_violent", "calm_capture"}
    assert all(0 < v <= 1 for v in floors["min"].values())


def report(**expect: Any) -> dict[str, Any]:
    """A small report for the checks below."""
    base = {"places": [], "actors": [], "events": [], "casualties": []}
    return {"id": "xx-001", "style": "wire", "country": "Mali", "iso2": "ML", "continent": "AF",
            "published": "2021-05-04", "calm": False,
            "text": "JNIM militants attacked Boni, Mopti region, on Monday, killing four soldiers.",
            "expect": base | expect}


@pytest.mark.parametrize(("change", "fragment"), [
    ({"places": [{"name": "Gao", "kind": "Settlement"}]}, "not written in the text"),
    ({"places": [{"name": "Boni", "kind": "Village"}]}, "place kind"),
    ({"actors": [{"name": "JNIM", "category": "Jihadists"}]}, "actor category"),
    ({"events": [{"kind": "Attack"}]}, "not a sub-event class"),
    ({"events": [{"kind": "ArmedClash", "date": "3 May"}]}, "YYYY"),
    ({"casualties": [{"outcome": "dead", "count": 4}]}, "outcome"),
])
def test_check_report_finds_errors(change: dict[str, Any], fragment: str) -> None:
    assert score.check_report(report()) == []
    problems = score.check_report(report(**change))
    assert any(fragment in p for p in problems), problems


def test_check_report_refuses_2020_and_violent_calm_reports() -> None:
    r = report(events=[{"kind": "ArmedClash"}])
    r["calm"] = True
    r["text"] = r["text"].replace("on Monday", "on 3 May 2020")
    problems = score.check_report(r)
    assert any("2020" in p for p in problems)
    assert any("calm report expects violent" in p for p in problems)


def test_command_line_stats_and_bad_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert score.main(["--stats", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["reports"] == len(REPORTS)
    assert score.main(["--only", "zz-999"]) == 2
    assert "unknown report ids ['zz-999']" in capsys.readouterr().err
    assert score.main(["--misses", "nonsense"]) == 2
    assert score.main(["--corpus", str(WORLD / "missing.jsonl")]) == 2


# --- name matching ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "normal"), [
    ("The People's Defence Force", "people defence force"),
    ("Ménaka", "menaka"),
    ("al-Shabaab", "al shabaab"),
    ("an unknown man", "unknown man"),
    ("N'Djamena", "n djamena"),
])
def test_norm(raw: str, normal: str) -> None:
    assert score.norm(raw) == normal


@pytest.mark.parametrize(("expected", "label", "actor", "match"), [
    ("Gao", "Gao Region", False, True),             # label holds the name
    ("Mopti region", "Mopti", False, True),         # name holds a distinctive label
    ("Malian army", "army", False, False),          # a generic label names nothing
    ("Malian army", "the Army", True, False),
    ("Boni", "Bonifacio", False, False),            # whole words only
    ("Ségou", "Segou region", False, True),         # accents
    ("al-Shabaab", "Al Shabaab", True, True),       # hyphens and case
    ("Malian troops", "Armed Forces of Mali", True, True),     # demonym names the country
    ("Malian troops", "Armed Forces of Mali", False, False),   # only for actors
    ("Sudanese army", "South Sudan People's Defence Forces", True, False),
    ("South Sudanese forces", "Armed Forces of South Sudan", True, True),
    ("US", "United States", True, True),
    ("soldiers", "Malian soldiers", True, True),
])
def test_names_match(expected: str, label: str, actor: bool, match: bool) -> None:
    assert score.names_match(expected, label, actor=actor) is match


def test_any_match_takes_alternatives() -> None:
    assert score.any_match(["FAMa", "Malian armed forces"], ["Malian Armed Forces"])
    assert not score.any_match(["FAMa"], [])


# --- kinds and counting -------------------------------------------------------------------


def event(*types: str, **slots: set[str]) -> Any:
    lowered = {t.lower() for t in types} | {"event"}
    return score.Event(iri=f"e/{'-'.join(types)}", types=lowered, raw=set(lowered), **slots)


def test_kind_fits_strict_loose_and_yardstick() -> None:
    assert score._kind_fits(event("ArmedClash"), "ArmedClash") == (True, True, True)
    assert score._kind_fits(event("NonStateActorOvertakesTerritory"), "ArmedClash")[:2] == (
        False, True)
    assert score._kind_fits(event("Battle"), "GovernmentRegainsTerritory")[1]
    assert score._kind_fits(event("Attack"), "ArmedClash") == (False, False, True)
    assert not any(score._kind_fits(event("Arrest"), "ArmedClash"))


def facts_for(*events: Any, claims: tuple[dict[str, Any], ...] = (), nodes: dict[str, Any]
              | None = None) -> Any:
    return score.Facts(nodes=nodes or {}, events=list(events), claims=list(claims))


def test_score_counts_slots_sides_and_within() -> None:
    r = report(
        places=[{"name": "Boni", "kind": "Settlement", "within": "Mopti region"}],
        actors=[{"name": "JNIM", "category": "NonStateArmedGroup"}],
        events=[{"kind": "ArmedClash", "agent": "JNIM", "target": "soldiers", "place": "Boni",
                 "date": "2021-05-03"}],
        casualties=[{"outcome": "killed", "count": 4, "victim": "soldiers"},
                    {"outcome": "injured", "count": None}],
        casualties_absent=[10])
    clash = event("ArmedClash", agent={"Malian soldiers"}, target={"JNIM"},
                  place={"Mopti region"}, time={"2021-05-03"})
    boni = score.Node(labels={"Boni"}, types={"settlement", "place"}, raw={"settlement"},
                      within={"Mopti region"})
    jnim = score.Node(labels={"JNIM militants"}, types={"actor"}, raw={"actor"})
    claims = ({"outcome": "killed", "count": 4, "victim": "soldiers"},)
    res = score.score([r], {"xx-001": facts_for(clash, claims=claims,
                                                  nodes={"b": boni, "j": jnim})})
    o = res["overall"]
    assert (o["places"], o["place_kind"], o["within"]) == (1.0, 1.0, 1.0)
    assert (o["actors"], o["actor_category"]) == (1.0, 0.0)
    # a clash: both sides count in either slot; the place may be the container
    assert (o["events_strict"], o["agent"], o["target"], o["place"], o["date"]) == (
        1.0, 1.0, 1.0, 1.0, 1.0)
    assert (o["casualties"], o["victim"], o["remarks"]) == (0.5, 1.0, 1.0)


def test_score_keeps_roles_apart_outside_clashes_and_flags_calm_violence() -> None:
    r = report(events=[{"kind": "AttackOnCivilians", "agent": "JNIM", "target": "villagers"}])
    attack = event("AttackOnCivilians", agent={"villagers"}, target={"JNIM"})
    res = score.score([r], {"xx-001": facts_for(attack)})
    assert (res["overall"]["agent"], res["overall"]["target"]) == (0.0, 0.0)

    calm = report()
    calm["calm"] = True
    res = score.score([calm], {"xx-001": facts_for(event("Attack"))})
    assert res["calm"]["calm_violent"] == 1.0
    res = score.score([calm], {"xx-001": facts_for(event("Arrest"))})
    assert res["calm"]["calm_violent"] == 0.0
    res = score.score([calm], {"xx-001": facts_for(event("TerritorialCapture"))})
    assert (res["calm"]["calm_violent"], res["calm"]["calm_capture"]) == (0.0, 1.0)


def test_score_counts_a_coder_remark_read_as_a_claim() -> None:
    r = report(casualties_absent=[10])
    res = score.score([r], {"xx-001": facts_for(claims=({"outcome": "killed", "count": 10,
                                                         "victim": None},))})
    assert res["overall"]["remarks"] == 0.0


# --- the whole corpus, built --------------------------------------------------------------


@pytest.fixture(scope="module")
def built() -> tuple[Any, dict[str, Any]]:
    kg = score.build_graph(REPORTS)
    return kg, score.score(REPORTS, score.read_graph(kg))


@pytest.mark.slow
def test_recall_floors(built: tuple[Any, dict[str, Any]]) -> None:
    _, res = built
    floors = json.loads((WORLD / "floors.json").read_text(encoding="utf-8"))
    low = {k: (res["overall"][k], v) for k, v in floors["min"].items()
           if res["overall"][k] is None or res["overall"][k] < v}
    high = {k: (res["calm"][k], v) for k, v in floors["max"].items() if res["calm"][k] > v}
    for continent, mins in floors.get("min_continent", {}).items():
        got = res["continents"][continent]
        low.update({f"{continent}.{k}": (got[k], v) for k, v in mins.items()
                    if got[k] is None or got[k] < v})
    assert low == {}, f"below the floor (measured, floor): {low}"
    assert high == {}, f"above the ceiling (measured, ceiling): {high}"


@pytest.mark.slow
def test_graph_validates(built: tuple[Any, dict[str, Any]]) -> None:
    kg, _ = built
    report_ = kg.validate()
    assert report_.conforms, str(report_)
