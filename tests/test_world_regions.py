"""Reports from regions the curated knowledge base never covered (issue 10, "done when"):
every country a report names is typed kg:Country, its towns and regions are places, and
the graph passes the shipped shapes.  The reports are written for this test."""

from __future__ import annotations

from pathlib import Path

import pytest

import kgbuild

REPORTS = {
    "se_asia.txt": (
        "Thai and Cambodian troops exchange fire at the border\n\n"
        "Thai and Cambodian troops exchanged artillery and rocket fire along their disputed "
        "border near the Preah Vihear temple on Thursday, the Thai army said. Four Thai "
        "soldiers were killed and 11 others wounded, it said. Cambodia's defence ministry "
        "accused Thailand of shelling villages in Oddar Meanchey province. Malaysia, which "
        "chairs the regional bloc, offered to broker a ceasefire, and the two sides agreed to "
        "meet in Kuala Lumpur on Monday.",
        ["Thailand", "Cambodia", "Malaysia"],
    ),
    "sahel.txt": (
        "On 14 June 2022, JNIM militants attacked a Malian army post in Boni, Mopti region, "
        "killing seven soldiers. Burkinabe and Nigerien troops were not involved, a "
        "spokesman in Bamako said.",
        ["Mali", "Burkina Faso", "Niger"],
    ),
    "latam.txt": (
        "Gunmen believed to belong to a drug cartel killed five police officers in an ambush "
        "outside Coahuayana, Michoacan, Mexico, on 9 March 2023. Colombian and Guatemalan "
        "officials offered help with the investigation.",
        ["Mexico", "Colombia", "Guatemala"],
    ),
    "myanmar.txt": (
        "Myanmar's military carried out air strikes on a village in Sagaing region on "
        "Tuesday, killing at least 30 people, according to local residents. The People's "
        "Defence Force said its fighters had withdrawn toward the border with India.",
        ["Myanmar", "India"],
    ),
}

COUNTRY_KINDS = """
PREFIX kg:   <https://w3id.org/kgbuild/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label WHERE { ?c a kg:Country ; rdfs:label ?label }
"""


@pytest.fixture(scope="module")
def world_graph(tmp_path_factory: pytest.TempPathFactory) -> kgbuild.KnowledgeGraph:
    folder: Path = tmp_path_factory.mktemp("regions")
    for name, (text, _) in REPORTS.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return kgbuild.build([folder])


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_named_country_is_a_country(world_graph: kgbuild.KnowledgeGraph, name: str) -> None:
    countries = {str(r[0]) for r in world_graph.query(COUNTRY_KINDS).rows}
    missing = [c for c in REPORTS[name][1] if c not in countries]
    assert not missing, f"{name}: not typed kg:Country: {missing} (countries: {sorted(countries)})"


def test_region_reports_validate(world_graph: kgbuild.KnowledgeGraph) -> None:
    report = world_graph.validate()
    assert report.conforms, str(report)
