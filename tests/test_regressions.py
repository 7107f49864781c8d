"""Small regression tests, one per bug, with their data inline."""

from __future__ import annotations

from pathlib import Path

import kgbuild


def _build(tmp_path: Path, body: str, published: str | None = None) -> kgbuild.KnowledgeGraph:
    article = tmp_path / "a.txt"
    article.write_text("Update\n\n" + body + "\n", encoding="utf-8")
    if published:
        (tmp_path / "a.meta.json").write_text(f'{{"published": "{published}"}}', encoding="utf-8")
    return kgbuild.build([article])


def test_time_entity_without_digits_does_not_crash(tmp_path: Path) -> None:
    # a TIME entity ("the evening") used to raise AttributeError (str has no is_digit)
    kg = _build(tmp_path, "Azerbaijani forces shelled the village of Zorvan in the evening.")
    assert kg.stats.events == 1


def test_sentence_is_not_split_after_its_first_name(tmp_path: Path) -> None:
    # the small model split "Iran | and Turkey condemned ..." into two sentences
    kg = _build(tmp_path, "Iran and Turkey condemned the attack.")
    assert kg.stats.statements == 2


def test_dateline_is_not_a_fact(tmp_path: Path) -> None:
    kg = _build(tmp_path, "YEREVAN, Jan 2 (Reuters) - Armenia accused Azerbaijan of shelling the "
                          "village of Zorvan.")
    text = ("PREFIX kg: <https://w3id.org/kgbuild/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?e ?l WHERE { ?e a kg:Actor ; rdfs:label ?l }")
    labels = {str(r[1]) for r in kg.query(text).rows}
    assert "Reuters" not in labels and "Ja" not in labels
    assert {"Armenia", "Azerbaijan"} <= labels


def _rows(kg: kgbuild.KnowledgeGraph, name: str) -> list[tuple[str | None, ...]]:
    path = Path(__file__).resolve().parents[1] / "queries" / f"{name}.rq"
    text = path.read_text(encoding="utf-8")
    return [tuple(None if v is None else str(v) for v in row) for row in kg.query(text).rows]


def test_surname_alone_is_the_person_named_before(tmp_path: Path) -> None:
    kg = _build(tmp_path, "Envoy Marta Kovalenko visited the region. Kovalenko said the talks "
                          "would resume.")
    speakers = {r[1] for r in _rows(kg, "statements")}
    assert speakers == {"Marta Kovalenko"}


def test_a_capital_speaks_and_is_addressed_for_its_country(tmp_path: Path) -> None:
    kg = _build(tmp_path, "Baku denied the report. Tbilisi accused Yerevan of delaying the talks.")
    rows = {(r[1], r[2].rsplit("/", 1)[-1], r[3]) for r in _rows(kg, "statements")}
    assert ("Azerbaijan", "Denial", None) in rows
    assert ("Georgia", "Accusation", "Armenia") in rows


def test_attack_in_a_casualty_clause_takes_the_killer_as_agent(tmp_path: Path) -> None:
    kg = _build(
        tmp_path,
        "Armenian officials said Azerbaijani troops killed four Armenian soldiers in an attack "
        "last month.",
        published="2023-05-15",
    )
    events = {(r[1].rsplit("#", 1)[-1], r[2], r[3], r[5]) for r in _rows(kg, "events")}
    assert ("Attack", "Armed Forces of Azerbaijan", "Armed Forces of Armenia", "2023-04") in events
