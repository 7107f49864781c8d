"""The ACLED-aligned classes as the builder writes them: a records-level graph.

The extractors emit a record's kind as the local name of an ontology class; the RDF
stage writes that class and every kg: superclass of it (queries use no inference). The
records here are built by hand, as an extractor would return them for one sentence, so
these tests hold whatever the extractors recognise today.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from kgbuild.check.validate import validate
from kgbuild.core.model import Article, Event, Evidence, Mention
from kgbuild.core.namespaces import KG, KGR
from kgbuild.extractors.context import EntityInfo
from kgbuild.graph.rdf import to_dataset
from kgbuild.graph.resolve import ArticleResult, Resolved
from kgbuild.kb.knowledge_base import KnowledgeBase
from kgbuild.query import named_query, run_query

TEXT = (
    "On 3 May 2021, fighters of the Red Hill Front and unidentified gunmen clashed near "
    "Oldtown, the Watchers said. Ruritanian troops attacked the front."
)
ARTICLE = "acled_sample.txt"
REBELS = "entity/armedgroup/red-hill-front"
GUNMEN = "entity/armedgroup/unidentified-gunmen"
WATCHERS = "entity/actor/the-watchers"
OLDTOWN = "entity/place/oldtown"
RURITANIA = "entity/country/ruritania"
CLASH = "event/clash"
ATTACK = "event/attack"


def _ev(text: str, extractor: str = "entities.v1", start: int = 0) -> Evidence:
    begin = TEXT.index(text, start)
    return Evidence(ARTICLE, begin, begin + len(text), text, extractor)


def _entities() -> dict[str, EntityInfo]:
    return {
        # a non-state group and an unidentified one: no country
        REBELS: EntityInfo(REBELS, "RebelGroup", "Red Hill Front"),
        GUNMEN: EntityInfo(GUNMEN, "UnidentifiedArmedGroup", "unidentified gunmen"),
        # guesses: the most general class, nothing more
        WATCHERS: EntityInfo(WATCHERS, "Actor", "the Watchers"),
        OLDTOWN: EntityInfo(OLDTOWN, "Place", "Oldtown", is_actor=False, is_place=True),
        # an old kind, to show it is written as before
        RURITANIA: EntityInfo(RURITANIA, "Country", "Ruritania", is_place=True),
    }


def _resolved(clash_kind: str = "ArmedClash") -> tuple[Resolved, list[Article]]:
    entities = _entities()
    mentions = [
        Mention(_ev(text), info.kind, key, info.label, text, info.country,
                info.is_place, info.is_actor)
        for key, text in (
            (REBELS, "Red Hill Front"),
            (GUNMEN, "unidentified gunmen"),
            (WATCHERS, "the Watchers"),
            (OLDTOWN, "Oldtown"),
            (RURITANIA, "Ruritanian"),
        )
        for info in [entities[key]]
    ]
    events = {
        CLASH: Event(CLASH, clash_kind, _ev("clashed", "events.v1"), "clashed",
                     agents=(REBELS, GUNMEN), places=(OLDTOWN,), time_text="On 3 May 2021",
                     date="2021-05-03"),
        ATTACK: Event(ATTACK, "Attack", _ev("attacked", "events.v1"), "attacked",
                      agents=(RURITANIA,), targets=(REBELS,), places=(OLDTOWN,)),
    }
    result = ArticleResult(
        article_id=ARTICLE, entities=entities, mentions=mentions, events=list(events.values()),
        statements=[], claims=[], agreements=[], roles=[], place_links=[], contradictions=[],
        evidence={},
    )
    res = Resolved(articles=[result], entities=entities)
    return res, [Article(id=ARTICLE, text=TEXT, title="A clash near Oldtown")]


def _empty_kb() -> KnowledgeBase:
    return KnowledgeBase(entities={}, names={}, demonyms={}, by_label={})


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    res, articles = _resolved()
    return to_dataset(res, articles, _empty_kb())


def _types(ds: Dataset, key: str) -> set[str]:
    node = KGR[key]
    return {str(o)[len(str(KG._NS)):] for o in ds.objects(node, RDF.type)
            if str(o).startswith(str(KG._NS))}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param(CLASH, {"ArmedClash", "Battle", "Attack", "Event"}, id="ArmedClash"),
        pytest.param(ATTACK, {"Attack", "Event"}, id="old-kind-Attack"),
        pytest.param(REBELS, {"RebelGroup", "NonStateArmedGroup", "ArmedForce", "Actor"},
                     id="RebelGroup"),
        pytest.param(GUNMEN, {"UnidentifiedArmedGroup", "NonStateArmedGroup", "ArmedForce",
                              "Actor"}, id="UnidentifiedArmedGroup"),
        pytest.param(WATCHERS, {"Actor"}, id="Actor-guess"),
        pytest.param(OLDTOWN, {"Place"}, id="Place-guess"),
        pytest.param(RURITANIA, {"Country", "Actor", "Place"}, id="old-kind-Country"),
    ],
)
def test_superclasses_are_written(dataset: Dataset, key: str, expected: set[str]) -> None:
    assert _types(dataset, key) == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param("AirDroneStrike", {"AirDroneStrike", "Airstrike",
                                        "ExplosionRemoteViolence", "Event"}, id="AirDroneStrike"),
        pytest.param("GovernmentRegainsTerritory", {"GovernmentRegainsTerritory",
                                                    "TerritorialCapture", "Battle", "Event"},
                     id="GovernmentRegainsTerritory"),
        pytest.param("LootingPropertyDestruction", {"LootingPropertyDestruction", "Destruction",
                                                    "StrategicDevelopment", "Event"},
                     id="LootingPropertyDestruction"),
        pytest.param("PeacefulProtest", {"PeacefulProtest", "Protest", "Event"},
                     id="PeacefulProtest"),
    ],
)
def test_event_kind_types(kind: str, expected: set[str]) -> None:
    res, articles = _resolved(kind)
    assert _types(to_dataset(res, articles, _empty_kb()), CLASH) == expected


def test_a_misspelt_kind_is_an_error() -> None:
    res, articles = _resolved("ArmedClsh")
    with pytest.raises(AttributeError, match="ArmedClsh"):
        to_dataset(res, articles, _empty_kb())


def test_the_graph_validates(dataset: Dataset) -> None:
    """A non-state group without country, an unidentified group and two guesses pass."""
    report = validate(dataset)
    counts = report.counts()
    assert report.conforms, str(report)
    assert counts["Violation"] == 0 and counts["Warning"] == 0, str(report)
    kind_shapes = ("actor kind", "place kind")
    unclassified = {r.focus for r in report if r.shape_name in kind_shapes}
    assert unclassified == {KGR[WATCHERS], KGR[OLDTOWN]}


def _rows(ds: Dataset, name: str) -> list[dict[str, object]]:
    result = run_query(ds, named_query(name).read_text(encoding="utf-8"))
    return result.to_dicts()


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_events_query_gives_the_gold_kind_and_the_fine_kinds(
    dataset: Dataset, engine: str
) -> None:
    sparql = named_query("events").read_text(encoding="utf-8")
    rows = run_query(dataset, sparql, engine=engine).to_dicts()  # type: ignore[arg-type]
    kinds = {row["kind"] for row in rows if row["event"] == KGR[CLASH]}
    assert kinds == {KG.ArmedClash, KG.Battle, KG.Attack}
    clash = [row for row in rows if row["event"] == KGR[CLASH] and row["kind"] == KG.Battle]
    assert {str(row["agent"]) for row in clash} == {"Red Hill Front", "unidentified gunmen"}
    assert {str(row["place"]) for row in clash} == {"Oldtown"}
    assert {str(row["time"]) for row in clash} == {"2021-05-03"}


def test_actors_query_lists_fine_kinds_and_guesses(dataset: Dataset) -> None:
    rows = _rows(dataset, "actors")
    kinds: dict[str, set[URIRef]] = {}
    for row in rows:
        kinds.setdefault(str(row["label"]), set()).add(row["kind"])  # type: ignore[arg-type]
    assert kinds["Red Hill Front"] == {KG.RebelGroup, KG.NonStateArmedGroup, KG.ArmedForce}
    assert kinds["unidentified gunmen"] == {KG.UnidentifiedArmedGroup, KG.NonStateArmedGroup,
                                            KG.ArmedForce}
    assert kinds["the Watchers"] == {KG.Actor}
    assert kinds["Ruritania"] == {KG.Country}
    assert "Oldtown" not in kinds


def test_places_query_lists_guesses(dataset: Dataset) -> None:
    kinds: dict[str, set[object]] = {}
    for row in _rows(dataset, "places"):
        kinds.setdefault(str(row["label"]), set()).add(row["kind"])
    assert kinds == {"Oldtown": {KG.Place}, "Ruritania": {KG.Country}}
