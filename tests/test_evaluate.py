"""Tests of the gold loader and the scorer (no spaCy, no pipeline, except the slow test)."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rdflib import BNode, Literal, URIRef

from kgbuild.core.errors import GoldFormatError, InputError
from kgbuild.evaluation.corpus import corpus_checks
from kgbuild.evaluation.evaluate import (
    SCORED_QUESTIONS,
    AgreementGold,
    ArticleReport,
    CasualtyGold,
    ConflictGold,
    CorpusReport,
    EntityGold,
    EvalReport,
    EventGold,
    GoldArticle,
    GoldEntity,
    GoldSet,
    PlaceLinkGold,
    RoleGold,
    Row,
    StatementGold,
    check_provenance,
    label_matches,
    load_gold,
    local_key,
    normalise_label,
    resolve_time,
    rows_from_result,
    score_graph,
    score_question,
    time_matches,
)

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
DATA = ROOT / "tests" / "data" / "eval"
PUBLISHED = {"published": "2022-08-04"}


@pytest.fixture(scope="module")
def gold() -> GoldSet:
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def mini() -> GoldSet:
    return load_gold(DATA / "mini")


ENTS = {
    "eu": GoldEntity("eu", "European Union", ("InternationalOrganization",), ("EU",)),
    "az": GoldEntity("az", "Azerbaijan", ("Country",), ("Azeri",)),
    "am": GoldEntity("am", "Armenia", ("Country",), ()),
    "am_forces": GoldEntity("am_forces", "Armenian forces", ("ArmedForce",), ()),
    "nk": GoldEntity("nk", "Nagorno-Karabakh", ("Region",), ("Karabakh",)),
    "ru": GoldEntity("ru", "Russia", ("Country",), ()),
}


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Azerbaijan", "azerbaijan", id="case"),
        pytest.param("The European Union", "european union", id="leading-the"),
        pytest.param("the  Nagorno-Karabakh   enclave", "nagorno karabakh enclave", id="spaces"),
        pytest.param("Azerbaijan’s defence ministry", "azerbaijan defense ministry", id="curly-s"),
        pytest.param("Azerbaijan's Ministry of Defence", "azerbaijan ministry of defense", id="'s"),
        pytest.param("“Operation Revenge”", "operation revenge", id="curly-quotes"),
        pytest.param("Co-operation", "co operation", id="hyphen"),
        pytest.param("Nagorno–Karabakh", "nagorno karabakh", id="en-dash"),
        pytest.param("U.S.", "us", id="punctuation"),
        pytest.param("theatre", "theatre", id="the-prefix-of-a-word"),
        pytest.param("the", "the", id="only-the"),
    ],
)
def test_normalise_label(text: str, expected: str) -> None:
    assert normalise_label(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://example.org/onto#MilitaryOperation", "MilitaryOperation"),
        ("https://example.org/kinds/killed-or-injured", "KilledOrInjured"),
        ("at-least", "atLeast"),
        ("CONNECTS", "connects"),
    ],
)
def test_local_key_ignores_namespace_case_and_hyphens(a: str, b: str) -> None:
    assert local_key(a) == local_key(b)


def test_label_matches_label_or_alias() -> None:
    assert label_matches("the Azeri", ["az"], ENTS)
    assert label_matches("AZERBAIJAN", ["am", "az"], ENTS)
    assert not label_matches("Azerbaijani", ["az"], ENTS)
    assert not label_matches(None, ["az"], ENTS)


# --------------------------------------------------------------------------- pairing


def test_two_nodes_one_gold_row_gives_precision_half() -> None:
    rows = [
        {"actor": "n:1", "label": "Azerbaijan", "kind": "Country"},
        {"actor": "n:2", "label": "Azeri", "kind": "Country"},
    ]
    s = score_question("actors", [EntityGold("az")], rows, ENTS)
    assert (s.returned_items, s.paired_items) == (2, 1)
    assert s.precision == 0.5 and s.recall == 1.0
    assert s.f1 == pytest.approx(2 / 3)
    assert len(s.unmatched_returned) == 1


def test_one_node_with_several_rows_is_one_item() -> None:
    rows = [
        {"actor": "n:1", "label": "Azerbaijan", "kind": "Country"},
        {"actor": "n:1", "label": "Azeri", "kind": "Country"},
    ]
    s = score_question("actors", [EntityGold("az")], rows, ENTS)
    assert (s.returned_items, s.paired_items, s.precision) == (1, 1, 1.0)


def test_pairing_is_a_maximum_matching_regardless_of_row_order() -> None:
    # n:a matches both gold rows (two labels), n:b only "az": a greedy pass in
    # the order a, b would pair a-az and leave b alone.
    rows: list[dict[str, str | int | None]] = [
        {"actor": "n:a", "label": "Azerbaijan", "kind": "Country"},
        {"actor": "n:a", "label": "Armenia", "kind": "Country"},
        {"actor": "n:b", "label": "Azeri", "kind": "Country"},
    ]
    golds = [EntityGold("az"), EntityGold("am")]
    results = set()
    for seed in range(6):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        s = score_question("actors", golds[:: 1 if seed % 2 else -1], shuffled, ENTS)
        results.add((s.precision, s.recall, s.paired_items))
    assert results == {(1.0, 1.0, 2)}


def test_a_returned_item_pairs_with_at_most_one_gold_row() -> None:
    rows = [{"actor": "n:1", "label": "Azerbaijan", "kind": "Country"}]
    s = score_question("actors", [EntityGold("az"), EntityGold("az")], rows, ENTS)
    assert (s.paired_items, s.gold_paired, s.gold_required) == (1, 1, 2)
    assert s.recall == 0.5


def test_optional_rows_count_for_precision_only() -> None:
    golds = [EntityGold("az"), EntityGold("ru", required=False), EntityGold("am", required=False)]
    rows = [
        {"actor": "n:1", "label": "Azerbaijan", "kind": "Country"},
        {"actor": "n:2", "label": "Russia", "kind": "Country"},
    ]
    s = score_question("actors", golds, rows, ENTS)
    assert (s.precision, s.recall, s.gold_required, s.gold_paired) == (1.0, 1.0, 1, 1)
    assert s.unmatched_gold == ()  # the unreturned optional "am" is not missed


def test_required_rows_are_preferred_when_an_item_could_pair_with_either() -> None:
    ents = {**ENTS, "az2": GoldEntity("az2", "Azerbaijan", ("Country",), ())}
    golds = [EntityGold("az2", required=False), EntityGold("az")]
    rows = [{"actor": "n:1", "label": "Azerbaijan", "kind": "Country"}]
    s = score_question("actors", golds, rows, ents)
    assert s.recall == 1.0


def test_empty_answers() -> None:
    s = score_question("actors", [EntityGold("az")], [], ENTS)
    assert (s.precision, s.recall, s.f1) == (1.0, 0.0, 0.0)
    s = score_question("actors", [], [], ENTS)
    assert s.f1 == 1.0
    s = score_question("actors", [], [{"actor": "n:1", "label": "X", "kind": "Country"}], ENTS)
    assert (s.precision, s.f1) == (0.0, 0.0)


# --------------------------------------------------------------------------- kinds


def test_kind_accuracy_for_actors_and_places() -> None:
    golds = [EntityGold("az"), EntityGold("am_forces"), EntityGold("eu")]
    rows = [
        {"actor": "n:1", "label": "Azerbaijan", "kind": "http://x.org/o#Country"},
        {"actor": "n:2", "label": "Armenian forces", "kind": "Organization"},
        {"actor": "n:3", "label": "EU", "kind": None},
    ]
    s = score_question("actors", golds, rows, ENTS)
    assert s.f1 == 1.0  # a wrong kind still pairs
    assert s.kind_accuracy == pytest.approx(1 / 3)
    place = score_question(
        "places", [EntityGold("nk")], [{"place": "p", "label": "Karabakh", "kind": "Region"}], ENTS
    )
    assert place.kind_accuracy == 1.0


def test_kind_accuracy_prefers_the_correctly_typed_duplicate() -> None:
    rows = [
        {"actor": "n:1", "label": "Azerbaijan", "kind": "Organization"},
        {"actor": "n:2", "label": "Azerbaijan", "kind": "Country"},
    ]
    for order in (rows, rows[::-1]):
        s = score_question("actors", [EntityGold("az")], order, ENTS)
        assert s.kind_accuracy == 1.0


def test_event_kind_must_be_a_gold_kind() -> None:
    gold = [EventGold("e", ("Attack", "MilitaryOperation"), agent=("az",))]
    ok = [{"event": "e1", "kind": "http://x.org/o#MilitaryOperation", "agent": "Azerbaijan"}]
    wrong = [{"event": "e1", "kind": "http://x.org/o/Deployment", "agent": "Azerbaijan"}]
    assert score_question("events", gold, ok, ENTS).f1 == 1.0
    assert score_question("events", gold, wrong, ENTS).f1 == 0.0
    assert score_question("events", gold, ok, ENTS).kind_accuracy is None


def test_event_needs_one_row_matching_every_given_field() -> None:
    gold = [EventGold("e", ("Attack",), agent=("az",), target=("am_forces",), place=("nk",))]
    rows = [
        {
            "event": "e1",
            "kind": "Attack",
            "agent": "Azerbaijan",
            "target": "Armenian forces",
            "place": None,
        },
        {
            "event": "e1",
            "kind": "Attack",
            "agent": "Azerbaijan",
            "target": "Armenia",
            "place": "Karabakh",
        },
    ]
    assert score_question("events", gold, rows, ENTS).f1 == 0.0
    rows.append(
        {
            "event": "e1",
            "kind": "Attack",
            "agent": "Azeri",
            "target": "Armenian forces",
            "place": "Karabakh",
        }
    )
    assert score_question("events", gold, rows, ENTS).f1 == 1.0


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("gold_text", "returned", "expected"),
    [
        pytest.param("Wednesday", "2022-08-03", True, id="weekday-iso"),
        pytest.param("Wednesday", "2022-07-27", False, id="weekday-a-week-early"),
        pytest.param("Tuesday", "2022-08-02", True, id="tuesday"),
        pytest.param("Thursday", "2022-08-04", True, id="weekday-is-publication-day"),
        pytest.param("Friday", "2022-07-29", True, id="friday-last-week"),
        pytest.param("August 3", "2022-08-03", True, id="month-day"),
        pytest.param("3 August", "2022-08-03", True, id="day-month"),
        pytest.param("August 3", "2022-08-04", False, id="month-day-wrong"),
        pytest.param("early on Wednesday morning", "2022-08-03", True, id="phrase-iso"),
        pytest.param("early on Wednesday morning", "Wednesday", True, id="phrase-weekday"),
        pytest.param("Wednesday", "early on Wednesday morning", True, id="contains"),
        pytest.param("Wednesday", "2022-08-03T05:00:00", True, id="datetime"),
        pytest.param("2020", "2020", True, id="year"),
        pytest.param("2020", "2020-11-10", True, id="date-within-gold-year"),
        pytest.param("November 2020", "2020-11", True, id="month-year"),
        pytest.param("2020", "2021", False, id="other-year"),
        pytest.param("Wednesday", None, False, id="unbound"),
        pytest.param("yesterday", "2022-08-03", True, id="yesterday"),
    ],
)
def test_time_matches_against_publication_date(
    gold_text: str, returned: str | None, expected: bool
) -> None:
    assert time_matches(gold_text, returned, date(2022, 8, 4)) is expected


def test_time_without_publication_date() -> None:
    assert time_matches("August 3", "2022-08-03", None)
    assert time_matches("August 3", "August 3", None)
    assert not time_matches("August 3", "2022-08-04", None)
    assert time_matches("Wednesday", "2022-08-03", None)  # a Wednesday
    assert not time_matches("Wednesday", "2022-08-04", None)


def test_resolve_time() -> None:
    pub = date(2022, 8, 4)
    assert resolve_time("Wednesday", pub) == "2022-08-03"
    assert resolve_time("on Thursday", pub) == "2022-08-04"
    assert resolve_time("August 3", pub) == "2022-08-03"
    assert resolve_time("Aug. 3, 2021", pub) == "2021-08-03"
    assert resolve_time("in November 2020", pub) == "2020-11"
    assert resolve_time("the 2020 war", pub) == "2020"
    assert resolve_time("recently", pub) is None
    assert resolve_time("Wednesday", None) is None


def test_event_time_uses_article_meta() -> None:
    gold = [EventGold("e", ("Attack",), time_text="Wednesday")]
    rows = [{"event": "e1", "kind": "Attack", "time": "2022-08-03"}]
    assert score_question("events", gold, rows, ENTS, article_meta=PUBLISHED).f1 == 1.0
    other = {"published": "2022-08-11"}
    assert score_question("events", gold, rows, ENTS, article_meta=other).f1 == 0.0


# --------------------------------------------------------------------------- other questions


def _agreement(**kw: Any) -> AgreementGold:
    base: dict[str, Any] = {
        "id": "cf",
        "label": "2020 ceasefire agreement",
        "aliases": ("ceasefire",),
        "year": 2020,
        "month": 11,
        "broker": ("ru",),
        "parties": ("az", "am"),
    }
    base.update(kw)
    return AgreementGold(**base)


def _agreement_rows(
    date_value: str | None = "2020-11-10",
    parties: tuple[str, ...] = ("Azerbaijan", "Armenia"),
    broker: str | None = "Russia",
    label: str = "The ceasefire",
) -> list[Row]:
    return [
        {"agreement": "ag:1", "label": label, "date": date_value, "broker": broker, "party": p}
        for p in parties
    ]


@pytest.mark.parametrize(
    ("gold", "rows", "expected"),
    [
        pytest.param(_agreement(), _agreement_rows(), 1.0, id="full"),
        pytest.param(_agreement(), _agreement_rows("2020-11"), 1.0, id="year-month"),
        pytest.param(_agreement(), _agreement_rows("2020"), 0.0, id="no-month-fails-gold-month"),
        pytest.param(_agreement(month=None), _agreement_rows("2020"), 1.0, id="year-only"),
        pytest.param(_agreement(), _agreement_rows("2021-11-10"), 0.0, id="wrong-year"),
        pytest.param(_agreement(), _agreement_rows(None), 0.0, id="no-date"),
        pytest.param(_agreement(), _agreement_rows(parties=("Azerbaijan",)), 0.0, id="one-party"),
        pytest.param(_agreement(), _agreement_rows(broker=None), 0.0, id="broker-missing"),
        pytest.param(_agreement(broker=None), _agreement_rows(broker=None), 1.0, id="no-broker"),
        pytest.param(_agreement(), _agreement_rows(label="truce"), 0.0, id="label"),
    ],
)
def test_agreements(gold: AgreementGold, rows: list[Row], expected: float) -> None:
    assert score_question("agreements", [gold], rows, ENTS).f1 == expected


def test_casualties_null_count_and_any_victim() -> None:
    gold = [
        CasualtyGold(("az",), None, ("killed-or-injured", "injured"), None, ("several",)),
        CasualtyGold(("am_forces",), ("am",), ("killed",), 3, ("exact",)),
    ]
    rows: list[Row] = [
        {
            "claim": "c1",
            "source": "Azeri",
            "victim": "anyone",
            "outcome": "http://x.org/o#KilledOrInjured",
            "count": None,
            "qualifier": "Several",
        },
        {
            "claim": "c2",
            "source": "Armenian forces",
            "victim": "Armenia",
            "outcome": "killed",
            "count": 3,
            "qualifier": "exact",
        },
    ]
    assert score_question("casualties", gold, rows, ENTS).f1 == 1.0
    rows[0] = {**rows[0], "count": 2}  # null gold count demands an unbound ?count
    rows[1] = {**rows[1], "count": "3"}  # a numeric string is read as its number
    s = score_question("casualties", gold, rows, ENTS)
    assert (s.paired_items, s.returned_items) == (1, 2)


def test_statements_addressee_only_when_given() -> None:
    gold = [StatementGold(("eu",), ("Appeal",)), StatementGold(("az",), ("Accusation",), ("am",))]
    rows: list[Row] = [
        {"statement": "s1", "speaker": "EU", "stance": "Appeal", "addressee": None},
        {"statement": "s2", "speaker": "Azerbaijan", "stance": "Accusation", "addressee": None},
    ]
    s = score_question("statements", gold, rows, ENTS)
    assert (s.paired_items, s.gold_paired) == (1, 1)


def test_roles_compare_text_or_local_name() -> None:
    gold = [RoleGold(("eu",), ("chairman-in-office", "chair"), ("az",))]
    for role in ("Chairman-in-Office", "http://x.org/roles/ChairmanInOffice", "the Chair"):
        rows: list[Row] = [{"person": "EU", "role": role, "organization": "Azerbaijan"}]
        assert score_question("roles", gold, rows, ENTS).f1 == 1.0, role
    rows = [{"person": "EU", "role": "secretary", "organization": "Azerbaijan"}]
    assert score_question("roles", gold, rows, ENTS).f1 == 0.0


def test_conflicts_either_order_and_topic_ignored() -> None:
    gold = [ConflictGold(("az",), ("am_forces",), "casualties")]
    rows: list[Row] = [
        {
            "claimA": "c2",
            "sourceA": "Armenian forces",
            "claimB": "c1",
            "sourceB": "Azerbaijan",
            "topic": "something else entirely",
        }
    ]
    assert score_question("conflicts", gold, rows, ENTS).f1 == 1.0


def test_place_links_and_distinct_rows() -> None:
    gold = [PlaceLinkGold(("nk",), "within", ("az",))]
    row: Row = {
        "label": "Karabakh",
        "relation": "http://x.org/o#within",
        "otherLabel": "Azerbaijan",
    }
    s = score_question("place-links", gold, [row, dict(row)], ENTS)
    assert (s.returned_items, s.f1) == (1, 1.0)
    wrong: Row = {**row, "relation": "connects"}
    assert score_question("place-links", gold, [wrong], ENTS).f1 == 0.0


def test_score_question_rejects_provenance_and_wrong_gold_types() -> None:
    with pytest.raises(ValueError, match="check_provenance"):
        score_question("provenance", [], [], ENTS)
    with pytest.raises(ValueError, match="unknown question"):
        score_question("actor", [], [], ENTS)
    with pytest.raises(TypeError, match="EventGold"):
        score_question("events", [EntityGold("az")], [], ENTS)


# --------------------------------------------------------------------------- provenance


def test_provenance_check() -> None:
    text = "Azerbaijan said on Wednesday.\n"
    rows: list[Row] = [
        {
            "fact": "e1",
            "article": "http://x.org/a/001.txt",
            "begin": 0,
            "end": 10,
            "text": "Azerbaijan",
        },
        {"fact": "e2", "article": "001.txt", "begin": 11, "end": 15, "text": "said"},
        {"fact": "e3", "article": "001.txt", "begin": 12, "end": 15, "text": "said"},
        {"fact": "e4", "article": "002.txt", "begin": 0, "end": 10, "text": "Azerbaijan"},
        {"fact": "e5", "article": "001.txt", "begin": 25, "end": 99, "text": "x"},
    ]
    check = check_provenance(rows, text, "001.txt", ["e1", "e2", "s9"])
    assert check.rows_checked == 5
    assert len(check.offset_failures) == 3
    assert check.missing_facts == ("s9",)
    assert not check.ok
    assert check_provenance(rows[:2], text, "001.txt", ["e1", "e2"]).ok


# --------------------------------------------------------------------------- gold files


def test_load_gold_reads_the_shipped_gold(gold: GoldSet) -> None:
    assert set(gold.articles) == {"000_5b0c8244025bb314.txt", "004_3611225c614ea39f.txt"}
    art = gold.articles["000_5b0c8244025bb314.txt"]
    assert set(art.sections) == set(SCORED_QUESTIONS)
    casualties = art.sections["casualties"]
    assert isinstance(casualties[2], CasualtyGold) and casualties[2].outcome is not None
    assert len(casualties[2].outcome) == 3  # outcome given as a list
    other = gold.articles["004_3611225c614ea39f.txt"].sections["casualties"][2]
    assert isinstance(other, CasualtyGold) and other.victim is None and other.count is None
    assert gold.corpus is not None and "operation_revenge" in gold.corpus.same_event


def test_bad_gold_file_names_file_path_and_fix() -> None:
    with pytest.raises(GoldFormatError) as info:
        load_gold(DATA / "bad_key")
    message = str(info.value)
    assert "001_bad.gold.json" in message
    assert "$.events[0].agnet" in message
    assert "did you mean 'agent'?" in message
    assert "Fix:" in message


def _mutated(tmp_path: Path, name: str, change: Callable[[Any], None]) -> Path:
    folder = tmp_path / "gold"
    shutil.copytree(GOLD, folder)
    data = json.loads((folder / name).read_text(encoding="utf-8"))
    change(data)
    (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder


ARTICLE = "000_5b0c8244025bb314.gold.json"


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for step in path[:-1]:
            data = data[step]
        data[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("name", "change", "where"),
    [
        pytest.param(
            ARTICLE,
            _set(("events", 0, "kinds"), ["Battle"]),
            "$.events[0].kinds[0]",
            id="unknown-event-kind",
        ),
        pytest.param(
            ARTICLE,
            _set(("events", 0, "agent"), ["azerbajan"]),
            "$.events[0].agent[0]",
            id="unknown-entity",
        ),
        pytest.param(
            ARTICLE,
            _set(("casualties", 0, "count"), "3"),
            "$.casualties[0].count",
            id="count-as-string",
        ),
        pytest.param(
            ARTICLE,
            _set(("statements", 1, "required"), "yes"),
            "$.statements[1].required",
            id="required-not-bool",
        ),
        pytest.param(
            ARTICLE,
            _set(("actors", "required", 0), "nobody"),
            "$.actors.required[0]",
            id="unknown-actor",
        ),
        pytest.param(
            ARTICLE,
            _set(("agreements", 0, "month"), 13),
            "$.agreements[0].month",
            id="month-out-of-range",
        ),
        pytest.param(
            ARTICLE,
            _set(("place_links", 0, "relation"), "near"),
            "$.place_links[0].relation",
            id="unknown-relation",
        ),
        pytest.param(
            ARTICLE,
            _set(("events", 1, "id"), "operation_revenge"),
            "$.events[1].id",
            id="duplicate-event-id",
        ),
        pytest.param(
            "entities.json",
            _set(("baku", "kinds"), ["City"]),
            "$.baku.kinds[0]",
            id="unknown-entity-kind",
        ),
        pytest.param(
            "corpus.gold.json",
            _set(("same_event",), ["nothing"]),
            "$.same_event[0]",
            id="unknown-corpus-event",
        ),
    ],
)
def test_gold_errors_name_the_item(
    tmp_path: Path, name: str, change: Callable[[Any], None], where: str
) -> None:
    folder = _mutated(tmp_path, name, change)
    with pytest.raises(GoldFormatError) as info:
        load_gold(folder)
    assert name in str(info.value)
    assert f"{where}:" in str(info.value)


def test_invalid_json_and_missing_entities(tmp_path: Path) -> None:
    folder = tmp_path / "gold"
    shutil.copytree(GOLD, folder)
    (folder / ARTICLE).write_text('{"article": "x.txt",}', encoding="utf-8")
    with pytest.raises(GoldFormatError, match="not valid JSON"):
        load_gold(folder)
    (folder / "entities.json").unlink()
    with pytest.raises(GoldFormatError, match=r"entities\.json"):
        load_gold(folder)


def test_forgiving_where_the_format_is(tmp_path: Path) -> None:
    def change(data: Any) -> None:
        data["place_links"][0]["other"] = "baku"  # a single key for a list
        data["casualties"][0]["outcome"] = ["killed"]  # outcome as a list
        del data["events"][0]["required"]  # required defaults to true

    gold = load_gold(_mutated(tmp_path, ARTICLE, change))
    art = gold.articles["000_5b0c8244025bb314.txt"]
    link = art.sections["place-links"][0]
    assert isinstance(link, PlaceLinkGold) and link.other == ("baku",)
    assert art.sections["events"][0].required


# --------------------------------------------------------------------------- perfect answers


def _label(entities: Mapping[str, GoldEntity], key: str, *, alias: bool) -> str:
    entity = entities[key]
    return entity.aliases[-1] if alias and entity.aliases else entity.label


def perfect_rows(
    art: GoldArticle,
    entities: Mapping[str, GoldEntity],
    *,
    variant: bool = False,
    published: date | None = None,
) -> dict[str, list[Row]]:
    """Rows a perfect graph would return, built from the gold itself.

    ``variant`` uses aliases, IRIs for kinds, resolved times, the second kind
    and swapped conflict sources, to exercise every matching rule.
    """

    def lab(key: str | None) -> str | None:
        return None if key is None else _label(entities, key, alias=variant)

    def term(value: str) -> str:
        return f"http://example.org/onto#{value}" if variant else value

    def first(values: tuple[str, ...] | None) -> str | None:
        if not values:
            return None
        return values[-1] if variant else values[0]

    out: dict[str, list[Row]] = {q: [] for q in SCORED_QUESTIONS}
    for q, var in (("actors", "actor"), ("places", "place")):
        for i, g in enumerate(art.sections[q]):
            assert isinstance(g, EntityGold)
            out[q].append(
                {
                    var: f"n:{q}{i}",
                    "label": lab(g.entity),
                    "kind": term(entities[g.entity].kinds[0]),
                }
            )
    for g in art.sections["place-links"]:
        assert isinstance(g, PlaceLinkGold)
        out["place-links"].append(
            {"label": lab(g.place[0]), "relation": term(g.relation), "otherLabel": lab(g.other[0])}
        )
    for i, g in enumerate(art.sections["events"]):
        assert isinstance(g, EventGold)
        time: str | None = g.time_text
        if variant and time is not None:
            time = resolve_time(time, published) or time
        out["events"].append(
            {
                "event": f"e{i}",
                "kind": term(first(g.kinds) or ""),
                "agent": lab(first(g.agent)),
                "target": lab(first(g.target)),
                "place": lab(first(g.place)),
                "time": time,
            }
        )
    for i, g in enumerate(art.sections["casualties"]):
        assert isinstance(g, CasualtyGold)
        out["casualties"].append(
            {
                "claim": f"c{i}",
                "source": lab(first(g.source)),
                "victim": lab(first(g.victim)),
                "outcome": term(first(g.outcome) or ""),
                "count": g.count,
                "qualifier": first(g.qualifier),
            }
        )
    for i, g in enumerate(art.sections["statements"]):
        assert isinstance(g, StatementGold)
        out["statements"].append(
            {
                "statement": f"s{i}",
                "speaker": lab(first(g.speaker)),
                "stance": term(first(g.stance) or ""),
                "addressee": lab(first(g.addressee)),
                "quote": "...",
            }
        )
    for i, g in enumerate(art.sections["agreements"]):
        assert isinstance(g, AgreementGold)
        when = None if g.year is None else f"{g.year:04d}"
        if when and g.month is not None:
            when += f"-{g.month:02d}" + ("-10" if variant else "")
        for party in g.parties:
            out["agreements"].append(
                {
                    "agreement": f"a{i}",
                    "label": g.aliases[-1] if variant else g.label,
                    "date": when,
                    "broker": lab(first(g.broker)),
                    "party": lab(party),
                }
            )
    for g in art.sections["roles"]:
        assert isinstance(g, RoleGold)
        out["roles"].append(
            {
                "person": lab(g.person[0]),
                "role": first(g.role),
                "organization": lab(first(g.organization)),
            }
        )
    for i, g in enumerate(art.sections["conflicts"]):
        assert isinstance(g, ConflictGold)
        a, b = (lab(first(g.b)), lab(first(g.a))) if variant else (lab(g.a[0]), lab(g.b[0]))
        out["conflicts"].append(
            {"claimA": f"ca{i}", "sourceA": a, "claimB": f"cb{i}", "sourceB": b, "topic": None}
        )
    return out


@pytest.mark.parametrize("variant", [False, True], ids=["labels", "aliases-iris-isodates"])
@pytest.mark.parametrize("article", ["000_5b0c8244025bb314.txt", "004_3611225c614ea39f.txt"])
def test_perfect_answers_score_one(gold: GoldSet, article: str, variant: bool) -> None:
    art = gold.articles[article]
    meta = {"published": "2022-08-04"} if article.startswith("000") else None
    published = date(2022, 8, 4) if meta else None
    rows = perfect_rows(art, gold.entities, variant=variant, published=published)
    report = score_graph(rows, art, entities=gold.entities, article_meta=meta)
    for q in SCORED_QUESTIONS:
        s = report.scores[q]
        assert (q, s.f1, s.precision, s.recall) == (q, 1.0, 1.0, 1.0), s.unmatched_gold
    assert report.kind_accuracy == 1.0
    assert report.mean_f1 == 1.0


def test_dropping_answers_lowers_recall_only(gold: GoldSet) -> None:
    art = gold.articles["000_5b0c8244025bb314.txt"]
    rows = perfect_rows(art, gold.entities)
    rows["events"] = [r for r in rows["events"] if r["event"] != "e0"]
    s = score_graph(rows, art, entities=gold.entities, article_meta=PUBLISHED).scores["events"]
    assert s.precision == 1.0 and s.recall < 1.0
    assert s.unmatched_gold == ("event operation_revenge (MilitaryOperation|Attack)",)


# --------------------------------------------------------------------------- reports


def test_report_rendering_and_json(mini: GoldSet) -> None:
    art = mini.articles["001_mini.txt"]
    rows = perfect_rows(art, mini.entities)
    rows["actors"].append({"actor": "n:extra", "label": "Somebody", "kind": "Person"})
    text = (DATA / "mini" / "001_mini.txt").read_text(encoding="utf-8")
    rows["provenance"] = [
        {
            "fact": "e0",
            "article": "001_mini.txt",
            "begin": 30,
            "end": 46,
            "text": "Bordurian forces",
        }
    ]
    one = score_graph(rows, art, entities=mini.entities, article_meta=PUBLISHED, article_text=text)
    assert one.provenance is not None and one.provenance.missing_facts == ("c0", "c1", "e1", "s0")
    report = EvalReport(articles={"001_mini.txt": one})
    assert report.overall["actors"].precision == pytest.approx(5 / 6)
    assert report.mean_f1 is not None and report.mean_f1 < 1.0
    rendered = str(report)
    assert "001_mini.txt" in rendered and "actors" in rendered and "provenance FAILED" in rendered
    data = json.loads(report.to_json())
    assert data["overall"]["actors"]["returned_items"] == 6
    assert data["provenance"]["rows_checked"] == 1


def test_overall_is_micro_over_articles(mini: GoldSet) -> None:
    art = mini.articles["001_mini.txt"]
    good = score_graph(
        perfect_rows(art, mini.entities), art, entities=mini.entities, article_meta=PUBLISHED
    )
    empty = score_graph({}, art, entities=mini.entities)
    report = EvalReport(articles={"a": good, "b": ArticleReport("b", empty.scores)})
    actors = report.overall["actors"]
    assert (actors.gold_required, actors.gold_paired, actors.recall) == (8, 4, 0.5)
    assert actors.precision == 1.0


def test_rows_from_result_converts_terms() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"

    gyear, xdate = URIRef(xsd + "gYear"), URIRef(xsd + "date")
    result = SimpleNamespace(
        vars=["a", "n", "d", "b", "u"],
        rows=[
            (
                URIRef("http://x.org/a"),
                Literal(3),
                Literal("2020", datatype=gyear),
                BNode("b1"),
                None,
            ),
            (
                Literal("Baku", lang="en"),
                Literal(2.5),
                Literal("2020-11-10", datatype=xdate),
                None,
                None,
            ),
        ],
    )

    assert rows_from_result(result) == [
        {"a": "http://x.org/a", "n": 3, "d": "2020", "b": "_:b1", "u": None},
        {"a": "Baku", "n": "2.5", "d": "2020-11-10", "b": None, "u": None},
    ]


def test_corpus_checks_count_distinct_nodes(gold: GoldSet) -> None:
    a0, a4 = "000_5b0c8244025bb314.txt", "004_3611225c614ea39f.txt"
    rows: dict[str, list[Row]] = {
        "actors": [
            {"actor": "n:az", "label": "Azerbaijan", "kind": "Country"},
            {"actor": "n:arm1", "label": "Armenia", "kind": "Country"},
            {"actor": "n:arm2", "label": "Republic of Armenia", "kind": "Country"},
        ],
        "places": [{"place": "n:az", "label": "Azerbaijan", "kind": "Country"}],
        "events": [
            {
                "event": "ev:rev",
                "kind": "MilitaryOperation",
                "agent": "Azerbaijan",
                "target": "Armenian forces",
                "place": "Nagorno-Karabakh",
                "time": "2022-08-03",
            },
        ],
        "agreements": [
            {
                "agreement": "ag:1",
                "label": "ceasefire",
                "date": "2020-11-10",
                "broker": None,
                "party": "Armenia",
            },
        ],
        "provenance": [
            {"fact": "ev:rev", "article": a0, "begin": 0, "end": 1, "text": "x"},
            {"fact": "ev:rev", "article": a4, "begin": 0, "end": 1, "text": "x"},
            {"fact": "c:1", "article": a0, "begin": 0, "end": 1, "text": "x"},
            {"fact": "c:2", "article": a4, "begin": 0, "end": 1, "text": "x"},
        ],
        "conflicts": [{"claimA": "c:2", "sourceA": "x", "claimB": "c:1", "sourceB": "y"}],
    }
    metas = {a0: PUBLISHED, a4: None}
    checks = {(c.kind, c.key): c for c in corpus_checks(gold, rows, metas)}
    assert checks[("entity", "azerbaijan")].passed  # actor and place are one node
    assert not checks[("entity", "armenia")].passed  # two nodes
    assert not checks[("entity", "eu")].passed  # none
    assert checks[("event", "operation_revenge")].nodes == ("ev:rev",)
    assert checks[("event", "operation_revenge")].passed
    assert not checks[("event", "soldier_killed")].passed
    assert checks[("agreement", "ceasefire_2020")].passed
    conflict = next(c for c in checks.values() if c.kind == "conflict")
    assert conflict.passed and not conflict.required
    report = CorpusReport(checks=tuple(checks.values()))
    assert report.total == 11 and report.passed == 3
    assert "FAIL" in str(report)


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_evaluate_seeds_end_to_end(tmp_path: Path) -> None:
    try:
        from kgbuild import pipeline  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"kgbuild.pipeline is not importable yet ({exc})")
    from kgbuild.evaluation.evaluate import evaluate

    report = evaluate(GOLD, [ROOT / "seeds"])
    assert set(report.articles) == {"000_5b0c8244025bb314.txt", "004_3611225c614ea39f.txt"}
    assert report.mean_f1 is not None and 0.0 <= report.mean_f1 <= 1.0
    assert report.corpus is not None and report.corpus.total == 11
    assert json.loads(report.to_json())["articles"]
    (tmp_path / "report.txt").write_text(str(report), encoding="utf-8")


def test_evaluate_driver_with_a_stand_in_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mini: GoldSet
) -> None:
    """The driver's plumbing (sources, queries, conversion, corpus) without spaCy."""
    import sys
    from types import ModuleType

    from kgbuild.evaluation.evaluate import evaluate

    gold_dir = tmp_path / "gold"
    shutil.copytree(DATA / "mini", gold_dir)
    corpus = {"same_entity": ["ruritania"], "same_event": ["shelling"], "same_agreement": []}
    (gold_dir / "corpus.gold.json").write_text(json.dumps(corpus), encoding="utf-8")
    queries = tmp_path / "queries"
    queries.mkdir()
    for q in (*SCORED_QUESTIONS, "provenance"):
        if q != "roles":  # a missing query is scored as returning nothing
            (queries / f"{q}.rq").write_text(f"# {q}\nSELECT * WHERE {{}}", encoding="utf-8")

    art = mini.articles["001_mini.txt"]
    rows = perfect_rows(art, mini.entities)
    text = (DATA / "mini" / "001_mini.txt").read_text(encoding="utf-8")
    facts = [r[v] for q, v in (("events", "event"), ("casualties", "claim"), ("statements",
             "statement")) for r in rows[q]]  # fmt: skip
    rows["provenance"] = [
        {"fact": f, "article": "http://x.org/article/001_mini.txt", "begin": 0, "end": 9,
         "text": text[:9]}
        for f in facts
    ]  # fmt: skip
    built: list[list[Path]] = []

    def term(value: str | int | None) -> Any:
        if value is None:
            return None
        if isinstance(value, int):
            return Literal(value)
        return URIRef(value) if value.startswith(("n:", "http")) else Literal(value)

    class StandInGraph:
        def query(self, sparql: str) -> SimpleNamespace:
            name = sparql.split("\n", 1)[0][2:]
            names = sorted({k for r in rows[name] for k in r})
            table = [tuple(term(r.get(k)) for k in names) for r in rows[name]]
            return SimpleNamespace(vars=names, rows=table)

    def build(paths: list[Path], *, settings: object | None = None) -> StandInGraph:
        built.append(list(paths))
        return StandInGraph()

    fake = ModuleType("kgbuild.pipeline")
    fake.build = build  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kgbuild.pipeline", fake)

    report = evaluate(gold_dir, [DATA / "mini"], queries_dir=queries)
    assert [p.name for paths in built for p in paths] == ["001_mini.txt", "001_mini.txt"]
    one = report.articles["001_mini.txt"]
    assert one.missing_queries == ("roles",)
    assert one.scores["roles"].recall == 0.0
    assert all(one.scores[q].f1 == 1.0 for q in SCORED_QUESTIONS if q != "roles")
    assert one.provenance is not None and one.provenance.ok
    assert report.corpus is not None and (report.corpus.passed, report.corpus.total) == (2, 2)
    assert "corpus checks: 2/2 passed" in str(report)

    with pytest.raises(InputError, match="not found among the sources"):
        evaluate(gold_dir, [tmp_path / "queries"], queries_dir=queries)
