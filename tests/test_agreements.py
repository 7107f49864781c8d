"""Agreements in any wording, and a border-clash report with a brokered ceasefire.

``tests/data/border_ceasefire/border_ceasefire.txt`` is an invented report of the shape
a new user tried (a Thailand-Cambodia border clash ended by a Malaysia-brokered
ceasefire): its signing place, date, parties, broker and provisions must come out, and
so must both sides' casualty figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import kgbuild
from kgbuild.kg.graph import KnowledgeGraph

DATA = Path(__file__).resolve().parent / "data" / "border_ceasefire"
ARTICLE = DATA / "border_ceasefire.txt"
PREFIXES = """
PREFIX kg:   <https://w3id.org/kgbuild/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
PUBLISHED = "2023-09-20"  # a Wednesday

Builder = Callable[..., KnowledgeGraph]


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal):
        return int(value) if value.datatype == XSD.integer else str(value)
    text = str(value)
    if isinstance(value, URIRef) and "/kgbuild/vocab/" in text:
        return text.rsplit("/", 1)[-1]
    return text


def select(kg: KnowledgeGraph, sparql: str) -> list[dict[str, Any]]:
    return [
        {k: _plain(v) for k, v in row.items()} for row in kg.query(PREFIXES + sparql).to_dicts()
    ]


PLURAL = {"broker": "brokers", "party": "parties", "provision": "provisions"}


def agreements(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """One dict per agreement: label, date, place, and sets of brokers, parties and
    provisions."""
    rows = select(
        kg,
        """
        SELECT ?a ?label ?date ?place ?broker ?party ?provision WHERE {
          ?a a kg:Agreement ; rdfs:label ?label .
          OPTIONAL { ?a kg:date ?date }
          OPTIONAL { ?a kg:signingPlace / rdfs:label ?place }
          OPTIONAL { ?a kg:broker / rdfs:label ?broker }
          OPTIONAL { ?a kg:party / rdfs:label ?party }
          OPTIONAL { ?a kg:provision ?provision }
        }""",
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        ag = out.setdefault(
            r["a"],
            {
                "label": r["label"],
                "date": r["date"],
                "place": r["place"],
                "brokers": set(),
                "parties": set(),
                "provisions": set(),
            },
        )
        for key in ("broker", "party", "provision"):
            if r[key] is not None:
                ag[PLURAL[key]].add(r[key])
    return list(out.values())


def casualty_rows(kg: KnowledgeGraph) -> set[tuple[Any, ...]]:
    rows = select(
        kg,
        """
        SELECT ?source ?victim ?side ?outcome ?count ?qualifier WHERE {
          ?c a kg:CasualtyClaim ; kg:outcome ?outcome ; kg:qualifier ?qualifier ;
             kg:source ?s .
          OPTIONAL { ?s a kg:Actor ; rdfs:label ?source }
          OPTIONAL { ?c kg:victim / rdfs:label ?victim }
          OPTIONAL { ?c kg:victimSide / rdfs:label ?side }
          OPTIONAL { ?c kg:count ?count }
        }""",
    )
    return {
        (r["source"], r["victim"], r["side"], r["outcome"], r["count"], r["qualifier"])
        for r in rows
    }


# --- the border-clash report ----------------------------------------------------------------
@pytest.fixture(scope="module")
def report_out_of_the_box() -> KnowledgeGraph:
    return kgbuild.build([ARTICLE])


PROVISIONS = {
    "pull back heavy weapons five kilometres from the border",
    "allow military observers to monitor the frontier",
    "reopen the border crossings within a week",
}


def test_fixture_is_a_short_report() -> None:
    words = len(ARTICLE.read_text(encoding="utf-8").split())
    assert 150 <= words <= 250
    assert json.loads((DATA / "border_ceasefire.meta.json").read_text())["published"]


def test_ceasefire_slots(report_out_of_the_box: KnowledgeGraph) -> None:
    ags = agreements(report_out_of_the_box)
    assert len(ags) == 1, ags
    ag = ags[0]
    assert ag["date"] == "2025-07-28"  # "on 28 July", published 29 July 2025
    assert ag["place"] == "Kuala Lumpur"
    assert ag["brokers"] == {"Malaysia"}
    assert ag["parties"] == {"Cambodia", "Thailand"}  # "the two sides", not the broker
    assert ag["provisions"] == PROVISIONS


CAMBODIA_FIGURES = {
    (
        "Ministry of Defense of Cambodia",
        "Armed Forces of Cambodia",
        "Cambodia",
        "killed",
        4,
        "exact",
    ),
    (
        "Ministry of Defense of Cambodia",
        "Armed Forces of Cambodia",
        "Cambodia",
        "injured",
        11,
        "exact",
    ),
    ("Government of Cambodia", None, None, "killed-or-injured", 0, "none"),
}


def test_casualties_of_both_sides(report_out_of_the_box: KnowledgeGraph) -> None:
    thai = ("Armed Forces of Thailand", "Armed Forces of Thailand", "Thailand")
    assert casualty_rows(report_out_of_the_box) == CAMBODIA_FIGURES | {
        (*thai, "killed", 2, "exact"),
        (*thai, "injured", 5, "exact"),
    }


# --- other wordings -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def build_text(tmp_path_factory: pytest.TempPathFactory) -> Builder:
    cache: dict[str, KnowledgeGraph] = {}

    def build(body: str) -> KnowledgeGraph:
        if body not in cache:
            folder = tmp_path_factory.mktemp("article")
            (folder / "a.txt").write_text(f"Update\n\n{body}\n", encoding="utf-8")
            (folder / "a.meta.json").write_text(json.dumps({"published": PUBLISHED}))
            cache[body] = kgbuild.build([folder / "a.txt"])
        return cache[body]

    return build


def _one(kg: KnowledgeGraph) -> dict[str, Any]:
    ags = agreements(kg)
    assert len(ags) == 1, ags
    return ags[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "Georgia and Turkey signed a peace deal brokered by Qatar in Doha on 3 May 2021.",
            {
                "date": "2021-05-03",
                "place": "Doha",
                "brokers": {"Qatar"},
                "parties": {"Georgia", "Turkey"},
            },
            id="peace-deal-brokered-by",
        ),
        pytest.param(
            "Iran and Iraq agreed to a truce on Sunday.",
            {
                "date": "2023-09-17",
                "parties": {"Iran", "Iraq"},
                "label": "2023 ceasefire agreement",
            },
            id="agreed-to-a-truce",
        ),
        pytest.param(
            "A Qatar-brokered ceasefire between Israel and Lebanon took effect on Monday.",
            {"brokers": {"Qatar"}, "parties": {"Israel", "Lebanon"}, "date": None},
            id="x-brokered-between",
        ),
        pytest.param(
            "Under an agreement reached in Geneva on 12 March, Armenia and Azerbaijan will "
            "exchange prisoners.",
            {
                "date": "2023-03-12",
                "place": "Geneva",
                "parties": {"Armenia", "Azerbaijan"},
                "provisions": {"Armenia and Azerbaijan will exchange prisoners"},
            },
            id="under-an-agreement-reached-in",
        ),
        pytest.param(
            "Armenia and Azerbaijan agreed to pull back heavy weapons five kilometres from the "
            "border.",
            {
                "parties": {"Armenia", "Azerbaijan"},
                "provisions": {"pull back heavy weapons five kilometres from the border"},
            },
            id="agreed-to-provision",
        ),
        pytest.param(
            "Armenia and Azerbaijan signed a memorandum of understanding on a cessation of "
            "hostilities in Ankara on 2 June.",
            {
                "label": "2023 ceasefire agreement",
                "date": "2023-06-02",
                "place": "Ankara",
                "parties": {"Armenia", "Azerbaijan"},
            },
            id="memorandum-on-cessation-of-hostilities",
        ),
        pytest.param(
            "Russia and Belarus signed a security pact in Minsk.",
            {"place": "Minsk", "parties": {"Russia", "Belarus"}},
            id="security-pact",
        ),
        pytest.param(
            "The accord calls for the withdrawal of foreign troops from the border area.",
            {"provisions": {"the withdrawal of foreign troops from the border area"}},
            id="accord-calls-for",
        ),
        pytest.param(
            "The presidents of Georgia and Armenia agreed in Batumi on Wednesday on a roadmap "
            "to ease tensions, after talks mediated by Turkey. The roadmap calls for the "
            "withdrawal of troops from the border.",
            {
                "date": "2023-09-20",
                "place": "Batumi",
                "brokers": {"Turkey"},
                "parties": {"Georgia", "Armenia"},
                "provisions": {"ease tensions", "the withdrawal of troops from the border"},
            },
            id="roadmap-calls-for",
        ),
        pytest.param(
            "Meeting in Geneva on Friday, Armenia and Azerbaijan signed an action plan, with "
            "Norway as facilitator. It provides for the exchange of prisoners and for the "
            "return of bodies.",
            {
                "date": "2023-09-15",
                "place": "Geneva",
                "brokers": {"Norway"},
                "parties": {"Armenia", "Azerbaijan"},
                "provisions": {"the exchange of prisoners", "the return of bodies"},
            },
            id="action-plan-meeting-in-it-provides-for",
        ),
        pytest.param(
            "Iran and Iraq signed the Basra Accord on Monday under Qatari mediation. It "
            "provides for a ceasefire and a prisoner exchange.",
            {
                "label": "2023 agreement",
                "brokers": {"Qatar"},
                "parties": {"Iran", "Iraq"},
                "provisions": {"a ceasefire", "a prisoner exchange"},
            },
            id="named-accord-with-provided-ceasefire",
        ),
        pytest.param(
            "Delegations of Armenia and Azerbaijan signed a declaration of principles in "
            "Prague on Thursday, but did not agree on a ceasefire. The talks were facilitated "
            "by France and Germany.",
            {"brokers": {"France", "Germany"}, "parties": {"Armenia", "Azerbaijan"}},
            id="declaration-not-a-ceasefire-talks-facilitated-by",
        ),
        pytest.param(
            "The heads of the Kyrgyz and Tajik border services agreed on Saturday on a "
            "complete ceasefire and the withdrawal of troops.",
            {
                "parties": {"Kyrgyzstan", "Tajikistan"},
                "provisions": {"the withdrawal of troops"},
            },
            id="coordinated-demonyms-agreed-on-x-and-y",
        ),
        pytest.param(
            "The deal was signed in Baku on 10 November 2020 by Armenia, Azerbaijan and Russia.",
            {
                "date": "2020-11-10",
                "place": "Baku",
                "parties": {"Armenia", "Azerbaijan", "Russia"},
            },
            id="passive-signed-by",
        ),
    ],
)
def test_agreement_wordings(build_text: Builder, body: str, expected: dict[str, Any]) -> None:
    ag = _one(build_text(body))
    assert {k: ag[k] for k in expected} == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("The United Nations called for a ceasefire.", id="wished-for"),
        pytest.param("Russia agreed to send more peacekeepers.", id="one-actor-agrees"),
        pytest.param("The minister was in agreement with the plan.", id="in-agreement-with"),
        pytest.param("The deal is worth two billion dollars.", id="bare-definite-deal"),
        pytest.param("The two teams agreed to meet again.", id="not-parties-to-a-conflict"),
    ],
)
def test_no_agreement(build_text: Builder, body: str) -> None:
    assert agreements(build_text(body)) == []
